// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vp_guest_xml_build() on system models: one <hostdev> per selected function,
 * guest slots for multi-function cards, the notes, and text that libxml2
 * parses back to the same elements.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake-fns.h"
#include "guest-xml.h"

static struct vp_system sys;
static struct vp_selection sel;
static struct vp_guest_xml g;

/* sys from a table; the selection is the functions whose index is in pick[]. */
static void build(const struct fake_dev *devs, size_t n, const size_t *pick, size_t n_pick)
{
	fake_select(&sys, &sel, devs, n, pick, n_pick);
	assert_int_equal(vp_guest_xml_build(&sys, &sel, &g, NULL), 0);
}

static int teardown(void **state)
{
	(void)state;
	vp_guest_xml_free(&g);
	vp_selection_free(&sel);
	vp_system_free(&sys);
	return 0;
}

/* Number of nodes XPATH finds in the text of g wrapped in <devices>. */
static int count(const char *xpath)
{
	struct vp_buf b = {0};
	int n;

	assert_int_equal(vp_buf_puts(&b, "<devices>\n"), 0);
	assert_int_equal(vp_guest_xml_text(&g, "  ", &b), 0);
	assert_int_equal(vp_buf_puts(&b, "</devices>\n"), 0);
	n = xpath_count(b.s, b.len, xpath);
	vp_buf_free(&b);
	return n;
}

static void test_two_cards(void **state)
{
	static const struct fake_dev devs[] = {
		{"0000:00:02.0", 0x030000, 1},
		{"0000:01:00.0", 0x030000, 0},
		{"0000:01:00.1", 0x040300, -1},
		{"0000:02:00.0", 0x030200, -1},
		{"0000:02:00.1", 0x040300, -1},
	};
	(void)state;
	build(devs, ARRAY_SIZE(devs), (size_t[]){1, 2, 3, 4}, 4);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.v[0].addr, "0000:01:00.0");
	assert_string_equal(g.v[0].guest, "0000:10:00.0");
	assert_string_equal(g.v[1].guest, "0000:10:00.1");
	assert_string_equal(g.v[2].guest, "0000:11:00.0");
	assert_string_equal(g.v[3].guest, "0000:11:00.1");
	assert_int_equal(g.notes.n, 2);
	assert_non_null(strstr(g.notes.v[0], "0000:01:00.0 and 0000:01:00.1 are one card"));
	assert_non_null(strstr(g.notes.v[1], "Guest bus 0x11"));
	assert_int_equal(count("/devices/hostdev[@mode='subsystem'][@type='pci'][@managed='yes']"), 4);
	assert_int_equal(count("//hostdev/address[@multifunction='on']"), 2);
	assert_int_equal(count("//hostdev[source/address[@bus='0x02'][@function='0x1']]"
			       "/address[@type='pci'][@bus='0x11'][@slot='0x00'][@function='0x1']"), 1);
	assert_int_equal(count("/devices/comment()"), 2);
	/* no ROM note: the boot VGA (the iGPU) is not selected */
	for (size_t i = 0; i < g.notes.n; i++)
		assert_null(strstr(g.notes.v[i], "rom file"));
}

static void test_single_function(void **state)
{
	static const struct fake_dev devs[] = {
		{"0001:03:00.0", 0x030000, 0},
		{"0001:04:00.0", 0x0c0330, -1},
	};
	(void)state;
	build(devs, ARRAY_SIZE(devs), (size_t[]){0, 1}, 2);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].guest, "");
	assert_string_equal(g.v[1].guest, "");
	assert_int_equal(g.notes.n, 0);
	assert_int_equal(count("//hostdev/address"), 0);
	assert_int_equal(count("//hostdev/source/address[@domain='0x0001'][@bus='0x03']"
			       "[@slot='0x00'][@function='0x0']"), 1);
}

static void test_no_function_0(void **state)
{
	static const struct fake_dev devs[] = {
		{"0000:0a:00.0", 0x030000, -1},
		{"0000:0a:00.1", 0x040300, -1},
		{"0000:0a:00.2", 0x0c0330, -1},
	};
	(void)state;
	build(devs, ARRAY_SIZE(devs), (size_t[]){1, 2}, 2);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].guest, "");
	assert_int_equal(count("//hostdev/address"), 0);
	assert_int_equal(g.notes.n, 1);
	assert_non_null(strstr(g.notes.v[0], "function 0 is not selected"));
}

static void test_boot_vga_rom(void **state)
{
	static const struct fake_dev devs[] = {
		{"0000:2d:00.0", 0x030000, 1},
		{"0000:2d:00.1", 0x040300, -1},
	};
	(void)state;
	build(devs, ARRAY_SIZE(devs), (size_t[]){0, 1}, 2);
	assert_int_equal(g.notes.n, 2);
	assert_non_null(strstr(g.notes.v[1], "0000:2d:00.0 is the boot VGA"));
	assert_non_null(strstr(g.notes.v[1], "<rom file='PATH'/>"));
	/* notes are comments: the <rom> in one is no element */
	assert_int_equal(count("//rom"), 0);
	assert_int_equal(count("/devices/hostdev"), 2);
}

static void test_empty(void **state)
{
	(void)state;
	build(NULL, 0, NULL, 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(count("/devices/*"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_two_cards, teardown),
		cmocka_unit_test_teardown(test_single_function, teardown),
		cmocka_unit_test_teardown(test_no_function_0, teardown),
		cmocka_unit_test_teardown(test_boot_vga_rom, teardown),
		cmocka_unit_test_teardown(test_empty, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
