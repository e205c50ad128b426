// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vp_disk_guard() on a fixture root: sysfs block devices (sdb with three
 * partitions, sdc1 under a dm-crypt holder), device nodes as plain files
 * (and one real block node made with mknod where allowed), by-id/by-uuid
 * links, and mount tables written as /proc/self/mountinfo and /proc/swaps
 * for libmount to read.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "disk-guard.h"

static char tmp[64];
static struct vp_root root = {.fd = -1};
static struct vp_strv disks, busy, notes;
static char *msg;

static void mkparents(const char *path)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(tmp) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	mkparents(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_(const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	mkparents(path);
	assert_int_equal(symlink(target, path), 0);
}

/* A block device in sysfs: class/block/NAME/dev, and its /dev file. */
static void blockdev(const char *name, const char *parent, const char *devno)
{
	char p[256];

	if (parent) {
		snprintf(p, sizeof(p), "/sys/class/block/%s/%s/dev", parent, name);
		put(p, devno);
		snprintf(p, sizeof(p), "/sys/class/block/%s/%s/partition", parent, name);
		put(p, "1\n");
		snprintf(p, sizeof(p), "/sys/class/block/%s", name);
		char target[128];
		snprintf(target, sizeof(target), "%s/%s", parent, name);
		link_(p, target);
	} else {
		snprintf(p, sizeof(p), "/sys/class/block/%s/dev", name);
		put(p, devno);
		snprintf(p, sizeof(p), "/sys/class/block/%s/holders/.keep", name);
		put(p, "");
	}
	snprintf(p, sizeof(p), "/dev/%s", name);
	put(p, "");
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/vp-unit-guard.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	blockdev("sda", NULL, "8:0\n");
	blockdev("sda2", "sda", "8:2\n");
	blockdev("sdb", NULL, "8:16\n");
	blockdev("sdb1", "sdb", "8:17\n");
	blockdev("sdb2", "sdb", "8:18\n");
	blockdev("sdb3", "sdb", "8:19\n");
	blockdev("sdc", NULL, "8:32\n");
	blockdev("sdc1", "sdc", "8:33\n");
	blockdev("dm-0", NULL, "254:0\n");
	link_("/sys/class/block/sdc/sdc1/holders/dm-0", "../../../dm-0");
	link_("/dev/mapper/crypt", "../dm-0");
	link_("/dev/disk/by-id/ata-DISK", "../../sdb");
	link_("/dev/disk/by-uuid/0c9d1b7e", "../../sdb2");
	link_("/dev/disk/by-id/ata-ESCAPE", "/dev/sdb1");     /* absolute: inside the root */
	if (vp_root_open(&root, tmp) < 0)
		return -1;
	memset(&disks, 0, sizeof(disks));
	memset(&busy, 0, sizeof(busy));
	memset(&notes, 0, sizeof(notes));
	msg = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vp_root_close(&root);
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	vp_strv_free(&disks);
	vp_strv_free(&busy);
	vp_strv_free(&notes);
	free(msg);
	msg = NULL;
	return 0;
}

#define ROOT_LINE "21 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw,errors=remount-ro\n"

/* Runs the guard on one disk with this mountinfo; returns its result. */
static int guard(const char *disk, const char *mountinfo)
{
	put("/proc/self/mountinfo", mountinfo);
	vp_strv_free(&disks);
	assert_int_equal(vp_strv_push(&disks, disk), 0);
	return vp_disk_guard(&root, &disks, &busy, &notes, &msg);
}

static void test_partition_rw_refused(void **state)
{
	(void)state;
	assert_int_equal(guard("/dev/sdb", ROOT_LINE
			       "30 21 8:17 / /mnt/data rw,relatime shared:2 - ext4 /dev/sdb1 rw\n"), 0);
	assert_int_equal(busy.n, 1);
	assert_string_equal(busy.v[0], "'/dev/sdb' (/dev/sdb): /dev/sdb1 is mounted read-write on "
			    "/mnt/data; unmount it (or mount it read-only)");
	assert_int_equal(notes.n, 0);
}

static void test_read_only_allowed(void **state)
{
	(void)state;
	assert_int_equal(guard("/dev/sdb", ROOT_LINE
			       "30 21 8:17 / /mnt/data ro,relatime shared:2 - ext4 /dev/sdb1 ro\n"
			       "31 21 8:18 / /mnt/b rw,relatime shared:3 - ext4 /dev/sdb2 ro\n"), 0);
	assert_int_equal(busy.n, 0);
}

static void test_unmounted_allowed(void **state)
{
	(void)state;
	assert_int_equal(guard("/dev/sdb", ROOT_LINE), 0);
	assert_int_equal(busy.n, 0);
	assert_int_equal(notes.n, 0);
}

static void test_whole_disk_mounted(void **state)
{
	(void)state;
	assert_int_equal(guard("/dev/sdb", ROOT_LINE
			       "30 21 8:16 / /srv rw - xfs /dev/sdb rw\n"), 0);
	assert_int_equal(busy.n, 1);
	assert_non_null(strstr(busy.v[0], "/dev/sdb is mounted read-write on /srv"));
}

/* A sysfs number that overflows is no number: sscanf's %u made 8:17 of it. */
static void test_devno_overflow(void **state)
{
	(void)state;
	blockdev("sdd", NULL, "8:4294967313\n");
	assert_int_equal(guard("/dev/sdd", ROOT_LINE
			       "30 21 8:17 / /mnt/data rw,relatime shared:2 - ext4 /dev/sdb1 rw\n"), 0);
	assert_int_equal(busy.n, 0);
}

static void test_by_id_link(void **state)
{
	(void)state;
	assert_int_equal(guard("/dev/disk/by-id/ata-DISK", ROOT_LINE
			       "30 21 8:18 / /home rw shared:2 - ext4 /dev/sdb2 rw\n"), 0);
	assert_int_equal(busy.n, 1);
	assert_string_equal(busy.v[0], "'/dev/disk/by-id/ata-DISK' (/dev/sdb): /dev/sdb2 is "
			    "mounted read-write on /home; unmount it (or mount it read-only)");
}

static void test_by_uuid_partition(void **state)
{
	(void)state;
	/* the guest gets sdb2: a mounted sibling sdb1 is no concern */
	assert_int_equal(guard("/dev/disk/by-uuid/0c9d1b7e", ROOT_LINE
			       "30 21 8:17 / /mnt/data rw - ext4 /dev/sdb1 rw\n"), 0);
	assert_int_equal(busy.n, 0);
	assert_int_equal(guard("/dev/disk/by-uuid/0c9d1b7e", ROOT_LINE
			       "30 21 8:18 / /mnt/b rw - ext4 /dev/sdb2 rw\n"), 0);
	assert_int_equal(busy.n, 1);
	assert_non_null(strstr(busy.v[0], "(/dev/sdb2): /dev/sdb2 is mounted read-write on /mnt/b"));
}

static void test_absolute_link_stays_in_root(void **state)
{
	(void)state;
	assert_int_equal(guard("/dev/disk/by-id/ata-ESCAPE", ROOT_LINE
			       "30 21 8:17 / /mnt/data rw - ext4 /dev/sdb1 rw\n"), 0);
	assert_int_equal(busy.n, 1);
	assert_non_null(strstr(busy.v[0], "(/dev/sdb1): /dev/sdb1 is mounted"));
}

static void test_btrfs_anonymous_devno(void **state)
{
	(void)state;
	/* btrfs shows 0:N in mountinfo: the source path says which device */
	assert_int_equal(guard("/dev/sdb", ROOT_LINE
			       "30 21 0:45 /@data /data rw,relatime - btrfs /dev/sdb3 rw,subvol=/@data\n"), 0);
	assert_int_equal(busy.n, 1);
	assert_non_null(strstr(busy.v[0], "/dev/sdb3 is mounted read-write on /data"));
}

static void test_swap(void **state)
{
	(void)state;
	put("/proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
			   "/dev/sdb3                               partition\t8388604\t\t0\t\t-2\n");
	assert_int_equal(guard("/dev/sdb", ROOT_LINE), 0);
	assert_int_equal(busy.n, 1);
	/* the remedy is swapoff, not unmount */
	assert_string_equal(busy.v[0], "'/dev/sdb' (/dev/sdb): /dev/sdb3 is in use as swap; turn it "
			    "off (swapoff /dev/sdb3)");
}

static void test_holder(void **state)
{
	(void)state;
	/* sdc1 is a dm-crypt device's backing: the opened dm-0 is mounted */
	assert_int_equal(guard("/dev/sdc", ROOT_LINE
			       "30 21 254:0 / /secret rw - ext4 /dev/mapper/crypt rw\n"), 0);
	assert_int_equal(busy.n, 1);
	assert_non_null(strstr(busy.v[0], "'/dev/sdc' (/dev/sdc): /dev/dm-0 is mounted read-write on /secret"));
}

static void test_missing_disk_is_a_note(void **state)
{
	(void)state;
	assert_int_equal(guard("/dev/disk/by-id/gone", ROOT_LINE), 0);
	assert_int_equal(busy.n, 0);
	assert_int_equal(notes.n, 1);
	assert_string_equal(notes.v[0], "'/dev/disk/by-id/gone' does not exist: not checked");
}

static void test_no_mount_table(void **state)
{
	(void)state;
	assert_int_equal(vp_strv_push(&disks, "/dev/sdb"), 0);
	assert_int_equal(vp_disk_guard(&root, &disks, &busy, &notes, &msg), -ENOENT);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "'/proc/self/mountinfo': missing"));
}

