// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Not files we write: the domain XML snippets that give a guest the selected
 * functions (<hostdev>) and the 1 GiB pages (<memoryBacking>), printed by
 * `plan` (only) so the user can paste them (virsh edit).
 */
#include <errno.h>
#include <stdio.h>

#include "guest-xml.h"
#include "plan.h"
#include "template.h"

static int plan_hostdevs(const struct vp_config *cfg, const struct vp_system *sys,
			 const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	struct vp_guest_xml g = {0};
	struct vp_buf b = {0};
	int r;

	if (sel->n_fns == 0 || sys->pve)
		return 0;
	r = vp_guest_xml_build(sys, sel, &g, ret_msg);
	if (r < 0)
		goto out;
	r = vp_buf_printf(&b, "libvirt: to give a guest the selected functions, add inside "
			  "<devices> (virsh edit %s; `vfio-provision guest-xml` prints only this):\n",
			  cfg->libvirt_domains.n ? cfg->libvirt_domains.v[0] : "<domain>");
	if (r >= 0)
		r = vp_guest_xml_text(&g, "", &b);
	if (r >= 0 && b.len && b.s[b.len - 1] == '\n')
		b.s[--b.len] = '\0';   /* hints are printed with their own newline */
	if (r >= 0)
		r = vp_strv_push_take(&plan->hints, vp_buf_steal(&b));
out:
	vp_buf_free(&b);
	vp_guest_xml_free(&g);
	return r;
}

static int plan_memory_backing(const struct vp_config *cfg, const struct vp_system *sys,
			       const struct vp_selection *sel, struct vp_plan *plan)
{
	const char *text = vp_template("libvirt-hugepages.xml");
	char nodeset[32] = "";
	_cleanup_free_ char *snippet = NULL;
	int node = cfg->hp_node;

	/* Proxmox VE runs its guests without libvirt: plan-proxmox.c instead */
	if (cfg->hp_count == 0 || !text || sys->pve)
		return 0;
	/* The pages sit on the GPU's node unless the config says otherwise. */
	for (size_t i = 0; node < 0 && i < sel->n_fns; i++)
		if (sel->fns[i] < sys->n_fns && sys->fns[sel->fns[i]].numa_node >= 0 &&
		    sys->n_nodes > 1)
			node = sys->fns[sel->fns[i]].numa_node;
	if (node >= 0)
		snprintf(nodeset, sizeof(nodeset), " nodeset='%d'", node);
	snippet = vp_template_fill(text, (const char *const[]){
		"DOMAIN", cfg->libvirt_domains.n ? cfg->libvirt_domains.v[0] : "<domain>",
		"NODESET", nodeset, NULL});
	if (!snippet)
		return -ENOMEM;
	return vp_strv_push_take(&plan->hints,
				 vp_strdup_printf("libvirt: to give a guest the %lu 1 GiB pages:\n%s",
						  cfg->hp_count, snippet));
}

int vp_plan_libvirt(const struct vp_config *cfg, const struct vp_system *sys,
		    const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	int r = plan_hostdevs(cfg, sys, sel, plan, ret_msg);

	return r < 0 ? r : plan_memory_backing(cfg, sys, sel, plan);
}
