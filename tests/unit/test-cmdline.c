// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel command line tokenizer and merger: examples first, then a
 * property test on generated lines (quotes, flags, repeated keys, odd
 * spacing, init arguments after "--").
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmdline.h"

#define TOK(k, v) {.key = (char *)(k), .token = (char *)(v), .reason = NULL}

static char *apply(const char *orig, const struct vp_cmdline_token *t, size_t n)
{
	char *out = NULL, *msg = NULL;
	int r = vp_cmdline_apply(orig, t, n, &out, &msg);

	if (r < 0)
		fail_msg("apply '%s': %s", orig, msg ? msg : strerror(-r));
	return out;
}

static char *revert(const char *orig, const char *cur, const struct vp_cmdline_token *t, size_t n)
{
	char *out = NULL, *msg = NULL;
	int r = vp_cmdline_revert(orig, cur, t, n, &out, &msg);

	if (r < 0)
		fail_msg("revert '%s': %s", cur, msg ? msg : strerror(-r));
	return out;
}

static void test_split(void **state)
{
	struct vp_cmdline c = {0};
	char *msg = NULL;
	const char *s = "  BOOT_IMAGE=/vmlinuz quiet foo=\"a b\" \"bar=c d\" x=y=z -- single \"q\"\t";

	(void)state;
	assert_int_equal(vp_cmdline_split(s, &c, &msg), 0);
	assert_int_equal(c.n, 8);
	assert_int_equal(c.n_params, 5);
	assert_int_equal(c.w[0].sep_len, 2);
	assert_memory_equal(c.w[1].key, "quiet", 5);
	assert_null(c.w[1].val);
	/* quotes stay in the spelling, the value is what the kernel sees */
	assert_int_equal(c.w[2].len, strlen("foo=\"a b\""));
	assert_int_equal(c.w[2].val_len, 3);
	assert_memory_equal(c.w[2].val, "a b", 3);
	assert_int_equal(c.w[3].key_len, 3);
	assert_memory_equal(c.w[3].key, "bar", 3);
	assert_int_equal(c.w[3].val_len, 3);
	assert_memory_equal(c.w[3].val, "c d", 3);
	assert_int_equal(c.w[4].key_len, 1);
	assert_memory_equal(c.w[4].val, "y=z", 3);
	assert_int_equal(c.w[7].key_len, 1);
	assert_memory_equal(c.w[7].key, "q", 1);
	assert_int_equal(c.trail_len, 1);
	vp_cmdline_free(&c);

	assert_int_equal(vp_cmdline_split("quiet foo=\"a b", &c, &msg), -EINVAL);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "unterminated quote"));
	assert_non_null(strstr(msg, "byte 7"));
	free(msg);
}

static void test_key_eq(void **state)
{
	(void)state;
	assert_true(vp_cmdline_key_eq("vfio-pci.ids", 12, "vfio_pci.ids", 12));
	assert_false(vp_cmdline_key_eq("iommu", 5, "intel_iommu", 11));
	assert_int_equal(vp_cmdline_key_len("iommu=pt"), 5);
	assert_int_equal(vp_cmdline_key_len("quiet"), 5);
}

static void test_apply_examples(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"", "intel_iommu=on iommu=pt"},
		{"quiet splash", "quiet splash intel_iommu=on iommu=pt"},
		/* replaced where it is, duplicates (any spelling) dropped */
		{"intel_iommu=off  quiet\tiommu=soft intel-iommu=igfx_off",
		 "intel_iommu=on  quiet\tiommu=pt"},
		/* init arguments after "--" are not ours */
		{"quiet -- iommu=soft single", "quiet intel_iommu=on iommu=pt -- iommu=soft single"},
		{"  quiet  ", "  quiet intel_iommu=on iommu=pt  "},
		{"foo=\"a b\" iommu=pt", "foo=\"a b\" iommu=pt intel_iommu=on"},
	};
	const struct vp_cmdline_token t[] = {TOK("intel_iommu", "intel_iommu=on"),
					     TOK("iommu", "iommu=pt")};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = apply(cases[i].in, t, 2);
		char *back = revert(cases[i].in, out, t, 2);

		assert_string_equal(out, cases[i].out);
		assert_string_equal(back, cases[i].in);
		free(out);
		free(back);
	}
}

