// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Puts plan->cmdline on every command line the bootloader in use reads:
 *   grub          /etc/default/grub (or a grub.d drop-in), plus the BLS
 *                 entries Fedora's GRUB reads and /etc/kernel/cmdline if any
 *   systemd-boot  /etc/kernel/cmdline (created when absent) and BLS entries
 *   bls           the entries, and /etc/kernel/cmdline if any
 *   refind        /boot/refind_linux.conf
 *   kernelstub, rpm-ostree, grubby: they own the command line; we print the
 *                 exact command and write nothing.
 *   proxmox-boot-tool (ESPs in /etc/kernel/proxmox-boot-uuids): GRUB's files
 *                 or /etc/kernel/cmdline, then its refresh (plan-boot-proxmox.c)
 * Pure.
 */
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "plan-boot.h"

enum vp_bootloader vp_boot_target(const struct vp_config *cfg, const struct vp_system *sys)
{
	return cfg->bootloader_auto ? sys->bootloader : cfg->bootloader;
}

static int merge_at(const struct vp_plan *plan, const char *orig, const char *path,
		    unsigned line, bool strip, char **ret, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	int r;

	if (strip)
		r = vp_cmdline_strip(orig, plan->cmdline, plan->n_cmdline, ret, &msg);
	else
		r = vp_cmdline_apply(orig, plan->cmdline, plan->n_cmdline, ret, &msg);
	if (r < 0 && msg)
		return vp_fail(ret_msg, r, "'%s':%u: %s", path, line, msg);
	return r;
}

int vp_boot_merge(const struct vp_plan *plan, const char *orig, const char *path,
		  unsigned line, char **ret, char **ret_msg)
{
	return merge_at(plan, orig, path, line, false, ret, ret_msg);
}

int vp_boot_strip(const struct vp_plan *plan, const char *orig, const char *path,
		  unsigned line, char **ret, char **ret_msg)
{
	return merge_at(plan, orig, path, line, true, ret, ret_msg);
}

static const char *planned(const struct vp_plan *plan, const char *key)
{
	for (size_t i = 0; i < plan->n_cmdline; i++)
		if (vp_cmdline_key_eq(plan->cmdline[i].key, strlen(plan->cmdline[i].key), key,
				      strlen(key)))
			return plan->cmdline[i].token ? plan->cmdline[i].token : "";
	return NULL;
}

int vp_boot_check(struct vp_plan *plan, const char *orig, const char *merged,
		  const char *path, unsigned line, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL, *word = NULL;
	int r;

	r = vp_cmdline_check_size(merged, VP_CMDLINE_MAX, &msg);
	if (r < 0)
		return msg ? vp_fail(ret_msg, r, "'%s':%u: %s", path, line, msg) : r;
	if (!planned(plan, "default_hugepagesz"))
		return 0;
	r = vp_cmdline_default_hugepages(orig, &word);
	if (r < 0 || !word)
		return r == -ENOMEM ? r : 0;
	if (planned(plan, "hugepages"))
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "'%s':%u: '%s' counts pages of the default size, which "
				   "default_hugepagesz=1G makes 1 GiB: replaced by our count "
				   "(write hugepagesz=2M before it to keep a 2 MiB pool)",
				   path, line, word);
	return vp_plan_msg(plan, VP_MSG_REFUSE,
			   "'%s':%u: '%s' counts pages of the default size, which "
			   "default_hugepagesz=1G would make 1 GiB pages; write "
			   "hugepagesz=2M before it (or remove it) first", path, line, word);
}

