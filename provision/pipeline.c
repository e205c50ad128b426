// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "pipeline.h"
#include "probe.h"

/*
 * The probe reads no pci.ids (most of a check's CPU time); the only
 * sentences that name devices are the selection's reasons, so when there
 * are any, look the names up and select again (pure, cheap) to word them.
 */
static int name_devices(const struct vp_ctx *ctx, struct vp_pipeline *p, char **ret_msg)
{
	int r;

	if (p->sel.reasons.n == 0)
		return 0;
	r = vp_probe_pci_names(&ctx->root, &p->sys, ret_msg);
	if (r < 0)
		return r;
	vp_selection_free(&p->sel);
	return vp_select(&p->cfg, &p->sys, &p->sel, ret_msg);
}

int vp_pipeline_run(const struct vp_ctx *ctx, struct vp_pipeline *p, char **ret_msg)
{
	struct vp_probe_opts opts = {.kver = ctx->kver};
	int r;

	memset(p, 0, sizeof(*p));
	vp_config_init(&p->cfg);
	r = vp_config_load(&p->cfg, &ctx->root, ctx->config, ret_msg);
	if (r < 0)
		return r;
	r = vp_probe(&ctx->root, &opts, &p->sys, ret_msg);
	if (r < 0)
		return r;
	r = vp_select(&p->cfg, &p->sys, &p->sel, ret_msg);
	if (r < 0)
		return r;
	r = name_devices(ctx, p, ret_msg);
	if (r < 0)
		return r;
	r = vp_probe_drivers(&ctx->root, &p->sys, p->sel.fns, p->sel.n_fns, ret_msg);
	if (r < 0)
		return r;
	/* the planners start from the files as they would be without us */
	r = vp_ledger_load(&ctx->root, &p->ledger, ret_msg);
	if (r >= 0)
		r = vp_owner_bases(&ctx->root, &p->ledger, false, false, &p->bases, ret_msg);
	if (r >= 0)
		r = vp_owner_substitute(&p->sys, &p->bases);
	if (r < 0)
		return r;
	r = vp_plan_build(&p->cfg, &p->sys, &p->sel, &p->plan, ret_msg);
	if (r >= 0)
		r = vp_owner_reconcile(&p->cfg, &p->sys, &p->ledger, &p->bases, &p->plan);
	if (r < 0)
		return r;
	return vp_changes_compute(&ctx->root, &p->plan, &p->ledger, &p->changes, ret_msg);
}

void vp_pipeline_free(struct vp_pipeline *p)
{
	vp_changes_free(&p->changes);
	vp_plan_free(&p->plan);
	vp_bases_free(&p->bases);
	vp_ledger_free(&p->ledger);
	vp_selection_free(&p->sel);
	vp_system_free(&p->sys);
	vp_config_free(&p->cfg);
}

bool vp_pipeline_refused(const struct vp_pipeline *p)
{
	return p->sel.blocking != VP_VERDICT_OK || p->plan.refused;
}

int vp_pipeline_judge_now(const struct vp_pipeline *p, struct vp_effect_report *ret)
{
	struct vp_plan now = {0};
	int r = 0;

	/* every owned file is in the plan, so the rest of sys->files is as it is */
	for (size_t i = 0; i < p->changes.n && r >= 0; i++) {
		const struct vp_change *c = &p->changes.v[i];
		char *content = c->old ? strndup(c->old, c->old_len) : NULL;

		if (c->old && !content)
			r = -ENOMEM;
		else
			r = vp_plan_add_file(&now, c->file->path, content, 0644, false, "now");
	}
	if (r >= 0)
		r = vp_effect_judge(&p->cfg, &p->sys, &p->sel, &p->plan, &now, ret);
	vp_plan_free(&now);
	return r;
}
