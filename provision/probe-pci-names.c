// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Vendor, device and class names from pci.ids, through libpci, for the
 * commands that print them (detect). libpci loads the whole list, about
 * 40,000 entries, into a hash before its first answer: that was most of
 * detect's CPU time. It gets instead the part of the root's pci.ids that
 * can answer: the lines of the vendors and devices present and the class
 * list, in a private file; the parsing and the names stay libpci's.
 *
 * libpci reports fatal errors through a callback that must not return (the
 * default one calls exit()): ours records the message and longjmp()s back.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "probe-internal.h"
#include "probe.h"
#include "root-view.h"
#include "vpe.h"

/* libpci's callbacks carry no user pointer; the probe is single-threaded. */
static jmp_buf pci_jmp;
static char pci_errmsg[512];

static _Noreturn void pci_error_cb(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_errmsg, sizeof(pci_errmsg), msg, ap);
	va_end(ap);
	longjmp(pci_jmp, 1);
}

static void pci_quiet_cb(char *msg, ...)
{
	/* warnings (e.g. an unreadable config file) are not fatal for us */
	(void)msg;
}

static const char *const ids_paths[] = {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"};

/*
 * The root's pci.ids (Debian, then Fedora/Arch location), else the host's:
 * a root without one (a captured tree) gets names from the host's file, on
 * purpose (only device names come from it). ret->s NULL when there is none:
 * names are then shown numerically, like lspci does. Mapped, not read:
 * only the vendor lines present and the class list are kept (cut_ids).
 */
static int map_ids(const struct vp_root *root, struct vp_map *ret, char **ret_msg)
{
	for (size_t i = 0; i < ARRAY_SIZE(ids_paths); i++) {
		int r = vp_root_map(root, ids_paths[i], VP_MAX_DATA, ret, ret_msg);

		if (r != -ENOENT)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ids_paths); i++) {
		struct vp_root host;
		int r;

		if (access(ids_paths[i], R_OK) < 0 || vp_root_open(&host, "/") < 0)
			continue;
		r = vp_root_map(&host, ids_paths[i], VP_MAX_DATA, ret, ret_msg);
		vp_root_close(&host);
		if (r != -ENOENT)
			return r;
	}
	*ret = (struct vp_map){0};
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The hex id of 4 digits that s starts with, followed by two spaces; or -1. */
static long id_of(const char *s, const char *end)
{
	const char *e;
	unsigned v;

	if (end - s < 6 || s[4] != ' ' || s[5] != ' ' || vpe_parse_hex(s, 4, 4, &v, &e) < 0)
		return -1;
	return (long)v;
}

static bool wanted(const uint32_t *ids, size_t n, uint32_t key)
{
	return bsearch(&key, ids, n, sizeof(key), cmp_u32) != NULL;
}

/* The start of the line after the one p is in (end when it is the last). */
static const char *next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

/* The start of the line p is in. */
static const char *line_start(const char *ids, const char *p)
{
	while (p > ids && p[-1] != '\n')
		p--;
	return p;
}

/* The first vendor line ("VVVV  name" at the margin) that starts in [p, end), or end. */
static const char *vendor_line_from(const char *ids, const char *p, const char *end)
{
	if (p > ids && p[-1] != '\n')
		p = next_line(p, end);
	for (; p < end; p = next_line(p, end))
		if (id_of(p, end) >= 0)
			return p;
	return end;
}

/*
 * Where the vendors end and the class list ("C 03  Display controller"
 * and the lines under it) begins: pci.ids keeps it last, so it is found
 * from the end, line by line back to the last vendor; a file laid out
 * otherwise is searched whole. len when there is no class list.
 */
static const char *class_list(const char *ids, size_t len)
{
	const char *end = ids + len, *p = end, *first = NULL, *hit;

	while (p > ids) {
		const char *l = line_start(ids, p - 1);

		if (l[0] == 'C' && l + 1 < end && l[1] == ' ')
			first = l;
		else if (l[0] != '\t' && l[0] != '#' && l[0] != '\n' && l[0] != '\r')
			break;
		p = l;
	}
	if (first)
		return first;
	if (len >= 2 && ids[0] == 'C' && ids[1] == ' ')
		return ids;
	hit = memmem(ids, len, "\nC ", 3);
	return hit ? hit + 1 : end;
}

/* The line that starts with needle's text (needle[0] is '\n') in [p, end), or NULL. */
static const char *find_text(const char *ids, const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	const char *hit;

	if (p == ids && (size_t)(end - p) >= n - 1 && memcmp(p, needle + 1, n - 1) == 0)
		return p;
	if (p > ids)
		p--;
	hit = memmem(p, (size_t)(end - p), needle, n);
	return hit ? hit + 1 : NULL;
}

/* The line of vendor v in [p, end), read line by line (ids in any case), or NULL. */
static const char *scan_vendor(const char *ids, const char *p, const char *end, unsigned v)
{
	for (p = vendor_line_from(ids, p, end); p < end; p = vendor_line_from(ids, next_line(p, end), end))
		if (id_of(p, end) == (long)v)
			return p;
	return NULL;
}

/*
 * The line of vendor v, or NULL. The vendors are [ids, end) and pci.ids
 * keeps them sorted: the range is bisected while each probe finds a
 * vendor line close by, and what is left is searched for the line's text
 * (pci.ids writes ids in lower case), then read line by line. A file out
 * of order is read whole (to len) when that misses.
 */
static const char *find_vendor(const char *ids, const char *end, size_t len, unsigned v)
{
	const char *lo = ids, *hi = end, *hit;
	char needle[8];

	while (hi - lo > 8192) {
		const char *mid = lo + (hi - lo) / 2;
		const char *lim = mid + 1024 < hi ? mid + 1024 : hi;
		const char *p = vendor_line_from(ids, mid, lim);
		long id;

		if (p == lim)
			break;          /* inside a long block */
		id = id_of(p, end);
		if (id == (long)v)
			return p;
		if (id < (long)v)
			lo = p;
		else
			hi = p;
	}
	snprintf(needle, sizeof(needle), "\n%04x  ", v);
	hit = find_text(ids, lo, hi, needle);
	if (!hit)
		hit = scan_vendor(ids, lo, hi, v);
	return hit ? hit : scan_vendor(ids, ids, ids + len, v);
}

/*
 * The lines of the block that starts at line p, up to end: the vendor's
 * line and those of the devices wanted under it, or the class list whole
 * (its "C" lines and everything under them). Subsystem lines and comments
 * go: we never ask for them.
 */
static int cut_block(const char *p, const char *end, const uint32_t *want, size_t n,
		     struct vp_buf *out)
{
	const char *start = p;
	bool class = p[0] == 'C' && p + 1 < end && p[1] == ' ';
	long vendor = class ? -1 : id_of(p, end);
	int r = 0;

	while (r >= 0 && p < end) {
		const char *next = next_line(p, end);
		bool keep = false;

		if (*p == '#' || *p == '\n' || *p == '\r') {
			keep = false;
		} else if (*p != '\t') {
			if (p != start && !(class && p[0] == 'C' && p + 1 < end && p[1] == ' '))
				break;
			keep = true;
		} else if (class) {
			keep = true;
		} else if (p + 1 < end && p[1] != '\t') {
			long dev = id_of(p + 1, next);

			keep = dev >= 0 && wanted(want, n, (uint32_t)vendor << 16 | (uint32_t)dev);
		}
		if (keep)
			r = vp_buf_add(out, p, (size_t)(next - p));
		p = next;
	}
	return r;
}

/*
 * The lines of pci.ids that can name these functions: the line of each
 * vendor present (VENDOR << 16 | 0xffff in want, sorted), the line of
 * each device present under it (VENDOR << 16 | DEVICE), and the class
 * list whole. The file is a megabyte and a machine has a handful of
 * vendors: their lines are searched for, and only their blocks read.
 */
static int cut_ids(const char *ids, size_t len, const uint32_t *want, size_t n,
		   struct vp_buf *out)
{
	const char *classes = class_list(ids, len), *hit;
	int r = vp_buf_puts(out, "");

	for (size_t i = 0; r >= 0 && i < n; i++) {
		if ((want[i] & 0xffff) != 0xffff || (i && want[i] == want[i - 1]))
			continue;
		hit = find_vendor(ids, classes, len, want[i] >> 16);
		if (hit)
			r = cut_block(hit, hit < classes ? classes : ids + len, want, n, out);
	}
	if (r >= 0 && classes < ids + len)
		r = cut_block(classes, ids + len, want, n, out);
	return r;
}

/* The part of pci.ids for sys's functions, written to pci.ids in view v. */
static int write_ids(const char *ids, size_t len, const struct vp_system *sys, struct vp_view *v,
		     char **ret, char **ret_msg)
{
	_cleanup_free_ uint32_t *want = calloc(2 * sys->n_fns + 1, sizeof(*want));
	struct vp_buf out = {0};
	size_t n = 0;
	int r;

	if (!want)
		return -ENOMEM;
	for (size_t i = 0; i < sys->n_fns; i++) {
		want[n++] = (uint32_t)sys->fns[i].vendor << 16 | 0xffff;
		want[n++] = (uint32_t)sys->fns[i].vendor << 16 | sys->fns[i].device;
	}
	qsort(want, n, sizeof(*want), cmp_u32);
	r = cut_ids(ids, len, want, n, &out);
	if (r >= 0)
		r = vp_view_write(v, "pci.ids", out.s, out.len, ret_msg);
	if (r >= 0 && !(*ret = vp_strdup_printf("%s/pci.ids", v->dir)))
		r = -ENOMEM;
	vp_buf_free(&out);
	return r;
}

static char *lookup(struct pci_access *acc, int flags, ...)
{
	char buf[256], *s;
	va_list ap;

	/* pci_lookup_name() is variadic without a va_list variant */
	va_start(ap, flags);
	if (flags & PCI_LOOKUP_DEVICE) {
		int v = va_arg(ap, int), dv = va_arg(ap, int);

		s = pci_lookup_name(acc, buf, sizeof(buf), flags | PCI_LOOKUP_NO_NUMBERS, v, dv);
	} else {
		int v = va_arg(ap, int);

		s = pci_lookup_name(acc, buf, sizeof(buf), flags | PCI_LOOKUP_NO_NUMBERS, v);
	}
	va_end(ap);
	return s ? strdup(s) : NULL;
}

static int cmp_by_ids(const void *a, const void *b, void *data)
{
	const struct vp_pci_fn *fns = data, *x = &fns[*(const size_t *)a], *y = &fns[*(const size_t *)b];

	if (x->vendor != y->vendor)
		return x->vendor < y->vendor ? -1 : 1;
	if (x->device != y->device)
		return x->device < y->device ? -1 : 1;
	return (VP_PCI_CLASS(x->class) > VP_PCI_CLASS(y->class)) -
	       (VP_PCI_CLASS(x->class) < VP_PCI_CLASS(y->class));
}

/* A name looked up for the function before (same ids), or NULL: copied, each frees its own. */
static char *again(const char *name, bool *fail)
{
	char *s = name ? strdup(name) : NULL;

	if (name && !s)
		*fail = true;
	return s;
}

/*
 * Each function's names, each looked up once for all the functions with
 * the same ids (a machine of 1,000 functions has a few dozen models).
 * Functions named already are left as they are. idx has room for an index
 * a function (allocated by the caller: libpci's errors longjmp() past us).
 */
static int name_all(struct pci_access *acc, struct vp_system *sys, size_t *idx)
{
	const struct vp_pci_fn *prev = NULL;
	bool fail = false;
	size_t n = 0;

	for (size_t i = 0; i < sys->n_fns; i++) {
		const struct vp_pci_fn *fn = &sys->fns[i];

		if (!fn->vendor_name && !fn->device_name && !fn->class_name)
			idx[n++] = i;
	}
	qsort_r(idx, n, sizeof(*idx), cmp_by_ids, sys->fns);
	for (size_t k = 0; k < n; k++) {
		struct vp_pci_fn *fn = &sys->fns[idx[k]];
		bool same_vendor = prev && prev->vendor == fn->vendor;
		bool same_device = same_vendor && prev->device == fn->device;

		fn->vendor_name = same_vendor ? again(prev->vendor_name, &fail)
					      : lookup(acc, PCI_LOOKUP_VENDOR, fn->vendor);
		fn->device_name = same_device ? again(prev->device_name, &fail)
					      : lookup(acc, PCI_LOOKUP_DEVICE, fn->vendor, fn->device);
		fn->class_name = same_device && VP_PCI_CLASS(prev->class) == VP_PCI_CLASS(fn->class)
					 ? again(prev->class_name, &fail)
					 : lookup(acc, PCI_LOOKUP_CLASS, VP_PCI_CLASS(fn->class));
		prev = fn;
	}
	return fail ? -ENOMEM : 0;
}

int vp_probe_pci_names(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	struct pci_access *volatile acc = NULL;
	char *volatile path = NULL;
	size_t *volatile idx = NULL;
	struct vp_map ids = {0};
	struct vp_view view = {0};
	char *p = NULL;
	int r;

	r = map_ids(root, &ids, ret_msg);
	if (r < 0 || !ids.s || !sys->n_fns)
		goto out;       /* no ids: names stay NULL, shown numerically like lspci does */
	r = vp_view_new_private(&view, ret_msg);
	if (r >= 0)
		r = write_ids(ids.s, ids.len, sys, &view, &p, ret_msg);
	path = p;
	if (r < 0)
		goto out;
	acc = pci_alloc();
	idx = calloc(sys->n_fns, sizeof(*idx));
	if (!acc || !idx) {
		r = -ENOMEM;
		goto out;
	}
	acc->error = pci_error_cb;
	acc->warning = pci_quiet_cb;
	acc->debug = pci_quiet_cb;
	if (setjmp(pci_jmp)) {
		r = vp_fail(ret_msg, -EIO, "libpci: %s", vp_strstrip(pci_errmsg));
		goto out;
	}
	/* udev's hwdb describes this machine, not the root's */
	pci_set_param(acc, "hwdb.disable", "1");
	/* no cache of network lookups (~/.pciids-cache, found through getpwuid()) */
	pci_set_param(acc, "net.cache_name", "");
	pci_set_name_list_path(acc, path, 0);
	r = name_all(acc, sys, idx);
out:
	if (acc)
		pci_cleanup(acc);
	vp_root_unmap(&ids);
	vp_view_free(&view);
	free(idx);
	free(path);
	return r;
}
