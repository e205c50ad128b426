// SPDX-License-Identifier: GPL-2.0-or-later
/* quote.c: the shell quoting every printed command uses, and the checks of names and tokens. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quote.h"

static void quoted(const char *in, const char *want)
{
	struct vp_buf b = {0};

	assert_int_equal(vp_sh_quote(&b, in), 0);
	assert_string_equal(b.s, want);
	vp_buf_free(&b);
}

static void test_sh_quote(void **state)
{
	(void)state;
	quoted("iommu=pt", "iommu=pt");
	quoted("", "''");
	quoted("a b", "'a b'");
	quoted("$(id)`id`\"\\", "'$(id)`id`\"\\'");
	quoted("it's", "'it'\\''s'");
	quoted("a\nb", "'a\nb'");
}

static void test_module_name(void **state)
{
	char *msg = NULL;

	(void)state;
	assert_true(vp_module_name_ok("snd_hda_intel"));
	assert_true(vp_module_name_ok("snd-hda-intel"));
	assert_false(vp_module_name_ok(""));
	assert_false(vp_module_name_ok("a b"));
	assert_false(vp_module_name_ok("evil\nblacklist x"));
	assert_false(vp_module_name_ok("a\"b"));
	assert_int_equal(vp_module_name_check("nvidia", "/f", &msg), 0);
	assert_null(msg);
	assert_int_equal(vp_module_name_check("x\ny", "/etc/f", &msg), -EINVAL);
	assert_string_equal(msg, "'/etc/f': module name \"x\\ny\" is not a kernel module "
			    "name ([A-Za-z0-9_-]+); nothing written");
	free(msg);
}

static void test_token(void **state)
{
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_cmdline_token_check("foo=\"a b\"", "w", &msg), 0);
	assert_int_equal(vp_cmdline_token_check("a$b`c", "w", &msg), 0);
	assert_null(msg);
	assert_int_equal(vp_cmdline_token_check("", "w", &msg), -EINVAL);
	free(msg);
	msg = NULL;
	assert_int_equal(vp_cmdline_token_check("a\tb", "w", &msg), -EINVAL);
	assert_non_null(strstr(msg, "a\\x09b"));
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sh_quote),
		cmocka_unit_test(test_module_name),
		cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests_name("quote", tests, NULL, NULL);
}
