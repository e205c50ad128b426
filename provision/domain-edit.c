// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The domain XML edited as a tree with libxml2 (formatdomain: "Host device
 * assignment", "PCI controllers", "Memory Backing"). New elements get the
 * indentation of their siblings, so that the diff is only what we add. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "domain-edit.h"
#include "libvirt.h"
#include "number.h"
#include "xml-api.h"

#define GIB_KIB 1048576ULL
#define MAX_INDEX 255   /* a pci controller's index is its bus number */

struct pci_addr {
	long domain, bus, slot, function;
};

/* What the domain has, read once before anything changes. */
struct layout {
	xmlDocPtr doc;
	xmlNodePtr domain, devices;
	bool used[MAX_INDEX + 1];       /* buses a device sits on */
	long *free_ports;               /* pcie-root-port indexes, ascending */
	size_t n_free, next_free;
	long max_index;                 /* of the pci controllers, -1: none */
};

static bool is_el(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && (!name || xmlStrEqual(n->name, BAD_CAST name));
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (is_el(c, name))
			return c;
	return NULL;
}

static xmlNodePtr last_child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->last : NULL; c; c = c->prev)
		if (is_el(c, name))
			return c;
	return NULL;
}

static bool attr_is(xmlNodePtr n, const char *name, const char *value)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	bool r = v && xmlStrEqual(v, BAD_CAST value);

	xmlFree(v);
	return r;
}

/* A number as libvirt writes it ("0x0a" or "10"); absent when missing, -1 when bad. */
static long num_attr(xmlNodePtr n, const char *name, long absent)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	unsigned long long x;
	long r;

	if (!v)
		return absent;
	r = vp_parse_number((const char *)v, 0, LONG_MAX, &x) == 0 ? (long)x : -1;
	xmlFree(v);
	return r;
}

/* <address domain= bus= slot= function=/>: false when it names no slot. */
static bool read_addr(xmlNodePtr a, struct pci_addr *ret)
{
	if (!a)
		return false;
	ret->domain = num_attr(a, "domain", 0);
	ret->bus = num_attr(a, "bus", -1);
	ret->slot = num_attr(a, "slot", -1);
	ret->function = num_attr(a, "function", 0);
	return ret->domain >= 0 && ret->bus >= 0 && ret->slot >= 0 && ret->function >= 0;
}

/* The <hostdev type='pci'> of devices whose source is fn, or NULL. */
static xmlNodePtr hostdev_of(xmlNodePtr devices, const struct vp_pci_fn *fn)
{
	for (xmlNodePtr h = devices->children; h; h = h->next) {
		struct pci_addr a;

		if (!is_el(h, "hostdev") || !attr_is(h, "type", "pci") ||
		    !read_addr(child(child(h, "source"), "address"), &a))
			continue;
		if ((unsigned long)a.domain == fn->domain && (unsigned long)a.bus == fn->bus &&
		    (unsigned long)a.slot == fn->dev && (unsigned long)a.function == fn->func)
			return h;
	}
	return NULL;
}

/* The whitespace after the last newline of a blank text node (the indent it gives). */
static char *indent_in(xmlNodePtr text)
{
	const char *s = (const char *)text->content, *nl = s ? strrchr(s, '\n') : NULL;

	return strdup(nl ? nl + 1 : "");
}

static bool is_blank(xmlNodePtr n)
{
	return n && n->type == XML_TEXT_NODE && xmlIsBlankNode(n);
}

/* n's own indentation: the blank text before it, "" when none. */
static char *own_indent(xmlNodePtr n)
{
	return is_blank(n->prev) ? indent_in(n->prev) : strdup("");
}

/* The indentation of parent's element children, or parent's own plus two spaces. */
static char *child_indent(xmlNodePtr parent)
{
	_cleanup_free_ char *own = NULL;

	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (is_blank(c) && is_el(c->next, NULL))
			return indent_in(c);
	own = own_indent(parent);
	return own ? vp_strdup_printf("%s  ", own) : NULL;
}

