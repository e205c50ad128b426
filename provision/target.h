/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One descriptor a target: a bootloader (where the kernel command line is
 * kept) or an initramfs generator. It carries everything about the target:
 * the name users write in the config, what the probe takes as evidence of
 * it, the files it reads and edits (the probe loads exactly those, so a
 * planner never sees a file nobody read as "absent"), its planner, how the
 * command line is read back from its files, and its rebuild command.
 * How its items are found and taken out of a file again needs no code of
 * its own: the ledger keeps the file without us and what we wrote, and
 * merge3.c undoes the difference on the file as it is (owner.h).
 *
 * Everything else walks the table in use (vp_targets): the probe
 * (probe-boot.c, probe-files.c), the config's names, the dispatchers
 * (plan-bootloader.c, plan-initramfs.c), the rebuild commands
 * (plan-regen-for.c), the command-line diff and detect. Adding a target is
 * its descriptor, in its planner file, and one entry in targets.c
 * (docs/adding-a-target.md).
 */
#pragma once

#include "plan-boot.h"
#include "plan-initramfs.h"
#include "plan.h"

/* A NULL-terminated list literal, for the lists of a descriptor. */
#define VP_LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * What the probe takes as evidence (probe-boot.c): a clue holds when every
 * part it gives holds. A target is found when one of its clues holds, with
 * the highest score among them; the found target with the highest score is
 * the one in use, the first in the table among equals. What vfio-provision
 * created itself is no evidence (the ledger says which).
 */
struct vp_clue {
	int score;                      /* > 0; the list of clues ends at 0 */
	const char *const *all;         /* each of these exists */
	const char *const *any;         /* one of these exists */
	const char *const *programs;    /* one of these is in a bin directory */
	const char *conf_in;            /* a directory holding a *.conf */
	const char *unless;             /* not when the target of this name holds */
};

/*
 * Debian and Ubuntu let one of several generators build the images (their
 * packages conflict) while another leaves traces: the package installed,
 * else the kernel postinst hook, says which (probe-boot.c).
 */
struct vp_dpkg_claim {
	const char *package;            /* the package that builds the images */
	const char *hook;               /* its /etc/kernel/postinst.d hook */
	const char *missing;            /* how a note names it when not installed */
	const char *part;               /* a package with the program alone, or NULL */
	const char *part_note;          /* said when only part is installed */
};

struct vp_target_files {
	const char *const *files;       /* read or edited, NULL-terminated */
	const char *const *dirs;        /* every *.conf in these is read too */
	const char *const *dir_paths;   /* existence only ("/etc/x.d/") */
};

typedef int (*vp_boot_fn)(const struct vp_config *cfg, const struct vp_system *sys,
			  struct vp_plan *plan, char **ret_msg);
/* Reads back what the target gives the kernel (plan-boot.h); NULL: nothing of its own. */
typedef int (*vp_boot_read_fn)(const struct vp_config *cfg, const struct vp_system *sys,
			       const struct vp_plan *plan, struct vp_boot_lines *out);
/*
 * Where the command line starts on one line of the target's file (NULL:
 * the line holds none), and what holds it (*what, malloc'ed, NULL for the
 * whole line): how cmdline-diff.c reads the files a plan changes.
 */
typedef const char *(*vp_boot_line_fn)(const char *p, size_t len, char **what);

/* A file (or set of files) a bootloader reads the command line from. */
struct vp_boot_target {
	const char *name;
	struct vp_target_files in;
	vp_boot_fn plan;
	vp_boot_read_fn read;
	vp_boot_line_fn line;           /* NULL: cmdline-diff.c knows the format */
	const char *const *feeds;       /* path prefixes whose change needs the rebuild */
};

/* The targets of a bootloader, in the order their files are planned. */
struct vp_boot_step {
	const struct vp_boot_target *target;
	bool (*only_if)(const struct vp_system *sys);   /* NULL: always */
};

/* The first route whose when() holds (NULL: always) is taken. */
struct vp_boot_route {
	bool (*when)(const struct vp_system *sys);
	struct vp_boot_step steps[4];                   /* ends at a NULL target */
};

/*
 * A bootloader. Without routes it owns the command line itself (kernelstub,
 * rpm-ostree, grubby): plan-boot-tell.c prints its tell() and writes nothing.
 */
struct vp_bootloader_def {
	const char *name;               /* [bootloader] type and detect's name */
	const char *const *aliases;     /* more names [bootloader] type accepts */
	struct vp_clue clues[3];
	struct vp_boot_route routes[3]; /* ends at a route with no steps */
	/* What makes a changed file take effect (grub-mkconfig); NULL: nothing. */
	int (*rebuild)(const struct vp_system *sys, struct vp_plan *plan);
	/* Without routes: the command that changes the line (NULL: by hand). */
	vp_tell_fn tell;
};

struct vp_generator_def {
	const char *name;               /* [initramfs] generator and detect's name */
	struct vp_clue clues[3];
	const struct vp_dpkg_claim *dpkg;
	struct vp_target_files in;
	const char *const *feeds;       /* path prefixes whose change needs the rebuild */
	int (*plan)(const struct vp_initramfs_ctx *c, struct vp_plan *plan, char **ret_msg);
	/*
	 * How its module list marks a module some kernel lacks ("?": mkinitcpio's
	 * optional module); NULL: such a module is left out (vp_modules_list).
	 */
	const char *optional;
	const char *const *rebuild;     /* argv of the rebuild of every image */
	const char *rebuild_why[2];     /* its reason, around the list of kernels */
};

/*
 * The table: index 0 of each list is "none" (no clues, nothing planned); the
 * built-ins sit at the index of their enum value (system.h), and a target
 * with no enum value is simply the next index. At most VP_BOOT_MAX
 * bootloaders and VP_INITRAMFS_MAX generators.
 */
struct vp_targets {
	const struct vp_bootloader_def *const *bootloaders;
	size_t n_bootloaders;
	const struct vp_generator_def *const *generators;
	size_t n_generators;
	/* Files every plan reads whatever the targets: fstab, group, our own files. */
	const struct vp_target_files *core;
};

/* The table in use: targets.c's built-ins; a test may point it at its own. */
extern const struct vp_targets *vp_targets;
extern const struct vp_targets vp_builtin_targets;

const struct vp_bootloader_def *vp_bootloader_def(enum vp_bootloader b);   /* NULL: none */
const struct vp_generator_def *vp_generator_def(enum vp_initramfs g);      /* NULL: none */
/* Every file target on a route of the table, each once, at most max. */
#define VP_BOOT_TARGETS_MAX 32
size_t vp_boot_targets_all(const struct vp_boot_target **v, size_t max);
