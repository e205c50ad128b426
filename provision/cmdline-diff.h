/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the pending changes do to kernel command lines, file by file: the
 * words of the planned keys (plan->cmdline) that a changed file gains,
 * loses or changes, and where (the variable or line kind that holds them).
 * Read from the old and new bytes of each change, so it shows real changes
 * only: a token already on a line is not "added". Pure: for `plan` and the
 * JSON documents, not for deciding anything.
 */
#pragma once

#include "apply.h"
#include "plan.h"

struct vp_cmdline_edit {
	const char *path;       /* the changed file (the plan's string) */
	char *variable;         /* "GRUB_CMDLINE_LINUX_DEFAULT", "options" (BLS), a rEFInd
				 * entry's label, NULL for a file that is one command line */
	unsigned line;          /* 1-based, in the new content (old for a removed line) */
	struct vp_strv added;   /* words that appear */
	struct vp_strv removed; /* words that go */
	struct vp_strv replaced_from, replaced_to; /* same key, another value: pairs */
};

struct vp_cmdline_edits {
	struct vp_cmdline_edit *v;
	size_t n;
	/* planned tokens found on some command line of a planned file, changed or not */
	struct vp_strv mentioned;
};

int vp_cmdline_edits_compute(const struct vp_plan *plan, const struct vp_changes *changes,
			     struct vp_cmdline_edits *ret);
void vp_cmdline_edits_free(struct vp_cmdline_edits *e);

/* Some edit adds (or replaces another word by) the word token. */
bool vp_cmdline_edits_adds(const struct vp_cmdline_edits *e, const char *token,
			   const char **ret_replaced);
/* Some edit drops a word of key (not counting replacements). */
bool vp_cmdline_edits_removes(const struct vp_cmdline_edits *e, const char *key);
