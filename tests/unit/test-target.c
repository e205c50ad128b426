// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A new target is one planner and one table entry (target.h): a fake
 * bootloader, "fakeboot", whose descriptor and planner live here only, is
 * added to a copy of the built-in table and goes the whole way: detected
 * in a fake root by its clue (over GRUB's), selected by its config name,
 * its file loaded by the probe and planned, its command line read back and
 * diffed, its rebuild command planned for apply and revert. Nothing outside
 * this file knows it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmdline-diff.h"
#include "config.h"
#include "plan-regen.h"
#include "probe.h"
#include "root.h"
#include "target.h"

#define FAKE_FILE "/etc/fakeboot/cmdline"

/* --- the planner file of fakeboot: one command line, the whole first line --- */

static int fake_plan(const struct vp_config *cfg, const struct vp_system *sys,
		     struct vp_plan *plan, char **ret_msg)
{
	const struct vp_file *f = vp_system_file(sys, FAKE_FILE);
	_cleanup_free_ char *orig = NULL, *merged = NULL;
	int r;

	(void)cfg;
	if (!f || !f->content)
		return vp_plan_msg(plan, VP_MSG_WARN, FAKE_FILE " does not exist");
	orig = strndup(f->content, strcspn(f->content, "\n"));
	if (!orig)
		return -ENOMEM;
	r = vp_boot_merge(plan, orig, f->path, 1, &merged, ret_msg);
	if (r >= 0)
		r = vp_boot_check(plan, orig, merged, f->path, 1, ret_msg);
	if (r < 0)
		return r;
	r = vp_plan_add_file(plan, f->path, vp_strdup_printf("%s\n", merged), f->mode, false,
			     "fakeboot reads its first line");
	return r < 0 ? r : vp_plan_add_command(plan, VP_LIST("fakeboot-update"), "fakeboot");
}

static int fake_read(const struct vp_config *cfg, const struct vp_system *sys,
		     const struct vp_plan *plan, struct vp_boot_lines *out)
{
	const char *c = vp_boot_view(sys, plan, FAKE_FILE);
	_cleanup_free_ char *line = c ? strndup(c, strcspn(c, "\n")) : NULL;

	(void)cfg;
	if (c && !line)
		return -ENOMEM;
	return c ? vp_boot_lines_add(out, FAKE_FILE, 1, "cmdline", line, NULL) : 0;
}

static const char *fake_line(const char *p, size_t len, char **what)
{
	(void)len;
	*what = strdup("cmdline");
	return p;
}

static int fake_rebuild(const struct vp_system *sys, struct vp_plan *plan)
{
	(void)sys;
	return vp_plan_add_command(plan, VP_LIST("fakeboot-update"), "fakeboot");
}

static const struct vp_boot_target fake_file = {
	.name = "fakeboot",
	.in = {.files = VP_LIST(FAKE_FILE)},
	.plan = fake_plan,
	.read = fake_read,
	.line = fake_line,
	.feeds = VP_LIST(FAKE_FILE),
};

static const struct vp_bootloader_def fakeboot = {
	.name = "fakeboot",
	.aliases = VP_LIST("fb"),
	.clues = {{45, .all = VP_LIST(FAKE_FILE)}},        /* above grub (40) */
	.routes = {{NULL, {{&fake_file}}}},
	.rebuild = fake_rebuild,
};

/* --- the table entry: the built-ins and fakeboot --- */

static const struct vp_bootloader_def *bootloaders[VP_BOOT_MAX];
static struct vp_targets table;
static size_t fake;             /* fakeboot's index */

static char tmp[64];
static struct vp_root root;

static void put(const char *path, const char *text)
{
	char full[256];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", tmp, path);
	for (char *s = strchr(full + strlen(tmp) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(full, 0755);
		*s = '/';
	}
	f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	table = vp_builtin_targets;
	memcpy(bootloaders, table.bootloaders, table.n_bootloaders * sizeof(*bootloaders));
	fake = table.n_bootloaders;
	bootloaders[table.n_bootloaders++] = &fakeboot;
	table.bootloaders = bootloaders;
	vp_targets = &table;

	strcpy(tmp, "/tmp/vp-test-target.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	put(FAKE_FILE, "quiet splash\n");
	/* GRUB's files too: the clue's score puts fakeboot first */
	put("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"\"\n");
	put("/boot/grub/grub.cfg", "");
	assert_int_equal(vp_root_open(&root, tmp), 0);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	vp_targets = &vp_builtin_targets;
	vp_root_close(&root);
	assert_int_equal(nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	return 0;
}

static void probe(struct vp_system *sys)
{
	char *msg = NULL;

	*sys = (struct vp_system){0};
	assert_int_equal(vp_probe_boot(&root, sys, &msg), 0);
	assert_int_equal(vp_probe_files(&root, sys, &msg), 0);
	assert_null(msg);
}

static void test_detected(void **state)
{
	struct vp_system sys;

	(void)state;
	probe(&sys);
	assert_int_equal(sys.bootloader, fake);
	assert_true(sys.bootloader_found[fake]);
	assert_true(sys.bootloader_found[VP_BOOT_GRUB]);
	assert_string_equal(vp_bootloader_name(sys.bootloader), "fakeboot");
	/* its file was read by the probe because the table names it */
	assert_non_null(vp_system_file(&sys, FAKE_FILE));
	assert_string_equal(vp_system_file(&sys, FAKE_FILE)->content, "quiet splash\n");
	vp_system_free(&sys);
}

static void test_config_name(void **state)
{
	struct vp_config cfg;
	char *msg = NULL;
	_cleanup_free_ char *names = vp_target_names(true);

	(void)state;
	vp_config_init(&cfg);
	assert_int_equal(vp_config_parse_string(&cfg, "t.conf", "[bootloader]\ntype = fb\n",
						&msg), 0);
	assert_false(cfg.bootloader_auto);
	assert_int_equal(cfg.bootloader, fake);
	vp_config_free(&cfg);
	/* and the config's list of names says so */
	assert_non_null(strstr(names, "grubby, fakeboot, fb"));
	vp_config_init(&cfg);
	assert_int_equal(vp_config_parse_string(&cfg, "t.conf", "[bootloader]\ntype = lilo\n",
						&msg), -EINVAL);
	assert_non_null(strstr(msg, "fakeboot, fb, none)"));
	free(msg);
	vp_config_free(&cfg);
}

static void test_planned_read_back_rebuilt(void **state)
{
	struct vp_config cfg;
	struct vp_selection sel = {0};
	struct vp_plan plan = {0}, regen = {0};
	struct vp_boot_lines lines = {0};
	struct vp_system sys;
	const struct vp_plan_file *f;
	char *msg = NULL;

	(void)state;
	probe(&sys);
	vp_config_init(&cfg);
	assert_int_equal(vp_config_parse_string(&cfg, "t.conf", "[bootloader]\ntype = fakeboot\n",
						&msg), 0);
	assert_int_equal(vp_plan_add_token(&plan, "intel_iommu", "intel_iommu=on", "r"), 0);
	assert_int_equal(vp_plan_bootloader(&cfg, &sys, &sel, &plan, &msg), 0);
	f = vp_plan_file(&plan, FAKE_FILE);
	assert_non_null(f);
	assert_string_equal(f->content, "quiet splash intel_iommu=on\n");
	/* GRUB, found but not in use, is left alone */
	assert_null(vp_plan_file(&plan, "/etc/default/grub"));
	assert_int_equal(plan.n_commands, 1);
	assert_string_equal(plan.commands[0].argv[0], "fakeboot-update");

	/* the judge of the next boot reads it back through the descriptor */
	assert_int_equal(vp_boot_read(&cfg, &sys, &plan, &lines), 0);
	assert_int_equal(lines.n, 1);
	assert_string_equal(lines.v[0].path, FAKE_FILE);
	assert_string_equal(lines.v[0].text, "quiet splash intel_iommu=on");
	vp_boot_lines_free(&lines);

	/* what the change does to its command line, read with its line reader */
	{
		static const char old_text[] = "quiet splash\n";
		struct vp_change ch = {.file = f, .action = VP_ACT_UPDATE, .exists = true,
				       .old = (char *)old_text, .old_len = sizeof(old_text) - 1};
		struct vp_changes changes = {.v = &ch, .n = 1};
		struct vp_cmdline_edits e = {0};
		const char *replaced;

		assert_int_equal(vp_cmdline_edits_compute(&plan, &changes, &e), 0);
		assert_true(vp_cmdline_edits_adds(&e, "intel_iommu=on", &replaced));
		assert_null(replaced);
		assert_int_equal(e.n, 1);
		assert_string_equal(e.v[0].variable, "cmdline");
		vp_cmdline_edits_free(&e);
	}

	/* revert and the reconciliation: its file feeds its rebuild */
	assert_true(vp_path_feeds_bootloader(FAKE_FILE));
	assert_false(vp_path_feeds_initramfs(FAKE_FILE));
	assert_int_equal(vp_regen_for(&cfg, &sys, false, true, &regen), 0);
	assert_int_equal(regen.n_commands, 1);
	assert_string_equal(regen.commands[0].argv[0], "fakeboot-update");
	assert_null(regen.commands[0].argv[1]);

	vp_plan_free(&regen);
	vp_plan_free(&plan);
	vp_config_free(&cfg);
	vp_system_free(&sys);
}

/* Without the entry nothing knows fakeboot: the same root is GRUB's. */
static void test_without_entry(void **state)
{
	struct vp_system sys;
	struct vp_config cfg;
	char *msg = NULL;

	(void)state;
	vp_targets = &vp_builtin_targets;
	probe(&sys);
	assert_int_equal(sys.bootloader, VP_BOOT_GRUB);
	assert_null(vp_system_file(&sys, FAKE_FILE));
	assert_false(vp_path_feeds_bootloader(FAKE_FILE));
	vp_config_init(&cfg);
	assert_int_equal(vp_config_parse_string(&cfg, "t.conf", "[bootloader]\ntype = fakeboot\n",
						&msg), -EINVAL);
	free(msg);
	vp_config_free(&cfg);
	vp_system_free(&sys);
	vp_targets = &table;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planned_read_back_rebuilt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_entry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
