// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which rebuild a changed file needs, and the commands of the generator and
 * bootloader in use, from the table of targets (target.h): used by the
 * reconciliation that takes stale items out, and by revert. Apart from
 * plan-regen.c, which the planners the table names call. Pure.
 */
#include <string.h>

#include "plan-boot.h"
#include "plan-regen.h"
#include "target.h"

static bool under_any(const char *path, const char *const *prefixes)
{
	for (size_t i = 0; prefixes && prefixes[i]; i++)
		if (vp_startswith(path, prefixes[i]))
			return true;
	return false;
}

bool vp_path_feeds_initramfs(const char *path)
{
	/* every generator copies these into the image */
	static const char *const common[] = {"/etc/modprobe.d/", "/etc/vfio-provision/", NULL};
	const struct vp_targets *t = vp_targets;

	if (under_any(path, common))
		return true;
	for (size_t i = 1; i < t->n_generators; i++)
		if (under_any(path, t->generators[i]->feeds))
			return true;
	return false;
}

bool vp_path_feeds_bootloader(const char *path)
{
	const struct vp_boot_target *v[VP_BOOT_TARGETS_MAX];
	size_t n = vp_boot_targets_all(v, ARRAY_SIZE(v));

	for (size_t i = 0; i < n; i++)
		if (under_any(path, v[i]->feeds))
			return true;
	return false;
}

int vp_regen_for(const struct vp_config *cfg, const struct vp_system *sys, bool initramfs,
		 bool bootloader, struct vp_plan *plan)
{
	enum vp_initramfs gen = cfg->initramfs_auto ? sys->initramfs : cfg->initramfs;
	const struct vp_bootloader_def *bl = vp_bootloader_def(vp_boot_target(cfg, sys));
	int r = 0;

	if (initramfs)
		r = vp_regen_initramfs(sys, vp_generator_def(gen), plan);
	/* proxmox-boot-tool keeps the ESPs, whatever boots from them */
	if (r >= 0 && bootloader && sys->pve_boot_tool)
		return vp_boot_proxmox_refresh(plan);
	if (r >= 0 && bootloader && bl && bl->rebuild)
		r = bl->rebuild(sys, plan);
	if (r >= 0 && bootloader)
		r = vp_regen_uki(sys, plan);
	return r;
}
