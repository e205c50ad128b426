/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The write side of the root. Every path goes through the resolver of
 * root.h (vp_root_resolve, vp_root_walk), the same as reads: links within
 * the root, a link leaving it refused with -EXDEV, directories walked one
 * component at a time with O_NOFOLLOW, so nothing is ever written outside.
 */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "root.h"
#include "vp.h"

/* Suffix of our temporary files: ".NAME.vp-tmp" next to NAME. */
#define VP_TMP_SUFFIX ".vp-tmp"

/* The parent directories of path that do not exist yet, top-down (canonical). */
_must_check_ int vp_fsroot_missing_dirs(const struct vp_root *root, const char *path, struct vp_strv *ret,
			   char **ret_msg);

struct vp_fsroot_attr {
	unsigned mode;          /* permission bits */
	bool set_owner;         /* else the writer's uid/gid */
	uid_t uid;
	gid_t gid;
};

/*
 * Atomically replaces path with data: temporary file in the same directory,
 * write, fchown/fchmod, fsync, rename, fsync of the directory. Missing
 * parent directories are created (0755). A failure leaves the old file in
 * place and no temporary file behind; *ret_msg names the path.
 */
_must_check_ int vp_fsroot_write(const struct vp_root *root, const char *path, const void *data, size_t len,
		    const struct vp_fsroot_attr *attr, char **ret_msg);

/* Removes a file (not a directory), then fsyncs its directory; absent is fine. */
_must_check_ int vp_fsroot_unlink(const struct vp_root *root, const char *path, char **ret_msg);

/* Removes an empty directory; absent or not empty is fine (returns 0). */
_must_check_ int vp_fsroot_rmdir(const struct vp_root *root, const char *path, char **ret_msg);

/* mkdir -p under the root. ret_created (may be NULL) gets the new ones, top-down. */
_must_check_ int vp_fsroot_mkdir_p(const struct vp_root *root, const char *path, unsigned mode,
		      struct vp_strv *ret_created, char **ret_msg);

/* Opens (creating when create) a file for locking: O_RDWR, mode 0600. */
_must_check_ int vp_fsroot_open_lock(const struct vp_root *root, const char *path, int *ret_fd,
			char **ret_msg);
