/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel command line tokens, pure. Splits a line the way the kernel does
 * (next_arg() in lib/cmdline.c), merges our tokens into it keeping every
 * other byte, and reverts that merge.
 *
 * Merge rules (vp_cmdline_apply):
 *  - A word "matches" a planned token when their keys are equal, '-' and '_'
 *    being the same character (as the kernel's parameq()). The first matching
 *    word is replaced in place by our token, later ones are dropped; a token
 *    with token == NULL drops every matching word.
 *  - Exceptions, because the kernel gives these meaning by repetition:
 *    hugepagesz=SIZE only matches a word of the same size (1G == 1024M), so
 *    a user's 2 MiB pool is left alone; hugepages=N only matches the words
 *    governed by a matching hugepagesz= (the last one before it), and when
 *    added it goes right after our hugepagesz= so that it counts for that
 *    size; rd.driver.pre accumulates in dracut, so it is added only when no
 *    word lists the same module, and other words of that key stay.
 *  - Words after a bare "--" belong to init and are never touched; new
 *    tokens go before it, or at the end.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

/* x86 COMMAND_LINE_SIZE: 2048 bytes including the terminating NUL. */
#define VP_CMDLINE_MAX 2048

/* One word of a command line, pointing into the split string. */
struct vp_cmdline_word {
	const char *sep;        /* whitespace before the word */
	size_t sep_len;
	const char *text;       /* the word as spelled, quotes included */
	size_t len;
	const char *key;        /* name: leading quote and "=value" stripped */
	size_t key_len;
	const char *val;        /* value, surrounding quotes stripped; NULL = flag */
	size_t val_len;
};

struct vp_cmdline {
	struct vp_cmdline_word *w;
	size_t n;
	size_t n_params;        /* words before a bare "--" (== n without one) */
	const char *trail;      /* whitespace after the last word */
	size_t trail_len;
};

/*
 * Splits s (not copied: the words point into it). An unterminated quote is
 * -EINVAL with *ret_msg "unterminated quote ... at byte N": the kernel would
 * silently swallow the rest of the line into one parameter.
 */
int vp_cmdline_split(const char *s, struct vp_cmdline *ret, char **ret_msg);
void vp_cmdline_free(struct vp_cmdline *c);

/* Key equality as the kernel's parameq(): '-' and '_' are the same. */
bool vp_cmdline_key_eq(const char *a, size_t alen, const char *b, size_t blen);
/* The key of a token string ("intel_iommu=on" -> "intel_iommu"), its length. */
size_t vp_cmdline_key_len(const char *token);

/*
 * Merges the planned tokens into orig (NULL is an empty line) into a new
 * malloc'ed *ret. Does not check the length: see vp_cmdline_check_size.
 */
int vp_cmdline_apply(const char *orig, const struct vp_cmdline_token *t, size_t n,
		     char **ret, char **ret_msg);

/*
 * Removes from orig every word that vp_cmdline_apply would replace or drop,
 * adds nothing: for a line that another line (a drop-in) appends to.
 */
int vp_cmdline_strip(const char *orig, const struct vp_cmdline_token *t, size_t n,
		     char **ret, char **ret_msg);

/*
 * Undoes vp_cmdline_apply: removes the tokens we added and gives back what
 * we replaced. When cur is exactly what apply(orig) gave, the result is orig
 * byte for byte. When someone edited the line since, it works word by word
 * on cur: their edits stay, our words are removed or given back their old
 * spelling, and words we dropped as duplicates come back right after the
 * restored one (their old place may not exist any more).
 */
int vp_cmdline_revert(const char *orig, const char *cur, const struct vp_cmdline_token *t,
		      size_t n, char **ret, char **ret_msg);

/*
 * -E2BIG with *ret_msg "kernel command line is N bytes (with the
 * terminating NUL), M over the limit of L" when strlen(s) + 1 > limit.
 */
int vp_cmdline_check_size(const char *s, size_t limit, char **ret_msg);

/*
 * The first hugepages= word before any hugepagesz= (a count for the default
 * page size), malloc'ed into *ret_word; 0 and NULL when there is none.
 * With default_hugepagesz=1G such a count becomes a count of 1 GiB pages.
 */
int vp_cmdline_default_hugepages(const char *line, char **ret_word);

/* memparse(): "1G" -> 1073741824; false when not a size. */
bool vp_cmdline_parse_size(const char *s, size_t len, unsigned long long *ret);
