/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output shared by the plan/apply/check/verify verbs (cmd-*.c print; the core does not). */
#pragma once

#include <stdio.h>

#include "pipeline.h"

/* Runs the pipeline; on failure prints the error and returns VP_EXIT_ERROR, else 0. */
int vp_cmd_pipeline(struct vp_ctx *ctx, struct vp_pipeline *p);

/*
 * Prints a --json document built with r = vp_json_*(..., doc, &msg), then a
 * newline, on ctx->out; or msg when r failed. Frees doc and msg. An exit code.
 */
int vp_cmd_json_out(struct vp_ctx *ctx, int r, struct vp_buf *doc, char *msg);
/* An error line for a message the core hands over as it happens (root-io.h's say). */
void vp_cmd_say_err(const char *msg);

/* "note: ...", "warning: ...", "refused: ..." lines, one per plan message. */
void vp_print_msgs(const struct vp_plan *plan, FILE *f);
/* When the verdict is not ok: "refused: verdict NAME" and the reasons. */
void vp_print_verdict(const struct vp_selection *sel, FILE *f);
/* "kernel cmdline: add TOKEN (reason)" / "remove KEY". */
void vp_print_tokens(const struct vp_plan *plan, const struct vp_changes *changes, FILE *f);
/* "refused: '<path>' exists and is not managed ..." for each pending unmanaged file. */
void vp_print_unmanaged(const struct vp_changes *c, FILE *f);
/* "created /etc/x", ... as apply and revert go. */
void vp_cmd_on_change(const char *path, enum vp_action a, void *userdata);
/*
 * What --regenerate did: the first n_run commands ran, the last of them with
 * last_status (non-zero: it failed and the rest did not run).
 */
struct vp_regen {
	size_t n_run;
	int last_status;
};
/* Runs the plan's commands in order under the root; stops at the first failure. */
int vp_cmd_regenerate(struct vp_ctx *ctx, const struct vp_plan *plan, struct vp_regen *ret);
/*
 * The commands that rebuild the initramfs (initramfs) and the bootloader
 * config (bootloader) after revert changed what feeds them, into plan
^ * (cmd-revert-regen.c). Returns 1 when revert should run them (--regenerate or
 * [initramfs] regenerate = yes), 0 when not, a negative errno after
 * printing why it cannot tell.
 */
int vp_cmd_revert_commands(struct vp_ctx *ctx, bool initramfs, bool bootloader,
			   struct vp_plan *plan);
/* "to take effect, run (or VERB with --regenerate):" and the commands. */
void vp_cmd_print_commands(struct vp_ctx *ctx, const struct vp_plan *plan, const char *verb);
/* One line a pending change: "<prefix>create /etc/x (reason)". */
void vp_print_pending(const struct vp_changes *c, const char *prefix, FILE *f);
