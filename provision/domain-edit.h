/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest-xml --domain: a libvirt domain's XML in, the same XML out with the
 * selected functions on PCIe root ports and the 1 GiB pages, every other
 * byte as libxml2 read it. Pure: strings in, strings out; reading and
 * defining the domain is guest-domain.c's (through libvirt's API).
 */
#pragma once

#include <stdbool.h>

#include "guest-xml.h"
#include "select.h"
#include "system.h"
#include "vp.h"

struct vp_domain_want {
	const struct vp_system *sys;
	const struct vp_selection *sel;
	/*
	 * A <memoryBacking> element (templates/libvirt-hugepages.xml) whose
	 * children the domain must have; NULL when no pages are configured.
	 */
	const char *memory_backing;
	unsigned long pages;    /* 1 GiB pages the config reserves, for the notes */
	int node;               /* host node the pages are on, -1: any (a note) */
};

struct vp_domain_edit {
	char *old_xml;          /* the domain as libxml2 writes it back, unchanged */
	char *new_xml;          /* with the changes: the same bytes when there are none */
	bool changed;
	/*
	 * Every selected function with its <hostdev> and its guest address on
	 * this domain (the one placed, or the one the domain already gives it),
	 * and the notes that matter.
	 */
	struct vp_guest_xml g;
	struct vp_strv changes; /* one line a change: "add pcie-root-port index 3" */
};

/*
 * Puts the selection and the pages into the domain XML: each card (the
 * selected functions of one host slot, function 0 among them) on slot 0 of
 * a free pcie-root-port with its host function numbers and
 * multifunction='on' on function 0, any other function alone on a port as
 * function 0; a root port is free when no device has an address on its bus,
 * and one is added (the next controller index) when none is left. The
 * <memoryBacking> children of want->memory_backing the domain lacks are
 * added. A domain that already has every selected function and the pages
 * is left as it is (changed false): running it again changes nothing.
 * name is the domain's name, for messages. Refuses (*ret_msg says why):
 * -EINVAL for XML that is not a domain, -EEXIST for a domain that has some
 * of the functions but not all, -ENOTSUP for a machine type other than q35
 * when functions are to be placed or for pages of another size,
 * -ENOSPC when no controller index is left. -ENOMEM.
 */
int vp_domain_edit(const char *xml, size_t len, const char *name,
		   const struct vp_domain_want *want, struct vp_domain_edit *ret, char **ret_msg);
void vp_domain_edit_free(struct vp_domain_edit *e);
