// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON writer (json.c), reused by `hugepages status --json`: layout,
 * escaping, invalid UTF-8, misuse; and the probe's strict parsers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "probe-internal.h"

static char *escaped(const char *s)
{
	struct vp_buf b = {0};

	assert_int_equal(vp_json_escape(&b, s), 0);
	return vp_buf_steal(&b);
}

static void test_layout(void **state)
{
	struct vp_buf b = {0};
	struct vp_json j;

	(void)state;
	vp_json_init(&j, &b);
	vp_json_object_begin(&j, NULL);
	vp_json_str(&j, "a", "x");
	vp_json_array_begin(&j, "empty");
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "list");
	vp_json_int(&j, NULL, -3);
	vp_json_uint(&j, NULL, 18446744073709551615ULL);
	vp_json_bool(&j, NULL, false);
	vp_json_null(&j, NULL);
	vp_json_str(&j, NULL, NULL);
	vp_json_array_end(&j);
	vp_json_object_begin(&j, "o");
	vp_json_object_end(&j);
	vp_json_object_end(&j);
	assert_int_equal(vp_json_finish(&j), 0);
	assert_string_equal(b.s, "{\n"
				 "  \"a\": \"x\",\n"
				 "  \"empty\": [],\n"
				 "  \"list\": [\n"
				 "    -3,\n"
				 "    18446744073709551615,\n"
				 "    false,\n"
				 "    null,\n"
				 "    null\n"
				 "  ],\n"
				 "  \"o\": {}\n"
				 "}\n");
	vp_buf_free(&b);
}

static void test_escape(void **state)
{
	char *s;

	(void)state;
	s = escaped("q\"b\\n\n\t\r\x01\x1f\x7f/");
	assert_string_equal(s, "\"q\\\"b\\\\n\\n\\t\\r\\u0001\\u001f\\u007f/\"");
	free(s);
	/* valid UTF-8 passes through */
	s = escaped("GeForce\xe2\x84\xa2 \xc3\xa9 \xf0\x9f\x98\x80");
	assert_string_equal(s, "\"GeForce\xe2\x84\xa2 \xc3\xa9 \xf0\x9f\x98\x80\"");
	free(s);
	/* invalid: stray continuation, truncated, overlong, surrogate, > U+10FFFF */
	s = escaped("a\x80" "b\xe2\x84" "c\xc0\xaf" "d\xed\xa0\x80" "e\xf4\x90\x80\x80");
	assert_string_equal(s, "\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffd"
			       "e\\ufffd\\ufffd\\ufffd\\ufffd\"");
	free(s);
	/* keys are escaped too */
	{
		struct vp_buf b = {0};
		struct vp_json j;

		vp_json_init(&j, &b);
		vp_json_object_begin(&j, NULL);
		vp_json_bool(&j, "k\"", true);
		vp_json_object_end(&j);
		assert_int_equal(vp_json_finish(&j), 0);
		assert_string_equal(b.s, "{\n  \"k\\\"\": true\n}\n");
		vp_buf_free(&b);
	}
}

static void test_misuse(void **state)
{
	struct vp_buf b = {0};
	struct vp_json j;

	(void)state;
	/* unbalanced: finish reports it */
	vp_json_init(&j, &b);
	vp_json_object_begin(&j, NULL);
	assert_int_equal(vp_json_finish(&j), -EINVAL);
	vp_buf_free(&b);
	/* closing more than was opened */
	vp_json_init(&j, &b);
	vp_json_array_end(&j);
	assert_int_equal(vp_json_finish(&j), -EINVAL);
	vp_buf_free(&b);
	/* too deep */
	vp_json_init(&j, &b);
	for (int i = 0; i < VP_JSON_MAX_DEPTH + 2; i++)
		vp_json_array_begin(&j, NULL);
	assert_int_equal(vp_json_finish(&j), -EINVAL);
	vp_buf_free(&b);
}

static void test_parse_addr(void **state)
{
	unsigned d, b, s, f;

	(void)state;
	assert_true(vp_parse_pci_addr("0000:01:00.1", &d, &b, &s, &f));
	assert_true(d == 0 && b == 1 && s == 0 && f == 1);
	assert_true(vp_parse_pci_addr("0001:ff:1f.7", &d, &b, &s, &f));
	assert_true(d == 1 && b == 0xff && s == 0x1f && f == 7);
	assert_true(vp_parse_pci_addr("10000:e1:00.0", &d, &b, &s, &f)); /* VMD */
	assert_int_equal(d, 0x10000);
	assert_false(vp_parse_pci_addr("01:00.0", &d, &b, &s, &f));
	assert_false(vp_parse_pci_addr("0000:01:20.0", &d, &b, &s, &f));
	assert_false(vp_parse_pci_addr("0000:01:00.8", &d, &b, &s, &f));
	assert_false(vp_parse_pci_addr("0000:0g:00.0", &d, &b, &s, &f));
	assert_false(vp_parse_pci_addr("0000-01:00.0", &d, &b, &s, &f));
	assert_false(vp_parse_pci_addr("0000:01:00.0x", &d, &b, &s, &f));
	assert_false(vp_parse_pci_addr("", &d, &b, &s, &f));
}

static void test_parse_numbers(void **state)
{
	long l = 0;
	unsigned long long u = 0;

	(void)state;
	assert_true(vp_parse_long("12\n", 10, &l));
	assert_int_equal(l, 12);
	assert_true(vp_parse_long("-1", 10, &l));
	assert_int_equal(l, -1);
	assert_false(vp_parse_long("", 10, &l));
	assert_false(vp_parse_long(" 1", 10, &l));
	assert_false(vp_parse_long("1x", 10, &l));
	assert_false(vp_parse_long("1\n\n", 10, &l));
	assert_false(vp_parse_long("99999999999999999999999", 10, &l));
	assert_true(vp_parse_ull("10de\n", 16, &u));
	assert_int_equal(u, 0x10de);
	assert_false(vp_parse_ull("-1", 10, &u));
	assert_false(vp_parse_ull("zz", 16, &u));
}

static void test_find_fn(void **state)
{
	struct vp_pci_fn fns[] = {
		{.domain = 0, .bus = 0, .dev = 2, .func = 0},
		{.domain = 0, .bus = 1, .dev = 0, .func = 0},
		{.domain = 0, .bus = 1, .dev = 0, .func = 1},
		{.domain = 1, .bus = 0, .dev = 0, .func = 0},
	};
	struct vp_system sys = {.fns = fns, .n_fns = ARRAY_SIZE(fns)};

	(void)state;
	assert_int_equal(vp_probe_find_fn(&sys, 0, 0, 2, 0), 0);
	assert_int_equal(vp_probe_find_fn(&sys, 0, 1, 0, 1), 2);
	assert_int_equal(vp_probe_find_fn(&sys, 1, 0, 0, 0), 3);
	assert_int_equal(vp_probe_find_fn(&sys, 0, 1, 0, 2), -1);
	assert_int_equal(vp_probe_find_fn(&sys, 2, 0, 0, 0), -1);
	sys.n_fns = 0;
	assert_int_equal(vp_probe_find_fn(&sys, 0, 0, 2, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_find_fn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
