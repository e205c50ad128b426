/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A private view of files under the root, for a library that opens paths
 * itself (libkmod, libpci): the files it would open, read through the
 * root's resolver (links followed as the root sees them, a link leaving the
 * root refused, each kind's size cap) and copied, as regular files, into a
 * private directory (mkdtemp in $TMPDIR, else /dev/shm, else /tmp; mode
 * 0700) that the library is pointed at instead. It then sees exactly what
 * our resolver sees: the kernel never follows one of the root's links onto
 * the host.
 *
 * For the root "/" there is nothing to copy: the host is the root, and the
 * view is the root's own paths (dir is NULL).
 */
#pragma once

#include <stddef.h>

#include "root.h"

struct vp_view {
	char *dir;              /* the private directory, NULL for the root "/" */
	int fd;                 /* ... open, what is made is made relative to it */
	struct vp_strv made;    /* what was made in it, in order ("name/" a directory) */
};

/* A new, empty view (none for the root "/"). */
_must_check_ int vp_view_new(const struct vp_root *root, struct vp_view *ret, char **ret_msg);
/* A new, empty private directory, whatever the root: for files we make. */
_must_check_ int vp_view_new_private(struct vp_view *ret, char **ret_msg);
/*
 * Removes the private directory and all in it: what we made, by name, and
 * (should a library have left something) whatever else is there.
 */
void vp_view_free(struct vp_view *v);

/*
 * The host path that stands for path (inside the root) in the view, name
 * being path's place in it ("modules/modules.dep.bin"): for the root "/",
 * path itself.
 */
char *vp_view_path(const struct vp_root *root, const struct vp_view *v, const char *path,
		   const char *name);

/* Makes directory name (and its parents) in the view; nothing for the root "/". */
_must_check_ int vp_view_mkdir(struct vp_view *v, const char *name);

/*
 * Copies the regular file path of the root (at most max bytes, a VP_MAX_*)
 * to name in the view. -ENOENT (no message) when path does not exist; a
 * directory there is -EISDIR (no message: libkmod skips one); anything else
 * wrong is an error naming it. Nothing to do for the root "/".
 */
_must_check_ int vp_view_copy(const struct vp_root *root, struct vp_view *v,
			      const char *path, const char *name, size_t max, char **ret_msg);
/* Writes data (len bytes) as a new file name in a private view, mode 0600. */
_must_check_ int vp_view_write(struct vp_view *v, const char *name, const char *data, size_t len,
			       char **ret_msg);
