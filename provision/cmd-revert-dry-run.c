// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * revert --dry-run: what revert would restore or remove, as unified diffs
 * (from the ledger) and one line a path. Writes nothing.
 */
#include <string.h>

#include "cmd-util.h"
#include "diff.h"
#include "json-plan.h"
#include "plan-regen.h"
#include "revert-preview.h"

static int diff_of(const struct vp_revert_preview_item *it, bool color, struct vp_buf *out)
{
	if (!strcmp(it->action, "rmdir"))
		return 0;
	return vp_diff(it->path, it->cur, it->cur_len, it->orig, it->orig_len, color, out);
}

static int as_json(struct vp_ctx *ctx, const struct vp_revert_preview *pv)
{
	struct vp_done done = {0};
	struct vp_plan plan = {0};
	bool initramfs = false, bootloader = false;
	int r = 0, ret;

	/* the commands revert will print (or run): from the same paths */
	for (size_t i = 0; i < pv->n; i++) {
		initramfs |= vp_path_feeds_initramfs(pv->v[i].path);
		bootloader |= vp_path_feeds_bootloader(pv->v[i].path);
	}
	if ((initramfs || bootloader) &&
	    vp_cmd_revert_commands(ctx, initramfs, bootloader, &plan) < 0) {
		vp_plan_free(&plan);
		return VP_EXIT_ERROR;
	}
	for (size_t i = 0; i < pv->n && r >= 0; i++) {
		struct vp_buf d = {0};

		r = diff_of(&pv->v[i], false, &d);
		if (r >= 0)
			r = vp_done_add(&done, pv->v[i].path, pv->v[i].action,
					d.s ? vp_buf_steal(&d) : NULL);
		vp_buf_free(&d);
	}
	if (r < 0) {
		vp_err("revert --dry-run: %s", strerror(-r));
		ret = VP_EXIT_ERROR;
	} else {
		struct vp_buf doc = {0};
		char *msg = NULL;

		r = vp_json_revert(ctx, &done, &plan, NULL, &doc, &msg);
		ret = vp_cmd_json_out(ctx, r, &doc, msg);
	}
	vp_done_free(&done);
	vp_plan_free(&plan);
	return ret;
}

int vp_cmd_revert_dry_run(struct vp_ctx *ctx)
{
	_cleanup_free_ char *msg = NULL;
	struct vp_revert_preview pv;
	struct vp_buf out = {0};
	size_t files = 0;       /* what revert counts: directories go silently */
	int r, ret = VP_EXIT_ERROR;

	r = vp_revert_preview(&ctx->root, ctx->force, &pv, &msg);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		return VP_EXIT_ERROR;
	}
	if (ctx->json) {
		ret = as_json(ctx, &pv);
		goto exit_code;
	}
	for (size_t i = 0; i < pv.n && r >= 0; i++)
		r = diff_of(&pv.v[i], ctx->color, &out);
	if (r < 0) {
		vp_err("revert --dry-run: %s", strerror(-r));
		goto out;
	}
	if (out.len)
		fputs(out.s, stdout);
	for (size_t i = 0; i < pv.n; i++) {
		files += strcmp(pv.v[i].action, "rmdir") != 0;
		if (!strcmp(pv.v[i].action, "rmdir"))
			printf("remove directory %s (when empty)\n", pv.v[i].path);
		else
			printf("%s %s\n", pv.v[i].action, pv.v[i].path);
	}
	if (files == 0)
		printf("nothing to revert\n");
	else
		printf("%zu path%s to revert%s; `vfio-provision revert` does it\n", files,
		       files == 1 ? "" : "s", pv.n > files ? " (and directories, when empty)" : "");
	ret = VP_EXIT_OK;
exit_code:
	if (ret == VP_EXIT_OK && pv.n)  /* a directory alone is still something to do */
		ret = VP_EXIT_PENDING;
out:
	vp_buf_free(&out);
	vp_revert_preview_free(&pv);
	return ret;
}
