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

#define MAX_LINKS 40

static void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* Pushes the components of s onto the stack in reverse, so pops give them in order. */
static int push_components(struct vp_strv *stack, const char *s)
{
	_cleanup_free_ char *copy = strdup(s);
	struct vp_strv comps = {0};
	char *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		r = vp_strv_push(&comps, c);
		if (r < 0)
			goto out;
	}
	for (size_t i = comps.n; i > 0; i--) {
		r = vp_strv_push(stack, comps.v[i - 1]);
		if (r < 0)
			goto out;
	}
out:
	vp_strv_free(&comps);
	return r;
}

static char *pop(struct vp_strv *stack)
{
	char *c = stack->v[--stack->n];

	stack->v[stack->n] = NULL;
	return c;
}

static void truncate_last(struct vp_buf *b)
{
	char *slash = strrchr(b->s, '/');

	b->len = (size_t)(slash - b->s);
	b->s[b->len] = '\0';
}

int vp_fsroot_canon(const struct vp_root *root, const char *path, char **ret, char **ret_msg)
{
	struct vp_strv stack = {0};
	struct vp_buf res = {0};
	bool exists = true;
	int links = 0, r;

	if (path[0] != '/') {
		r = vp_fail(ret_msg, -EINVAL, "'%s': not an absolute path", path);
		goto fail;
	}
	r = push_components(&stack, path);
	if (r < 0)
		goto fail;
	r = vp_buf_puts(&res, "");
	if (r < 0)
		goto fail;
	while (stack.n > 0) {
		_cleanup_free_ char *c = pop(&stack);
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (res.len == 0) {
				r = vp_fail(ret_msg, -EXDEV,
					    "'%s': a symbolic link or '..' leads outside the root %s",
					    path, root->dir[0] ? root->dir : "/");
				goto fail;
			}
			truncate_last(&res);
			continue;
		}
		r = vp_buf_printf(&res, "/%s", c);
		if (r < 0)
			goto fail;
		if (!exists)
			continue;
		if (fstatat(root->fd, res.s + 1, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT) {
				exists = false;
				continue;
			}
			r = vp_fail(ret_msg, -errno, "'%s': %s", res.s, strerror(errno));
			goto fail;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++links > MAX_LINKS) {
			r = vp_fail(ret_msg, -ELOOP, "'%s': too many levels of symbolic links", path);
			goto fail;
		}
		n = readlinkat(root->fd, res.s + 1, target, sizeof(target) - 1);
		if (n < 0) {
			r = vp_fail(ret_msg, -errno, "'%s': %s", res.s, strerror(errno));
			goto fail;
		}
		target[n] = '\0';
		truncate_last(&res);
		if (target[0] == '/') {
			res.len = 0;
			res.s[0] = '\0';
		}
		r = push_components(&stack, target);
		if (r < 0)
			goto fail;
	}
	if (res.len == 0)
		r = vp_buf_puts(&res, "/");
	if (r < 0)
		goto fail;
	vp_strv_free(&stack);
	*ret = vp_buf_steal(&res);
	return *ret ? 0 : -ENOMEM;
fail:
	vp_strv_free(&stack);
	vp_buf_free(&res);
	return r;
}

/*
 * Opens the directory holding canon, one component at a time with
 * O_NOFOLLOW (canon has no links left, so a link here is a race: refuse).
 * *ret_name points into canon.
 */
static int open_parent(const struct vp_root *root, char *canon, bool create, unsigned dir_mode,
		       struct vp_strv *created, int *ret_fd, const char **ret_name)
{
	char *p = canon + 1, *slash;
	int dfd, r;

