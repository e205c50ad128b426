// SPDX-License-Identifier: GPL-2.0-or-later
/* The one directory iterator (dir-iter.c) on a scratch root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir-iter.h"

struct seen {
	struct vp_strv names;
	size_t stop_after;      /* 0: never */
	bool unlink;
};

static int note(int dfd, const char *name, void *userdata)
{
	struct seen *s = userdata;

	assert_int_equal(vp_strv_push(&s->names, name), 0);
	if (s->unlink)
		assert_int_equal(unlinkat(dfd, name, 0), 0);
	return s->stop_after && s->names.n == s->stop_after ? 7 : 0;
}

/* A scratch directory (dir, a mkdtemp template) with an empty "d" in it, path left naming it. */
static void scratch(char *dir, char *path, size_t size)
{
	assert_non_null(mkdtemp(dir));
	snprintf(path, size, "%s/d", dir);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void test_dir_each(void **state)
{
	char dir[] = "/tmp/vp-unit-XXXXXX", path[128];
	static const char *const files[] = {"b", "a", "c10", "c2", ".hidden"};
	struct vp_root root;
	struct seen s = {0};
	char *msg = NULL;

	(void)state;
	scratch(dir, path, sizeof(path));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/d/%s", dir, files[i]);
		close(open(path, O_CREAT | O_WRONLY, 0644));
	}
	assert_int_equal(vp_root_open(&root, dir), 0);

	/* sorted by strcmp, without . and .. (other dot names are names) */
	assert_int_equal(vp_dir_each(&root, "/d", note, &s, &msg), 0);
	assert_null(msg);
	assert_int_equal(s.names.n, 5);
	assert_string_equal(s.names.v[0], ".hidden");
	assert_string_equal(s.names.v[1], "a");
	assert_string_equal(s.names.v[2], "b");
	assert_string_equal(s.names.v[3], "c10");
	assert_string_equal(s.names.v[4], "c2");
	vp_strv_free(&s.names);

	/* a positive value stops it and comes back */
	s.stop_after = 2;
	assert_int_equal(vp_dir_each(&root, "/d", note, &s, &msg), 7);
	assert_int_equal(s.names.n, 2);
	vp_strv_free(&s.names);

	/* fn may remove what it is given */
	s = (struct seen){.unlink = true};
	assert_int_equal(vp_dir_each(&root, "/d", note, &s, &msg), 0);
	assert_int_equal(s.names.n, 5);
	vp_strv_free(&s.names);
	s = (struct seen){0};
	assert_int_equal(vp_dir_each(&root, "/d", note, &s, &msg), 0);
	assert_int_equal(s.names.n, 0);

	/* absent: -ENOENT and no message; a file: an error naming it */
	assert_int_equal(vp_dir_each(&root, "/nothing", note, &s, &msg), -ENOENT);
	assert_null(msg);
	snprintf(path, sizeof(path), "%s/f", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	assert_true(vp_dir_each(&root, "/f", note, &s, &msg) < 0);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "/f"));
	free(msg);

	unlink(path);
	snprintf(path, sizeof(path), "%s/d", dir);
	rmdir(path);
	rmdir(dir);
	vp_root_close(&root);
}

static bool want_x(const char *name)
{
	return name[0] == 'x';
}

/*
 * A directory bigger than one getdents64() buffer (32 KiB): 3,000 names of
 * 40 bytes come whole and sorted, and vp_root_list() gives the wanted ones
 * as paths, sorted with what the list held before.
 */
static void test_big_dir(void **state)
{
	char dir[] = "/tmp/vp-unit-XXXXXX", path[256];
	struct vp_strv list = {0};
	struct vp_root root;
	struct seen s = {0};
	char *msg = NULL;

	(void)state;
	scratch(dir, path, sizeof(path));
	for (int i = 2999; i >= 0; i--) {
		snprintf(path, sizeof(path), "%s/d/%c%04d-a-name-long-enough-to-fill-a-buffer", dir,
			 i % 2 ? 'x' : 'y', i);
		close(open(path, O_CREAT | O_WRONLY, 0644));
	}
	assert_int_equal(vp_root_open(&root, dir), 0);
	assert_int_equal(vp_dir_each(&root, "/d", note, &s, &msg), 0);
	assert_int_equal(s.names.n, 3000);
	for (size_t i = 1; i < s.names.n; i++)
		assert_true(strcmp(s.names.v[i - 1], s.names.v[i]) < 0);
	assert_int_equal(vp_strv_push(&list, "/d/z-before"), 0);
	assert_int_equal(vp_root_list(&root, "/d", want_x, &list, &msg), 0);
	assert_int_equal(list.n, 1501);
	assert_string_equal(list.v[0], "/d/x0001-a-name-long-enough-to-fill-a-buffer");
	assert_string_equal(list.v[1500], "/d/z-before");
	/* absent, or a file: nothing, no error */
	assert_int_equal(vp_root_list(&root, "/none", want_x, &list, &msg), 0);
	assert_int_equal(list.n, 1501);
	for (size_t i = 0; i < s.names.n; i++) {
		snprintf(path, sizeof(path), "%s/d/%s", dir, s.names.v[i]);
		unlink(path);
	}
	vp_strv_free(&s.names);
	vp_strv_free(&list);
	snprintf(path, sizeof(path), "%s/d", dir);
	rmdir(path);
	rmdir(dir);
	vp_root_close(&root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_each),
		cmocka_unit_test(test_big_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
