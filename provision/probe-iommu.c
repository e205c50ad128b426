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

static int read_group(const struct vp_root *root, struct vp_system *sys,
		      struct vp_iommu_group *g, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	_cleanup_free_ char *dir = NULL;
	struct dirent *de;
	DIR *d = NULL;
	size_t cap = 0;
	int r;

	dir = vp_strdup_printf("%s/%d/devices", GROUPS, g->id);
	if (!dir)
		return -ENOMEM;
	r = vp_root_opendir(root, dir, &d, &msg);
	if (r < 0)
		return msg ? vp_fail(ret_msg, r, "%s", msg)
			   : vp_fail(ret_msg, r, "'%s': %s", dir, strerror(-r));
	while ((de = readdir(d))) {
		unsigned dom, bus, dev, fn;
		_cleanup_free_ char *p = NULL;
		long idx;

		if (de->d_name[0] == '.')
			continue;
		p = vp_strdup_printf("%s/%s", dir, de->d_name);
		if (!p) {
			r = -ENOMEM;
			goto fail;
		}
		if (!vp_parse_pci_addr(de->d_name, &dom, &bus, &dev, &fn)) {
			r = vp_fail(ret_msg, -EINVAL, "'%s': not a PCI address", p);
			goto fail;
		}
		r = vp_probe_device_dir(root, p, ret_msg);
		if (r < 0)
			goto fail;
		idx = vp_probe_find_fn(sys, dom, bus, dev, fn);
		if (idx < 0) {
			r = vp_fail(ret_msg, -ENOENT, "'%s': not in /sys/bus/pci/devices", p);
			goto fail;
		}
		if (sys->fns[idx].iommu_group >= 0 && sys->fns[idx].iommu_group != g->id) {
			r = vp_fail(ret_msg, -EINVAL,
				    "'%s': the device's iommu_group link says group %d", p,
				    sys->fns[idx].iommu_group);
			goto fail;
		}
		sys->fns[idx].iommu_group = g->id;
		if (g->n == cap) {
			size_t *m;

			cap = cap ? cap * 2 : 4;
			m = realloc(g->members, cap * sizeof(*m));
			if (!m) {
				r = -ENOMEM;
				goto fail;
			}
			g->members = m;
		}
		g->members[g->n++] = (size_t)idx;
	}
	closedir(d);
	/* fns are sorted by address, so sorting indices sorts by address */
	if (g->n > 1)
		qsort(g->members, g->n, sizeof(*g->members), cmp_size);
	return 0;
fail:
	closedir(d);
	return r;
}

int vp_probe_iommu(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	struct dirent *de;
	DIR *d = NULL;
	size_t cap = 0;
	int r;

	r = vp_root_opendir(root, GROUPS, &d, NULL);
	if (r < 0 && r != -ENOENT)
		return vp_fail(ret_msg, r, "'%s': %s", GROUPS, strerror(-r));
	/* absent (a captured tree): no groups, but device links must not point there */
	while (d && (de = readdir(d))) {
		struct vp_iommu_group *g;
		long id;

		if (de->d_name[0] == '.')
			continue;
		if (!vp_parse_long(de->d_name, 10, &id) || id < 0 || id > 0x7fffffff ||
		    de->d_name[strlen(de->d_name) - 1] == '\n') {
			r = vp_fail(ret_msg, -EINVAL, "'%s/%s': not a group number", GROUPS,
				    de->d_name);
			goto fail;
		}
		if (sys->n_groups == cap) {
			cap = cap ? cap * 2 : 16;
			g = realloc(sys->groups, cap * sizeof(*g));
			if (!g) {
				r = -ENOMEM;
				goto fail;
			}
			sys->groups = g;
		}
		g = &sys->groups[sys->n_groups++];
		*g = (struct vp_iommu_group){.id = (int)id};
		r = read_group(root, sys, g, ret_msg);
		if (r < 0)
			goto fail;
	}
	if (d)
		closedir(d);
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
fail:
	closedir(d);
	return r;
}
