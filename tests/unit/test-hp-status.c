// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/buddyinfo as `hugepages status` reads it (vp_hp_parse_buddyinfo):
 * zones summed per node, and a line that is not the kernel's refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hp-status.h"

static void test_buddyinfo(void **state)
{
	struct vp_hp_contig *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(vp_hp_parse_buddyinfo(
		"Node 0, zone      DMA      1      0      2 \n"
		"Node 0, zone   Normal      3      1      1\n"
		"Node 1, zone   Normal      0      0      5", 4, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].node, 0);
	assert_int_equal(v[0].max_order, 2);
	/* 4 KiB pages: (1 + 3) * 4 + 1 * 8 + (2 + 1) * 16 */
	assert_true(v[0].free_kib == 72);
	assert_true(v[0].top_kib == 48);
	assert_int_equal(v[1].node, 1);
	assert_true(v[1].free_kib == 80 && v[1].top_kib == 80);
	free(v);
}

/* What sscanf took: a sign, junk after a count, a count or a sum that overflows. */
static void test_buddyinfo_bad(void **state)
{
	static const struct {
		const char *text;
		int r;
	} cases[] = {
		{"Node 0, zone Normal 1 -1 2\n", -EINVAL},
		{"Node 0, zone Normal 1 2x 3\n", -EINVAL},
		{"Node -1, zone Normal 1 2 3\n", -EINVAL},
		{"Node 0 zone Normal 1\n", -EINVAL},
		{"Node 0, zone Normal\n", -EINVAL},
		{"Node 0, zone Normal 18446744073709551616\n", -ERANGE},
		{"Node 0, zone Normal 1 4611686018427387904\n", -ERANGE},
		{"Node 0, zone A 4611686018427387903\nNode 0, zone B 4611686018427387903\n",
		 -ERANGE},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vp_hp_contig *v = NULL;
		size_t n = 0;

		print_message("%s", cases[i].text);
		assert_int_equal(vp_hp_parse_buddyinfo(cases[i].text, 4, &v, &n), cases[i].r);
		assert_null(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddyinfo),
		cmocka_unit_test(test_buddyinfo_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
