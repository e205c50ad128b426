// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "root.h"
#include "vp.h"

int vp_root_open(struct vp_root *root, const char *dir)
{
	char *canon = NULL;
	int fd = -1, r;

	canon = realpath(dir ? dir : "/", NULL);
	if (!canon) {
		r = -errno;
		goto fail;
	}
	fd = open(canon, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (strcmp(canon, "/") == 0)
		canon[0] = '\0';
	root->dir = canon;
	root->fd = fd;
	return 0;
fail:
	free(canon);
	return r;
}

void vp_root_close(struct vp_root *root)
{
	if (root->fd >= 0)
		close(root->fd);
	free(root->dir);
	root->dir = NULL;
	root->fd = -1;
}

char *vp_root_path(const struct vp_root *root, const char *path)
{
	while (*path == '/')
		path++;
	return vp_strdup_printf("%s/%s", root->dir, path);
}

/* openat2(RESOLVE_IN_ROOT) where the kernel has it (5.6+), else a plain open. */
int vp_root_openat(const struct vp_root *root, const char *path, int flags)
{
	static int have_openat2 = -1;
	struct open_how how = {.flags = (unsigned long long)flags | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	const char *rel = path;
	int fd;

	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	if (have_openat2 != 0) {
		/*
		 * EAGAIN: a rename anywhere on the system raced with a ".."
		 * of the lookup (fixture roots are full of them); the kernel
		 * asks the caller to retry.
		 */
		for (int tries = 0; tries < 16; tries++) {
			fd = (int)syscall(SYS_openat2, root->fd, rel, &how, sizeof(how));
			if (fd >= 0 || errno != EAGAIN)
				break;
		}
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) {
			have_openat2 = 1;
			return fd < 0 ? -errno : fd;
		}
		have_openat2 = 0;
	}
	fd = openat(root->fd, rel, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* "a named pipe" for a FIFO, and so on: what stands where a file belongs. */
static const char *file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a named pipe";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	default: return "not a file";
	}
}

/*
 * The one whole-file reader. O_NONBLOCK and the type check come first: a
 * FIFO (or a device) planted where a file belongs is refused at once,
 * never read (a read of a FIFO blocks until a writer comes).
 */
static int read_whole(const struct vp_root *root, const char *path, char **ret,
		      size_t *ret_len, struct stat *ret_st, char **ret_msg)
{
	struct vp_buf b = {0};
	struct stat st;
	char chunk[8192];
	int fd, r;

	fd = vp_root_openat(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r = vp_fail(ret_msg, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
			    "'%s': not a regular file (%s); not reading it", path,
			    file_type_name(st.st_mode));
		goto fail;
	}
	r = vp_buf_puts(&b, "");
	while (r >= 0) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		r = vp_buf_add(&b, chunk, (size_t)n);
	}
	if (r < 0)
		goto fail;
	close(fd);
	if (ret_len)
		*ret_len = b.len;
	if (ret_st)
		*ret_st = st;
	*ret = vp_buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
fail:
	close(fd);
	vp_buf_free(&b);
	return r;
}

int vp_root_read(const struct vp_root *root, const char *path, char **ret, size_t *ret_len)
{
	return read_whole(root, path, ret, ret_len, NULL, NULL);
}

int vp_root_read_text(const struct vp_root *root, const char *path, char **ret,
		      size_t *ret_len, struct stat *ret_st, char **ret_msg)
{
	char *text = NULL;
	const char *nul;
	size_t len = 0;
	int r;

	r = read_whole(root, path, &text, &len, ret_st, ret_msg);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", path, strerror(-r));
	/*
	 * Every parser and planner treats the content as a C string: a NUL
	 * would cut the file there, and the rest would be lost on the write.
	 */
	nul = memchr(text, '\0', len);
	if (nul) {
		size_t off = (size_t)(nul - text);

		free(text);
		return vp_fail(ret_msg, -EINVAL,
			       "'%s': byte offset %zu: NUL byte in a text file; not editing it",
			       path, off);
	}
	*ret = text;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int vp_root_check_regular(const struct vp_root *root, const char *path, char **ret_msg)
{
	struct stat st;
	int fd, r = 0;

	fd = vp_root_openat(root, path, O_PATH);
	if (fd < 0)
		return fd == -ENOENT ? 0 : vp_fail(ret_msg, fd, "'%s': %s", path, strerror(-fd));
	if (fstat(fd, &st) < 0)
		r = vp_fail(ret_msg, -errno, "'%s': %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		r = vp_fail(ret_msg, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
			    "'%s': not a regular file (%s); not reading it", path,
			    file_type_name(st.st_mode));
	close(fd);
	return r;
}

int vp_root_read_line(const struct vp_root *root, const char *path, char **ret)
{
	char *s = NULL, *nl;
	int r;

	r = vp_root_read(root, path, &s, NULL);
	if (r < 0)
		return r;
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	*ret = s;
	return 0;
}

bool vp_root_exists(const struct vp_root *root, const char *path)
{
	int fd = vp_root_openat(root, path, O_PATH);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int vp_root_readlink(const struct vp_root *root, const char *path, char **ret)
{
	char buf[PATH_MAX];
	const char *rel = path;
	ssize_t n;

	while (*rel == '/')
		rel++;
	n = readlinkat(root->fd, rel, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

int vp_root_opendir(const struct vp_root *root, const char *path, DIR **ret)
{
	DIR *d;
	int fd, r;

	fd = vp_root_openat(root, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	*ret = d;
	return 0;
}
