// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PCI functions from the root's /sys/bus/pci/devices. Each device link is
 * resolved once (the resolver keeps the directories it walks, see
 * root-cache.h) and the device's directory opened; its attributes are then
 * read relative to that descriptor, a handful of opens a function and no
 * walk from the root. What sysfs gives needs no library: the numbers are
 * the kernel's own, parsed strictly here, the ids and class from the
 * modalias (one file for four), the rest one per file. Names from pci.ids
 * come later, through libpci, only for those who print them
 * (probe-pci-names.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dir-iter.h"
#include "probe-internal.h"
#include "pci-addr.h"
#include "probe.h"
#include "vpe.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

/* A device's directory (a descriptor to look up from), and its path inside the root for messages. */
struct devdir {
	int fd;
	const char *path;
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

/* Attribute name of d (NULL in *ret when absent). */
static int attr(const struct vp_root *root, const struct devdir *d, const char *name,
		char **ret, char **ret_msg)
{
	int r = vp_root_read_at(root, d->fd, d->path, name, VP_MAX_ATTR, ret, NULL, ret_msg);

	if (r == -ENOENT) {
		*ret = NULL;
		return 0;
	}
	if (r == -EISDIR)
		return vp_fail(ret_msg, r, "'%s/%s': a directory where an attribute belongs",
			       d->path, name);
	return r;
}

/*
 * A hex attribute ("0x10de\n") no bigger than max; *ret untouched when
 * absent and !required.
 */
static int attr_hex(const struct vp_root *root, const struct devdir *d, const char *name,
		    bool required, unsigned long max, unsigned long *ret, char **ret_msg)
{
	_cleanup_free_ char *s = NULL;
	unsigned long long v;
	int r;

	r = attr(root, d, name, &s, ret_msg);
	if (r < 0)
		return r;
	if (!s)
		return required ? vp_fail(ret_msg, -ENOENT, "'%s/%s': missing", d->path, name) : 0;
	if (!vp_startswith(s, "0x") || !vp_parse_ull(s + 2, 16, &v) || v > max)
		return vp_fail(ret_msg, -EINVAL, "'%s/%s': not a hex value: '%.40s'", d->path,
			       name, vp_strstrip(s));
	*ret = (unsigned long)v;
	return 0;
}

/* Modalias "pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdSSSSSSSSbcCCscSSiII", each field its width exactly. */
static bool parse_modalias(const char *s, unsigned *v, unsigned *d, unsigned *sv,
			   unsigned *sd, unsigned *cls)
{
	static const struct {
		const char *tag;
		size_t digits;
	} fields[] = {{"pci:v", 8}, {"d", 8}, {"sv", 8}, {"sd", 8}, {"bc", 2}, {"sc", 2}, {"i", 2}};
	unsigned val[ARRAY_SIZE(fields)];
	const char *p = s;

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		size_t n = strlen(fields[i].tag);

		if (strncmp(p, fields[i].tag, n) != 0 ||
		    vpe_parse_hex(p + n, fields[i].digits, fields[i].digits, &val[i], &p) < 0)
			return false;
	}
	if (*p != '\0' && !(p[0] == '\n' && p[1] == '\0'))
		return false;
	*v = val[0];
	*d = val[1];
	*sv = val[2];
	*sd = val[3];
	*cls = val[4] << 16 | val[5] << 8 | val[6];
	return true;
}

/*
 * The ids and class. The modalias carries them all, as the kernel has them
 * (after its quirks) and as module matching reads them: vfio-pci's ids,
 * the softdeps' aliases. Where there is one, the vendor, device and class
 * files, which the kernel fills from the same fields, are not read: three
 * opens a function that could only repeat it. Without one (a captured or
 * hand-made tree) the files are read, and what cannot be a real device is
 * refused.
 */
static int read_ids(const struct vp_root *root, const struct devdir *d, struct vp_pci_fn *fn,
		    char **ret_msg)
{
	_cleanup_free_ char *s = NULL;
	unsigned long vendor, device, cls, rev = 0, sv = 0, sd = 0;
	unsigned mv, md, msv, msd, mcls;
	int r;

	if ((r = attr(root, d, "modalias", &s, ret_msg)) < 0)
		return r;
	if (s) {
		if (!parse_modalias(s, &mv, &md, &msv, &msd, &mcls))
			return vp_fail(ret_msg, -EINVAL, "'%s/modalias': not a PCI modalias: '%.60s'",
				       d->path, vp_strstrip(s));
		vendor = mv;
		device = md;
		cls = mcls;
		sv = msv;
		sd = msd;
		s[strcspn(s, "\n")] = '\0';
		fn->modalias = s;
		s = NULL;
	} else {
		if ((r = attr_hex(root, d, "vendor", true, 0xffff, &vendor, ret_msg)) < 0 ||
		    (r = attr_hex(root, d, "device", true, 0xffff, &device, ret_msg)) < 0 ||
		    (r = attr_hex(root, d, "class", true, 0xffffff, &cls, ret_msg)) < 0)
			return r;
		if (vendor == 0 || vendor == 0xffff)
			return vp_fail(ret_msg, -EINVAL, "'%s/vendor': 0x%lx is not a vendor id",
				       d->path, vendor);
		if ((r = attr_hex(root, d, "subsystem_vendor", false, 0xffff, &sv, ret_msg)) < 0 ||
		    (r = attr_hex(root, d, "subsystem_device", false, 0xffff, &sd, ret_msg)) < 0)
			return r;
	}
	r = attr_hex(root, d, "revision", false, 0xff, &rev, ret_msg);
	if (r < 0)
		return r;
	fn->vendor = (uint16_t)vendor;
	fn->device = (uint16_t)device;
	fn->class = (uint32_t)cls;
	fn->revision = (uint8_t)rev;
	fn->subvendor = (uint16_t)sv;
	fn->subdevice = (uint16_t)sd;
	return 0;
}

/* A decimal attribute; *ret untouched when absent. */
static int attr_long(const struct vp_root *root, const struct devdir *d, const char *name,
		     long *ret, char **ret_msg)
{
	_cleanup_free_ char *s = NULL;
	int r;

	r = attr(root, d, name, &s, ret_msg);
	if (r < 0 || !s)
		return r;
	if (!vp_parse_long(s, 10, ret))
		return vp_fail(ret_msg, -EINVAL, "'%s/%s': not a number: '%.40s'", d->path, name,
			       vp_strstrip(s));
	return 0;
}

/*
 * The last component of link name of d (NULL in *ret when there is none),
 * and the target for a message. Read, not followed: the group is the
 * link's last component, and a dangling one is named by vp_probe_iommu().
 */
static int link_base(const struct devdir *d, const char *name, char **ret, char *target,
		     size_t size, char **ret_msg)
{
	const char *base;
	ssize_t n;

	*ret = NULL;
	n = readlinkat(d->fd, name, target, size - 1);
	if (n < 0 && errno == ENOENT)
		return 0;
	if (n < 0)
		return vp_fail(ret_msg, -errno, "'%s/%s': %s", d->path, name, strerror(errno));
	target[n] = '\0';
	base = strrchr(target, '/');
	*ret = strdup(base ? base + 1 : target);
	return *ret ? 0 : -ENOMEM;
}

static int read_links(const struct devdir *d, bool driver, struct vp_pci_fn *fn, char **ret_msg)
{
	_cleanup_free_ char *group = NULL;
	char target[4096];
	long v;
	int r;

	fn->iommu_group = -1;
	r = link_base(d, "iommu_group", &group, target, sizeof(target), ret_msg);
	if (r < 0)
		return r;
	if (group) {
		if (!vp_parse_long(group, 10, &v) || v < 0 || v > 0x7fffffff)
			return vp_fail(ret_msg, -EINVAL, "'%s/iommu_group': bad group link '%s'",
				       d->path, target);
		fn->iommu_group = (int)v;
	}
	if (!driver)
		return 0;
	r = link_base(d, "driver", &fn->driver, target, sizeof(target), ret_msg);
	if (r < 0)
		return r;
	if (fn->driver && !*fn->driver)
		return vp_fail(ret_msg, -EINVAL, "'%s/driver': bad driver link '%s'", d->path,
			       target);
	return 0;
}

static int read_fn(const struct vp_root *root, const struct devdir *d, bool gpu_details_only,
		   struct vp_pci_fn *fn, char **ret_msg)
{
	bool details;
	long v;
	int r;

	r = read_ids(root, d, fn, ret_msg);
	if (r < 0)
		return r;
	details = !gpu_details_only || vp_fn_is_display(fn);
	v = -1;
	r = details ? attr_long(root, d, "numa_node", &v, ret_msg) : 0;
	if (r < 0)
		return r;
	fn->numa_node = v < 0 ? -1 : (int)v;
	fn->boot_vga = -1;
	if (VP_PCI_CLASS(fn->class) >> 8 == 0x03) {
		/* the kernel creates boot_vga for VGA-class devices only */
		v = -1;
		r = attr_long(root, d, "boot_vga", &v, ret_msg);
		if (r < 0)
			return r;
		if (v != -1 && v != 0 && v != 1)
			return vp_fail(ret_msg, -EINVAL, "'%s/boot_vga': expected 0 or 1, not %ld",
				       d->path, v);
		fn->boot_vga = (int)v;
	}
	return read_links(d, details, fn, ret_msg);
}

/* Entry name of the devices directory: its link resolved, its directory read. */
static int probe_entry(const struct vp_root *root, const char *name, bool gpu_details_only,
		       struct vp_pci_fn *fn, char **ret_msg)
{
	_cleanup_free_ char *path = NULL, *msg = NULL;
	struct devdir d;
	unsigned dom, bus, dev, func;
	bool kept;
	int r;

	path = vp_strdup_printf("%s/%s", PCI_DEVICES, name);
	if (!path)
		return -ENOMEM;
	if (!vp_parse_pci_addr(name, &dom, &bus, &dev, &func))
		return vp_fail(ret_msg, -EINVAL, "'%s': not a PCI address", path);
	d.path = path;
	/* the resolver keeps the directory it walked to: read from that one */
	d.fd = vp_root_dir_fd(root, path, &kept, &msg);
	if (d.fd < 0)
		return vp_probe_device_dir_error(path, d.fd, msg, ret_msg);
	fn->domain = dom;
	fn->bus = bus;
	fn->dev = dev;
	fn->func = func;
	vp_pci_addr_format(fn->addr, dom, bus, dev, func);
	r = read_fn(root, &d, gpu_details_only, fn, ret_msg);
	if (!kept)
		close(d.fd);
	return r;
}

struct walk {
	const struct vp_root *root;
	struct vp_system *sys;
	bool gpu_details_only;
	size_t cap;
	char **ret_msg;
};

static int add_entry(int dfd, const char *name, void *userdata)
{
	struct walk *w = userdata;
	struct vp_system *sys = w->sys;

	(void)dfd;
	if (name[0] == '.')
		return 0;
	if (sys->n_fns == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct vp_pci_fn *f = realloc(sys->fns, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		sys->fns = f;
		w->cap = cap;
	}
	sys->fns[sys->n_fns] = (struct vp_pci_fn){0};
	/* counted first: a half-read function is freed with the rest */
	return probe_entry(w->root, name, w->gpu_details_only, &sys->fns[sys->n_fns++], w->ret_msg);
}

int vp_probe_pci(const struct vp_root *root, struct vp_system *sys, bool gpu_details_only,
		 char **ret_msg)
{
	struct walk w = {.root = root, .sys = sys, .gpu_details_only = gpu_details_only,
			 .ret_msg = ret_msg};
	int r;

	r = vp_dir_each(root, PCI_DEVICES, add_entry, &w, ret_msg);
	if (r == -ENOENT)
		return vp_fail(ret_msg, r, "'%s': %s", PCI_DEVICES, strerror(-r));
	if (r < 0)
		return r;
	/* by number: "0000:00:1f.0" sorts after "0000:00:10.0" as text, and so do domains */
	if (sys->n_fns > 1)
		qsort(sys->fns, sys->n_fns, sizeof(*sys->fns), cmp_fn);
	return vp_probe_iommu(root, sys, ret_msg);
}
