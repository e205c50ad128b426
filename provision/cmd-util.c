// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "cmd-util.h"

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
		fprintf(f, "%s: %s\n", prefix[plan->msgs[i].level], plan->msgs[i].text);
}

void vp_print_verdict(const struct vp_selection *sel, FILE *f)
{
	if (sel->verdict == VP_VERDICT_OK)
		return;
	fprintf(f, "%s: verdict %s\n", sel->blocking != VP_VERDICT_OK ? "refused" : "note",
		vp_verdict_name(sel->verdict));
	for (size_t i = 0; i < sel->reasons.n; i++)
		fprintf(f, "  %s\n", sel->reasons.v[i]);
}

/* KEY as a whole word (followed by '=', a quote, white space or the end). */
static bool mentions_key(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; text && (p = strstr(p, key)); p += n) {
		char before = p == text ? ' ' : p[-1], after = p[n];

		if ((before == ' ' || before == '\t' || before == '"' || before == '\'' ||
		     before == '\n') &&
		    (after == '=' || after == ' ' || after == '\t' || after == '"' ||
		     after == '\'' || after == '\n' || after == '\0'))
			return true;
	}
	return false;
}

/* A removal is news only where a file we change has the key now. */
static bool key_present(const struct vp_changes *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].action != VP_ACT_NONE && c->v[i].old && mentions_key(c->v[i].old, key))
			return true;
	return false;
}

void vp_print_tokens(const struct vp_plan *plan, const struct vp_changes *changes, FILE *f)
{
	for (size_t i = 0; i < plan->n_cmdline; i++) {
		const struct vp_cmdline_token *t = &plan->cmdline[i];

		if (!t->token && !key_present(changes, t->key))
			continue;
		if (t->token)
			fprintf(f, "kernel cmdline: add %s", t->token);
		else
			fprintf(f, "kernel cmdline: remove %s", t->key);
		if (t->reason)
			fprintf(f, " (%s)", t->reason);
		fputc('\n', f);
	}
}

void vp_print_unmanaged(const struct vp_changes *c, FILE *f)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].action != VP_ACT_NONE && c->v[i].unmanaged)
			fprintf(f, "refused: '%s' exists and is not managed by vfio-provision "
				"(no '%s' header); apply needs --force to replace it\n",
				c->v[i].file->path, VP_MANAGED_HEADER);
}

void vp_print_pending(const struct vp_changes *c, const char *prefix, FILE *f)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct vp_change *ch = &c->v[i];

		if (ch->action == VP_ACT_NONE)
			continue;
		fprintf(f, "%s%s %s", prefix, vp_action_name(ch->action), ch->file->path);
		if (ch->file->reason)
			fprintf(f, " (%s)", ch->file->reason);
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->dirs.n; i++)
		fprintf(f, "%smkdir %s\n", prefix, c->dirs.v[i]);
	for (size_t i = 0; i < c->rmdirs.n; i++)
		fprintf(f, "%srmdir %s (vfio-provision created it and nothing needs it any more)\n",
			prefix, c->rmdirs.v[i]);
}
