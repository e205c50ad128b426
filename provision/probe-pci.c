// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PCI functions through libpci's sysfs backend, pointed at the root's
 * /sys/bus/pci. libpci reports fatal errors through a callback that must
 * not return (the default one calls exit()): ours records the message and
 * longjmp()s back here, and every device libpci allocated is still linked
 * into the access struct, so pci_cleanup() frees it.
 *
 * Before handing the tree to libpci we walk the devices directory once
 * ourselves: libpci aborts (and leaks its directory handle) on an entry it
 * cannot parse, and a dangling link deserves a message naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "probe-internal.h"
#include "probe.h"
#include "root-view.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define NO_VENDOR 0x10000UL   /* check_attr: "want" when there is no modalias */

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

struct pci_state {
	struct pci_access *acc;
	struct vp_view view;    /* libpci's copy of the root's devices (root-view.h) */
	char *sysfs;            /* what libpci gets as sysfs.path */
	size_t n_expected;
};

/*
 * The attributes libpci (3.9) reads from a device directory for the fields
 * we ask for, and those it falls back to (config when an attribute is
 * missing): copied into the view. Never resourceN or rom: reading them
 * reads the device.
 */
static const char *const pci_attrs[] = {
	"vendor", "device", "class", "revision", "subsystem_vendor", "subsystem_device",
	"numa_node", "irq", "resource", "label", "config", NULL,
};

static int cmp_fn(const void *a, const void *b)
{
	const struct vp_pci_fn *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (x->func > y->func) - (x->func < y->func);
}

/* Device dir of the root into the view: devices/NAME/ with libpci's attributes. */
static int view_device(const struct vp_root *root, const struct vp_view *v, const char *name,
		       char **ret_msg)
{
	_cleanup_free_ char *dir = vp_strdup_printf("devices/%s", name);
	int r;

	if (!dir)
		return -ENOMEM;
	r = vp_view_mkdir(v, dir);
	for (size_t i = 0; r >= 0 && pci_attrs[i]; i++) {
		_cleanup_free_ char *path = vp_strdup_printf(PCI_DEVICES "/%s/%s", name, pci_attrs[i]),
				    *to = vp_strdup_printf("%s/%s", dir, pci_attrs[i]);

		r = path && to ? vp_view_copy(root, v, path, to, VP_MAX_ATTR, ret_msg) : -ENOMEM;
		if (r == -ENOENT)
			r = 0;
		else if (r == -EISDIR)
			r = vp_fail(ret_msg, r, "'%s': a directory where an attribute belongs", path);
	}
	return r;
}

/*
 * Counts the entries of /sys/bus/pci/devices, checks each one resolves,
 * and copies what libpci reads of it into the view.
 */
static int precheck_devices(const struct vp_root *root, const struct vp_view *v, size_t *ret_n,
			    char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	DIR *d = NULL;
	struct dirent *de;
	size_t n = 0;
	int r;

	r = vp_root_opendir(root, PCI_DEVICES, &d, &msg);
	if (r < 0)
		return msg ? vp_fail(ret_msg, r, "%s", msg)
			   : vp_fail(ret_msg, r, "'%s': %s", PCI_DEVICES, strerror(-r));
	while ((de = readdir(d))) {
		unsigned dom, bus, dev, fn;
		_cleanup_free_ char *p = NULL;

		if (de->d_name[0] == '.')
			continue;
		if (!vp_parse_pci_addr(de->d_name, &dom, &bus, &dev, &fn)) {
			r = vp_fail(ret_msg, -EINVAL, "'%s/%s': not a PCI address",
				    PCI_DEVICES, de->d_name);
			goto fail;
		}
		p = vp_strdup_printf("%s/%s", PCI_DEVICES, de->d_name);
		if (!p) {
			r = -ENOMEM;
			goto fail;
		}
		r = vp_probe_device_dir(root, p, ret_msg);
		if (r >= 0)
			r = view_device(root, v, de->d_name, ret_msg);
		if (r < 0)
			goto fail;
		n++;
	}
	closedir(d);
	*ret_n = n;
	return 0;
fail:
	closedir(d);
	return r;
}

/*
 * The root's pci.ids (Debian, then Fedora/Arch location) for libpci, which
 * opens it by name: a copy in the view v (the root "/": its own path), else
 * the host's.
 */
