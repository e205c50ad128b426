// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Proxmox VE with ESPs kept by proxmox-boot-tool (sys->pve_boot_tool). The
 * ESPs are not mounted; `proxmox-boot-tool refresh` copies the kernels and
 * initrds onto each of them and writes their boot configuration:
 *   systemd-boot  a loader entry per kernel whose options line is the first
 *                 line of /etc/kernel/cmdline (refresh fails without root=
 *                 in it); so we edit that file, never BLS entries in the
 *                 root and never kernel-install.
 *   grub          update-grub with the ESP bind-mounted on /boot, which
 *                 reads /etc/default/grub and grub.d as usual; so the GRUB
 *                 planner edits those. update-grub run directly would only
 *                 write /boot/grub/grub.cfg, which these ESPs do not read
 *                 (Proxmox's /etc/grub.d/000_proxmox_boot_header then runs
 *                 the refresh itself): the one command is the refresh.
 * The refresh goes after update-initramfs (the initramfs planner runs first)
 * so the new images are what it copies. Pure.
 */
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "plan-boot.h"

#define KERNEL_CMDLINE "/etc/kernel/cmdline"

int vp_boot_proxmox_refresh(struct vp_plan *plan)
{
	const char *argv[] = {"proxmox-boot-tool", "refresh", NULL};

	for (size_t i = 0; i < plan->n_commands; i++)
		if (strcmp(plan->commands[i].argv[0], argv[0]) == 0)
			return 0;
	return vp_plan_add_command(plan, argv, "copies kernels and initrds to the ESPs in "
				   "/etc/kernel/proxmox-boot-uuids and writes their boot entries "
				   "with the new command line");
}

/* The first line must carry root=, or refresh stops with an error. */
static int check_root(struct vp_plan *plan)
{
	const struct vp_plan_file *pf = vp_plan_file(plan, KERNEL_CMDLINE);
	_cleanup_free_ char *first = NULL;
	struct vp_cmdline c = {0};
	bool has_root = false;
	int r;

	if (!pf || !pf->content)
		return 0;
	first = strndup(pf->content, strcspn(pf->content, "\n"));
	if (!first)
		return -ENOMEM;
	r = vp_cmdline_split(first, &c, NULL);
	if (r == -ENOMEM)
		return r;
	for (size_t i = 0; r >= 0 && i < c.n_params; i++)
		has_root |= vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, "root", 4);
	vp_cmdline_free(&c);
	if (has_root)
		return 0;
	return vp_plan_msg(plan, VP_MSG_WARN,
			   "'" KERNEL_CMDLINE "':1: no root=: `proxmox-boot-tool refresh` refuses "
			   "to write boot entries without it; add the root (e.g. "
			   "root=ZFS=rpool/ROOT/pve-1 boot=zfs) first");
}

int vp_boot_proxmox_sdboot(const struct vp_config *cfg, const struct vp_system *sys,
			   struct vp_plan *plan, char **ret_msg)
{
	int r;

	(void)cfg;
	(void)sys;
	(void)ret_msg;
	r = check_root(plan);
	return r < 0 ? r : vp_boot_proxmox_refresh(plan);
}
