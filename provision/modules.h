/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which vfio modules an initramfs generator must list so that the same
 * configuration works for every target kernel (sys->kernels). Pure.
 *
 * One config file serves all installed kernels (mkinitcpio -P, dracut
 * --regenerate-all, update-initramfs -k all), and the kernels may come from
 * different generations: vfio_virqfd is gone from 6.2, vfio_pci_core exists
 * from 5.15, vfio_pci may be built in. See vp_modules_list() for how each
 * generator copes with a module that only some kernels have.
 */
#pragma once

#include <stdbool.h>

#include "system.h"
#include "vp.h"

/* How one vfio module stands across all target kernels. */
enum vp_mod_span {
	VP_SPAN_NONE = 0,       /* built in or missing everywhere: never listed */
	VP_SPAN_ALL,            /* a module somewhere, built in elsewhere: loadable on every kernel */
	VP_SPAN_SOME,           /* a module somewhere, missing on some kernel */
};

struct vp_modset {
	enum vp_mod_span span[VP_MOD_COUNT];
	/* vfio_pci is a loadable module on at least one kernel */
	bool vfio_pci_module;
	/* no kernel was known: a conservative default set was assumed */
	bool guessed;
};

/*
 * The order in which generator configs list the modules: vfio_pci first (it
 * is the one that must win against GPU drivers listed later for early KMS;
 * modprobe pulls in its dependencies), then the rest.
 */
extern const enum vp_vfio_mod vp_modules_order[VP_MOD_COUNT];

/*
 * Classifies the vfio modules over sys->kernels. A kernel that has no
 * vfio_pci at all (neither module nor built in) cannot be served: returns
 * -ENOENT with *ret_msg naming the kernel. With no kernel at all, assumes
 * vfio_pci, vfio and vfio_iommu_type1 (present on every kernel since 4.x)
 * and sets ret->guessed.
 */
int vp_modules_resolve(const struct vp_system *sys, struct vp_modset *ret, char **ret_msg);

/*
 * The module words for one generator's config, in vp_modules_order; optional
 * is the generator's mark of a module a kernel may lack (its descriptor's).
 *   with a mark (mkinitcpio's "?": not found on that kernel = no error):
 *     every VP_SPAN_ALL module as is, every VP_SPAN_SOME module marked.
 *   without (dracut, initramfs-tools): only VP_SPAN_ALL modules. dracut fails on a
 *     force_drivers module a kernel lacks, and initramfs-tools' boot-time
 *     modprobe prints an error for one. Leaving such a module out loses
 *     nothing: where it exists it is a dependency of vfio_pci (vfio_virqfd,
 *     vfio_pci_core) and the generator copies and loads it through
 *     modules.dep anyway.
 * Built-in-everywhere and missing-everywhere modules are never listed.
 */
int vp_modules_list(const struct vp_modset *set, const char *optional, struct vp_strv *ret);

/* "6.1.0-18-amd64, 6.8.0-1-arch" (or "no kernel found"), for reasons and messages. */
char *vp_modules_kernels(const struct vp_system *sys);
