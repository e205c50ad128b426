// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The initramfs part of the plan: which generator, which vfio modules for
 * every target kernel, then the generator's planner from the table of
 * targets (target.h: plan-mkinitcpio.c, plan-dracut.c,
 * plan-initramfs-tools.c). Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-initramfs.h"
#include "quote.h"
#include "target.h"

int vp_plan_initramfs(const struct vp_config *cfg, const struct vp_system *sys,
		      const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	struct vp_initramfs_ctx c = {.cfg = cfg, .sys = sys, .sel = sel};
	_cleanup_free_ char *kernels = NULL;
	enum vp_initramfs gen;
	const char *optional;
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
		if (gen == VP_INITRAMFS_NONE) {
			_cleanup_free_ char *names = vp_target_names(false);

			return names ? vp_plan_msg(plan, VP_MSG_WARN,
					   "no initramfs generator found (%s): vfio modules and "
					   "the early hook are not added to any image; set "
					   "[initramfs] generator", names) : -ENOMEM;
		}
		if (sys->initramfs_unsure) {
			r = vp_plan_msg(plan, VP_MSG_WARN, "initramfs generator: %s; planning "
					"for %s", sys->initramfs_note, vp_initramfs_name(gen));
			if (r < 0)
				return r;
		}
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
	c.gen = vp_generator_def(gen);
	optional = c.gen ? c.gen->optional : NULL;
	r = vp_modules_list(&c.mods, optional, &c.list);
	if (r < 0)
		return r;
	/*
	 * every generator writes these names into a file its tool reads as
	 * root; an optional module ("name?") is the name plus the mark
	 */
	for (size_t i = 0; i < c.list.n && r >= 0; i++) {
		_cleanup_free_ char *name = strdup(c.list.v[i]);
		size_t len = name ? strlen(name) : 0, ol = optional ? strlen(optional) : 0;

		if (!name) {
			r = -ENOMEM;
			break;
		}
		if (ol && len > ol && strcmp(name + len - ol, optional) == 0)
			name[len - ol] = '\0';
		r = vp_module_name_check(name, vp_initramfs_name(gen), ret_msg);
	}
	if (r < 0) {
		vp_strv_free(&c.list);
		return r;
	}

	if (c.gen && c.gen->plan)
		r = c.gen->plan(&c, plan, ret_msg);
	vp_strv_free(&c.list);
	return r;
}
