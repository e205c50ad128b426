/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Limits shared by the early-boot program (early/) and the planner that
 * writes its early.conf (provision/): what one writes, the other keeps.
 * Plain macros: both sides include this file, nothing else.
 */
#pragma once

/* address lines early.conf keeps; the planner refuses to write more */
#define VPE_MAX_ADDR 32

/*
 * A PCI address as sysfs names it, "%04x:%02x:%02x.%x": the domain has 4
 * digits, 5 behind Intel VMD, at most 8 (a u32), so 16 characters.
 */
#define VPE_ADDR_DOMAIN_MAX_DIGITS 8
#define VPE_ADDR_MAX_LEN 16
#define VPE_ADDR_SIZE (VPE_ADDR_MAX_LEN + 1)
