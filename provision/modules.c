// SPDX-License-Identifier: GPL-2.0-or-later
/* The vfio module list per initramfs generator, over every target kernel. Pure. */
#include <errno.h>
#include <string.h>

#include "modules.h"
#include "plan-initramfs.h"

const enum vp_vfio_mod vp_modules_order[VP_MOD_COUNT] = {
	VP_MOD_VFIO_PCI, VP_MOD_VFIO_PCI_CORE, VP_MOD_VFIO, VP_MOD_VFIO_IOMMU_TYPE1,
	VP_MOD_VFIO_VIRQFD,
};

int vp_modules_resolve(const struct vp_system *sys, struct vp_modset *ret, char **ret_msg)
{
	struct vp_modset set = {0};

	if (sys->n_kernels == 0) {
		/*
		 * Nothing to ask (no /lib/modules, e.g. a container): these
		 * three exist as modules on every kernel that has vfio at all.
		 */
		set.span[VP_MOD_VFIO_PCI] = VP_SPAN_ALL;
		set.span[VP_MOD_VFIO] = VP_SPAN_ALL;
		set.span[VP_MOD_VFIO_IOMMU_TYPE1] = VP_SPAN_ALL;
		set.vfio_pci_module = true;
		set.guessed = true;
		*ret = set;
		return 0;
	}

	for (size_t k = 0; k < sys->n_kernels; k++)
		if (sys->kernels[k].mods[VP_MOD_VFIO_PCI] == VP_MOD_MISSING)
			return vp_fail(ret_msg, -ENOENT,
				       "kernel %s has no vfio_pci (neither a module nor built in): "
				       "it cannot pass a GPU through; remove it or use --kver",
				       sys->kernels[k].version);

	for (int m = 0; m < VP_MOD_COUNT; m++) {
		size_t n_module = 0, n_missing = 0;

		for (size_t k = 0; k < sys->n_kernels; k++) {
			switch (sys->kernels[k].mods[m]) {
			case VP_MOD_MODULE: n_module++; break;
			case VP_MOD_MISSING: n_missing++; break;
			case VP_MOD_BUILTIN: break;
			}
		}
		if (n_module == 0)
			set.span[m] = VP_SPAN_NONE;
		else if (n_missing == 0)
			set.span[m] = VP_SPAN_ALL;
		else
			set.span[m] = VP_SPAN_SOME;
	}
	set.vfio_pci_module = set.span[VP_MOD_VFIO_PCI] != VP_SPAN_NONE;
	*ret = set;
	return 0;
}

int vp_modules_list(const struct vp_modset *set, const char *optional, struct vp_strv *ret)
{
	struct vp_strv sv = {0};
	int r;

	for (size_t i = 0; i < VP_MOD_COUNT; i++) {
		enum vp_vfio_mod m = vp_modules_order[i];
		const char *name = vp_vfio_mod_names[m];

		if (set->span[m] == VP_SPAN_ALL)
			r = vp_strv_push(&sv, name);
		else if (set->span[m] == VP_SPAN_SOME && optional)
			r = vp_strv_push_take(&sv, vp_strdup_printf("%s%s", name, optional));
		else
			continue;
		if (r < 0)
			goto fail;
	}
	*ret = sv;
	return 0;
fail:
	vp_strv_free(&sv);
	return r;
}

char *vp_modules_kernels(const struct vp_system *sys)
{
	struct vp_buf b = {0};
	int r = 0;

	if (sys->n_kernels == 0)
		return strdup("no kernel found");
	for (size_t k = 0; k < sys->n_kernels && r >= 0; k++)
		r = vp_buf_printf(&b, "%s%s", k ? ", " : "", sys->kernels[k].version);
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

/* Declared in plan-initramfs.h: the generators join module lists with it. */
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
