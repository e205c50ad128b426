// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ledger's text form (version 3: an end line with the count and a
 * checksum; version 2 read as it was), linear work for many lines, blob
 * numbering at the top of the range, and an entry that cannot be made
 * (realloc fails: linked with --wrap=realloc, mk/unit.mk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger.h"

/* ---- realloc that fails on demand ---- */

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
static bool fail_realloc;

void *__wrap_realloc(void *p, size_t n)
{
	return fail_realloc ? NULL : __real_realloc(p, n);
}

static void test_record_nomem(void **state)
{
	struct vp_ledger l = {0};
	struct vp_bytes base = {0}, content = {.exists = true, .data = "x\n", .len = 2};

	(void)state;
	/* the entry cannot be made: an error, and nothing written through a pointer never set */
	fail_realloc = true;
	assert_int_equal(vp_ledger_record(&l, "/etc/a", true, &base, &content), -ENOMEM);
	fail_realloc = false;
	assert_int_equal(l.n, 0);
	assert_int_equal(vp_ledger_record(&l, "/etc/a", true, &base, &content), 0);
	assert_int_equal(l.n, 1);
	assert_true(l.f[0].whole);
	vp_ledger_free(&l);
}

/* ---- text ---- */

static char *format_of(const char *text)
{
	struct vp_ledger l = {0};
	char *msg = NULL, *out = NULL;

	assert_int_equal(vp_ledger_parse(text, "L", &l, &msg), 0);
	assert_null(msg);
	assert_int_equal(vp_ledger_format(&l, &out), 0);
	vp_ledger_free(&l);
	return out;
}

static void expect_bad(const char *text, const char *want)
{
	struct vp_ledger l = {0};
	char *msg = NULL;

	assert_int_equal(vp_ledger_parse(text, "L", &l, &msg), -EINVAL);
	assert_non_null(msg);
	if (!strstr(msg, want))
		fail_msg("message '%s' lacks '%s'", msg, want);
	free(msg);
}

static const char v2[] = "# vfio-provision ledger 2\n"
			 "file /etc/default/grub shared 0644:0:0:blobs/1 blobs/2\n"
			 "file /etc/modprobe.d/vfio.conf whole - blobs/3\n"
			 "dir /etc/modprobe.d\n";

static void test_end_line(void **state)
{
	_cleanup_free_ char *v3 = NULL, *again = NULL, *cut = NULL;
	char *last;

	(void)state;
	/* version 2 is read as it is, and written as version 3 with its end line */
	v3 = format_of(v2);
	assert_true(vp_startswith(v3, "# vfio-provision ledger 3\n"));
	last = strstr(v3, "\nend 3 ");
	assert_non_null(last);
	assert_int_equal(strlen(last), strlen("\nend 3 01234567\n"));
	again = format_of(v3);
	assert_string_equal(v3, again);

	/* cut at every line boundary: refused, never fewer entries */
	for (char *nl = strchr(v3, '\n'); nl && nl[1]; nl = strchr(nl + 1, '\n')) {
		free(cut);
		cut = strndup(v3, (size_t)(nl + 1 - v3));
		expect_bad(cut, "no end line");
	}
	/* a line lost in the middle, the end line kept */
	free(cut);
	cut = strdup(v3);
	memmove(strchr(cut, '\n') + 1, strstr(cut, "file /etc/modprobe.d"),
		strlen(strstr(cut, "file /etc/modprobe.d")) + 1);
	expect_bad(cut, "checksum mismatch");
	/* a byte changed */
	free(cut);
	cut = strdup(v3);
	*strstr(cut, "0644") = '7';
	expect_bad(cut, "checksum mismatch");
	/* the end line itself damaged */
	expect_bad("# vfio-provision ledger 3\nend 0 0000000\n", "no end line");
	expect_bad("# vfio-provision ledger 3\nend x 00000000\n", "no end line");
	expect_bad("# vfio-provision ledger 3\nend 0 00000000\nend 0 00000000\n", "");
	/* an empty line is malformed, not the end of the entries */
	expect_bad("# vfio-provision ledger 2\ndir /a\n\ndir /b\n", "'L':3: malformed");
}

/* Paths are escaped (\xHH for blanks, '\\' and control bytes); a bad escape is refused. */
static void test_escaped_paths(void **state)
{
	_cleanup_free_ char *text = NULL;
	struct vp_ledger l = {0};
	char *msg = NULL;

	(void)state;
	text = format_of("# vfio-provision ledger 2\n"
			 "file /boot/loader/entries/a\\x20b\\x5cc\\x09.conf whole - blobs/1\n"
			 "dir /A\\x7f\n");
	assert_non_null(strstr(text, "file /boot/loader/entries/a\\x20b\\x5cc\\x09.conf whole"));
	assert_non_null(strstr(text, "\ndir /A\\x7f\n"));
	assert_int_equal(vp_ledger_parse(text, "L", &l, &msg), 0);
	assert_string_equal(l.f[0].path, "/boot/loader/entries/a b\\c\t.conf");
	assert_string_equal(l.dirs.v[0], "/A\x7f");
	vp_ledger_free(&l);
	expect_bad("# vfio-provision ledger 2\ndir /etc/\\x00\n", "'L':2: malformed");
	expect_bad("# vfio-provision ledger 2\ndir /etc/\\q1\n", "'L':2: malformed");
	expect_bad("# vfio-provision ledger 2\ndir /etc/\\x4\n", "'L':2: malformed");
	expect_bad("# vfio-provision ledger 2\ndir /etc/\\xg1\n", "'L':2: malformed");
}

static void test_blob_names(void **state)
{
	(void)state;
	expect_bad("# vfio-provision ledger 2\nfile /a whole - blobs/0\n", "'L':2");
	expect_bad("# vfio-provision ledger 2\nfile /a whole - blobs/01\n", "'L':2");
	/* 2^64 does not fit: refused, not clamped */
	expect_bad("# vfio-provision ledger 2\nfile /a whole - blobs/18446744073709551616\n", "'L':2");
	free(format_of("# vfio-provision ledger 2\nfile /a whole - blobs/18446744073709551615\n"));
}

/* Many lines: duplicates found in linear time (80 000 took 15 s before). */
static void test_many_lines(void **state)
{
	struct vp_buf b = {0};
	struct vp_ledger l = {0};
	char *msg = NULL;

	(void)state;
	vp_buf_puts(&b, "# vfio-provision ledger 2\n");
	for (int i = 0; i < VP_LEDGER_MAX_LINES; i++)
		vp_buf_printf(&b, "dir /d%d\n", i % 100);
	assert_int_equal(b.err, 0);
	assert_int_equal(vp_ledger_parse(b.s, "L", &l, &msg), 0);
	assert_int_equal(l.dirs.n, 100);
	vp_ledger_free(&l);
	vp_buf_puts(&b, "dir /one-too-many\n");
	expect_bad(b.s, "more than 4096 entries");
	vp_buf_free(&b);
}

/* ---- blob numbers, on a scratch root ---- */

static void test_blob_at_the_top(void **state)
{
	char dir[] = "/tmp/vp-unit-XXXXXX";
	struct vp_root root = {.fd = -1};
	struct vp_ledger l = {0};
	char *msg = NULL, *blob = NULL, *blob2 = NULL;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(vp_root_open(&root, dir), 0);
	assert_int_equal(vp_ledger_parse("# vfio-provision ledger 2\n"
					 "file /a shared 0644:0:0:blobs/1 blobs/18446744073709551615\n",
					 "L", &l, &msg), 0);
	/* one past 2^64-1 would be blobs/0: the lowest free number instead */
	assert_int_equal(vp_ledger_blob(&root, &l, "x", 1, &blob, &msg), 0);
	assert_string_equal(blob, "blobs/2");
	free(l.f[0].next_blob);
	l.f[0].next_blob = blob;
	assert_int_equal(vp_ledger_blob(&root, &l, "y", 1, &blob2, &msg), 0);
	assert_string_equal(blob2, "blobs/3");
	free(blob2);
	vp_ledger_free(&l);
	vp_root_close(&root);
	pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_nomem),
		cmocka_unit_test(test_end_line),
		cmocka_unit_test(test_escaped_paths),
		cmocka_unit_test(test_blob_names),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_blob_at_the_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
