// SPDX-License-Identifier: GPL-2.0-or-later
/* plan (--dry-run): what apply would do, as unified diffs. Writes nothing. */
#include <string.h>

#include "cmd-util.h"
#include "diff.h"
#include "json-plan.h"

/* Why apply (without --force) refuses, for the last line; NULL when it does not. */
static const char *refusal(const struct vp_pipeline *p)
{
	if (p->sel.blocking != VP_VERDICT_OK)
		return "the selection's verdict";
	if (p->plan.refused)
		return "the refusal";
	if (p->changes.n_unmanaged)
		return "a file it does not manage";
	return NULL;
}

/* The last line: what apply would do with the pending changes. */
static void print_summary(const struct vp_pipeline *p)
{
	size_t n = p->changes.n_pending;
	const char *why = refusal(p);

	if (n == 0)
		printf("nothing to do%s\n", why ? " (and the plan is refused, see above)" : "");
	else if (!why)
		printf("%zu change%s pending; `vfio-provision apply` writes %s\n", n,
		       n == 1 ? "" : "s", n == 1 ? "it" : "them");
	else if (p->sel.blocking != VP_VERDICT_OK)
		printf("%zu change%s pending, but `vfio-provision apply` refuses to write %s: "
		       "verdict %s (see above); fix that first, or apply --force\n", n,
		       n == 1 ? "" : "s", n == 1 ? "it" : "them",
		       vp_verdict_name(p->sel.verdict));
	else
		printf("%zu change%s pending, but `vfio-provision apply` refuses to write %s "
		       "because of %s above; fix that first, or apply --force\n", n,
		       n == 1 ? "" : "s", n == 1 ? "it" : "them", why);
}

int vp_cmd_plan(struct vp_ctx *ctx)
{
	struct vp_pipeline p;
	struct vp_buf out = {0};
	int r, ret;

	ret = vp_cmd_pipeline(ctx, &p);
	if (ret)
		goto out;
	if (ctx->json) {
		struct vp_buf doc = {0};
		char *msg = NULL;

		r = vp_json_pipeline(ctx, "plan", &p, NULL, NULL, &doc, &msg);
		ret = vp_cmd_json_out(ctx, r, &doc, msg);
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
		vp_fprintf_human(stdout, "%s\n", p.plan.hints.v[i]);
	print_summary(&p);
exit_code:
	if (ret == VP_EXIT_OK)
		ret = p.changes.n_pending || vp_pipeline_refused(&p) ? VP_EXIT_PENDING : VP_EXIT_OK;
out:
	vp_buf_free(&out);
	vp_pipeline_free(&p);
	return ret;
}
