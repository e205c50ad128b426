// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * <hostdev> elements for the selected functions (libvirt's domain XML,
 * formatdomain "Host device assignment"), written through libxml2's tree
 * API so that quoting and escaping are libxml2's. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest-xml.h"
#include "xml-api.h"

/* Adds an attribute; false on allocation failure. */
static bool prop(xmlNodePtr n, const char *name, const char *value)
{
	return xmlNewProp(n, BAD_CAST name, BAD_CAST value) != NULL;
}

/* <address [type='pci'] domain='0x0000' bus='0x01' slot='0x00' function='0x0' [multifunction='on']/> */
static bool address(xmlNodePtr parent, bool typed, unsigned dom, unsigned bus, unsigned slot,
		    unsigned fn, bool multifunction)
{
	xmlNodePtr a = xmlNewChild(parent, NULL, BAD_CAST "address", NULL);
	char d[8], b[8], s[8], f[8];

	if (!a)
		return false;
	snprintf(d, sizeof(d), "0x%04x", dom & 0xffff);
	snprintf(b, sizeof(b), "0x%02x", bus & 0xff);
	snprintf(s, sizeof(s), "0x%02x", slot & 0x1f);
	snprintf(f, sizeof(f), "0x%x", fn & 7);
	return (!typed || prop(a, "type", "pci")) && prop(a, "domain", d) && prop(a, "bus", b) &&
	       prop(a, "slot", s) && prop(a, "function", f) &&
	       (!multifunction || prop(a, "multifunction", "on"));
}

/* Serialises node (indented by libxml2) into a malloc'ed string. */
static char *dump(xmlDocPtr doc, xmlNodePtr node)
{
	xmlBufferPtr b = xmlBufferCreate();
	char *s = NULL;

	if (!b)
		return NULL;
	if (xmlNodeDump(b, doc, node, 0, 1) >= 0)
		s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return s;
}

xmlNodePtr vp_guest_xml_hostdev(xmlDocPtr doc, const struct vp_pci_fn *fn, int guest_bus,
				unsigned guest_fn, bool multifunction)
{
	xmlNodePtr h = xmlNewDocNode(doc, NULL, BAD_CAST "hostdev", NULL), src;

	if (!h)
		return NULL;
	if (!prop(h, "mode", "subsystem") || !prop(h, "type", "pci") || !prop(h, "managed", "yes"))
		goto fail;
	src = xmlNewChild(h, NULL, BAD_CAST "source", NULL);
	if (!src || !address(src, false, fn->domain, fn->bus, fn->dev, fn->func, false))
		goto fail;
	if (guest_bus >= 0 &&
	    !address(h, true, 0, (unsigned)guest_bus, 0, guest_fn, multifunction))
		goto fail;
	return h;
fail:
	xmlFreeNode(h);
	return NULL;
}

char *vp_guest_xml_dump(xmlDocPtr doc, xmlNodePtr node)
{
	return dump(doc, node);
}

/*
 * One element. guest_bus < 0: no guest address (libvirt picks one);
 * otherwise the function keeps its number on slot 0 of that bus.
 */
static char *hostdev(xmlDocPtr doc, const struct vp_pci_fn *fn, int guest_bus, bool multi)
{
	xmlNodePtr h = vp_guest_xml_hostdev(doc, fn, guest_bus, fn->func, multi);
	char *s = h ? dump(doc, h) : NULL;

	xmlFreeNode(h);
	return s;
}

/* "0000:0a:00.0, 0000:0a:00.1 and 0000:0a:00.2" */
static char *list_addrs(const struct vp_system *sys, const size_t *idx, size_t n)
{
	struct vp_buf b = {0};
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++)
		r = vp_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
				  sys->fns[idx[i]].addr);
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

static int card_note(const struct vp_system *sys, const size_t *idx, size_t n, int bus,
		     struct vp_strv *notes)
{
	const struct vp_pci_fn *first = &sys->fns[idx[0]];
	_cleanup_free_ char *all = list_addrs(sys, idx, n);

	if (!all)
		return -ENOMEM;
	if (first->func != 0)
		return vp_strv_push_take(notes, vp_strdup_printf(
			"%s are one card, but its function 0 is not selected: a guest slot "
			"needs a function 0, so give the guest the whole card, or let libvirt "
			"put each function on a slot of its own (as below)", all));
	return vp_strv_push_take(notes, vp_strdup_printf(
		"%s are one card: give them to one guest together, on one guest slot with "
		"the same function numbers and multifunction='on' on function 0, as below. "
		"Guest bus 0x%02x must be a free pcie-root-port index of the domain; change "
		"bus= on all of them if it is taken", all, bus));
}

