/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel makes of a command line: the effective values, word by
 * word as the kernel's own setup functions read them, not the tokens we
 * wrote. Pure. One model for plan (the lines it is about to write), check
 * and verify (the lines on disk), so all three answer the same question:
 * will the next boot be what the config asks?
 *
 * Followed here (Linux 6.1 to 6.12):
 *   mm/hugetlb.c        hugepagesz_setup(), default_hugepagesz_setup(),
 *                       hugepages_setup(), hugetlb_init(): a hugepages= binds
 *                       to the hugepagesz= (or default_hugepagesz=) before it,
 *                       else it counts pages of the default size; a second
 *                       hugepagesz= of a size is ignored (and so is the
 *                       hugepages= after it); default_hugepagesz= keeps its
 *                       first value; "N:M,..." counts per node (5.16+)
 *   arch/x86/mm/hugetlbpage.c  arch_hugetlb_valid_size(): 2 MiB, and 1 GiB
 *                       with the CPU's pdpe1gb
 *   drivers/iommu/intel/iommu.c  intel_iommu_setup(): "on"/"off" in a comma
 *                       list, the last one wins
 *   drivers/iommu/amd/init.c  parse_amd_iommu_options(): "off" disables
 *   arch/x86/kernel/pci-dma.c  iommu_setup(): "off" disables every IOMMU
 *                       driver (no_iommu), "pt"/"nopt" the default domain
 *   drivers/iommu/iommu.c  iommu_set_def_domain_type(): iommu.passthrough=
 *   mm/huge_memory.c    setup_transparent_hugepage(): the last one wins
 *   mm/hugetlb.c        cmdline_parse_hugetlb_cma(): the last one wins
 *   kernel/params.c     parse_args(): words after a bare "--" are init's;
 *                       a built-in module's vfio_pci.ids= (the last wins)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vp.h"

#define VP_KCL_MAX_POOLS 4      /* hstates: x86 has two sizes; room for bad input */
#define VP_KCL_MAX_NODES 64

struct vp_kcl_opts {
	bool gbpages;           /* the CPU maps 1 GiB pages (pdpe1gb) */
	bool node_syntax;       /* hugepages=N:M is understood (Linux 5.16+) */
	int n_nodes;            /* nr_online_nodes; 0: unknown, taken as 1 */
};

struct vp_kcl_pool {
	unsigned long long size;        /* bytes */
	unsigned long count;            /* pages reserved at boot */
	bool per_node;                  /* the count came as N:M,... */
	unsigned long node[VP_KCL_MAX_NODES];
	char *word;                     /* the hugepages= word that set count, NULL: none */
	bool implicit;                  /* word came before any page size: the default's */
};

enum vp_kcl_tri { VP_KCL_UNSET = 0, VP_KCL_ON, VP_KCL_OFF };

struct vp_kcl_effect {
	unsigned long long default_size;        /* bytes (2 MiB unless default_hugepagesz=) */
	char *default_word;                     /* the default_hugepagesz= that set it */
	struct vp_kcl_pool pools[VP_KCL_MAX_POOLS];
	size_t n_pools;
	enum vp_kcl_tri intel_iommu;            /* intel_iommu=on|off, the last one */
	char *intel_word;
	char *amd_off_word;                     /* amd_iommu=off */
	char *iommu_off_word;                   /* iommu=off */
	enum vp_kcl_tri passthrough;            /* iommu=pt (ON) / nopt (OFF) / iommu.passthrough= */
	char *pt_word;
	char *vfio_ids;                         /* vfio_pci.ids= value */
	char *vfio_word;
	char *thp;                              /* transparent_hugepage= value */
	char *thp_word;
	char *cma_word;                         /* hugetlb_cma= */
	/* what the kernel ignores, and why ("'hugepages=4': ...") */
	struct vp_strv ignored;
};

/*
 * Reads line (NULL: empty) as the kernel would into *ret. An unterminated
 * quote is -EINVAL with *ret_msg (cmdline.h). Free with vp_kcl_effect_free.
 */
int vp_kcl_effect(const char *line, const struct vp_kcl_opts *opts, struct vp_kcl_effect *ret,
		  char **ret_msg) _must_check_;
void vp_kcl_effect_free(struct vp_kcl_effect *e);

/* The pool of a page size, NULL when the kernel has none. */
const struct vp_kcl_pool *vp_kcl_pool(const struct vp_kcl_effect *e, unsigned long long size);
/* Pages of size the kernel reserves at boot (0 without such a pool). */
unsigned long vp_kcl_pages(const struct vp_kcl_effect *e, unsigned long long size);
/* The IOMMU of that CPU vendor is turned off by the line: the word that does it, or NULL. */
const char *vp_kcl_iommu_off(const struct vp_kcl_effect *e, const char *cpu_vendor);

/*
 * Compares the values `want` sets (its words: what our tokens alone do)
 * with `have` (the whole line): every difference is a sentence in *ret
 * naming the word of `have` that decides, or that the value is missing.
 * removed: keys the plan takes off the line (hugetlb_cma), which `have`
 * must not carry. Pure.
 */
int vp_kcl_compare(const struct vp_kcl_effect *want, const struct vp_kcl_effect *have,
		   const struct vp_strv *removed, struct vp_strv *ret) _must_check_;

/* "1 GiB", "2 MiB", "64 KiB" into buf. */
const char *vp_kcl_size_name(unsigned long long size, char *buf, size_t n);