static char *join(const struct vp_plan *plan, bool removed)
{
	struct vp_buf b = {0};
	int r = vp_buf_puts(&b, "");

	for (size_t i = 0; i < plan->n_cmdline && r >= 0; i++) {
		const char *s = removed ? plan->cmdline[i].key : plan->cmdline[i].token;

		if (!plan->cmdline[i].token != removed)
			continue;
		if (b.len)
			r = vp_buf_puts(&b, " ");
		if (r >= 0)
			r = vp_buf_puts(&b, s);
	}
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

char *vp_boot_tokens(const struct vp_plan *plan)
{
	return join(plan, false);
}

char *vp_boot_removed_keys(const struct vp_plan *plan)
{
	return join(plan, true);
}

/* Tools that own the command line: the exact commands, nothing written. */
static int tell(const struct vp_system *sys, enum vp_bootloader bl, struct vp_plan *plan)
{
	_cleanup_free_ char *toks = vp_boot_tokens(plan), *rm = vp_boot_removed_keys(plan);
	struct vp_buf b = {0};
	int r = 0;

	(void)sys;
	if (!toks || !rm)
		return -ENOMEM;
	switch (bl) {
	case VP_BOOT_KERNELSTUB:
		if (*toks)
			r = vp_buf_printf(&b, "kernelstub -a '%s'", toks);
		if (r >= 0 && *rm)
			r = vp_buf_printf(&b, "%s(and remove any %s with kernelstub -d)",
					  b.len ? "; " : "", rm);
		break;
	case VP_BOOT_RPM_OSTREE:
		r = vp_buf_puts(&b, "rpm-ostree kargs");
		for (size_t i = 0; i < plan->n_cmdline && r >= 0; i++) {
			if (plan->cmdline[i].token)
				r = vp_buf_printf(&b, " --append-if-missing=%s", plan->cmdline[i].token);
			else
				r = vp_buf_printf(&b, " --delete-if-present=%s", plan->cmdline[i].key);
		}
		break;
	case VP_BOOT_GRUBBY:
		r = vp_buf_puts(&b, "grubby --update-kernel=ALL");
		if (r >= 0 && *toks)
			r = vp_buf_printf(&b, " --args='%s'", toks);
		if (r >= 0 && *rm)
			r = vp_buf_printf(&b, " --remove-args='%s'", rm);
		break;
	default:
		r = vp_buf_printf(&b, "add to the kernel command line by hand: %s", toks);
		break;
	}
	if (r >= 0)
		r = vp_plan_msg(plan, VP_MSG_WARN, "%s owns the kernel command line, nothing "
				"written; run: %s", vp_bootloader_name(bl), b.s);
	vp_buf_free(&b);
	return r;
}

int vp_plan_bootloader(const struct vp_config *cfg, const struct vp_system *sys,
		       const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	enum vp_bootloader bl = vp_boot_target(cfg, sys);
	int r = 0;

	(void)sel;
	if (plan->n_cmdline == 0)
		return 0;
	/* the ESPs proxmox-boot-tool keeps: its own files and command */
	if (sys->pve_boot_tool && (bl == VP_BOOT_GRUB || bl == VP_BOOT_SYSTEMD_BOOT))
		return vp_boot_proxmox(cfg, sys, plan, ret_msg);
	switch (bl) {
	case VP_BOOT_GRUB:
		r = vp_boot_grub(cfg, sys, plan, ret_msg);
		/* Fedora's GRUB reads the options of BLS entries, not grub.cfg */
		if (r >= 0 && sys->bootloader_found[VP_BOOT_BLS])
			r = vp_boot_bls(cfg, sys, plan, ret_msg);
		if (r >= 0)
			r = vp_boot_kernel_cmdline(cfg, sys, plan, ret_msg);
		break;
	case VP_BOOT_SYSTEMD_BOOT:
	case VP_BOOT_BLS:
		r = vp_boot_kernel_cmdline(cfg, sys, plan, ret_msg);
		if (r >= 0)
			r = vp_boot_bls(cfg, sys, plan, ret_msg);
		break;
	case VP_BOOT_REFIND:
		r = vp_boot_refind(cfg, sys, plan, ret_msg);
		break;
	case VP_BOOT_KERNELSTUB:
	case VP_BOOT_RPM_OSTREE:
	case VP_BOOT_GRUBBY:
		r = tell(sys, bl, plan);
		break;
	default:
		r = vp_plan_msg(plan, VP_MSG_WARN, "no bootloader found under the root");
		if (r >= 0)
			r = tell(sys, bl, plan);
		break;
	}
	return r;
}
