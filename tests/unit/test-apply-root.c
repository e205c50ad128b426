// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-root path resolution, and apply/revert on a scratch root with literal
 * plans (no probe, no planners).
 */
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
#include <sys/wait.h>
#include <unistd.h>

#include "apply.h"
#include "fsroot.h"

/* ---- a scratch root ---- */

struct scratch {
	char dir[64];
	struct vp_root root;
};

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	strcpy(s->dir, "/tmp/vp-unit-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	assert_int_equal(vp_root_open(&s->root, s->dir), 0);
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	char *argv[] = {"rm", "-rf", s->dir, NULL};
	pid_t pid = fork();

	if (pid == 0) {
		execvp("rm", argv);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	vp_root_close(&s->root);
	free(s);
	return 0;
}

static void put(struct scratch *s, const char *rel, const char *text, unsigned mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static char *get(struct scratch *s, const char *path)
{
	char *text = NULL;

	if (vp_root_read_st(&s->root, path, &text, NULL, NULL) < 0)
		return NULL;
	return text;
}

static void test_canon(void **state)
{
	struct scratch *s = *state;
	char p[256], *c = NULL, *msg = NULL;

	snprintf(p, sizeof(p), "%s/etc", s->dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/usr", s->dir);
	mkdir(p, 0755);
	/* absolute target: inside the root */
	snprintf(p, sizeof(p), "%s/etc/abs", s->dir);
	assert_int_equal(symlink("/usr/lib", p), 0);
	assert_int_equal(vp_root_resolve(&s->root, "/etc/abs/x.conf", &c, NULL), 0);
	assert_string_equal(c, "/usr/lib/x.conf");
	free(c);
	/* relative target with "..": still inside */
	snprintf(p, sizeof(p), "%s/etc/rel", s->dir);
	assert_int_equal(symlink("../usr", p), 0);
	assert_int_equal(vp_root_resolve(&s->root, "/etc/rel/./a/../b", &c, NULL), 0);
	assert_string_equal(c, "/usr/b");
	free(c);
	/* climbing out: refused, with a message naming the path and the link */
	snprintf(p, sizeof(p), "%s/etc/out", s->dir);
	assert_int_equal(symlink("../../..", p), 0);
	assert_int_equal(vp_root_resolve(&s->root, "/etc/out/tmp/x", &c, &msg), -EXDEV);
	assert_non_null(strstr(msg, "'/etc/out/tmp/x': the symbolic link '/etc/out' -> '../../..' "
				    "leads outside the root"));
	free(msg);
	msg = NULL;
	assert_int_equal(vp_root_resolve(&s->root, "/../etc", &c, &msg), -EXDEV);
	assert_non_null(strstr(msg, "'/../etc': '..' leads outside the root"));
	free(msg);
	/* a loop */
	snprintf(p, sizeof(p), "%s/etc/loop", s->dir);
	assert_int_equal(symlink("loop", p), 0);
	assert_int_equal(vp_root_resolve(&s->root, "/etc/loop", &c, NULL), -ELOOP);
	assert_int_equal(vp_root_resolve(&s->root, "/", &c, NULL), 0);
	assert_string_equal(c, "/");
	free(c);
}

static void test_apply_revert(void **state)
{
	struct scratch *s = *state;
	struct vp_plan a = {0}, b = {0};
	struct vp_changes ca = {0}, cb = {0};
	struct vp_apply_opts opts = {0};
	struct vp_ledger l = {0};
	struct vp_bases bases = {0};
	struct stat st;
	char p[256], *msg = NULL, *t;

	snprintf(p, sizeof(p), "%s/etc", s->dir);
	mkdir(p, 0755);
	put(s, "etc/fstab", "# fstab\n", 0600);
	/* plan A: a new owned file and an edit */
	assert_int_equal(vp_plan_add_file(&a, "/etc/new.d/ours.conf",
					  strdup(VP_MANAGED_HEADER "\nA\n"), 0644, true, "a"), 0);
	assert_int_equal(vp_plan_add_file(&a, "/etc/fstab", strdup("# fstab\nA\n"), 0644, false,
					  "a"), 0);
	assert_int_equal(vp_changes_compute(&s->root, &a, NULL, &ca, &msg), 0);
	assert_int_equal(ca.n_pending, 2);
	assert_int_equal(ca.v[0].action, VP_ACT_CREATE);
	assert_int_equal(ca.v[1].action, VP_ACT_UPDATE);
	assert_int_equal(vp_apply(&s->root, &ca, NULL, NULL, &opts, NULL, NULL, &msg), 2);
	t = get(s, "/etc/fstab");
	assert_string_equal(t, "# fstab\nA\n");
	free(t);
	snprintf(p, sizeof(p), "%s/etc/fstab", s->dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);   /* an edit keeps the mode */
	/* plan B from the ledger's bases: other content, the base stays */
	assert_int_equal(vp_ledger_load(&s->root, &l, &msg), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(vp_owner_bases(&s->root, &l, false, false, &bases, &msg), 0);
	assert_string_equal(vp_bases_find(&bases, "/etc/fstab")->bytes.data, "# fstab\n");
	assert_int_equal(vp_plan_add_file(&b, "/etc/fstab", strdup("# fstab\nB\n"), 0644, false,
					  "b"), 0);
	assert_int_equal(vp_changes_compute(&s->root, &b, &l, &cb, &msg), 0);
	/* a plan made from another ledger than the one on disk is refused */
	assert_int_equal(vp_apply(&s->root, &cb, NULL, NULL, &opts, NULL, NULL, &msg), -EAGAIN);
	free(msg);
	msg = NULL;
	assert_int_equal(vp_apply(&s->root, &cb, &l, &bases, &opts, NULL, NULL, &msg), 1);
	t = get(s, VP_LEDGER_PATH);
	assert_non_null(strstr(t, "file /etc/fstab shared 0600:0:0:blobs/"));
	free(t);
	vp_bases_free(&bases);
	vp_ledger_free(&l);
	/* revert: bytes, mode; created file and directories gone; state gone */
	assert_int_equal(vp_revert(&s->root, false, NULL, NULL, NULL, &msg), 3);
	t = get(s, "/etc/fstab");
	assert_string_equal(t, "# fstab\n");
	free(t);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(vp_root_stat(&s->root, "/etc/new.d", &st, NULL), -ENOENT);
	assert_int_equal(vp_root_stat(&s->root, VP_STATE_DIR, &st, NULL), -ENOENT);
	assert_int_equal(vp_root_stat(&s->root, "/var", &st, NULL), -ENOENT);
	assert_null(msg);
	vp_changes_free(&ca);
	vp_changes_free(&cb);
	vp_plan_free(&a);
	vp_plan_free(&b);
}

static void test_unmanaged(void **state)
{
	struct scratch *s = *state;
	struct vp_plan a = {0};
	struct vp_changes c = {0};
	struct vp_apply_opts opts = {0};
	char p[256], *msg = NULL, *t;

	snprintf(p, sizeof(p), "%s/etc", s->dir);
	mkdir(p, 0755);
	put(s, "etc/ours.conf", "user's own\n", 0644);
	assert_int_equal(vp_plan_add_file(&a, "/etc/ours.conf", strdup(VP_MANAGED_HEADER "\n"),
					  0644, true, NULL), 0);
	assert_int_equal(vp_changes_compute(&s->root, &a, NULL, &c, &msg), 0);
	assert_int_equal(c.n_unmanaged, 1);
	assert_int_equal(vp_apply(&s->root, &c, NULL, NULL, &opts, NULL, NULL, &msg), -EEXIST);
	assert_non_null(strstr(msg, "'/etc/ours.conf': exists and is not managed"));
	free(msg);
	msg = NULL;
	t = get(s, "/etc/ours.conf");
	assert_string_equal(t, "user's own\n");
	free(t);
	/* refused before anything was created */
	assert_int_equal(vp_root_stat(&s->root, "/var", &(struct stat){0}, NULL), -ENOENT);
	opts.force = true;
	assert_int_equal(vp_apply(&s->root, &c, NULL, NULL, &opts, NULL, NULL, &msg), 1);
	assert_int_equal(vp_revert(&s->root, false, NULL, NULL, NULL, &msg), 1);
	t = get(s, "/etc/ours.conf");
	assert_string_equal(t, "user's own\n");
	free(t);
	vp_changes_free(&c);
	vp_plan_free(&a);
}

static void test_owned_needs_header(void **state)
{
	struct scratch *s = *state;
	struct vp_plan a = {0};
	struct vp_changes c = {0};
	char *msg = NULL;

	assert_int_equal(vp_plan_add_file(&a, "/etc/x.conf", strdup("no header\n"), 0644, true,
					  NULL), 0);
	assert_int_equal(vp_changes_compute(&s->root, &a, NULL, &c, &msg), -EINVAL);
	assert_non_null(strstr(msg, "'/etc/x.conf': planned without the"));
	free(msg);
	vp_plan_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_canon, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_apply_revert, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_unmanaged, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_owned_needs_header, scratch_setup,
						scratch_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