static int find_ids(const struct vp_root *root, const struct vp_view *v, char **ret,
		    char **ret_msg)
{
	static const char *const paths[] = {"/usr/share/misc/pci.ids",
					     "/usr/share/hwdata/pci.ids"};

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		_cleanup_free_ char *msg = NULL;
		struct stat st;
		int r;

		if (!v->dir) {
			/* O_NONBLOCK: the open of a named pipe would wait for a writer */
			r = vp_root_open_path(root, paths[i], O_RDONLY | O_NONBLOCK, &msg);
			if (r >= 0) {
				if (fstat(r, &st) < 0 || !S_ISREG(st.st_mode)) {
					close(r);
					return vp_fail(ret_msg, -EISDIR, "'%s': not a regular file",
						       paths[i]);
				}
				close(r);
				r = 0;
			}
		} else {
			r = vp_view_copy(root, v, paths[i], "pci.ids", VP_MAX_DATA, &msg);
		}
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return msg ? vp_fail(ret_msg, r, "%s", msg)
				   : vp_fail(ret_msg, r, "'%s': %s", paths[i], strerror(-r));
		*ret = vp_view_path(root, v, paths[i], "pci.ids");
		return *ret ? 0 : -ENOMEM;
	}
	/*
	 * A root without pci.ids (a captured tree): names from the host's own
	 * file, on purpose a host path (only device names come from it).
	 */
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (access(paths[i], R_OK) == 0) {
			*ret = strdup(paths[i]);
			return *ret ? 0 : -ENOMEM;
		}
	*ret = NULL;    /* names are shown numerically, like lspci does */
	return 0;
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

/* Modalias "pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdSSSSSSSSbcCCscSSiII". */
static bool parse_modalias(const char *s, unsigned *v, unsigned *d, unsigned *sv,
			   unsigned *sd, unsigned *cls)
{
	unsigned bc, sc, pi;
	int n = 0;

	if (sscanf(s, "pci:v%8Xd%8Xsv%8Xsd%8Xbc%2Xsc%2Xi%2X%n", v, d, sv, sd, &bc, &sc, &pi,
		   &n) != 7 || n != 53)
		return false;
	if (s[n] != '\0' && !(s[n] == '\n' && s[n + 1] == '\0'))
		return false;
	*cls = bc << 16 | sc << 8 | pi;
	return true;
}

/*
 * libpci parses attribute files with strtol() and takes garbage as 0. The
 * kernel derives modalias from the same values, so a disagreement means
 * one of the files is bad: find it and name it.
 */
static int check_attr(const struct vp_root *root, const char *dir, const char *attr,
		      unsigned long want, unsigned long have, char **ret_msg)
{
	_cleanup_free_ char *p = NULL, *s = NULL;
	unsigned long long v;
	int r;

	if (want == have)
		return 0;
	p = vp_strdup_printf("%s/%s", dir, attr);
	if (!p)
		return -ENOMEM;
	r = vp_probe_attr(root, p, &s, ret_msg);
	if (r < 0)
		return r;
	if (!s)
		return vp_fail(ret_msg, -ENOENT, "'%s': missing", p);
	if (!vp_startswith(s, "0x") || !vp_parse_ull(s + 2, 16, &v))
		return vp_fail(ret_msg, -EINVAL, "'%s': not a hex value: '%.40s'", p,
			       vp_strstrip(s));
	if (want == NO_VENDOR)
		return vp_fail(ret_msg, -EINVAL, "'%s': 0x%lx is not a vendor id", p, have);
	return vp_fail(ret_msg, -EINVAL, "'%s': 0x%lx disagrees with modalias (0x%lx)", p,
		       have, want);
}

static int read_own_attrs(const struct vp_root *root, struct vp_pci_fn *fn,
			  char **ret_msg)
{
	_cleanup_free_ char *dir = NULL, *p = NULL, *s = NULL;
	unsigned v, d, sv, sd, cls;
	long bv;
	int r;

	dir = vp_strdup_printf("%s/%s", PCI_DEVICES, fn->addr);
	p = vp_strdup_printf("%s/modalias", dir);
	if (!dir || !p)
		return -ENOMEM;
	r = vp_probe_attr(root, p, &s, ret_msg);
	if (r < 0)
		return r;
	if (s) {
		if (!parse_modalias(s, &v, &d, &sv, &sd, &cls))
			return vp_fail(ret_msg, -EINVAL, "'%s': not a PCI modalias: '%.60s'", p,
				       vp_strstrip(s));
		if ((r = check_attr(root, dir, "vendor", v, fn->vendor, ret_msg)) < 0 ||
		    (r = check_attr(root, dir, "device", d, fn->device, ret_msg)) < 0 ||
		    (r = check_attr(root, dir, "class", cls, fn->class, ret_msg)) < 0)
			return r;
		if (fn->subvendor == 0 && fn->subdevice == 0) {
			/* libpci found no subsystem ids (e.g. a bridge): take the alias's */
			fn->subvendor = (uint16_t)sv;
			fn->subdevice = (uint16_t)sd;
		}
		s[strcspn(s, "\n")] = '\0';
		fn->modalias = s;
		s = NULL;
	} else if (fn->vendor == 0 || fn->vendor == 0xffff) {
		/* no modalias to compare with: reject what cannot be a real device */
		return check_attr(root, dir, "vendor", NO_VENDOR, fn->vendor, ret_msg);
	}

	fn->boot_vga = -1;
	if (VP_PCI_CLASS(fn->class) >> 8 == 0x03) {
		/* the kernel creates boot_vga for VGA-class devices only */
		free(p);
		p = vp_strdup_printf("%s/boot_vga", dir);
		if (!p)
			return -ENOMEM;
		bv = -1;
		r = vp_probe_attr_long(root, p, &bv, ret_msg);
		if (r < 0)
			return r;
		if (bv != -1 && bv != 0 && bv != 1)
			return vp_fail(ret_msg, -EINVAL, "'%s': expected 0 or 1, not %ld", p, bv);
		fn->boot_vga = (int)bv;
	}
	return 0;
}

