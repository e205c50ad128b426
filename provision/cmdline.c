// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel command line: split, merge, revert. Pure; see cmdline.h for the
 * rules. Every word we do not own keeps its bytes and the whitespace before
 * it, so an edit shows up in a diff as exactly our tokens.
 */
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "size.h"

/* The kernel's isspace() (lib/ctype.c) also counts 0xa0 (NBSP) as space. */
static bool k_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

void vp_cmdline_free(struct vp_cmdline *c)
{
	free(c->w);
	*c = (struct vp_cmdline){0};
}

int vp_cmdline_split(const char *s, struct vp_cmdline *ret, char **ret_msg)
{
	struct vp_cmdline c = {0};
	size_t cap = 0, pos = 0;
	bool seen_dashes = false;
	int r;

	if (!s)
		s = "";
	for (;;) {
		struct vp_cmdline_word w = {.sep = s + pos};
		size_t start, i, equals = 0;
		bool in_quote = false, quoted = false;

		while (k_isspace((unsigned char)s[pos]))
			pos++;
		w.sep_len = (size_t)(s + pos - w.sep);
		if (!s[pos]) {
			c.trail = w.sep;
			c.trail_len = w.sep_len;
			break;
		}
		/* next_arg(): a leading quote opens, then quotes toggle anywhere */
		start = pos;
		if (s[pos] == '"') {
			pos++;
			in_quote = quoted = true;
		}
		for (i = pos; s[i]; i++) {
			if (k_isspace((unsigned char)s[i]) && !in_quote)
				break;
			if (!equals && s[i] == '=' && i > pos)
				equals = i;
			if (s[i] == '"')
				in_quote = !in_quote;
		}
		if (in_quote) {
			r = vp_fail(ret_msg, -EINVAL,
				    "unterminated quote in kernel command line at byte %zu",
				    start + 1);
			goto fail;
		}
		w.text = s + start;
		w.len = i - start;
		w.key = s + pos;
		if (equals) {
			w.key_len = equals - pos;
			w.val = s + equals + 1;
			w.val_len = i - equals - 1;
			if (w.val_len && *w.val == '"') {
				w.val++;
				w.val_len--;
				if (w.val_len && w.val[w.val_len - 1] == '"')
					w.val_len--;
			} else if (quoted && w.val_len && w.val[w.val_len - 1] == '"') {
				w.val_len--;
			}
		} else {
			w.key_len = i - pos;
			if (quoted && w.key_len && w.key[w.key_len - 1] == '"')
				w.key_len--;
		}
		pos = i;

		if (c.n == cap) {
			struct vp_cmdline_word *nw;

			cap = cap ? cap * 2 : 16;
			nw = realloc(c.w, cap * sizeof(*nw));
			if (!nw) {
				r = -ENOMEM;
				goto fail;
			}
			c.w = nw;
		}
		c.w[c.n++] = w;
		/* parse_args() stops at a bare "--": the rest is for init */
		if (!seen_dashes && !w.val && w.len == 2 && memcmp(w.text, "--", 2) == 0) {
			seen_dashes = true;
			c.n_params = c.n - 1;
		}
	}
	if (!seen_dashes)
		c.n_params = c.n;
	*ret = c;
	return 0;
fail:
	vp_cmdline_free(&c);
	return r;
}

bool vp_cmdline_key_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return true;
}

size_t vp_cmdline_key_len(const char *token)
{
	const char *eq = strchr(token, '=');

	return eq ? (size_t)(eq - token) : strlen(token);
}

bool vp_cmdline_parse_size(const char *s, size_t len, unsigned long long *ret)
{
	uint64_t v;

	if (!s || vp_parse_size_n(s, len, VP_SIZE_KERNEL, &v, NULL) < 0)
		return false;
	*ret = v;
	return true;
}

int vp_cmdline_check_size(const char *s, size_t limit, char **ret_msg)
{
	size_t need = strlen(s) + 1;

	if (need <= limit)
		return 0;
	return vp_fail(ret_msg, -E2BIG,
		       "kernel command line is %zu bytes (with the terminating NUL), "
		       "%zu over the limit of %zu", need, need - limit, limit);
}

int vp_cmdline_default_hugepages(const char *line, char **ret_word)
{
	struct vp_cmdline c = {0};
	int r;

	*ret_word = NULL;
	r = vp_cmdline_split(line, &c, NULL);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c.n_params; i++) {
		if (vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, "hugepagesz", 10))
			break;
		if (vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, "hugepages", 9)) {
			*ret_word = strndup(c.w[i].text, c.w[i].len);
			r = *ret_word ? 0 : -ENOMEM;
			break;
		}
	}
	vp_cmdline_free(&c);
	return r;
}

/* ---- classification of the words of a line against the planned tokens ---- */

