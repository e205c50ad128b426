// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vp_plan_fstab on struct literals: the hugetlbfs line is added or updated
 * in place, every other byte of the user's fstab kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plan-fstab.h"
#include "plan.h"

#define DEBIAN_GROUP "root:x:0:\nkvm:x:993:libvirt-qemu\nlibvirt:x:118:me\n"
#define FEDORA_GROUP "root:x:0:\nqemu:x:107:\nkvm:x:36:qemu\n"
#define ARCH_GROUP "root:x:0:root\nkvm:x:992:\nhugetlb:x:961:me\n"

/* odd spacing, tabs, comments, blanks, and no newline at the end */
#define ODD_FSTAB                                                                  \
	"# /etc/fstab: static file system information.\n"                          \
	"#\n"                                                                      \
	"UUID=1234-abcd  /               ext4    errors=remount-ro 0       1\n"     \
	"\n"                                                                       \
	"UUID=ABCD-1234\t/boot/efi\tvfat\tumask=0077\t0\t1   \n"                    \
	"   # indented comment\t\n"                                                \
	"/swapfile none swap sw 0 0"

static struct vp_config base = {
	.select_auto = true, .hp_count = 8, .hp_node = -1, .hp_mode = VP_HP_EARLY,
	.hp_mount = "/dev/hugepages1G", .hp_group = "kvm", .host_min_mib = 2048,
};
static struct vp_selection sel;

/* A system whose only files are fstab and group (NULL: the file is absent). */
struct two_files {
	struct vp_file files[2];
	struct vp_system sys;
};

static void setup_sys(struct two_files *t, const char *fstab, const char *group)
{
	memset(t, 0, sizeof(*t));
	t->files[0] = (struct vp_file){.path = "/etc/fstab", .content = (char *)fstab,
				       .len = fstab ? strlen(fstab) : 0, .mode = fstab ? 0644 : 0};
	t->files[1] = (struct vp_file){.path = "/etc/group", .content = (char *)group,
				       .len = group ? strlen(group) : 0, .mode = group ? 0644 : 0};
	t->sys.files = t->files;
	t->sys.n_files = 2;
}

static const char *plan_fstab(const struct vp_config *cfg, const char *fstab,
			      const char *group, struct vp_plan *plan)
{
	const struct vp_plan_file *f;
	struct two_files t;
	char *msg = NULL;

	setup_sys(&t, fstab, group);
	assert_int_equal(vp_plan_fstab(cfg, &t.sys, &sel, plan, &msg), 0);
	assert_null(msg);
	f = vp_plan_file(plan, "/etc/fstab");
	if (!f)
		return NULL;
	assert_false(f->owned); /* the user's file: edited, never ours */
	assert_non_null(f->content);
	return f->content;
}

static void test_append_keeps_bytes(void **state)
{
	struct vp_plan plan = {0};

	(void)state;
	assert_string_equal(plan_fstab(&base, ODD_FSTAB, DEBIAN_GROUP, &plan),
			    ODD_FSTAB "\n"
			    "hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=993 0 0\n");
	assert_false(plan.refused);
	assert_int_equal(plan.n_msgs, 0);
	assert_int_equal(plan.dirs.n, 1);
	assert_string_equal(plan.dirs.v[0], "/dev/hugepages1G");
	vp_plan_free(&plan);

	/* with the final newline present, none is added */
	assert_string_equal(plan_fstab(&base, "/swapfile none swap sw 0 0\n", DEBIAN_GROUP, &plan),
			    "/swapfile none swap sw 0 0\n"
			    "hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=993 0 0\n");
	vp_plan_free(&plan);
}

