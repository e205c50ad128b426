// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The commands that make written files take effect: the initramfs images
 * and the bootloader's config. One place, used by the planners, by the
 * reconciliation that takes stale items out, and by revert. Pure.
 */
#include <errno.h>
#include <string.h>

#include "modules.h"
#include "plan-boot.h"
#include "plan-regen.h"

int vp_regen_initramfs(const struct vp_system *sys, enum vp_initramfs gen, struct vp_plan *plan)
{
	static const char *const argv_of[VP_INITRAMFS_COUNT][5] = {
		[VP_INITRAMFS_MKINITCPIO] = {"mkinitcpio", "-P", NULL},
		[VP_INITRAMFS_DRACUT] = {"dracut", "--regenerate-all", "--force", NULL},
		[VP_INITRAMFS_INITRAMFS_TOOLS] = {"update-initramfs", "-u", "-k", "all", NULL},
	};
	static const char *const what[VP_INITRAMFS_COUNT] = {
		[VP_INITRAMFS_MKINITCPIO] = "mkinitcpio: rebuild the images of every preset "
					    "(kernel(s) %s)",
		[VP_INITRAMFS_DRACUT] = "dracut: rebuild the images of kernel(s) %s",
		[VP_INITRAMFS_INITRAMFS_TOOLS] = "initramfs-tools: rebuild the images of kernel(s) %s",
	};
	_cleanup_free_ char *kernels = NULL, *why = NULL;

	if ((unsigned)gen >= VP_INITRAMFS_COUNT || !argv_of[gen][0])
		return 0;
	kernels = vp_modules_kernels(sys);
	if (!kernels)
		return -ENOMEM;
	why = vp_strdup_printf(what[gen], kernels);
	if (!why)
		return -ENOMEM;
	return vp_plan_add_command(plan, (const char *const *)argv_of[gen], why);
}

int vp_regen_grub(const struct vp_system *sys, struct vp_plan *plan)
{
	if (sys->pve_boot_tool)         /* runs update-grub on each ESP */
		return vp_boot_proxmox_refresh(plan);
	if (sys->have_update_grub) {
		const char *argv[] = {"update-grub", NULL};

		return vp_plan_add_command(plan, argv, "grub.cfg carries the kernel command line");
	}
	if (sys->grub_cfg) {
		const char *argv[] = {vp_startswith(sys->grub_cfg, "/boot/grub2/") ?
					      "grub2-mkconfig" : "grub-mkconfig",
				      "-o", sys->grub_cfg, NULL};

		return vp_plan_add_command(plan, argv, "grub.cfg carries the kernel command line");
	}
	return vp_plan_msg(plan, VP_MSG_WARN, "no grub.cfg found under /boot/grub or "
			   "/boot/grub2: regenerate it with grub-mkconfig -o <path> after apply");
}

int vp_regen_uki(const struct vp_system *sys, struct vp_plan *plan)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && sys->uki && i < sys->n_kernels; i++) {
		_cleanup_free_ char *img = vp_strdup_printf("/usr/lib/modules/%s/vmlinuz",
							    sys->kernels[i].version);
		const char *argv[] = {"kernel-install", "add", sys->kernels[i].version, img, NULL};

		if (!img)
			return -ENOMEM;
		r = vp_plan_add_command(plan, argv, "the UKI embeds the kernel command line");
	}
	return r;
}

bool vp_path_feeds_initramfs(const char *path)
{
	static const char *const prefixes[] = {
		"/etc/modprobe.d/", "/etc/vfio-provision/", "/etc/mkinitcpio.conf",
		"/etc/dracut.conf", "/etc/initramfs-tools/",
	};

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (vp_startswith(path, prefixes[i]))
			return true;
	return false;
}

bool vp_path_feeds_bootloader(const char *path)
{
	return vp_startswith(path, "/etc/default/grub") || strcmp(path, "/etc/kernel/cmdline") == 0;
}

int vp_regen_for(const struct vp_config *cfg, const struct vp_system *sys, bool initramfs,
		 bool bootloader, struct vp_plan *plan)
{
	enum vp_initramfs gen = cfg->initramfs_auto ? sys->initramfs : cfg->initramfs;
	enum vp_bootloader bl = cfg->bootloader_auto ? sys->bootloader : cfg->bootloader;
	int r = 0;

	if (initramfs)
		r = vp_regen_initramfs(sys, gen, plan);
	/* proxmox-boot-tool keeps the ESPs, whatever boots from them */
	if (r >= 0 && bootloader && sys->pve_boot_tool)
		return vp_boot_proxmox_refresh(plan);
	if (r >= 0 && bootloader && bl == VP_BOOT_GRUB)
		r = vp_regen_grub(sys, plan);
	if (r >= 0 && bootloader)
		r = vp_regen_uki(sys, plan);
	return r;
}
