/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The regeneration commands (plan-regen.c). Pure. */
#pragma once

#include "config.h"
#include "plan.h"
#include "system.h"

struct vp_generator_def;
/* The generator's rebuild of every image (NULL or none: nothing). */
int vp_regen_initramfs(const struct vp_system *sys, const struct vp_generator_def *gen,
		       struct vp_plan *plan);
int vp_regen_grub(const struct vp_system *sys, struct vp_plan *plan);
/* kernel-install add, for each kernel, where images are UKIs. */
int vp_regen_uki(const struct vp_system *sys, struct vp_plan *plan);

/* Which regeneration a changed path needs (plan-regen-for.c, from the table). */
bool vp_path_feeds_initramfs(const char *path);
bool vp_path_feeds_bootloader(const char *path);

/* The commands for the generator and bootloader in use (or configured). */
int vp_regen_for(const struct vp_config *cfg, const struct vp_system *sys, bool initramfs,
		 bool bootloader, struct vp_plan *plan);
