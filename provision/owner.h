/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Owning our changes over time: from the ledger and the files as they are,
 * the file as if we had never been there (its base), which is what the
 * planners start from; then the plan is reconciled with what we own, so
 * that anything of ours the config no longer wants is taken out again.
 */
#pragma once

#include "ledger.h"
#include "plan.h"
#include "system.h"

struct vp_base {
	char *path;
	struct vp_bytes bytes;  /* the file without us */
	struct vp_strv kept;    /* items of ours the user changed: left as they are */
};

struct vp_bases {
	struct vp_base *v;
	size_t n;
};

void vp_bases_free(struct vp_bases *b);
const struct vp_base *vp_bases_find(const struct vp_bases *b, const char *path);

/*
 * One entry's base from the file now (pure). For a revert (revert), an
 * item of ours the user changed stays unless force; for an apply, a whole
 * file of ours that still has our header is ours to rewrite whatever it
 * holds now.
 */
_must_check_ int vp_owner_base(const struct vp_owned *o, const struct vp_bytes *cur, bool revert, bool force,
		  struct vp_bytes *ret, struct vp_strv *ret_kept);

/* Reads each owned path under the root and computes its base. */
_must_check_ int vp_owner_bases(const struct vp_root *root, const struct vp_ledger *l, bool revert,
		   bool force, struct vp_bases *ret, char **ret_msg);

/* The model sees each owned file as its base (pure). */
_must_check_ int vp_owner_substitute(struct vp_system *sys, const struct vp_bases *b);

/*
 * Every owned path the plan does not mention goes back to its base, with
 * a reason, and the regeneration commands it needs are added (pure).
 */
_must_check_ int vp_owner_reconcile(const struct vp_config *cfg, const struct vp_system *sys,
		       const struct vp_ledger *l, const struct vp_bases *b, struct vp_plan *plan);
