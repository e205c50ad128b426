// SPDX-License-Identifier: GPL-2.0-or-later
/* The one directory iterator (see dir-iter.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dir-iter.h"

/* Big enough for a directory of 1,000 devices in two calls, as readdir's. */
#define DENTS_BUF 32768

/*
 * Every name in the directory open at fd (taken: closed in every case),
 * sorted, then fn for each: readdir order is arbitrary, and fn may unlink.
 * The entries are read with getdents64() straight from the descriptor we
 * opened: fdopendir()'s fstat and two fcntl calls were a third of what
 * listing a small directory (an IOMMU group's) cost.
 */
static int each(int fd, vp_dir_fn fn, void *userdata)
{
	_cleanup_free_ char *buf = malloc(DENTS_BUF);
	struct vp_strv names = {0};
	int r = 0;

	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = getdents64(fd, buf, DENTS_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		for (ssize_t off = 0; off < n && r >= 0;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				r = vp_strv_push(&names, de->d_name);
		}
		if (r < 0)
			break;
	}
	if (r >= 0)
		vp_strv_sort(&names);
	for (size_t i = 0; i < names.n && r == 0; i++)
		r = fn(fd, names.v[i], userdata);
out:
	vp_strv_free(&names);
	close(fd);
	return r;
}

int vp_dir_fd_each(int fd, vp_dir_fn fn, void *userdata)
{
	return each(fd, fn, userdata);
}

int vp_dir_each(const struct vp_root *root, const char *dir, vp_dir_fn fn, void *userdata,
		char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	int fd, r;

	fd = vp_root_open_path(root, dir, O_RDONLY | O_DIRECTORY, &msg);
	if (fd == -ENOENT)
		return fd;
	if (fd < 0)
		return msg ? vp_fail(ret_msg, fd, "%s", msg)
			   : vp_fail(ret_msg, fd, "'%s': %s", dir, strerror(-fd));
	r = each(fd, fn, userdata);
	/* getdents64 failed (fn's own errors come with fn's message, if any) */
	if (r < 0 && ret_msg && !*ret_msg && r != -ENOMEM)
		return vp_fail(ret_msg, r, "'%s': %s", dir, strerror(-r));
	return r;
}

struct list {
	const char *dir;
	bool (*want)(const char *name);
	struct vp_strv *ret;
};

static int list_one(int dfd, const char *name, void *userdata)
{
	struct list *l = userdata;

	(void)dfd;
	if (!l->want(name))
		return 0;
	return vp_strv_push_take(l->ret, vp_strdup_printf("%s/%s", strcmp(l->dir, "/") ? l->dir : "",
							  name));
}

int vp_root_list(const struct vp_root *root, const char *dir, bool (*want)(const char *name),
		 struct vp_strv *ret, char **ret_msg)
{
	struct list l = {.dir = dir, .want = want, .ret = ret};
	_cleanup_free_ char *msg = NULL;
	int fd, r;

	fd = vp_root_open_path(root, dir, O_RDONLY | O_DIRECTORY, &msg);
	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return vp_fail(ret_msg, fd, "%s", msg ? msg : strerror(-fd));
	r = each(fd, list_one, &l);
	if (r < 0)
		return r;
	/* what earlier calls appended too: the whole list in order */
	vp_strv_sort(ret);
	return 0;
}
