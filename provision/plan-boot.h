/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bootloader targets of plan->cmdline (plan-boot-*.c), called by
 * vp_plan_bootloader. Pure: they read sys->files and add files, commands
 * and messages to the plan.
 */
#pragma once

#include "plan.h"

/*
 * Merges plan->cmdline into orig, a command line found at path:line. A line
 * the kernel would misparse is -EINVAL with "'path':line: ...".
 */
int vp_boot_merge(const struct vp_plan *plan, const char *orig, const char *path,
		  unsigned line, char **ret, char **ret_msg);
/* Like vp_boot_merge, but only removes the words we would replace or drop. */
int vp_boot_strip(const struct vp_plan *plan, const char *orig, const char *path,
		  unsigned line, char **ret, char **ret_msg);
/*
 * A merged line over the x86 limit is -E2BIG with "'path':line: ... N over
 * the limit" (an error, not a refusal: --force must never write a line the
 * kernel truncates). A hugepages= for the default size in orig, which our
 * default_hugepagesz=1G would silently turn into 1 GiB pages, is a refusal.
 */
int vp_boot_check(struct vp_plan *plan, const char *orig, const char *merged,
		  const char *path, unsigned line, char **ret_msg);
/* Our tokens (not the removals) joined by spaces; "" when none. */
char *vp_boot_tokens(const struct vp_plan *plan);
/* Keys the plan removes, joined by spaces; "" when none. */
char *vp_boot_removed_keys(const struct vp_plan *plan);

int vp_boot_grub(const struct vp_config *cfg, const struct vp_system *sys,
		 struct vp_plan *plan, char **ret_msg);
int vp_boot_kernel_cmdline(const struct vp_config *cfg, const struct vp_system *sys,
			   struct vp_plan *plan, char **ret_msg);
int vp_boot_bls(const struct vp_config *cfg, const struct vp_system *sys,
		struct vp_plan *plan, char **ret_msg);
int vp_boot_refind(const struct vp_config *cfg, const struct vp_system *sys,
		   struct vp_plan *plan, char **ret_msg);
/* kernelstub, rpm-ostree, grubby (and no bootloader): the command to run (plan-boot-tell.c) */
int vp_boot_tell(const struct vp_config *cfg, const struct vp_system *sys,
		 struct vp_plan *plan, char **ret_msg);

/*
 * Proxmox VE with ESPs kept by proxmox-boot-tool (plan-boot-proxmox.c), the
 * step after /etc/kernel/cmdline on its systemd-boot route: root= on the
 * first line, then `proxmox-boot-tool refresh`. Its GRUB route regenerates
 * with vp_boot_proxmox_refresh (added once) instead of update-grub.
 */
int vp_boot_proxmox_sdboot(const struct vp_config *cfg, const struct vp_system *sys,
			   struct vp_plan *plan, char **ret_msg);
int vp_boot_proxmox_refresh(struct vp_plan *plan);

/* The bootloader in use: [bootloader] type, else the probe's. */
enum vp_bootloader vp_boot_target(const struct vp_config *cfg, const struct vp_system *sys);
