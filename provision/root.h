/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every path the tool touches is an absolute path *inside* the root given
 * with --root (default "/"), and every one goes through one resolver,
 * vp_root_resolve(): reads and stats here, writes in fsroot.c. Links are
 * followed as the system booted from the root sees them (an absolute
 * target starts at the root); one whose ".." would climb above the root is
 * refused with -EXDEV and a message naming it, never clamped nor followed
 * onto the host. Opening then walks the resolved path one directory at a
 * time with O_NOFOLLOW, so a link swapped in meanwhile fails instead of
 * being followed.
 */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "vp.h"

struct vp_root {
	char *dir;   /* canonical root directory, no trailing slash ("" for "/") */
	int fd;      /* O_PATH|O_DIRECTORY descriptor of the root */
	/* canonical paths under which no link is followed (vp_root_forbid_links) */
	struct vp_strv nolink;
	/* directories kept open while the system is read (root-cache.h), or NULL */
	struct vp_dircache *cache;
};

_must_check_ int vp_root_open(struct vp_root *root, const char *dir);
void vp_root_close(struct vp_root *root);

/*
 * From now on no symbolic link at or below dir (inside the root) is
 * followed: vp_root_resolve() refuses one with -ELOOP and a message naming
 * it. For our own state (/var/lib/vfio-provision, /run/vfio-provision),
 * where we never put a link and one would send a write or a sweep onto the
 * system's files. dir's parents may be links; they are resolved now.
 */
_must_check_ int vp_root_forbid_links(struct vp_root *root, const char *dir);

/*
 * The canonical path inside the root ("/etc/fstab"): links resolved within
 * the root, "." and ".." folded; components that do not exist are kept as
 * written. -EXDEV (leaves the root), -ELOOP, -ENAMETOOLONG.
 */
_must_check_ int vp_root_resolve(const struct vp_root *root, const char *path, char **ret,
				 char **ret_msg);
/*
 * Opens the directory holding canon (a vp_root_resolve() result), one
 * component at a time with O_NOFOLLOW; with create, missing directories are
 * made with dir_mode (and listed in created, top-down). *ret_name points
 * into canon. -EXDEV, with *ret_msg, when a link is met (a race: canon has
 * none); other errors come without a message. A directory made here gets
 * its mode through its descriptor, never by name.
 */
_must_check_ int vp_root_walk(const struct vp_root *root, char *canon, bool create,
			      unsigned dir_mode, struct vp_strv *created, int *ret_fd,
			      const char **ret_name, char **ret_msg);
/* open() of a path under the root, resolved as above; fd or -errno (and *ret_msg). */
_must_check_ int vp_root_open_path(const struct vp_root *root, const char *path, int flags,
			      char **ret_msg);
/*
 * 0 when path resolves to a directory, else as vp_root_open_path(); a
 * directory the resolver keeps (root-cache.h) is known without a syscall.
 */
_must_check_ int vp_root_check_dir(const struct vp_root *root, const char *path, char **ret_msg);
/*
 * A descriptor of directory path to look things up from (openat,
 * readlinkat): the resolver's own when it keeps the directory (*ret_kept:
 * not to be closed), else one opened O_PATH. Errors as vp_root_open_path().
 */
_must_check_ int vp_root_dir_fd(const struct vp_root *root, const char *path, bool *ret_kept,
				char **ret_msg);
/* stat() of the file path resolves to; -ENOENT when absent (*ret_msg for a bad link). */
_must_check_ int vp_root_stat(const struct vp_root *root, const char *path, struct stat *ret,
			      char **ret_msg);
/*
 * For a library that opens paths itself (libkmod, libpci): the resolved
 * path as the host names it, "<root><canonical path>". The same policy
 * applies: a link leaving the root is refused.
 */
_must_check_ int vp_root_host_path(const struct vp_root *root, const char *path, char **ret,
				   char **ret_msg);

/*
 * Size caps by kind of file (README, "Limits"): a file bigger than its
 * kind's cap is refused with -EFBIG and a message, before a byte is read.
 */
