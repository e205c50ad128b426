// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which kernel command line tokens we want, each with its reason. Pure.
 * Tokens added by earlier planners (vfio-pci.ids for a built-in vfio-pci,
 * rd.driver.pre for generic dracut images) stay as they are; the bootloader
 * planner merges the lot into every target (cmdline.c).
 */
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "hp-fit.h"
#include "kconfig.h"
#include "plan.h"

static bool planned(const struct vp_plan *plan, const char *key)
{
	for (size_t i = 0; i < plan->n_cmdline; i++)
		if (vp_cmdline_key_eq(plan->cmdline[i].key, strlen(plan->cmdline[i].key), key,
				      strlen(key)))
			return true;
	return false;
}

/* Adds key=value unless an earlier planner already decided that key. */
static int want(struct vp_plan *plan, const char *key, const char *token, const char *reason)
{
	if (planned(plan, key))
		return 0;
	return vp_plan_add_token(plan, key, token, reason);
}

static int plan_iommu(const struct vp_config *cfg, const struct vp_system *sys,
		      struct vp_plan *plan)
{
	const char *vendor = sys->cpu_vendor ? sys->cpu_vendor : "";
	int r = 0;

	if (cfg->iommu == VP_IOMMU_KEEP)
		goto pt;
	if (cfg->iommu == VP_IOMMU_AUTO && sys->iommu_enabled)
		goto pt;
	if (strcmp(vendor, "GenuineIntel") == 0) {
		r = want(plan, "intel_iommu", "intel_iommu=on",
			 cfg->iommu == VP_IOMMU_ON
				 ? "[cmdline] iommu = on: Intel VT-d is enabled by this token "
				   "unless the kernel defaults to it"
				 : "the IOMMU is off (no IOMMU groups) and Intel VT-d stays off "
				   "unless the kernel is told intel_iommu=on");
	} else if (strcmp(vendor, "AuthenticAMD") == 0) {
		/*
		 * The AMD IOMMU driver is on whenever the firmware describes an
		 * IVRS table; "amd_iommu=on" is not one of its options (the
		 * kernel logs it as unknown), so a token would only hide the
		 * real cause.
		 */
		if (!sys->iommu_enabled)
			r = vp_plan_msg(plan, VP_MSG_WARN,
					"the IOMMU is off on an AMD CPU: no kernel option turns it "
					"on (amd_iommu=on is not one); enable IOMMU / AMD-Vi and "
					"SVM in the firmware setup");
	} else if (!sys->iommu_enabled) {
		r = vp_plan_msg(plan, VP_MSG_WARN,
				"the IOMMU is off and the CPU vendor '%s' is unknown: no "
				"kernel option added; enable the IOMMU in the firmware setup",
				vendor);
	}
	if (r < 0)
		return r;
pt:
	if (!cfg->iommu_pt)
		return 0;
	return want(plan, "iommu", "iommu=pt",
		    "[cmdline] iommu_pt = yes: devices left to the host skip IOMMU "
		    "translation (passthrough), which costs them nothing");
}

/*
 * Sizes the config parser cannot judge: beyond this machine's memory (or
 * the chosen node's). Warnings, not refusals: the config may be written
 * for a machine that is about to get more memory.
 */
static int warn_memory(const struct vp_config *cfg, const struct vp_system *sys,
		       struct vp_plan *plan)
{
	unsigned long long total = sys->mem_total_kib, pages_kib, min_kib, node_kib = 0;

	for (size_t i = 0; cfg->hp_node >= 0 && i < sys->n_nodes; i++)
		if (sys->nodes[i].id == cfg->hp_node)
			node_kib = sys->nodes[i].mem_total_kib;
	/* both are capped at 64 TiB by the config parser: no overflow */
	pages_kib = (unsigned long long)cfg->hp_count << 20;
	min_kib = (unsigned long long)cfg->host_min_mib << 10;
	if (node_kib && pages_kib > node_kib)
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "[hugepages] %lu 1 GiB page(s) (%lu GiB) are more than node "
				   "%d's memory (%.1f GiB): the kernel reserves what fits and "
				   "leaves the node nothing", cfg->hp_count, cfg->hp_count,
				   cfg->hp_node, (double)node_kib / (1 << 20));
	if (!total)
		return 0;
	if (pages_kib > total)
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "[hugepages] %lu 1 GiB page(s) (%lu GiB) are more than the "
				   "machine's memory (%.1f GiB): the kernel reserves what fits and "
				   "leaves the host nothing", cfg->hp_count, cfg->hp_count,
				   (double)total / (1 << 20));
	if (min_kib > total)
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "[hugepages] host_min = %lu MiB is more than the machine's "
				   "memory (%.1f GiB): no page can be reserved while keeping it",
				   cfg->host_min_mib, (double)total / (1 << 20));
	if (pages_kib + min_kib > total)
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "[hugepages] %lu 1 GiB page(s) and host_min = %lu MiB are more "
				   "than the machine's memory (%.1f GiB): fewer pages are reserved "
				   "than asked, or the host gets less than host_min",
				   cfg->hp_count, cfg->host_min_mib, (double)total / (1 << 20));
	return 0;
}

/* An installed kernel that reads no hugepages=N:M (before 5.16), or NULL. */
static const char *without_node_syntax(const struct vp_system *sys)
{
	for (size_t i = 0; i < sys->n_kernels; i++)
		if (vp_kernel_at_least(sys->kernels[i].version, 5, 16) == 0)
			return sys->kernels[i].version;
	return NULL;
}

/*
 * The node of the boot's pages on the command line: [hugepages] node, or
 * with node = auto on a host of several nodes the GPU's (the one early.conf
 * names), so that the guest's memory sits next to its GPU. -1: anywhere.
 */
