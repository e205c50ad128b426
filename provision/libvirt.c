// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading a libvirt domain definition with libxml2, never with grep. */
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "libvirt.h"
#include "number.h"
#include "vpe.h"
#include "vp.h"
#include "xml-api.h"

/* libvirt's scaled integers: decimal units are powers of 1000, binary 1024. */
int vp_libvirt_scaled_kib(const char *value, const char *unit, unsigned long long *ret)
{
	static const struct { const char *name; unsigned long long bytes; } units[] = {
		{"b", 1}, {"bytes", 1},
		{"KB", 1000ULL}, {"k", 1024ULL}, {"KiB", 1024ULL},
		{"MB", 1000000ULL}, {"M", 1ULL << 20}, {"MiB", 1ULL << 20},
		{"GB", 1000000000ULL}, {"G", 1ULL << 30}, {"GiB", 1ULL << 30},
		{"TB", 1000000000000ULL}, {"T", 1ULL << 40}, {"TiB", 1ULL << 40},
	};
	unsigned long long v, mult = 1024;
	const char *end;
	bool found = !unit;

	if (!value || vpe_parse_digits(value + strspn(value, " \t\n"), 10, ULLONG_MAX, &v,
				       &end) < 0)
		return -EINVAL;
	end += strspn(end, " \t\n");
	if (*end)
		return -EINVAL;
	for (size_t i = 0; unit && i < ARRAY_SIZE(units); i++)
		if (strcmp(unit, units[i].name) == 0) {
			mult = units[i].bytes;
			found = true;
		}
	if (!found)
		return -EINVAL;
	if (mult && v > UINT64_MAX / mult)
		return -ERANGE;
	/* round up to whole KiB: memory is never less than asked */
	*ret = (v * mult + 1023) / 1024;
	return 0;
}

static char *xpath_string(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
	char *s = NULL;

	if (o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0) {
		xmlChar *c = xmlNodeGetContent(o->nodesetval->nodeTab[0]);

		if (c) {
			s = strdup((const char *)c);
			xmlFree(c);
		}
	}
	xmlXPathFreeObject(o);
	return s;
}

static bool xpath_exists(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
	bool r = o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0;

	xmlXPathFreeObject(o);
	return r;
}

/* The values of every node expr finds (attributes: their text), appended to ret. */
static int xpath_strings(xmlXPathContextPtr xp, const char *expr, struct vp_strv *ret)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
	int r = o ? 0 : -ENOMEM;

	for (int i = 0; r >= 0 && o->type == XPATH_NODESET && o->nodesetval &&
			i < o->nodesetval->nodeNr; i++) {
		xmlChar *c = xmlNodeGetContent(o->nodesetval->nodeTab[i]);

		r = c ? vp_strv_push(ret, (const char *)c) : -ENOMEM;
		xmlFree(c);
	}
	xmlXPathFreeObject(o);
	return r;
}

/*
 * <hostdev mode='subsystem' type='pci'><source><address domain='0x0000'
 * bus='0x01' slot='0x00' function='0x0'/></source></hostdev>, as sysfs names
 * the device. A value out of range is an error naming the domain.
 */
static int pci_hostdevs(xmlXPathContextPtr xp, const char *name, const char *domain,
			struct vp_strv *ret, char **ret_msg)
{
	static const char *const attrs[] = {"domain", "bus", "slot", "function"};
	static const unsigned long max[] = {0xffff, 0xff, 0x1f, 7};
	xmlXPathObjectPtr o = xmlXPathEvalExpression(
		(const xmlChar *)"/domain/devices/hostdev[@type='pci']/source/address", xp);
	int r = o ? 0 : -ENOMEM;

	for (int i = 0; r >= 0 && o->type == XPATH_NODESET && o->nodesetval &&
			i < o->nodesetval->nodeNr; i++) {
		unsigned long v[4] = {0};

		for (size_t k = 0; k < ARRAY_SIZE(attrs) && r >= 0; k++) {
			xmlChar *a = xmlGetProp(o->nodesetval->nodeTab[i], (const xmlChar *)attrs[k]);

			if (!a && k == 0)
				continue;       /* libvirt's default domain is 0 */
			if (!a || vp_parse_uint((const char *)a, 0, max[k], &v[k]) < 0)
				r = vp_fail(ret_msg, -EINVAL, "'%s': domain '%s': bad <hostdev> address "
					    "%s='%s'", name, domain, attrs[k], a ? (const char *)a : "");
			xmlFree(a);
		}
		if (r >= 0)
			r = vp_strv_push_take(ret, vp_strdup_printf("%04lx:%02lx:%02lx.%lx", v[0], v[1],
								    v[2], v[3]));
	}
	xmlXPathFreeObject(o);
	return r;
}

/* The first error says what is wrong; later ones are usually its echoes. */
struct first_error {
	int line;
	char msg[256];
};

static void keep_first(void *userdata, xmlErrorPtr e)
{
	struct first_error *fe = userdata;

	if (fe->line || !e)
		return;
	fe->line = e->line > 0 ? e->line : 1;
	snprintf(fe->msg, sizeof(fe->msg), "%s", e->message ? e->message : "unknown error");
	vp_strstrip(fe->msg);
}

