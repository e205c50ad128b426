// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plan of a runtime handoff, pure: which steps a detach takes in which
 * order, and what would break if it went ahead. See handoff.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "number.h"

#define VFIO_PCI "vfio-pci"

void vp_hstate_free(struct vp_hstate *st)
{
	for (size_t i = 0; i < st->n_fns; i++) {
		struct vp_hfn *f = &st->fns[i];

		free(f->devpath);
		free(f->driver);
		free(f->module);
		free(f->override);
		vp_strv_free(&f->nodes);
		vp_strv_free(&f->fbs);
	}
	for (size_t i = 0; i < st->n_vtcons; i++) {
		free(st->vtcons[i].name);
		free(st->vtcons[i].desc);
	}
	for (size_t i = 0; i < st->n_fwfbs; i++) {
		free(st->fwfbs[i].device);
		free(st->fwfbs[i].driver);
		free(st->fwfbs[i].addr);
		free(st->fwfbs[i].range);
	}
	for (size_t i = 0; i < st->n_users; i++) {
		free(st->users[i].comm);
		free(st->users[i].node);
		free(st->users[i].addr);
	}
	for (size_t i = 0; i < st->n_mods; i++) {
		free(st->mods[i].name);
		vp_strv_free(&st->mods[i].holders);
		vp_strv_free(&st->mods[i].devices);
	}
	free(st->fns);
	free(st->vtcons);
	free(st->fwfbs);
	free(st->users);
	free(st->mods);
	free(st->fbcon_map);
	memset(st, 0, sizeof(*st));
	st->fb_first = -1;
}

const struct vp_hfn *vp_hstate_fn(const struct vp_hstate *st, const char *addr)
{
	for (size_t i = 0; i < st->n_fns; i++)
		if (strcmp(st->fns[i].addr, addr) == 0)
			return &st->fns[i];
	return NULL;
}

const struct vp_hmod *vp_hstate_mod(const struct vp_hstate *st, const char *name)
{
	for (size_t i = 0; i < st->n_mods; i++)
		if (strcmp(st->mods[i].name, name) == 0)
			return &st->mods[i];
	return NULL;
}

static const struct vp_hvtcon *fb_vtcon(const struct vp_hstate *st)
{
	for (size_t i = 0; i < st->n_vtcons; i++)
		if (st->vtcons[i].bound && st->vtcons[i].desc &&
		    strstr(st->vtcons[i].desc, "frame buffer"))
			return &st->vtcons[i];
	return NULL;
}

/*
 * fbcon draws while its vtcon ("(M) frame buffer device") is bound, and
 * maps every console to the first framebuffer registered unless fbcon=map:
 * names others (fbcon.c). The map can be changed later (con2fbmap), which
 * sysfs does not show: this is the rule as the kernel starts out.
 */
bool vp_hstate_console_on(const struct vp_hstate *st, const char *fb)
{
	long n;

	if (!fb_vtcon(st) || strncmp(fb, "fb", 2) != 0 || vp_parse_int(fb + 2, 0, LONG_MAX, &n) < 0)
		return false;
	if (st->fbcon_map)
		return n <= 9 && strchr(st->fbcon_map, (int)('0' + n));
	return n == st->fb_first;
}

static bool is_vfio(const char *driver)
{
	return vp_streq(driver, VFIO_PCI);
}

static bool selected(const struct vp_hstate *st, const char *addr)
{
	return vp_hstate_fn(st, addr) != NULL;
}

/* Every device it drives is ours, and so are those of every module holding it. */
static bool may_unload(const struct vp_hstate *st, const char *name, int depth)
{
	const struct vp_hmod *m = vp_hstate_mod(st, name);

	if (!m || depth > 16)
		return false;
	for (size_t i = 0; i < m->devices.n; i++)
		if (!selected(st, m->devices.v[i]))
			return false;
	for (size_t i = 0; i < m->holders.n; i++)
		if (!may_unload(st, m->holders.v[i], depth + 1))
			return false;
	return true;
}

