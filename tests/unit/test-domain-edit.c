// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vp_domain_edit() on domain XML strings, no libvirt: the functions on free
 * pcie-root-ports (or new ones), the pages, everything else kept byte for
 * byte, a second run that changes nothing, and the refusals.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diff.h"
#include "domain-edit.h"
#include "fake-fns.h"
#include "template.h"

static struct vp_system sys;
static struct vp_selection sel;
static struct vp_domain_edit e;
static char *msg;
static char *backing;

/* A q35 domain as libvirt writes it: port 1 holds the disk, port 2 is free. */
#define HEAD "<domain type='kvm'>\n" \
	"  <name>win11</name>\n" \
	"  <uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809</uuid>\n" \
	"  <memory unit='KiB'>8388608</memory>\n" \
	"  <currentMemory unit='KiB'>8388608</currentMemory>\n"
#define OS(machine) "  <vcpu placement='static'>4</vcpu>\n" \
	"  <os>\n" \
	"    <type arch='x86_64' machine='" machine "'>hvm</type>\n" \
	"  </os>\n"
#define DEVICES "  <devices>\n" \
	"    <disk type='file' device='disk'>\n" \
	"      <source file='/var/lib/libvirt/images/win11.qcow2'/>\n" \
	"      <target dev='vda' bus='virtio'/>\n" \
	"      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n" \
	"    </disk>\n" \
	"    <controller type='pci' index='0' model='pcie-root'/>\n" \
	"    <controller type='pci' index='1' model='pcie-root-port'>\n" \
	"      <model name='pcie-root-port'/>\n" \
	"      <target chassis='1' port='0x10'/>\n" \
	"      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/>\n" \
	"    </controller>\n" \
	"    <controller type='pci' index='2' model='pcie-root-port'>\n" \
	"      <model name='pcie-root-port'/>\n" \
	"      <target chassis='2' port='0x11'/>\n" \
	"      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x1'/>\n" \
	"    </controller>\n" \
	"    <graphics type='spice' autoport='yes' passwd='s3cret'/>\n" \
	"  </devices>\n" \
	"</domain>\n"

static const char q35[] = HEAD OS("pc-q35-7.2") DEVICES;
static const char i440fx[] = HEAD OS("pc-i440fx-7.2") DEVICES;

/* The GTX 1070 of the example machine: VGA and audio, one slot. */
static const struct fake_dev gtx[] = {
	{"0000:00:02.0", 0x030000, 1},
	{"0000:01:00.0", 0x030000, 0},
	{"0000:01:00.1", 0x040300, -1},
};

static void build(const struct fake_dev *devs, size_t n, const size_t *pick, size_t n_pick)
{
	vp_selection_free(&sel);
	vp_system_free(&sys);
	fake_select(&sys, &sel, devs, n, pick, n_pick);
}

/* Edits xml with the selection built and pages 1 GiB pages (0: none). */
static int edit(const char *xml, unsigned long pages)
{
	struct vp_domain_want w = {.sys = &sys, .sel = &sel, .pages = pages, .node = -1,
				   .memory_backing = pages ? backing : NULL};

	vp_domain_edit_free(&e);
	free(msg);
	msg = NULL;
	return vp_domain_edit(xml, strlen(xml), "win11", &w, &e, &msg);
}

static int setup(void **state)
{
	(void)state;
	backing = vp_template_fill(vp_template("libvirt-hugepages.xml"),
				   (const char *const[]){"DOMAIN", "win11", "NODESET", "", NULL});
	return backing ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	vp_domain_edit_free(&e);
	vp_selection_free(&sel);
	vp_system_free(&sys);
	free(msg);
	msg = NULL;
	free(backing);
	return 0;
}

/* Number of nodes XPATH finds in xml. */
static int count(const char *xml, const char *xpath)
{
	return xpath_count(xml, strlen(xml), xpath);
}

/* The change only adds lines: no '-' line in the diff from old to new. */
static void only_added(void)
{
	struct vp_buf d = {0};

	assert_int_equal(vp_diff("win11.xml", e.old_xml, strlen(e.old_xml), e.new_xml,
				 strlen(e.new_xml), false, &d), 0);
	assert_non_null(d.s);
	for (const char *l = d.s; *l; l = strchr(l, '\n') + 1) {
		if (*l == '-' && strncmp(l, "--- ", 4) != 0)
			fail_msg("a line is taken out or changed: %.*s", (int)strcspn(l, "\n"), l);
		if (!strchr(l, '\n'))
			break;
	}
	vp_buf_free(&d);
}

