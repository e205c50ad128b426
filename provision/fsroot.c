// SPDX-License-Identifier: GPL-2.0-or-later
/* Writes under the root without ever leaving it. See fsroot.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsroot.h"

static void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

int vp_fsroot_missing_dirs(const struct vp_root *root, const char *path, struct vp_strv *ret,
			   char **ret_msg)
{
	_cleanup_free_ char *canon = NULL;
	char *slash;
	int r;

	r = vp_root_resolve(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	for (slash = strchr(canon + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		struct stat st;

		*slash = '\0';
		if (fstatat(root->fd, canon + 1, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				return vp_fail(ret_msg, -errno, "'%s': %s", canon, strerror(errno));
			r = vp_strv_push(ret, canon);
			if (r < 0)
				return r;
		}
		*slash = '/';
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vp_fsroot_write(const struct vp_root *root, const char *path, const void *data, size_t len,
		    const struct vp_fsroot_attr *attr, char **ret_msg)
{
	_cleanup_free_ char *canon = NULL, *tmp = NULL;
	_cleanup_close_ int dfd = -1;
	const char *name, *what;
	bool have_tmp = false;
	int fd = -1, r;

	r = vp_root_resolve(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	what = "cannot open its directory";
	r = vp_root_walk(root, canon, true, 0755, NULL, &dfd, &name, ret_msg);
	if (r == -EXDEV)
		return r;
	if (r < 0)
		goto fail;
	tmp = vp_strdup_printf(".%s" VP_TMP_SUFFIX, name);
	if (!tmp) {
		r = -ENOMEM;
		goto fail;
	}
	/*
	 * A fixed temporary name (we hold the lock): a leftover from a crash
	 * is removed here instead of piling up. Never reuse it: it could be a
	 * hard link to something else.
	 */
	if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT) {
		r = -errno;
		what = "cannot remove stale temporary file";
		goto fail;
	}
	what = "cannot create temporary file";
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	have_tmp = true;
	what = "cannot write";
	r = write_all(fd, data, len);
	if (r < 0)
		goto fail;
	what = "cannot set owner";
	if (attr->set_owner && fchown(fd, attr->uid, attr->gid) < 0) {
		r = -errno;
		goto fail;
	}
	/* after fchown, which clears set-id bits */
	what = "cannot set mode";
	if (fchmod(fd, attr->mode & 07777) < 0) {
		r = -errno;
		goto fail;
	}
	what = "cannot sync";
	if (fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	r = close(fd);
	fd = -1;
	if (r < 0) {
		r = -errno;
		goto fail;
	}
	what = "cannot rename temporary file into place";
	if (renameat(dfd, tmp, dfd, name) < 0) {
		r = -errno;
		goto fail;
	}
	have_tmp = false;
	what = "cannot sync its directory";
	if (fsync(dfd) < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (have_tmp)
		(void)unlinkat(dfd, tmp, 0);
	return vp_fail(ret_msg, r, "'%s': %s: %s", canon ? canon : path, what, strerror(-r));
}

/*
 * Removes a file, or an empty directory (dir): a missing one is no error,
 * nor, for a directory, one that is not empty (someone else's files).
 * Removing a file syncs its directory; a directory is best-effort cleanup.
 */
static int remove_at(const struct vp_root *root, const char *path, bool dir, char **ret_msg)
{
	_cleanup_free_ char *canon = NULL;
	_cleanup_close_ int dfd = -1;
	const char *name;
	int r;

	r = vp_root_resolve(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	r = vp_root_walk(root, canon, false, 0, NULL, &dfd, &name, ret_msg);
	if (r == -ENOENT)
		return 0;
	if (r == -EXDEV)
		return r;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", canon, strerror(-r));
	if (unlinkat(dfd, name, dir ? AT_REMOVEDIR : 0) < 0) {
		if (errno == ENOENT || (dir && (errno == ENOTEMPTY || errno == EEXIST)))
			return 0;
		return vp_fail(ret_msg, -errno, "'%s': cannot remove: %s", canon, strerror(errno));
	}
	if (fsync(dfd) < 0 && !dir)
		return vp_fail(ret_msg, -errno, "'%s': cannot sync its directory: %s", canon,
			       strerror(errno));
	return 0;
}

int vp_fsroot_unlink(const struct vp_root *root, const char *path, char **ret_msg)
{
	return remove_at(root, path, false, ret_msg);
}

int vp_fsroot_rmdir(const struct vp_root *root, const char *path, char **ret_msg)
{
	return remove_at(root, path, true, ret_msg);
}

int vp_fsroot_mkdir_p(const struct vp_root *root, const char *path, unsigned mode,
		      struct vp_strv *ret_created, char **ret_msg)
{
	_cleanup_free_ char *canon = NULL, *file = NULL;
	_cleanup_close_ int dfd = -1;
	const char *name;
	int r;

	r = vp_root_resolve(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	if (strcmp(canon, "/") == 0)
		return 0;
	/* open_parent creates the parents of a file: ask for one inside path */
	file = vp_strdup_printf("%s/.", canon);
	if (!file)
		return -ENOMEM;
	r = vp_root_walk(root, file, true, mode, ret_created, &dfd, &name, ret_msg);
	if (r == -EXDEV)
		return r;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': cannot create directory: %s", canon,
			       strerror(-r));
	return 0;
}

int vp_fsroot_open_lock(const struct vp_root *root, const char *path, int *ret_fd,
			char **ret_msg)
{
	_cleanup_free_ char *canon = NULL;
	_cleanup_close_ int dfd = -1;
	const char *name;
	int fd, r;

	r = vp_root_resolve(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	r = vp_root_walk(root, canon, true, 0755, NULL, &dfd, &name, ret_msg);
	if (r == -EXDEV)
		return r;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", canon, strerror(-r));
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return vp_fail(ret_msg, -errno, "'%s': cannot open: %s", canon, strerror(errno));
	*ret_fd = fd;
	return 0;
}
