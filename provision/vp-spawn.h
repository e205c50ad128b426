/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running external programs (initramfs and bootloader tools): argv only, no
 * shell. (Not named spawn.h: -Iprovision would shadow the libc's <spawn.h>.)
 */
#pragma once

#include "root.h"
#include "vp.h"

/*
 * Runs argv[0] (looked up in PATH) with the caller's stdout/stderr, inside
 * the root: with root "/" directly (posix_spawnp), otherwise chrooted into
 * it, so a tool never touches the host when --root names another tree.
 * *ret_status: the exit status, 128+N when killed by signal N, 127 when it
 * could not be started. Returns 0, or a negative errno when it could not
 * even try (with *ret_msg).
 */
int vp_spawn(const struct vp_root *root, char *const argv[], int *ret_status, char **ret_msg);

/* The command line as a user would type it to re-run it (quoted where needed). */
char *vp_spawn_cmdline(const struct vp_root *root, char *const argv[]);