static void test_card_on_free_port(void **state)
{
	(void)state;
	build(gtx, ARRAY_SIZE(gtx), (size_t[]){1, 2}, 2);
	assert_int_equal(edit(q35, 0), 0);
	assert_true(e.changed);
	assert_int_equal(e.g.n, 2);
	assert_string_equal(e.g.v[0].addr, "0000:01:00.0");
	assert_string_equal(e.g.v[0].guest, "0000:02:00.0");
	assert_string_equal(e.g.v[1].guest, "0000:02:00.1");
	assert_int_equal(count(e.new_xml, "/domain/devices/hostdev[@mode='subsystem'][@type='pci']"
			       "[@managed='yes']"), 2);
	assert_int_equal(count(e.new_xml, "//hostdev[source/address[@bus='0x01'][@function='0x1']]"
			       "/address[@type='pci'][@bus='0x02'][@slot='0x00'][@function='0x1']"), 1);
	assert_int_equal(count(e.new_xml, "//hostdev/address[@multifunction='on'][@function='0x0']"), 1);
	/* port 2 was free: no controller added */
	assert_int_equal(count(e.new_xml, "//controller[@model='pcie-root-port']"), 2);
	assert_int_equal(e.changes.n, 2);
	assert_string_equal(e.changes.v[0], "add <hostdev> 0000:01:00.0 as guest 0000:02:00.0 "
			    "(pcie-root-port index 2)");
	/* the rest is as it was (the password too), the new lines indented as their siblings */
	only_added();
	assert_non_null(strstr(e.new_xml, "passwd=\"s3cret\""));
	assert_non_null(strstr(e.new_xml, "passwd=\"s3cret\"/>\n    <hostdev mode=\"subsystem\""));
	assert_non_null(strstr(e.new_xml, "\n      <source>\n        <address domain=\"0x0000\""));
	assert_non_null(strstr(e.new_xml, "</hostdev>\n  </devices>\n</domain>\n"));
	/* the element as guest-xml prints it, with the address it got */
	assert_non_null(strstr(e.g.v[0].xml, "<address type=\"pci\" domain=\"0x0000\" bus=\"0x02\" "
			       "slot=\"0x00\" function=\"0x0\" multifunction=\"on\"/>"));
	/* the iGPU (boot VGA) is not selected: no ROM note */
	assert_int_equal(e.g.notes.n, 0);
}

static void test_second_run_changes_nothing(void **state)
{
	_cleanup_free_ char *once = NULL;

	(void)state;
	build(gtx, ARRAY_SIZE(gtx), (size_t[]){1, 2}, 2);
	assert_int_equal(edit(q35, 8), 0);
	assert_true(e.changed);
	once = strdup(e.new_xml);
	assert_int_equal(edit(once, 8), 0);
	assert_false(e.changed);
	assert_string_equal(e.new_xml, once);
	assert_int_equal(e.changes.n, 0);
	/* the functions as the domain has them */
	assert_int_equal(e.g.n, 2);
	assert_string_equal(e.g.v[1].guest, "0000:02:00.1");
	/* libvirt writes the page back in KiB: still 1 GiB, still nothing to do */
	free(once);
	once = NULL;
	assert_int_equal(edit(HEAD "  <memoryBacking>\n    <hugepages>\n"
			      "      <page size='1048576' unit='KiB'/>\n    </hugepages>\n"
			      "    <locked/>\n  </memoryBacking>\n" OS("q35") DEVICES, 8), 0);
	assert_int_equal(e.changes.n, 2);       /* only the two functions */
	once = strdup(e.new_xml);
	assert_int_equal(edit(once, 8), 0);
	assert_false(e.changed);
}

