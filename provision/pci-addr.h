/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A PCI address as the kernel names it in sysfs ("%04x:%02x:%02x.%d"; VMD
 * domains have 5 digits, up to 8 are accepted, as by the early program):
 * the one parser, for the probe and the config's `select`.
 */
#pragma once

#include <stdbool.h>

/* "DDDD:BB:DD.F" -> numbers; false unless the whole string is an address. */
bool vp_parse_pci_addr(const char *s, unsigned *dom, unsigned *bus, unsigned *dev,
		       unsigned *fn);
