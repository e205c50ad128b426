/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Handing the selected functions to vfio-pci at runtime and back
 * (`gpu detach|reattach|status` and the libvirt hook), in four parts:
 *
 *   handoff-probe.c   the runtime state under the root, read-only: each
 *                     function's driver, override and device nodes, the
 *                     processes holding those nodes, the consoles, firmware
 *                     framebuffers and modules (struct vp_hstate)
 *   handoff-plan.c    pure: the steps of a detach, and what blocks it (every
 *                     reason names the process, console or module)
 *   handoff-record.c  the record under /run of what a detach has done
 *   handoff-exec.c    takes the steps: sysfs writes, a wait for the
 *                     kernel's uevent, argv commands; the record is written
 *                     before each step, so a reattach after a crash undoes it
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "vp.h"
#include "vpe-limits.h"

/* One thing a detach does; a reattach undoes it. Strings are owned. */
enum vp_hstep_kind {
	VP_HSTEP_UNIT = 0,      /* a: a systemd unit, stopped (started again) */
	VP_HSTEP_VTCON,         /* a: "vtcon1", unbound from its consoles (bound again) */
	VP_HSTEP_FWFB,          /* a: platform driver, b: its device ("efi-framebuffer.0") */
	VP_HSTEP_UNLOAD,        /* a: a module, unloaded (loaded again) */
	VP_HSTEP_MOVE,          /* a: an address; b, c: the driver and its module to
				   return to (NULL: none, built in) */
	VP_HSTEP_COUNT
};
const char *vp_hstep_name(enum vp_hstep_kind k);  /* "unit", "vtcon", ... */

struct vp_hstep {
	enum vp_hstep_kind kind;
	char *a, *b, *c;
};

struct vp_hsteps {
	struct vp_hstep *v;
	size_t n, cap;
};

int vp_hsteps_add(struct vp_hsteps *s, enum vp_hstep_kind kind, const char *a, const char *b,
		  const char *c);
/* The step of that kind and first argument, or NULL. */
const struct vp_hstep *vp_hsteps_find(const struct vp_hsteps *s, enum vp_hstep_kind kind,
				      const char *a);
void vp_hsteps_remove(struct vp_hsteps *s, size_t i);
void vp_hsteps_free(struct vp_hsteps *s);

/* ---- the runtime state ---------------------------------------------------- */

struct vp_hfn {
	char addr[VPE_ADDR_SIZE];
	bool present;           /* in sysfs (not removed) */
	char *devpath;          /* "/devices/pci0000:00/0000:00:05.0", as uevents name it */
	char *driver;           /* bound now, NULL: none */
	char *module;           /* the driver's module, NULL: built in, or no driver */
	char *override;         /* driver_override, NULL: none */
	int group;              /* IOMMU group, -1: none */
	bool display;           /* PCI class 03 */
	struct vp_strv nodes;   /* its device nodes: /dev/dri/card0, /dev/snd/pcmC1D3p, /dev/fb0 */
	struct vp_strv fbs;     /* its framebuffers: "fb0" */
};

struct vp_hvtcon {
	char *name;             /* "vtcon1" */
	char *desc;             /* "(M) frame buffer device" */
	bool bound;
};

/* A firmware framebuffer whose memory is in a selected function's BAR. */
struct vp_hfwfb {
	char *device;           /* "efi-framebuffer.0" */
	char *driver;           /* "efi-framebuffer", "simple-framebuffer", "vesa-framebuffer" */
	char *addr;             /* the function */
	char *range;            /* "e0000000-e07fffff" as in /proc/iomem */
};

/* A process holding a device node of a selected function open. */
struct vp_huser {
	long pid;
	char *comm;
	char *node;
	char *addr;
};

/* A loaded module that drives a selected function, or holds one that does. */
struct vp_hmod {
	char *name;
	long refcnt;            /* -1: unknown */
	struct vp_strv holders; /* the modules that use it */
	struct vp_strv devices; /* every PCI address bound to one of its drivers */
};

struct vp_hstate {
	struct vp_hfn *fns;             /* in the order asked for */
	size_t n_fns;
	struct vp_hvtcon *vtcons;
	size_t n_vtcons;
	int fb_first;                   /* the lowest /sys/class/graphics/fbN, -1: none */
	char *fbcon_map;                /* the digits of fbcon=map: on the cmdline, NULL */
	struct vp_hfwfb *fwfbs;
	size_t n_fwfbs;
	struct vp_huser *users;
	size_t n_users;
	struct vp_hmod *mods;
	size_t n_mods;
	bool vfio_pci;                  /* the vfio-pci driver is there */
};

struct vp_root;
/*
 * Reads the state of the functions at addrs under the root (sysfs, procfs;
 * nothing is written), and of the modules in mods besides those of their
 * drivers ([handoff] unload).
 */
int vp_hstate_probe(const struct vp_root *root, const struct vp_strv *addrs,
		    const struct vp_strv *mods, struct vp_hstate *ret, char **ret_msg);
