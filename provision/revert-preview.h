/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `revert` would do (revert --dry-run), from vp_revert_compute: the
 * same undo of our items on the files as they are, without the lock and
 * without writing; plus the directories we created (removed when empty).
 */
#pragma once

#include "apply.h"

struct vp_revert_preview_item {
	char *path;
	const char *action;     /* "restore", "remove", "rmdir" (if empty) */
	char *cur;              /* bytes now, NULL when absent */
	size_t cur_len;
	char *orig;             /* bytes revert writes back, NULL for a removal */
	size_t orig_len;
};

struct vp_revert_preview {
	struct vp_revert_preview_item *v;
	size_t n;
};

/* Newest first, as revert goes. No ledger: n = 0. */
int vp_revert_preview(const struct vp_root *root, bool force, struct vp_revert_preview *ret,
		      char **ret_msg);
void vp_revert_preview_free(struct vp_revert_preview *p);
