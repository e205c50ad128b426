// SPDX-License-Identifier: GPL-2.0-or-later
/* The libvirt domain reader: units, pages, node, and malformed input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "libvirt.h"
#include "vp.h"

static int parse(const char *xml, struct vp_domain *d, char **msg)
{
	return vp_domain_parse(xml, strlen(xml), "test.xml", d, msg);
}

static void test_units(void **state)
{
	unsigned long long kib;

	(void)state;
	assert_int_equal(vp_libvirt_scaled_kib("16", "GiB", &kib), 0);
	assert_int_equal(kib, 16ULL << 20);
	assert_int_equal(vp_libvirt_scaled_kib("16777216", NULL, &kib), 0); /* KiB default */
	assert_int_equal(kib, 16ULL << 20);
	assert_int_equal(vp_libvirt_scaled_kib("2", "GB", &kib), 0);
	assert_int_equal(kib, 1953125ULL);
	assert_int_equal(vp_libvirt_scaled_kib("1", "b", &kib), 0); /* rounds up */
	assert_int_equal(kib, 1);
	assert_int_equal(vp_libvirt_scaled_kib("8", "parsecs", &kib), -EINVAL);
	assert_int_equal(vp_libvirt_scaled_kib("-8", "GiB", &kib), -EINVAL);
	assert_int_equal(vp_libvirt_scaled_kib("8x", "GiB", &kib), -EINVAL);
	assert_int_equal(vp_libvirt_scaled_kib("99999999999999999999", "TiB", &kib), -EINVAL);
}

static void test_domain(void **state)
{
	struct vp_domain d;
	char *msg = NULL;

	(void)state;
	assert_int_equal(parse("<domain><name>w</name><memory unit='GiB'>16</memory>"
			       "<memoryBacking><hugepages><page size='1' unit='GiB' nodeset='1'/>"
			       "</hugepages></memoryBacking></domain>", &d, &msg), 0);
	assert_string_equal(d.name, "w");
	assert_int_equal(d.memory_kib, 16ULL << 20);
	assert_true(d.hugepages);
	assert_int_equal(d.page_kib, 1048576);
	assert_int_equal(d.node, 1);
	assert_int_equal(vp_domain_pages_1g(&d), 16);
	vp_domain_free(&d);

	/* 12300 MiB needs 13 whole pages; a nodeset range is not one node */
	assert_int_equal(parse("<domain><name>o</name><memory unit='MiB'>12300</memory>"
			       "<memoryBacking><hugepages><page size='1' unit='G' nodeset='0-1'/>"
			       "</hugepages></memoryBacking></domain>", &d, &msg), 0);
	assert_int_equal(vp_domain_pages_1g(&d), 13);
	assert_int_equal(d.node, -1);
	vp_domain_free(&d);

	assert_int_equal(parse("<domain><name>p</name><memory>4194304</memory></domain>", &d, &msg), 0);
	assert_false(d.hugepages);
	assert_int_equal(vp_domain_pages_1g(&d), 4);
	vp_domain_free(&d);
	assert_null(msg);
}

static void expect_error(const char *xml, const char *want)
{
	struct vp_domain d = {0};
	char *msg = NULL;

	assert_int_equal(parse(xml, &d, &msg), -EINVAL);
	assert_non_null(msg);
	if (!strstr(msg, want))
		fail_msg("message '%s' lacks '%s'", msg, want);
	assert_null(d.name);
	free(msg);
}

static void test_block_disks(void **state)
{
	struct vp_domain d;
	char *msg = NULL;

	(void)state;
	/* only <disk type='block'> sources, in document order; files and cdroms by file are not */
	assert_int_equal(parse("<domain><name>b</name><memory>1048576</memory><devices>"
			       "<disk type='file' device='disk'><source file='/img/b.qcow2'/></disk>"
			       "<disk type='block' device='disk'><source dev='/dev/disk/by-id/ata-X'/></disk>"
			       "<disk type='network'><source protocol='nbd' name='x'/></disk>"
			       "<disk type='block' device='lun'><source dev='/dev/sdc1'/></disk>"
			       "<disk type='block' device='cdrom'><target dev='sdd'/></disk>"
			       "</devices></domain>", &d, &msg), 0);
	assert_int_equal(d.block_disks.n, 2);
	assert_string_equal(d.block_disks.v[0], "/dev/disk/by-id/ata-X");
	assert_string_equal(d.block_disks.v[1], "/dev/sdc1");
	vp_domain_free(&d);
	assert_int_equal(parse("<domain><name>n</name><memory>1048576</memory></domain>", &d, &msg), 0);
	assert_int_equal(d.block_disks.n, 0);
	vp_domain_free(&d);
	free(msg);
}

static void test_pci_hostdevs(void **state)
{
	struct vp_domain d;
	char *msg = NULL;

	(void)state;
	/* PCI hostdevs as sysfs names them (domain 0 when left out); USB ones are not */
	assert_int_equal(parse("<domain><name>g</name><memory>1048576</memory><devices>"
			       "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
			       "<address domain='0x0000' bus='0x2d' slot='0x00' function='0x1'/>"
			       "</source><address type='pci' bus='0x06' slot='0x00' function='0x0'/>"
			       "</hostdev>"
			       "<hostdev mode='subsystem' type='usb'><source><vendor id='0x046d'/>"
			       "<address bus='1' device='3'/></source></hostdev>"
			       "<hostdev mode='subsystem' type='pci'><source>"
			       "<address bus='1' slot='31' function='7'/></source></hostdev>"
			       "</devices></domain>", &d, &msg), 0);
	assert_int_equal(d.pci_hostdevs.n, 2);
	assert_string_equal(d.pci_hostdevs.v[0], "0000:2d:00.1");
	assert_string_equal(d.pci_hostdevs.v[1], "0000:01:1f.7");
	vp_domain_free(&d);
	expect_error("<domain><name>g</name><memory>1</memory><devices><hostdev type='pci'>"
		     "<source><address bus='0x01' slot='0x20' function='0'/></source></hostdev>"
		     "</devices></domain>", "domain 'g': bad <hostdev> address slot='0x20'");
	expect_error("<domain><name>g</name><memory>1</memory><devices><hostdev type='pci'>"
		     "<source><address bus='0x01' slot='0x00'/></source></hostdev>"
		     "</devices></domain>", "domain 'g': bad <hostdev> address function=''");
	free(msg);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("<domain><name>b</name>\n<memory unit='GiB'>8</memory>\n"
		     "<memoryBacking><hugepages></memoryBacking></domain>",
		     "'test.xml':3: malformed domain XML");
	expect_error("", "malformed domain XML");
	expect_error("<network><name>n</name></network>", "not a libvirt domain");
	expect_error("<domain><memory>8</memory></domain>", "has no <name>");
	expect_error("<domain><name>x</name></domain>", "domain 'x' has no <memory>");
	expect_error("<domain><name>x</name><memory unit='parsecs'>8</memory></domain>",
		     "bad <memory unit='parsecs'>8</memory>");
	expect_error("<domain><name>x</name><memory>8</memory><memoryBacking><hugepages>"
		     "<page size='big'/></hugepages></memoryBacking></domain>", "bad <page size='big'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_block_disks),
		cmocka_unit_test(test_pci_hostdevs),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("libvirt", tests, NULL, NULL);
}
