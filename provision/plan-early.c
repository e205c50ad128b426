// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/vfio-provision/early.conf, read by the early-boot program inside the
 * initramfs. Its parser is deliberately trivial (no inih there), so the
 * format is too: `key=value` lines, `address DDDD:BB:DD.F vvvv:dddd` lines
 * and `#` comments. Pure.
 */
#include <errno.h>
#include <string.h>

#include "hp-fit.h"
#include "plan.h"
#include "plan-modprobe.h"

static bool node_exists(const struct vp_system *sys, int id)
{
	for (size_t i = 0; i < sys->n_nodes; i++)
		if (sys->nodes[i].id == id)
			return true;
	/* no NUMA information: nothing to check against */
	return sys->n_nodes == 0;
}

/* Why the file is written: what the program does at boot with it. */
static const char *early_reason(bool boot, unsigned long pages, bool addresses)
{
	if (pages == 0)
		return addresses ? "the early-boot program binds the devices by address (no 1 GiB "
				   "pages at boot)"
				 : "the early-boot program reserves no 1 GiB pages: none at boot";
	if (boot)
		return addresses ? "the early-boot program guards the kernel's 1 GiB pages and "
				   "binds the devices by address"
				 : "the early-boot program guards the kernel's 1 GiB pages";
	return addresses ? "the early-boot program reserves 1 GiB pages and binds the devices "
			   "by address"
			 : "the early-boot program reserves 1 GiB pages";
}

int vp_plan_early(const struct vp_config *cfg, const struct vp_system *sys,
		  const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	/*
	 * early: the program reserves the count; boot: the kernel reserves what
	 * fits (the hugepages= token) and the program guards it; cma and
	 * runtime: nothing at boot.
	 */
	int node = vp_hp_node(cfg, sys, sel);
	unsigned long pages = cfg->hp_mode == VP_HP_EARLY ? cfg->hp_count
			      : cfg->hp_mode == VP_HP_BOOT ? vp_hp_boot_count(cfg, sys, node, NULL) : 0;
	bool addresses = vp_selection_strategy(cfg, sel) == VP_STRATEGY_OVERRIDE &&
			 sel->n_fns > 0;
	struct vp_buf b = {0};
	int r;

	/* the program keeps VPE_MAX_ADDR lines: the rest would be left to the host's drivers */
	if (addresses && sel->n_fns > VPE_MAX_ADDR)
		return vp_fail(ret_msg, -E2BIG,
			       "'%s': %zu functions to bind by address, but the early-boot "
			       "program keeps at most %d; select fewer devices",
			       VP_EARLY_CONF, sel->n_fns, VPE_MAX_ADDR);
	/*
	 * Always written, even with nothing to do (hugepages=0, no address):
	 * a stale file from an earlier config would keep reserving pages.
	 */
	if (pages > 0 && cfg->hp_node >= 0 && !node_exists(sys, cfg->hp_node)) {
		r = vp_plan_msg(plan, VP_MSG_REFUSE,
				"[hugepages] node = %d: this machine has no NUMA node %d",
				cfg->hp_node, cfg->hp_node);
		if (r < 0)
			return r;
	}
	if (cfg->hp_count > 0 && cfg->host_min_mib < VP_HOST_MIN_FLOOR_MIB) {
		r = vp_plan_msg(plan, VP_MSG_REFUSE,
				"[hugepages] host_min = %lu MiB is below %lu MiB: the host could run "
				"out of memory while it boots beside the pages; raise it, or apply "
				"--force to take that risk", cfg->host_min_mib, VP_HOST_MIN_FLOOR_MIB);
		if (r < 0)
			return r;
	}
	/* runtime reservations are capped when they happen, not planned */
	if (cfg->hp_mode != VP_HP_RUNTIME) {
		r = vp_hp_fit_warn(cfg, sys, node, plan);
		if (r < 0)
			return r;
	}

	r = vp_buf_printf(&b, "%s\n" VP_EDITS_NOTE
			  "# Read by the early-boot program in the initramfs; written by\n"
			  "# `vfio-provision apply` from /etc/vfio-provision.conf.\n"
			  "hugepages=%lu\n",
			  VP_MANAGED_HEADER, pages);
	if (r < 0)
		goto fail;
	if (node >= 0)
		r = vp_buf_printf(&b, "node=%d\n", node);
	else
		r = vp_buf_puts(&b, "node=any\n");
	if (r < 0)
		goto fail;
	r = vp_buf_printf(&b, "host_min_mib=%lu\n", cfg->host_min_mib);
	if (r >= 0 && cfg->hp_mode == VP_HP_BOOT && pages > 0)
		r = vp_buf_puts(&b, "# the kernel reserves them (hugepages=); the program releases\n"
				"# pages beyond hugepages or host_min, or all with vfio_provision=off\n"
				"mode=boot\n");
	if (r < 0)
		goto fail;
	for (size_t j = 0; addresses && j < sel->n_fns; j++) {
		const struct vp_pci_fn *fn = &sys->fns[sel->fns[j]];

		r = vp_buf_printf(&b, "address %s %04x:%04x\n", fn->addr, fn->vendor,
				  fn->device);
		if (r < 0)
			goto fail;
	}
	return vp_plan_add_file(plan, VP_EARLY_CONF, vp_buf_steal(&b), 0644, true,
				early_reason(cfg->hp_mode == VP_HP_BOOT, pages, addresses));
fail:
	vp_buf_free(&b);
	return r;
}
