// SPDX-License-Identifier: GPL-2.0-or-later
/* check (--check): 0 when the root matches the config, 1 when changes are pending. */
#include <errno.h>
#include <string.h>

#include "cmd-util.h"
#include "config.h"
#include "json-plan.h"
#include "ledger.h"

/*
 * From a package or kernel hook (--post-install): the plan must hold for
 * every installed kernel, the new one included (--kver names it, to warn
 * about it, not to narrow the plan). Applies only with [apply] on_upgrade =
 * yes, and never fails: a failed hook would break the package transaction.
 */
static int post_install(struct vp_ctx *ctx)
{
	const char *kver = ctx->kver;
	struct vp_pipeline p;
	int r;

	/* nothing configured and nothing of ours here (an image build): nothing to say */
	if (!vp_config_present(&ctx->root, ctx->config) && !vp_ledger_present(&ctx->root))
		return VP_EXIT_OK;
	ctx->kver = NULL;
	r = vp_cmd_pipeline(ctx, &p);
	if (r) {
		vp_pipeline_free(&p);
		vp_warn("the configuration cannot be planned for the installed kernels (see above); "
			"GPU passthrough may not work on the next boot: run `vfio-provision plan`");
		return VP_EXIT_OK;
	}
	if (kver) {
		const struct vp_kernel *k = vp_system_kernel(&p.sys, kver);

		if (!k)
			vp_warn("kernel %s is not under /lib/modules", kver);
		else if (k->mods[VP_MOD_VFIO_PCI] == VP_MOD_MISSING)
			vp_warn("!!! kernel %s has no vfio_pci: GPU passthrough will NOT work when "
				"booting it !!!", kver);
	}
	if (p.changes.n_pending == 0) {
		if (vp_log_level >= 1)
			printf("vfio-provision: up to date\n");
		goto out;
	}
	if (!p.cfg.on_upgrade) {
		vp_print_pending(&p.changes, "vfio-provision: pending: ", stdout);
		printf("vfio-provision: run `vfio-provision plan` and `vfio-provision apply` "
		       "(or set [apply] on_upgrade = yes to apply on upgrades)\n");
		goto out;
	}
	if (vp_pipeline_refused(&p)) {
		vp_warn("not applying on upgrade: the plan is refused; run `vfio-provision plan`");
		goto out;
	}
	vp_pipeline_free(&p);
	if (vp_cmd_apply(ctx) != VP_EXIT_OK)
		vp_warn("applying on upgrade failed (see above); run `vfio-provision apply` by hand");
	return VP_EXIT_OK;
out:
	vp_pipeline_free(&p);
	return VP_EXIT_OK;
}

int vp_cmd_check(struct vp_ctx *ctx)
{
	struct vp_effect_report now = {0};
	struct vp_pipeline p;
	bool refused;
	int ret, r;

	if (ctx->post_install && ctx->json) {
		vp_err("check --post-install: --json is not supported (it is for package hooks)");
		return VP_EXIT_ERROR;
	}
	if (ctx->post_install)
		return post_install(ctx);
	ret = vp_cmd_pipeline(ctx, &p);
	if (ret)
		goto out;
	refused = vp_pipeline_refused(&p);
	/* what the next boot would give the kernel with the files as they are */
	r = vp_pipeline_judge_now(&p, &now);
	if (r < 0) {
		vp_err("check: %s", strerror(-r));
		ret = VP_EXIT_ERROR;
		goto out;
	}
	if (ctx->json) {
		struct vp_buf doc = {0};
		char *msg = NULL;

		r = vp_json_pipeline(ctx, "check", &p, NULL, NULL, &doc, &msg);
		ret = vp_cmd_json_out(ctx, r, &doc, msg);
		if (ret)
			goto out;
	} else if (vp_log_level >= 1) {
		vp_print_pending(&p.changes, "pending: ", stdout);
		for (size_t i = 0; i < now.errors.n; i++)
			vp_fprintf_human(stdout, "pending: the next boot: %s\n", now.errors.v[i]);
		vp_print_verdict(&p.sel, stdout);
		for (size_t i = 0; i < p.plan.n_msgs; i++)
			if (p.plan.msgs[i].level != VP_MSG_INFO)
				vp_fprintf_human(stdout, "%s: %s\n", p.plan.msgs[i].level == VP_MSG_REFUSE
						 ? "refused" : "warning", p.plan.msgs[i].text);
		if (!p.changes.n_pending && !refused && !now.errors.n)
			printf("up to date\n");
	}
	ret = p.changes.n_pending || refused || now.errors.n ? VP_EXIT_PENDING : VP_EXIT_OK;
out:
	vp_effect_report_free(&now);
	vp_pipeline_free(&p);
	return ret;
}
