// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guest-xml --domain's edit of a domain XML (libxml2's tree): never
 * crashes; an error has a message, success none; the result parses, and
 * editing it again changes nothing (the second run is a no-op).
 */
#include <errno.h>
#include <libxml/parser.h>

#include "domain-edit.h"
#include "fuzz.h"
#include "template.h"

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* The example machine's GTX 1070 (VGA and audio) and a lone function 1. */
static struct vp_pci_fn fns[] = {
	{.addr = "0000:01:00.0", .bus = 1, .class = 0x030000, .boot_vga = 1},
	{.addr = "0000:01:00.1", .bus = 1, .func = 1, .class = 0x040300, .boot_vga = -1},
	{.addr = "0000:05:00.1", .bus = 5, .func = 1, .class = 0x0c0330, .boot_vga = -1},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *backing;
	size_t pick[] = {0, 1, 2};
	struct vp_system sys = {.fns = fns, .n_fns = 3};
	struct vp_selection sel = {.fns = pick, .n_fns = 3};
	struct vp_domain_want w = {.sys = &sys, .sel = &sel, .pages = 4, .node = -1};
	struct vp_domain_edit e = {0}, again = {0};
	char *msg = NULL;
	int r;

	xmlSetGenericErrorFunc(NULL, quiet);
	if (!backing)
		backing = vp_template_fill(vp_template("libvirt-hugepages.xml"),
					   (const char *const[]){"DOMAIN", "f", "NODESET", "", NULL});
	FUZZ_CHECK(backing);
	/* the first byte picks the selection and whether pages are asked */
	if (size > 0) {
		sel.n_fns = data[0] % 4;
		w.memory_backing = data[0] & 4 ? backing : NULL;
		data++;
		size--;
	}
	r = vp_domain_edit((const char *)data, size, "fuzz", &w, &e, &msg);
	FUZZ_CHECK(r <= 0);
	if (r < 0) {
		FUZZ_CHECK(msg || r == -ENOMEM || r == -EINVAL);
		goto out;
	}
	FUZZ_CHECK(!msg);
	FUZZ_CHECK(e.changed == (strcmp(e.old_xml, e.new_xml) != 0));
	FUZZ_CHECK(e.changed == (e.changes.n > 0));
	FUZZ_CHECK(e.g.n == 0 || e.g.n == sel.n_fns);
	r = vp_domain_edit(e.new_xml, strlen(e.new_xml), "fuzz", &w, &again, &msg);
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(!again.changed);
	FUZZ_CHECK(strcmp(again.new_xml, e.new_xml) == 0);
	for (size_t i = 0; i < e.g.n; i++)
		FUZZ_CHECK(strcmp(e.g.v[i].guest, again.g.v[i].guest) == 0);
out:
	free(msg);
	vp_domain_edit_free(&e);
	vp_domain_edit_free(&again);
	return 0;
}