static bool key_is(const char *k, size_t klen, const char *name)
{
	return vp_cmdline_key_eq(k, klen, name, strlen(name));
}

static const char *token_val(const char *token, size_t *ret_len)
{
	const char *eq = strchr(token, '=');

	if (!eq) {
		*ret_len = 0;
		return NULL;
	}
	*ret_len = strlen(eq + 1);
	return eq + 1;
}

/* Keys that dracut accumulates over repeated words and comma lists. */
static bool key_is_multi(const char *k, size_t klen)
{
	return key_is(k, klen, "rd.driver.pre");
}

/* Does the comma list val contain item (module names: '-' == '_')? */
static bool list_has(const char *val, size_t len, const char *item, size_t ilen)
{
	size_t i = 0;

	while (i <= len) {
		size_t j = i;

		while (j < len && val[j] != ',')
			j++;
		if (vp_cmdline_key_eq(val + i, j - i, item, ilen))
			return true;
		i = j + 1;
	}
	return false;
}

enum cls { C_KEEP = 0, C_REPLACE, C_DROP, C_PRESENT };

struct classified {
	enum cls *cls;          /* per word */
	int *tok;               /* per word: token index, -1 */
	bool *used;             /* per token: a word was replaced or present */
	bool *skip;             /* per token: an earlier token has the same key */
	unsigned long long hp_size; /* size of our hugepagesz token, 0 = none */
	unsigned long long def_size; /* of our default_hugepagesz token, 0 = none */
};

static void classified_free(struct classified *c)
{
	free(c->cls);
	free(c->tok);
	free(c->used);
	free(c->skip);
}

static int classify(const struct vp_cmdline *line, const struct vp_cmdline_token *t,
		    size_t n, struct classified *ret)
{
	struct classified c = {0};
	/*
	 * Size set by the last hugepagesz= word. Before any, hugepages= counts
	 * for the default size, which is ours when we set default_hugepagesz=.
	 */
	unsigned long long gov;

	c.cls = calloc(line->n + 1, sizeof(*c.cls));
	c.tok = calloc(line->n + 1, sizeof(*c.tok));
	c.used = calloc(n + 1, sizeof(*c.used));
	c.skip = calloc(n + 1, sizeof(*c.skip));
	if (!c.cls || !c.tok || !c.used || !c.skip) {
		classified_free(&c);
		return -ENOMEM;
	}
	for (size_t j = 0; j < n; j++) {
		size_t kl = strlen(t[j].key);

		for (size_t k = 0; k < j && !c.skip[j]; k++)
			if (vp_cmdline_key_eq(t[k].key, strlen(t[k].key), t[j].key, kl))
				c.skip[j] = true;
		if (!c.skip[j] && t[j].token && key_is(t[j].key, kl, "hugepagesz")) {
			size_t vl;
			const char *v = token_val(t[j].token, &vl);

			if (!vp_cmdline_parse_size(v, vl, &c.hp_size))
				c.hp_size = 0;
		}
		if (!c.skip[j] && t[j].token && key_is(t[j].key, kl, "default_hugepagesz")) {
			size_t vl;
			const char *v = token_val(t[j].token, &vl);

			if (!vp_cmdline_parse_size(v, vl, &c.def_size))
				c.def_size = 0;
		}
	}

	gov = c.def_size ? c.def_size : ~0ULL;
	for (size_t i = 0; i < line->n; i++) {
		const struct vp_cmdline_word *w = &line->w[i];
		unsigned long long wsize = 0;
		bool w_is_hpsz = key_is(w->key, w->key_len, "hugepagesz");

		c.tok[i] = -1;
		if (w_is_hpsz && !vp_cmdline_parse_size(w->val, w->val_len, &wsize))
			wsize = ~0ULL; /* garbage size: governs nothing of ours */
		if (i >= line->n_params)
			continue;
		for (size_t j = 0; j < n; j++) {
			size_t kl = strlen(t[j].key), vl;
			const char *v;

			if (c.skip[j] || !vp_cmdline_key_eq(w->key, w->key_len, t[j].key, kl))
				continue;
			if (!t[j].token) {
				c.cls[i] = C_DROP;
				c.tok[i] = (int)j;
				break;
			}
			if (w_is_hpsz && wsize != c.hp_size)
				break;
			if (key_is(w->key, w->key_len, "hugepages") && gov != c.hp_size)
				break;
			if (key_is_multi(w->key, w->key_len)) {
				v = token_val(t[j].token, &vl);
				if (v && w->val && list_has(w->val, w->val_len, v, vl)) {
					c.cls[i] = C_PRESENT;
					c.tok[i] = (int)j;
					c.used[j] = true;
				}
				break;
			}
			c.tok[i] = (int)j;
			c.cls[i] = c.used[j] ? C_DROP : C_REPLACE;
			c.used[j] = true;
			break;
		}
		if (w_is_hpsz)
			gov = wsize;
	}

	/*
	 * Our hugepages= counts for our size only right after our hugepagesz=
	 * ("hugepagesz=1G hugepagesz=2M hugepages=N" would give N to 2M): one
	 * anywhere else is dropped and ours is added after hugepagesz=.
	 */
	for (size_t i = 0, prev = (size_t)-1; i < line->n_params; i++) {
		if (c.cls[i] == C_REPLACE && key_is(line->w[i].key, line->w[i].key_len, "hugepages") &&
		    (prev == (size_t)-1 || c.cls[prev] != C_REPLACE ||
		     !key_is(line->w[prev].key, line->w[prev].key_len, "hugepagesz"))) {
			c.cls[i] = C_DROP;
			c.used[c.tok[i]] = false;
		}
		if (c.cls[i] != C_DROP)
			prev = i;
	}
	*ret = c;
	return 0;
}

