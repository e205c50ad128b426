/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The read-only probe: fills struct vp_system from the root. */
#pragma once

#include <stdbool.h>

#include "root.h"
#include "system.h"

struct vp_probe_opts {
	const char *kver;       /* only this kernel (--kver), NULL for all */
	/*
	 * Look up vendor, device and class names in pci.ids (detect): most of
	 * the CPU time of a probe, so only for those who print names.
	 */
	bool names;
	/*
	 * Leave out the root device the cmdline planners put in root=
	 * (libmount and libblkid, loaded for it only): detect, which does not
	 * report it, then never loads them.
	 */
	bool no_root_spec;
	/*
	 * The NUMA node and the driver of the display functions only, the
	 * ones detect's listing shows them for (its JSON shows every one's):
	 * four calls a function fewer on a machine of many.
	 */
	bool gpu_details_only;
};

/*
 * Reads everything: PCI (libpci), IOMMU groups, CPU, memory, NUMA, hugepage
 * pools, kernels (libkmod), initramfs generator, bootloader, and the files
 * listed in vp_probe_file_paths. On failure returns a negative errno and
 * sets *ret_msg.
 */
int vp_probe(const struct vp_root *root, const struct vp_probe_opts *opts,
	     struct vp_system *ret, char **ret_msg);

/* Parts, for tests and for callers that need less. */
/*
 * PCI functions and IOMMU groups, without names; gpu_details_only as in
 * vp_probe_opts (numa_node -1 and driver NULL for the others).
 */
int vp_probe_pci(const struct vp_root *root, struct vp_system *sys, bool gpu_details_only,
		 char **ret_msg);
/*
 * Fills vendor_name, device_name and class_name of every function not yet
 * named, from the root's pci.ids (else the host's; none: names stay NULL).
 */
int vp_probe_pci_names(const struct vp_root *root, struct vp_system *sys, char **ret_msg);
int vp_probe_cpu_mem(const struct vp_root *root, struct vp_system *sys, char **ret_msg);
int vp_probe_kernels(const struct vp_root *root, const struct vp_probe_opts *opts,
		     struct vp_system *sys, char **ret_msg);
int vp_probe_boot(const struct vp_root *root, struct vp_system *sys, char **ret_msg);
/*
 * Proxmox VE and proxmox-boot-tool (probe-proxmox.c); called by
 * vp_probe_boot after the bootloader and /proc/cmdline, whose choice it
 * overrides when proxmox-boot-tool keeps the ESPs.
 */
int vp_probe_proxmox(const struct vp_root *root, struct vp_system *sys, char **ret_msg);
/* Loads the current state of the files the plan reads or edits. */
int vp_probe_files(const struct vp_root *root, struct vp_system *sys, char **ret_msg);

/*
 * Boot details for the cmdline planners (probe-blkid.c): the root device
 * as root= unless opts->no_root_spec (libmount reads fstab, libblkid turns
 * a device into its UUID), grub.cfg, grub.d, update-grub, UKI, and
 * /etc/default/grub.d/ *.cfg into sys->files. Call after vp_probe_files.
 */
int vp_probe_bootcfg(const struct vp_root *root, const struct vp_probe_opts *opts,
		     struct vp_system *sys, char **ret_msg);

/*
 * For each function index in idx[], asks libkmod on every kernel in sys for
 * the modules whose aliases match its modalias, into fn->candidates.
 */
int vp_probe_drivers(const struct vp_root *root, struct vp_system *sys,
		     const size_t *idx, size_t n, char **ret_msg);