void vp_hstate_free(struct vp_hstate *st);
const struct vp_hfn *vp_hstate_fn(const struct vp_hstate *st, const char *addr);
const struct vp_hmod *vp_hstate_mod(const struct vp_hstate *st, const char *name);
/* fbcon draws the consoles on fbN ("fb0"): see handoff-plan.c for the rule. */
bool vp_hstate_console_on(const struct vp_hstate *st, const char *fb);

/* ---- the plan (pure) -------------------------------------------------------- */

/*
 * The steps of a detach, in the order they are taken: with [handoff]
 * single_gpu, the units to stop, the framebuffer consoles and firmware
 * framebuffers to unbind and the modules to unload (each holder before the
 * module it holds); then a move for each function not on vfio-pci. With the
 * record of an interrupted detach (rec, else NULL), its steps come first and
 * keep their drivers to return to; the new ones follow in the same order of
 * kinds.
 */
int vp_handoff_plan(const struct vp_config *cfg, const struct vp_hstate *st,
		    const struct vp_hsteps *rec, struct vp_hsteps *ret);

enum vp_hcheck {
	/*
	 * Before anything changes. In single-GPU mode only what its own steps
	 * cannot clear (modules that stay loaded but hold a driver): the units
	 * it stops may well be the processes that use the card.
	 */
	VP_HCHECK_BEFORE,
	/* Right before the modules and the moves: everything. */
	VP_HCHECK_MOVE,
};

/*
 * What would break if plan went ahead, one sentence each, naming the
 * process (PID and command), console, framebuffer or module. None: 0 and an
 * empty list.
 */
int vp_handoff_blockers(const struct vp_config *cfg, const struct vp_hstate *st,
			const struct vp_hsteps *plan, enum vp_hcheck when, struct vp_strv *ret);

/* ---- the record (handoff-record.c) ------------------------------------------ */

#define VP_HANDOFF_RECORD "/run/vfio-provision/gpu-handoff"
#define VP_HANDOFF_LOCK "/run/vfio-provision/gpu.lock"

struct vp_hrecord {
	struct vp_hsteps steps;         /* in the order taken */
	bool complete;                  /* the detach got to its end */
};

/* Text form: a header, one line a step, "detached" when complete. */
_must_check_ int vp_hrecord_format(const struct vp_hrecord *rec, struct vp_buf *ret);
/* -EINVAL with *ret_msg "'<name>':<line>: ..." for anything else. */
_must_check_ int vp_hrecord_parse(const char *text, size_t len, const char *name, struct vp_hrecord *ret,
		     char **ret_msg);
void vp_hrecord_free(struct vp_hrecord *rec);

struct vp_root;
/* Loads the record under the root: 0, -ENOENT (none), or -errno with *ret_msg. */
_must_check_ int vp_hrecord_load(const struct vp_root *root, struct vp_hrecord *ret, char **ret_msg);
/* Replaces it atomically (fsroot.c); a record without steps is removed. */
_must_check_ int vp_hrecord_save(const struct vp_root *root, const struct vp_hrecord *rec, char **ret_msg);

/* ---- taking the steps (handoff-exec.c) -------------------------------------- */

typedef void (*vp_handoff_say_fn)(void *userdata, const char *line);

struct vp_handoff_opts {
	unsigned long timeout_ms;       /* each wait for the kernel */
	bool reset;                     /* reattach: remove the functions, rescan the bus */
	vp_handoff_say_fn say;          /* a line for each step taken, or NULL */
	vp_handoff_say_fn event;        /* a line for each uevent read (--verbose), or NULL */
	void *userdata;
};

struct vp_handoff_result {
	struct vp_hsteps done;          /* taken (detach) or undone (reattach), in order */
	struct vp_strv blockers;        /* why a detach was refused */
	struct vp_strv failed;          /* what a reattach could not undo */
	bool nothing;                   /* already detached, or nothing to reattach */
	bool rolled_back;               /* a detach failed and undid its steps */
};
void vp_handoff_result_free(struct vp_handoff_result *res);

/*
 * Detaches the functions at addrs ([handoff] of cfg): 0 when done or
 * already done (res->nothing); -EBUSY when refused, with res->blockers
 * (nothing changed, or what changed undone); another -errno with *ret_msg
 * when a step failed (what was done undone: res->rolled_back).
 */
int vp_handoff_detach(const struct vp_root *root, const struct vp_config *cfg,
		      const struct vp_strv *addrs, const struct vp_handoff_opts *o,
		      struct vp_handoff_result *ret, char **ret_msg);
/*
 * Undoes what the record says a detach did, last step first: 0 (also when
 * there is no record: res->nothing), or -errno with *ret_msg and the steps
 * that stay in the record in res->failed.
 */
int vp_handoff_reattach(const struct vp_root *root, const struct vp_handoff_opts *o,
			struct vp_handoff_result *ret, char **ret_msg);
