// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel command line tokenizer and merge (cmdline.c). The first line of
 * the input is the user's command line; every further line is one planned
 * token ("key=value", or "!key" to remove the key), kept when it looks like
 * a token the planners write. Invariants, for a line that splits:
 *  - apply gives a line that splits, where every planned token stands as a
 *    word, a removed key is gone, and no word we wrote holds a newline;
 *  - revert(orig, apply(orig)) is orig byte for byte;
 *  - strip leaves no word of a planned key;
 *  - apply is idempotent.
 * Keys that the kernel reads by repetition (hugepages, hugepagesz,
 * rd.driver.pre) have their own rules and are only held to the revert and
 * "never crash" invariants.
 */
#include <ctype.h>

#include "cmdline.h"
#include "fuzz.h"

#define MAX_TOK 8

static bool special(const char *key)
{
	size_t n = strlen(key);

	return vp_cmdline_key_eq(key, n, "hugepages", 9) ||
	       vp_cmdline_key_eq(key, n, "hugepagesz", 10) ||
	       vp_cmdline_key_eq(key, n, "rd.driver.pre", 13);
}

static bool token_ok(const char *s)
{
	/* a key starts with a letter or digit: never "--" or "=x" */
	if (!isalnum((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.,:=+-/", *s))
			return false;
	return true;
}

/* Does a parameter word (before "--") have this key / this exact text? */
static bool has_word(const struct vp_cmdline *c, const char *key, const char *text)
{
	for (size_t i = 0; i < c->n_params; i++) {
		const struct vp_cmdline_word *w = &c->w[i];

		if (text ? (w->len == strlen(text) && memcmp(w->text, text, w->len) == 0)
			 : vp_cmdline_key_eq(w->key, w->key_len, key, strlen(key)))
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_cmdline_token t[MAX_TOK];
	struct vp_cmdline c = {0};
	char *text = fuzz_text(data, size), *orig, *line, *msg = NULL;
	char *out = NULL, *back = NULL, *stripped = NULL, *again = NULL;
	bool any_special = false;
	size_t n = 0;

	if (!text)
		return 0;
	orig = strtok_r(text, "\n", &line);
	if (!orig)
		goto done;
	for (char *tok; n < MAX_TOK && (tok = strtok_r(NULL, "\n", &line));) {
		bool rm = *tok == '!';
		char *s = tok + rm, *key;
		size_t kl;

		if (!token_ok(s))
			continue;
		kl = vp_cmdline_key_len(s);
		key = strndup(s, kl);
		FUZZ_CHECK(key);
		for (size_t i = 0; i < n && key; i++)
			if (vp_cmdline_key_eq(t[i].key, strlen(t[i].key), key, kl)) {
				free(key);
				key = NULL;
			}
		if (!key)
			continue;
		any_special |= special(key);
		t[n++] = (struct vp_cmdline_token){.key = key, .token = rm ? NULL : s};
	}
	if (vp_cmdline_split(orig, &c, &msg) < 0) {
		FUZZ_CHECK(msg);
		goto done;
	}
	vp_cmdline_free(&c);
	if (vp_cmdline_apply(orig, t, n, &out, &msg) < 0)
		goto done;
	FUZZ_CHECK(vp_cmdline_split(out, &c, &msg) == 0);
	for (size_t i = 0; i < n; i++) {
		if (special(t[i].key))
			continue;
		if (t[i].token)
			FUZZ_CHECK(has_word(&c, NULL, t[i].token));
		else
			FUZZ_CHECK(!has_word(&c, t[i].key, NULL));
	}
	vp_cmdline_free(&c);

	FUZZ_CHECK(vp_cmdline_revert(orig, out, t, n, &back, &msg) == 0);
	FUZZ_CHECK(strcmp(back, orig) == 0);

	FUZZ_CHECK(vp_cmdline_strip(orig, t, n, &stripped, &msg) == 0);
	FUZZ_CHECK(vp_cmdline_split(stripped, &c, &msg) == 0);
	for (size_t i = 0; i < n; i++)
		if (!special(t[i].key))
			FUZZ_CHECK(!has_word(&c, t[i].key, NULL));
	vp_cmdline_free(&c);

	if (!any_special) {
		FUZZ_CHECK(vp_cmdline_apply(out, t, n, &again, &msg) == 0);
		FUZZ_CHECK(strcmp(again, out) == 0);
	}
done:
	vp_cmdline_free(&c);
	for (size_t i = 0; i < n; i++)
		free(t[i].key);
	free(msg);
	free(out);
	free(back);
	free(stripped);
	free(again);
	free(text);
	return 0;
}
