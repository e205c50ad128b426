/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `hugepages status` shows, read from the root. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "root.h"

struct vp_hp_pool_state {
	unsigned long size_kib;
	int node;                       /* -1: the global pool */
	long nr, free, resv, surplus;   /* -1 when the kernel has no such file */
};

struct vp_hp_mount {
	char *target;
	unsigned long pagesize_kib;     /* from pagesize=, else the default size */
};

/* Free memory that already sits in the largest buddy blocks, per node. */
struct vp_hp_contig {
	int node;
	unsigned max_order;             /* highest order listed (10: 4 MiB blocks) */
	unsigned long long top_kib;     /* free KiB in max-order blocks */
	unsigned long long free_kib;    /* all free KiB the buddy allocator lists */
};

struct vp_hp_status {
	struct vp_hp_pool_state *pools;
	size_t n_pools;
	struct vp_hp_mount *mounts;
	size_t n_mounts;
	struct vp_hp_contig *contig;
	size_t n_contig;
	bool buddyinfo_readable;
	unsigned long default_kib;      /* Hugepagesize: in meminfo */
	unsigned long long memtotal_kib, memfree_kib, cma_total_kib;
	char *cma_arg;                  /* hugetlb_cma= value on the cmdline, or NULL */
};

int vp_hp_status_read(const struct vp_root *root, struct vp_hp_status *ret, char **ret_msg);
void vp_hp_status_free(struct vp_hp_status *st);

/*
 * Parses /proc/buddyinfo ("Node 0, zone Normal  c0 c1 ... c10") into one
 * entry per node (zones summed). Pure; page_kib is the base page size.
 * -EINVAL for a line that is not the kernel's, -ERANGE for a count whose
 * KiB do not fit.
 */
int vp_hp_parse_buddyinfo(const char *text, unsigned long page_kib, struct vp_hp_contig **ret,
			  size_t *ret_n);
