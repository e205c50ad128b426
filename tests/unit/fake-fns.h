/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the unit tests of the libvirt XML built per function (guest-xml,
 * domain-edit): a system model and a selection from a table of PCI
 * functions, and XPath counts on the XML. Include after <cmocka.h>.
 */
#pragma once

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "select.h"
#include "system.h"

struct fake_dev {
	const char *addr;       /* "DDDD:BB:DD.F" */
	uint32_t class;
	int boot_vga;
};

/* sys holds devs, sel the functions whose index is in pick (both overwritten, not freed). */
static inline void fake_select(struct vp_system *sys, struct vp_selection *sel,
			       const struct fake_dev *devs, size_t n, const size_t *pick,
			       size_t n_pick)
{
	memset(sys, 0, sizeof(*sys));
	memset(sel, 0, sizeof(*sel));
	sys->fns = calloc(n ? n : 1, sizeof(*sys->fns));
	sel->fns = calloc(n_pick ? n_pick : 1, sizeof(*sel->fns));
	assert_non_null(sys->fns);
	assert_non_null(sel->fns);
	sys->n_fns = n;
	for (size_t i = 0; i < n; i++) {
		struct vp_pci_fn *fn = &sys->fns[i];

		assert_int_equal(sscanf(devs[i].addr, "%x:%x:%x.%x", &fn->domain, &fn->bus,
					&fn->dev, &fn->func), 4);
		snprintf(fn->addr, sizeof(fn->addr), "%s", devs[i].addr);
		fn->class = devs[i].class;
		fn->boot_vga = devs[i].boot_vga;
	}
	if (n_pick)
		memcpy(sel->fns, pick, n_pick * sizeof(*pick));
	sel->n_fns = n_pick;
}

/* Number of nodes xpath finds in the XML text (which must parse). */
static inline int xpath_count(const char *xml, size_t len, const char *xpath)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, "test.xml", NULL, XML_PARSE_NONET);
	xmlXPathContextPtr xp;
	xmlXPathObjectPtr o;
	int n;

	assert_non_null(doc);
	xp = xmlXPathNewContext(doc);
	o = xmlXPathEvalExpression(BAD_CAST xpath, xp);
	assert_non_null(o);
	n = o->nodesetval ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	return n;
}
