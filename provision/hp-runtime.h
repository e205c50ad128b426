/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * On-demand 1 GiB pages: `hugepages reserve|release`. Built on the early
 * program's reservation (early/reserve.c), through the same injectable
 * struct vpe_io, so tests can play the kernel.
 */
#pragma once

#include <stdbool.h>

#include "vpe.h"

struct vp_hp_request {
	unsigned long pages;            /* free 1 GiB pages wanted */
	int node;                       /* -1: the global pool */
	unsigned long host_min_mib;
	unsigned long timeout_ms;       /* 0: no limit beyond "while progress" */
	bool drop_caches;               /* sync and drop clean caches before the first round */
};

struct vp_hp_outcome {
	unsigned long nr_before, free_before;
	unsigned long target;           /* pool size aimed at (nr_before + missing) */
	unsigned long got;              /* pool size now */
	unsigned long free_now;         /* free pages now (the VM's share) */
	unsigned long cap;
	unsigned rounds;                /* calls of vpe_reserve */
	bool dropped_caches;
	bool timed_out;
	enum vpe_short why;             /* VPE_SHORT_NONE when the request is met */
	int err;
	unsigned long ms;
};

typedef void (*vp_hp_progress_fn)(void *userdata, const struct vp_hp_outcome *o);

/*
 * Makes sure `pages` 1 GiB pages are free in the pool: syncs, drops clean
 * caches when asked, compacts, then grows the pool by what is missing and
 * retries (compacting) while a round gains pages (like hugeadm --hard),
 * until the timeout. Returns 0 with the outcome (short or not) or a
 * negative errno.
 */
int vp_hp_reserve(const struct vpe_io *io, const char *root, const struct vp_hp_request *req,
		  vp_hp_progress_fn progress, void *userdata, struct vp_hp_outcome *ret);

struct vp_hp_released {
	unsigned long nr_before, free_before;
	unsigned long released;
	unsigned long in_use;           /* pages that stay: mapped by someone */
	unsigned long nr_after;
};

/* Gives back up to `pages` free pages (ULONG_MAX: all free ones). */
int vp_hp_release(const struct vpe_io *io, const char *root, int node, unsigned long pages,
		  struct vp_hp_released *ret);

/* Reads nr_hugepages and free_hugepages of the global pool or a node's. */
int vp_hp_read_pool(const struct vpe_io *io, const char *root, int node, unsigned long *ret_nr,
		    unsigned long *ret_free);
