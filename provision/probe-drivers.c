// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which drivers could claim a selected function before vfio-pci: the
 * modules whose aliases match its modalias, asked of libkmod for every
 * target kernel (a driver list is per kernel, never hard-coded).
 */
#include <errno.h>
#include <string.h>

#include "kmod-root.h"
#include "probe-internal.h"
#include "probe.h"

static int lookup_kernel(const struct vp_root *root, const char *kver, struct vp_system *sys,
			 const size_t *idx, size_t n, char **ret_msg)
{
	/* the root's modprobe.d: its `alias` lines count as much as modules.alias */
	struct kmod_ctx *ctx = NULL;
	int r;

	r = vp_kmod_new(root, kver, &ctx, ret_msg);
	if (r < 0)
		return r;

	for (size_t i = 0; i < n; i++) {
		struct vp_pci_fn *fn = &sys->fns[idx[i]];
		struct kmod_list *list = NULL, *l;

		if (!fn->modalias || !*fn->modalias)
			continue;
		r = kmod_module_new_from_lookup(ctx, fn->modalias, &list);
		if (r < 0) {
			/*
			 * No usable index (depmod never ran for this kernel) is
			 * an answer too: no module can claim the device there.
			 */
			if (r == -ENOMEM)
				goto fail;
			r = 0;
			continue;
		}
		kmod_list_foreach(l, list) {
			struct kmod_module *mod = kmod_module_get_module(l);
			_cleanup_free_ char *name = strdup(kmod_module_get_name(mod));

			kmod_module_unref(mod);
			if (!name) {
				r = -ENOMEM;
				break;
			}
			for (char *p = name; *p; p++)
				if (*p == '-')
					*p = '_';
			if (strcmp(name, "vfio_pci") == 0)
				continue;
			r = vp_strv_push_unique(&fn->candidates, name);
			if (r < 0)
				break;
		}
		kmod_module_unref_list(list);
		if (r < 0)
			goto fail;
	}
fail:
	vp_kmod_unref(ctx);
	return r;
}

int vp_probe_drivers(const struct vp_root *root, struct vp_system *sys, const size_t *idx,
		     size_t n, char **ret_msg)
{
	int r;

	for (size_t i = 0; i < n; i++)
		if (idx[i] >= sys->n_fns)
			return vp_fail(ret_msg, -EINVAL, "function index %zu out of range",
				       idx[i]);
	for (size_t k = 0; k < sys->n_kernels; k++) {
		r = lookup_kernel(root, sys->kernels[k].version, sys, idx, n, ret_msg);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n; i++)
		vp_strv_sort(&sys->fns[idx[i]].candidates);
	return 0;
}
