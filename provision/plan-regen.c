// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The commands that make written files take effect: the initramfs images
 * and the bootloader's config, as the targets' descriptors (target.h) say.
 * Used by the planners; plan-regen-for.c picks them for what changed.
 * Pure.
 */
#include <errno.h>
#include <string.h>

#include "modules.h"
#include "plan-boot.h"
#include "plan-regen.h"
#include "target.h"

int vp_regen_initramfs(const struct vp_system *sys, const struct vp_generator_def *gen,
		       struct vp_plan *plan)
{
	_cleanup_free_ char *kernels = NULL, *why = NULL;

	if (!gen || !gen->rebuild)
		return 0;
	kernels = vp_modules_kernels(sys);
	if (!kernels)
		return -ENOMEM;
	why = vp_strdup_printf("%s%s%s", gen->rebuild_why[0] ? gen->rebuild_why[0] : "",
			       kernels, gen->rebuild_why[1] ? gen->rebuild_why[1] : "");
	if (!why)
		return -ENOMEM;
	return vp_plan_add_command(plan, gen->rebuild, why);
}

int vp_regen_grub(const struct vp_system *sys, struct vp_plan *plan)
{
	if (sys->pve_boot_tool)         /* runs update-grub on each ESP */
		return vp_boot_proxmox_refresh(plan);
	if (sys->have_update_grub) {
		const char *argv[] = {"update-grub", NULL};

		return vp_plan_add_command(plan, argv, "grub.cfg carries the kernel command line");
	}
	if (sys->grub_cfg) {
		const char *argv[] = {vp_startswith(sys->grub_cfg, "/boot/grub2/") ?
					      "grub2-mkconfig" : "grub-mkconfig",
				      "-o", sys->grub_cfg, NULL};

		return vp_plan_add_command(plan, argv, "grub.cfg carries the kernel command line");
	}
	return vp_plan_msg(plan, VP_MSG_WARN, "no grub.cfg found under /boot/grub or "
			   "/boot/grub2: regenerate it with grub-mkconfig -o <path> after apply");
}

int vp_regen_uki(const struct vp_system *sys, struct vp_plan *plan)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && sys->uki && i < sys->n_kernels; i++) {
		_cleanup_free_ char *img = vp_strdup_printf("/usr/lib/modules/%s/vmlinuz",
							    sys->kernels[i].version);
		const char *argv[] = {"kernel-install", "add", sys->kernels[i].version, img, NULL};

		if (!img)
			return -ENOMEM;
		r = vp_plan_add_command(plan, argv, "the UKI embeds the kernel command line");
	}
	return r;
}
