// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The initramfs part of the plan: which generator, which vfio modules for
 * every target kernel, then one file per generator (plan-mkinitcpio.c,
 * plan-dracut.c, plan-initramfs-tools.c). Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-initramfs.h"

char *vp_initramfs_join(const struct vp_strv *sv, const char *sep)
{
	struct vp_buf b = {0};

	for (size_t i = 0; i < sv->n; i++)
		if (vp_buf_printf(&b, "%s%s", i ? sep : "", sv->v[i]) < 0) {
			vp_buf_free(&b);
			return NULL;
		}
	return vp_buf_steal(&b);
}

int vp_plan_initramfs(const struct vp_config *cfg, const struct vp_system *sys,
		      const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	struct vp_initramfs_ctx c = {.cfg = cfg, .sys = sys, .sel = sel};
	_cleanup_free_ char *kernels = NULL;
	enum vp_initramfs gen;
	int r;

	/*
	 * The image needs our modules when a GPU is to be bound, and our early
	 * hook when it binds by address, reserves 1 GiB pages at boot (early)
	 * or guards the kernel's (boot). With neither there is nothing to put
	 * in it.
	 */
	if (sel->n_fns == 0 && !(cfg->hp_count > 0 && (cfg->hp_mode == VP_HP_EARLY ||
						       cfg->hp_mode == VP_HP_BOOT)))
		return 0;

	if (cfg->initramfs_auto) {
		gen = sys->initramfs;
		if (gen == VP_INITRAMFS_NONE)
			return vp_plan_msg(plan, VP_MSG_WARN,
					   "no initramfs generator found (mkinitcpio, dracut, "
					   "initramfs-tools): vfio modules and the early hook are "
					   "not added to any image; set [initramfs] generator");
	} else {
		gen = cfg->initramfs;
		if (gen == VP_INITRAMFS_NONE)
			return vp_plan_msg(plan, VP_MSG_INFO,
					   "[initramfs] generator = none: initramfs left alone");
		if (!sys->initramfs_found[gen]) {
			r = vp_plan_msg(plan, VP_MSG_WARN,
					"[initramfs] generator = %s, but %s was not found on "
					"this system", vp_initramfs_name(gen),
					vp_initramfs_name(gen));
			if (r < 0)
				return r;
		}
	}

	r = vp_modules_resolve(sys, &c.mods, ret_msg);
	if (r < 0)
		return r;
	if (c.mods.guessed) {
		r = vp_plan_msg(plan, VP_MSG_WARN,
				"no kernel found under /lib/modules: assuming vfio_pci, vfio "
				"and vfio_iommu_type1 are modules");
		if (r < 0)
			return r;
	}
	kernels = vp_modules_kernels(sys);
	if (!kernels)
		return -ENOMEM;
	c.kernels = kernels;
	r = vp_modules_list(&c.mods, gen, &c.list);
	if (r < 0)
		return r;

	switch (gen) {
	case VP_INITRAMFS_MKINITCPIO:
		r = vp_plan_mkinitcpio(&c, plan, ret_msg);
		break;
	case VP_INITRAMFS_DRACUT:
		r = vp_plan_dracut(&c, plan, ret_msg);
		break;
	case VP_INITRAMFS_INITRAMFS_TOOLS:
		r = vp_plan_initramfs_tools(&c, plan, ret_msg);
		break;
	default:
		r = 0;
		break;
	}
	vp_strv_free(&c.list);
	return r;
}
