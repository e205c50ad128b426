/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The early program's struct vpe_io on a --root tree: the runtime
 * `hugepages` verbs and the libvirt hook share early/reserve.c's logic, and
 * every sysfs and procfs path it reads or writes goes through the root's
 * resolver (root.h) instead of being glued onto the root as a string, so a
 * link in the tree cannot send a write to the host. Pass "" as the root to
 * the vpe_* and vp_hp_* functions.
 */
#pragma once

#include "vpe.h"
#include "root.h"

/*
 * The io and what it says: a file it cannot open through the resolver, or
 * one that is not a regular file, gets a message naming it. say (the
 * verb's printer) takes each one; without say the last one is kept in msg.
 * The early code's own messages go to stderr (vpe_io_sys's log).
 */
struct vp_root_io {
	struct vpe_io io;               /* pass &x.io; its ctx is this struct */
	const struct vp_root *root;
	void (*say)(const char *msg);
	char *msg;
};

/* Fills *ret for root; ret must stay where it is while the io is used. */
void vp_root_io(struct vp_root_io *ret, const struct vp_root *root, void (*say)(const char *msg));
void vp_root_io_free(struct vp_root_io *x);
