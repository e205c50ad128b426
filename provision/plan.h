/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan: pure (config, system, selection) -> full new file contents,
 * kernel cmdline edits, commands to run and messages. No I/O here: the
 * current content of every file the plan looks at is in sys->files.
 */
#pragma once

#include "config.h"
#include "select.h"
#include "system.h"

#define VP_MANAGED_HEADER "# Managed by vfio-provision"
/*
 * The second line of every file of ours: what happens to edits (the rule
 * for items the user changed, owner.c).
 */
#define VP_EDITS_NOTE "# Edits here are replaced by the next `vfio-provision apply`, which names\n" \
		      "# them; revert leaves an edited file (revert --force removes it).\n"

enum vp_msg_level { VP_MSG_INFO = 0, VP_MSG_WARN, VP_MSG_REFUSE };

struct vp_msg {
	enum vp_msg_level level;
	char *text;
};

struct vp_plan_file {
	char *path;             /* absolute path inside the root */
	char *content;          /* wanted bytes; NULL = file must not exist */
	unsigned mode;          /* for a new file (an edited file keeps its own) */
	bool owned;             /* whole file is ours (starts with the header) */
	char *reason;           /* why, for `plan` */
};

struct vp_cmdline_token {
	char *key;              /* "intel_iommu", "hugepagesz", "vfio-pci.ids" */
	char *token;            /* full token "intel_iommu=on"; NULL = remove key */
	char *reason;
};

/* An external program to run after apply (--regenerate), argv NULL-terminated. */
struct vp_command {
	char **argv;
	char *why;
};

struct vp_plan {
	struct vp_plan_file *files;
	size_t n_files;
	struct vp_cmdline_token *cmdline;  /* wanted edits, decided once */
	size_t n_cmdline;
	struct vp_command *commands;       /* regeneration, in order */
	size_t n_commands;
	struct vp_msg *msgs;
	size_t n_msgs;
	/* Advice only `plan` prints (e.g. the libvirt XML to paste). */
	struct vp_strv hints;
	bool refused;                      /* any VP_MSG_REFUSE */
	/*
	 * Directories apply creates (mode 0755, parents too) when missing,
	 * e.g. the hugetlbfs mount point; never removed by revert if not empty.
	 */
	struct vp_strv dirs;
};

void vp_plan_free(struct vp_plan *plan);
int vp_plan_add_file(struct vp_plan *plan, const char *path, char *content_take,
		     unsigned mode, bool owned, const char *reason);
int vp_plan_add_token(struct vp_plan *plan, const char *key, const char *token,
		      const char *reason);
int vp_plan_add_dir(struct vp_plan *plan, const char *path);
int vp_plan_add_command(struct vp_plan *plan, const char *const *argv, const char *why);
int vp_plan_msg(struct vp_plan *plan, enum vp_msg_level level, const char *fmt, ...)
	_printf_(3, 4);
const struct vp_plan_file *vp_plan_file(const struct vp_plan *plan, const char *path);

/*
 * The whole plan. Calls every generator (plan-*.c) in a fixed order:
 * modprobe, early.conf, fstab, initramfs, cmdline tokens, bootloader files.
 * Returns a negative errno only for -ENOMEM or input that cannot be
 * planned (with *ret_msg); refusals are messages in the plan.
 */
int vp_plan_build(const struct vp_config *cfg, const struct vp_system *sys,
		  const struct vp_selection *sel, struct vp_plan *ret, char **ret_msg);

/* One generator: adds to the plan. Every plan-*.c exports one of these. */
typedef int (*vp_planner_fn)(const struct vp_config *cfg, const struct vp_system *sys,
			     const struct vp_selection *sel, struct vp_plan *plan,
			     char **ret_msg);
int vp_plan_modprobe(const struct vp_config *, const struct vp_system *,
		     const struct vp_selection *, struct vp_plan *, char **);
int vp_plan_early(const struct vp_config *, const struct vp_system *,
		  const struct vp_selection *, struct vp_plan *, char **);
int vp_plan_fstab(const struct vp_config *, const struct vp_system *,
		  const struct vp_selection *, struct vp_plan *, char **);
int vp_plan_initramfs(const struct vp_config *, const struct vp_system *,
		      const struct vp_selection *, struct vp_plan *, char **);
int vp_plan_cmdline(const struct vp_config *, const struct vp_system *,
		    const struct vp_selection *, struct vp_plan *, char **);
int vp_plan_kconfig(const struct vp_config *, const struct vp_system *,
		    const struct vp_selection *, struct vp_plan *, char **);
int vp_plan_bootloader(const struct vp_config *, const struct vp_system *,
		       const struct vp_selection *, struct vp_plan *, char **);
/* plan-effective.c: the command lines as planned, judged by what the kernel makes of them */
int vp_plan_judge(const struct vp_config *, const struct vp_system *,
		  const struct vp_selection *, struct vp_plan *, char **);
int vp_plan_libvirt(const struct vp_config *, const struct vp_system *,
		    const struct vp_selection *, struct vp_plan *, char **);
int vp_plan_proxmox(const struct vp_config *, const struct vp_system *,
		    const struct vp_selection *, struct vp_plan *, char **);

/*
 * Paths no plan may ever hold, files or directories: /etc/pve, Proxmox's
 * cluster filesystem. Lexical (".", "..", "//" resolved). vp_plan_build
 * fails with -EPERM naming the path when a planner put one in.
 */
bool vp_plan_path_forbidden(const char *path);
int vp_plan_check_paths(const struct vp_plan *plan, char **ret_msg);