/* ---- a line as a list of (separator, word) items, edited, then joined ---- */

struct item {
	const char *sep;
	size_t sep_len;
	const char *txt;
	size_t len;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static int items_insert(struct items *it, size_t pos, struct item x)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 16;
		struct item *v = realloc(it->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		it->v = v;
		it->cap = cap;
	}
	memmove(&it->v[pos + 1], &it->v[pos], (it->n - pos) * sizeof(*it->v));
	it->v[pos] = x;
	it->n++;
	return 0;
}

/*
 * A new word takes the separator of the word it goes before, which gets a
 * single space: so "a\t--" becomes "a\tX --", and removing X again
 * (items_unadd) gives the tab back.
 */
static int items_add(struct items *it, size_t pos, const char *txt, size_t len)
{
	struct item x = {.txt = txt, .len = len};

	if (pos < it->n) {
		x.sep = it->v[pos].sep;
		x.sep_len = it->v[pos].sep_len;
		it->v[pos].sep = " ";
		it->v[pos].sep_len = 1;
	} else {
		x.sep = it->n ? " " : "";
		x.sep_len = it->n ? 1 : 0;
	}
	return items_insert(it, pos, x);
}

static void items_unadd(struct items *it, size_t pos)
{
	if (pos + 1 < it->n) {
		it->v[pos + 1].sep = it->v[pos].sep;
		it->v[pos + 1].sep_len = it->v[pos].sep_len;
	}
	memmove(&it->v[pos], &it->v[pos + 1], (it->n - pos - 1) * sizeof(*it->v));
	it->n--;
}

static int items_join(const struct items *it, const char *trail, size_t trail_len, char **ret)
{
	struct vp_buf b = {0};
	int r = 0;

	for (size_t i = 0; i < it->n && r >= 0; i++) {
		r = vp_buf_add(&b, it->v[i].sep, it->v[i].sep_len);
		if (r >= 0)
			r = vp_buf_add(&b, it->v[i].txt, it->v[i].len);
	}
	if (r >= 0)
		r = vp_buf_add(&b, trail ? trail : "", trail ? trail_len : 0);
	if (r < 0) {
		vp_buf_free(&b);
		return r;
	}
	*ret = vp_buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
}

static bool text_is(const struct item *x, const char *s)
{
	return x->len == strlen(s) && memcmp(x->txt, s, x->len) == 0;
}

static bool tok_is_hugepages(const struct vp_cmdline_token *t)
{
	return key_is(t->key, strlen(t->key), "hugepages");
}

static bool tok_is_hugepagesz(const struct vp_cmdline_token *t)
{
	return key_is(t->key, strlen(t->key), "hugepagesz");
}

