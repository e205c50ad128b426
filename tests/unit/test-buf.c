// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vp_buf: the first failed append sticks, so a builder that checks once at
 * the end (cmd-detect's listing) never prints text with a piece missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <wchar.h>

#include "vp.h"

/* In the C locale "%ls" of a non-ASCII wide character fails (EILSEQ). */
static int failing_append(struct vp_buf *b)
{
	static const wchar_t bad[] = {0xe9, 0};

	return vp_buf_printf(b, "%ls", bad);
}

static void test_error_sticks(void **state)
{
	struct vp_buf b = {0};

	(void)state;
	assert_int_equal(vp_buf_puts(&b, "a"), 0);
	assert_int_equal(failing_append(&b), -EINVAL);
	assert_int_equal(b.err, -EINVAL);
	/* later appends change nothing and report the first error */
	assert_int_equal(vp_buf_puts(&b, "b"), -EINVAL);
	assert_int_equal(vp_buf_printf(&b, "%d", 3), -EINVAL);
	assert_int_equal(vp_buf_add(&b, "c", 1), -EINVAL);
	assert_string_equal(b.s, "a");
	assert_int_equal(b.len, 1);
	vp_buf_free(&b);
	assert_int_equal(b.err, 0);
	assert_int_equal(vp_buf_puts(&b, "d"), 0);
	assert_string_equal(b.s, "d");
	vp_buf_free(&b);
}

static void test_no_error(void **state)
{
	struct vp_buf b = {0};
	char *s;

	(void)state;
	assert_int_equal(vp_buf_printf(&b, "%s-%d", "x", 1), 0);
	assert_int_equal(b.err, 0);
	s = vp_buf_steal(&b);
	assert_string_equal(s, "x-1");
	free(s);
}

static void test_strv_pushf(void **state)
{
	static const wchar_t bad[] = {0xe9, 0};
	struct vp_strv sv = {0};

	(void)state;
	assert_int_equal(vp_strv_pushf(&sv, false, "%s %d", "a", 1), 0);
	assert_int_equal(vp_strv_pushf(&sv, false, "a %d", 1), 0);
	assert_int_equal(sv.n, 2);      /* a list of reasons keeps each */
	assert_int_equal(vp_strv_pushf(&sv, true, "a %d", 1), 0);
	assert_int_equal(sv.n, 2);      /* unique: said once */
	assert_int_equal(vp_strv_pushf(&sv, true, "b %d", 2), 0);
	assert_int_equal(sv.n, 3);
	assert_string_equal(sv.v[2], "b 2");
	assert_null(sv.v[3]);
	/* a format that fails adds nothing and says so */
	assert_true(vp_strv_pushf(&sv, true, "%ls", bad) < 0);
	assert_int_equal(sv.n, 3);
	vp_strv_free(&sv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_sticks),
		cmocka_unit_test(test_no_error),
		cmocka_unit_test(test_strv_pushf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
