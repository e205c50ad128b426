// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The early program's I/O: real files behind struct vpe_io, paths under
 * the root, the log, and the sysfs and proc values every job reads. The
 * bottom of early/: it calls no other file of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vpe.h"

int vpe_read_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return -EINVAL;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (int)len;
}

int vpe_write_fd(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	/* One write: sysfs attributes take the whole value at once. */
	do
		n = write(fd, s, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int vpe_link_name(const char *target, char *buf, size_t size)
{
	const char *name = strrchr(target, '/');

	name = name ? name + 1 : target;
	if (strlen(name) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, name);
	return (int)strlen(buf);
}

static int sys_read(void *ctx, const char *path, char *buf, size_t size)
{
	int fd, r;

	(void)ctx;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = vpe_read_fd(fd, buf, size);
	close(fd);
	return r;
}

static int sys_write(void *ctx, const char *path, const char *s)
{
	int fd, r;

	(void)ctx;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = vpe_write_fd(fd, s);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int sys_readlink_name(void *ctx, const char *path, char *buf, size_t size)
{
	char target[512];
	ssize_t n;

	(void)ctx;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return vpe_link_name(target, buf, size);
}

static void sys_log(void *ctx, enum vpe_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, "%s\n", msg);
}

static unsigned long sys_now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (unsigned long)ts.tv_sec * 1000UL + (unsigned long)ts.tv_nsec / 1000000UL;
}

static void sys_sync(void *ctx)
{
	(void)ctx;
	sync();
}

const struct vpe_io vpe_io_sys = {
	.read = sys_read,
	.write = sys_write,
	.readlink_name = sys_readlink_name,
	.log = sys_log,
	.now_ms = sys_now_ms,
	.sync = sys_sync,
};

int vpe_path(char *buf, size_t size, const char *root, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	/* "/" and "" both mean the real root: avoid "//sys". */
	if (!root || (root[0] == '/' && root[1] == '\0'))
		root = "";
	n = snprintf(buf, size, "%s", root);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= size - (size_t)n)
		return -ENAMETOOLONG;
	return 0;
}

void vpe_log(const struct vpe_io *io, enum vpe_level level, const char *fmt, ...)
{
	char msg[VPE_MSG_MAX];
	va_list ap;
	int n;

	if (!io->log)
		return;
	n = snprintf(msg, sizeof(msg), "vfio-provision: ");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	io->log(io->ctx, level, msg);
}

int vpe_read_ulong(const struct vpe_io *io, const char *path, unsigned long *ret)
{
	char buf[64];
	int r;

	r = io->read(io->ctx, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	return vpe_parse_ulong(buf, ret);
}

int vpe_read_global_pool(const struct vpe_io *io, const char *root, char *path, size_t size,
			 unsigned long *ret)
{
	int r = vpe_path(path, size, root, VPE_GLOBAL_POOL);

	return r < 0 ? r : vpe_read_ulong(io, path, ret);
}

int vpe_read_memtotal(const struct vpe_io *io, const char *root, unsigned long long *ret)
{
	char path[512], buf[4096];
	const char *p;
	unsigned long long v = 0;
	int r;

	r = vpe_path(path, sizeof(path), root, "/proc/meminfo");
	if (r < 0)
		return r;
	r = io->read(io->ctx, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	p = strstr(buf, "MemTotal:");
	if (!p)
		return -EINVAL;
	p += 9;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned long long)(*p - '0');
	*ret = v;
	return 0;
}

unsigned long vpe_elapsed(const struct vpe_io *io, unsigned long t0)
{
	return io->now_ms ? io->now_ms(io->ctx) - t0 : 0;
}
