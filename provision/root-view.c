// SPDX-License-Identifier: GPL-2.0-or-later
/* Private copies of the root's files for libraries. See root-view.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir-iter.h"
#include "root-view.h"
#include "vp.h"

int vp_view_new(const struct vp_root *root, struct vp_view *ret, char **ret_msg)
{
	*ret = (struct vp_view){.fd = -1};
	return root->dir[0] ? vp_view_new_private(ret, ret_msg) : 0;
}

/*
 * In $TMPDIR when it is set, else in /dev/shm, else /tmp. A view is a few
 * files made and removed within one run: in memory (/dev/shm is a tmpfs on
 * every Linux system) they cost no inodes on a disk's file system, where
 * /tmp often is (ext4: a third of detect's CPU time on the example machine,
 * perf). Both are sticky and world-writable; mkdtemp makes the view 0700.
 */
int vp_view_new_private(struct vp_view *ret, char **ret_msg)
{
	const char *tmp = getenv("TMPDIR");
	size_t n = tmp && tmp[0] == '/' ? 1 : 2;
	const char *bases[] = {n == 1 ? tmp : "/dev/shm", "/tmp"};
	char *dir = NULL;
	int r = 0;

	*ret = (struct vp_view){.fd = -1};
	for (size_t i = 0; i < n; i++) {
		free(dir);
		dir = vp_strdup_printf("%s/vfio-provision.XXXXXX", bases[i]);
		if (!dir)
			return -ENOMEM;
		if (mkdtemp(dir)) {
			ret->fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (ret->fd < 0) {
				r = -errno;
				rmdir(dir);
				break;
			}
			ret->dir = dir;
			return 0;
		}
		r = -errno;
	}
	vp_fail(ret_msg, r, "cannot make a private directory for the libraries in '%s': %s", dir,
		strerror(-r));
	free(dir);
	return r;
}

static void remove_in(int fd);

static int remove_one(int dfd, const char *name, void *userdata)
{
	int sub;

	(void)userdata;
	if (unlinkat(dfd, name, 0) == 0 || errno != EISDIR)
		return 0;
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub >= 0)
		remove_in(sub);
	unlinkat(dfd, name, AT_REMOVEDIR);
	return 0;
}

/* Removes what is in directory fd (ours: files and directories, no links followed). */
static void remove_in(int fd)
{
	/* best effort: what stays is a temporary directory's leftover */
	if (vp_dir_fd_each(fd, remove_one, NULL) < 0)
		return;
}

void vp_view_free(struct vp_view *v)
{
	if (!v->dir)
		return;
	/* last made first: a directory after what is in it */
	for (size_t i = v->made.n; i > 0; i--) {
		char *name = v->made.v[i - 1];
		size_t n = strlen(name);
		bool dir = n && name[n - 1] == '/';

		if (dir)
			name[n - 1] = '\0';
		unlinkat(v->fd, name, dir ? AT_REMOVEDIR : 0);
	}
	if (rmdir(v->dir) < 0 && errno == ENOTEMPTY) {
		/* the library made something of its own: all of it goes */
		remove_in(dup(v->fd));
		rmdir(v->dir);
	}
	close(v->fd);
	vp_strv_free(&v->made);
	free(v->dir);
	*v = (struct vp_view){.fd = -1};
}

char *vp_view_path(const struct vp_root *root, const struct vp_view *v, const char *path,
		   const char *name)
{
	(void)root;
	return v->dir ? vp_strdup_printf("%s/%s", v->dir, name) : strdup(path);
}

int vp_view_mkdir(struct vp_view *v, const char *name)
{
	_cleanup_free_ char *p = NULL;
	int r = 0;

	if (!v->dir)
		return 0;
	p = vp_strdup_printf("%s/", name);
	if (!p)
		return -ENOMEM;
	for (char *s = p; r >= 0 && (s = strchr(s, '/')); s++) {
		char c = s[1];

		*s = '\0';
		if (mkdirat(v->fd, p, 0700) == 0) {
			s[0] = '/';
			s[1] = '\0';
			r = vp_strv_push(&v->made, p);
			s[1] = c;
		} else if (errno != EEXIST) {
			r = -errno;
		}
		s[0] = '/';
	}
	return r;
}

int vp_view_write(struct vp_view *v, const char *name, const char *data, size_t len,
		  char **ret_msg)
{
	size_t done = 0;
	int fd, r;

	fd = openat(v->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return vp_fail(ret_msg, -errno, "'%s/%s': %s", v->dir, name, strerror(errno));
	r = vp_strv_push(&v->made, name);
	while (r >= 0 && done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = vp_fail(ret_msg, -errno, "'%s/%s': %s", v->dir, name, strerror(errno));
		else
			done += (size_t)n;
	}
	if (close(fd) < 0 && r >= 0)
		r = vp_fail(ret_msg, -errno, "'%s/%s': %s", v->dir, name, strerror(errno));
	return r;
}

int vp_view_copy(const struct vp_root *root, struct vp_view *v, const char *path,
		 const char *name, size_t max, char **ret_msg)
{
	_cleanup_free_ char *data = NULL, *msg = NULL;
	size_t len = 0;
	int r;

	if (!v->dir)
		return 0;
	r = vp_root_read_max(root, path, max, &data, &len, NULL, &msg);
	if (r == -ENOENT || r == -EISDIR)
		return r;
	if (r < 0)
		return vp_fail(ret_msg, r, "%s", msg);
	return vp_view_write(v, name, data, len, ret_msg);
}
