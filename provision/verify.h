/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify: read the written files back the way their consumer does and
 * report problems in the style of `findmnt --verify` ([E]/[W] lines and a
 * summary). verify.c does the generic part (the file exists, an owned file
 * starts with the managed header, the bytes equal the plan) and dispatches
 * on the path to a consumer check in verify-<kind>.c (libkmod for
 * modprobe.d, libmount for fstab, ...).
 */
#pragma once

#include <stddef.h>

#include "plan.h"
#include "root.h"
#include "vp.h"

enum vp_verify_level { VP_VERIFY_WARN = 0, VP_VERIFY_ERROR };

struct vp_verify_line {
	enum vp_verify_level level;
	char *text;             /* "'/etc/fstab':12: unknown option 'pagsize'" */
};

struct vp_verify_report {
	struct vp_verify_line *lines;
	size_t n;
	size_t n_errors, n_warnings;
	size_t n_checked;       /* files looked at, for the summary */
};

int vp_verify_add(struct vp_verify_report *rep, enum vp_verify_level level,
		  const char *fmt, ...) _printf_(3, 4);
void vp_verify_report_free(struct vp_verify_report *rep);

/*
 * Checks one planned file as it is now under the root: generic checks, then
 * the consumer check for its path (if any). Problems are report lines, not
 * errors: returns a negative errno only for -ENOMEM and the like.
 */
int vp_verify_file(const struct vp_root *root, const struct vp_plan_file *file,
		   struct vp_verify_report *rep);

/*
 * A consumer check: `content` is the file's current bytes (NUL-terminated,
 * never NULL: vp_verify_file calls it only when the file exists). Adds
 * [E]/[W] lines to rep; returns 0 or a negative errno for internal errors.
 */
typedef int (*vp_verify_fn)(const struct vp_root *root, const struct vp_plan_file *file,
			    const char *content, size_t len, struct vp_verify_report *rep);

/* The consumer checks, one per kind of file (verify-<kind>.c). */
int vp_verify_modprobe(const struct vp_root *root, const struct vp_plan_file *file,
		       const char *content, size_t len, struct vp_verify_report *rep);
int vp_verify_fstab(const struct vp_root *root, const struct vp_plan_file *file,
		    const char *content, size_t len, struct vp_verify_report *rep);
