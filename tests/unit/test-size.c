// SPDX-License-Identifier: GPL-2.0-or-later
/* size.c: the one size grammar in its three dialects, and the callers that use it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cmdline.h"
#include "plan-fstab.h"
#include "size.h"

static int parse(const char *s, enum vp_size_dialect d, uint64_t *v)
{
	return vp_parse_size_n(s, strlen(s), d, v, NULL);
}

static void test_dialects(void **state)
{
	static const struct {
		const char *s;
		int config, kernel, mount;   /* 0 or the error */
		uint64_t bytes;
	} cases[] = {
		{"0", 0, 0, 0, 0},
		{"4096", 0, 0, 0, 4096},
		{"2048M", 0, 0, 0, 2048ULL << 20},
		{"1g", 0, 0, 0, 1ULL << 30},
		{"16G", 0, 0, 0, 16ULL << 30},
		{"2T", 0, 0, 0, 2ULL << 40},
		{"16GiB", 0, -EINVAL, 0, 16ULL << 30},
		{"16GB", -EINVAL, -EINVAL, 0, 16ULL << 30},
		{"1Gb", -EINVAL, -EINVAL, 0, 1ULL << 30},
		{"1Gi", -EINVAL, -EINVAL, 0, 1ULL << 30},
		{"1Gib", -EINVAL, -EINVAL, 0, 1ULL << 30},
		{"1GiBx", -EINVAL, -EINVAL, -EINVAL, 0},
		{"", -EINVAL, -EINVAL, -EINVAL, 0},
		{"G", -EINVAL, -EINVAL, -EINVAL, 0},
		{"-1G", -EINVAL, -EINVAL, -EINVAL, 0},
		{" 1G", -EINVAL, -EINVAL, -EINVAL, 0},
		{"1P", -EINVAL, -EINVAL, -EINVAL, 0},
		{"18446744073709551615", 0, 0, 0, UINT64_MAX},
		{"18446744073709551616", -ERANGE, -ERANGE, -ERANGE, 0},
		{"16777216T", -ERANGE, -ERANGE, -ERANGE, 0},
		{"16777215T", 0, 0, 0, 16777215ULL << 40},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const int want[] = {cases[i].config, cases[i].kernel, cases[i].mount};
		const enum vp_size_dialect d[] = {VP_SIZE_CONFIG, VP_SIZE_KERNEL, VP_SIZE_MOUNT};

		for (size_t k = 0; k < 3; k++) {
			uint64_t v = 0;
			int r = parse(cases[i].s, d[k], &v);

			if (r != want[k])
				fail_msg("'%s' dialect %zu: %d, want %d", cases[i].s, k, r, want[k]);
			if (r == 0 && v != cases[i].bytes)
				fail_msg("'%s' dialect %zu: %llu", cases[i].s, k,
					 (unsigned long long)v);
		}
	}
}

/* The length bounds the text: what follows it is not read. */
static void test_length(void **state)
{
	uint64_t v;
	bool unit = true;

	(void)state;
	assert_int_equal(vp_parse_size_n("1Gxyz", 2, VP_SIZE_KERNEL, &v, &unit), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_true(unit);
	assert_int_equal(vp_parse_size_n("12,", 2, VP_SIZE_KERNEL, &v, &unit), 0);
	assert_int_equal(v, 12);
	assert_false(unit);
	assert_int_equal(vp_parse_size_n("1G", 0, VP_SIZE_KERNEL, &v, NULL), -EINVAL);
}

/* The three callers are the dialects: no second copy of the grammar. */
static void test_callers(void **state)
{
	unsigned long long ull;
	uint64_t v;
	bool unit;

	(void)state;
	assert_int_equal(vp_parse_size("16GiB", &v, &unit), 0);
	assert_int_equal(v, 16ULL << 30);
	assert_true(unit);
	assert_int_equal(vp_parse_size("16GB", &v, &unit), -EINVAL);
	assert_true(vp_cmdline_parse_size("1G", 2, &ull));
	assert_int_equal(ull, 1ULL << 30);
	assert_false(vp_cmdline_parse_size("1GiB", 4, &ull));
	assert_false(vp_cmdline_parse_size(NULL, 0, &ull));
	assert_true(vp_pagesize_is_1g("1G", 2));
	assert_true(vp_pagesize_is_1g("1024M", 5));
	assert_true(vp_pagesize_is_1g("1gib", 4));
	assert_false(vp_pagesize_is_1g("2M", 2));
	assert_false(vp_pagesize_is_1g("1T", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialects),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_callers),
	};

	return cmocka_run_group_tests_name("size", tests, NULL, NULL);
}