static int merge(const char *orig, const struct vp_cmdline_token *t, size_t n, bool strip,
		 char **ret, char **ret_msg)
{
	struct vp_cmdline line = {0};
	struct classified c = {0};
	struct items it = {0};
	const char *pending = NULL;
	size_t pending_len = 0, end, hp = (size_t)-1;
	int r;

	r = vp_cmdline_split(orig, &line, ret_msg);
	if (r < 0)
		return r;
	r = classify(&line, t, n, &c);
	if (r < 0)
		goto fail;

	for (size_t i = 0; i < line.n; i++) {
		const struct vp_cmdline_word *w = &line.w[i];
		struct item x = {w->sep, w->sep_len, w->text, w->len};

		if (c.cls[i] == C_DROP || (strip && c.cls[i] == C_REPLACE)) {
			/* the first word's leading whitespace stays at the start */
			if (it.n == 0 && !pending) {
				pending = w->sep;
				pending_len = w->sep_len;
			}
			continue;
		}
		if (pending) {
			x.sep = pending;
			x.sep_len = pending_len;
			pending = NULL;
		}
		if (c.cls[i] == C_REPLACE) {
			x.txt = t[c.tok[i]].token;
			x.len = strlen(x.txt);
			if (tok_is_hugepagesz(&t[c.tok[i]]))
				hp = it.n;
		}
		r = items_insert(&it, it.n, x);
		if (r < 0)
			goto fail;
	}
	/* where the "--" went: new words go before it */
	end = it.n - (line.n - line.n_params);

	/* two passes: hugepages= must find our hugepagesz= already placed */
	for (int pass = strip ? 2 : 0; pass < 2; pass++) {
		for (size_t j = 0; j < n; j++) {
			size_t pos = end;

			if (c.skip[j] || c.used[j] || !t[j].token ||
			    tok_is_hugepages(&t[j]) != (pass == 1))
				continue;
			if (pass == 1 && hp != (size_t)-1)
				pos = hp + 1;
			r = items_add(&it, pos, t[j].token, strlen(t[j].token));
			if (r < 0)
				goto fail;
			if (tok_is_hugepagesz(&t[j]))
				hp = pos;
			else if (hp != (size_t)-1 && hp >= pos)
				hp++;
			end++;
		}
	}
	if (pending) {
		/* every word was dropped: keep the leading whitespace */
		struct item x = {pending, pending_len, "", 0};

		r = items_insert(&it, 0, x);
		if (r < 0)
			goto fail;
	}
	r = items_join(&it, line.trail, line.trail_len, ret);
fail:
	free(it.v);
	classified_free(&c);
	vp_cmdline_free(&line);
	return r;
}

int vp_cmdline_apply(const char *orig, const struct vp_cmdline_token *t, size_t n,
		     char **ret, char **ret_msg)
{
	return merge(orig, t, n, false, ret, ret_msg);
}

int vp_cmdline_strip(const char *orig, const struct vp_cmdline_token *t, size_t n,
		     char **ret, char **ret_msg)
{
	return merge(orig, t, n, true, ret, ret_msg);
}

int vp_cmdline_revert(const char *orig, const char *cur, const struct vp_cmdline_token *t,
		      size_t n, char **ret, char **ret_msg)
{
	_cleanup_free_ char *merged = NULL;
	struct vp_cmdline o = {0}, cl = {0};
	struct classified c = {0};
	struct items it = {0};
	size_t end;
	int r;

	if (!orig)
		orig = "";
	r = vp_cmdline_apply(orig, t, n, &merged, ret_msg);
	if (r < 0)
		return r;
	if (strcmp(merged, cur ? cur : "") == 0) {
		/* nobody touched it since: exactly what was there */
		*ret = strdup(orig);
		return *ret ? 0 : -ENOMEM;
	}

	r = vp_cmdline_split(orig, &o, ret_msg);
	if (r < 0)
		goto fail;
	r = classify(&o, t, n, &c);
	if (r < 0)
		goto fail;
	r = vp_cmdline_split(cur, &cl, ret_msg);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < cl.n; i++) {
		struct item x = {cl.w[i].sep, cl.w[i].sep_len, cl.w[i].text, cl.w[i].len};

		r = items_insert(&it, it.n, x);
		if (r < 0)
			goto fail;
	}
	end = cl.n_params;

	for (size_t j = 0; j < n; j++) {
		size_t k, rep = (size_t)-1;

		if (c.skip[j])
			continue;
		for (size_t i = 0; i < o.n; i++)
			if (c.tok[i] == (int)j && c.cls[i] == C_REPLACE)
				rep = i;
		if (!t[j].token) {
			/* a removal: give the removed words back at the end */
			for (size_t i = 0; i < o.n; i++) {
				if (c.tok[i] != (int)j || c.cls[i] != C_DROP)
					continue;
				r = items_add(&it, end++, o.w[i].text, o.w[i].len);
				if (r < 0)
					goto fail;
			}
			continue;
		}
		if (c.used[j] && rep == (size_t)-1)
			continue; /* was there already (C_PRESENT): not ours to remove */
		for (k = 0; k < end; k++)
			if (text_is(&it.v[k], t[j].token))
				break;
		if (k == end)
			continue; /* someone removed or changed our word: leave it */
		if (rep == (size_t)-1) {
			/* we added it; words of that key we dropped go to the end */
			items_unadd(&it, k);
			k = --end - 1;
		} else {
			it.v[k].txt = o.w[rep].text;
			it.v[k].len = o.w[rep].len;
		}
		for (size_t i = 0; i < o.n; i++) {
			if (c.tok[i] != (int)j || c.cls[i] != C_DROP)
				continue;
			r = items_add(&it, ++k, o.w[i].text, o.w[i].len);
			if (r < 0)
				goto fail;
			end++;
		}
	}
	r = items_join(&it, cl.trail, cl.trail_len, ret);
fail:
	free(it.v);
	classified_free(&c);
	vp_cmdline_free(&o);
	vp_cmdline_free(&cl);
	return r;
}
