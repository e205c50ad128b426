// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The whole plan: every planner in its fixed order, then the checks on
 * what they planned. Above the planners; nothing calls back into it. Pure.
 */
#include <errno.h>

#include "plan.h"

int vp_plan_build(const struct vp_config *cfg, const struct vp_system *sys,
		  const struct vp_selection *sel, struct vp_plan *ret, char **ret_msg)
{
	/*
	 * Order matters: the initramfs and modprobe planners add cmdline tokens
	 * (rd.driver.pre, vfio-pci.ids) that the bootloader planner consumes.
	 */
	static const vp_planner_fn planners[] = {
		vp_plan_modprobe, vp_plan_early, vp_plan_fstab, vp_plan_initramfs,
		vp_plan_cmdline, vp_plan_kconfig, vp_plan_bootloader, vp_plan_judge, vp_plan_libvirt,
		vp_plan_proxmox,
	};
	struct vp_plan plan = {0};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(planners); i++) {
		r = planners[i](cfg, sys, sel, &plan, ret_msg);
		if (r < 0)
			goto fail;
	}
	/*
	 * A file edited in place must have been read: one the probe never
	 * loaded would look absent and be planned from nothing, losing what is
	 * in it. Its target must list it (targets.c).
	 */
	for (size_t i = 0; i < plan.n_files; i++)
		if (!plan.files[i].owned && !vp_system_file(sys, plan.files[i].path)) {
			r = vp_fail(ret_msg, -EINVAL, "'%s': planned without being read (a bug in "
				    "vfio-provision: its target must list it)", plan.files[i].path);
			goto fail;
		}
	r = vp_plan_check_paths(&plan, ret_msg);
	if (r < 0)
		goto fail;
	*ret = plan;
	return 0;
fail:
	vp_plan_free(&plan);
	return r;
}
