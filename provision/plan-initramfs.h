/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to plan-initramfs.c and its per-generator files. Pure. */
#pragma once

#include "modules.h"
#include "plan.h"

#define VP_MKINITCPIO_CONF       "/etc/mkinitcpio.conf"
/*
 * The probe records a directory as a vp_file whose path ends in '/', with
 * content "" when the directory exists and NULL when it does not.
 */
#define VP_MKINITCPIO_DROPIN_DIR "/etc/mkinitcpio.conf.d/"
#define VP_MKINITCPIO_DROPIN     "/etc/mkinitcpio.conf.d/vfio-provision.conf"
#define VP_MKINITCPIO_HOOK       "vfio-provision"
#define VP_DRACUT_CONF           "/etc/dracut.conf"
#define VP_DRACUT_DROPIN_DIR     "/etc/dracut.conf.d/"
#define VP_DRACUT_DIST_DIR       "/usr/lib/dracut/dracut.conf.d/"
#define VP_DRACUT_DROPIN         "/etc/dracut.conf.d/vfio-provision.conf"
#define VP_DRACUT_MODULE         "vfio-provision" /* dracut/90vfio-provision */
#define VP_ITOOLS_MODULES        "/etc/initramfs-tools/modules"
#define VP_ITOOLS_BEGIN          "# BEGIN vfio-provision"
#define VP_ITOOLS_END            "# END vfio-provision"

struct vp_generator_def;

struct vp_initramfs_ctx {
	const struct vp_generator_def *gen;     /* the generator planned (target.h) */
	const struct vp_config *cfg;
	const struct vp_system *sys;
	const struct vp_selection *sel;
	struct vp_modset mods;
	struct vp_strv list;     /* module words for this generator (vp_modules_list) */
	const char *kernels;     /* "6.1.0-18-amd64, 6.8.0" */
};

int vp_plan_mkinitcpio(const struct vp_initramfs_ctx *c, struct vp_plan *plan, char **ret_msg);
int vp_plan_initramfs_tools(const struct vp_initramfs_ctx *c, struct vp_plan *plan,
			    char **ret_msg);

/* "a b c" (words joined by one space) or "" for none; NULL on -ENOMEM. */
char *vp_initramfs_join(const struct vp_strv *sv, const char *sep);