/*
 * libvirt never writes a DOCTYPE, and one is the only way to declare
 * entities: a few bytes that expand to gigabytes when a node's text is
 * read. The parser stops at the DOCTYPE, before its internal subset.
 */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
			   const xmlChar *system_id)
{
	xmlParserCtxtPtr p = ctx;
	int *line = p->_private;

	(void)name; (void)external_id; (void)system_id;
	*line = xmlSAX2GetLineNumber(ctx);
	if (*line <= 0)
		*line = 1;
	xmlStopParser(p);
}

int vp_domain_parse(const char *xml, size_t len, const char *name, struct vp_domain *ret,
		    char **ret_msg)
{
	struct vp_domain d = {.node = -1};
	struct first_error fe = {0};
	xmlParserCtxtPtr pctx = NULL;
	xmlDocPtr doc = NULL;
	xmlXPathContextPtr xp = NULL;
	_cleanup_free_ char *mem = NULL, *unit = NULL, *psize = NULL, *punit = NULL,
			    *nodeset = NULL;
	int doctype = 0, r;

	r = vp_xml_load(ret_msg);
	if (r < 0)
		return r;
	if (len > VP_DOMAIN_XML_MAX)
		return vp_fail(ret_msg, -EFBIG, "'%s': domain XML of %zu bytes, more than the %u "
			       "a domain may have", name, len, VP_DOMAIN_XML_MAX);
	pctx = xmlNewParserCtxt();
	if (!pctx)
		return -ENOMEM;
	pctx->sax->internalSubset = refuse_doctype;
	pctx->_private = &doctype;
	xmlSetStructuredErrorFunc(&fe, keep_first);
	doc = xmlCtxtReadMemory(pctx, xml, (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doctype) {
		r = vp_fail(ret_msg, -EINVAL, "'%s':%d: a <!DOCTYPE> in the domain XML (libvirt never "
			    "writes one); not reading it", name, doctype);
		goto fail;
	}
	if (!doc) {
		r = vp_fail(ret_msg, -EINVAL, "'%s':%d: malformed domain XML: %s", name,
			    fe.line, fe.line ? fe.msg : "unknown error");
		goto fail;
	}
	xp = xmlXPathNewContext(doc);
	if (!xp) {
		r = -ENOMEM;
		goto fail;
	}
	if (!xpath_exists(xp, "/domain")) {
		r = vp_fail(ret_msg, -EINVAL, "'%s': not a libvirt domain (root element is not <domain>)",
			    name);
		goto fail;
	}
	d.name = xpath_string(xp, "/domain/name");
	mem = xpath_string(xp, "/domain/memory");
	unit = xpath_string(xp, "/domain/memory/@unit");
	if (!d.name || !*vp_strstrip(d.name)) {
		r = vp_fail(ret_msg, -EINVAL, "'%s': the domain has no <name>", name);
		goto fail;
	}
	if (!mem) {
		r = vp_fail(ret_msg, -EINVAL, "'%s': domain '%s' has no <memory>", name, d.name);
		goto fail;
	}
	if (vp_libvirt_scaled_kib(vp_strstrip(mem), unit, &d.memory_kib) < 0) {
		r = vp_fail(ret_msg, -EINVAL, "'%s': domain '%s': bad <memory unit='%s'>%s</memory>",
			    name, d.name, unit ? unit : "KiB", mem);
		goto fail;
	}
	d.hugepages = xpath_exists(xp, "/domain/memoryBacking/hugepages");
	psize = xpath_string(xp, "/domain/memoryBacking/hugepages/page/@size");
	punit = xpath_string(xp, "/domain/memoryBacking/hugepages/page/@unit");
	nodeset = xpath_string(xp, "/domain/memoryBacking/hugepages/page/@nodeset");
	if (psize && vp_libvirt_scaled_kib(psize, punit, &d.page_kib) < 0) {
		r = vp_fail(ret_msg, -EINVAL, "'%s': domain '%s': bad <page size='%s' unit='%s'>",
			    name, d.name, psize, punit ? punit : "KiB");
		goto fail;
	}
	r = xpath_strings(xp, "/domain/devices/disk[@type='block']/source/@dev", &d.block_disks);
	if (r >= 0)
		r = pci_hostdevs(xp, name, d.name, &d.pci_hostdevs, ret_msg);
	if (r < 0)
		goto fail;
	if (nodeset) {
		long n;

		/* a single node is what we can reserve on; a set means "any" */
		if (vp_parse_int(nodeset, 0, 1023, &n) == 0)
			d.node = (int)n;
	}
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(pctx);
	*ret = d;
	return 0;
fail:
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(pctx);
	vp_domain_free(&d);
	return r;
}

void vp_domain_free(struct vp_domain *d)
{
	free(d->name);
	d->name = NULL;
	vp_strv_free(&d->block_disks);
	vp_strv_free(&d->pci_hostdevs);
}

unsigned long vp_domain_pages_1g(const struct vp_domain *d)
{
	return (unsigned long)((d->memory_kib + 1048575ULL) / 1048576ULL);
}
