// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shared shell lexer (shell-lex.c) on its own. Invariants: it returns
 * 0, or -EINVAL with a message and a line inside the text; every span
 * (statement, name, value, word, expansion) lies inside the text, in order,
 * and names are shell names; line numbers are those of the bytes they name;
 * each word round-trips: its text, quoted again and lexed as a value, gives
 * the same text; and a scalar value replaced by its re-quoted text leaves
 * the same assignments (names, in order) in the file.
 */
#include <errno.h>

#include "fuzz.h"
#include "quote.h"
#include "shell-lex.h"

static unsigned line_at(const char *s, size_t pos)
{
	unsigned n = 1;

	for (size_t i = 0; i < pos; i++)
		n += s[i] == '\n';
	return n;
}

static bool is_name(const char *s, size_t n)
{
	if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* quote(text) as the value of X=, lexed: the same text back. */
static void round_trip(const char *text)
{
	struct vp_buf b = {0};
	struct vp_shlex l;

	FUZZ_CHECK(vp_buf_puts(&b, "X=") == 0);
	FUZZ_CHECK(vp_sh_quote(&b, text) == 0);
	FUZZ_CHECK(vp_shlex(b.s, b.len, &l) == 0);
	FUZZ_CHECK(l.n_asg == 1 && !l.asg[0].array && l.asg[0].n_words == 1);
	FUZZ_CHECK(strcmp(l.asg[0].words[0].text, text) == 0);
	FUZZ_CHECK(l.asg[0].words[0].n_exp == 0);
	vp_shlex_free(&l);
	vp_buf_free(&b);
}

static void check_word(const char *s, size_t lo, size_t hi, const struct vp_shlex_word *w)
{
	FUZZ_CHECK(lo <= w->start && w->start <= w->end && w->end <= hi);
	FUZZ_CHECK(w->line == line_at(s, w->start));
	FUZZ_CHECK(w->text && strlen(w->text) <= w->end - w->start);
	if (!(w->flags & (VP_SHLEX_SQUOTE | VP_SHLEX_DQUOTE | VP_SHLEX_ESCAPE | VP_SHLEX_CONT)))
		FUZZ_CHECK(strlen(w->text) == w->end - w->start &&
			   memcmp(w->text, s + w->start, w->end - w->start) == 0);
	if (w->quote)
		FUZZ_CHECK(w->end - w->start >= 2 && s[w->start] == w->quote &&
			   s[w->end - 1] == w->quote);
	FUZZ_CHECK(!w->n_exp == !(w->flags & VP_SHLEX_EXPAND));
	for (size_t k = 0; k < w->n_exp; k++) {
		const struct vp_shlex_exp *e = &w->exp[k];

		FUZZ_CHECK(w->start <= e->start && e->start < e->end && e->end <= w->end);
		FUZZ_CHECK(k == 0 || w->exp[k - 1].end <= e->start);
		FUZZ_CHECK(s[e->start] == '$' || s[e->start] == '`');
		if (e->kind == VP_SHLEX_VAR)
			FUZZ_CHECK(e->start < e->name && e->name + e->name_len <= e->end &&
				   is_name(s + e->name, e->name_len));
	}
	round_trip(w->text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	size_t len = strlen(s);         /* a NUL ends the text */
	struct vp_shlex l;
	struct vp_buf b = {0};
	size_t prev_end = 0;
	int r;

	r = vp_shlex(s, size, &l);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r < 0) {
		FUZZ_CHECK(l.err && *l.err && l.n_asg == 0);
		FUZZ_CHECK(l.err_line >= 1 && l.err_line <= line_at(s, len));
		vp_shlex_free(&l);
		free(s);
		return 0;
	}
	for (size_t i = 0; i < l.n_asg; i++) {
		const struct vp_shlex_asg *a = &l.asg[i];
		size_t lo = a->vstart;

		FUZZ_CHECK(prev_end <= a->start && a->start <= a->name);
		FUZZ_CHECK(a->name + a->name_len < a->vstart && a->vstart <= a->vend &&
			   a->vend <= a->end && a->end <= len);
		FUZZ_CHECK(is_name(s + a->name, a->name_len));
		FUZZ_CHECK(s[a->name + a->name_len] == (a->append ? '+' : '='));
		FUZZ_CHECK(a->line == line_at(s, a->name));
		if (a->start != a->name)
			FUZZ_CHECK(a->exported && strncmp(s + a->start, "export", 6) == 0);
		if (a->array) {
			FUZZ_CHECK(s[a->vstart - 1] == '(' && s[a->vend] == ')' && a->end == a->vend + 1);
		} else {
			FUZZ_CHECK(a->n_words == 1 && a->words[0].start == a->vstart &&
				   a->words[0].end == a->vend && a->end == a->vend);
		}
		for (size_t k = 0; k < a->n_words; k++) {
			check_word(s, lo, a->vend, &a->words[k]);
			lo = a->words[k].end;
		}
		prev_end = a->end;
	}

	/* every scalar value re-quoted: the same assignments */
	for (size_t i = 0, at = 0; i < l.n_asg; i++) {
		const struct vp_shlex_asg *a = &l.asg[i];

		if (!a->array) {
			FUZZ_CHECK(vp_buf_add(&b, s + at, a->vstart - at) == 0);
			FUZZ_CHECK(vp_sh_quote(&b, a->words[0].text) == 0);
			at = a->vend;
		}
		if (i + 1 == l.n_asg && b.s)
			FUZZ_CHECK(vp_buf_add(&b, s + at, len - at) == 0);
	}
	if (b.s) {
		struct vp_shlex l2;

		FUZZ_CHECK(vp_shlex(b.s, b.len, &l2) == 0);
		FUZZ_CHECK(l2.n_asg == l.n_asg);
		for (size_t i = 0; i < l.n_asg; i++)
			FUZZ_CHECK(l2.asg[i].name_len == l.asg[i].name_len &&
				   memcmp(b.s + l2.asg[i].name, s + l.asg[i].name,
					  l.asg[i].name_len) == 0 &&
				   l2.asg[i].array == l.asg[i].array &&
				   l2.asg[i].append == l.asg[i].append);
		vp_shlex_free(&l2);
	}
	vp_buf_free(&b);
	vp_shlex_free(&l);
	free(s);
	return 0;
}