	dfd = openat(root->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	while ((slash = strchr(p, '/'))) {
		int fd;

		*slash = '\0';
		fd = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(dfd, p, 0700) < 0 && errno != EEXIST) {
				r = -errno;
				goto fail;
			}
			/* the mode asked for, whatever the umask */
			if (fchmodat(dfd, p, dir_mode, 0) < 0) {
				r = -errno;
				goto fail;
			}
			if (created) {
				r = vp_strv_push(created, canon);
				if (r < 0)
					goto fail;
			}
			/* the new entry must survive a crash before the file in it does */
			if (fsync(dfd) < 0) {
				r = -errno;
				goto fail;
			}
			fd = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			r = errno == ELOOP ? -EXDEV : -errno;
			goto fail;
		}
		*slash = '/';
		close(dfd);
		dfd = fd;
		p = slash + 1;
	}
	if (!*p) {
		r = -EISDIR;
		goto fail_nofix;
	}
	*ret_fd = dfd;
	*ret_name = p;
	return 0;
fail:
	if (slash)
		*slash = '/';
fail_nofix:
	close(dfd);
	return r;
}

int vp_fsroot_missing_dirs(const struct vp_root *root, const char *path, struct vp_strv *ret,
			   char **ret_msg)
{
	_cleanup_free_ char *canon = NULL;
	char *slash;
	int r;

	r = vp_fsroot_canon(root, path, &canon, ret_msg);
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

int vp_fsroot_stat(const struct vp_root *root, const char *path, struct stat *ret)
{
	_cleanup_free_ char *canon = NULL;
	int r;

	r = vp_fsroot_canon(root, path, &canon, NULL);
	if (r < 0)
		return r;
	if (strcmp(canon, "/") == 0)
		return fstatat(root->fd, ".", ret, 0) < 0 ? -errno : 0;
	return fstatat(root->fd, canon + 1, ret, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int vp_fsroot_read(const struct vp_root *root, const char *path, char **ret, size_t *ret_len,
		   struct stat *ret_st)
{
	_cleanup_free_ char *canon = NULL;
	_cleanup_close_ int dfd = -1, fd = -1;
	struct vp_buf b = {0};
	const char *name;
	struct stat st;
	int r;

	r = vp_fsroot_canon(root, path, &canon, NULL);
	if (r < 0)
		return r;
	r = open_parent(root, canon, false, 0, NULL, &dfd, &name);
	if (r < 0)
		return r;
	/* O_NONBLOCK: a FIFO planted where a file belongs must not hang us */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EXDEV : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	r = vp_buf_puts(&b, "");
	for (;;) {
		char chunk[16384];
		ssize_t n;

		if (r < 0)
			goto fail;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		r = vp_buf_add(&b, chunk, (size_t)n);
	}
	if (ret_len)
		*ret_len = b.len;
	if (ret_st)
		*ret_st = st;
	*ret = vp_buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
fail:
	vp_buf_free(&b);
	return r;
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

	r = vp_fsroot_canon(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	what = "cannot open its directory";
	r = open_parent(root, canon, true, 0755, NULL, &dfd, &name);
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

	r = vp_fsroot_canon(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	r = open_parent(root, canon, false, 0, NULL, &dfd, &name);
	if (r == -ENOENT)
		return 0;
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

	r = vp_fsroot_canon(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	if (strcmp(canon, "/") == 0)
		return 0;
	/* open_parent creates the parents of a file: ask for one inside path */
	file = vp_strdup_printf("%s/.", canon);
	if (!file)
		return -ENOMEM;
	r = open_parent(root, file, true, mode, ret_created, &dfd, &name);
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

	r = vp_fsroot_canon(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	r = open_parent(root, canon, true, 0755, NULL, &dfd, &name);
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", canon, strerror(-r));
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return vp_fail(ret_msg, -errno, "'%s': cannot open: %s", canon, strerror(errno));
	*ret_fd = fd;
	return 0;
}

int vp_fsroot_opendir(const struct vp_root *root, const char *path, DIR **ret, char **ret_msg)
{
	_cleanup_free_ char *canon = NULL;
	int fd, r;

	r = vp_fsroot_canon(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	fd = openat(root->fd, canon + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : vp_fail(ret_msg, -errno, "'%s': %s", path,
							   strerror(errno));
	*ret = fdopendir(fd);
	if (!*ret) {
		r = -errno;
		close(fd);
		return r;
	}
	return 0;
}
