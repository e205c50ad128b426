/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libvirt <hostdev> elements that give a guest the selected functions,
 * built with libxml2 (never by pasting strings), and the notes that matter
 * for them. Pure: no I/O.
 */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>

#include "select.h"
#include "system.h"
#include "vp.h"

/* The first guest bus a multi-function card is put on (one bus a card). */
#define VP_GUEST_BUS_FIRST 0x10

struct vp_hostdev {
	char addr[VPE_ADDR_SIZE]; /* host address "DDDD:BB:DD.F" */
	char guest[32];         /* guest address "DDDD:BB:DD.F", "" when libvirt picks */
	char *xml;              /* one <hostdev> element, indented, no final newline */
};

struct vp_guest_xml {
	struct vp_hostdev *v;   /* in the selection's (address) order */
	size_t n;
	struct vp_strv notes;   /* sentences, in the order they matter */
};

/*
 * One <hostdev mode='subsystem' type='pci' managed='yes'> for each selected
 * function. The functions of one card (same host slot) that are selected
 * together go on one guest slot: bus VP_GUEST_BUS_FIRST + n for the n-th
 * such card, slot 0, the host's function numbers, multifunction='on' on
 * function 0; a card with a single selected function gets no guest address.
 * Notes: one per multi-function card, one per selected boot VGA (the ROM).
 * Returns 0, or -ENOMEM.
 */
int vp_guest_xml_build(const struct vp_system *sys, const struct vp_selection *sel,
		       struct vp_guest_xml *ret, char **ret_msg);
void vp_guest_xml_free(struct vp_guest_xml *g);

/*
 * One <hostdev mode='subsystem' type='pci' managed='yes'> element for fn, a
 * node of doc that is not linked anywhere yet. guest_bus < 0: no guest
 * <address> (libvirt picks one); else function guest_fn on slot 0 of that
 * bus, with multifunction='on' when asked. NULL on -ENOMEM.
 */
xmlNodePtr vp_guest_xml_hostdev(xmlDocPtr doc, const struct vp_pci_fn *fn, int guest_bus,
				unsigned guest_fn, bool multifunction);
/* node serialised by libxml2, indented, no final newline; NULL on -ENOMEM. */
char *vp_guest_xml_dump(xmlDocPtr doc, xmlNodePtr node);
/* The note for a selected boot VGA: the guest may need <rom file='...'/>. */
int vp_guest_xml_rom_note(const struct vp_pci_fn *fn, struct vp_strv *notes);

/*
 * The notes as XML comments, then the elements, each line prefixed with
 * indent: ready to paste inside <devices>. Appends to out.
 */
int vp_guest_xml_text(const struct vp_guest_xml *g, const char *indent, struct vp_buf *out);
