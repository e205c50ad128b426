/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unified diffs of two texts (pure; Myers' O(ND) algorithm on lines). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vp.h"

#define VP_DIFF_CONTEXT 3

/*
 * Appends to out the unified diff turning old into new, `diff -u` style:
 * "--- a/PATH", "+++ b/PATH", "@@ -l,n +l,n @@" hunks with 3 lines of
 * context, "\ No newline at end of file" where one is missing. NULL means
 * the file does not exist (an empty side). Nothing is appended when the
 * texts are equal. With color, ANSI colours as git uses them.
 */
int vp_diff(const char *path, const char *old, size_t old_len, const char *new_,
	    size_t new_len, bool color, struct vp_buf *out);