#define VP_MAX_TEXT ((size_t)4 << 20)   /* text we parse or edit; the ledger, its blobs */
#define VP_MAX_ATTR ((size_t)64 << 10)  /* one sysfs or procfs attribute */
#define VP_MAX_TABLE ((size_t)16 << 20) /* a kernel table: mountinfo, swaps */
#define VP_MAX_DATA ((size_t)64 << 20)  /* other files read whole: dpkg's status, pci.ids,
					   a kernel's config and module indexes */

/*
 * Reads a whole file under the root (VP_MAX_DATA at most). Returns 0,
 * -ENOENT when it does not exist, or another negative errno. *ret is
 * NUL-terminated; ret_len may be NULL. Symlinks inside the root are
 * resolved within the root.
 */
_must_check_ int vp_root_read(const struct vp_root *root, const char *path, char **ret, size_t *ret_len);
/* The same with the file's stat; -EINVAL (-EISDIR) for anything but a regular file. */
_must_check_ int vp_root_read_st(const struct vp_root *root, const char *path, char **ret,
				 size_t *ret_len, struct stat *ret_st);
/*
 * The same for a text file we parse or edit (VP_MAX_TEXT), with a message
 * in *ret_msg:
 * anything but a regular file (a FIFO, a device, a directory) is refused
 * before a byte is read, and so is content with a NUL byte (every parser
 * and planner sees a C string). -ENOENT (no message) when it does not
 * exist; ret_len and ret_st may be NULL.
 */
_must_check_ int vp_root_read_text(const struct vp_root *root, const char *path, char **ret,
		      size_t *ret_len, struct stat *ret_st, char **ret_msg);
/*
 * A sysfs attribute name (no slash) of the directory dfd, opened through
 * the resolver as dir: read relative to it, without walking dir again, in
 * one read (sysfs gives an attribute whole). A link there is resolved from
 * dir as the root sees it. As vp_root_read_max.
 */
_must_check_ int vp_root_read_at(const struct vp_root *root, int dfd, const char *dir,
				 const char *name, size_t max, char **ret, size_t *ret_len,
				 char **ret_msg);
/* The same two with a cap of the caller's (VP_MAX_*), and a message for every error but -ENOENT. */
_must_check_ int vp_root_read_max(const struct vp_root *root, const char *path, size_t max,
				  char **ret, size_t *ret_len, struct stat *ret_st, char **ret_msg);
_must_check_ int vp_root_read_text_max(const struct vp_root *root, const char *path, size_t max,
				       char **ret, size_t *ret_len, struct stat *ret_st,
				       char **ret_msg);
/*
 * A big file read in place (pci.ids: 1.3 MB), mapped read-only rather
 * than copied: the pages it touches come from the page cache, many at a
 * fault, instead of a private copy faulted in page by page. Its text is
 * not NUL-terminated; a file that is rewritten in place (not replaced)
 * while mapped would fault, so only for data files packages install.
 * Checks and errors as vp_root_read_max; vp_root_unmap() when done.
 */
struct vp_map {
	const char *s;
	size_t len;
};
_must_check_ int vp_root_map(const struct vp_root *root, const char *path, size_t max,
			     struct vp_map *ret, char **ret_msg);
void vp_root_unmap(struct vp_map *m);
/*
 * 0 when path is a regular file or does not exist; otherwise an error
 * naming it. For files a library opens itself (libkmod's modprobe.d).
 */
_must_check_ int vp_root_check_regular(const struct vp_root *root, const char *path, char **ret_msg);
/* "a named pipe" for a FIFO, and so on: what stands where a file belongs. */
const char *vp_file_type_name(mode_t mode);
/* Reads a sysfs-style one-line attribute (VP_MAX_ATTR), trailing newline stripped. */
_must_check_ int vp_root_read_line(const struct vp_root *root, const char *path, char **ret);
_must_check_ bool vp_root_exists(const struct vp_root *root, const char *path);
/* open()/opendir() of a path resolved inside the root; fd or -errno. */
_must_check_ int vp_root_openat(const struct vp_root *root, const char *path, int flags);
/* readlink() of a path under the root (its directory resolved); the raw link text. */
_must_check_ int vp_root_readlink(const struct vp_root *root, const char *path, char **ret);
