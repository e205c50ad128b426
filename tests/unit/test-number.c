// SPDX-License-Identifier: GPL-2.0-or-later
/* The one integer parser (early/num.c's vpe_parse_digits, provision/number.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>

#include "number.h"
#include "pci-addr.h"
#include "vpe.h"

static void test_ulong(void **state)
{
	unsigned long v = 7;

	(void)state;
	assert_int_equal(vp_parse_ulong("0", 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vp_parse_ulong("1023", 1023, &v), 0);
	assert_int_equal(v, 1023);
	assert_int_equal(vp_parse_ulong("1024", 1023, &v), -ERANGE);
	/* a digit above a small max: refused (it wrapped (max - d) before) */
	assert_int_equal(vp_parse_ulong("5", 3, &v), -ERANGE);
	assert_int_equal(vp_parse_ulong("18446744073709551615", ULONG_MAX, &v), 0);
	assert_true(v == ULONG_MAX);
	assert_int_equal(vp_parse_ulong("18446744073709551616", ULONG_MAX, &v), -ERANGE);
	for (const char *const *s = (const char *const[]){"", "-1", "+1", " 1", "1 ", "1x",
							   "0x10", NULL}; *s; s++)
		assert_int_equal(vp_parse_ulong(*s, ULONG_MAX, &v), -EINVAL);
}

static void test_bases(void **state)
{
	unsigned long v;

	(void)state;
	assert_int_equal(vp_parse_uint("0755", 8, 07777, &v), 0);
	assert_int_equal(v, 0755);
	assert_int_equal(vp_parse_uint("8", 8, 07777, &v), -EINVAL);
	assert_int_equal(vp_parse_uint("fFa0", 16, 0xffff, &v), 0);
	assert_int_equal(v, 0xffa0);
	/* base 0: as C writes them */
	assert_int_equal(vp_parse_uint("0x1f", 0, 255, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(vp_parse_uint("010", 0, 255, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(vp_parse_uint("0", 0, 255, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vp_parse_uint("0x", 0, 255, &v), -EINVAL);
	assert_int_equal(vp_parse_uint("10", 17, 255, &v), -EINVAL);
}

static void test_int(void **state)
{
	long v;

	(void)state;
	assert_int_equal(vp_parse_int("-1", -1, 1023, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(vp_parse_int("-2", -1, 1023, &v), -ERANGE);
	assert_int_equal(vp_parse_int("-0", 0, 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vp_parse_int("-9223372036854775808", LONG_MIN, LONG_MAX, &v), 0);
	assert_true(v == LONG_MIN);
	assert_int_equal(vp_parse_int("9223372036854775808", LONG_MIN, LONG_MAX, &v), -ERANGE);
	assert_int_equal(vp_parse_int("--1", LONG_MIN, LONG_MAX, &v), -EINVAL);
	assert_int_equal(vp_parse_int("-", LONG_MIN, LONG_MAX, &v), -EINVAL);
}

static void test_field(void **state)
{
	unsigned long long v = 7;
	const char *s = "8:17 x", *p = s;

	(void)state;
	/* a field and its end: the caller checks what follows */
	assert_int_equal(vp_parse_field(&p, 10, UINT_MAX, &v), 0);
	assert_true(v == 8 && p == s + 1);
	p++;
	assert_int_equal(vp_parse_field(&p, 10, UINT_MAX, &v), 0);
	assert_true(v == 17 && *p == ' ');
	/* the kernel's 0x fields with base 0 */
	p = "0x00000000e0000000 0x0";
	assert_int_equal(vp_parse_field(&p, 0, ULLONG_MAX, &v), 0);
	assert_true(v == 0xe0000000ULL && *p == ' ');
	/* above max, a sign, a blank: refused, *s where it was */
	for (const char *const *t = (const char *const[]){"4294967296", "-1", "+1", " 1", "",
							   NULL}; *t; t++) {
		p = *t;
		assert_true(vp_parse_field(&p, 10, UINT_MAX, &v) < 0);
		assert_ptr_equal(p, *t);
	}
	p = "4294967296";
	assert_int_equal(vp_parse_field(&p, 10, UINT_MAX, &v), -ERANGE);
}

static void test_digits(void **state)
{
	unsigned long long v;
	const char *end;

	(void)state;
	/* stops at the first non-digit: for "end 3 01234567" and "6.1.0" */
	assert_int_equal(vpe_parse_digits("42 rest", 10, 100, &v, &end), 0);
	assert_true(v == 42 && *end == ' ');
	assert_int_equal(vpe_parse_digits("ffffffff\n", 16, 0xffffffff, &v, &end), 0);
	assert_true(v == 0xffffffff && *end == '\n');
	assert_int_equal(vpe_parse_digits("100000000", 16, 0xffffffff, &v, &end), -ERANGE);
	assert_int_equal(vpe_parse_digits(".1", 10, 100, &v, &end), -EINVAL);
}

/* The kernel's name of an address, formatted by hand (pci-addr.c): as printf's "%04x:%02x:%02x.%x". */
static void test_addr_format(void **state)
{
	static const unsigned cases[][4] = {
		{0, 0, 0, 0}, {0, 0x1f, 0x1f, 7}, {0x1, 0xab, 0x0c, 3}, {0xffff, 0xff, 0x1f, 7},
		{0x10000, 0x01, 0x00, 0}, {0xffffffff, 0x12, 0x03, 4},
	};
	char want[32], buf[VPE_ADDR_SIZE], norm[VPE_ADDR_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "%04x:%02x:%02x.%x", cases[i][0], cases[i][1],
			 cases[i][2], cases[i][3]);
		vp_pci_addr_format(buf, cases[i][0], cases[i][1], cases[i][2], cases[i][3]);
		assert_string_equal(buf, want);
	}
	assert_int_equal(vp_pci_addr_normalize("0A:1F.7", norm), 0);
	assert_string_equal(norm, "0000:0a:1f.7");
	assert_int_equal(vp_pci_addr_normalize("10000:01:00.0", norm), 0);
	assert_string_equal(norm, "10000:01:00.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_format),
		cmocka_unit_test(test_ulong),
		cmocka_unit_test(test_bases),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