static void test_apply_hugepages(void **state)
{
	const struct vp_cmdline_token t[] = {
		TOK("hugepagesz", "hugepagesz=1G"), TOK("default_hugepagesz", "default_hugepagesz=1G"),
		TOK("hugepages", "hugepages=8"), TOK("hugetlb_cma", NULL)};
	static const struct {
		const char *in, *out;
	} cases[] = {
		/* a 2 MiB pool stays, ours goes after our own hugepagesz= */
		{"hugepagesz=2M hugepages=512 quiet",
		 "hugepagesz=2M hugepages=512 quiet hugepagesz=1G hugepages=8 default_hugepagesz=1G"},
		/* before any hugepagesz=, a count is for the default size: ours */
		{"hugepages=3 quiet hugepagesz=2M hugepages=512",
		 "quiet hugepagesz=2M hugepages=512 hugepagesz=1G hugepages=8 default_hugepagesz=1G"},
		{"hugepagesz=1024M hugepages=2 hugepagesz=2M hugepages=16",
		 "hugepagesz=1G hugepages=8 hugepagesz=2M hugepages=16 default_hugepagesz=1G"},
		/* a 1G count not right after hugepagesz= would count for 2M */
		{"hugepagesz=1G hugepagesz=2M hugepages=5 hugepagesz=1G hugepages=2",
		 "hugepagesz=1G hugepages=8 hugepagesz=2M hugepages=5 default_hugepagesz=1G"},
		{"hugetlb_cma=4G quiet", "quiet hugepagesz=1G hugepages=8 default_hugepagesz=1G"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = apply(cases[i].in, t, ARRAY_SIZE(t));
		char *back = revert(cases[i].in, out, t, ARRAY_SIZE(t));

		assert_string_equal(out, cases[i].out);
		assert_string_equal(back, cases[i].in);
		free(out);
		free(back);
	}
}

static void test_multi(void **state)
{
	const struct vp_cmdline_token t[] = {TOK("rd.driver.pre", "rd.driver.pre=vfio_pci")};
	char *out;

	(void)state;
	/* dracut accumulates: another module's word stays */
	out = apply("rd.driver.pre=nvidia quiet", t, 1);
	assert_string_equal(out, "rd.driver.pre=nvidia quiet rd.driver.pre=vfio_pci");
	free(out);
	out = apply("rd.driver.pre=i915,vfio-pci quiet", t, 1);
	assert_string_equal(out, "rd.driver.pre=i915,vfio-pci quiet");
	free(out);
}

static void test_revert_after_edit(void **state)
{
	const struct vp_cmdline_token t[] = {TOK("intel_iommu", "intel_iommu=on"),
					     TOK("iommu", "iommu=pt")};
	char *out;

	(void)state;
	/* the user added "nomodeset" after our edit: it stays */
	out = revert("iommu=soft quiet iommu=off", "iommu=pt quiet intel_iommu=on nomodeset", t, 2);
	assert_string_equal(out, "iommu=soft iommu=off quiet nomodeset");
	free(out);
	/* the user changed our token: left alone */
	out = revert("quiet", "quiet intel_iommu=off iommu=pt", t, 2);
	assert_string_equal(out, "quiet intel_iommu=off");
	free(out);
}

static void test_size(void **state)
{
	char big[VP_CMDLINE_MAX + 10];
	char *msg = NULL;

	(void)state;
	memset(big, 'a', sizeof(big));
	big[VP_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(vp_cmdline_check_size(big, VP_CMDLINE_MAX, &msg), 0);
	big[VP_CMDLINE_MAX - 1] = 'a';
	big[VP_CMDLINE_MAX + 2] = '\0';
	assert_int_equal(vp_cmdline_check_size(big, VP_CMDLINE_MAX, &msg), -E2BIG);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "2051 bytes"));
	assert_non_null(strstr(msg, "3 over the limit of 2048"));
	free(msg);
}

