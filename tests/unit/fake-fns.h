/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A system model and a selection from a table of PCI functions, for the
 * unit tests of what is built per function (guest-xml, domain-edit).
 * Include after <cmocka.h>.
 */
#pragma once

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