int vp_guest_xml_rom_note(const struct vp_pci_fn *fn, struct vp_strv *notes)
{
	return vp_strv_push_take(notes, vp_strdup_printf(
		"%s is the boot VGA: the firmware ran its ROM at boot, and the guest may "
		"read the shadowed, modified copy. If the guest shows no picture, dump the "
		"card's ROM from a boot where it is not the primary GPU and add "
		"<rom file='PATH'/> to its <hostdev>", fn->addr));
}

int vp_guest_xml_build(const struct vp_system *sys, const struct vp_selection *sel,
		       struct vp_guest_xml *ret, char **ret_msg)
{
	struct vp_guest_xml g = {0};
	xmlDocPtr doc = NULL;
	int r, bus = VP_GUEST_BUS_FIRST;

	r = vp_xml_load(ret_msg);
	if (r < 0)
		return r;
	r = -ENOMEM;
	g.v = calloc(sel->n_fns ? sel->n_fns : 1, sizeof(*g.v));
	doc = xmlNewDoc(BAD_CAST "1.0");
	if (!g.v || !doc)
		goto fail;
	for (size_t i = 0; i < sel->n_fns;) {
		const struct vp_pci_fn *first = &sys->fns[sel->fns[i]];
		size_t n = 1;
		int guest_bus = -1;

		/* the selected functions of one card are adjacent: fns is sorted */
		while (i + n < sel->n_fns && vp_same_slot(first, &sys->fns[sel->fns[i + n]]))
			n++;
		if (n > 1) {
			r = card_note(sys, sel->fns + i, n, bus, &g.notes);
			if (r < 0)
				goto fail;
			r = -ENOMEM;
			if (first->func == 0)
				guest_bus = bus++;
		}
		for (size_t k = 0; k < n; k++, i++) {
			const struct vp_pci_fn *fn = &sys->fns[sel->fns[i]];
			struct vp_hostdev *h = &g.v[g.n];

			snprintf(h->addr, sizeof(h->addr), "%s", fn->addr);
			if (guest_bus >= 0)
				snprintf(h->guest, sizeof(h->guest), "0000:%02x:00.%x",
					 (unsigned)guest_bus, fn->func);
			h->xml = hostdev(doc, fn, guest_bus, guest_bus >= 0 && k == 0);
			if (!h->xml)
				goto fail;
			g.n++;
			if (vp_fn_is_display(fn) && fn->boot_vga == 1) {
				r = vp_guest_xml_rom_note(fn, &g.notes);
				if (r < 0)
					goto fail;
				r = -ENOMEM;
			}
		}
	}
	xmlFreeDoc(doc);
	*ret = g;
	return 0;
fail:
	xmlFreeDoc(doc);
	vp_guest_xml_free(&g);
	return r;
}

void vp_guest_xml_free(struct vp_guest_xml *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].xml);
	free(g->v);
	vp_strv_free(&g->notes);
	memset(g, 0, sizeof(*g));
}

/* Appends s with indent before every line. */
static int indented(struct vp_buf *out, const char *indent, const char *s)
{
	int r = 0;

	while (*s && r >= 0) {
		size_t n = strcspn(s, "\n");

		r = vp_buf_puts(out, indent);
		if (r >= 0)
			r = vp_buf_add(out, s, n);
		if (r >= 0)
			r = vp_buf_puts(out, "\n");
		s += n + (s[n] == '\n');
	}
	return r;
}

/* " note: TEXT " wrapped at about 72 columns, continuation lines indented. */
static char *comment_text(const char *note)
{
	struct vp_buf b = {0};
	size_t col = 10;        /* "<!-- note:" */
	int r = vp_buf_puts(&b, " note:");

	for (const char *p = note; *p && r >= 0;) {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (!n)
			break;
		if (col + 1 + n > 72) {
			r = vp_buf_puts(&b, "\n    ");
			col = 4;
		}
		if (r >= 0)
			r = vp_buf_printf(&b, " %.*s", (int)n, p);
		col += 1 + n;
		p += n;
	}
	if (r >= 0)
		r = vp_buf_puts(&b, " ");
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

int vp_guest_xml_text(const struct vp_guest_xml *g, const char *indent, struct vp_buf *out)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	int r = doc ? 0 : -ENOMEM;

	/* notes as comments, so the whole text can be pasted */
	for (size_t i = 0; i < g->notes.n && r >= 0; i++) {
		_cleanup_free_ char *text = comment_text(g->notes.v[i]);
		xmlNodePtr c = text && !strstr(text, "--") ? xmlNewDocComment(doc, BAD_CAST text)
							   : NULL;
		char *s = c ? dump(doc, c) : NULL;

		r = s ? indented(out, indent, s) : text ? -EINVAL : -ENOMEM;
		free(s);
		xmlFreeNode(c);
	}
	for (size_t i = 0; i < g->n && r >= 0; i++)
		r = indented(out, indent, g->v[i].xml);
	xmlFreeDoc(doc);
	return r;
}
