// SPDX-License-Identifier: GPL-2.0-or-later
/* vp_merge3_undo: our edits come out, the user's stay, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "merge3.h"

static void undo(const char *base, const char *ours, const char *cur, bool force,
		 const char *want, size_t want_kept)
{
	struct vp_strv kept = {0};
	char *got = NULL;
	size_t len = 0;

	assert_int_equal(vp_merge3_undo(base, strlen(base), ours, strlen(ours), cur, strlen(cur),
					force, &got, &len, &kept), 0);
	assert_int_equal(len, strlen(got));
	assert_string_equal(got, want);
	if (kept.n != want_kept)
		for (size_t i = 0; i < kept.n; i++)
			print_message("kept: %s\n", kept.v[i]);
	assert_int_equal(kept.n, want_kept);
	free(got);
	vp_strv_free(&kept);
}

#define FSTAB "UUID=1 / ext4 defaults 0 1\n"
#define OURS_LINE "hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=993 0 0\n"

static void test_untouched_gives_base(void **state)
{
	(void)state;
	undo(FSTAB, FSTAB OURS_LINE, FSTAB OURS_LINE, false, FSTAB, 0);
	/* exact even where a line-wise undo could not tell: no final newline, CRLF */
	undo("a\r\nb", "a\r\nb\nx\n", "a\r\nb\nx\n", false, "a\r\nb", 0);
	undo("", "x\n", "x\n", false, "", 0);
}

static void test_user_line_after_ours_stays(void **state)
{
	(void)state;
	undo(FSTAB, FSTAB OURS_LINE, FSTAB OURS_LINE "/dev/sdb1 /data ext4 defaults 0 2\n", false,
	     FSTAB "/dev/sdb1 /data ext4 defaults 0 2\n", 0);
	/* and before it, and with the user's line lacking a newline */
	undo(FSTAB, FSTAB OURS_LINE, "# mine\n" FSTAB OURS_LINE "tmpfs /t tmpfs defaults 0 0",
	     false, "# mine\n" FSTAB "tmpfs /t tmpfs defaults 0 0", 0);
}

static void test_user_edited_our_line_is_kept(void **state)
{
	(void)state;
	const char *edited = "hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1777 0 0\n";
	char cur[256];

	snprintf(cur, sizeof(cur), "%s%s", FSTAB, edited);
	undo(FSTAB, FSTAB OURS_LINE, cur, false, cur, 1);
	/* with force it goes, and is still named (apply says what it writes over) */
	undo(FSTAB, FSTAB OURS_LINE, cur, true, FSTAB, 1);
	/* removed by the user: nothing of ours left, nothing to say */
	undo(FSTAB, FSTAB OURS_LINE, FSTAB, false, FSTAB, 0);
}

/* Issue 19: a changed item is named with what we wrote; a removed one apart. */
static void test_notes(void **state)
{
	const char *base = "root=UUID=1 rw quiet\n";
	const char *ours = "root=UUID=1 rw quiet iommu=pt hugepagesz=1G hugepages=4\n";
	/* the user prepended words, changed one of ours and took another out */
	const char *cur = "luks rd.x=1 root=UUID=1 rw quiet iommu=nopt hugepagesz=1G\n";
	struct vp_strv changed = {0}, removed = {0};
	char *got = NULL;
	size_t len;

	(void)state;
	assert_int_equal(vp_merge3_undo_notes(base, strlen(base), ours, strlen(ours), cur,
					      strlen(cur), true, &got, &len, &changed, &removed), 0);
	/* the line is found by its words, though its first word changed */
	assert_string_equal(got, "luks rd.x=1 root=UUID=1 rw quiet\n");
	assert_int_equal(changed.n, 1);
	assert_string_equal(changed.v[0], "line 1: word 'iommu=nopt' (vfio-provision wrote 'iommu=pt')");
	assert_int_equal(removed.n, 1);
	assert_string_equal(removed.v[0], "line 1: word 'hugepages=4' of vfio-provision's is gone");
	free(got);
	vp_strv_free(&changed);
	vp_strv_free(&removed);
}

#define LIN(v) "GRUB_CMDLINE_LINUX=\"" v "\"\n"
#define DEF(v) "GRUB_CMDLINE_LINUX_DEFAULT=\"" v "\"\n"

static void test_grub_words(void **state)
{
	(void)state;
	/* the user's token on the line we edited stays; ours go; the replaced value returns */
	undo(LIN("default_hugepagesz=2M") DEF("quiet"),
	     LIN("default_hugepagesz=1G") DEF("quiet intel_iommu=on iommu=pt"),
	     LIN("default_hugepagesz=1G mitigations=off") DEF("quiet intel_iommu=on iommu=pt"),
	     false, LIN("default_hugepagesz=2M mitigations=off") DEF("quiet"), 0);
	/* a word of ours first after the quote */
	undo(DEF(""), DEF("intel_iommu=on"), DEF("intel_iommu=on splash"), false, DEF("splash"), 0);
	undo(DEF("quiet"), DEF("quiet intel_iommu=on"), DEF("splash quiet intel_iommu=on"), false,
	     DEF("splash quiet"), 0);
	/* the user gave our replacement another value: theirs now */
	undo(LIN("default_hugepagesz=2M") DEF("quiet"),
	     LIN("default_hugepagesz=1G") DEF("quiet iommu=pt"),
	     LIN("default_hugepagesz=4M ro") DEF("quiet iommu=pt"), false,
	     LIN("default_hugepagesz=4M ro") DEF("quiet"), 1);
	/* a token we removed comes back */
	undo(DEF("quiet hugetlb_cma=4G splash"), DEF("quiet splash iommu=pt"),
	     DEF("quiet splash iommu=pt nosmt"), false, DEF("quiet hugetlb_cma=4G splash nosmt"), 0);
}

static void test_lines_next_to_ours(void **state)
{
	(void)state;
	/* a user line right after the edited line, and a line we added at the end */
	undo("A=1\nMODULES=(a b)\nZ=2\n", "A=1\nMODULES=(a b vfio_pci vfio)\nZ=2\n",
	     "A=1\nMODULES=(a c b vfio_pci vfio)\n# user\nZ=2\n", false,
	     "A=1\nMODULES=(a c b)\n# user\nZ=2\n", 0);
	undo("x\n", "x\n# BEGIN vfio\nvfio\nvfio_pci\n# END vfio\n",
	     "x\n# BEGIN vfio\nvfio\nfoo\nvfio_pci\n# END vfio\ny\n", false, "x\nfoo\ny\n", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untouched_gives_base),
		cmocka_unit_test(test_user_line_after_ours_stays),
		cmocka_unit_test(test_user_edited_our_line_is_kept),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_grub_words),
		cmocka_unit_test(test_lines_next_to_ours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