/* The holders first (depth first), then the module itself. */
static int add_unload(const struct vp_hstate *st, const char *name, struct vp_strv *out,
		      int depth)
{
	const struct vp_hmod *m = vp_hstate_mod(st, name);
	int r;

	if (!m || depth > 16 || vp_strv_contains(out, name))
		return 0;
	for (size_t i = 0; i < m->holders.n; i++) {
		r = add_unload(st, m->holders.v[i], out, depth + 1);
		if (r < 0)
			return r;
	}
	return vp_strv_contains(out, name) ? 0 : vp_strv_push(out, name);
}

static int unload_list(const struct vp_config *cfg, const struct vp_hstate *st,
		       struct vp_strv *out)
{
	int r = 0;

	if (!cfg->unload_auto) {
		/* the user's order; only what is loaded */
		for (size_t i = 0; i < cfg->unload.n && r >= 0; i++)
			if (vp_hstate_mod(st, cfg->unload.v[i]))
				r = vp_strv_push_unique(out, cfg->unload.v[i]);
		return r;
	}
	for (size_t i = 0; i < st->n_fns && r >= 0; i++) {
		const struct vp_hfn *f = &st->fns[i];

		if (f->module && !is_vfio(f->driver) && may_unload(st, f->module, 0))
			r = add_unload(st, f->module, out, 0);
	}
	return r;
}

static int new_steps(const struct vp_config *cfg, const struct vp_hstate *st,
		     const struct vp_hsteps *rec, struct vp_hsteps *out)
{
	struct vp_strv mods = {0};
	int r = 0;

	if (cfg->single_gpu) {
		bool on_card = st->n_fwfbs > 0;

		if (!cfg->handoff_stop_set)
			r = vp_hsteps_add(out, VP_HSTEP_UNIT, VP_HANDOFF_STOP_DEFAULT, NULL, NULL);
		for (size_t i = 0; i < cfg->handoff_stop.n && r >= 0; i++)
			r = vp_hsteps_add(out, VP_HSTEP_UNIT, cfg->handoff_stop.v[i], NULL, NULL);
		for (size_t i = 0; i < st->n_fns; i++)
			on_card |= st->fns[i].fbs.n > 0;
		/* the card is the host's display: every framebuffer console is on it */
		for (size_t i = 0; i < st->n_vtcons && r >= 0 && on_card; i++)
			if (st->vtcons[i].bound && st->vtcons[i].desc &&
			    strstr(st->vtcons[i].desc, "frame buffer"))
				r = vp_hsteps_add(out, VP_HSTEP_VTCON, st->vtcons[i].name, NULL, NULL);
		for (size_t i = 0; i < st->n_fwfbs && r >= 0; i++)
			r = vp_hsteps_add(out, VP_HSTEP_FWFB, st->fwfbs[i].driver,
					  st->fwfbs[i].device, NULL);
		if (r >= 0)
			r = unload_list(cfg, st, &mods);
		for (size_t i = 0; i < mods.n && r >= 0; i++)
			r = vp_hsteps_add(out, VP_HSTEP_UNLOAD, mods.v[i], NULL, NULL);
	}
	for (size_t i = 0; i < st->n_fns && r >= 0; i++) {
		const struct vp_hfn *f = &st->fns[i];
		const struct vp_hstep *was = rec ? vp_hsteps_find(rec, VP_HSTEP_MOVE, f->addr) : NULL;

		if (is_vfio(f->driver))
			continue;
		/* an interrupted detach knows the driver it found */
		r = was ? vp_hsteps_add(out, VP_HSTEP_MOVE, f->addr, was->b, was->c) :
			  vp_hsteps_add(out, VP_HSTEP_MOVE, f->addr, f->driver, f->module);
	}
	vp_strv_free(&mods);
	return r;
}

