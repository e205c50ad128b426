// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Puts plan->cmdline on every command line the bootloader in use reads, by
 * walking the bootloader's route of targets (target.h, targets.c):
 *   grub          /etc/default/grub (or a grub.d drop-in), plus the BLS
 *                 entries Fedora's GRUB reads and /etc/kernel/cmdline if any
 *   systemd-boot  /etc/kernel/cmdline (created when absent) and BLS entries
 *   bls           the entries, and /etc/kernel/cmdline if any
 *   refind        /boot/refind_linux.conf
 *   kernelstub, rpm-ostree, grubby: they own the command line; we print the
 *                 exact command and write nothing.
 *   proxmox-boot-tool (ESPs in /etc/kernel/proxmox-boot-uuids): GRUB's files
 *                 or /etc/kernel/cmdline, then its refresh (plan-boot-proxmox.c);
 *                 a route taken ahead of the plain one when the probe saw it
 * Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-boot.h"
#include "quote.h"
#include "target.h"

/* The first route of the bootloader in use whose when() holds; NULL: none. */
static const struct vp_boot_route *route_of(const struct vp_config *cfg,
					    const struct vp_system *sys)
{
	const struct vp_bootloader_def *d = vp_bootloader_def(vp_boot_target(cfg, sys));

	for (size_t i = 0; d && i < ARRAY_SIZE(d->routes) && d->routes[i].steps[0].target; i++)
		if (!d->routes[i].when || d->routes[i].when(sys))
			return &d->routes[i];
	return NULL;
}

int vp_plan_bootloader(const struct vp_config *cfg, const struct vp_system *sys,
		       const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	const struct vp_boot_route *route;
	int r = 0;

	(void)sel;
	if (plan->n_cmdline == 0)
		return 0;
	/* every route below writes or prints these: refuse what would break a line */
	for (size_t i = 0; i < plan->n_cmdline && r >= 0; i++)
		if (plan->cmdline[i].token)
			r = vp_cmdline_token_check(plan->cmdline[i].token,
						   "the kernel command line", ret_msg);
	if (r < 0)
		return r;
	route = route_of(cfg, sys);
	if (!route) {   /* a bootloader with no route owns the line: what to run */
		const struct vp_bootloader_def *d = vp_bootloader_def(vp_boot_target(cfg, sys));

		return vp_boot_tell(d ? d->name : NULL, d ? d->tell : NULL, plan);
	}
	for (size_t i = 0; route->steps[i].target && r >= 0; i++) {
		const struct vp_boot_step *s = &route->steps[i];

		if (!s->only_if || s->only_if(sys))
			r = s->target->plan(cfg, sys, plan, ret_msg);
	}
	return r;
}

int vp_boot_read(const struct vp_config *cfg, const struct vp_system *sys,
		 const struct vp_plan *plan, struct vp_boot_lines *ret)
{
	const struct vp_boot_route *route = route_of(cfg, sys);
	struct vp_boot_lines l = {0};
	int r = 0;

	for (size_t i = 0; route && route->steps[i].target && r >= 0; i++) {
		const struct vp_boot_step *s = &route->steps[i];

		if (s->target->read && (!s->only_if || s->only_if(sys)))
			r = s->target->read(cfg, sys, plan, &l);
	}
	if (r < 0) {
		vp_boot_lines_free(&l);
		return r;
	}
	*ret = l;
	return 0;
}
