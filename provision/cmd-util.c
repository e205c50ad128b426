// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "cmd-util.h"
#include "cmdline-diff.h"

int vp_cmd_pipeline(struct vp_ctx *ctx, struct vp_pipeline *p)
{
	_cleanup_free_ char *msg = NULL;
	int r;

	r = vp_pipeline_run(ctx, p, &msg);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		return VP_EXIT_ERROR;
	}
	return 0;
}

void vp_print_msgs(const struct vp_plan *plan, FILE *f)
{
	static const char *const prefix[] = {
		[VP_MSG_INFO] = "note", [VP_MSG_WARN] = "warning", [VP_MSG_REFUSE] = "refused",
	};

	for (size_t i = 0; i < plan->n_msgs; i++)
		vp_fprintf_human(f, "%s: %s\n", prefix[plan->msgs[i].level], plan->msgs[i].text);
}

void vp_print_verdict(const struct vp_selection *sel, FILE *f)
{
	if (sel->verdict == VP_VERDICT_OK)
		return;
	vp_fprintf_human(f, "%s: verdict %s\n", sel->blocking != VP_VERDICT_OK ? "refused" : "note",
		vp_verdict_name(sel->verdict));
	for (size_t i = 0; i < sel->reasons.n; i++)
		vp_fprintf_human(f, "  %s\n", sel->reasons.v[i]);
}

/*
 * Only what the pending changes really do to a command line: a token that
 * is already there is no news. A token on no file's command line (a tool
 * such as kernelstub owns it, see the plan's message) is printed as planned.
 */
void vp_print_tokens(const struct vp_plan *plan, const struct vp_changes *changes, FILE *f)
{
	struct vp_cmdline_edits e;
	bool known = vp_cmdline_edits_compute(plan, changes, &e) == 0;

	for (size_t i = 0; i < plan->n_cmdline; i++) {
		const struct vp_cmdline_token *t = &plan->cmdline[i];
		const char *replaced = NULL;

		if (t->token) {
			if (known && !vp_cmdline_edits_adds(&e, t->token, &replaced) &&
			    vp_strv_contains(&e.mentioned, t->token))
				continue;
			vp_fprintf_human(f, "kernel cmdline: add %s", t->token);
			if (replaced)
				vp_fprintf_human(f, " in place of %s", replaced);
		} else {
			if (!known || !vp_cmdline_edits_removes(&e, t->key))
				continue;
			vp_fprintf_human(f, "kernel cmdline: remove %s", t->key);
		}
		if (t->reason)
			vp_fprintf_human(f, " (%s)", t->reason);
		fputc('\n', f);
	}
	if (known)
		vp_cmdline_edits_free(&e);
}

void vp_print_unmanaged(const struct vp_changes *c, FILE *f)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].action != VP_ACT_NONE && c->v[i].unmanaged)
			vp_fprintf_human(f, "refused: '%s' exists and is not managed by vfio-provision "
				"(no '%s' header); apply needs --force to replace it\n",
				c->v[i].file->path, VP_MANAGED_HEADER);
}

void vp_print_pending(const struct vp_changes *c, const char *prefix, FILE *f)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct vp_change *ch = &c->v[i];

		if (ch->action == VP_ACT_NONE)
			continue;
		vp_fprintf_human(f, "%s%s %s", prefix, vp_action_name(ch->action), ch->file->path);
		if (ch->file->reason)
			vp_fprintf_human(f, " (%s)", ch->file->reason);
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->dirs.n; i++)
		vp_fprintf_human(f, "%smkdir %s\n", prefix, c->dirs.v[i]);
	for (size_t i = 0; i < c->rmdirs.n; i++)
		vp_fprintf_human(f, "%srmdir %s (vfio-provision created it and nothing needs it any more)\n",
			prefix, c->rmdirs.v[i]);
}

int vp_cmd_json_out(struct vp_ctx *ctx, int r, struct vp_buf *doc, char *msg)
{
	if (r >= 0 && (fwrite(doc->s, 1, doc->len, ctx->out) != doc->len ||
		       fflush(ctx->out) != 0)) {
		r = -errno;
		free(msg);
		msg = vp_strdup_printf("writing the JSON document: %s", strerror(-r));
	}
	vp_buf_free(doc);
	if (r < 0)
		vp_err("%s", msg ? msg : strerror(-r));
	free(msg);
	return r < 0 ? VP_EXIT_ERROR : VP_EXIT_OK;
}

void vp_cmd_say_err(const char *msg)
{
	vp_err("%s", msg);
}
