/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `revert` would do, read from the journal without taking the lock or
 * writing anything (revert --dry-run). Kept apart from revert.c on purpose:
 * it reads the journal format of apply.h and follows revert.c's rules
 * (skip the state directory, a file already back as it was is left alone).
 */
#pragma once

#include "apply.h"

struct vp_revert_item {
	char *path;
	const char *action;     /* "restore", "remove", "rmdir" (if empty) */
	char *cur;              /* bytes now, NULL when absent */
	size_t cur_len;
	char *orig;             /* bytes revert writes back, NULL for a removal */
	size_t orig_len;
};

struct vp_revert_preview {
	struct vp_revert_item *v;
	size_t n;
};

/* Newest journal entry first, as revert goes. No journal: n = 0. */
int vp_revert_preview(const struct vp_root *root, struct vp_revert_preview *ret,
		      char **ret_msg);
void vp_revert_preview_free(struct vp_revert_preview *p);