static void test_bad_mount_table(void **state)
{
	(void)state;
	assert_int_equal(guard("/dev/sdb", ROOT_LINE "this is not a mountinfo line\n"), -EINVAL);
	assert_non_null(msg);
	assert_string_equal(msg, "'/proc/self/mountinfo':2: cannot parse this line");
}

static void test_no_disks_reads_nothing(void **state)
{
	(void)state;
	/* no mount table in the root, and no disk: nothing to check, no error */
	assert_int_equal(vp_disk_guard(&root, &disks, &busy, &notes, &msg), 0);
	assert_int_equal(busy.n, 0);
}

static void test_block_node(void **state)
{
	char p[512];

	(void)state;
	/* a real device node: its st_rdev names it, /sys/dev/block/M:m its sysfs entry */
	snprintf(p, sizeof(p), "%s/dev/vdz", tmp);
	if (mknod(p, S_IFBLK | 0600, makedev(252, 16)) < 0) {
		skip();     /* no CAP_MKNOD here: reported by cmocka as skipped */
	}
	put("/sys/class/block/vdz/dev", "252:16\n");
	put("/sys/class/block/vdz/vdz1/dev", "252:17\n");
	put("/sys/class/block/vdz/vdz1/partition", "1\n");
	link_("/sys/class/block/vdz1", "vdz/vdz1");
	link_("/sys/dev/block/252:16", "../../class/block/vdz");
	link_("/dev/disk/by-id/virtio-VDZ", "../../vdz");
	assert_int_equal(guard("/dev/disk/by-id/virtio-VDZ", ROOT_LINE
			       "30 21 252:17 / /mnt/v rw - ext4 /dev/vdz1 rw\n"), 0);
	assert_int_equal(busy.n, 1);
	assert_string_equal(busy.v[0], "'/dev/disk/by-id/virtio-VDZ' (/dev/vdz): /dev/vdz1 is "
			    "mounted read-write on /mnt/v; unmount it (or mount it read-only)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_partition_rw_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmounted_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whole_disk_mounted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devno_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_by_id_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_by_uuid_partition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_link_stays_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_btrfs_anonymous_devno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_disk_is_a_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_mount_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_mount_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_disks_reads_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_node, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
