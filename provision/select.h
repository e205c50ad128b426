/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure: which functions to pass through, and whether that is safe. */
#pragma once

#include "config.h"
#include "system.h"

enum vp_verdict {
	VP_VERDICT_OK = 0,
	VP_VERDICT_NOT_ISOLATED,
	VP_VERDICT_IDENTICAL_IDS,
	VP_VERDICT_BOOT_VGA,
	VP_VERDICT_NO_IOMMU,
	VP_VERDICT_NO_GPU,
};
const char *vp_verdict_name(enum vp_verdict v); /* "ok", "not-isolated", ... */

struct vp_selection {
	struct vp_strv targets;   /* addresses of the selected GPUs */
	size_t *fns;              /* indices into sys->fns, sorted by address */
	size_t n_fns;
	struct vp_strv ids;       /* unique lower-case "vvvv:dddd", in address order */
	enum vp_verdict verdict;  /* the most serious one found */
	/*
	 * The most serious verdict apply must refuse for: identical-ids does
	 * not count when the devices are bound by address (strategy override).
	 */
	enum vp_verdict blocking;
	struct vp_strv reasons;   /* human sentences naming devices */
	enum vp_strategy strategy;/* resolved: never AUTO */
	bool ids_conflict;        /* ids= would also take a device we leave alone */
};

/*
 * The one rule for the binding strategy: the configured one, else ids=
 * unless that would take a device we leave alone (then by address).
 */
enum vp_strategy vp_strategy_resolve(enum vp_strategy want, bool ids_conflict);

/*
 * The strategy every planner uses: the selection's (vp_select resolves it),
 * else the same rule on the config and the selection (a selection built
 * without vp_select). Never AUTO.
 */
enum vp_strategy vp_selection_strategy(const struct vp_config *cfg,
				       const struct vp_selection *sel);

/*
 * Never fails on a verdict (that is data); returns a negative errno only for
 * a config entry that names nothing sensible (with *ret_msg) or -ENOMEM.
 */
int vp_select(const struct vp_config *cfg, const struct vp_system *sys,
	      struct vp_selection *ret, char **ret_msg);
void vp_selection_free(struct vp_selection *sel);
