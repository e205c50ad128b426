// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --json for plan, check, apply, revert and verify: one document (schema
 * 1, docs/plan-json.md), which the verb prints. plan, check, apply and revert
 * share the shape: changed, pending, changes, cmdline, messages,
 * refusals, commands; verify has its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline-diff.h"
#include "diff.h"
#include "json-plan.h"
#include "json.h"
#include "vp-spawn.h"

#define VP_PLAN_JSON_SCHEMA 1

int vp_done_add(struct vp_done *d, const char *path, const char *action, char *diff_take)
{
	struct vp_done_entry *v;
	char *p = strdup(path);

	v = p ? realloc(d->v, (d->n + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(p);
		free(diff_take);
		return d->err = -ENOMEM;
	}
	d->v = v;
	d->v[d->n++] = (struct vp_done_entry){.path = p, .action = action, .diff = diff_take};
	return 0;
}

void vp_done_record(const char *path, enum vp_action action, void *userdata)
{
	(void)vp_done_add(userdata, path, vp_action_name(action), NULL);
}

void vp_done_record_revert(const char *path, enum vp_action action, void *userdata)
{
	(void)vp_done_add(userdata, path, action == VP_ACT_REMOVE ? "remove" :
				  action == VP_ACT_RMDIR ? "rmdir" : "restore", NULL);
}

void vp_done_free(struct vp_done *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].diff);
	}
	free(d->v);
	*d = (struct vp_done){0};
}

/* The document, then a newline, in out; on failure out is freed. */
static int finish(struct vp_json *j, struct vp_buf *out, char **ret_msg)
{
	int r = vp_json_finish(j);

	if (r < 0) {
		vp_buf_free(out);
		return vp_fail(ret_msg, r, "writing the JSON document: %s", strerror(-r));
	}
	return 0;
}

static void strv(struct vp_json *j, const char *key, const struct vp_strv *sv)
{
	vp_json_array_begin(j, key);
	for (size_t i = 0; i < sv->n; i++)
		vp_json_str(j, NULL, sv->v[i]);
	vp_json_array_end(j);
}

static void change(struct vp_json *j, const struct vp_change *ch)
{
	const char *want = ch->file->content;
	struct vp_buf d = {0};

	vp_json_object_begin(j, NULL);
	vp_json_str(j, "path", ch->file->path);
	vp_json_str(j, "action", vp_action_name(ch->action));
	vp_json_str(j, "reason", ch->file->reason);
	vp_json_bool(j, "owned", ch->file->owned);
	vp_json_bool(j, "unmanaged", ch->unmanaged);
	if (vp_diff(ch->file->path, ch->old, ch->old_len, want, want ? strlen(want) : 0, false,
		    &d) < 0)
		j->err = -ENOMEM;
	vp_json_str(j, "diff", d.s ? d.s : "");
	vp_json_object_end(j);
	vp_buf_free(&d);
}

static void changes(struct vp_json *j, const struct vp_changes *c)
{
	vp_json_array_begin(j, "changes");
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].action != VP_ACT_NONE)
			change(j, &c->v[i]);
	for (size_t i = 0; i < c->dirs.n; i++) {
		vp_json_object_begin(j, NULL);
		vp_json_str(j, "path", c->dirs.v[i]);
		vp_json_str(j, "action", vp_action_name(VP_ACT_MKDIR));
		vp_json_null(j, "reason");
		vp_json_bool(j, "owned", false);
		vp_json_bool(j, "unmanaged", false);
		vp_json_null(j, "diff");
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
}

static const char *revert_reason(const char *action)
{
	return !strcmp(action, "remove") ? "did not exist before the first apply" :
	       !strcmp(action, "rmdir") ? "created by apply; removed when empty" :
	       "the bytes, mode and owner from before the first apply";
}

