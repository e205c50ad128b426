// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * revert (--revert): undo what vfio-provision owns, on the files as they
 * are now; then regenerate (--regenerate) or print the commands that make
 * it take effect, the same ones apply would run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "apply.h"
#include "cmd-util.h"
#include "fsroot.h"
#include "json-plan.h"
#include "plan-regen.h"
#include "probe.h"

struct done {
	bool initramfs, bootloader;
	bool json;
	struct vp_done record;  /* for --json */
};

static void on_revert(const char *path, enum vp_action a, void *userdata)
{
	struct done *d = userdata;

	d->initramfs |= vp_path_feeds_initramfs(path);
	d->bootloader |= vp_path_feeds_bootloader(path);
	if (d->json)
		vp_done_record_revert(path, a, &d->record);
	else if (vp_log_level >= 1)
		vp_fprintf_human(stdout, "%s %s\n", a == VP_ACT_REMOVE ? "removed" : a == VP_ACT_RMDIR ?
		       "removed directory" : "restored", path);
	fflush(stdout);
}

int vp_cmd_revert(struct vp_ctx *ctx)
{
	_cleanup_free_ char *msg = NULL;
	struct vp_strv kept = {0};
	struct vp_plan plan = {0};
	struct vp_regen regen = {0};
	struct done d = {.json = ctx->json};
	bool left;
	struct stat st;
	int r, ret = VP_EXIT_OK;

	if (ctx->dry_run)
		return vp_cmd_revert_dry_run(ctx);
	r = vp_revert(&ctx->root, ctx->force, on_revert, &d, &kept, &msg);
	for (size_t i = 0; i < kept.n; i++)
		vp_warn("%s", kept.v[i]);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		vp_err("revert stopped; the ledger is kept, run revert again once fixed");
		ret = VP_EXIT_ERROR;
		goto out;
	}
	/* the items the user changed stay ours, and the ledger with them */
	left = vp_root_stat(&ctx->root, VP_LEDGER_PATH, &st, NULL) == 0;
	if (r == 0) {
		if (vp_log_level >= 1 && !ctx->json)
			printf("%s\n", left ? "nothing to revert but the items of ours you changed "
			       "(above): `vfio-provision revert --force` takes them out"
			       : "nothing to revert");
		goto out;
	}
	if (vp_log_level >= 1 && !ctx->json)
		printf("reverted %d path%s\n", r, r == 1 ? "" : "s");
	if (left && vp_log_level >= 1 && !ctx->json)
		printf("left: the items of ours you changed (above) stay, and the ledger keeps "
		       "them: `vfio-provision revert --force` takes them out\n");
	if (!d.initramfs && !d.bootloader)
		goto out;
	r = vp_cmd_revert_commands(ctx, d.initramfs, d.bootloader, &plan);
	if (r < 0)
		ret = VP_EXIT_ERROR;
	else if (r > 0)
		ret = vp_cmd_regenerate(ctx, &plan, &regen);
	else
		vp_cmd_print_commands(ctx, &plan, "revert");
out:
	/* as apply: a rebuild that failed after the files changed still gets its document */
	if (ctx->json && (ret != VP_EXIT_ERROR || regen.last_status != 0)) {
		struct vp_buf doc = {0};
		char *jmsg = NULL;

		r = vp_json_revert(ctx, &d.record, &plan, &regen, &doc, &jmsg);
		ret = vp_cmd_json_out(ctx, r, &doc, jmsg) ?: ret;
	}
	vp_done_free(&d.record);
	vp_plan_free(&plan);
	vp_strv_free(&kept);
	return ret;
}