static bool add_text(xmlNodePtr n, bool before, const char *indent)
{
	_cleanup_free_ char *s = vp_strdup_printf("\n%s", indent);
	xmlNodePtr t = s ? xmlNewDocText(n->doc, BAD_CAST s) : NULL;

	if (!t)
		return false;
	/* next to an element, never next to text: libxml2 would merge the two */
	return (before ? xmlAddPrevSibling(n, t) : xmlAddNextSibling(n, t)) != NULL;
}

/* Indents a new subtree (no text nodes of its own) that will sit at indent. */
static int format(xmlNodePtr n, const char *indent)
{
	_cleanup_free_ char *inner = vp_strdup_printf("%s  ", indent);
	xmlNodePtr last = NULL;

	if (!inner)
		return -ENOMEM;
	for (xmlNodePtr c = n->children, next; c; c = next) {
		next = c->next;
		if (!is_el(c, NULL))
			continue;
		if (!add_text(c, true, inner) || format(c, inner) < 0)
			return -ENOMEM;
		last = c;
	}
	if (last && !add_text(last, false, indent))
		return -ENOMEM;
	return 0;
}

/*
 * Puts n into parent after the element `after`, or NULL: as its last
 * child, indented as parent's other children. A parent written on one line
 * stays on one line. Takes n: the document frees it, or this on failure.
 */
static int insert(xmlNodePtr parent, xmlNodePtr after, xmlNodePtr n)
{
	bool empty = !parent->children, pretty = empty;
	_cleanup_free_ char *ind = NULL, *own = NULL;

	for (xmlNodePtr c = parent->children; c && !pretty; c = c->next)
		pretty = is_blank(c);
	if (pretty) {
		ind = child_indent(parent);
		own = own_indent(parent);
		if (!ind || !own || format(n, ind) < 0) {
			xmlFreeNode(n);
			return -ENOMEM;
		}
	}
	if (after)
		xmlAddNextSibling(after, n);
	else if (is_blank(parent->last))
		xmlAddPrevSibling(parent->last, n);
	else
		xmlAddChild(parent, n);
	if (pretty && (!add_text(n, true, ind) || (empty && !add_text(n, false, own))))
		return -ENOMEM;
	return 0;
}

/* Takes out blank text and comments, so that insert() or a dump indents it afresh. */
static void strip(xmlNodePtr n)
{
	for (xmlNodePtr k = n->children, next; k; k = next) {
		next = k->next;
		if (is_el(k, NULL)) {
			strip(k);
		} else if (is_blank(k) || k->type == XML_COMMENT_NODE) {
			xmlUnlinkNode(k);
			xmlFreeNode(k);
		}
	}
}

/* A copy of n (from a template, or the domain) for doc, stripped. */
static xmlNodePtr bare_copy(xmlNodePtr n, xmlDocPtr doc)
{
	xmlNodePtr c = xmlDocCopyNode(n, doc, 1);

	if (c)
		strip(c);
	return c;
}

