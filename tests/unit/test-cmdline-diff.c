// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmdline-diff.c: the command-line words each change adds, removes or
 * replaces, per file and variable; words already there are no change, and
 * files without a command line (modprobe.d, early.conf) contribute nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cmdline-diff.h"

#define TOK(k, v) {.key = (char *)(k), .token = (char *)(v), .reason = NULL}

static struct vp_cmdline_token toks[] = {
	TOK("iommu", "iommu=pt"),
	TOK("hugepagesz", "hugepagesz=1G"),
	TOK("hugepages", "hugepages=4"),
	TOK("rd.driver.blacklist", NULL),
};
static const struct vp_plan plan = {.cmdline = toks, .n_cmdline = 4};

/* One change of path from old to new (NULL: absent). */
static void edits(const char *path, const char *old, const char *new_, enum vp_action a,
		  struct vp_cmdline_edits *ret)
{
	static struct vp_plan_file f;
	static struct vp_change ch;
	struct vp_changes c = {.v = &ch, .n = 1};

	f = (struct vp_plan_file){.path = (char *)path, .content = (char *)new_};
	ch = (struct vp_change){.file = &f, .action = a, .exists = old != NULL,
				.old = (char *)old, .old_len = old ? strlen(old) : 0};
	assert_int_equal(vp_cmdline_edits_compute(&plan, &c, ret), 0);
}

static void test_grub_in_place(void **state)
{
	struct vp_cmdline_edits e;
	const char *rep;

	(void)state;
	edits("/etc/default/grub",
	      "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=soft rd.driver.blacklist=nouveau\"\n"
	      "GRUB_CMDLINE_LINUX=\"\"\n",
	      "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt hugepagesz=1G hugepages=4\"\n"
	      "GRUB_CMDLINE_LINUX=\"\"\n", VP_ACT_UPDATE, &e);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].variable, "GRUB_CMDLINE_LINUX_DEFAULT");
	assert_int_equal(e.v[0].line, 2);
	assert_int_equal(e.v[0].added.n, 2);
	assert_true(vp_strv_contains(&e.v[0].added, "hugepagesz=1G"));
	assert_true(vp_strv_contains(&e.v[0].added, "hugepages=4"));
	assert_int_equal(e.v[0].removed.n, 1);
	assert_string_equal(e.v[0].removed.v[0], "rd.driver.blacklist=nouveau");
	assert_int_equal(e.v[0].replaced_from.n, 1);
	assert_string_equal(e.v[0].replaced_from.v[0], "iommu=soft");
	assert_string_equal(e.v[0].replaced_to.v[0], "iommu=pt");
	assert_true(vp_cmdline_edits_adds(&e, "iommu=pt", &rep));
	assert_string_equal(rep, "iommu=soft");
	assert_true(vp_cmdline_edits_adds(&e, "hugepages=4", &rep));
	assert_null(rep);
	assert_true(vp_cmdline_edits_removes(&e, "rd.driver.blacklist"));
	assert_false(vp_cmdline_edits_removes(&e, "iommu"));
	vp_cmdline_edits_free(&e);
}

/*
 * GRUB files read as the shell reads them (shell-lex.c): a value continued
 * on the next line, two commands on a line, a comment after the value, one
 * in a subshell (no effect) and a command's environment (no effect).
 */
static void test_grub_as_the_shell(void **state)
{
	struct vp_cmdline_edits e;

	(void)state;
	edits("/etc/default/grub",
	      "GRUB_TIMEOUT=5; GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \\\n iommu=soft\" # was pt\n"
	      "(GRUB_CMDLINE_LINUX=\"hugepages=2\")\n"
	      "GRUB_CMDLINE_LINUX=\"hugepages=3\" true\n",
	      "GRUB_TIMEOUT=5; GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \\\n iommu=pt hugepages=4\" # was pt\n"
	      "(GRUB_CMDLINE_LINUX=\"hugepages=2\")\n"
	      "GRUB_CMDLINE_LINUX=\"hugepages=3\" true\n", VP_ACT_UPDATE, &e);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].variable, "GRUB_CMDLINE_LINUX_DEFAULT");
	assert_int_equal(e.v[0].line, 1);
	assert_int_equal(e.v[0].added.n, 1);
	assert_string_equal(e.v[0].added.v[0], "hugepages=4");
	assert_int_equal(e.v[0].replaced_from.n, 1);
	assert_string_equal(e.v[0].replaced_from.v[0], "iommu=soft");
	assert_string_equal(e.v[0].replaced_to.v[0], "iommu=pt");
	assert_int_equal(e.v[0].removed.n, 0);
	vp_cmdline_edits_free(&e);
}

