// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vp_guest_domain() against libvirt's test driver (test:///default, no
 * daemon), on one connection: each connection to test:///default starts
 * from the driver's built-in state, so "define, then run again" needs the
 * same one. The second run changes and defines nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest-domain.h"
#include "template.h"

static struct vp_system sys;
static struct vp_selection sel;
static struct vp_virt *conn;
static char *backing;

static const char q35[] =
	"<domain type='test'>\n"
	"  <name>vp-q35</name>\n"
	"  <uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809</uuid>\n"
	"  <memory unit='GiB'>4</memory>\n"
	"  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
	"  <devices>\n"
	"    <disk type='file' device='disk'>\n"
	"      <source file='/guest/vp-q35.img'/>\n"
	"      <target dev='vda' bus='virtio'/>\n"
	"      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
	"    </disk>\n"
	"    <controller type='pci' index='0' model='pcie-root'/>\n"
	"    <controller type='pci' index='1' model='pcie-root-port'/>\n"
	"  </devices>\n"
	"</domain>\n";

static int setup(void **state)
{
	static const char *const addrs[] = {"0000:01:00.0", "0000:01:00.1"};
	char *msg = NULL;

	(void)state;
	sys.fns = calloc(2, sizeof(*sys.fns));
	sel.fns = calloc(2, sizeof(*sel.fns));
	if (!sys.fns || !sel.fns)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		struct vp_pci_fn *fn = &sys.fns[i];

		sscanf(addrs[i], "%x:%x:%x.%x", &fn->domain, &fn->bus, &fn->dev, &fn->func);
		snprintf(fn->addr, sizeof(fn->addr), "%s", addrs[i]);
		fn->class = i ? 0x040300 : 0x030000;
		sel.fns[i] = i;
	}
	sys.n_fns = sel.n_fns = 2;
	backing = vp_template_fill(vp_template("libvirt-hugepages.xml"),
				   (const char *const[]){"DOMAIN", "vp-q35", "NODESET", "", NULL});
	if (!backing || vp_virt_open("test:///default", true, &conn, &msg) < 0) {
		fprintf(stderr, "test:///default: %s\n", msg ? msg : "no memory");
		free(msg);
		return -1;
	}
	if (vp_virt_define(conn, q35, &msg) < 0) {
		fprintf(stderr, "defining vp-q35: %s\n", msg);
		free(msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vp_virt_close(conn);
	vp_selection_free(&sel);
	vp_system_free(&sys);
	free(backing);
	return 0;
}

static int run(const char *name, bool define, struct vp_domain_edit *e, bool *defined,
	       char **msg)
{
	struct vp_domain_want w = {.sys = &sys, .sel = &sel, .memory_backing = backing,
				   .pages = 4, .node = -1};

	return vp_guest_domain(conn, name, &w, define, e, defined, msg);
}

static void test_define_then_nothing(void **state)
{
	struct vp_domain_edit e = {0};
	_cleanup_free_ char *msg = NULL, *xml = NULL;
	bool defined, running;

	(void)state;
	assert_string_equal(vp_virt_uri(conn), "test:///default");
	/* a preview first: nothing defined */
	assert_int_equal(run("vp-q35", false, &e, &defined, &msg), 0);
	assert_true(e.changed);
	assert_false(defined);
	vp_domain_edit_free(&e);
	assert_int_equal(vp_virt_domain_xml(conn, "vp-q35", false, &xml, &running, &msg), 0);
	assert_null(strstr(xml, "<hostdev"));
	free(xml);
	xml = NULL;

	assert_int_equal(run("vp-q35", true, &e, &defined, &msg), 0);
	assert_true(e.changed);
	assert_true(defined);
	/* port 1 holds the disk: a new port 2 for the card */
	assert_string_equal(e.g.v[0].guest, "0000:02:00.0");
	vp_domain_edit_free(&e);
	assert_int_equal(vp_virt_domain_xml(conn, "vp-q35", false, &xml, &running, &msg), 0);
	assert_false(running);
	assert_non_null(strstr(xml, "<controller type='pci' index='2' model='pcie-root-port'/>"));
	assert_non_null(strstr(xml, "<address type='pci' domain='0x0000' bus='0x02' slot='0x00' "
				    "function='0x1'/>"));
	assert_non_null(strstr(xml, "<page size='1048576' unit='KiB'/>"));

	/* the second run, on what libvirt stored: no change, nothing defined */
	assert_int_equal(run("vp-q35", true, &e, &defined, &msg), 0);
	assert_false(e.changed);
	assert_false(defined);
	assert_int_equal(e.changes.n, 0);
	assert_string_equal(e.g.v[1].guest, "0000:02:00.1");
	vp_domain_edit_free(&e);
}

static void test_refusals(void **state)
{
	struct vp_domain_edit e = {0};
	char *msg = NULL;
	bool defined;

	(void)state;
	/* the test driver's own domain runs */
	assert_int_equal(run("test", true, &e, &defined, &msg), -EBUSY);
	assert_string_equal(msg, "domain 'test' is running: shut it down first (its devices and "
				 "memory are fixed while it runs)");
	free(msg);
	msg = NULL;
	assert_int_equal(run("nosuch", false, &e, &defined, &msg), -ENOENT);
	assert_non_null(strstr(msg, "domain 'nosuch' on test:///default: "));
	free(msg);
	msg = NULL;
}

static void test_bad_uri(void **state)
{
	struct vp_virt *v = NULL;
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_virt_open("test:///nonexistent/vp-node.xml", false, &v, &msg), -ECONNREFUSED);
	assert_non_null(strstr(msg, "cannot connect to libvirt at test:///nonexistent/vp-node.xml: "));
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_define_then_nothing),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bad_uri),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
