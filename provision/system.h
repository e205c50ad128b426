/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system model: everything probe-*.c reads from the root, and the only
 * input (with struct vp_config) of the pure plan. Plain data, no handles, so
 * unit tests can build one as a struct literal.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vp.h"
#include "vpe-limits.h"

/* The vfio modules we care about, in load order. */
enum vp_vfio_mod {
	VP_MOD_VFIO,
	VP_MOD_VFIO_IOMMU_TYPE1,
	VP_MOD_VFIO_VIRQFD,
	VP_MOD_VFIO_PCI_CORE,
	VP_MOD_VFIO_PCI,
	VP_MOD_COUNT
};
extern const char *const vp_vfio_mod_names[VP_MOD_COUNT]; /* "vfio", ... "vfio_pci" */

enum vp_mod_state { VP_MOD_MISSING = 0, VP_MOD_MODULE, VP_MOD_BUILTIN };
const char *vp_mod_state_name(enum vp_mod_state s); /* missing|module|builtin */

/* A CONFIG_ option of a kernel's build config; UNKNOWN when no config was found. */
enum vp_kopt { VP_KOPT_UNKNOWN = 0, VP_KOPT_NO, VP_KOPT_YES };

/* The few build options the plan checks (kconfig.c). */
struct vp_kconfig {
	char *path;             /* where it was read ("/boot/config-VER"), NULL: none found */
	enum vp_kopt cma;       /* CONFIG_CMA: hugetlb_cma= does nothing without it */
	enum vp_kopt hugetlbfs; /* CONFIG_HUGETLBFS */
	enum vp_kopt hugetlb_page; /* CONFIG_HUGETLB_PAGE: hugepages=, hugepagesz= */
};

struct vp_kernel {
	char *version;                      /* directory name under /lib/modules */
	enum vp_mod_state mods[VP_MOD_COUNT];
	bool running;                       /* == <root>/proc/sys/kernel/osrelease */
	char *pkgbase;                      /* Arch: lib/modules/VER/pkgbase ("linux"), or NULL */
	struct vp_kconfig config;           /* all UNKNOWN when no config file was found */
};

#define VP_PCI_CLASS(c) ((uint16_t)((c) >> 8)) /* 0x030000 -> 0x0300 */

struct vp_pci_fn {
	char addr[VPE_ADDR_SIZE]; /* "DDDD:BB:DD.F" (vpe-limits.h) */
	unsigned domain, bus, dev, func;
	uint16_t vendor, device;
	uint16_t subvendor, subdevice; /* 0 when unknown */
	uint32_t class;         /* 24-bit class code incl. prog-if: 0x030000 */
	uint8_t revision;
	char *vendor_name;      /* from pci.ids, NULL when unknown */
	char *device_name;
	char *class_name;       /* "VGA compatible controller" */
	char *driver;           /* bound driver, NULL when none */
	char *modalias;         /* NULL when unreadable */
	int numa_node;          /* -1 when none */
	int boot_vga;           /* 1, 0, or -1 when the attribute is absent */
	int iommu_group;        /* -1 when none */
	/*
	 * Modules (by name, underscores) whose aliases match this function's
	 * modalias on any target kernel. Filled by vp_probe_drivers() for the
	 * functions that need it (the selection), empty otherwise.
	 */
	struct vp_strv candidates;
};

struct vp_iommu_group {
	int id;
	size_t n;
	size_t *members;        /* indices into vp_system.fns, sorted by address */
};

struct vp_numa_node {
	int id;
	unsigned long long mem_total_kib; /* 0 when unknown */
	long hp1g_nr, hp1g_free;          /* -1 when unknown */
};

struct vp_hpool {
	unsigned long size_kib;           /* 1048576 or 2048 */
	bool present;                     /* the hstate exists */
	long nr, free, resv, surplus;
};

enum vp_initramfs {
	VP_INITRAMFS_NONE = 0,
	VP_INITRAMFS_MKINITCPIO,
	VP_INITRAMFS_DRACUT,
	VP_INITRAMFS_INITRAMFS_TOOLS,
	VP_INITRAMFS_COUNT,             /* the built-ins; the table may hold more */
	VP_INITRAMFS_MAX = 8
};
/* Names from the table of targets (target.h, targets.c). */
const char *vp_initramfs_name(enum vp_initramfs g);
int vp_initramfs_from_name(const char *s, enum vp_initramfs *ret);

