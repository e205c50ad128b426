// SPDX-License-Identifier: GPL-2.0-or-later
/* apply (--apply): write the plan atomically and record it in the ledger; optionally regenerate. */
#include <errno.h>
#include <string.h>

#include "cmd-util.h"
#include "json-plan.h"
#include "vp-spawn.h"

void vp_cmd_on_change(const char *path, enum vp_action a, void *userdata)
{
	static const char *const done[] = {
		[VP_ACT_CREATE] = "created", [VP_ACT_UPDATE] = "updated",
		[VP_ACT_REMOVE] = "removed", [VP_ACT_MKDIR] = "created directory",
		[VP_ACT_RMDIR] = "removed directory",
	};

	(void)userdata;
	if (vp_log_level >= 1 && (unsigned)a < ARRAY_SIZE(done) && done[a])
		vp_fprintf_human(stdout, "%s %s\n", done[a], path);
	fflush(stdout);
}

int vp_cmd_regenerate(struct vp_ctx *ctx, const struct vp_plan *plan, struct vp_regen *ret)
{
	for (size_t i = 0; i < plan->n_commands; i++) {
		const struct vp_command *c = &plan->commands[i];
		_cleanup_free_ char *line = vp_spawn_cmdline(&ctx->root, c->argv);
		_cleanup_free_ char *msg = NULL;
		int status = 0, r;

		vp_fprintf_human(stdout, "==> %s%s%s%s\n", line ? line : c->argv[0], c->why ? " (" : "",
		       c->why ? c->why : "", c->why ? ")" : "");
		r = vp_spawn(&ctx->root, c->argv, &status, &msg);
		if (r < 0) {
			vp_err("%s", msg ? msg : strerror(-r));
			status = 127;
		}
		if (ret) {
			ret->n_run = i + 1;
			ret->last_status = status;
		}
		if (status != 0) {
			vp_err("'%s' failed with exit status %d; the files are written, fix the "
			       "problem and re-run: %s", c->argv[0], status, line ? line : c->argv[0]);
			return VP_EXIT_ERROR;
		}
	}
	return VP_EXIT_OK;
}

void vp_cmd_print_commands(struct vp_ctx *ctx, const struct vp_plan *plan, const char *verb)
{
	if (plan->n_commands == 0 || vp_log_level < 1 || ctx->json)
		return;
	printf("to take effect, run (or %s with --regenerate):\n", verb);
	for (size_t i = 0; i < plan->n_commands; i++) {
		_cleanup_free_ char *line = vp_spawn_cmdline(&ctx->root, plan->commands[i].argv);

		vp_fprintf_human(stdout, "  %s\n", line ? line : plan->commands[i].argv[0]);
	}
}

/* What apply wrote: counted, and printed or recorded for --json. */
struct written {
	struct vp_done *done;   /* --json: recorded here, else printed */
	size_t n;
};

static void on_written(const char *path, enum vp_action a, void *userdata)
{
	struct written *w = userdata;

	w->n++;
	if (w->done)
		vp_done_record(path, a, w->done);
	else
		vp_cmd_on_change(path, a, NULL);
}

int vp_cmd_apply(struct vp_ctx *ctx)
{
	_cleanup_free_ char *msg = NULL;
	struct vp_apply_opts opts = {.force = ctx->force};
	struct vp_pipeline p;
	struct vp_done done = {0};
	struct vp_regen regen = {0};
	struct written w = {.done = ctx->json ? &done : NULL};
	int r, ret;

	ret = vp_cmd_pipeline(ctx, &p);
	if (ret)
		goto out;
	for (size_t i = 0; i < p.plan.n_msgs && !ctx->json; i++) {
		const struct vp_msg *m = &p.plan.msgs[i];

		if (m->level == VP_MSG_REFUSE)
			vp_err("refused: %s", m->text);
		else if (m->level == VP_MSG_WARN)
			vp_warn("%s", m->text);
		else
			vp_info("note: %s", m->text);
	}
	if (p.sel.blocking != VP_VERDICT_OK && !ctx->json) {
		vp_err("the selection's verdict is '%s':", vp_verdict_name(p.sel.verdict));
		for (size_t i = 0; i < p.sel.reasons.n; i++)
			vp_err("  %s", p.sel.reasons.v[i]);
	}
	/* a file of the same name that is not ours is a refusal like the others */
	if (!ctx->json)
		vp_print_unmanaged(&p.changes, stderr);
	if (vp_pipeline_refused(&p) || p.changes.n_unmanaged) {
		if (!ctx->force) {
			vp_err("not applying: fix the above (see `vfio-provision detect`) or use "
			       "--force to apply anyway");
			ret = VP_EXIT_PENDING;
			goto out;
		}
		vp_warn("applying despite the above (--force)");
	}
	if (p.changes.n_pending == 0) {
		if (vp_log_level >= 1)
			printf("nothing to do\n");
		ret = ctx->regenerate ? vp_cmd_regenerate(ctx, &p.plan, &regen) : VP_EXIT_OK;
		goto out;
	}
	r = vp_apply(&ctx->root, &p.changes, &p.ledger, &p.bases, &opts,
		     on_written, &w, &msg);
	/* another apply or revert got there first: plan again from what it left */
	for (int tries = 0; r == -EAGAIN && tries < 3; tries++) {
		free(msg);
		msg = NULL;
		vp_pipeline_free(&p);
		ret = vp_cmd_pipeline(ctx, &p);
		if (ret)
			goto out;
		if (p.changes.n_pending == 0) {
			if (vp_log_level >= 1 && !ctx->json)
				printf("nothing to do\n");
			ret = VP_EXIT_OK;
			goto out;
		}
		r = vp_apply(&ctx->root, &p.changes, &p.ledger, &p.bases, &opts,
			     on_written, &w, &msg);
	}
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		if (w.n)
			vp_err("apply stopped; files already written stay consistent, "
			       "`vfio-provision revert` restores them");
		else
			vp_err("apply stopped before it changed any file");
		ret = VP_EXIT_ERROR;
		goto out;
	}
	if (ctx->regenerate || p.cfg.regenerate) {
		ret = vp_cmd_regenerate(ctx, &p.plan, &regen);
	} else {
		vp_cmd_print_commands(ctx, &p.plan, "apply");
	}
out:
	/*
	 * A rebuild that failed after the files were written still gets its
	 * document: what changed, and which command failed with what status.
	 */
	if (ctx->json && (ret != VP_EXIT_ERROR || regen.last_status != 0)) {
		struct vp_buf doc = {0};
		char *jmsg = NULL;

		r = vp_json_pipeline(ctx, "apply", &p, &done, &regen, &doc, &jmsg);
		ret = vp_cmd_json_out(ctx, r, &doc, jmsg) ?: ret;
	}
	vp_done_free(&done);
	vp_pipeline_free(&p);
	return ret;
}
