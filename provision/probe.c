// SPDX-License-Identifier: GPL-2.0-or-later
/* vp_probe: reads the whole system model from the root, read-only. */
#include <string.h>

#include "probe-internal.h"
#include "probe.h"
#include "root-cache.h"

static int probe(const struct vp_root *root, const struct vp_probe_opts *opts,
		 struct vp_system *ret, char **ret_msg)
{
	struct vp_system sys = {0};
	int r;

	/* PCI first: it also reads the IOMMU groups, which index into fns */
	r = vp_probe_pci(root, &sys, opts->gpu_details_only, ret_msg);
	if (r < 0)
		goto fail;
	if (opts->names) {
		r = vp_probe_pci_names(root, &sys, ret_msg);
		if (r < 0)
			goto fail;
	}
	r = vp_probe_cpu_mem(root, &sys, ret_msg);
	if (r < 0)
		goto fail;
	/* libkmod reads the root's modprobe.d through a view of copies (vp_kmod_new) */
	r = vp_probe_kernels(root, opts, &sys, ret_msg);
	if (r < 0)
		goto fail;
	r = vp_probe_boot(root, &sys, ret_msg);
	if (r < 0)
		goto fail;
	r = vp_probe_files(root, &sys, ret_msg);
	if (r < 0)
		goto fail;
	r = vp_probe_bootcfg(root, opts, &sys, ret_msg);
	if (r < 0)
		goto fail;
	*ret = sys;
	return 0;
fail:
	vp_system_free(&sys);
	return r;
}

/*
 * The probe reads thousands of paths under a few directories: a copy of
 * the root that keeps the directories it walks (root-cache.h), for this
 * read only; nothing is written meanwhile.
 */
int vp_probe(const struct vp_root *root, const struct vp_probe_opts *opts,
	     struct vp_system *ret, char **ret_msg)
{
	struct vp_root cached = *root;
	int r;

	if (!root->cache && vp_dircache_new(&cached.cache) < 0)
		cached.cache = NULL;    /* no memory for it: every path walked from the root */
	r = probe(&cached, opts, ret, ret_msg);
	if (!root->cache)
		vp_dircache_free(cached.cache);
	return r;
}
