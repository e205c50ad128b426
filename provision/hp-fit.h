/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How many 1 GiB pages fit on this machine: MemTotal less host_min (the
 * early program's cap, vpe_cap_pages), and on a configured NUMA node no
 * more than that node's memory. Pure.
 */
#pragma once

#include "config.h"
#include "plan.h"
#include "system.h"

#define VP_HP_FIT_UNKNOWN (~0UL)        /* memory not probed: no limit known */
/*
 * The least host_min apply takes without --force: below it a desktop's
 * initramfs, systemd and a display server may not fit beside the pages.
 */
#define VP_HOST_MIN_FLOOR_MIB 1024UL

/*
 * The node the pages belong on: [hugepages] node, else the first selected
 * GPU's (auto), else -1 (any). early.conf and the command line both use it.
 */
int vp_hp_node(const struct vp_config *cfg, const struct vp_system *sys,
	       const struct vp_selection *sel);

/* Pages that fit on node (or the machine for node < 0); VP_HP_FIT_UNKNOWN. */
unsigned long vp_hp_fit(const struct vp_system *sys, unsigned long host_min_mib, int node);

/*
 * The count the boot keeps: min(cfg->hp_count, fit on node, vp_hp_node's
 * answer or -1). With ret_fit (may be NULL) the fit itself.
 */
unsigned long vp_hp_boot_count(const struct vp_config *cfg, const struct vp_system *sys,
			       int node, unsigned long *ret_fit);

/*
 * Adds the one WARN to the plan when [hugepages] count does not fit, saying
 * how many the boot will keep and why (MemTotal, host_min, the node's memory).
 */
int vp_hp_fit_warn(const struct vp_config *cfg, const struct vp_system *sys, int node,
		   struct vp_plan *plan);

/* "page" or "pages" for n. */
const char *vp_pages(unsigned long n);
