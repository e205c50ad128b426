/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/vfio-provision.conf then /etc/vfio-provision.conf.d/NAME.conf in lexical
 * order, read with inih. Every key is documented in
 * templates/vfio-provision.conf.
 */
#pragma once

#include <stdbool.h>

#include "root.h"
#include "system.h"
#include "vp.h"

enum vp_strategy { VP_STRATEGY_AUTO = 0, VP_STRATEGY_IDS, VP_STRATEGY_OVERRIDE };
const char *vp_strategy_name(enum vp_strategy s);

enum vp_hp_mode {
	VP_HP_EARLY = 0,        /* program only: our early-boot program reserves them */
	VP_HP_BOOT,             /* default: hugepages=N on the kernel cmdline, sized to
				   fit; the early program guards host_min at boot */
	VP_HP_CMA,              /* hugetlb_cma=<size>, pages reserved at runtime */
	VP_HP_RUNTIME,          /* nothing at boot; `hugepages reserve` on demand */
};
const char *vp_hp_mode_name(enum vp_hp_mode m);

enum vp_thp { VP_THP_KEEP = 0, VP_THP_NEVER, VP_THP_MADVISE, VP_THP_ALWAYS };

enum vp_iommu_opt { VP_IOMMU_AUTO = 0, VP_IOMMU_ON, VP_IOMMU_KEEP };

struct vp_config {
	/* [gpu] */
	bool select_auto;               /* select = auto (default) */
	struct vp_strv select;          /* "vvvv:dddd" or "DDDD:BB:DD.F" entries */
	enum vp_strategy strategy;
	/* [hugepages] */
	unsigned long hp_count;         /* 1 GiB pages; 0 = none ("size" converted) */
	int hp_node;                    /* -1 = auto (the GPU's node, else any) */
	enum vp_hp_mode hp_mode;
	char *hp_mount;                 /* default "/dev/hugepages1G"; "" = no fstab line */
	char *hp_group;                 /* default "kvm" */
	unsigned long host_min_mib;     /* memory always left to the host, default 2048 */
	/* [initramfs] */
	bool initramfs_auto;            /* generator = auto (default) */
	enum vp_initramfs initramfs;    /* when !initramfs_auto (NONE = leave alone) */
	bool regenerate;
	/* [bootloader] */
	bool bootloader_auto;
	enum vp_bootloader bootloader;
	/* [cmdline] */
	enum vp_iommu_opt iommu;        /* auto: add intel_iommu=on/amd_iommu=on when off */
	bool iommu_pt;                  /* iommu=pt, default yes */
	enum vp_thp thp;                /* default never */
	/* [apply] */
	bool on_upgrade;                /* package hooks may apply, default no */
	/* [libvirt] */
	struct vp_strv libvirt_domains;
	/* [handoff]: `gpu detach|reattach` and the libvirt hook */
	bool single_gpu;                /* the card is the host's display: stop, unbind, unload */
	bool handoff_stop_set;          /* stop = given (else VP_HANDOFF_STOP_DEFAULT) */
	struct vp_strv handoff_stop;    /* systemd units, in stop order; empty: none */
	bool unload_auto;               /* unload = auto (default): the drivers' modules */
	struct vp_strv unload;          /* unload = LIST, in unload order; empty: none */
};

/* What [handoff] single_gpu stops when `stop` is not given. */
#define VP_HANDOFF_STOP_DEFAULT "display-manager.service"


/* Defaults, as documented in the template. */
void vp_config_init(struct vp_config *cfg);
void vp_config_free(struct vp_config *cfg);

/*
 * Parses one INI text (for tests and the loader). name is used in messages.
 * Returns 0, or -EINVAL with *ret_msg "'<name>':<line>: <what is wrong>".
 */
int vp_config_parse_string(struct vp_config *cfg, const char *name, const char *text,
			   char **ret_msg);

/*
 * Loads <root>/etc/vfio-provision.conf (or `path` when not NULL: --config,
 * resolved under the root) and then the conf.d drop-ins. A missing main file
 * is not an error (defaults apply).
 */
int vp_config_load(struct vp_config *cfg, const struct vp_root *root, const char *path,
		   char **ret_msg);

/*
 * Whether the root has a configuration of ours at all: the main file (or
 * path, --config, when not NULL), or a drop-in. Anything there that cannot
 * be looked at counts as one, so that loading it reports the problem.
 */
bool vp_config_present(const struct vp_root *root, const char *path);
