// SPDX-License-Identifier: GPL-2.0-or-later
/* How many 1 GiB pages fit, and the plan's warning when the count does not. Pure. */
#include "hp-fit.h"
#include "vpe.h"

#define GIB_KIB 1048576ULL

const char *vp_pages(unsigned long n)
{
	return n == 1 ? "page" : "pages";
}

static const struct vp_numa_node *find_node(const struct vp_system *sys, int id)
{
	for (size_t i = 0; i < sys->n_nodes; i++)
		if (sys->nodes[i].id == id)
			return &sys->nodes[i];
	return NULL;
}

int vp_hp_node(const struct vp_config *cfg, const struct vp_system *sys,
	       const struct vp_selection *sel)
{
	if (cfg->hp_node >= 0)
		return cfg->hp_node;
	for (size_t i = 0; sel && i < sel->targets.n; i++) {
		const struct vp_pci_fn *fn = vp_system_fn(sys, sel->targets.v[i]);

		if (fn)
			return fn->numa_node >= 0 ? fn->numa_node : -1;
	}
	return -1;
}

unsigned long vp_hp_fit(const struct vp_system *sys, unsigned long host_min_mib, int node)
{
	const struct vp_numa_node *n = node >= 0 ? find_node(sys, node) : NULL;
	unsigned long fit;

	if (sys->mem_total_kib == 0)
		return VP_HP_FIT_UNKNOWN;
	fit = vpe_cap_pages(sys->mem_total_kib, host_min_mib, VPE_PAGE_KIB);
	/* a node cannot hold more than its own memory, whatever the total */
	if (n && n->mem_total_kib && n->mem_total_kib / GIB_KIB < fit)
		fit = (unsigned long)(n->mem_total_kib / GIB_KIB);
	return fit;
}

unsigned long vp_hp_boot_count(const struct vp_config *cfg, const struct vp_system *sys,
			       int node, unsigned long *ret_fit)
{
	unsigned long fit = vp_hp_fit(sys, cfg->host_min_mib, node);

	if (ret_fit)
		*ret_fit = fit;
	return cfg->hp_count < fit ? cfg->hp_count : fit;
}

int vp_hp_fit_warn(const struct vp_config *cfg, const struct vp_system *sys, int node,
		   struct vp_plan *plan)
{
	const struct vp_numa_node *n = node >= 0 ? find_node(sys, node) : NULL;
	unsigned long fit, keep = vp_hp_boot_count(cfg, sys, node, &fit);
	unsigned long total_fit = vp_hp_fit(sys, cfg->host_min_mib, -1);

	if (cfg->hp_count == 0 || fit == VP_HP_FIT_UNKNOWN || cfg->hp_count <= fit)
		return 0;
	if (n && fit < total_fit)
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "[hugepages] count = %lu does not fit on node %d: it has "
				   "%llu MiB, room for %lu 1 GiB %s; the boot will keep %lu",
				   cfg->hp_count, node, n->mem_total_kib / 1024, fit,
				   vp_pages(fit), keep);
	return vp_plan_msg(plan, VP_MSG_WARN,
			   "[hugepages] count = %lu does not fit: MemTotal %llu MiB less "
			   "host_min = %lu MiB leaves room for %lu 1 GiB %s; the boot will "
			   "keep %lu", cfg->hp_count, sys->mem_total_kib / 1024,
			   cfg->host_min_mib, fit, vp_pages(fit), keep);
}
