/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every path the tool touches is an absolute path *inside* the root given
 * with --root (default "/"). These helpers do the read side; writes go
 * through apply.c, which never follows a symlink out of the root.
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
};

_must_check_ int vp_root_open(struct vp_root *root, const char *dir);
void vp_root_close(struct vp_root *root);

/* "<root>/<path>" as a malloc'ed host path (path must start with '/'). */
_must_check_ char *vp_root_path(const struct vp_root *root, const char *path);

/*
 * Reads a whole file under the root. Returns 0, -ENOENT when it does not
 * exist, or another negative errno. *ret is NUL-terminated; ret_len may be
 * NULL. Symlinks inside the root are resolved within the root.
 */
_must_check_ int vp_root_read(const struct vp_root *root, const char *path, char **ret, size_t *ret_len);
/*
 * The same for a text file we parse or edit, with a message in *ret_msg:
 * anything but a regular file (a FIFO, a device, a directory) is refused
 * before a byte is read, and so is content with a NUL byte (every parser
 * and planner sees a C string). -ENOENT (no message) when it does not
 * exist; ret_len and ret_st may be NULL.
 */
_must_check_ int vp_root_read_text(const struct vp_root *root, const char *path, char **ret,
		      size_t *ret_len, struct stat *ret_st, char **ret_msg);
/*
 * 0 when path is a regular file or does not exist; otherwise an error
 * naming it. For files a library opens itself (libkmod's modprobe.d).
 */
_must_check_ int vp_root_check_regular(const struct vp_root *root, const char *path, char **ret_msg);
/* Reads a sysfs-style one-line attribute, trailing newline stripped. */
_must_check_ int vp_root_read_line(const struct vp_root *root, const char *path, char **ret);
_must_check_ bool vp_root_exists(const struct vp_root *root, const char *path);
/* open()/opendir() of a path resolved inside the root; fd or -errno. */
_must_check_ int vp_root_openat(const struct vp_root *root, const char *path, int flags);
_must_check_ int vp_root_opendir(const struct vp_root *root, const char *path, DIR **ret);
/* readlink() of a path under the root; returns the raw link text. */
_must_check_ int vp_root_readlink(const struct vp_root *root, const char *path, char **ret);