/* as_changes: revert's "changes", shaped like plan's (owned: not known). */
static void done_list(struct vp_json *j, const char *key, const struct vp_done *d,
		      bool as_changes)
{
	vp_json_array_begin(j, key);
	for (size_t i = 0; d && i < d->n; i++) {
		vp_json_object_begin(j, NULL);
		vp_json_str(j, "path", d->v[i].path);
		vp_json_str(j, "action", d->v[i].action);
		if (as_changes) {
			vp_json_str(j, "reason", revert_reason(d->v[i].action));
			vp_json_null(j, "owned");
			vp_json_bool(j, "unmanaged", false);
		}
		vp_json_str(j, "diff", d->v[i].diff);
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
}

/*
 * The planned tokens (decided once for every target), and what the pending
 * changes really do on each command line they touch.
 */
static void cmdline(struct vp_json *j, const struct vp_plan *plan, const struct vp_changes *c)
{
	struct vp_cmdline_edits e = {0};

	if (c && vp_cmdline_edits_compute(plan, c, &e) < 0)
		j->err = -ENOMEM;
	vp_json_object_begin(j, "cmdline");
	vp_json_array_begin(j, "tokens");
	for (size_t i = 0; plan && i < plan->n_cmdline; i++) {
		const struct vp_cmdline_token *t = &plan->cmdline[i];
		const char *replaced;

		vp_json_object_begin(j, NULL);
		vp_json_str(j, "key", t->key);
		vp_json_str(j, "token", t->token);
		vp_json_str(j, "action", t->token ? "add" : "remove");
		vp_json_str(j, "reason", t->reason);
		vp_json_bool(j, "pending", t->token ? vp_cmdline_edits_adds(&e, t->token, &replaced)
						    : vp_cmdline_edits_removes(&e, t->key));
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
	vp_json_array_begin(j, "targets");
	for (size_t i = 0; i < e.n; i++) {
		const struct vp_cmdline_edit *t = &e.v[i];

		vp_json_object_begin(j, NULL);
		vp_json_str(j, "path", t->path);
		vp_json_str(j, "variable", t->variable);
		vp_json_uint(j, "line", t->line);
		strv(j, "added", &t->added);
		strv(j, "removed", &t->removed);
		vp_json_array_begin(j, "replaced");
		for (size_t k = 0; k < t->replaced_from.n; k++) {
			vp_json_object_begin(j, NULL);
			vp_json_str(j, "from", t->replaced_from.v[k]);
			vp_json_str(j, "to", t->replaced_to.v[k]);
			vp_json_object_end(j);
		}
		vp_json_array_end(j);
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
	vp_json_object_end(j);
	vp_cmdline_edits_free(&e);
}

static void messages(struct vp_json *j, const struct vp_plan *plan)
{
	static const char *const level[] = {
		[VP_MSG_INFO] = "info", [VP_MSG_WARN] = "warning", [VP_MSG_REFUSE] = "refused",
	};

	vp_json_array_begin(j, "messages");
	for (size_t i = 0; plan && i < plan->n_msgs; i++) {
		vp_json_object_begin(j, NULL);
		vp_json_str(j, "level", level[plan->msgs[i].level]);
		vp_json_str(j, "text", plan->msgs[i].text);
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
}

/* Why apply (without --force) would not write: the verdict, refusing messages, foreign files. */
/*
 * What the next boot would give the kernel that the config does not ask:
 * with the files as they are (plan, check), as written (apply).
 */
static int next_boot(struct vp_json *j, const struct vp_pipeline *p, bool written)
{
	struct vp_effect_report rep = {0};
	int r = 0;

	if (p)
		r = written ? vp_effect_judge(&p->cfg, &p->sys, &p->sel, &p->plan, &p->plan, &rep)
			    : vp_pipeline_judge_now(p, &rep);
	if (r >= 0)
		strv(j, "next_boot", &rep.errors);
	vp_effect_report_free(&rep);
	return r;
}

static void refusals(struct vp_json *j, const struct vp_pipeline *p)
{
	vp_json_array_begin(j, "refusals");
	if (p && p->sel.blocking != VP_VERDICT_OK) {
		vp_json_object_begin(j, NULL);
		vp_json_str(j, "kind", "verdict");
		vp_json_str(j, "verdict", vp_verdict_name(p->sel.verdict));
		vp_json_null(j, "path");
		strv(j, "reasons", &p->sel.reasons);
		vp_json_object_end(j);
	}
	for (size_t i = 0; p && i < p->plan.n_msgs; i++) {
		if (p->plan.msgs[i].level != VP_MSG_REFUSE)
			continue;
		vp_json_object_begin(j, NULL);
		vp_json_str(j, "kind", "plan");
		vp_json_null(j, "verdict");
		vp_json_null(j, "path");
		vp_json_array_begin(j, "reasons");
		vp_json_str(j, NULL, p->plan.msgs[i].text);
		vp_json_array_end(j);
		vp_json_object_end(j);
	}
	for (size_t i = 0; p && i < p->changes.n; i++) {
		const struct vp_change *ch = &p->changes.v[i];
		_cleanup_free_ char *why = NULL;

		if (ch->action == VP_ACT_NONE || !ch->unmanaged)
			continue;
		why = vp_strdup_printf("'%s' exists and is not managed by vfio-provision (no '%s' "
				       "header); apply needs --force to replace it",
				       ch->file->path, VP_MANAGED_HEADER);
		if (!why)
			j->err = -ENOMEM;
		vp_json_object_begin(j, NULL);
		vp_json_str(j, "kind", "unmanaged");
		vp_json_null(j, "verdict");
		vp_json_str(j, "path", ch->file->path);
		vp_json_array_begin(j, "reasons");
		vp_json_str(j, NULL, why);
		vp_json_array_end(j);
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
}

static void commands(struct vp_json *j, const struct vp_ctx *ctx, const struct vp_plan *plan,
		     const struct vp_regen *regen)
{
	vp_json_array_begin(j, "commands");
	for (size_t i = 0; plan && i < plan->n_commands; i++) {
		const struct vp_command *c = &plan->commands[i];
		_cleanup_free_ char *line = vp_spawn_cmdline(&ctx->root, c->argv);

		if (!line)
			j->err = -ENOMEM;
		vp_json_object_begin(j, NULL);
		vp_json_array_begin(j, "argv");
		for (size_t k = 0; c->argv[k]; k++)
			vp_json_str(j, NULL, c->argv[k]);
		vp_json_array_end(j);
		vp_json_str(j, "command_line", line);
		vp_json_str(j, "why", c->why);
		if (regen && i < regen->n_run)
			vp_json_int(j, "exit_status", i + 1 == regen->n_run ? regen->last_status : 0);
		else
			vp_json_null(j, "exit_status");
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
}

static void verdict(struct vp_json *j, const struct vp_selection *sel)
{
	if (!sel) {
		vp_json_null(j, "verdict");
		return;
	}
	vp_json_object_begin(j, "verdict");
	vp_json_str(j, "name", vp_verdict_name(sel->verdict));
	vp_json_bool(j, "blocking", sel->blocking != VP_VERDICT_OK);
	strv(j, "reasons", &sel->reasons);
	vp_json_object_end(j);
}

static void head(struct vp_json *j, const char *verb)
{
	vp_json_object_begin(j, NULL);
	vp_json_int(j, "schema", VP_PLAN_JSON_SCHEMA);
	vp_json_str(j, "verb", verb);
}

int vp_json_pipeline(const struct vp_ctx *ctx, const char *verb, const struct vp_pipeline *p,
		     const struct vp_done *done, const struct vp_regen *regen, struct vp_buf *out,
		     char **ret_msg)
{
	bool apply = done != NULL;
	bool refused = vp_pipeline_refused(p) || p->changes.n_unmanaged > 0;
	struct vp_json j;
	/* apply: what is still to do after this run (all of it when it did not write) */
	size_t pending = apply && done->n ? 0 : p->changes.n_pending;

	if (done && done->err)
		return vp_fail(ret_msg, done->err, "%s", strerror(-done->err));
	vp_json_init(&j, out);
	head(&j, verb);
	vp_json_bool(&j, "dry_run", !apply);
	vp_json_bool(&j, "changed", apply ? done->n > 0 : p->changes.n_pending > 0);
	vp_json_uint(&j, "pending", pending);
	vp_json_bool(&j, "refused", refused);
	vp_json_bool(&j, "forced", apply && refused && ctx->force);
	verdict(&j, &p->sel);
	changes(&j, &p->changes);
	done_list(&j, "written", done, false);
	cmdline(&j, &p->plan, &p->changes);
	messages(&j, &p->plan);
	refusals(&j, p);
	if (next_boot(&j, p, apply && done->n > 0) < 0) {
		vp_buf_free(out);
		return vp_fail(ret_msg, -ENOMEM, "%s", strerror(ENOMEM));
	}
	commands(&j, ctx, &p->plan, regen);
	strv(&j, "hints", &p->plan.hints);
	vp_json_object_end(&j);
	return finish(&j, out, ret_msg);
}

int vp_json_revert(const struct vp_ctx *ctx, const struct vp_done *done,
		   const struct vp_plan *plan, const struct vp_regen *regen, struct vp_buf *out,
		   char **ret_msg)
{
	struct vp_json j;
	size_t files = 0;       /* as revert counts: not the directories */

	for (size_t i = 0; i < done->n; i++)
		files += strcmp(done->v[i].action, "rmdir") != 0;
	if (done->err)
		return vp_fail(ret_msg, done->err, "%s", strerror(-done->err));
	vp_json_init(&j, out);
	head(&j, "revert");
	vp_json_bool(&j, "dry_run", ctx->dry_run);
	/* revert: it wrote; --dry-run: it would (as plan and check say) */
	vp_json_bool(&j, "changed", done->n > 0);
	vp_json_uint(&j, "pending", ctx->dry_run ? files : 0);
	vp_json_bool(&j, "refused", false);
	vp_json_bool(&j, "forced", false);
	verdict(&j, NULL);
	/* what it did, or would do: both lists name the same paths */
	done_list(&j, "changes", done, true);
	done_list(&j, "written", ctx->dry_run ? NULL : done, false);
	cmdline(&j, NULL, NULL);
	messages(&j, NULL);
	refusals(&j, NULL);
	next_boot(&j, NULL, false);
	commands(&j, ctx, plan, regen);
	vp_json_array_begin(&j, "hints");
	vp_json_array_end(&j);
	vp_json_object_end(&j);
	return finish(&j, out, ret_msg);
}

int vp_json_verify(const struct vp_verify_report *rep, struct vp_buf *out, char **ret_msg)
{
	struct vp_json j;

	vp_json_init(&j, out);
	head(&j, "verify");
	vp_json_bool(&j, "ok", rep->n_errors == 0);
	vp_json_uint(&j, "files_checked", rep->n_checked);
	vp_json_uint(&j, "errors", rep->n_errors);
	vp_json_uint(&j, "warnings", rep->n_warnings);
	vp_json_array_begin(&j, "findings");
	for (size_t i = 0; i < rep->n; i++) {
		vp_json_object_begin(&j, NULL);
		vp_json_str(&j, "level", rep->lines[i].level == VP_VERIFY_ERROR ? "error" : "warning");
		vp_json_str(&j, "text", rep->lines[i].text);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	vp_json_object_end(&j);
	return finish(&j, out, ret_msg);
}