static void test_parse_size(void **state)
{
	unsigned long long v;

	(void)state;
	assert_true(vp_cmdline_parse_size("1G", 2, &v));
	assert_int_equal(v, 1ULL << 30);
	assert_true(vp_cmdline_parse_size("1048576k", 8, &v));
	assert_int_equal(v, 1ULL << 30);
	assert_false(vp_cmdline_parse_size("1Gx", 3, &v));
	assert_false(vp_cmdline_parse_size("G", 1, &v));
	assert_false(vp_cmdline_parse_size("99999999999999999999", 20, &v));
}

/* ---- property test ---- */

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	/* xorshift64*: fixed seed, so a failure is reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

static const char *const words[] = {
	"quiet", "splash", "ro", "rw", "root=UUID=0f2c-11", "console=ttyS0,115200n8",
	"foo=\"a b\"", "\"bar=c  d\"", "\"flag\"", "x=y=z", "nomodeset", "rootflags=subvol=@",
	"BOOT_IMAGE=/vmlinuz-6.8", "initrd=\\initramfs.img", "=odd", "a-b_c",
	/* our keys with other values and spellings */
	"intel_iommu=off", "intel-iommu=on", "intel_iommu=on", "iommu=soft", "iommu=pt",
	"amd_iommu=on", "hugepagesz=2M", "hugepagesz=1G", "hugepagesz=1024M", "hugepagesz=bad",
	"hugepages=512", "hugepages=4", "default_hugepagesz=2M", "transparent_hugepage=always",
	"hugetlb_cma=2G", "rd.driver.pre=nvidia", "rd.driver.pre=vfio-pci",
	"vfio_pci.ids=10de:1b81", "vfio-pci.ids=\"1002:67df,1002:aaf0\"", "rd.driver.pre",
};
static const char *const seps[] = {" ", " ", " ", "  ", "\t", "\n", " \t "};

static const struct vp_cmdline_token all_tokens[] = {
	TOK("intel_iommu", "intel_iommu=on"),
	TOK("iommu", "iommu=pt"),
	TOK("hugepagesz", "hugepagesz=1G"),
	TOK("default_hugepagesz", "default_hugepagesz=1G"),
	TOK("hugepages", "hugepages=4"),
	TOK("transparent_hugepage", "transparent_hugepage=never"),
	TOK("rd.driver.pre", "rd.driver.pre=vfio_pci"),
	TOK("vfio-pci.ids", "vfio-pci.ids=10de:1b81,10de:10f0"),
	TOK("hugetlb_cma", NULL),
};

static void gen_line(struct vp_buf *b)
{
	unsigned n = rnd(12);

	b->len = 0;
	vp_buf_puts(b, "");
	if (rnd(4) == 0)
		vp_buf_puts(b, seps[rnd(ARRAY_SIZE(seps))]);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			vp_buf_puts(b, seps[rnd(ARRAY_SIZE(seps))]);
		if (rnd(25) == 0)
			vp_buf_puts(b, "--");
		else
			vp_buf_puts(b, words[rnd(ARRAY_SIZE(words))]);
	}
	if (rnd(4) == 0)
		vp_buf_puts(b, seps[rnd(ARRAY_SIZE(seps))]);
}

static size_t gen_tokens(struct vp_cmdline_token *t)
{
	size_t n = 0;
	bool hpsz = false;

	for (size_t i = 0; i < ARRAY_SIZE(all_tokens); i++) {
		if (rnd(3) == 0)
			continue;
		/* the planner only adds hugepages= with hugepagesz= */
		if (strcmp(all_tokens[i].key, "hugepagesz") == 0)
			hpsz = true;
		if (strcmp(all_tokens[i].key, "hugepages") == 0 && !hpsz)
			continue;
		t[n++] = all_tokens[i];
	}
	return n;
}