/* The whole document, as libxml2 writes it without adding or taking whitespace. */
static char *serialise(xmlDocPtr doc)
{
	xmlBufferPtr b = xmlBufferCreate();
	char *s = NULL;

	if (!b)
		return NULL;
	if (xmlNodeDump(b, doc, xmlDocGetRootElement(doc), 0, 0) >= 0)
		s = vp_strdup_printf("%s\n", (const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return s;
}

/* The element as a string on its own lines (guest-xml's form). */
static char *element_text(xmlNodePtr n)
{
	xmlNodePtr c = bare_copy(n, n->doc);
	char *s = c ? vp_guest_xml_dump(n->doc, c) : NULL;

	xmlFreeNode(c);
	return s;
}

/* Adds idx to the free ports, kept ascending. */
static int add_free_port(struct layout *l, long idx)
{
	long *v = realloc(l->free_ports, (l->n_free + 1) * sizeof(*v));
	size_t k;

	if (!v)
		return -ENOMEM;
	l->free_ports = v;
	for (k = l->n_free++; k > 0 && v[k - 1] > idx; k--)
		v[k] = v[k - 1];
	v[k] = idx;
	return 0;
}

static int read_layout(struct layout *l)
{
	int r = 0;

	l->max_index = -1;
	for (xmlNodePtr c = l->devices->children; c; c = c->next) {
		xmlNodePtr a = child(c, "address");
		struct pci_addr pa;

		if (!is_el(c, NULL))
			continue;
		if (attr_is(a, "type", "pci") && read_addr(a, &pa) && pa.domain == 0 &&
		    pa.bus <= MAX_INDEX)
			l->used[pa.bus] = true;
		if (is_el(c, "controller") && attr_is(c, "type", "pci") &&
		    num_attr(c, "index", -1) > l->max_index)
			l->max_index = num_attr(c, "index", -1);
	}
	for (xmlNodePtr c = l->devices->children; c && r >= 0; c = c->next) {
		long idx = num_attr(c, "index", -1);

		if (is_el(c, "controller") && attr_is(c, "type", "pci") &&
		    attr_is(c, "model", "pcie-root-port") && idx >= 0 && idx <= MAX_INDEX &&
		    !l->used[idx])
			r = add_free_port(l, idx);
	}
	return r;
}

/* A free root port's index: the lowest free one, else a new one. */
static int take_port(struct layout *l, const char *name, struct vp_domain_edit *e, long *ret,
		     char **ret_msg)
{
	xmlNodePtr c;
	char idx[24];
	int r;

	if (l->next_free < l->n_free) {
		*ret = l->free_ports[l->next_free++];
		return 0;
	}
	if (l->max_index + 1 > MAX_INDEX)
		return vp_fail(ret_msg, -ENOSPC, "domain '%s': no controller index is left for "
			       "another pcie-root-port (the last is %d)", name, MAX_INDEX);
	*ret = ++l->max_index;
	snprintf(idx, sizeof(idx), "%ld", *ret);
	c = xmlNewDocNode(l->doc, NULL, BAD_CAST "controller", NULL);
	if (!c || !xmlNewProp(c, BAD_CAST "type", BAD_CAST "pci") ||
	    !xmlNewProp(c, BAD_CAST "index", BAD_CAST idx) ||
	    !xmlNewProp(c, BAD_CAST "model", BAD_CAST "pcie-root-port")) {
		xmlFreeNode(c);
		return -ENOMEM;
	}
	/* libvirt gives it its address, chassis and port when it is defined */
	r = insert(l->devices, last_child(l->devices, "controller"), c);
	if (r >= 0)
		r = vp_strv_push_take(&e->changes, vp_strdup_printf(
			"add pcie-root-port index %ld (none was free)", *ret));
	return r;
}

static bool is_q35(xmlNodePtr domain)
{
	xmlChar *m = xmlGetProp(child(child(domain, "os"), "type"), BAD_CAST "machine");
	bool r = m && strstr((const char *)m, "q35");

	xmlFree(m);
	return r;
}

static int refuse_machine(xmlNodePtr domain, const char *name, char **ret_msg)
{
	xmlChar *m = xmlGetProp(child(child(domain, "os"), "type"), BAD_CAST "machine");
	_cleanup_free_ char *what = m ? vp_strdup_printf("machine type '%s'", (const char *)m)
				      : strdup("no machine type (<os><type machine=...>)");

	xmlFree(m);
	return vp_fail(ret_msg, -ENOTSUP, "domain '%s' has %s, not q35: the functions go on "
		       "PCIe root ports, which only a q35 machine has; move the guest to q35 "
		       "first", name, what ? what : "another machine type");
}

/* One function of the selection, placed (guest_bus >= 0) or as the domain has it. */
static int record(struct vp_domain_edit *e, const struct vp_pci_fn *fn, xmlNodePtr h)
{
	struct vp_hostdev *d = &e->g.v[e->g.n];
	struct pci_addr a;

	snprintf(d->addr, sizeof(d->addr), "%s", fn->addr);
	if (read_addr(child(h, "address"), &a) && attr_is(child(h, "address"), "type", "pci"))
		snprintf(d->guest, sizeof(d->guest), "%04lx:%02lx:%02lx.%lx", a.domain, a.bus,
			 a.slot, a.function);
	d->xml = element_text(h);
	if (!d->xml)
		return -ENOMEM;
	e->g.n++;
	return 0;
}

/* The selection's functions: placed, or all already there, or a refusal. */
static int place_functions(struct layout *l, const char *name, const struct vp_domain_want *w,
			   struct vp_domain_edit *e, char **ret_msg)
{
	const struct vp_system *sys = w->sys;
	const struct vp_selection *sel = w->sel;
	struct vp_buf have = {0}, lack = {0};
	int r = 0;

	e->g.v = calloc(sel->n_fns ? sel->n_fns : 1, sizeof(*e->g.v));
	if (!e->g.v)
		return -ENOMEM;
	for (size_t i = 0; i < sel->n_fns; i++) {
		const struct vp_pci_fn *fn = &sys->fns[sel->fns[i]];
		struct vp_buf *b = hostdev_of(l->devices, fn) ? &have : &lack;

		vp_buf_printf(b, "%s%s", b->len ? ", " : "", fn->addr);
	}
	if (have.err || lack.err) {
		r = -ENOMEM;
		goto out;
	}
	if (have.len && lack.len) {
		r = vp_fail(ret_msg, -EEXIST, "domain '%s' already has %s of the selection but not "
			    "%s: remove its <hostdev> elements of the selection (virsh edit %s) "
			    "and run again, so that all go on together", name, have.s, lack.s,
			    name);
		goto out;
	}
	/* everything there: nothing to place, whatever the machine */
	for (size_t i = 0; have.len && i < sel->n_fns && r >= 0; i++) {
		const struct vp_pci_fn *fn = &sys->fns[sel->fns[i]];

		r = record(e, fn, hostdev_of(l->devices, fn));
	}
	if (have.len || !lack.len)
		goto out;
	if (!is_q35(l->domain)) {
		r = refuse_machine(l->domain, name, ret_msg);
		goto out;
	}
	for (size_t i = 0; i < sel->n_fns && r >= 0;) {
		const struct vp_pci_fn *first = &sys->fns[sel->fns[i]];
		size_t n = 1;
		bool card;
		long port = -1;

		/* the selected functions of one card are adjacent: fns is sorted */
		while (i + n < sel->n_fns && vp_same_slot(first, &sys->fns[sel->fns[i + n]]))
			n++;
		card = n > 1 && first->func == 0;
		for (size_t k = 0; k < n && r >= 0; k++, i++) {
			const struct vp_pci_fn *fn = &sys->fns[sel->fns[i]];
			xmlNodePtr h;

			if (!card || k == 0)
				r = take_port(l, name, e, &port, ret_msg);
			if (r < 0)
				break;
			/* a lone function is function 0 of its port: a guest scans from there */
			h = vp_guest_xml_hostdev(l->doc, fn, (int)port, card ? fn->func : 0,
						 card && k == 0);
			r = h ? record(e, fn, h) : -ENOMEM;
			if (r >= 0)
				r = insert(l->devices, last_child(l->devices, "hostdev"), h);
			else
				xmlFreeNode(h);
			if (r >= 0)
				r = vp_strv_push_take(&e->changes, vp_strdup_printf(
					"add <hostdev> %s as guest %s (pcie-root-port index %ld)",
					fn->addr, e->g.v[e->g.n - 1].guest, port));
		}
	}
out:
	vp_buf_free(&have);
	vp_buf_free(&lack);
	return r;
}

/* The size of a <page>, in KiB; 0 when it cannot be read. */
static unsigned long long page_kib(xmlNodePtr page)
{
	xmlChar *size = xmlGetProp(page, BAD_CAST "size"), *unit = xmlGetProp(page, BAD_CAST "unit");
	unsigned long long kib = 0;

	if (size && vp_libvirt_scaled_kib((const char *)size, (const char *)unit, &kib) < 0)
		kib = 0;
	xmlFree(size);
	xmlFree(unit);
	return kib;
}

/* <hugepages> as the domain has it: fine with a 1 GiB page, else a refusal or a page to add. */
static int merge_hugepages(xmlNodePtr have, xmlNodePtr want, const char *name,
			   struct vp_domain_edit *e, char **ret_msg)
{
	unsigned long long other = 0;

	for (xmlNodePtr p = have->children; p; p = p->next) {
		if (!is_el(p, "page"))
			continue;
		if (page_kib(p) == GIB_KIB)
			return 0;
		other = page_kib(p);
	}
	if (other || child(have, "page"))
		return vp_fail(ret_msg, -ENOTSUP, "domain '%s' backs its memory with pages of %llu "
			       "KiB (<memoryBacking><hugepages><page>), but vfio-provision reserves "
			       "1 GiB pages: change the page to size='1' unit='GiB' (virsh edit %s), "
			       "or configure no [hugepages]", name, other, name);
	/* <hugepages/> alone: the default size; say which one the pages are */
	for (xmlNodePtr p = want->children; p; p = p->next) {
		xmlNodePtr c;
		int r;

		if (!is_el(p, "page"))
			continue;
		c = bare_copy(p, have->doc);
		if (!c)
			return -ENOMEM;
		r = insert(have, NULL, c);
		if (r >= 0)
			r = vp_strv_push(&e->changes, "add <page> of 1 GiB to <hugepages>");
		if (r < 0)
			return r;
	}
	return 0;
}

/* Where <memoryBacking> goes: after the memory sizes and tunables, as libvirt orders them. */
static xmlNodePtr backing_place(xmlNodePtr domain)
{
	static const char *const before[] = {
		"memtune", "blkiotune", "currentMemory", "memory", "maxMemory",
	};

	for (size_t i = 0; i < ARRAY_SIZE(before); i++)
		if (child(domain, before[i]))
			return child(domain, before[i]);
	return NULL;
}

static int merge_backing(struct layout *l, const char *name, const struct vp_domain_want *w,
			 struct vp_domain_edit *e, char **ret_msg)
{
	xmlDocPtr t = xmlReadMemory(w->memory_backing, (int)strlen(w->memory_backing),
				    "libvirt-hugepages.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr want = t ? xmlDocGetRootElement(t) : NULL;
	xmlNodePtr have = child(l->domain, "memoryBacking"), c;
	int r = 0;

	if (!is_el(want, "memoryBacking")) {
		r = -EINVAL;    /* our own template: a bug, not the user's */
		goto out;
	}
	if (!have) {
		c = bare_copy(want, l->doc);
		r = c ? insert(l->domain, backing_place(l->domain), c) : -ENOMEM;
		if (r >= 0)
			r = vp_strv_push(&e->changes, "add <memoryBacking> with 1 GiB pages");
		goto out;
	}
	for (xmlNodePtr k = want->children; k && r >= 0; k = k->next) {
		xmlNodePtr mine;

		if (!is_el(k, NULL))
			continue;
		mine = child(have, (const char *)k->name);
		if (mine && is_el(k, "hugepages")) {
			r = merge_hugepages(mine, k, name, e, ret_msg);
			continue;
		}
		if (mine)
			continue;
		c = bare_copy(k, l->doc);
		r = c ? insert(have, NULL, c) : -ENOMEM;
		if (r >= 0)
			r = vp_strv_push_take(&e->changes, vp_strdup_printf(
				"add <%s> to <memoryBacking>", (const char *)k->name));
	}
out:
	xmlFreeDoc(t);
	return r;
}

/* What the user should know about the memory: its size against the pages. */
static int memory_notes(const char *xml, size_t len, const char *name,
			const struct vp_domain_want *w, struct vp_strv *notes)
{
	struct vp_domain d = {0};
	int r = 0;

	if (vp_domain_parse(xml, len, name, &d, NULL) < 0)
		return 0;       /* read again below, with the reason */
	if (d.memory_kib % GIB_KIB)
		r = vp_strv_push_take(notes, vp_strdup_printf(
			"domain '%s' has %llu MiB of memory, not whole 1 GiB pages: QEMU does not "
			"start it with 1 GiB pages; make <memory> a multiple of 1 GiB", name,
			d.memory_kib / 1024));
	else if (w->pages && vp_domain_pages_1g(&d) > w->pages)
		r = vp_strv_push_take(notes, vp_strdup_printf(
			"domain '%s' needs %lu 1 GiB pages, the config reserves %lu: raise "
			"[hugepages] count, or the guest will not start", name,
			vp_domain_pages_1g(&d), w->pages));
	if (r >= 0 && w->node >= 0)
		r = vp_strv_push_take(notes, vp_strdup_printf(
			"the pages are on host NUMA node %d, where the GPU is: to keep the guest's "
			"memory there, add <numatune><memory mode='strict' nodeset='%d'/></numatune>",
			w->node, w->node));
	vp_domain_free(&d);
	return r;
}

int vp_domain_edit(const char *xml, size_t len, const char *name,
		   const struct vp_domain_want *want, struct vp_domain_edit *ret, char **ret_msg)
{
	struct vp_domain_edit e = {0};
	struct vp_domain check = {0};
	struct layout l = {0};
	int r;

	/* the hook's parser names the line of a malformed document */
	r = vp_domain_parse(xml, len, name, &check, ret_msg);
	vp_domain_free(&check);
	if (r < 0)
		return r;
	l.doc = xmlReadMemory(xml, (int)len, name, NULL,
			      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	l.domain = l.doc ? xmlDocGetRootElement(l.doc) : NULL;
	l.devices = child(l.domain, "devices");
	r = -ENOMEM;
	if (!l.domain)
		goto fail;
	if (!l.devices) {
		r = vp_fail(ret_msg, -EINVAL, "domain '%s' has no <devices>", name);
		goto fail;
	}
	e.old_xml = serialise(l.doc);
	if (!e.old_xml)
		goto fail;
	r = read_layout(&l);
	if (r >= 0)
		r = place_functions(&l, name, want, &e, ret_msg);
	for (size_t i = 0; r >= 0 && i < want->sel->n_fns; i++) {
		const struct vp_pci_fn *fn = &want->sys->fns[want->sel->fns[i]];

		if (vp_fn_is_display(fn) && fn->boot_vga == 1)
			r = vp_guest_xml_rom_note(fn, &e.g.notes);
	}
	if (r >= 0 && want->memory_backing) {
		r = merge_backing(&l, name, want, &e, ret_msg);
		if (r >= 0)
			r = memory_notes(xml, len, name, want, &e.g.notes);
	}
	if (r < 0)
		goto fail;
	r = -ENOMEM;
	e.new_xml = serialise(l.doc);
	if (!e.new_xml)
		goto fail;
	e.changed = strcmp(e.old_xml, e.new_xml) != 0;
	free(l.free_ports);
	xmlFreeDoc(l.doc);
	*ret = e;
	return 0;
fail:
	free(l.free_ports);
	xmlFreeDoc(l.doc);
	vp_domain_edit_free(&e);
	return r;
}

void vp_domain_edit_free(struct vp_domain_edit *e)
{
	free(e->old_xml);
	free(e->new_xml);
	vp_guest_xml_free(&e->g);
	vp_strv_free(&e->changes);
	memset(e, 0, sizeof(*e));
}
