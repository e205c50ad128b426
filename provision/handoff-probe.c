// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The runtime state a handoff needs, read from the root (sysfs and procfs,
 * through root.h's resolver), never written: see struct vp_hstate.
 *
 * Modules: on the running system (root "/") libkmod reads each module's
 * state, reference count and holders from /sys/module. libkmod always
 * reads this machine's /sys/module, whatever root it was given (the reason
 * probe-kernels.c never asks it for the init state), so under another root
 * the same three files are read from that root.
 */
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dir-iter.h"
#include "handoff.h"
#include "kmod-root.h"
#include "number.h"
#include "pci-addr.h"
#include "root.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The last component of a link's target ("../../bus/pci/drivers/nouveau" -> "nouveau"). */
static char *link_name(const struct vp_root *root, const char *path)
{
	_cleanup_free_ char *t = NULL;

	if (vp_root_readlink(root, path, &t) < 0)
		return NULL;
	return strdup(base_name(t));
}

static bool starts(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

static bool digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static bool want_any(const char *n) { return n[0] != '.'; }
static bool want_drm(const char *n) { return starts(n, "card") || starts(n, "renderD"); }
static bool want_card(const char *n) { return starts(n, "card"); }
static bool want_fb(const char *n) { return starts(n, "fb") && digits(n + 2); }
static bool want_vtcon(const char *n) { return starts(n, "vtcon"); }
static bool want_pid(const char *n) { return digits(n); }
static bool want_pci(const char *n) { unsigned a, b, c, d; return vp_parse_pci_addr(n, &a, &b, &c, &d); }
static bool want_pci_driver(const char *n) { return starts(n, "pci:"); }

static bool want_snd(const char *n)
{
	return starts(n, "controlC") || starts(n, "pcmC") || starts(n, "hwC") ||
	       starts(n, "midiC");
}

/* Each entry's name, prefixed ("/dev/dri/" + "card0"), onto out. */
static int push_names(const struct vp_strv *paths, const char *prefix, struct vp_strv *out)
{
	int r = 0;

	for (size_t i = 0; i < paths->n && r >= 0; i++)
		r = vp_strv_push_take(out, vp_strdup_printf("%s%s", prefix, base_name(paths->v[i])));
	return r;
}

/* The proprietary driver's node: /proc/driver/nvidia/gpus/ADDR/information. */
static int nvidia_node(const struct vp_root *root, struct vp_hfn *f)
{
	_cleanup_free_ char *path = vp_strdup_printf("/proc/driver/nvidia/gpus/%s/information",
						     f->addr);
	_cleanup_free_ char *text = NULL;
	unsigned long long minor;
	const char *p;

	if (!path)
		return -ENOMEM;
	if (vp_root_read(root, path, &text, NULL) < 0)
		return 0;
	p = strstr(text, "Device Minor:");
	if (!p)
		return 0;
	p += strlen("Device Minor:");
	p += strspn(p, " \t");
	if (vp_parse_field(&p, 10, UINT_MAX, &minor) < 0 || (*p && !strchr(" \t\n", *p)))
		return 0;
	return vp_strv_push_take(&f->nodes, vp_strdup_printf("/dev/nvidia%llu", minor));
}

static int probe_nodes(const struct vp_root *root, const char *base, struct vp_hfn *f,
		       char **ret_msg)
{
	_cleanup_free_ char *drm = vp_strdup_printf("%s/drm", base);
	_cleanup_free_ char *snd = vp_strdup_printf("%s/sound", base);
	_cleanup_free_ char *gfx = vp_strdup_printf("%s/graphics", base);
	struct vp_strv l = {0}, cards = {0};
	int r;

	if (!drm || !snd || !gfx)
		return -ENOMEM;
	r = vp_root_list(root, drm, want_drm, &l, ret_msg);
	if (r >= 0)
		r = push_names(&l, "/dev/dri/", &f->nodes);
	vp_strv_free(&l);
	if (r >= 0)
		r = vp_root_list(root, snd, want_card, &cards, ret_msg);
	for (size_t i = 0; i < cards.n && r >= 0; i++) {
		r = vp_root_list(root, cards.v[i], want_snd, &l, ret_msg);
		if (r >= 0)
			r = push_names(&l, "/dev/snd/", &f->nodes);
		vp_strv_free(&l);
	}
	vp_strv_free(&cards);
	if (r >= 0)
		r = vp_root_list(root, gfx, want_fb, &l, ret_msg);
	if (r >= 0)
		r = push_names(&l, "/dev/", &f->nodes);
	if (r >= 0)
		r = push_names(&l, "", &f->fbs);
	vp_strv_free(&l);
	if (r >= 0)
		r = nvidia_node(root, f);
	return r;
}

static int probe_fn(const struct vp_root *root, const char *addr, struct vp_hfn *f,
		    char **ret_msg)
{
	_cleanup_free_ char *base = vp_strdup_printf("/sys/bus/pci/devices/%s", addr);
	_cleanup_free_ char *canon = NULL, *p = NULL, *cls = NULL, *group = NULL;
	unsigned long c;
	long n;
	int r;

	snprintf(f->addr, sizeof(f->addr), "%s", addr);
	f->group = -1;
	if (!base)
		return -ENOMEM;
	f->present = vp_root_exists(root, base);
	if (!f->present)
		return 0;
	r = vp_root_resolve(root, base, &canon, ret_msg);
	if (r < 0)
		return r;
	/* uevents name a device by its path under /sys */
	f->devpath = strdup(vp_startswith(canon, "/sys/") ? canon + 4 : canon);
	if (!f->devpath)
		return -ENOMEM;
	p = vp_strdup_printf("%s/driver", base);
	f->driver = p ? link_name(root, p) : NULL;
	free(p);
	if (f->driver) {
		p = vp_strdup_printf("/sys/bus/pci/drivers/%s/module", f->driver);
		f->module = p ? link_name(root, p) : NULL;
		free(p);
	}
	p = vp_strdup_printf("%s/driver_override", base);
	if (p && vp_root_read_line(root, p, &f->override) == 0 &&
	    (!*f->override || strcmp(f->override, "(null)") == 0)) {
		free(f->override);
		f->override = NULL;
	}
	free(p);
	p = vp_strdup_printf("%s/iommu_group", base);
	group = p ? link_name(root, p) : NULL;
	if (group && vp_parse_int(group, 0, INT_MAX, &n) == 0)
		f->group = (int)n;
	free(p);
	p = vp_strdup_printf("%s/class", base);
	if (p && vp_root_read_line(root, p, &cls) == 0)
		f->display = vp_parse_uint(cls, 0, 0xffffff, &c) == 0 && (c >> 16) == 0x03;
	/* a guest's QEMU holds the group's vfio node while it runs */
	if (vp_streq(f->driver, "vfio-pci") && f->group >= 0 &&
	    vp_strv_push_take(&f->nodes, vp_strdup_printf("/dev/vfio/%d", f->group)) < 0)
		return -ENOMEM;
	return probe_nodes(root, base, f, ret_msg);
}

static int probe_vtcons(const struct vp_root *root, struct vp_hstate *st, char **ret_msg)
{
	struct vp_strv l = {0};
	int r;

	r = vp_root_list(root, "/sys/class/vtconsole", want_vtcon, &l, ret_msg);
	if (r >= 0 && l.n) {
		st->vtcons = calloc(l.n, sizeof(*st->vtcons));
		r = st->vtcons ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < l.n && r >= 0; i++) {
		struct vp_hvtcon *v = &st->vtcons[st->n_vtcons++];
		_cleanup_free_ char *np = vp_strdup_printf("%s/name", l.v[i]);
		_cleanup_free_ char *bp = vp_strdup_printf("%s/bind", l.v[i]);
		_cleanup_free_ char *bind = NULL;

		v->name = strdup(base_name(l.v[i]));
		if (!np || !bp || !v->name) {
			r = -ENOMEM;
			break;
		}
		if (vp_root_read_line(root, np, &v->desc) < 0)
			v->desc = NULL;
		v->bound = vp_root_read_line(root, bp, &bind) == 0 && strcmp(bind, "1") == 0;
	}
	vp_strv_free(&l);
	if (r < 0)
		return r;
	r = vp_root_list(root, "/sys/class/graphics", want_fb, &l, ret_msg);
	for (size_t i = 0; i < l.n; i++) {
		long n;

		/* want_fb took "fb" and digits */
		if (vp_parse_int(base_name(l.v[i]) + 2, 0, INT_MAX, &n) == 0 &&
		    (st->fb_first < 0 || n < st->fb_first))
			st->fb_first = (int)n;
	}
	vp_strv_free(&l);
	return r;
}

/* The digits of the last fbcon=...map:DIGITS on the command line. */
static int probe_fbcon_map(const struct vp_root *root, struct vp_hstate *st)
{
	_cleanup_free_ char *cmdline = NULL;
	char *save = NULL;

	if (vp_root_read_line(root, "/proc/cmdline", &cmdline) < 0)
		return 0;
	for (char *t = strtok_r(cmdline, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		char *m;

		if (!starts(t, "fbcon="))
			continue;
		m = strstr(t, "map:");
		if (m && (m == t + 6 || m[-1] == ',')) {
			m += 4;
			free(st->fbcon_map);
			st->fbcon_map = strndup(m, strspn(m, "0123456789"));
			if (!st->fbcon_map)
				return -ENOMEM;
		}
	}
	return 0;
}

struct range {
	unsigned long long start, end;
};

/* A hex field of the kernel's, with or without its 0x; *p moved past it. */
static int hex(const char **p, unsigned long long *ret)
{
	if ((*p)[0] == '0' && (*p)[1] == 'x')
		*p += 2;
	return vp_parse_field(p, 16, ULLONG_MAX, ret);
}

/* The memory BARs of a function, from its sysfs resource file. */
static int fn_bars(const struct vp_root *root, const char *addr, struct range *bars, int max)
{
	_cleanup_free_ char *path = vp_strdup_printf("/sys/bus/pci/devices/%s/resource", addr);
	_cleanup_free_ char *text = NULL;
	int n = 0;

	if (!path || vp_root_read(root, path, &text, NULL) < 0)
		return 0;
	for (const char *p = text; *p && n < max; ) {
		unsigned long long s, e, flags;

		/* "0x<start> 0x<end> 0x<flags>"; IORESOURCE_MEM */
		if (hex(&p, &s) == 0 && *p++ == ' ' && hex(&p, &e) == 0 && *p++ == ' ' &&
		    hex(&p, &flags) == 0 && (!*p || *p == '\n') && (flags & 0x200) && e > s)
			bars[n++] = (struct range){s, e};
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return n;
}

/*
 * A firmware framebuffer (efifb, simpledrm, vesafb: the boot screen the
 * firmware set up) lives in the memory of the GPU that showed it. Its
 * region in /proc/iomem lies in one of the function's BARs; the platform
 * device the firmware framebuffer driver is bound to is named after it.
 */
static int probe_fwfbs(const struct vp_root *root, struct vp_hstate *st)
{
	static const char *const names[] = {"BOOTFB", "efifb", "vesafb", "simplefb",
					    "simpledrm", "simple-framebuffer"};
	static const char *const devices[] = {"efi-framebuffer.0", "simple-framebuffer.0",
					      "vesa-framebuffer.0"};
	_cleanup_free_ char *iomem = NULL, *on = NULL, *range = NULL;

	if (vp_root_read(root, "/proc/iomem", &iomem, NULL) < 0)
		return 0;
	for (char *line = iomem; line && *line && !on;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line + strspn(line, " ");
		unsigned long long s, e;
		size_t nl;

		/* "  <start>-<end> : <name>", indented by depth */
		if (hex(&p, &s) < 0 || *p++ != '-' || hex(&p, &e) < 0 || !vp_startswith(p, " : "))
			continue;
		p += 3;
		nl = strcspn(p, "\n");
		while (nl && (p[nl - 1] == ' ' || p[nl - 1] == '\t' || p[nl - 1] == '\r'))
			nl--;
		for (size_t k = 0; k < ARRAY_SIZE(names) && !on; k++) {
			if (strlen(names[k]) != nl || memcmp(p, names[k], nl) != 0)
				continue;
			for (size_t i = 0; i < st->n_fns && !on; i++) {
				struct range bars[8];
				int n = fn_bars(root, st->fns[i].addr, bars, 8);

				for (int b = 0; b < n && !on; b++)
					if (s <= bars[b].end && e >= bars[b].start) {
						on = strdup(st->fns[i].addr);
						range = vp_strdup_printf("%llx-%llx", s, e);
						if (!on || !range)
							return -ENOMEM;
					}
			}
		}
	}
	if (!on)
		return 0;
	for (size_t k = 0; k < ARRAY_SIZE(devices); k++) {
		_cleanup_free_ char *p = vp_strdup_printf("/sys/bus/platform/devices/%s/driver",
							  devices[k]);
		_cleanup_free_ char *drv = p ? link_name(root, p) : NULL;
		struct vp_hfwfb *v;

		if (!p)
			return -ENOMEM;
		if (!drv)
			continue;
		v = realloc(st->fwfbs, (st->n_fwfbs + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		st->fwfbs = v;
		v = &st->fwfbs[st->n_fwfbs++];
		*v = (struct vp_hfwfb){.device = strdup(devices[k]), .driver = drv,
				       .addr = strdup(on), .range = strdup(range)};
		drv = NULL;
		if (!v->device || !v->addr || !v->range)
			return -ENOMEM;
	}
	return 0;
}

/* Processes with one of the functions' device nodes open (their fd links). */
static int probe_users(const struct vp_root *root, struct vp_hstate *st, char **ret_msg)
{
	struct vp_strv pids = {0};
	long self = root->dir[0] ? -1 : (long)getpid();
	int r;

	r = vp_root_list(root, "/proc", want_pid, &pids, ret_msg);
	for (size_t i = 0; i < pids.n && r >= 0; i++) {
		_cleanup_free_ char *fddir = vp_strdup_printf("%s/fd", pids.v[i]);
		struct vp_strv fds = {0};
		long pid = 0;

		if (!fddir)
			r = -ENOMEM;
		/* want_pid took digits; one that does not fit is no process */
		if (r >= 0 && vp_parse_int(base_name(pids.v[i]), 1, LONG_MAX, &pid) < 0)
			continue;
		if (r < 0 || pid == self)
			continue;
		/* a process that ended meanwhile, or one we may not look into */
		if (vp_root_list(root, fddir, want_any, &fds, NULL) < 0)
			continue;
		for (size_t k = 0; k < fds.n && r >= 0; k++) {
			_cleanup_free_ char *t = NULL;

			if (vp_root_readlink(root, fds.v[k], &t) < 0)
				continue;
			for (size_t f = 0; f < st->n_fns && r >= 0; f++) {
				struct vp_huser *u;
				_cleanup_free_ char *commp = NULL;

				if (!vp_strv_contains(&st->fns[f].nodes, t))
					continue;
				u = realloc(st->users, (st->n_users + 1) * sizeof(*u));
				if (!u) {
					r = -ENOMEM;
					break;
				}
				st->users = u;
				u = &st->users[st->n_users++];
				*u = (struct vp_huser){.pid = pid, .node = strdup(t),
						       .addr = strdup(st->fns[f].addr)};
				commp = vp_strdup_printf("%s/comm", pids.v[i]);
				if (!commp || !u->node || !u->addr)
					r = -ENOMEM;
				else if (vp_root_read_line(root, commp, &u->comm) < 0)
					u->comm = NULL;
			}
		}
		vp_strv_free(&fds);
	}
	vp_strv_free(&pids);
	return r;
}

/* Whether a module is loaded, its reference count and its holders. */
static int mod_usage(const struct vp_root *root, struct kmod_ctx *kctx, struct vp_hmod *m,
		     bool *ret_loaded)
{
	_cleanup_free_ char *dir = vp_strdup_printf("/sys/module/%s", m->name);
	_cleanup_free_ char *p = NULL, *refcnt = NULL;
	struct vp_strv l = {0};
	int r = 0;

	*ret_loaded = false;
	if (!dir)
		return -ENOMEM;
	if (kctx) {
		struct kmod_module *mod = NULL;
		struct kmod_list *holders, *it;

		if (kmod_module_new_from_name(kctx, m->name, &mod) < 0)
			return -ENOMEM;
		/* built in: nothing to unload, nobody holds it */
		*ret_loaded = kmod_module_get_initstate(mod) == KMOD_MODULE_LIVE;
		if (*ret_loaded) {
			m->refcnt = kmod_module_get_refcnt(mod);
			holders = kmod_module_get_holders(mod);
			kmod_list_foreach(it, holders) {
				struct kmod_module *h = kmod_module_get_module(it);

				if (r >= 0)
					r = vp_strv_push(&m->holders, kmod_module_get_name(h));
				kmod_module_unref(h);
			}
			kmod_module_unref_list(holders);
		}
		kmod_module_unref(mod);
		if (!*ret_loaded || r < 0)
			return r;
	} else {
		p = vp_strdup_printf("%s/initstate", dir);
		if (!p)
			return -ENOMEM;
		*ret_loaded = vp_root_exists(root, p);
		if (!*ret_loaded)
			return 0;
		free(p);
		p = vp_strdup_printf("%s/refcnt", dir);
		if (!p || vp_root_read_line(root, p, &refcnt) < 0 ||
		    vp_parse_int(refcnt, 0, LONG_MAX, &m->refcnt) < 0)
			m->refcnt = -1;
		free(p);
		p = vp_strdup_printf("%s/holders", dir);
		if (!p)
			return -ENOMEM;
		r = vp_root_list(root, p, want_any, &l, NULL);
		if (r >= 0)
			r = push_names(&l, "", &m->holders);
		vp_strv_free(&l);
		if (r < 0)
			return r;
	}
	/* the PCI devices bound to its drivers: /sys/module/M/drivers/pci:NAME */
	free(p);
	p = vp_strdup_printf("%s/drivers", dir);
	if (!p)
		return -ENOMEM;
	r = vp_root_list(root, p, want_pci_driver, &l, NULL);
	for (size_t i = 0; i < l.n && r >= 0; i++) {
		_cleanup_free_ char *d = vp_strdup_printf("/sys/bus/pci/drivers/%s",
							  base_name(l.v[i]) + 4);
		struct vp_strv devs = {0};

		r = d ? vp_root_list(root, d, want_pci, &devs, NULL) : -ENOMEM;
		if (r >= 0)
			r = push_names(&devs, "", &m->devices);
		vp_strv_free(&devs);
	}
	vp_strv_free(&l);
	return r;
}

static int probe_mods(const struct vp_root *root, const struct vp_strv *extra,
		      struct vp_hstate *st, char **ret_msg)
{
	struct vp_strv todo = {0};
	struct kmod_ctx *kctx = NULL;
	int r = 0;

	for (size_t i = 0; i < st->n_fns && r >= 0; i++)
		if (st->fns[i].module)
			r = vp_strv_push_unique(&todo, st->fns[i].module);
	for (size_t i = 0; extra && i < extra->n && r >= 0; i++)
		r = vp_strv_push_unique(&todo, extra->v[i]);
	if (r >= 0 && todo.n && !root->dir[0])
		r = vp_kmod_new(root, NULL, &kctx, ret_msg);
	/* todo grows with the holders found: every module that holds one of ours */
	for (size_t i = 0; i < todo.n && r >= 0 && i < 256; i++) {
		struct vp_hmod m = {.name = strdup(todo.v[i]), .refcnt = -1};
		bool loaded;

		r = m.name ? mod_usage(root, kctx, &m, &loaded) : -ENOMEM;
		for (size_t k = 0; k < m.holders.n && r >= 0; k++)
			r = vp_strv_push_unique(&todo, m.holders.v[k]);
		if (r >= 0 && loaded) {
			struct vp_hmod *v = realloc(st->mods, (st->n_mods + 1) * sizeof(*v));

			if (v) {
				st->mods = v;
				st->mods[st->n_mods++] = m;
				continue;
			}
			r = -ENOMEM;
		}
		free(m.name);
		vp_strv_free(&m.holders);
		vp_strv_free(&m.devices);
	}
	if (kctx)
		kmod_unref(kctx);
	vp_strv_free(&todo);
	return r;
}

int vp_hstate_probe(const struct vp_root *root, const struct vp_strv *addrs,
		    const struct vp_strv *mods, struct vp_hstate *ret, char **ret_msg)
{
	struct vp_hstate st = {.fb_first = -1};
	int r = 0;

	st.fns = calloc(addrs->n + 1, sizeof(*st.fns));
	if (!st.fns)
		return -ENOMEM;
	for (size_t i = 0; i < addrs->n && r >= 0; i++) {
		st.n_fns++;
		r = probe_fn(root, addrs->v[i], &st.fns[i], ret_msg);
	}
	if (r >= 0)
		r = probe_vtcons(root, &st, ret_msg);
	if (r >= 0)
		r = probe_fbcon_map(root, &st);
	if (r >= 0)
		r = probe_fwfbs(root, &st);
	if (r >= 0)
		r = probe_users(root, &st, ret_msg);
	if (r >= 0)
		r = probe_mods(root, mods, &st, ret_msg);
	st.vfio_pci = vp_root_exists(root, "/sys/bus/pci/drivers/vfio-pci");
	if (r < 0) {
		vp_hstate_free(&st);
		return r;
	}
	*ret = st;
	return 0;
}
