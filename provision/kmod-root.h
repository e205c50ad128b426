/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libkmod on a root: one place that says which configuration directories
 * count (libkmod's own list) and how their paths are found, for the probe
 * (vfio modules per kernel, drivers by modalias) and for verify (the
 * modprobe.d options as modprobe reads them).
 */
#pragma once

#include <libkmod.h>

#include "root.h"

/* libkmod's configuration directories (libkmod-config.c), in its order. */
extern const char *const vp_modprobe_dirs[];

/*
 * libkmod opens every "*.conf" and "*.alias" of those directories itself,
 * with a plain blocking open(): a named pipe there would hang us. Refuses
 * anything but a regular file among them, naming it.
 */
_must_check_ int vp_kmod_check_config(const struct vp_root *root, char **ret_msg);

/*
 * A quiet libkmod context for kernel kver of the root (its /lib/modules/KVER;
 * kver NULL: /lib/modules, for the configuration only) and the root's
 * configuration directories, never the host's. libkmod opens these files
 * itself, so for a root other than "/" it is given a private view of them
 * (root-view.h): copies of the configuration files and of the module
 * indexes, read through the root's resolver, so that a link in the root
 * never leads libkmod to a file of the host. Free it with vp_kmod_unref().
 *
 * What no view can give: libkmod 30 reads the running kernel's
 * /proc/cmdline in kmod_new(), whatever the paths, and adds its
 * MODULE.OPTION= and modprobe.blacklist= after the files' options and
 * blacklists: vp_kmod_config_counts() says how many came from the files.
 */
_must_check_ int vp_kmod_new(const struct vp_root *root, const char *kver, struct kmod_ctx **ret,
			     char **ret_msg);
/*
 * The same for looking modules up by name only (built in, a module, or
 * missing): the kernel's binary indexes and no configuration, which says
 * nothing about that (no modprobe.d, no builtin modinfo, no softdeps).
 */
_must_check_ int vp_kmod_new_names(const struct vp_root *root, const char *kver,
				   struct kmod_ctx **ret, char **ret_msg);
void vp_kmod_unref(struct kmod_ctx *ctx);

/*
 * The path inside the root of a file libkmod named (a module's path from
 * modules.dep), or NULL when it is not in the context's module directory.
 * Allocated.
 */
char *vp_kmod_root_path(struct kmod_ctx *ctx, const char *host_path);

/*
 * How many of ctx's options and blacklists (kmod_config_get_options(),
 * kmod_config_get_blacklists(), in their order) come from the configuration
 * files: the ones after them are the running kernel's command line, which is
 * neither the root's nor its next boot's.
 */
void vp_kmod_config_counts(struct kmod_ctx *ctx, unsigned *ret_options, unsigned *ret_blacklists);
