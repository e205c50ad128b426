/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One descriptor a target: a place the kernel command line is kept (a
 * bootloader's file) or an initramfs generator. It says which files the
 * target reads and edits (the probe loads exactly those, so a planner never
 * sees a file nobody read as "absent"), and which planner wants its items.
 * How its items are found and taken out of a file again needs no code of
 * its own: the ledger keeps the file without us and what we wrote, and
 * merge3.c undoes the difference on the file as it is (owner.h).
 * The dispatchers (plan-bootloader.c, plan-initramfs.c) walk targets.c's
 * tables; adding a target is a descriptor there and its planner file.
 */
#pragma once

#include "plan-boot.h"
#include "plan-initramfs.h"
#include "plan.h"

typedef int (*vp_boot_fn)(const struct vp_config *cfg, const struct vp_system *sys,
			  struct vp_plan *plan, char **ret_msg);
/* Reads back what the target gives the kernel (plan-boot.h); NULL: nothing of its own. */
typedef int (*vp_boot_read_fn)(const struct vp_config *cfg, const struct vp_system *sys,
			       const struct vp_plan *plan, struct vp_boot_lines *out);

struct vp_target_files {
	const char *const *files;       /* read or edited, NULL-terminated */
	const char *const *dirs;        /* every *.conf in these is read too */
	const char *const *dir_paths;   /* existence only ("/etc/x.d/") */
};

struct vp_boot_target {
	const char *name;
	struct vp_target_files in;
	vp_boot_fn plan;
	vp_boot_read_fn read;
};

struct vp_initramfs_target {
	enum vp_initramfs gen;
	struct vp_target_files in;
	int (*plan)(const struct vp_initramfs_ctx *c, struct vp_plan *plan, char **ret_msg);
};

/* The targets of each bootloader, in the order their files are planned. */
struct vp_boot_step {
	const struct vp_boot_target *target;
	bool (*only_if)(const struct vp_system *sys);   /* NULL: always */
};

/* The first route of the bootloader whose when() holds (NULL: always) is taken. */
struct vp_boot_route {
	enum vp_bootloader bl;
	bool (*when)(const struct vp_system *sys);
	struct vp_boot_step steps[4];                   /* ends at a NULL target */
};

extern const struct vp_boot_route vp_boot_routes[];
extern const size_t vp_n_boot_routes;
extern const struct vp_boot_target *const vp_boot_targets[];
extern const size_t vp_n_boot_targets;
extern const struct vp_initramfs_target vp_initramfs_targets[];
extern const size_t vp_n_initramfs_targets;
/* Files every plan reads whatever the targets: fstab, group, our own files. */
extern const struct vp_target_files vp_core_files;
