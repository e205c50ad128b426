// SPDX-License-Identifier: GPL-2.0-or-later
/* revert (--revert): every file back to its bytes, mode and owner before our first apply. */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "cli.h"
#include "json-plan.h"

static void on_restore(const char *path, enum vp_action a, void *userdata)
{
	(void)userdata;
	if (vp_log_level >= 1)
		printf("%s %s\n", a == VP_ACT_REMOVE ? "removed" : "restored", path);
	fflush(stdout);
}

int vp_cmd_revert(struct vp_ctx *ctx)
{
	_cleanup_free_ char *msg = NULL;
	struct vp_done done = {0};
	int r;

	if (ctx->dry_run)
		return vp_cmd_revert_dry_run(ctx);
	/* no config, no probe: revert must work whatever state they are in */
	r = vp_revert(&ctx->root, ctx->json ? vp_done_record_revert : on_restore, &done, &msg);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		vp_err("revert stopped; the journal is kept, run revert again once fixed");
		vp_done_free(&done);
		return VP_EXIT_ERROR;
	}
	if (ctx->json) {
		r = vp_json_revert(ctx, &done);
		vp_done_free(&done);
		return r;
	}
	if (vp_log_level >= 1) {
		if (r == 0)
			printf("nothing to revert\n");
		else
			printf("reverted %d path%s; regenerate the initramfs and bootloader "
			       "config to take effect\n", r, r == 1 ? "" : "s");
	}
	return VP_EXIT_OK;
}
