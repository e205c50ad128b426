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

/* Fills *ret for root; the io keeps a pointer to root. Logs to stderr. */
void vp_root_io(const struct vp_root *root, struct vpe_io *ret);