static void test_no_free_port_adds_one(void **state)
{
	static const struct fake_dev devs[] = {
		{"0000:01:00.0", 0x030000, 0},
		{"0000:01:00.1", 0x040300, -1},
		{"0000:02:00.0", 0x030000, 0},
		{"0000:03:00.1", 0x0c0330, -1},
	};
	(void)state;
	/* two cards and a lone function 1: port 2, then new ports 3 and 4 */
	build(devs, ARRAY_SIZE(devs), (size_t[]){0, 1, 2, 3}, 4);
	assert_int_equal(edit(q35, 0), 0);
	assert_string_equal(e.g.v[0].guest, "0000:02:00.0");
	assert_string_equal(e.g.v[1].guest, "0000:02:00.1");
	assert_string_equal(e.g.v[2].guest, "0000:03:00.0");
	/* alone on its port: function 0, where the guest looks */
	assert_string_equal(e.g.v[3].guest, "0000:04:00.0");
	assert_int_equal(count(e.new_xml, "//controller[@type='pci'][@model='pcie-root-port']"
			       "[@index='3']"), 1);
	assert_int_equal(count(e.new_xml, "//controller[@type='pci'][@model='pcie-root-port']"
			       "[@index='4']"), 1);
	/* one multifunction='on': the only card with two functions */
	assert_int_equal(count(e.new_xml, "//hostdev/address[@multifunction='on']"), 1);
	assert_string_equal(e.changes.v[2], "add pcie-root-port index 3 (none was free)");
	/* the new ports sit after the last controller, the hostdevs after them */
	assert_non_null(strstr(e.new_xml, "</controller>\n    <controller type=\"pci\" index=\"3\" "
			       "model=\"pcie-root-port\"/>\n    <controller type=\"pci\" index=\"4\""));
	only_added();
}

static void test_partly_there_refused(void **state)
{
	(void)state;
	build(gtx, ARRAY_SIZE(gtx), (size_t[]){1, 2}, 2);
	assert_int_equal(edit(HEAD OS("q35") "  <devices>\n"
			      "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
			      "      <source><address domain='0x0000' bus='0x01' slot='0x00' "
			      "function='0x1'/></source>\n    </hostdev>\n  </devices>\n</domain>\n",
			      0), -EEXIST);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "domain 'win11' already has 0000:01:00.1 of the selection but "
			       "not 0000:01:00.0"));
}

static void test_not_q35_refused(void **state)
{
	(void)state;
	build(gtx, ARRAY_SIZE(gtx), (size_t[]){1, 2}, 2);
	assert_int_equal(edit(i440fx, 0), -ENOTSUP);
	assert_non_null(strstr(msg, "domain 'win11' has machine type 'pc-i440fx-7.2', not q35"));
	/* nothing to place: the machine does not matter for the pages */
	build(gtx, ARRAY_SIZE(gtx), NULL, 0);
	assert_int_equal(edit(i440fx, 4), 0);
	assert_true(e.changed);
	assert_int_equal(count(e.new_xml, "/domain/memoryBacking/hugepages/page[@size='1']"
			       "[@unit='GiB']"), 1);
}

static void test_memory_backing(void **state)
{
	(void)state;
	build(gtx, ARRAY_SIZE(gtx), NULL, 0);
	/* none: the template's, after <currentMemory>, without its comment */
	assert_int_equal(edit(q35, 8), 0);
	assert_non_null(strstr(e.new_xml, "</currentMemory>\n  <memoryBacking>\n    <hugepages>\n"
			       "      <page size=\"1\" unit=\"GiB\"/>\n    </hugepages>\n"
			       "    <locked/>\n  </memoryBacking>\n  <vcpu"));
	assert_null(strstr(e.new_xml, "<!--"));
	only_added();
	/* virtiofs' memfd and shared access stay; hugepages and locked are added */
	assert_int_equal(edit(HEAD "  <memoryBacking>\n    <source type='memfd'/>\n"
			      "    <access mode='shared'/>\n  </memoryBacking>\n" OS("q35") DEVICES, 8), 0);
	assert_int_equal(count(e.new_xml, "/domain/memoryBacking/source[@type='memfd']"), 1);
	assert_int_equal(count(e.new_xml, "/domain/memoryBacking/access[@mode='shared']"), 1);
	assert_int_equal(count(e.new_xml, "/domain/memoryBacking/hugepages/page"), 1);
	assert_int_equal(count(e.new_xml, "/domain/memoryBacking/locked"), 1);
	only_added();
	/* <hugepages/>: the default size; the page says 1 GiB */
	assert_int_equal(edit(HEAD "  <memoryBacking>\n    <hugepages/>\n  </memoryBacking>\n"
			      OS("q35") DEVICES, 8), 0);
	assert_non_null(strstr(e.new_xml, "    <hugepages>\n      <page size=\"1\" unit=\"GiB\"/>\n"
			       "    </hugepages>\n"));
	/* 2 MiB pages: the user's choice, not ours to change */
	assert_int_equal(edit(HEAD "  <memoryBacking>\n    <hugepages>\n"
			      "      <page size='2' unit='MiB'/>\n    </hugepages>\n"
			      "  </memoryBacking>\n" OS("q35") DEVICES, 8), -ENOTSUP);
	assert_non_null(strstr(msg, "pages of 2048 KiB"));
	/* no pages configured: <memoryBacking> is left alone */
	assert_int_equal(edit(q35, 0), 0);
	assert_false(e.changed);
}

