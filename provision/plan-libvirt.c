// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Not a file we write: the domain XML snippet that makes a guest use the
 * 1 GiB pages, printed by `plan` (only) so the user can paste it (virsh edit).
 */
#include <errno.h>
#include <stdio.h>

#include "plan.h"
#include "template.h"

int vp_plan_libvirt(const struct vp_config *cfg, const struct vp_system *sys,
		    const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	const char *text = vp_template("libvirt-hugepages.xml");
	char nodeset[32] = "";
	_cleanup_free_ char *snippet = NULL;
	int node = cfg->hp_node;

	(void)ret_msg;
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
