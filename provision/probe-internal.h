/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the probe-*.c files only. */
#pragma once

#include <dirent.h>
#include <stdbool.h>

#include "pci-addr.h"
#include "root.h"
#include "system.h"

/* A device link (sys/bus/pci/devices/X, a group member) must lead to a directory. */
int vp_probe_device_dir(const struct vp_root *root, const char *path, char **ret_msg);
/* The error for a device link r (and the resolver's msg) that leads to no directory. */
int vp_probe_device_dir_error(const char *path, int r, const char *msg, char **ret_msg);

/*
 * Reads an optional sysfs/proc attribute (VP_MAX_ATTR at most). Returns 0 and sets *ret, 0 with
 * *ret == NULL when the file does not exist, or a negative errno with
 * *ret_msg naming the path (e.g. a directory where a file is expected).
 */
int vp_probe_attr(const struct vp_root *root, const char *path, char **ret, char **ret_msg);
/* The same for a kernel table (/proc/cpuinfo, meminfo): VP_MAX_TABLE, not VP_MAX_ATTR. */
int vp_probe_table(const struct vp_root *root, const char *path, char **ret, char **ret_msg);
/*
 * Strict decimal integer attribute ("12\n"). *ret is left untouched when
 * the file does not exist; garbage is an error naming the path.
 */
int vp_probe_attr_long(const struct vp_root *root, const char *path, long *ret,
		       char **ret_msg);
/* Strict parsers: the whole string (one trailing newline allowed). */
bool vp_parse_long(const char *s, int base, long *ret);
bool vp_parse_ull(const char *s, int base, unsigned long long *ret);



/* What a probe's vp_dir_each callback needs to add to an array of sys. */
struct vp_probe_walk {
	const struct vp_root *root;
	struct vp_system *sys;
	size_t cap;             /* of the array being filled */
	char **ret_msg;
};

/* Called by vp_probe_pci once the functions are read and sorted. */
int vp_probe_iommu(const struct vp_root *root, struct vp_system *sys, char **ret_msg);
/* Index of the function with that address in the sorted sys->fns, or -1. */
long vp_probe_find_fn(const struct vp_system *sys, unsigned dom, unsigned bus,
		      unsigned dev, unsigned fn);
