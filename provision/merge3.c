// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Undoing our edits on a file edited since (see merge3.h). Two levels, the
 * same algorithm: align ours with base (our edits are the hunks between
 * matched lines) and ours with cur (where each line of ours stands now),
 * then undo every hunk whose lines of ours are still in cur. A line that
 * both sides changed is undone word by word. Alignment is a longest common
 * subsequence after trimming the common head and tail: files we edit are
 * small and mostly equal, so the table stays tiny.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "merge3.h"

/* (m+1)*(n+1) cells at most: a few MiB for two 2000-line middles */
#define LCS_MAX_CELLS (4u << 20)

struct span {
	const char *s;
	size_t len;
};

struct spans {
	struct span *v;
	size_t n;
};

static bool span_eq(struct span a, struct span b)
{
	return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

static int spans_push(struct spans *sp, const char *s, size_t len)
{
	struct span *v = realloc(sp->v, (sp->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	sp->v = v;
	v[sp->n++] = (struct span){s, len};
	return 0;
}

/* Lines with their terminators: CRLF and a missing last newline stay as they are. */
static int split_lines(const char *s, size_t len, struct spans *ret)
{
	size_t i = 0;
	int r = 0;

	while (i < len && r == 0) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (s + i)) + 1 : len - i;

		r = spans_push(ret, s + i, l);
		i += l;
	}
	return r;
}

static bool is_glue(char c)
{
	return strchr(" \t\r\n\"'()", c) != NULL || c == '\0';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int split_words(struct span line, struct spans *ret)
{
	size_t i = 0;
	int r = 0;

	while (i < line.len && r == 0) {
		size_t j = i;

		if (is_glue(line.s[i])) {
			i++;
			continue;
		}
		while (j < line.len && !is_glue(line.s[j]))
			j++;
		r = spans_push(ret, line.s + i, j - i);
		i = j;
	}
	return r;
}

/*
 * ret[i]: the index in b of a[i] in a longest common subsequence, -1 when
 * a[i] is not in it. -E2BIG when the differing middles are too large.
 */
static int align(const struct span *a, size_t na, const struct span *b, size_t nb, long *ret)
{
	size_t pre = 0, suf = 0, m, n, i, j;
	uint32_t *t;

	for (i = 0; i < na; i++)
		ret[i] = -1;
	while (pre < na && pre < nb && span_eq(a[pre], b[pre])) {
		ret[pre] = (long)pre;
		pre++;
	}
	while (suf < na - pre && suf < nb - pre && span_eq(a[na - 1 - suf], b[nb - 1 - suf])) {
		ret[na - 1 - suf] = (long)(nb - 1 - suf);
		suf++;
	}
	m = na - pre - suf;
	n = nb - pre - suf;
	if (m == 0 || n == 0)
		return 0;
	if ((m + 1) > LCS_MAX_CELLS / (n + 1))
		return -E2BIG;
	t = calloc((m + 1) * (n + 1), sizeof(*t));
	if (!t)
		return -ENOMEM;
#define T(x, y) t[(x) * (n + 1) + (y)]
	/* T(i, j): LCS length of the suffixes a[pre+i..], b[pre+j..] */
	for (i = m; i-- > 0;)
		for (j = n; j-- > 0;)
			T(i, j) = span_eq(a[pre + i], b[pre + j]) ? T(i + 1, j + 1) + 1
				  : T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
	for (i = 0, j = 0; i < m && j < n;) {
		if (span_eq(a[pre + i], b[pre + j]) && T(i, j) == T(i + 1, j + 1) + 1) {
			ret[pre + i] = (long)(pre + j);
			i++;
			j++;
		} else if (T(i + 1, j) >= T(i, j + 1)) {
			i++;
		} else {
			j++;
		}
	}
#undef T
	free(t);
	return 0;
}

/*
 * The key that pairs a line (or word) of ours with its old or new self:
 * a line's first word up to '=' ("GRUB_CMDLINE_LINUX", "MODULES", the
 * fstab device), a word's name before '='. Comments and blank lines have
 * none.
 */
static struct span key_of(struct span x, bool word)
{
	size_t i = 0, j;

	if (!word)
		while (i < x.len && (is_blank(x.s[i]) || x.s[i] == '"' || x.s[i] == '\''))
			i++;
	if (i == x.len || x.s[i] == '#' || is_glue(x.s[i]))
		return (struct span){NULL, 0};
	for (j = i; j < x.len && !is_glue(x.s[j]) && x.s[j] != '='; j++)
		;
	return (struct span){x.s + i, j - i};
}

/* Kernel parameter names: '-' and '_' are the same (parameq()). */
static bool key_eq(struct span a, struct span b)
{
	if (!a.len || a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++) {
		char x = a.s[i] == '-' ? '_' : a.s[i], y = b.s[i] == '-' ? '_' : b.s[i];

		if (x != y)
			return false;
	}
	return true;
}

/* What happens to each element of cur. */
struct edits {
	bool *drop;             /* removed */
	struct span *repl;      /* replaced by these bytes when .s */
	struct vp_buf *ins;     /* inserted before element i (n+1 slots) */
	bool *claimed;          /* matched to an element of ours */
	struct vp_strv owned;   /* bytes that repl[] points to */
	size_t *skip;           /* word level: glue (a closing quote) that ins[i] goes after */
	size_t n;
};

static void edits_free(struct edits *e)
{
	if (e->ins)
		for (size_t i = 0; i <= e->n; i++)
			vp_buf_free(&e->ins[i]);
	free(e->drop);
	free(e->repl);
	free(e->ins);
	free(e->claimed);
	free(e->skip);
	vp_strv_free(&e->owned);
}

static int edits_init(struct edits *e, size_t n)
{
	*e = (struct edits){.n = n};
	e->drop = calloc(n + 1, sizeof(*e->drop));
	e->repl = calloc(n + 1, sizeof(*e->repl));
	e->ins = calloc(n + 1, sizeof(*e->ins));
	e->claimed = calloc(n + 1, sizeof(*e->claimed));
	e->skip = calloc(n + 1, sizeof(*e->skip));
	return e->drop && e->repl && e->ins && e->claimed && e->skip ? 0 : -ENOMEM;
}

/* One alignment problem: base -> ours is what we did, ours -> cur where it went. */
struct level {
	const struct spans *b, *o, *c;
	long *ob, *oc;          /* ours[i] in base / in cur, -1 when not */
	bool word;
	bool force;
	struct edits ed;
	struct vp_strv *kept;           /* items of ours the user changed */
	struct vp_strv *removed;        /* items of ours the user took out (may be NULL) */
	size_t c_line;          /* for messages, word level: the line in cur */
	struct span b_line;     /* word level: the base line the words are in */
};

/* The bytes of an element without its line end, for messages. */
static int shown(struct span x)
{
	size_t l = x.len;

	while (l && (x.s[l - 1] == '\n' || x.s[l - 1] == '\r'))
		l--;
	return (int)l;
}

/* "line N: word 'CUR' (vfio-provision wrote 'OURS')": an item of ours the user changed. */
static int note(struct level *lv, size_t ci, struct span cur, struct span ours)
{
	size_t line = lv->word ? lv->c_line : ci + 1;

	return vp_strv_push_take(lv->kept, vp_strdup_printf(
		"line %zu: %s '%.*s' (vfio-provision wrote '%.*s')", line,
		lv->word ? "word" : "line", shown(cur), cur.s, shown(ours), ours.s));
}

/* "word 'OURS' is gone": an item of ours the user took out. */
static int note_gone(struct level *lv, struct span ours)
{
	if (!lv->removed)
		return 0;
	if (lv->word)
		return vp_strv_push_take(lv->removed, vp_strdup_printf(
			"line %zu: word '%.*s' of vfio-provision's is gone", lv->c_line,
			shown(ours), ours.s));
	return vp_strv_push_take(lv->removed, vp_strdup_printf(
		"line '%.*s' of vfio-provision's is gone", shown(ours), ours.s));
}

static int undo_words(struct span base, struct span ours, struct span cur, bool force,
		      size_t c_line, struct vp_strv *kept, struct vp_strv *removed,
		      struct vp_buf *out);

/* How many words of a are also words of b (each word of b counted once). */
static size_t shared_words(struct span a, struct span b)
{
	struct spans wa = {0}, wb = {0};
	size_t n = 0;
	bool *used;

	if (split_words(a, &wa) < 0 || split_words(b, &wb) < 0)
		goto out;
	used = calloc(wb.n + 1, sizeof(*used));
	for (size_t i = 0; used && i < wa.n; i++)
		for (size_t j = 0; j < wb.n; j++)
			if (!used[j] && span_eq(wa.v[i], wb.v[j])) {
				used[j] = true;
				n++;
				break;
			}
	free(used);
out:
	free(wa.v);
	free(wb.v);
	return n;
}

/*
 * An element of cur in (lo, hi) that nothing claimed and has the key of x.
 * A line with no key of its own (a whole command line, /etc/kernel/cmdline)
 * or whose first word the user changed is found by its words instead: the
 * one sharing most of them, more than half of x's.
 */
static long counterpart(struct level *lv, long lo, long hi, struct span x)
{
	struct span k = key_of(x, lv->word);
	struct spans wx = {0};
	size_t best_n = 0;
	long best = -1;

	for (long j = lo + 1; k.len && j < hi; j++)
		if (!lv->ed.claimed[j] && key_eq(key_of(lv->c->v[j], lv->word), k))
			return j;
	if (lv->word || split_words(x, &wx) < 0 || wx.n < 2) {
		free(wx.v);
		return -1;
	}
	for (long j = lo + 1; j < hi; j++) {
		size_t n = lv->ed.claimed[j] ? 0 : shared_words(x, lv->c->v[j]);

		if (n > best_n) {
			best_n = n;
			best = j;
		}
	}
	if (best_n * 2 <= wx.n)
		best = -1;
	free(wx.v);
	return best;
}

/* Element j of cur becomes b's bytes (kept alive by the edits); r: the producer's result. */
static int replace_with(struct level *lv, long j, struct vp_buf *b, int r)
{
	size_t len = b->len;
	char *bytes = vp_buf_steal(b);

	if (r >= 0 && !bytes)
		r = -ENOMEM;
	if (r < 0) {
		free(bytes);
		return r;
	}
	r = vp_strv_push_take(&lv->ed.owned, bytes);
	if (r >= 0)
		lv->ed.repl[j] = (struct span){bytes, len};
	return r;
}

/* "KEY=..." as the first word: a line that holds a list of values. */
static bool assignment(struct span line)
{
	struct span k = key_of(line, false);

	return k.len && k.s + k.len < line.s + line.len && k.s[k.len] == '=';
}

/* Word by word against the line's first word alone (what a line we added "was"). */
static int undo_line(struct level *lv, long j, struct span ov)
{
	struct span k = key_of(ov, false), base;
	struct vp_buf b = {0};
	int r;

	/* the first word: up to the first glue after the key */
	base.s = ov.s;
	base.len = (size_t)(k.s - ov.s) + k.len;
	while (base.len < ov.len && !is_glue(ov.s[base.len]))
		base.len++;
	r = undo_words(base, ov, lv->c->v[j], lv->force, (size_t)j + 1, lv->kept, lv->removed, &b);
	r = replace_with(lv, j, &b, r);
	if (r >= 0) {
		/* nothing of the user's left on it: the line goes as it came */
		struct spans left = {0};

		r = split_words(lv->ed.repl[j], &left);
		if (r >= 0 && left.n <= 1)
			lv->ed.drop[j] = true;
		free(left.v);
	}
	return r;
}

/*
 * A hunk: base[b0, b1) became ours[o0, o1). lo and hi are the lines of cur
 * around it; pair[k] is the base line that ours[o0 + k] replaced (-1 none),
 * used[x] whether base[b0 + x] is paired, land[x] the line of cur where it
 * landed (-1 none).
 */
struct hunk {
	size_t b0, b1, o0, o1;
	long lo, hi;
	long *pair, *land;
	bool *used;
};

/* Where the hunk sits in cur: between the nearest lines of ours still there. */
static void hunk_bounds(const struct level *lv, struct hunk *h)
{
	h->lo = -1;
	h->hi = (long)lv->c->n;
	for (size_t k = h->o0; k-- > 0;)
		if (lv->oc[k] >= 0) {
			h->lo = lv->oc[k];
			break;
		}
	for (size_t k = h->o1; k < lv->o->n; k++)
		if (lv->oc[k] >= 0) {
			h->hi = lv->oc[k];
			break;
		}
}

/* Pairs what we replaced with what replaced it: by position, else by key. */
static void hunk_pair(const struct level *lv, struct hunk *h)
{
	size_t nb = h->b1 - h->b0, no = h->o1 - h->o0, next_b = h->b0;

	for (size_t k = 0; k < no; k++) {
		h->pair[k] = -1;
		/* lines edited in place pair by position; words only by name */
		if (nb == no && !lv->word) {
			h->pair[k] = (long)(h->b0 + k);
		} else {
			struct span key = key_of(lv->o->v[h->o0 + k], lv->word);

			for (size_t x = next_b; x < h->b1 && key.len; x++)
				if (key_eq(key, key_of(lv->b->v[x], lv->word))) {
					h->pair[k] = (long)x;
					next_b = x + 1;
					break;
				}
		}
		if (h->pair[k] >= 0)
			h->used[h->pair[k] - (long)h->b0] = true;
	}
}

/* One line (word) of ours in the hunk: undone, or said when the user changed it. */
static int hunk_undo_one(struct level *lv, struct hunk *h, size_t k)
{
	long j = lv->oc[h->o0 + k], s = h->pair[k];
	struct span ov = lv->o->v[h->o0 + k];
	int r;

	if (j >= 0) {
		/* ours, as we wrote it: undo */
		if (s >= 0) {
			lv->ed.repl[j] = lv->b->v[s];
			h->land[s - (long)h->b0] = j;
		} else {
			lv->ed.drop[j] = true;
		}
		return 0;
	}
	j = counterpart(lv, h->lo, h->hi, ov);
	if (j < 0)
		return note_gone(lv, ov);       /* nothing of ours left to undo */
	lv->ed.claimed[j] = true;
	if (s >= 0)
		h->land[s - (long)h->b0] = j;
	if (s < 0 && !lv->word && assignment(ov))
		/*
		 * A KEY="..." line we added and the user edited since:
		 * our words out of it, theirs stay, the line with them.
		 */
		return undo_line(lv, j, ov);
	if (s >= 0 && !lv->word) {
		/* both changed this line: word by word */
		struct vp_buf b = {0};

		r = undo_words(lv->b->v[s], ov, lv->c->v[j], lv->force, (size_t)j + 1, lv->kept,
			       lv->removed, &b);
		return replace_with(lv, j, &b, r);
	}
	/* changed since: said either way, undone only with force */
	r = note(lv, (size_t)j, lv->c->v[j], ov);
	if (r >= 0 && lv->force && s >= 0)
		lv->ed.repl[j] = lv->b->v[s];
	else if (r >= 0 && lv->force)
		lv->ed.drop[j] = true;
	return r;
}

/*
 * Base line (word) b0 + x, which we removed, goes back after its old
 * neighbour, else where the hunk starts.
 */
static int hunk_restore_one(struct level *lv, const struct hunk *h, size_t x)
{
	struct span w = lv->b->v[h->b0 + x];
	long slot = h->lo + 1;
	/* the base word it followed: in the hunk, else the one before it */
	const char *after = h->b0 > 0 ? lv->b->v[h->b0 - 1].s + lv->b->v[h->b0 - 1].len : NULL;
	const char *g;

	for (size_t y = x; y-- > 0;)
		if (h->land[y] >= 0) {
			slot = h->land[y] + 1;
			after = lv->b->v[h->b0 + y].s + lv->b->v[h->b0 + y].len;
			break;
		}
	if (lv->word && after) {
		/* a quote that closed after that word closes before this one too */
		size_t n = 0;

		while (after + n < w.s && is_glue(after[n]) && !is_blank(after[n]))
			n++;
		if (n > lv->ed.skip[slot])
			lv->ed.skip[slot] = n;
	}
	if (!lv->word)
		return vp_buf_add(&lv->ed.ins[slot], w.s, w.len);
	if (slot == 0)
		return vp_buf_printf(&lv->ed.ins[slot], "%.*s ", (int)w.len, w.s);
	/* after a word: with the blanks it had before it, when only blanks */
	for (g = w.s; g > lv->b_line.s && is_blank(g[-1]);)
		g--;
	if (g == w.s)
		return vp_buf_printf(&lv->ed.ins[slot], " %.*s", (int)w.len, w.s);
	return vp_buf_add(&lv->ed.ins[slot], g, (size_t)(w.s - g) + w.len);
}

static int do_hunk(struct level *lv, size_t b0, size_t b1, size_t o0, size_t o1)
{
	struct hunk h = {.b0 = b0, .b1 = b1, .o0 = o0, .o1 = o1};
	size_t nb = b1 - b0, no = o1 - o0;
	int r = 0;

	h.pair = calloc(no + 1, sizeof(*h.pair));
	h.land = malloc((nb + 1) * sizeof(*h.land));
	h.used = calloc(nb + 1, sizeof(*h.used));
	if (!h.pair || !h.land || !h.used) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t x = 0; x < nb; x++)
		h.land[x] = -1;
	hunk_bounds(lv, &h);
	hunk_pair(lv, &h);
	for (size_t k = 0; k < no && r >= 0; k++)
		r = hunk_undo_one(lv, &h, k);
	for (size_t x = 0; x < nb && r >= 0; x++)
		if (!h.used[x])
			r = hunk_restore_one(lv, &h, x);
out:
	free(h.pair);
	free(h.land);
	free(h.used);
	return r;
}

/* Aligns the three versions and fills lv->ed with the undo of every hunk. */
static int run_level(struct level *lv)
{
	size_t nb = lv->b->n, no = lv->o->n, b0 = 0, o0 = 0;
	int r;

	lv->ob = calloc(no + 1, sizeof(long));
	lv->oc = calloc(no + 1, sizeof(long));
	if (!lv->ob || !lv->oc)
		return -ENOMEM;
	r = edits_init(&lv->ed, lv->c->n);
	if (r >= 0)
		r = align(lv->o->v, no, lv->b->v, nb, lv->ob);
	if (r >= 0)
		r = align(lv->o->v, no, lv->c->v, lv->c->n, lv->oc);
	if (r < 0)
		return r;
	for (size_t k = 0; k < no; k++)
		if (lv->oc[k] >= 0)
			lv->ed.claimed[lv->oc[k]] = true;
	/* hunks: the runs between lines of ours that are also in base */
	while (r >= 0) {
		size_t o1 = o0, b1;

		while (o1 < no && lv->ob[o1] < 0)
			o1++;
		b1 = o1 < no ? (size_t)lv->ob[o1] : nb;
		if (b1 > b0 || o1 > o0)
			r = do_hunk(lv, b0, b1, o0, o1);
		if (o1 == no)
			break;
		b0 = b1 + 1;
		o0 = o1 + 1;
	}
	return r;
}

static void level_free(struct level *lv)
{
	free(lv->ob);
	free(lv->oc);
	edits_free(&lv->ed);
}

/* Drops the element's blank run on one side along with it. */
static int put_words(const struct level *lv, struct span line, struct vp_buf *out)
{
	const struct spans *c = lv->c;
	const struct edits *e = &lv->ed;
	size_t pos = 0;
	int r = 0;

	/* ins[j] (j > 0) follows word j-1 right away; ins[0] goes before word 0 */
	for (size_t j = 0; j < c->n && r >= 0; j++) {
		size_t at = (size_t)(c->v[j].s - line.s), glue_end = at, end = at + c->v[j].len;

		if (e->drop[j]) {
			if (glue_end > pos && is_blank(line.s[glue_end - 1])) {
				while (glue_end > pos && is_blank(line.s[glue_end - 1]))
					glue_end--;
			} else {
				while (end < line.len && is_blank(line.s[end]))
					end++;
			}
		}
		if (j > 0 && e->ins[j].len) {
			size_t g = 0;

			while (g < e->skip[j] && pos + g < glue_end && !is_blank(line.s[pos + g]))
				g++;
			r = vp_buf_add(out, line.s + pos, g);
			pos += g;
			if (r >= 0)
				r = vp_buf_add(out, e->ins[j].s, e->ins[j].len);
		}
		if (r >= 0)
			r = vp_buf_add(out, line.s + pos, glue_end - pos);
		if (r >= 0 && j == 0 && e->ins[0].len)
			r = vp_buf_add(out, e->ins[0].s, e->ins[0].len);
		if (r >= 0 && !e->drop[j])
			r = e->repl[j].s ? vp_buf_add(out, e->repl[j].s, e->repl[j].len)
					 : vp_buf_add(out, c->v[j].s, c->v[j].len);
		pos = end;
	}
	if (r >= 0 && e->ins[c->n].len) {
		if (c->n == 0) {
			/* no word at all: "w " at the start of the line */
			r = vp_buf_add(out, e->ins[0].s, e->ins[0].len);
		} else {
			size_t g = 0;

			while (g < e->skip[c->n] && pos + g < line.len && is_glue(line.s[pos + g]) &&
			       !is_blank(line.s[pos + g]) && line.s[pos + g] != '\n')
				g++;
			r = vp_buf_add(out, line.s + pos, g);
			pos += g;
			if (r >= 0)
				r = vp_buf_add(out, e->ins[c->n].s, e->ins[c->n].len);
		}
	}
	if (r >= 0)
		r = vp_buf_add(out, line.s + pos, line.len - pos);
	return r;
}

static int undo_words(struct span base, struct span ours, struct span cur, bool force,
		      size_t c_line, struct vp_strv *kept, struct vp_strv *removed,
		      struct vp_buf *out)
{
	struct spans b = {0}, o = {0}, c = {0};
	struct level lv = {.b = &b, .o = &o, .c = &c, .word = true, .force = force,
			   .kept = kept, .removed = removed, .c_line = c_line, .b_line = base};
	int r;

	r = split_words(base, &b);
	if (r >= 0)
		r = split_words(ours, &o);
	if (r >= 0)
		r = split_words(cur, &c);
	if (r >= 0)
		r = run_level(&lv);
	if (r >= 0)
		r = put_words(&lv, cur, out);
	level_free(&lv);
	free(b.v);
	free(o.v);
	free(c.v);
	return r;
}

int vp_merge3_undo(const char *base, size_t base_len, const char *ours, size_t ours_len,
		   const char *cur, size_t cur_len, bool force, char **ret, size_t *ret_len,
		   struct vp_strv *ret_kept)
{
	return vp_merge3_undo_notes(base, base_len, ours, ours_len, cur, cur_len, force, ret,
				    ret_len, ret_kept, NULL);
}

int vp_merge3_undo_notes(const char *base, size_t base_len, const char *ours, size_t ours_len,
			 const char *cur, size_t cur_len, bool force, char **ret, size_t *ret_len,
			 struct vp_strv *ret_changed, struct vp_strv *ret_removed)
{
	struct spans b = {0}, o = {0}, c = {0};
	struct level lv = {.b = &b, .o = &o, .c = &c, .force = force, .kept = ret_changed,
			   .removed = ret_removed};
	struct vp_buf out = {0};
	int r;

	if (cur_len == ours_len && memcmp(cur, ours, cur_len) == 0) {
		/* nobody touched it: exactly the bytes from before */
		r = vp_buf_add(&out, base ? base : "", base_len);
		goto done;
	}
	r = split_lines(base, base_len, &b);
	if (r >= 0)
		r = split_lines(ours, ours_len, &o);
	if (r >= 0)
		r = split_lines(cur, cur_len, &c);
	if (r >= 0)
		r = run_level(&lv);
	for (size_t j = 0; j <= c.n && r >= 0; j++) {
		if (lv.ed.ins[j].len)
			r = vp_buf_add(&out, lv.ed.ins[j].s, lv.ed.ins[j].len);
		if (r < 0 || j == c.n || lv.ed.drop[j])
			continue;
		if (lv.ed.repl[j].s)
			r = vp_buf_add(&out, lv.ed.repl[j].s, lv.ed.repl[j].len);
		else
			r = vp_buf_add(&out, c.v[j].s, c.v[j].len);
	}
	level_free(&lv);
	free(b.v);
	free(o.v);
	free(c.v);
done:
	if (r >= 0 && !out.s)
		r = vp_buf_puts(&out, "");
	if (r < 0) {
		vp_buf_free(&out);
		return r;
	}
	*ret_len = out.len;
	*ret = vp_buf_steal(&out);
	return 0;
}
