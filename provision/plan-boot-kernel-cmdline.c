// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/kernel/cmdline, which kernel-install (systemd-boot entries, UKIs)
 * puts on every kernel it installs. When the file does not exist
 * kernel-install falls back to /proc/cmdline, so under systemd-boot we
 * create it from the root's current command line minus what the loader
 * adds itself (BOOT_IMAGE=, initrd=), and it must carry root=. Proxmox's
 * proxmox-boot-tool reads the same file (its first line) for the entries on
 * its ESPs and falls back to /proc/cmdline the same way; it is never
 * followed by kernel-install there. Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-regen.h"
#include "cmdline.h"
#include "plan-boot.h"

#define KERNEL_CMDLINE "/etc/kernel/cmdline"

/* The new file: our merge of /proc/cmdline without the loader's words. */
static int create_content(const struct vp_system *sys, struct vp_plan *plan, char **ret,
			  char **ret_msg)
{
	struct vp_cmdline_token loader[] = {
		{.key = "BOOT_IMAGE"}, {.key = "initrd"},
	};
	_cleanup_free_ char *base = NULL, *merged = NULL;
	struct vp_cmdline c = {0};
	bool has_root = false;
	int r;

	r = vp_cmdline_apply(sys->proc_cmdline ? sys->proc_cmdline : "", loader,
			     ARRAY_SIZE(loader), &base, ret_msg);
	if (r < 0)
		return r;
	/* one line, one space between words: nobody's spacing to keep */
	r = vp_cmdline_split(base, &c, ret_msg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c.n_params; i++)
		has_root |= vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, "root", 4);
	vp_cmdline_free(&c);
	if (!has_root) {
		char *with_root;

		if (!sys->root_spec)
			return vp_fail(ret_msg, -EINVAL,
				       "'" KERNEL_CMDLINE "': would be created without root=: "
				       "neither /proc/cmdline nor /etc/fstab names the root "
				       "device; create the file by hand");
		with_root = vp_strdup_printf("root=%s%s%s", sys->root_spec, *base ? " " : "", base);
		if (!with_root)
			return -ENOMEM;
		free(base);
		base = with_root;
	}
	r = vp_boot_merge(plan, vp_strstrip(base), "/proc/cmdline", 1, &merged, ret_msg);
	if (r < 0)
		return r;
	r = vp_boot_check(plan, base, merged, KERNEL_CMDLINE, 1, ret_msg);
	if (r < 0)
		return r;
	*ret = vp_strdup_printf("%s\n", merged);
	return *ret ? 0 : -ENOMEM;
}

/*
 * proxmox-boot-tool reads the first line alone (get_first_line in
 * proxmox-kernel-helper): our tokens go there, the other lines stay as
 * they are, unread.
 */
static int first_line(struct vp_plan *plan, const struct vp_file *f, char **ret, char **ret_msg)
{
	size_t len = strcspn(f->content, "\n");
	_cleanup_free_ char *first = strndup(f->content, len), *merged = NULL;
	int r;

	if (!first)
		return -ENOMEM;
	r = vp_boot_merge(plan, first, f->path, 1, &merged, ret_msg);
	if (r >= 0)
		r = vp_boot_check(plan, first, merged, f->path, 1, ret_msg);
	if (r < 0)
		return r;
	*ret = vp_strdup_printf("%s%s", merged, f->content + len);
	return *ret ? 0 : -ENOMEM;
}

int vp_boot_kernel_cmdline(const struct vp_config *cfg, const struct vp_system *sys,
			   struct vp_plan *plan, char **ret_msg)
{
	const struct vp_file *f = vp_system_file(sys, KERNEL_CMDLINE);
	enum vp_bootloader bl = vp_boot_target(cfg, sys);
	char *content = NULL;
	const char *why;
	int r;

