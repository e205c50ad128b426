// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Skeleton consumer checks, each to move into its own verify-<kind>.c
 * (the author removes its VSTUB line here).
 */
#include "verify.h"

#define VSTUB(name)                                                             \
	int vp_verify_##name(const struct vp_root *root, const struct vp_plan_file *file, \
			     const char *content, size_t len, struct vp_verify_report *rep) \
	{                                                                       \
		(void)root; (void)file; (void)content; (void)len; (void)rep;    \
		return 0;                                                       \
	}

