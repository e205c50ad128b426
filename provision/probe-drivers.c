// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which drivers could claim a selected function before vfio-pci: the
 * modules whose aliases match its modalias, asked of libkmod for every
 * target kernel (a driver list is per kernel, never hard-coded).
 */
#include <errno.h>
#include <string.h>

#include <libkmod.h>

#include "probe-internal.h"
#include "probe.h"

static void silent_log(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
	/* the core does not print; failures come back as return codes */
	(void)data; (void)priority; (void)file; (void)line; (void)fn;
	(void)format; (void)args;
}

static int lookup_kernel(const struct vp_root *root, const char *kver, struct vp_system *sys,
			 const size_t *idx, size_t n, char **ret_msg)
{
	_cleanup_free_ char *rel = vp_strdup_printf("/lib/modules/%s", kver);
	_cleanup_free_ char *dir = NULL;
	/* the root's modprobe.d: its `alias` lines count as much as modules.alias */
	char *confs[8] = {0};
	struct kmod_ctx *ctx = NULL;
	int r = 0;

	if (!rel || !(dir = vp_root_path(root, rel)))
		return -ENOMEM;
	for (size_t i = 0; vp_modprobe_dirs[i] && i + 1 < ARRAY_SIZE(confs); i++)
		if (!(confs[i] = vp_root_path(root, vp_modprobe_dirs[i]))) {
			r = -ENOMEM;
			goto fail;
		}
	ctx = kmod_new(dir, (const char *const *)confs);
	if (!ctx) {
		r = vp_fail(ret_msg, -ENOMEM, "'%s': libkmod cannot use it", rel);
		goto fail;
	}
	kmod_set_log_fn(ctx, silent_log, NULL);

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
	kmod_unref(ctx);
	for (size_t i = 0; i < ARRAY_SIZE(confs); i++)
		free(confs[i]);
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
