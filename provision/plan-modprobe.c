// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/modprobe.d/vfio.conf: which devices vfio-pci claims (strategy ids)
 * and which drivers must wait for it (softdeps, both strategies). Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "plan-modprobe.h"
#include "quote.h"

/*
 * Identical vendor:device pairs elsewhere on the machine: only the
 * subsystem ids can keep vfio-pci off the host's card. Returns 1 when the
 * subsystem ids are needed and tell the cards apart, 0 when the plain
 * vendor:device is enough, -1 when nothing tells them apart.
 */
static int needs_subsys(const struct vp_system *sys, const struct vp_selection *sel,
			size_t idx, size_t *ret_other)
{
	const struct vp_pci_fn *fn = &sys->fns[idx];
	bool need = false;

	for (size_t i = 0; i < sys->n_fns; i++) {
		const struct vp_pci_fn *o = &sys->fns[i];
		bool selected = false;

		if (o->vendor != fn->vendor || o->device != fn->device)
			continue;
		for (size_t j = 0; j < sel->n_fns; j++)
			if (sel->fns[j] == i)
				selected = true;
		if (selected)
			continue;
		need = true;
		if ((fn->subvendor == 0 && fn->subdevice == 0) ||
		    (o->subvendor == fn->subvendor && o->subdevice == fn->subdevice)) {
			*ret_other = i;
			return -1;
		}
	}
	return need ? 1 : 0;
}

int vp_modprobe_ids(const struct vp_system *sys, const struct vp_selection *sel,
		    char **ret_ids, char **ret_conflict)
{
	struct vp_strv ids = {0};
	struct vp_buf b = {0};
	int r = 0;

	*ret_ids = NULL;
	if (ret_conflict)
		*ret_conflict = NULL;
	for (size_t j = 0; j < sel->n_fns; j++) {
		const struct vp_pci_fn *fn = &sys->fns[sel->fns[j]];
		size_t other = 0;
		char id[32];

		switch (needs_subsys(sys, sel, sel->fns[j], &other)) {
		case -1:
			if (ret_conflict && !*ret_conflict) {
				*ret_conflict = vp_strdup_printf(
					"%s and %s are both %04x:%04x with the same subsystem "
					"%04x:%04x: vfio-pci ids= would claim both",
					fn->addr, sys->fns[other].addr, fn->vendor, fn->device,
					fn->subvendor, fn->subdevice);
				if (!*ret_conflict) {
					r = -ENOMEM;
					goto fail;
				}
			}
			/* still list it: the refusal says why */
			__attribute__((fallthrough));
		case 0:
			snprintf(id, sizeof(id), "%04x:%04x", fn->vendor, fn->device);
			break;
		default:
			snprintf(id, sizeof(id), "%04x:%04x:%04x:%04x", fn->vendor, fn->device,
				 fn->subvendor, fn->subdevice);
			break;
		}
		r = vp_strv_push_unique(&ids, id);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < ids.n; i++) {
		r = vp_buf_printf(&b, "%s%s", i ? "," : "", ids.v[i]);
		if (r < 0)
			goto fail;
	}
	*ret_ids = vp_buf_steal(&b);
	vp_strv_free(&ids);
	return 0;
fail:
	vp_strv_free(&ids);
	vp_buf_free(&b);
	if (ret_conflict) {
		free(*ret_conflict);
		*ret_conflict = NULL;
	}
	return r;
}

int vp_modprobe_softdeps(const struct vp_system *sys, const struct vp_selection *sel,
			 struct vp_strv *ret)
{
	struct vp_strv drv = {0};
	int r = 0;

	for (size_t j = 0; j < sel->n_fns; j++) {
		const struct vp_pci_fn *fn = &sys->fns[sel->fns[j]];

		for (size_t k = 0; k < fn->candidates.n; k++) {
			_cleanup_free_ char *name = strdup(fn->candidates.v[k]);

			if (!name) {
				r = -ENOMEM;
				goto fail;
			}
			/* modprobe treats - and _ alike; keep one spelling */
			for (char *p = name; *p; p++)
				if (*p == '-')
					*p = '_';
			if (strcmp(name, "vfio_pci") == 0 || name[0] == '\0')
				continue;
			r = vp_strv_push_unique(&drv, name);
			if (r < 0)
				goto fail;
		}
	}
	vp_strv_sort(&drv);
	*ret = drv;
	return 0;
fail:
	vp_strv_free(&drv);
	return r;
}

