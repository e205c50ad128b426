// SPDX-License-Identifier: GPL-2.0-or-later
/* The table of targets (target.h): descriptors only, no code. */
#include "plan-boot.h"
#include "target.h"

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

const struct vp_target_files vp_core_files = {
	.files = LIST("/etc/group", "/etc/fstab", "/etc/modprobe.d/vfio.conf",
		      "/etc/vfio-provision/early.conf"),
};

static bool bls_found(const struct vp_system *sys)
{
	/* Fedora's GRUB reads the options of BLS entries, not grub.cfg */
	return sys->bootloader_found[VP_BOOT_BLS];
}

static const struct vp_boot_target grub = {
	.name = "grub",
	.in = {.files = LIST("/etc/default/grub", "/etc/default/grub.d/vfio-provision.cfg")},
	.plan = vp_boot_grub,
};
static const struct vp_boot_target kernel_cmdline = {
	.name = "kernel-cmdline",
	.in = {.files = LIST("/etc/kernel/cmdline")},
	.plan = vp_boot_kernel_cmdline,
};
static const struct vp_boot_target bls = {
	.name = "bls",
	.in = {.dirs = LIST("/boot/loader/entries", "/efi/loader/entries",
			    "/boot/efi/loader/entries")},
	.plan = vp_boot_bls,
};
static const struct vp_boot_target refind = {
	.name = "refind",
	.in = {.files = LIST("/boot/refind_linux.conf")},
	.plan = vp_boot_refind,
};
/* kernelstub, rpm-ostree, grubby own the command line: the exact command, nothing written */
static const struct vp_boot_target tell = {
	.name = "tell",
	.plan = vp_boot_tell,
};

const struct vp_boot_target *const vp_boot_targets[] = {&grub, &kernel_cmdline, &bls, &refind,
							 &tell};
const size_t vp_n_boot_targets = ARRAY_SIZE(vp_boot_targets);

const struct vp_boot_route vp_boot_routes[] = {
	{VP_BOOT_GRUB, {{&grub}, {&bls, bls_found}, {&kernel_cmdline}}},
	{VP_BOOT_SYSTEMD_BOOT, {{&kernel_cmdline}, {&bls}}},
	{VP_BOOT_BLS, {{&kernel_cmdline}, {&bls}}},
	{VP_BOOT_REFIND, {{&refind}}},
	{VP_BOOT_KERNELSTUB, {{&tell}}},
	{VP_BOOT_RPM_OSTREE, {{&tell}}},
	{VP_BOOT_GRUBBY, {{&tell}}},
	{VP_BOOT_NONE, {{&tell}}},
};
const size_t vp_n_boot_routes = ARRAY_SIZE(vp_boot_routes);

const struct vp_initramfs_target vp_initramfs_targets[] = {
	{VP_INITRAMFS_MKINITCPIO,
	 {.files = LIST("/etc/mkinitcpio.conf", "/etc/mkinitcpio.conf.d/vfio-provision.conf"),
	  .dirs = LIST("/etc/mkinitcpio.conf.d"),
	  /* mkinitcpio v36+ reads drop-ins (plan-mkinitcpio.c) */
	  .dir_paths = LIST("/etc/mkinitcpio.conf.d/")},
	 vp_plan_mkinitcpio},
	{VP_INITRAMFS_DRACUT,
	 /* hostonly= comes from dracut.conf and the drop-ins, in dracut's own order */
	 {.files = LIST("/etc/dracut.conf", "/etc/dracut.conf.d/vfio-provision.conf"),
	  .dirs = LIST("/etc/dracut.conf.d", "/usr/lib/dracut/dracut.conf.d")},
	 vp_plan_dracut},
	{VP_INITRAMFS_INITRAMFS_TOOLS, {.files = LIST("/etc/initramfs-tools/modules")},
	 vp_plan_initramfs_tools},
};
const size_t vp_n_initramfs_targets = ARRAY_SIZE(vp_initramfs_targets);