	if (f && f->content && sys->pve_boot_tool) {
		r = first_line(plan, f, &content, ret_msg);
		if (r < 0)
			return r;
		why = "proxmox-boot-tool refresh puts its first line on every kernel's entry on "
		      "the ESPs";
	} else if (f && f->content) {
		r = vp_boot_merge(plan, f->content, f->path, 1, &content, ret_msg);
		if (r >= 0)
			r = vp_boot_check(plan, f->content, content, f->path, 1, ret_msg);
		if (r < 0) {
			free(content);
			return r;
		}
		why = "kernel-install puts it on every kernel it installs";
	} else if (bl == VP_BOOT_SYSTEMD_BOOT) {
		r = create_content(sys, plan, &content, ret_msg);
		if (r < 0)
			return r;
		why = sys->pve_boot_tool ?
			"created from /proc/cmdline (without BOOT_IMAGE=, initrd=): without it "
			"proxmox-boot-tool copies the running command line, without our tokens" :
			"created from /proc/cmdline (without BOOT_IMAGE=, initrd=): without it "
			"kernel-install copies the running command line, without our tokens";
	} else {
		return 0;
	}
	r = vp_plan_add_file(plan, KERNEL_CMDLINE, content, f && f->content ? f->mode : 0644,
			     false, why);
	/* proxmox-boot-tool builds its own entries: never kernel-install there */
	if (sys->pve_boot_tool)
		return r;
	if (r >= 0 && sys->uki)
		r = vp_plan_msg(plan, VP_MSG_WARN,
				"kernel-install builds unified kernel images here: the command "
				"line is inside each signed UKI, so rebuild (and re-sign) them "
				"with kernel-install add <version> <kernel image> after apply");
	if (r >= 0)
		r = vp_regen_uki(sys, plan);
	return r;
}

/*
 * kernel-install joins every line (90-loaderentry.install: tr -s "$IFS" ' ');
 * proxmox-boot-tool puts only the first line on its entries; without the
 * file both copy the running command line less the loader's words.
 */
int vp_boot_kernel_cmdline_read(const struct vp_config *cfg, const struct vp_system *sys,
				const struct vp_plan *plan, struct vp_boot_lines *out)
{
	const char *c = vp_boot_view(sys, plan, KERNEL_CMDLINE), *nl;
	enum vp_bootloader bl = vp_boot_target(cfg, sys);
	_cleanup_free_ char *text = NULL;
	int r;

	/* proxmox-boot-tool with GRUB never reads it: kept in step only */
	if (sys->pve_boot_tool && bl == VP_BOOT_GRUB)
		return 0;
	if (!c) {
		struct vp_cmdline_token loader[] = {{.key = "BOOT_IMAGE"}, {.key = "initrd"}};

		if (bl != VP_BOOT_SYSTEMD_BOOT || !sys->proc_cmdline)
			return 0;
		r = vp_cmdline_apply(sys->proc_cmdline, loader, ARRAY_SIZE(loader), &text, NULL);
		if (r == -ENOMEM)
			return r;
		return vp_boot_lines_add(out, "/proc/cmdline", 1,
					 "the running command line, copied without "
					 KERNEL_CMDLINE, r < 0 ? NULL : text,
					 r < 0 ? "its quoting is broken" : NULL);
	}
	if (sys->pve_boot_tool) {
		text = strndup(c, strcspn(c, "\n"));
		return text ? vp_boot_lines_add(out, KERNEL_CMDLINE, 1, "its first line, the only "
						"one proxmox-boot-tool puts on the ESPs' entries",
						text, NULL) : -ENOMEM;
	}
	nl = strchr(c, '\n');
	text = strdup(c);
	if (!text)
		return -ENOMEM;
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	/* one line: name it; more: the file as a whole */
	return vp_boot_lines_add(out, KERNEL_CMDLINE, nl && nl[strspn(nl, " \t\r\n")] ? 0 : 1,
				 "every line, as kernel-install joins them", text, NULL);
}
