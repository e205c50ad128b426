// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOMMU groups from /sys/kernel/iommu_groups/N/devices/ADDR. The IOMMU is
 * "on" when at least one group exists: with the IOMMU off the directory is
 * there but empty (or, in a captured tree, absent).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dir-iter.h"
#include "probe-internal.h"
#include "probe.h"

#define GROUPS "/sys/kernel/iommu_groups"

static int cmp_group(const void *a, const void *b)
{
	const struct vp_iommu_group *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

struct groups {
	const struct vp_root *root;
	struct vp_system *sys;
	struct vp_iommu_group *g;       /* the group read_group() is reading */
	size_t cap, g_cap;
	char **ret_msg;
};

static int add_member(int dfd, const char *name, void *userdata)
{
	struct groups *gs = userdata;
	struct vp_system *sys = gs->sys;
	struct vp_iommu_group *g = gs->g;
	_cleanup_free_ char *p = NULL;
	unsigned dom, bus, dev, fn;
	long idx;
	int r;

	(void)dfd;
	if (name[0] == '.')
		return 0;
	p = vp_strdup_printf("%s/%d/devices/%s", GROUPS, g->id, name);
	if (!p)
		return -ENOMEM;
	if (!vp_parse_pci_addr(name, &dom, &bus, &dev, &fn))
		return vp_fail(gs->ret_msg, -EINVAL, "'%s': not a PCI address", p);
	r = vp_probe_device_dir(gs->root, p, gs->ret_msg);
	if (r < 0)
		return r;
	idx = vp_probe_find_fn(sys, dom, bus, dev, fn);
	if (idx < 0)
		return vp_fail(gs->ret_msg, -ENOENT, "'%s': not in /sys/bus/pci/devices", p);
	if (sys->fns[idx].iommu_group >= 0 && sys->fns[idx].iommu_group != g->id)
		return vp_fail(gs->ret_msg, -EINVAL,
			       "'%s': the device's iommu_group link says group %d", p,
			       sys->fns[idx].iommu_group);
	sys->fns[idx].iommu_group = g->id;
	if (g->n == gs->g_cap) {
		size_t cap = gs->g_cap ? gs->g_cap * 2 : 4, *m;

		m = realloc(g->members, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		g->members = m;
		gs->g_cap = cap;
	}
	g->members[g->n++] = (size_t)idx;
	return 0;
}

static int read_group(struct groups *gs)
{
	_cleanup_free_ char *dir = NULL;
	struct vp_iommu_group *g = gs->g;
	int r;

	dir = vp_strdup_printf("%s/%d/devices", GROUPS, g->id);
	if (!dir)
		return -ENOMEM;
	gs->g_cap = 0;
	r = vp_dir_each(gs->root, dir, add_member, gs, gs->ret_msg);
	if (r < 0)
		/* absent: vp_dir_each() says nothing; a member's own error keeps its words */
		return vp_fail(gs->ret_msg, r, "'%s': %s", dir, strerror(-r));
	/* fns are sorted by address, so sorting indices sorts by address */
	if (g->n > 1)
		qsort(g->members, g->n, sizeof(*g->members), cmp_size);
	return 0;
}

static int add_group(int dfd, const char *name, void *userdata)
{
	struct groups *gs = userdata;
	struct vp_system *sys = gs->sys;
	long id;

	(void)dfd;
	if (name[0] == '.')
		return 0;
	if (!vp_parse_long(name, 10, &id) || id < 0 || id > 0x7fffffff ||
	    name[strlen(name) - 1] == '\n')
		return vp_fail(gs->ret_msg, -EINVAL, "'%s/%s': not a group number", GROUPS, name);
	if (sys->n_groups == gs->cap) {
		size_t cap = gs->cap ? gs->cap * 2 : 16;
		struct vp_iommu_group *g = realloc(sys->groups, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		sys->groups = g;
		gs->cap = cap;
	}
	gs->g = &sys->groups[sys->n_groups++];
	*gs->g = (struct vp_iommu_group){.id = (int)id};
	return read_group(gs);
}

int vp_probe_iommu(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	struct groups gs = {.root = root, .sys = sys, .ret_msg = ret_msg};
	int r;

	/*
	 * absent (a captured tree): no groups, but device links must not point
	 * there. A group's own -ENOENT comes after n_groups++.
	 */
	r = vp_dir_each(root, GROUPS, add_group, &gs, ret_msg);
	if (r == -ENOENT && !sys->n_groups)
		r = 0;
	if (r < 0)
		return r;
	if (sys->n_groups > 1)
		qsort(sys->groups, sys->n_groups, sizeof(*sys->groups), cmp_group);
	sys->iommu_enabled = sys->n_groups > 0;
	/* a function whose iommu_group link names a group we did not see */
	for (size_t i = 0; i < sys->n_fns; i++) {
		struct vp_iommu_group key = {.id = sys->fns[i].iommu_group};

		if (key.id >= 0 && (!sys->n_groups || !bsearch(&key, sys->groups, sys->n_groups,
					    sizeof(key), cmp_group)))
			return vp_fail(ret_msg, -ENOENT,
				       "'/sys/bus/pci/devices/%s/iommu_group': dangling link (no group %d in %s)",
				       sys->fns[i].addr, key.id, GROUPS);
	}
	return 0;
}