static int cmdline_node(const struct vp_config *cfg, const struct vp_system *sys,
			const struct vp_selection *sel, struct vp_plan *plan, int *ret)
{
	int node = vp_hp_node(cfg, sys, sel);
	const char *old;

	*ret = -1;
	if (node < 0 || (cfg->hp_node < 0 && sys->n_nodes < 2))
		return 0;
	old = cfg->hp_node < 0 ? without_node_syntax(sys) : NULL;
	if (old)
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "[hugepages] node = auto: the GPU is on NUMA node %d, but kernel %s "
				   "reads no hugepages=N:M (Linux 5.16 has it): the pages go to every "
				   "node; remove that kernel, or accept the spread", node, old);
	*ret = node;
	return 0;
}

static int plan_hugepages(const struct vp_config *cfg, const struct vp_system *sys,
			  const struct vp_selection *sel, struct vp_plan *plan)
{
	_cleanup_free_ char *reason = NULL;
	int node = -1, r;

	if (cfg->hp_count == 0)
		return 0;
	if (!sys->pdpe1gb)
		return vp_plan_msg(plan, VP_MSG_REFUSE,
				   "[hugepages] asks for %lu 1 GiB page(s) but the CPU has no "
				   "pdpe1gb flag: it cannot map 1 GiB pages (use count = 0, or "
				   "2 MiB pages outside vfio-provision)", cfg->hp_count);
	/* the other modes get the one fit warning from early.conf's planner (hp-fit.c) */
	r = cfg->hp_mode == VP_HP_RUNTIME ? warn_memory(cfg, sys, plan) : 0;
	if (r >= 0 && cfg->hp_mode == VP_HP_BOOT)
		r = cmdline_node(cfg, sys, sel, plan, &node);
	if (r < 0)
		return r;

	r = want(plan, "hugepagesz", "hugepagesz=1G",
		 "[hugepages] count > 0: registers the 1 GiB page size (CPU has pdpe1gb)");
	if (r >= 0)
		r = want(plan, "default_hugepagesz", "default_hugepagesz=1G",
			 "hugetlbfs mounts without pagesize= and MAP_HUGETLB get 1 GiB pages");
	if (r < 0)
		return r;

	switch (cfg->hp_mode) {
	case VP_HP_BOOT: {
		_cleanup_free_ char *tok = NULL;
		unsigned long pages = vp_hp_boot_count(cfg, sys, vp_hp_node(cfg, sys, sel), NULL);

		/* nothing fits: the fit warning says so, no hugepages=0 */
		if (pages == 0)
			break;
		/* hugepages=N:M pages on a node: Linux 5.16 and newer (kconfig.c checks) */
		if (node >= 0)
			tok = vp_strdup_printf("hugepages=%d:%lu", node, pages);
		else
			tok = vp_strdup_printf("hugepages=%lu", pages);
		reason = vp_strdup_printf(
			"[hugepages] mode = boot: the kernel reserves %lu %s%s at boot, before "
			"anything can fragment memory%s; the early program releases pages if the "
			"host would keep less than host_min", pages, vp_pages(pages),
			node < 0 ? "" : cfg->hp_node >= 0 ? " on that node" : " on the GPU's node",
			pages < cfg->hp_count ? " (count sized down to what fits)" : "");
		if (!tok || !reason)
			return -ENOMEM;
		r = want(plan, "hugepages", tok, reason);
		break;
	}
	case VP_HP_CMA: {
		_cleanup_free_ char *tok = NULL;

		/* hugetlb_cma takes a size, per node as N:SIZE */
		if (cfg->hp_node >= 0)
			tok = vp_strdup_printf("hugetlb_cma=%d:%luG", cfg->hp_node, cfg->hp_count);
		else
			tok = vp_strdup_printf("hugetlb_cma=%luG", cfg->hp_count);
		if (!tok)
			return -ENOMEM;
		r = want(plan, "hugetlb_cma", tok,
			 "[hugepages] mode = cma: a CMA area makes runtime 1 GiB allocation "
			 "reliable (and rules out boot-time 1 GiB pages)");
		break;
	}
	default:
		r = 0;
		break;
	}
	if (r < 0)
		return r;
	/* the CMA area and boot-time 1 GiB pages exclude each other */
	if (cfg->hp_mode != VP_HP_CMA)
		r = want(plan, "hugetlb_cma", NULL,
			 "hugetlb_cma= would disable boot-time 1 GiB pages and hold memory "
			 "that mode no longer uses");
	return r;
}

static int plan_thp(const struct vp_config *cfg, struct vp_plan *plan)
{
	switch (cfg->thp) {
	case VP_THP_NEVER:
		return want(plan, "transparent_hugepage", "transparent_hugepage=never",
			    "[cmdline] transparent_hugepage = never: khugepaged does not "
			    "compact memory behind the guest's back");
	case VP_THP_MADVISE:
		return want(plan, "transparent_hugepage", "transparent_hugepage=madvise",
			    "[cmdline] transparent_hugepage = madvise");
	case VP_THP_ALWAYS:
		return want(plan, "transparent_hugepage", "transparent_hugepage=always",
			    "[cmdline] transparent_hugepage = always");
	default:
		return 0;
	}
}

int vp_plan_cmdline(const struct vp_config *cfg, const struct vp_system *sys,
		    const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	int r;

	(void)ret_msg;
	r = plan_iommu(cfg, sys, plan);
	if (r >= 0)
		r = plan_hugepages(cfg, sys, sel, plan);
	if (r >= 0)
		r = plan_thp(cfg, plan);
	return r;
}
