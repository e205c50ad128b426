// SPDX-License-Identifier: GPL-2.0-or-later
/* struct vpe_io through the root's resolver. See root-io.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "root-io.h"
#include "vp.h"

/*
 * Opens through the resolver; a link leaving the root is said, naming it,
 * and so is anything but a regular file (sysfs and procfs attributes are
 * regular files): a named pipe would read as empty and refuse a write, and
 * leave only "Invalid argument" to say so.
 */
static void tell(struct vp_root_io *x, char *msg_take)
{
	if (!msg_take)
		return;
	if (x->say) {
		x->say(msg_take);
		free(msg_take);
		return;
	}
	free(x->msg);
	x->msg = msg_take;
}

static int open_in_root(struct vp_root_io *x, const char *path, int flags)
{
	char *msg = NULL;
	struct stat st;
	int fd;

	/* a message kept is about the last open only */
	free(x->msg);
	x->msg = NULL;
	fd = vp_root_open_path(x->root, path, flags, &msg);
	tell(x, msg);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		tell(x, vp_strdup_printf("'%s': not a regular file (%s); not %s it", path,
					 vp_file_type_name(st.st_mode),
					 (flags & O_ACCMODE) == O_RDONLY ? "reading" : "writing"));
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static int io_read(void *ctx, const char *path, char *buf, size_t size)
{
	int fd, r;

	/* O_NONBLOCK: a named pipe planted in the tree must not hang us */
	fd = open_in_root(ctx, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	r = vpe_read_fd(fd, buf, size);
	close(fd);
	return r;
}

static int io_write(void *ctx, const char *path, const char *s)
{
	int fd, r;

	/* never O_CREAT: sysfs and procfs attributes exist or are not there */
	fd = open_in_root(ctx, path, O_WRONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	r = vpe_write_fd(fd, s);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int io_readlink_name(void *ctx, const char *path, char *buf, size_t size)
{
	_cleanup_free_ char *target = NULL;
	int r;

	r = vp_root_readlink(((struct vp_root_io *)ctx)->root, path, &target);
	return r < 0 ? r : vpe_link_name(target, buf, size);
}

void vp_root_io(struct vp_root_io *ret, const struct vp_root *root, void (*say)(const char *msg))
{
	*ret = (struct vp_root_io){.io = vpe_io_sys, .root = root, .say = say};
	ret->io.read = io_read;
	ret->io.write = io_write;
	ret->io.readlink_name = io_readlink_name;
	ret->io.ctx = ret;
}

void vp_root_io_free(struct vp_root_io *x)
{
	free(x->msg);
	x->msg = NULL;
}