int vp_handoff_plan(const struct vp_config *cfg, const struct vp_hstate *st,
		    const struct vp_hsteps *rec, struct vp_hsteps *ret)
{
	struct vp_hsteps fresh = {0}, all = {0};
	int r;

	memset(ret, 0, sizeof(*ret));
	r = new_steps(cfg, st, rec, &fresh);
	for (size_t i = 0; rec && i < rec->n && r >= 0; i++)
		r = vp_hsteps_add(&all, rec->v[i].kind, rec->v[i].a, rec->v[i].b, rec->v[i].c);
	for (size_t i = 0; i < fresh.n && r >= 0; i++)
		if (!vp_hsteps_find(&all, fresh.v[i].kind, fresh.v[i].a))
			r = vp_hsteps_add(&all, fresh.v[i].kind, fresh.v[i].a, fresh.v[i].b,
					  fresh.v[i].c);
	vp_hsteps_free(&fresh);
	if (r < 0) {
		vp_hsteps_free(&all);
		return r;
	}
	/* a stable insertion sort by kind: units first, moves last */
	for (size_t i = 1; i < all.n; i++)
		for (size_t j = i; j > 0 && all.v[j - 1].kind > all.v[j].kind; j--) {
			struct vp_hstep t = all.v[j];

			all.v[j] = all.v[j - 1];
			all.v[j - 1] = t;
		}
	*ret = all;
	return 0;
}

static char *joined(const struct vp_strv *v)
{
	struct vp_buf b = {0};

	for (size_t i = 0; i < v->n; i++)
		vp_buf_printf(&b, "%s%s", i ? ", " : "", v->v[i]);
	return b.err ? (vp_buf_free(&b), NULL) : vp_buf_steal(&b);
}

static int users(const struct vp_hstate *st, struct vp_strv *out)
{
	int r = 0;

	for (size_t i = 0; i < st->n_users && r >= 0; i++)
		r = vp_strv_pushf(out, true, "process %ld (%s) has %s of %s open",
				  st->users[i].pid, st->users[i].comm ? st->users[i].comm : "?",
				  st->users[i].node, st->users[i].addr);
	for (size_t i = 0; i < st->n_fns && r >= 0; i++)
		for (size_t k = 0; k < st->fns[i].fbs.n && r >= 0; k++)
			if (vp_hstate_console_on(st, st->fns[i].fbs.v[k]))
				r = vp_strv_pushf(out, true,
						  "the framebuffer console (%s, %s) draws on %s of %s",
						  fb_vtcon(st)->name, fb_vtcon(st)->desc,
						  st->fns[i].fbs.v[k], st->fns[i].addr);
	for (size_t i = 0; i < st->n_fwfbs && r >= 0; i++)
		r = vp_strv_pushf(out, true,
				  "the firmware framebuffer %s (driver %s) is in the memory of %s (%s)",
				  st->fwfbs[i].device, st->fwfbs[i].driver, st->fwfbs[i].addr,
				  st->fwfbs[i].range);
	return r;
}

int vp_handoff_blockers(const struct vp_config *cfg, const struct vp_hstate *st,
			const struct vp_hsteps *plan, enum vp_hcheck when, struct vp_strv *ret)
{
	int r = 0;

	if (when == VP_HCHECK_MOVE || !cfg->single_gpu)
		r = users(st, ret);
	/* a driver's module held by others that stay: unbinding under them can hang */
	for (size_t i = 0; i < st->n_fns && r >= 0; i++) {
		const struct vp_hfn *f = &st->fns[i];
		const struct vp_hmod *m = f->module ? vp_hstate_mod(st, f->module) : NULL;
		_cleanup_free_ char *h = NULL;

		if (!m || !m->holders.n || is_vfio(f->driver) ||
		    vp_hsteps_find(plan, VP_HSTEP_UNLOAD, m->name))
			continue;
		h = joined(&m->holders);
		r = h ? vp_strv_pushf(ret, true, "module %s (driver %s of %s) is held by %s: "
				      "unbinding %s while they are loaded can hang the machine",
				      m->name, f->driver, f->addr, h, f->addr) : -ENOMEM;
	}
	/* a module to unload that something besides its holders still uses */
	for (size_t i = 0; plan && i < plan->n && r >= 0 && when == VP_HCHECK_MOVE; i++) {
		const struct vp_hmod *m = plan->v[i].kind == VP_HSTEP_UNLOAD ?
					  vp_hstate_mod(st, plan->v[i].a) : NULL;

		if (m && m->refcnt > (long)m->holders.n)
			r = vp_strv_pushf(ret, true, "module %s is in use (refcount %ld, %zu of it "
					  "from modules unloaded before it): something still has its "
					  "devices open", m->name, m->refcnt, m->holders.n);
	}
	return r;
}
