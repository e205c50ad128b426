/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's uevents, as udev hears them: a NETLINK_KOBJECT_UEVENT socket
 * bound to the kernel's multicast group. `gpu detach|reattach` opens one
 * before its first write to sysfs and then waits on it for the device's
 * unbind, bind, remove and add events, never in a sleep loop. Only
 * messages whose sender is the kernel (netlink port 0) count. An event is
 * only a reason to look at sysfs (under the root) again, so under a --root
 * tree the events of this machine's kernel do no harm; the fixture tests'
 * kernel (tests/shim/fakepci.c) puts its own on this socket.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vp.h"

struct vp_uevent {
	char action[16];        /* "unbind", "bind", "add", "remove", ... */
	char devpath[512];      /* "/devices/pci0000:00/0000:00:05.0" */
	char subsystem[32];     /* "pci", "" when absent */
	char driver[64];        /* DRIVER= (bind events), "" when absent */
};

/*
 * Parses one message of the kernel's format: "ACTION@DEVPATH" then
 * NUL-separated KEY=VALUE pairs. -EINVAL for anything else (udev's own
 * "libudev" messages included) or a field too long for struct vp_uevent.
 */
int vp_uevent_parse(const char *buf, size_t len, struct vp_uevent *ret);

struct vp_uevent_mon {
	int fd;
};

/* Opens and binds the socket (non-blocking); -errno with *ret_msg. */
int vp_uevent_open(struct vp_uevent_mon *m, char **ret_msg);
void vp_uevent_close(struct vp_uevent_mon *m);

/*
 * The next kernel event, waiting until the CLOCK_MONOTONIC deadline in
 * milliseconds (vp_uevent_now_ms() + timeout; 0 means do not wait).
 * 0 with *ret filled, -ETIMEDOUT, -ENOBUFS (events were lost: look at
 * sysfs again), or another -errno.
 */
int vp_uevent_next(struct vp_uevent_mon *m, unsigned long long deadline_ms,
		   struct vp_uevent *ret);
unsigned long long vp_uevent_now_ms(void);
