/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The judge: will the next boot be what the config asks? Reads every
 * command line the bootloader in use gives the kernel (plan-boot.h's
 * readers), works out what the kernel makes of each (cmdline-effect.h),
 * and compares that with what the plan's tokens alone would make. The same
 * judge for plan (on the files as planned: differences are refusals), check
 * (on the files as they are: pending) and verify (errors). Pure.
 */
#pragma once

#include "plan.h"

struct vp_effect_report {
	struct vp_strv errors;          /* "'path' (what): the kernel would ..." */
	struct vp_strv warnings;        /* lines that cannot be told */
	size_t n_lines;                 /* command lines judged */
};

void vp_effect_report_free(struct vp_effect_report *r);

/*
 * The tokens asked are plan's; the files are read through view (plan-boot.h's
 * vp_boot_view: the plan itself for the files as planned, an overlay of the
 * files as they are, NULL for sys->files). sel (may be NULL) tells whether
 * anything is passed through: an IOMMU turned off matters only then.
 */
int vp_effect_judge(const struct vp_config *cfg, const struct vp_system *sys,
		    const struct vp_selection *sel, const struct vp_plan *plan,
		    const struct vp_plan *view, struct vp_effect_report *ret) _must_check_;

/* The judge on the plan itself: its errors become refusals, its warnings warnings. */
int vp_plan_effective(const struct vp_config *cfg, const struct vp_system *sys,
		      const struct vp_selection *sel, struct vp_plan *plan) _must_check_;
