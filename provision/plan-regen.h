/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The regeneration commands (plan-regen.c). Pure. */
#pragma once

#include "config.h"
#include "plan.h"
#include "system.h"

int vp_regen_initramfs(const struct vp_system *sys, enum vp_initramfs gen, struct vp_plan *plan);
int vp_regen_grub(const struct vp_system *sys, struct vp_plan *plan);
/* kernel-install add, for each kernel, where images are UKIs. */
int vp_regen_uki(const struct vp_system *sys, struct vp_plan *plan);

/* Which regeneration a changed path needs. */
bool vp_path_feeds_initramfs(const char *path);
bool vp_path_feeds_bootloader(const char *path);

/* The commands for the generator and bootloader in use (or configured). */
int vp_regen_for(const struct vp_config *cfg, const struct vp_system *sys, bool initramfs,
		 bool bootloader, struct vp_plan *plan);