static bool is_our_key(const struct vp_cmdline_word *w, const struct vp_cmdline_token *t, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (vp_cmdline_key_eq(w->key, w->key_len, t[j].key, strlen(t[j].key)))
			return true;
	return false;
}

/* The words not of our keys, and the init part, joined with '\x01'. */
static char *foreign(const char *s, const struct vp_cmdline_token *t, size_t n)
{
	struct vp_cmdline c = {0};
	struct vp_buf b = {0};

	assert_int_equal(vp_cmdline_split(s, &c, NULL), 0);
	vp_buf_puts(&b, "");
	for (size_t i = 0; i < c.n; i++) {
		if (i < c.n_params && is_our_key(&c.w[i], t, n))
			continue;
		vp_buf_add(&b, c.w[i].text, c.w[i].len);
		vp_buf_puts(&b, "\x01");
	}
	vp_cmdline_free(&c);
	return vp_buf_steal(&b);
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* All the words, sorted, joined: compares lines as multisets of words. */
static char *word_bag(const char *s)
{
	struct vp_cmdline c = {0};
	struct vp_strv v = {0};
	struct vp_buf b = {0};

	assert_int_equal(vp_cmdline_split(s, &c, NULL), 0);
	for (size_t i = 0; i < c.n; i++)
		vp_strv_push_take(&v, strndup(c.w[i].text, c.w[i].len));
	if (v.n > 1)
		qsort(v.v, v.n, sizeof(*v.v), cmp_word);
	vp_buf_puts(&b, "");
	for (size_t i = 0; i < v.n; i++) {
		vp_buf_puts(&b, v.v[i]);
		vp_buf_puts(&b, "\x01");
	}
	vp_strv_free(&v);
	vp_cmdline_free(&c);
	return vp_buf_steal(&b);
}

static void check_ours_once(const char *out, const struct vp_cmdline_token *t, size_t n,
			    const char *orig)
{
	struct vp_cmdline c = {0};

	assert_int_equal(vp_cmdline_split(out, &c, NULL), 0);
	for (size_t j = 0; j < n; j++) {
		size_t kl = strlen(t[j].key), exact = 0, same_key = 0, at = 0;
		bool multi = strcmp(t[j].key, "rd.driver.pre") == 0;
		bool hp = strncmp(t[j].key, "hugepages", 9) == 0;

		for (size_t i = 0; i < c.n_params; i++) {
			if (!vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, t[j].key, kl))
				continue;
			same_key++;
			if (t[j].token && c.w[i].len == strlen(t[j].token) &&
			    memcmp(c.w[i].text, t[j].token, c.w[i].len) == 0) {
				exact++;
				at = i;
			}
		}
		if (!t[j].token) {
			if (same_key)
				fail_msg("'%s' left in '%s' (from '%s')", t[j].key, out, orig);
			continue;
		}
		if (multi) {
			if (exact == 0 && same_key == 0)
				fail_msg("no %s in '%s'", t[j].key, out);
			continue;
		}
		/* other hugepage sizes may stay; every other key appears once */
		if (hp && strcmp(t[j].key, "hugepages") == 0)
			exact = 1; /* governed by size: checked below */
		if (exact != 1 || (!hp && same_key != 1))
			fail_msg("'%s' appears %zu times (%zu with the key) in '%s' (from '%s')",
				 t[j].token, exact, same_key, out, orig);
		if (strcmp(t[j].key, "hugepages") == 0) {
			size_t after = 0;

			for (size_t i = 1; i < c.n_params; i++)
				if (c.w[i - 1].len == 13 &&
				    memcmp(c.w[i - 1].text, "hugepagesz=1G", 13) == 0 &&
				    vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, "hugepages", 9))
					after += c.w[i].len == strlen(t[j].token) &&
						 memcmp(c.w[i].text, t[j].token, c.w[i].len) == 0 ? 1 : 100;
			if (after != 1)
				fail_msg("not one %s after hugepagesz=1G in '%s'", t[j].token, out);
		}
		(void)at;
	}
	/* with default_hugepagesz=1G and hugepages=, no count for the default size stays */
	for (size_t j = 0, def = 0, cnt = 0; j < n; j++) {
		def += strcmp(t[j].key, "default_hugepagesz") == 0;
		cnt += strcmp(t[j].key, "hugepages") == 0;
		if (j + 1 < n || !def || !cnt)
			continue;
		for (size_t i = 0; i < c.n_params; i++) {
			if (vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, "hugepagesz", 10))
				break;
			if (vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, "hugepages", 9))
				fail_msg("default-size count left in '%s' (from '%s')", out, orig);
		}
	}
	vp_cmdline_free(&c);
}

