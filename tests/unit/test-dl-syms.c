// SPDX-License-Identifier: GPL-2.0-or-later
/* The dlsym loop of the libraries loaded on demand (provision/dl-syms.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "dl-syms.h"

static void *libc(void)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_LOCAL);

	assert_non_null(h);
	return h;
}

static void test_all_and_prefix(void **state)
{
	void *a = NULL, *b = NULL, *c = NULL;
	const struct vp_dl_sym syms[] = {
		{"strlen", &a}, {"strcmp", &b}, {"memcpy", &c},
	};
	void *h = libc();
	char *msg = NULL;

	(void)state;
	/* only the names of the prefix */
	assert_int_equal(vp_dl_syms(h, "libc.so.6", "str", syms, 3, "", &msg), 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(c);
	assert_int_equal(vp_dl_syms(h, "libc.so.6", "", syms, 3, "", &msg), 0);
	assert_ptr_equal(c, dlsym(h, "memcpy"));
	assert_null(msg);
	dlclose(h);
}

static void test_missing(void **state)
{
	void *a = NULL, *b = NULL;
	const struct vp_dl_sym syms[] = {{"strlen", &a}, {"vp_no_such_symbol", &b}};
	void *h = libc();
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_dl_syms(h, "libc.so.6", "", syms, 2, ": libc 9 is needed", &msg),
			 -ENOPKG);
	assert_string_equal(msg, "libc.so.6 has no vp_no_such_symbol: libc 9 is needed");
	free(msg);
	dlclose(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_and_prefix),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