static void test_already_present(void **state)
{
	struct vp_cmdline_edits e;
	const char *rep;

	(void)state;
	/* only hugepagesz is new: iommu=pt was there */
	edits("/etc/kernel/cmdline", "root=UUID=x ro iommu=pt\n",
	      "root=UUID=x ro iommu=pt hugepagesz=1G\n", VP_ACT_UPDATE, &e);
	assert_int_equal(e.n, 1);
	assert_null(e.v[0].variable);
	assert_int_equal(e.v[0].added.n, 1);
	assert_string_equal(e.v[0].added.v[0], "hugepagesz=1G");
	assert_false(vp_cmdline_edits_adds(&e, "iommu=pt", &rep));
	assert_true(vp_strv_contains(&e.mentioned, "iommu=pt"));
	vp_cmdline_edits_free(&e);

	/* an unchanged file is mentioned, never an edit */
	edits("/etc/kernel/cmdline", "ro iommu=pt\n", "ro iommu=pt\n", VP_ACT_NONE, &e);
	assert_int_equal(e.n, 0);
	assert_true(vp_strv_contains(&e.mentioned, "iommu=pt"));
	vp_cmdline_edits_free(&e);
}

static void test_bls_refind_dropin(void **state)
{
	struct vp_cmdline_edits e;

	(void)state;
	edits("/boot/loader/entries/a.conf", "title A\noptions root=/dev/sda1 ro\n",
	      "title A\noptions root=/dev/sda1 ro iommu=pt\n", VP_ACT_UPDATE, &e);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].variable, "options");
	vp_cmdline_edits_free(&e);

	edits("/boot/refind_linux.conf",
	      "\"Boot with standard options\"  \"ro root=UUID=x\"\n\"Boot to single-user mode\"  \"ro root=UUID=x single\"\n",
	      "\"Boot with standard options\"  \"ro root=UUID=x iommu=pt\"\n\"Boot to single-user mode\"  \"ro root=UUID=x single iommu=pt\"\n",
	      VP_ACT_UPDATE, &e);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.v[0].variable, "Boot with standard options");
	assert_string_equal(e.v[1].variable, "Boot to single-user mode");
	assert_int_equal(e.v[1].line, 2);
	vp_cmdline_edits_free(&e);

	/* a new drop-in: "$GRUB_CMDLINE_LINUX_DEFAULT" is no word of ours */
	edits("/etc/default/grub.d/vfio-provision.cfg", NULL,
	      "# Managed by vfio-provision\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT iommu=pt\"\n",
	      VP_ACT_CREATE, &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].added.n, 1);
	assert_string_equal(e.v[0].added.v[0], "iommu=pt");
	assert_int_equal(e.v[0].line, 2);
	vp_cmdline_edits_free(&e);

	/* a removed file: its words go */
	edits("/etc/kernel/cmdline", "ro iommu=pt\n", NULL, VP_ACT_REMOVE, &e);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].removed.v[0], "iommu=pt");
	vp_cmdline_edits_free(&e);
}

static void test_not_a_cmdline(void **state)
{
	struct vp_cmdline_edits e;

	(void)state;
	/* early.conf's "hugepages=4" is a variable, modprobe.d's options no kernel words */
	edits("/etc/vfio-provision/early.conf", NULL, "# x\nhugepages=4\nnode=any\n",
	      VP_ACT_CREATE, &e);
	assert_int_equal(e.n, 0);
	vp_cmdline_edits_free(&e);
	edits("/etc/modprobe.d/vfio.conf", NULL, "options vfio-pci ids=10de:1b81\n",
	      VP_ACT_CREATE, &e);
	assert_int_equal(e.n, 0);
	vp_cmdline_edits_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub_in_place),
		cmocka_unit_test(test_grub_as_the_shell),
		cmocka_unit_test(test_already_present),
		cmocka_unit_test(test_bls_refind_dropin),
		cmocka_unit_test(test_not_a_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
