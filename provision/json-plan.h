/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --json documents of plan, check, apply, revert and verify (schema in
 * docs/plan-json.md and docs/plan.schema.json). The verbs collect, this
 * file renders: one call at the end of each verb, written to ctx->out.
 */
#pragma once

#include "apply.h"
#include "cli.h"
#include "cmd-util.h"
#include "pipeline.h"
#include "verify.h"

/* A path apply or revert wrote (or revert --dry-run would write). */
struct vp_done_entry {
	char *path;
	const char *action;     /* "create", "update", "remove", "mkdir", "restore", "rmdir" */
	char *diff;             /* unified diff, or NULL */
};

struct vp_done {
	struct vp_done_entry *v;
	size_t n;
	int err;                /* -ENOMEM while recording: sticky */
};

/* vp_apply_cb for apply: userdata is a struct vp_done. */
void vp_done_record(const char *path, enum vp_action action, void *userdata);
/* vp_apply_cb for revert: "remove" for VP_ACT_REMOVE, else "restore". */
void vp_done_record_revert(const char *path, enum vp_action action, void *userdata);
/* Takes diff (may be NULL). */
int vp_done_add(struct vp_done *d, const char *path, const char *action, char *diff_take);
void vp_done_free(struct vp_done *d);

/*
 * plan, check, apply. done: what apply wrote (NULL for plan and check);
 * regen: which commands apply ran and how the last one ended (NULL: none
 * ran); each command gets its exit_status, null for one that did not run.
 * The document goes into out (empty; freed on failure): 0, or a negative
 * errno with *ret_msg. The verb prints it (vp_cmd_json_out).
 */
int vp_json_pipeline(const struct vp_ctx *ctx, const char *verb, const struct vp_pipeline *p,
		     const struct vp_done *done, const struct vp_regen *regen, struct vp_buf *out,
		     char **ret_msg);
/*
 * revert and revert --dry-run (ctx->dry_run): done is what it did or would
 * do; plan holds the rebuild commands (NULL: none), regen what --regenerate
 * ran of them (NULL: none ran).
 */
int vp_json_revert(const struct vp_ctx *ctx, const struct vp_done *done,
		   const struct vp_plan *plan, const struct vp_regen *regen, struct vp_buf *out,
		   char **ret_msg);
/* verify: the [E]/[W] findings. */
int vp_json_verify(const struct vp_verify_report *rep, struct vp_buf *out, char **ret_msg);