static int parse_group(const char *s, int *ret)
{
	long v;

	if (!s) {
		*ret = -1;
		return 0;
	}
	if (!vp_parse_long(s, 10, &v) || v < 0 || v > 0x7fffffff)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

/*
 * The group is the last component of the iommu_group link. We read the link
 * ourselves instead of asking libpci (PCI_FILL_IOMMU_GROUP): libpci
 * resolves it with realpath(), a readlink() for every component of the
 * path (about 15 calls a device), and drops a dangling link that
 * vp_probe_iommu() should name.
 */
/*
 * The last component of the link ATTR of fn (NULL in *ret when there is
 * none), and the path and target for a message about it.
 */
static int link_base(const struct vp_root *root, const struct vp_pci_fn *fn, const char *attr,
		     char **ret, char **ret_path, char **ret_target, char **ret_msg)
{
	const char *base;
	int r;

	*ret = NULL;
	*ret_path = vp_strdup_printf("%s/%s/%s", PCI_DEVICES, fn->addr, attr);
	if (!*ret_path)
		return -ENOMEM;
	r = vp_root_readlink(root, *ret_path, ret_target);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", *ret_path, strerror(-r));
	base = strrchr(*ret_target, '/');
	*ret = strdup(base ? base + 1 : *ret_target);
	return *ret ? 0 : -ENOMEM;
}

static int group_link(const struct vp_root *root, struct vp_pci_fn *fn, char **ret_msg)
{
	_cleanup_free_ char *p = NULL, *target = NULL, *base = NULL;
	int r;

	fn->iommu_group = -1;
	r = link_base(root, fn, "iommu_group", &base, &p, &target, ret_msg);
	if (r < 0 || !base)
		return r;
	if (parse_group(base, &fn->iommu_group) < 0)
		return vp_fail(ret_msg, -EINVAL, "'%s': bad group link '%s'", p, target);
	return 0;
}

/* The bound driver: the last component of the driver link, like libpci's. */
static int driver_link(const struct vp_root *root, struct vp_pci_fn *fn, char **ret_msg)
{
	_cleanup_free_ char *p = NULL, *target = NULL, *base = NULL;
	int r;

	r = link_base(root, fn, "driver", &base, &p, &target, ret_msg);
	if (r < 0 || !base)
		return r;
	if (!*base)
		return vp_fail(ret_msg, -EINVAL, "'%s': bad driver link '%s'", p, target);
	fn->driver = base;
	base = NULL;
	return 0;
}

static int fill_fns(struct pci_state *st, const struct vp_root *root,
		    struct vp_system *sys, char **ret_msg)
{
	const int flags = PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
			  PCI_FILL_SUBSYS | PCI_FILL_NUMA_NODE;
	struct pci_dev *dev;
	size_t n = 0;

	for (dev = st->acc->devices; dev; dev = dev->next) {
		struct vp_pci_fn *fn;
		int r;

		if (n == st->n_expected)
			return vp_fail(ret_msg, -EAGAIN, "'%s': changed while reading",
				       PCI_DEVICES);
		fn = &sys->fns[n++];
		sys->n_fns = n;
		pci_fill_info(dev, flags);
		fn->domain = (unsigned)dev->domain;
		fn->bus = dev->bus;
		fn->dev = dev->dev;
		fn->func = dev->func;
		snprintf(fn->addr, sizeof(fn->addr), "%04x:%02x:%02x.%x", fn->domain, fn->bus,
			 fn->dev, fn->func);
		fn->vendor = dev->vendor_id;
		fn->device = dev->device_id;
		fn->class = (uint32_t)dev->device_class << 8 | dev->prog_if;
		fn->revision = dev->rev_id;
		fn->subvendor = dev->subsys_vendor_id;
		fn->subdevice = dev->subsys_id;
		fn->numa_node = dev->numa_node < 0 ? -1 : dev->numa_node;
		r = group_link(root, fn, ret_msg);
		if (r < 0)
			return r;
		r = driver_link(root, fn, ret_msg);
		if (r < 0)
			return r;
	}
	return 0;
}

int vp_probe_pci(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	struct pci_state state = {0}, *st = &state;
	int r;

	r = vp_view_new(root, &st->view, ret_msg);
	if (r >= 0)
		r = vp_view_mkdir(&st->view, "devices");
	if (r >= 0)
		r = precheck_devices(root, &st->view, &st->n_expected, ret_msg);
	if (r < 0)
		goto out;
	/* libpci's sysfs method reads it by name: the view, or the root "/"'s own */
	if (st->view.dir)
		st->sysfs = strdup(st->view.dir);
	else
		r = vp_root_host_path(root, "/sys/bus/pci", &st->sysfs, ret_msg);
	if (r < 0 || !st->sysfs) {
		r = r < 0 ? r : -ENOMEM;
		goto out;
	}
	sys->fns = calloc(st->n_expected ? st->n_expected : 1, sizeof(*sys->fns));
	if (!sys->fns) {
		r = -ENOMEM;
		goto out;
	}
	sys->n_fns = 0;

	st->acc = pci_alloc();
	if (!st->acc) {
		r = -ENOMEM;
		goto out;
	}
	st->acc->error = pci_error_cb;
	st->acc->warning = pci_quiet_cb;
	st->acc->debug = pci_quiet_cb;
	/* everything below may longjmp back here; state lives in *st only */
	if (setjmp(pci_jmp)) {
		char *m = pci_errmsg;
		size_t rl = strlen(st->sysfs);
		char *colon;

		/* libpci names its paths ("Cannot open PATH: ERROR"): show the one inside the root */
		if (strncmp(m, "Cannot open ", 12) == 0 && strncmp(m + 12, st->sysfs, rl) == 0 &&
		    (colon = strstr(m + 12, ": "))) {
			*colon = '\0';
			r = vp_fail(ret_msg, -EIO, "'/sys/bus/pci%s': cannot open: %s", m + 12 + rl,
				    colon + 2);
		} else {
			r = vp_fail(ret_msg, -EIO, "libpci: %s", m);
		}
		goto out;
	}
	st->acc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(st->acc, "sysfs.path", st->sysfs);
	/* udev's hwdb describes this machine, not the root's */
	pci_set_param(st->acc, "hwdb.disable", "1");
	/* names are looked up later, only by those who print them */
	st->acc->numeric_ids = 1;
	pci_init(st->acc);
	pci_scan_bus(st->acc);
	r = fill_fns(st, root, sys, ret_msg);
	if (r < 0)
		goto out;
	if (sys->n_fns > 1)
		qsort(sys->fns, sys->n_fns, sizeof(*sys->fns), cmp_fn);
	for (size_t i = 0; i < sys->n_fns; i++) {
		r = read_own_attrs(root, &sys->fns[i], ret_msg);
		if (r < 0)
			goto out;
	}
	r = vp_probe_iommu(root, sys, ret_msg);
out:
	if (st->acc)
		pci_cleanup(st->acc);
	vp_view_free(&st->view);
	free(st->sysfs);
	return r;
}

/*
 * Loading pci.ids is most of the CPU time of a check that prints no name,
 * so names come separately: a fresh libpci handle with only the name list.
 */
int vp_probe_pci_names(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	struct pci_access *volatile acc = NULL;
	char *volatile ids = NULL;
	struct vp_view view;
	char *path = NULL;
	int r;

	r = vp_view_new(root, &view, ret_msg);
	if (r < 0)
		return r;
	r = find_ids(root, &view, &path, ret_msg);
	ids = path;
	if (r < 0 || !ids)
		goto out;       /* no ids: names stay NULL, shown numerically like lspci does */
	acc = pci_alloc();
	if (!acc) {
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
	pci_set_name_list_path(acc, ids, 0);
	for (size_t i = 0; i < sys->n_fns; i++) {
		struct vp_pci_fn *fn = &sys->fns[i];

		if (fn->vendor_name || fn->device_name || fn->class_name)
			continue;       /* already named */
		fn->vendor_name = lookup(acc, PCI_LOOKUP_VENDOR, fn->vendor);
		fn->device_name = lookup(acc, PCI_LOOKUP_DEVICE, fn->vendor, fn->device);
		fn->class_name = lookup(acc, PCI_LOOKUP_CLASS, VP_PCI_CLASS(fn->class));
	}
	r = 0;
out:
	if (acc)
		pci_cleanup(acc);
	vp_view_free(&view);
	free(ids);
	return r;
}
