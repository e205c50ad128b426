// SPDX-License-Identifier: GPL-2.0-or-later
/* plan (--dry-run): what apply would do, as unified diffs. Writes nothing. */
#include <string.h>

#include "cmd-util.h"
#include "diff.h"
#include "json-plan.h"

int vp_cmd_plan(struct vp_ctx *ctx)
{
	struct vp_pipeline p;
	struct vp_buf out = {0};
	int r, ret;

	ret = vp_cmd_pipeline(ctx, &p);
	if (ret)
		goto out;
	if (ctx->json) {
		ret = vp_json_pipeline(ctx, "plan", &p, NULL, false);
		goto exit_code;
	}
	for (size_t i = 0; i < p.changes.n; i++) {
		const struct vp_change *ch = &p.changes.v[i];
		const char *want = ch->file->content;

		if (ch->action == VP_ACT_NONE)
			continue;
		r = vp_diff(ch->file->path, ch->old, ch->old_len, want, want ? strlen(want) : 0,
			    ctx->color, &out);
		if (r < 0) {
			vp_err("diff of '%s': %s", ch->file->path, strerror(-r));
			ret = VP_EXIT_ERROR;
			goto out;
		}
	}
	if (out.len)
		fputs(out.s, stdout);
	vp_print_pending(&p.changes, "", stdout);
	if (p.changes.n_pending)
		vp_print_tokens(&p.plan, &p.changes, stdout);
	vp_print_msgs(&p.plan, stdout);
	vp_print_verdict(&p.sel, stdout);
	vp_print_unmanaged(&p.changes, stdout);
	for (size_t i = 0; i < p.plan.hints.n; i++)
		printf("%s\n", p.plan.hints.v[i]);
	if (p.changes.n_pending == 0) {
		printf("nothing to do\n");
	} else {
		printf("%zu change%s pending; `vfio-provision apply` writes %s\n",
		       p.changes.n_pending, p.changes.n_pending == 1 ? "" : "s",
		       p.changes.n_pending == 1 ? "it" : "them");
	}
exit_code:
	if (ret == VP_EXIT_OK)
		ret = p.changes.n_pending || vp_pipeline_refused(&p) ? VP_EXIT_PENDING : VP_EXIT_OK;
out:
	vp_buf_free(&out);
	vp_pipeline_free(&p);
	return ret;
}