static void test_gid_per_distro(void **state)
{
	struct vp_plan plan = {0};
	struct vp_config cfg = base;

	(void)state;
	assert_non_null(strstr(plan_fstab(&base, "", FEDORA_GROUP, &plan), ",gid=36 0 0\n"));
	vp_plan_free(&plan);
	assert_non_null(strstr(plan_fstab(&base, "", ARCH_GROUP, &plan), ",gid=992 0 0\n"));
	vp_plan_free(&plan);
	cfg.hp_group = "hugetlb";
	assert_non_null(strstr(plan_fstab(&cfg, "", ARCH_GROUP, &plan), ",gid=961 0 0\n"));
	vp_plan_free(&plan);
}

static void test_update_in_place(void **state)
{
	struct vp_plan plan = {0};

	(void)state;
	/* written on a Debian box (gid 78 from a guide), now a Fedora root */
	assert_string_equal(
		plan_fstab(&base,
			   "# hugepages\n"
			   "hugetlbfs\t/dev/hugepages1G  hugetlbfs  pagesize=1G,mode=1770,gid=78 0 0\n"
			   "tmpfs /tmp tmpfs defaults 0 0\n",
			   FEDORA_GROUP, &plan),
		"# hugepages\n"
		"hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=36 0 0\n"
		"tmpfs /tmp tmpfs defaults 0 0\n");
	vp_plan_free(&plan);

	/* found by pagesize, another mount point and spelling: moved */
	assert_string_equal(
		plan_fstab(&base, "none /mnt/huge hugetlbfs pagesize=1024M 0 0\n/a /b ext4 rw 0 2\n",
			   FEDORA_GROUP, &plan),
		"hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=36 0 0\n"
		"/a /b ext4 rw 0 2\n");
	vp_plan_free(&plan);

	/* a 2 MiB hugetlbfs elsewhere is not ours */
	assert_string_equal(
		plan_fstab(&base, "hugetlbfs /dev/hugepages hugetlbfs pagesize=2M 0 0\n",
			   FEDORA_GROUP, &plan),
		"hugetlbfs /dev/hugepages hugetlbfs pagesize=2M 0 0\n"
		"hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=36 0 0\n");
	vp_plan_free(&plan);
}

static void test_same_meaning_kept(void **state)
{
	static const char *const tab =
		"UUID=1 / ext4 defaults 0 1\n"
		"hugetlbfs\t\t/dev/hugepages1G\thugetlbfs\tpagesize=1G,mode=1770,gid=993\t0 0   \n";
	struct vp_plan plan = {0};

	(void)state;
	assert_string_equal(plan_fstab(&base, tab, DEBIAN_GROUP, &plan), tab);
	assert_int_equal(plan.n_msgs, 0);
	vp_plan_free(&plan);
}

static void test_duplicate_warned(void **state)
{
	static const char *const dup =
		"hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=993 0 0\n"
		"nodev /srv/huge hugetlbfs pagesize=1073741824 0 0\n";
	struct vp_plan plan = {0};

	(void)state;
	assert_string_equal(plan_fstab(&base, dup, DEBIAN_GROUP, &plan), dup);
	assert_int_equal(plan.n_msgs, 1);
	assert_int_equal(plan.msgs[0].level, VP_MSG_WARN);
	assert_string_equal(plan.msgs[0].text,
			    "'/etc/fstab':2: another hugetlbfs 1 GiB mount besides line 1; left as it is");
	vp_plan_free(&plan);
}

static void test_missing_group(void **state)
{
	struct vp_plan plan = {0};

	(void)state;
	assert_null(plan_fstab(&base, ODD_FSTAB, "root:x:0:\nusers:x:100:\n", &plan));
	assert_true(plan.refused);
	assert_int_equal(plan.n_msgs, 1);
	assert_string_equal(plan.msgs[0].text,
			    "'/etc/group': no group 'kvm' (needed for gid= of the hugetlbfs "
			    "mount /dev/hugepages1G); create it (groupadd -r kvm) or set "
			    "group = in [hugepages]");
	vp_plan_free(&plan);

	assert_null(plan_fstab(&base, ODD_FSTAB, NULL, &plan));
	assert_true(plan.refused);
	assert_string_equal(plan.msgs[0].text,
			    "'/etc/group': missing, so group 'kvm' has no gid for the "
			    "hugetlbfs mount /dev/hugepages1G");
	vp_plan_free(&plan);

	/* a name that only prefixes another group's is no match */
	assert_null(plan_fstab(&base, "", "kvmusers:x:5:\n", &plan));
	assert_true(plan.refused);
	vp_plan_free(&plan);
}

