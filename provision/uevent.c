// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's uevents over netlink. See uevent.h. */
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uevent.h"

static int copy_field(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		return -EINVAL;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int vp_uevent_parse(const char *buf, size_t len, struct vp_uevent *ret)
{
	const char *end = buf + len, *p, *at, *nul;
	struct vp_uevent e = {0};

	nul = memchr(buf, '\0', len);
	if (!nul)
		return -EINVAL;
	/* the header: ACTION@DEVPATH; udev's messages start with "libudev" */
	at = memchr(buf, '@', (size_t)(nul - buf));
	if (!at || at == buf || at[1] != '/')
		return -EINVAL;
	if (copy_field(e.action, sizeof(e.action), buf, (size_t)(at - buf)) < 0 ||
	    copy_field(e.devpath, sizeof(e.devpath), at + 1, (size_t)(nul - at - 1)) < 0)
		return -EINVAL;
	for (p = nul + 1; p < end; p = nul + 1) {
		size_t n;

		nul = memchr(p, '\0', (size_t)(end - p));
		n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		if (!nul)
			nul = end;
		if (n > 10 && memcmp(p, "SUBSYSTEM=", 10) == 0) {
			if (copy_field(e.subsystem, sizeof(e.subsystem), p + 10, n - 10) < 0)
				return -EINVAL;
		} else if (n > 7 && memcmp(p, "DRIVER=", 7) == 0) {
			if (copy_field(e.driver, sizeof(e.driver), p + 7, n - 7) < 0)
				return -EINVAL;
		}
	}
	*ret = e;
	return 0;
}

int vp_uevent_open(struct vp_uevent_mon *m, char **ret_msg)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = 1};
	int size = 1 << 20;

	m->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_KOBJECT_UEVENT);
	if (m->fd < 0)
		return vp_fail(ret_msg, -errno, "cannot listen to the kernel's uevents: %s",
			       strerror(errno));
	/* a burst of events (a rescan) must not overflow the default buffer */
	if (setsockopt(m->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(m->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		close(m->fd);
		m->fd = -1;
		return vp_fail(ret_msg, -e, "cannot listen to the kernel's uevents: %s",
			       strerror(e));
	}
	return 0;
}

void vp_uevent_close(struct vp_uevent_mon *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

unsigned long long vp_uevent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000ULL + (unsigned long long)ts.tv_nsec / 1000000ULL;
}

int vp_uevent_next(struct vp_uevent_mon *m, unsigned long long deadline_ms,
		   struct vp_uevent *ret)
{
	char buf[8192];

	for (;;) {
		struct sockaddr_nl from = {0};
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from),
				    .msg_iov = &iov, .msg_iovlen = 1};
		struct pollfd pfd = {.fd = m->fd, .events = POLLIN};
		unsigned long long now;
		ssize_t n;
		int r;

		n = recvmsg(m->fd, &mh, MSG_DONTWAIT);
		if (n >= 0) {
			/* only the kernel sends from port 0; a truncated message is dropped */
			if (mh.msg_namelen < sizeof(from) || from.nl_family != AF_NETLINK ||
			    from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
				continue;
			if (vp_uevent_parse(buf, (size_t)n, ret) == 0)
				return 0;
			continue;
		}
		if (errno == EINTR)
			continue;
		/* ENOBUFS (events were lost) too: the caller reads sysfs again */
		if (errno != EAGAIN)
			return -errno;
		now = vp_uevent_now_ms();
		if (now >= deadline_ms)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)(deadline_ms - now > 60000 ? 60000 : deadline_ms - now));
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}
