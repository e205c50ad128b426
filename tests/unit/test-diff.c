// SPDX-License-Identifier: GPL-2.0-or-later
/* vp_diff: exact unified output, as `diff -u` prints it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "diff.h"

static char *run(const char *a, const char *b)
{
	struct vp_buf out = {0};

	assert_int_equal(vp_diff("/etc/x.conf", a, a ? strlen(a) : 0, b, b ? strlen(b) : 0,
				 false, &out), 0);
	return vp_buf_steal(&out);
}

static void expect(const char *a, const char *b, const char *want)
{
	char *got = run(a, b);

	assert_string_equal(got, want);
	free(got);
}

static void test_equal(void **state)
{
	(void)state;
	expect("a\nb\n", "a\nb\n", "");
	expect(NULL, NULL, "");
	expect(NULL, "", "");
}

static void test_new_file(void **state)
{
	(void)state;
	expect(NULL, "x\ny\n", "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	expect("x\n", NULL, "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -1 +0,0 @@\n-x\n");
}

static void test_context_and_merge(void **state)
{
	(void)state;
	/* one change in the middle of 9 lines: 3 lines of context each side */
	expect("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n",
	       "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n"
	       " 6\n 7\n 8\n");
	/* two changes 6 lines apart: one hunk; 7 apart: two hunks */
	expect("a\n1\n2\n3\n4\n5\n6\nb\n", "A\n1\n2\n3\n4\n5\n6\nB\n",
	       "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n 4\n"
	       " 5\n 6\n-b\n+B\n");
	expect("a\n1\n2\n3\n4\n5\n6\n7\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\nB\n",
	       "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n"
	       "@@ -6,4 +6,4 @@\n 5\n 6\n 7\n-b\n+B\n");
}

static void test_append(void **state)
{
	(void)state;
	/* the fstab case: a line appended after the last one */
	expect("# fstab\nUUID=1 / ext4 defaults 0 1\n",
	       "# fstab\nUUID=1 / ext4 defaults 0 1\nhugetlbfs /dev/hugepages1G hugetlbfs x 0 0\n",
	       "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -1,2 +1,3 @@\n # fstab\n"
	       " UUID=1 / ext4 defaults 0 1\n+hugetlbfs /dev/hugepages1G hugetlbfs x 0 0\n");
	/* insertion at the start: the empty range names line 0 */
	expect("b\n", "a\nb\n", "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -1 +1,2 @@\n+a\n b\n");
}

static void test_no_newline(void **state)
{
	(void)state;
	expect("a\nb", "a\nb\n",
	       "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -1,2 +1,2 @@\n a\n-b\n"
	       "\\ No newline at end of file\n+b\n");
}

static void test_minimal(void **state)
{
	/* Myers gives a shortest script: count the edits of a classic example */
	char *got;
	int plus = 0, minus = 0;

	(void)state;
	got = run("a\nb\nc\na\nb\nb\na\n", "c\nb\na\nb\na\nc\n");
	for (char *l = strtok(got, "\n"); l; l = strtok(NULL, "\n")) {
		if (l[0] == '+' && l[1] != '+')
			plus++;
		if (l[0] == '-' && l[1] != '-')
			minus++;
	}
	assert_int_equal(plus + minus, 5);   /* D = 5 in Myers' paper */
	free(got);
}

static void test_color(void **state)
{
	struct vp_buf out = {0};

	(void)state;
	assert_int_equal(vp_diff("/f", "a\n", 2, "b\n", 2, true, &out), 0);
	assert_non_null(strstr(out.s, "\033[31m-a\033[0m\n"));
	assert_non_null(strstr(out.s, "\033[32m+b\033[0m\n"));
	vp_buf_free(&out);
}

static void test_large(void **state)
{
	/* 3000 lines each, every one different: still a valid (full) diff */
	struct vp_buf a = {0}, b = {0}, out = {0};
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		vp_buf_printf(&a, "a%d\n", i);
		vp_buf_printf(&b, "b%d\n", i);
	}
	assert_int_equal(vp_diff("/f", a.s, a.len, b.s, b.len, false, &out), 0);
	for (char *p = out.s; (p = strchr(p, '\n')); p++)
		n++;
	assert_int_equal(n, 2 + 1 + 6000);
	vp_buf_free(&a);
	vp_buf_free(&b);
	vp_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_new_file),
		cmocka_unit_test(test_context_and_merge),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_no_newline),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_color),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
