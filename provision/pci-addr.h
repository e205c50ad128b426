/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A PCI address as the kernel names it in sysfs ("%04x:%02x:%02x.%d"; VMD
 * domains have 5 digits, up to 8 are accepted, as by the early program),
 * and a vendor:device id: the one parser (early/num.c's), for the probe,
 * the config's `select` and vp_select.
 */
#pragma once

#include <stdbool.h>

#include "vpe-limits.h"

/* "DDDD:BB:DD.F" -> numbers; false unless the whole string is an address. */
bool vp_parse_pci_addr(const char *s, unsigned *dom, unsigned *bus, unsigned *dev,
		       unsigned *fn);
/*
 * "DDDD:BB:DD.F" or "BB:DD.F" (domain 0000), any case, into the kernel's
 * lower-case name; -EINVAL for anything else (a long string included).
 */
int vp_pci_addr_normalize(const char *s, char buf[static VPE_ADDR_SIZE]);
/*
 * The kernel's name of an address ("%04x:%02x:%02x.%x", a longer domain
 * whole), formatted by hand: detect names thousands.
 */
void vp_pci_addr_format(char buf[static VPE_ADDR_SIZE], unsigned dom, unsigned bus, unsigned dev,
			unsigned fn);
/* "vvvv:dddd", four hex digits each, any case; false unless the whole string is one. */
bool vp_parse_pci_id(const char *s, unsigned *vendor, unsigned *device);