static void test_no_line_wanted(void **state)
{
	struct vp_plan plan = {0};
	struct vp_config cfg = base;

	(void)state;
	cfg.hp_count = 0;
	assert_null(plan_fstab(&cfg, ODD_FSTAB, DEBIAN_GROUP, &plan));
	assert_int_equal(plan.n_files + plan.n_msgs + plan.dirs.n, 0);
	vp_plan_free(&plan);
	cfg = base;
	cfg.hp_mount = "none";
	assert_null(plan_fstab(&cfg, ODD_FSTAB, DEBIAN_GROUP, &plan));
	assert_int_equal(plan.n_files + plan.n_msgs + plan.dirs.n, 0);
	vp_plan_free(&plan);
	cfg.hp_mount = "";
	assert_null(plan_fstab(&cfg, ODD_FSTAB, DEBIAN_GROUP, &plan));
	assert_int_equal(plan.n_files + plan.n_msgs, 0);
	vp_plan_free(&plan);
}

static void test_mount_point_taken(void **state)
{
	struct vp_plan plan = {0};

	(void)state;
	plan_fstab(&base, "tmpfs /dev/hugepages1G tmpfs size=1G 0 0\n", DEBIAN_GROUP, &plan);
	assert_true(plan.refused);
	assert_string_equal(plan.msgs[0].text,
			    "'/etc/fstab':1: /dev/hugepages1G is already the mount point of a "
			    "tmpfs entry; set another mount = in [hugepages]");
	vp_plan_free(&plan);
}

static void test_no_fstab_and_odd_mount(void **state)
{
	struct vp_plan plan = {0};
	struct vp_config cfg = base;

	(void)state;
	assert_string_equal(plan_fstab(&base, NULL, DEBIAN_GROUP, &plan),
			    "hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=993 0 0\n");
	vp_plan_free(&plan);
	/* fstab separates fields by blanks: a space in the path is \040 */
	cfg.hp_mount = "/srv/huge pages";
	assert_string_equal(plan_fstab(&cfg, "", DEBIAN_GROUP, &plan),
			    "hugetlbfs /srv/huge\\040pages hugetlbfs pagesize=1G,mode=1770,gid=993 0 0\n");
	assert_string_equal(plan.dirs.v[0], "/srv/huge pages");
	vp_plan_free(&plan);
	cfg.hp_mount = "relative/dir";
	assert_null(plan_fstab(&cfg, "", DEBIAN_GROUP, &plan));
	assert_true(plan.refused);
	vp_plan_free(&plan);
}

static void test_pagesize(void **state)
{
	static const char *const yes[] = {"1G", "1g", "1024M", "1048576k", "1073741824", "1GiB", "1GB"};
	static const char *const no[] = {"2M", "1", "G", "1T", "1Gx", "", "2G", "99999999999999999999G"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		assert_true(vp_pagesize_is_1g(yes[i], strlen(yes[i])));
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		assert_false(vp_pagesize_is_1g(no[i], strlen(no[i])));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_keeps_bytes),
		cmocka_unit_test(test_gid_per_distro),
		cmocka_unit_test(test_update_in_place),
		cmocka_unit_test(test_same_meaning_kept),
		cmocka_unit_test(test_duplicate_warned),
		cmocka_unit_test(test_missing_group),
		cmocka_unit_test(test_no_line_wanted),
		cmocka_unit_test(test_mount_point_taken),
		cmocka_unit_test(test_no_fstab_and_odd_mount),
		cmocka_unit_test(test_pagesize),
	};

	return cmocka_run_group_tests_name("plan-fstab", tests, NULL, NULL);
}
