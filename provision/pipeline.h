/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What plan, apply, check and verify share: load the config, probe the
 * root, select the functions, find their drivers, build the plan, and
 * compare it with the files under the root. No printing.
 */
#pragma once

#include "apply.h"
#include "cli.h"
#include "config.h"
#include "owner.h"
#include "plan.h"
#include "plan-effective.h"
#include "select.h"
#include "system.h"

struct vp_pipeline {
	struct vp_config cfg;
	struct vp_system sys;
	struct vp_selection sel;
	struct vp_ledger ledger;        /* what we own, as loaded */
	struct vp_bases bases;          /* each owned file without us */
	struct vp_plan plan;
	struct vp_changes changes;
};

/* On failure *ret_msg says what failed; the pipeline is freed either way by _free. */
int vp_pipeline_run(const struct vp_ctx *ctx, struct vp_pipeline *p, char **ret_msg);
void vp_pipeline_free(struct vp_pipeline *p);

/*
 * The judge (plan-effective.h) on the files as they are now: what the next
 * boot would give the kernel if nothing were applied.
 */
int vp_pipeline_judge_now(const struct vp_pipeline *p, struct vp_effect_report *ret)
	_must_check_;

/* Verdict not ok, or any REFUSE message: apply needs --force. */
bool vp_pipeline_refused(const struct vp_pipeline *p);