int vp_plan_modprobe(const struct vp_config *cfg, const struct vp_system *sys,
		     const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	enum vp_strategy strategy = vp_selection_strategy(cfg, sel);
	_cleanup_free_ char *ids = NULL, *conflict = NULL;
	struct vp_strv softdeps = {0}, builtin = {0};
	struct vp_buf b = {0};
	int r;

	/* nothing selected: the selection's verdict says why; no file */
	if (sel->n_fns == 0)
		return 0;

	r = vp_modprobe_softdeps(sys, sel, &softdeps);
	if (r < 0)
		goto fail;
	if (strategy == VP_STRATEGY_IDS) {
		r = vp_modprobe_ids(sys, sel, &ids, &conflict);
		if (r < 0)
			goto fail;
		if (conflict) {
			r = vp_plan_msg(plan, VP_MSG_REFUSE,
					"%s; use strategy = override in [gpu]", conflict);
			if (r < 0)
				goto fail;
		}
		/*
		 * Not a refusal --force could override: the kernel cuts a longer
		 * list mid-entry, binding a device nobody asked for.
		 */
		if (strlen(ids) > VP_VFIO_IDS_MAX) {
			r = vp_fail(ret_msg, -E2BIG,
				    "vfio-pci ids= list is %zu bytes for %zu functions, over "
				    "the kernel's limit of %d bytes; use strategy = override "
				    "in [gpu] or select fewer devices",
				    strlen(ids), sel->n_fns, VP_VFIO_IDS_MAX);
			goto fail;
		}
	}

	r = vp_buf_printf(&b, "%s\n" VP_EDITS_NOTE
			  "# Written by `vfio-provision apply` from /etc/vfio-provision.conf:\n"
			  "# set what you need there.\n"
			  "# strategy: %s\n",
			  VP_MANAGED_HEADER, strategy == VP_STRATEGY_IDS ? "ids" : "override");
	if (r < 0)
		goto fail;
	for (size_t j = 0; j < sel->n_fns; j++) {
		const struct vp_pci_fn *fn = &sys->fns[sel->fns[j]];

		r = vp_buf_printf(&b, "# %s %04x:%04x", fn->addr, fn->vendor, fn->device);
		if (r >= 0 && (fn->subvendor || fn->subdevice))
			r = vp_buf_printf(&b, " (subsystem %04x:%04x)", fn->subvendor,
					  fn->subdevice);
		if (r >= 0)
			r = vp_buf_puts(&b, "\n");
		if (r < 0)
			goto fail;
	}
	if (strategy == VP_STRATEGY_IDS) {
		r = vp_buf_printf(&b, "options vfio-pci ids=%s\n", ids);
		if (r < 0)
			goto fail;
	} else {
		r = vp_buf_puts(&b, "# bound by address by the early-boot program "
				    "(/etc/vfio-provision/early.conf)\n");
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < softdeps.n; i++) {
		/* a name from libkmod: a newline in it would add a line of its own */
		r = vp_module_name_check(softdeps.v[i], VP_MODPROBE_CONF, ret_msg);
		if (r < 0)
			goto fail;
		r = vp_buf_printf(&b, "softdep %s pre: vfio-pci\n", softdeps.v[i]);
		if (r < 0)
			goto fail;
	}
	r = vp_plan_add_file(plan, VP_MODPROBE_CONF, vp_buf_steal(&b), 0644, true,
			     strategy == VP_STRATEGY_IDS
				     ? "vfio-pci claims the selected devices by id"
				     : "drivers wait for vfio-pci; binding is by address");
	if (r < 0)
		goto fail;

	/* a built-in vfio-pci never reads modprobe.d: its ids go on the cmdline */
	for (size_t i = 0; i < sys->n_kernels; i++)
		if (sys->kernels[i].mods[VP_MOD_VFIO_PCI] == VP_MOD_BUILTIN) {
			r = vp_strv_push(&builtin, sys->kernels[i].version);
			if (r < 0)
				goto fail;
		}
	if (strategy == VP_STRATEGY_IDS && builtin.n > 0) {
		_cleanup_free_ char *tok = vp_strdup_printf("vfio-pci.ids=%s", ids);
		struct vp_buf kv = {0};

		if (!tok) {
			r = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < builtin.n && r >= 0; i++)
			r = vp_buf_printf(&kv, "%s%s", i ? ", " : "", builtin.v[i]);
		if (r >= 0)
			r = vp_plan_add_token(plan, "vfio-pci.ids", tok,
					      "vfio-pci is built into the kernel, which "
					      "ignores modprobe.d options");
		if (r >= 0)
			r = vp_plan_msg(plan, VP_MSG_INFO,
					"vfio-pci is built into kernel %s: modprobe.d options "
					"do nothing there, so the ids go on the kernel cmdline "
					"as %s", kv.s ? kv.s : "", tok);
		vp_buf_free(&kv);
		if (r < 0)
			goto fail;
	}
	r = 0;
fail:
	vp_strv_free(&softdeps);
	vp_strv_free(&builtin);
	vp_buf_free(&b);
	return r;
}
