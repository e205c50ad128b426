/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Taking our edits back out of a file that someone may have edited since.
 * Pure.
 *
 * We know three versions of a shared file: base (the file without us),
 * ours (exactly what we wrote: base plus our edits) and cur (the file
 * now). Our edits are the differences base -> ours, line by line and,
 * inside a line that both we and the user changed, word by word (a word
 * is a run of bytes without blanks, quotes or parentheses, so a kernel
 * command-line token or a MODULES=() entry is one word). vp_merge3_undo
 * undoes each of them on cur where it still stands as we wrote it:
 *   - a line or word we added is removed,
 *   - a line or word we replaced gets its old bytes back,
 *   - a line or word we removed is put back next to its old neighbours;
 * everything else in cur, the user's later edits included, is kept byte
 * for byte. An edit of ours that the user changed since (our fstab line
 * edited, our token given another value) is left alone and described in
 * *ret_kept ("line N: word 'CUR' (vfio-provision wrote 'OURS')"); with
 * force such a line or word is undone anyway, and still described. One the
 * user took out is described in *ret_removed (may be NULL).
 * When cur is byte-identical to ours the result is base, exactly.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vp.h"

int vp_merge3_undo(const char *base, size_t base_len, const char *ours, size_t ours_len,
		   const char *cur, size_t cur_len, bool force, char **ret, size_t *ret_len,
		   struct vp_strv *ret_kept) _must_check_;
int vp_merge3_undo_notes(const char *base, size_t base_len, const char *ours, size_t ours_len,
			 const char *cur, size_t cur_len, bool force, char **ret, size_t *ret_len,
			 struct vp_strv *ret_changed, struct vp_strv *ret_removed) _must_check_;