static void test_notes(void **state)
{
	(void)state;
	/* the boot VGA selected: the ROM note */
	build(gtx, ARRAY_SIZE(gtx), (size_t[]){0}, 1);
	assert_int_equal(edit(q35, 0), 0);
	assert_string_equal(e.g.v[0].guest, "0000:02:00.0");
	assert_int_equal(e.g.notes.n, 1);
	assert_non_null(strstr(e.g.notes.v[0], "0000:00:02.0 is the boot VGA"));
	/* 8 GiB of memory, 4 pages */
	build(gtx, ARRAY_SIZE(gtx), NULL, 0);
	assert_int_equal(edit(q35, 4), 0);
	assert_int_equal(e.g.notes.n, 1);
	assert_string_equal(e.g.notes.v[0], "domain 'win11' needs 8 1 GiB pages, the config "
			    "reserves 4: raise [hugepages] count, or the guest will not start");
	/* memory that is no whole number of pages */
	assert_int_equal(edit("<domain type='kvm'><name>win11</name>"
			      "<memory unit='MiB'>3000</memory><devices/></domain>", 8), 0);
	assert_non_null(strstr(e.g.notes.v[0], "3000 MiB of memory, not whole 1 GiB pages"));
}

static void test_one_line_domain(void **state)
{
	(void)state;
	/* written on one line, it stays on one line: no indentation is made up */
	build(gtx, ARRAY_SIZE(gtx), (size_t[]){1, 2}, 2);
	assert_int_equal(edit("<domain type='kvm'><name>win11</name><memory>1048576</memory>"
			      "<os><type machine='q35'>hvm</type></os><devices>"
			      "<controller type='pci' index='0' model='pcie-root'/></devices>"
			      "</domain>", 1), 0);
	assert_ptr_equal(strchr(e.new_xml, '\n'), e.new_xml + strlen(e.new_xml) - 1);
	assert_int_equal(count(e.new_xml, "//controller[@index='1'][@model='pcie-root-port']"), 1);
	assert_int_equal(count(e.new_xml, "//hostdev/address[@bus='0x01']"), 2);
	assert_int_equal(count(e.new_xml, "/domain/memoryBacking/locked"), 1);
	/* <devices/> empty: indented from nothing */
	assert_int_equal(edit("<domain type='kvm'>\n  <name>win11</name>\n  <memory>1048576</memory>\n"
			      "  <os>\n    <type machine='q35'>hvm</type>\n  </os>\n  <devices/>\n"
			      "</domain>\n", 0), 0);
	assert_non_null(strstr(e.new_xml, "  <devices>\n    <controller type=\"pci\" index=\"0\" "
			       "model=\"pcie-root-port\"/>\n    <hostdev"));
	assert_non_null(strstr(e.new_xml, "    </hostdev>\n  </devices>\n</domain>\n"));
}

static void test_bad_xml(void **state)
{
	(void)state;
	build(gtx, ARRAY_SIZE(gtx), (size_t[]){1, 2}, 2);
	assert_int_equal(edit("<domain type='kvm'>\n<name>win11</name>\n<devices>\n</domain>\n", 0),
			 -EINVAL);
	assert_non_null(strstr(msg, "'win11':4: malformed domain XML"));
	assert_int_equal(edit("<network><name>default</name></network>", 0), -EINVAL);
	assert_non_null(strstr(msg, "not a libvirt domain"));
	assert_int_equal(edit("<domain><name>win11</name><memory>1</memory></domain>", 0), -EINVAL);
	assert_non_null(strstr(msg, "domain 'win11' has no <devices>"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_card_on_free_port),
		cmocka_unit_test(test_second_run_changes_nothing),
		cmocka_unit_test(test_no_free_port_adds_one),
		cmocka_unit_test(test_partly_there_refused),
		cmocka_unit_test(test_not_q35_refused),
		cmocka_unit_test(test_memory_backing),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_one_line_domain),
		cmocka_unit_test(test_bad_xml),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
