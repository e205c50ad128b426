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

static void test_dir_each(void **state)
{
	char dir[] = "/tmp/vp-unit-XXXXXX", path[128];
	static const char *const files[] = {"b", "a", "c10", "c2", ".hidden"};
	struct vp_root root;
	struct seen s = {0};
	char *msg = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/d", dir);
	assert_int_equal(mkdir(path, 0755), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