static void test_property(void **state)
{
	struct vp_buf line = {0};
	unsigned reverted_after_edit = 0;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (unsigned iter = 0; iter < 3000; iter++) {
		struct vp_cmdline_token t[ARRAY_SIZE(all_tokens)];
		size_t n;
		char *once, *twice, *back, *fa, *fb;

		gen_line(&line);
		n = gen_tokens(t);
		once = apply(line.s, t, n);
		twice = apply(once, t, n);
		if (strcmp(once, twice) != 0)
			fail_msg("not idempotent: '%s' -> '%s' -> '%s'", line.s, once, twice);
		back = revert(line.s, once, t, n);
		if (strcmp(back, line.s) != 0)
			fail_msg("revert: '%s' -> '%s' -> '%s'", line.s, once, back);
		check_ours_once(once, t, n, line.s);
		/* every word not of our keys keeps its place and spelling */
		fa = foreign(line.s, t, n);
		fb = foreign(once, t, n);
		if (strcmp(fa, fb) != 0)
			fail_msg("foreign words changed: '%s' -> '%s'", line.s, once);
		free(fa);
		free(fb);
		free(back);

		/*
		 * Someone adds a word after our edit: revert keeps it and gives
		 * back every word of the original (as a multiset: dropped
		 * duplicates return next to the restored word).
		 */
		{
			struct vp_buf edited = {0};
			char *exp, *got;
			struct vp_cmdline c = {0};
			size_t k;

			/* after a random word, or first */
			assert_int_equal(vp_cmdline_split(once, &c, NULL), 0);
			k = rnd((unsigned)c.n + 1);
			if (k == 0) {
				vp_buf_puts(&edited, "user.added=1 ");
				vp_buf_puts(&edited, once);
			} else {
				size_t cut = (size_t)(c.w[k - 1].text + c.w[k - 1].len - once);

				vp_buf_add(&edited, once, cut);
				vp_buf_puts(&edited, " user.added=1");
				vp_buf_puts(&edited, once + cut);
			}
			vp_cmdline_free(&c);
			back = revert(line.s, edited.s, t, n);
			fa = foreign(edited.s, t, n);
			fb = foreign(back, t, n);
			if (strcmp(fa, fb) != 0)
				fail_msg("foreign edit lost: '%s' -> '%s'", edited.s, back);
			exp = vp_strdup_printf("%s user.added=1", line.s);
			fa = (free(fa), word_bag(exp));
			got = word_bag(back);
			if (strcmp(fa, got) != 0)
				fail_msg("revert after edit: '%s' (orig '%s') -> '%s'", edited.s,
					 line.s, back);
			reverted_after_edit++;
			free(exp);
			free(got);
			free(fa);
			free(fb);
			free(back);
			vp_buf_free(&edited);
		}
		free(once);
		free(twice);
	}
	assert_int_equal(reverted_after_edit, 3000);
	vp_buf_free(&line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_key_eq),
		cmocka_unit_test(test_apply_examples),
		cmocka_unit_test(test_apply_hugepages),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_revert_after_edit),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
