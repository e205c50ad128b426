/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guard for a block device given to a guest: is the device, a partition of
 * it, or a device stacked on them (LVM, dm-crypt: sysfs holders) mounted
 * read-write or in use as swap on the host? Everything is read under the
 * root: sysfs for partitions and holders, the mount table with libmount
 * (<root>/proc/self/mountinfo, <root>/proc/swaps), never by hand.
 */
#pragma once

#include "root.h"
#include "vp.h"

/*
 * For each path in disks (a <disk type='block'> source: /dev/sdb, /dev/sdb1,
 * /dev/disk/by-id/..., resolved inside the root), appends to ret_busy one
 * sentence per read-write mount or swap that uses it:
 *   "'/dev/disk/by-id/ata-X' (/dev/sdb): /dev/sdb1 is mounted read-write on /mnt/data;
 *    unmount it (or mount it read-only)"
 * (for swap: "...: /dev/sdb2 is in use as swap; turn it off (swapoff /dev/sdb2)")
 * and to ret_notes one per path that could not be checked (not found).
 * Devices are compared by device number (st_rdev of a device node, or the
 * sysfs dev attribute), else by canonical path. Returns 0 (check ret_busy),
 * or a negative errno with *ret_msg naming the file and line (a mount table
 * that cannot be read or parsed).
 */
int vp_disk_guard(const struct vp_root *root, const struct vp_strv *disks,
		  struct vp_strv *ret_busy, struct vp_strv *ret_notes, char **ret_msg);
