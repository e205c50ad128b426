// SPDX-License-Identifier: GPL-2.0-or-later
/* Names and lookups on the system model; no I/O. */
#include <stdio.h>
#include <string.h>

#include "system.h"

const char *const vp_vfio_mod_names[VP_MOD_COUNT] = {
	[VP_MOD_VFIO] = "vfio",
	[VP_MOD_VFIO_IOMMU_TYPE1] = "vfio_iommu_type1",
	[VP_MOD_VFIO_VIRQFD] = "vfio_virqfd",
	[VP_MOD_VFIO_PCI_CORE] = "vfio_pci_core",
	[VP_MOD_VFIO_PCI] = "vfio_pci",
};

const char *vp_mod_state_name(enum vp_mod_state s)
{
	switch (s) {
	case VP_MOD_MODULE: return "module";
	case VP_MOD_BUILTIN: return "builtin";
	default: return "missing";
	}
}

void vp_system_free(struct vp_system *sys)
{
	for (size_t i = 0; i < sys->n_fns; i++) {
		struct vp_pci_fn *fn = &sys->fns[i];

		free(fn->vendor_name);
		free(fn->device_name);
		free(fn->class_name);
		free(fn->driver);
		free(fn->modalias);
		vp_strv_free(&fn->candidates);
	}
	free(sys->fns);
	for (size_t i = 0; i < sys->n_groups; i++)
		free(sys->groups[i].members);
	free(sys->groups);
	free(sys->cpu_vendor);
	free(sys->nodes);
	for (size_t i = 0; i < sys->n_kernels; i++) {
		free(sys->kernels[i].version);
		free(sys->kernels[i].pkgbase);
		free(sys->kernels[i].config.path);
	}
	free(sys->kernels);
	free(sys->running_kernel);
	free(sys->proc_cmdline);
	free(sys->initramfs_note);
	free(sys->root_spec);
	free(sys->grub_cfg);
	free(sys->pve_version);
	vp_strv_free(&sys->pve_evidence);
	for (size_t i = 0; i < sys->n_files; i++) {
		free(sys->files[i].path);
		free(sys->files[i].content);
	}
	free(sys->files);
	memset(sys, 0, sizeof(*sys));
}

const struct vp_pci_fn *vp_system_fn(const struct vp_system *sys, const char *addr)
{
	for (size_t i = 0; i < sys->n_fns; i++)
		if (strcmp(sys->fns[i].addr, addr) == 0)
			return &sys->fns[i];
	return NULL;
}

const struct vp_iommu_group *vp_system_group(const struct vp_system *sys, int id)
{
	for (size_t i = 0; i < sys->n_groups; i++)
		if (sys->groups[i].id == id)
			return &sys->groups[i];
	return NULL;
}

const struct vp_file *vp_system_file(const struct vp_system *sys, const char *path)
{
	for (size_t i = 0; i < sys->n_files; i++)
		if (strcmp(sys->files[i].path, path) == 0)
			return &sys->files[i];
	return NULL;
}

const struct vp_kernel *vp_system_kernel(const struct vp_system *sys, const char *version)
{
	for (size_t i = 0; i < sys->n_kernels; i++)
		if (strcmp(sys->kernels[i].version, version) == 0)
			return &sys->kernels[i];
	return NULL;
}

const struct vp_kernel *vp_system_kernel_or_pkgbase(const struct vp_system *sys, const char *name)
{
	const struct vp_kernel *k = vp_system_kernel(sys, name);

	for (size_t i = 0; !k && i < sys->n_kernels; i++)
		if (vp_streq(sys->kernels[i].pkgbase, name))
			k = &sys->kernels[i];
	return k;
}

void vp_fn_id(const struct vp_pci_fn *fn, char buf[static 10])
{
	snprintf(buf, 10, "%04x:%04x", fn->vendor, fn->device);
}

bool vp_fn_is_display(const struct vp_pci_fn *fn)
{
	uint16_t c = VP_PCI_CLASS(fn->class);

	return c == 0x0300 || c == 0x0302 || c == 0x0380;
}

bool vp_fn_is_bridge(const struct vp_pci_fn *fn)
{
	uint16_t c = VP_PCI_CLASS(fn->class);

	return c == 0x0600 || c == 0x0604;
}

bool vp_same_slot(const struct vp_pci_fn *a, const struct vp_pci_fn *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}
