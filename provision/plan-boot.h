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
/*
 * A bootloader that owns the command line (plan-boot-tell.c): the command
 * to run, how() writes it into b from our tokens and the keys we remove
 * (NULL: "by hand"); name NULL: no bootloader found.
 */
typedef int (*vp_tell_fn)(struct vp_buf *b, const struct vp_plan *plan, const char *toks,
			  const char *rm);
int vp_boot_tell(const char *name, vp_tell_fn how, struct vp_plan *plan);
int vp_tell_kernelstub(struct vp_buf *b, const struct vp_plan *plan, const char *toks,
		       const char *rm);
int vp_tell_rpm_ostree(struct vp_buf *b, const struct vp_plan *plan, const char *toks,
		       const char *rm);
int vp_tell_grubby(struct vp_buf *b, const struct vp_plan *plan, const char *toks,
		   const char *rm);

/*
 * Proxmox VE with ESPs kept by proxmox-boot-tool (plan-boot-proxmox.c), the
 * step after /etc/kernel/cmdline on its systemd-boot route: root= on the
 * first line, then `proxmox-boot-tool refresh`. Its GRUB route regenerates
 * with vp_boot_proxmox_refresh (added once) instead of update-grub.
 */
int vp_boot_proxmox_sdboot(const struct vp_config *cfg, const struct vp_system *sys,
			   struct vp_plan *plan, char **ret_msg);
int vp_boot_proxmox_refresh(struct vp_plan *plan);

/*
 * What a target gives the kernel, read back from its files as its consumer
 * reads them: grub-mkconfig's shell, kernel-install, proxmox-boot-tool,
 * systemd-boot, rEFInd. Each target has a reader (target.h); vp_boot_read
 * walks the bootloader's route as vp_plan_bootloader does. The judge of
 * plan, check and verify (plan-effective.c). Pure.
 */
struct vp_boot_line {
	char *path;             /* the file that holds it */
	unsigned line;          /* 1-based; 0: more than one line or file */
	char *what;             /* what holds it ("options", an entry's title) */
	char *text;             /* what the kernel gets; NULL: cannot be told */
	char *unknown;          /* why it cannot be told */
};

struct vp_boot_lines {
	struct vp_boot_line *v;
	size_t n;
};

void vp_boot_lines_free(struct vp_boot_lines *l);
int vp_boot_lines_add(struct vp_boot_lines *l, const char *path, unsigned line, const char *what,
		      const char *text, const char *unknown) _must_check_;
/*
 * A file as the readers see it: the plan's new content where the plan has
 * the path (NULL: it removes it), else the system's (NULL: absent). plan
 * may be NULL: the files as they are.
 */
const char *vp_boot_view(const struct vp_system *sys, const struct vp_plan *plan,
			 const char *path);
/* Every command line the bootloader in use gives the kernel, from the files as planned. */
int vp_boot_read(const struct vp_config *cfg, const struct vp_system *sys,
		 const struct vp_plan *plan, struct vp_boot_lines *ret) _must_check_;

int vp_boot_grub_read(const struct vp_config *cfg, const struct vp_system *sys,
		      const struct vp_plan *plan, struct vp_boot_lines *out);
int vp_boot_kernel_cmdline_read(const struct vp_config *cfg, const struct vp_system *sys,
				const struct vp_plan *plan, struct vp_boot_lines *out);
int vp_boot_bls_read(const struct vp_config *cfg, const struct vp_system *sys,
		     const struct vp_plan *plan, struct vp_boot_lines *out);

/* The bootloader in use: [bootloader] type, else the probe's. */
enum vp_bootloader vp_boot_target(const struct vp_config *cfg, const struct vp_system *sys);
