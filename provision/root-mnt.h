/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A mount table under the root (/proc/self/mountinfo, /proc/mounts,
 * /proc/swaps) parsed by libmount, which tells the formats apart by their
 * first line. The text is read through the root's resolver and handed to
 * libmount as a stream, so libmount never opens a path of the root itself.
 */
#pragma once

#include <libmount.h>

#include "root.h"

/* -ENOENT when absent; a line libmount cannot parse is an error naming it. */
_must_check_ int vp_root_mnt_table(const struct vp_root *root, const char *path,
				   struct libmnt_table **ret, char **ret_msg);
