// SPDX-License-Identifier: GPL-2.0-or-later
/* The one directory iterator (see dir-iter.h). */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dir-iter.h"

/* Reads every name first: readdir order is arbitrary, and fn may unlink. */
static int each(DIR *d, vp_dir_fn fn, void *userdata)
{
	struct vp_strv names = {0};
	int r = 0;

	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = vp_strv_push(&names, de->d_name);
		if (r < 0)
			break;
	}
	if (r >= 0)
		vp_strv_sort(&names);
	for (size_t i = 0; i < names.n && r == 0; i++)
		r = fn(dirfd(d), names.v[i], userdata);
	vp_strv_free(&names);
	closedir(d);
	return r;
}

int vp_dir_fd_each(int fd, vp_dir_fn fn, void *userdata)
{
	DIR *d = fdopendir(fd);

	if (!d) {
		int r = -errno;

		close(fd);
		return r;
	}
	return each(d, fn, userdata);
}

int vp_dir_each(const struct vp_root *root, const char *dir, vp_dir_fn fn, void *userdata,
		char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	DIR *d;
	int r;

	r = vp_root_opendir(root, dir, &d, &msg);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return msg ? vp_fail(ret_msg, r, "%s", msg)
			   : vp_fail(ret_msg, r, "'%s': %s", dir, strerror(-r));
	r = each(d, fn, userdata);
	/* readdir failed (fn's own errors come with fn's message, if any) */
	if (r < 0 && ret_msg && !*ret_msg && r != -ENOMEM)
		return vp_fail(ret_msg, r, "'%s': %s", dir, strerror(-r));
	return r;
}
