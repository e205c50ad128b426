/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the libvirt qemu hook needs from a domain's XML. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vp.h"

struct vp_domain {
	char *name;
	unsigned long long memory_kib;  /* <memory>, converted from its unit */
	bool hugepages;                 /* <memoryBacking><hugepages> present */
	unsigned long long page_kib;    /* first <page size=...>, 0 = default size */
	int node;                       /* first <page nodeset='N'>, -1 = none */
	/* <source dev='...'/> of every <disk type='block'>, in document order */
	struct vp_strv block_disks;
	/* "DDDD:BB:DD.F" of every <hostdev type='pci'> source address, in document order */
	struct vp_strv pci_hostdevs;
};

/* A domain's XML is a few KiB: more is not libvirt's (the hook reads no further). */
#define VP_DOMAIN_XML_MAX (1U << 20)

/*
 * Parses the domain XML libvirt passes on standard input, with libxml2.
 * A DOCTYPE (entities) is refused, so the work is linear in len.
 * name is used in messages. Returns 0, or -EINVAL with *ret_msg naming the
 * line and what is wrong (malformed XML, no <memory>, a bad unit).
 */
int vp_domain_parse(const char *xml, size_t len, const char *name, struct vp_domain *ret,
		    char **ret_msg);
void vp_domain_free(struct vp_domain *d);

/* Whole 1 GiB pages that hold the domain's memory (rounded up). */
unsigned long vp_domain_pages_1g(const struct vp_domain *d);

/* "16" + "GiB" -> KiB, with libvirt's units (b, KB, k/KiB, MB, M/MiB, ...). */
int vp_libvirt_scaled_kib(const char *value, const char *unit, unsigned long long *ret);