enum vp_bootloader {
	VP_BOOT_NONE = 0,
	VP_BOOT_GRUB,
	VP_BOOT_SYSTEMD_BOOT,   /* /etc/kernel/cmdline (kernel-install / UKI) */
	VP_BOOT_BLS,            /* options lines of /boot/loader/entries/NAME.conf */
	VP_BOOT_REFIND,
	VP_BOOT_KERNELSTUB,
	VP_BOOT_RPM_OSTREE,
	VP_BOOT_GRUBBY,
	VP_BOOT_COUNT,                  /* the built-ins; the table may hold more */
	VP_BOOT_MAX = 16
};
const char *vp_bootloader_name(enum vp_bootloader b);
int vp_bootloader_from_name(const char *s, enum vp_bootloader *ret);
/* The table's names and aliases but "none": "grub, systemd-boot, ..." (NULL: -ENOMEM). */
char *vp_target_names(bool bootloader);

/* A file of the root as it is now; content NULL when it does not exist. */
struct vp_file {
	char *path;             /* absolute path inside the root */
	char *content;
	size_t len;
	unsigned mode;          /* st_mode & 07777, 0 when absent */
};

struct vp_system {
	/* IOMMU */
	bool iommu_enabled;     /* at least one group exists */
	/* PCI */
	struct vp_pci_fn *fns;  /* sorted by address */
	size_t n_fns;
	struct vp_iommu_group *groups; /* sorted by id */
	size_t n_groups;
	/* CPU and memory */
	char *cpu_vendor;       /* "GenuineIntel", "AuthenticAMD", NULL */
	bool pdpe1gb;
	unsigned long long mem_total_kib;
	struct vp_numa_node *nodes;
	size_t n_nodes;
	struct vp_hpool hp1g, hp2m;
	/* Software */
	struct vp_kernel *kernels; /* sorted by version (strverscmp) */
	size_t n_kernels;
	char *running_kernel;   /* <root>/proc/sys/kernel/osrelease, NULL if absent */
	char *proc_cmdline;     /* <root>/proc/cmdline, NULL if absent */
	bool initramfs_found[VP_INITRAMFS_MAX];
	enum vp_initramfs initramfs;   /* the one in use (first found), NONE */
	/*
	 * How the generator in use was told apart from another one found
	 * (dpkg, a kernel postinst hook), or why it could not be: for detect
	 * and, with initramfs_unsure, a warning in the plan. NULL when only
	 * one generator has traces.
	 */
	char *initramfs_note;
	bool initramfs_unsure;
	bool bootloader_found[VP_BOOT_MAX];
	enum vp_bootloader bootloader; /* the one in use, NONE */
	/*
	 * Boot details the cmdline planners need (probe-blkid.c). Additive:
	 * all zero when not probed.
	 */
	char *root_spec;        /* root= for a new /etc/kernel/cmdline ("UUID=..."), NULL */
	char *grub_cfg;         /* "/boot/grub/grub.cfg" or "/boot/grub2/grub.cfg", NULL */
	bool grub_d;            /* /etc/default/grub.d exists: Debian's drop-ins */
	bool have_update_grub;  /* Debian's wrapper around grub-mkconfig */
	bool uki;               /* kernel-install builds unified kernel images */
	/*
	 * Proxmox VE (probe-proxmox.c). Additive: all zero elsewhere.
	 * pve_boot_tool: /etc/kernel/proxmox-boot-uuids exists, so the ESPs
	 * are kept by proxmox-boot-tool (also on Proxmox Backup Server), and
	 * bootloader is the mode they boot in (systemd-boot or grub), chosen
	 * for the reason in pve_boot_why (a static string, not freed).
	 */
	bool pve;               /* a Proxmox VE node */
	char *pve_version;      /* pve-manager's Version in the dpkg status, NULL */
	struct vp_strv pve_evidence; /* what says so: "/etc/pve", "pve-manager 8.2.7" */
	bool pve_boot_tool;
	size_t pve_n_esps;      /* UUIDs listed in /etc/kernel/proxmox-boot-uuids */
	const char *pve_boot_why;
	/* Files the plan edits or reads (fstab, group, grub, ...), current state. */
	struct vp_file *files;
	size_t n_files;
};

void vp_system_free(struct vp_system *sys);
const struct vp_pci_fn *vp_system_fn(const struct vp_system *sys, const char *addr);
const struct vp_iommu_group *vp_system_group(const struct vp_system *sys, int id);
const struct vp_file *vp_system_file(const struct vp_system *sys, const char *path);
const struct vp_kernel *vp_system_kernel(const struct vp_system *sys, const char *version);
/* By version, or by Arch's package name ("linux-lts" from /vmlinuz-linux-lts). */
const struct vp_kernel *vp_system_kernel_or_pkgbase(const struct vp_system *sys, const char *name);

/* "10de:1b81" into buf (>= 10 bytes). */
void vp_fn_id(const struct vp_pci_fn *fn, char buf[static 10]);
bool vp_fn_is_display(const struct vp_pci_fn *fn);  /* class 0300/0302/0380 */
bool vp_fn_is_bridge(const struct vp_pci_fn *fn);   /* class 0600/0604 */
bool vp_same_slot(const struct vp_pci_fn *a, const struct vp_pci_fn *b);
