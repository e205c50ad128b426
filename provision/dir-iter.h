/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one directory iterator: the names in a directory, sorted (strcmp),
 * without "." and "..", each handed to fn with the directory's fd (for
 * fstatat/unlinkat/openat relative to it). fn returns 0 to go on, a
 * positive value to stop (returned as it is), or a negative errno (ditto).
 * The names are read before the first call: fn may remove entries.
 */
#pragma once

#include "root.h"
#include "vp.h"

typedef int (*vp_dir_fn)(int dfd, const char *name, void *userdata);

/*
 * dir under the root, opened through the resolver: -ENOENT (no message)
 * when absent, another negative errno with *ret_msg naming dir when it
 * cannot be opened or read.
 */
_must_check_ int vp_dir_each(const struct vp_root *root, const char *dir, vp_dir_fn fn,
			     void *userdata, char **ret_msg);
/* The directory open at fd, which it takes (closed in every case). */
_must_check_ int vp_dir_fd_each(int fd, vp_dir_fn fn, void *userdata);
/*
 * The entries of a directory under the root whose names want() takes, as
 * "DIR/NAME" paths appended to *ret, which is then sorted; a directory that
 * is absent (or not one) has none.
 */
_must_check_ int vp_root_list(const struct vp_root *root, const char *dir,
			      bool (*want)(const char *name), struct vp_strv *ret, char **ret_msg);
