// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Not a file we write: on a Proxmox VE node, the guest side in Proxmox's
 * own terms, printed by `plan` (only) for the user to put in
 * /etc/pve/qemu-server/VMID.conf, with the `qm set` command that does it.
 * /etc/pve is the cluster filesystem (pmxcfs): its files belong to
 * Proxmox and are replicated to every node, so we never plan one there
 * (vp_plan_build enforces it).
 *
 *   hostpciN: DDDD:BB:DD[.F],pcie=1[,x-vga=1]
 *     a slot whose every function is selected is one entry without the
 *     function (Proxmox passes all functions of the device then); a slot
 *     only partly selected gets an entry per function. x-vga=1 goes on the
 *     first entry with a VGA-compatible controller (class 0300) only: a 3D
 *     controller has no legacy VGA to hand over. pcie=1 needs machine: q35.
 *   hugepages: 1024
 *     when 1 GiB pages are configured: Proxmox's value is the page size in
 *     MiB.
 * Pure.
 */
#include <errno.h>
#include <stdio.h>

#include "plan.h"

static bool fn_is_vga(const struct vp_pci_fn *fn)
{
	return VP_PCI_CLASS(fn->class) == 0x0300;
}

/* Functions of the root in fn's slot, and how many of them sel holds. */
static void slot_counts(const struct vp_system *sys, const struct vp_selection *sel,
			const struct vp_pci_fn *fn, size_t *ret_all, size_t *ret_sel)
{
	*ret_all = *ret_sel = 0;
	for (size_t i = 0; i < sys->n_fns; i++)
		*ret_all += vp_same_slot(&sys->fns[i], fn);
	for (size_t i = 0; i < sel->n_fns; i++)
		*ret_sel += sel->fns[i] < sys->n_fns && vp_same_slot(&sys->fns[sel->fns[i]], fn);
}

/* The hostpciN values, in address order, into *ret (one string each). */
static int hostpci_values(const struct vp_system *sys, const struct vp_selection *sel,
			  struct vp_strv *ret)
{
	bool vga_given = false;
	int r = 0;

	for (size_t i = 0; i < sel->n_fns && r >= 0; i++) {
		const struct vp_pci_fn *fn;
		size_t all, n, end = i + 1;
		bool vga;

		if (sel->fns[i] >= sys->n_fns)
			continue;
		fn = &sys->fns[sel->fns[i]];
		slot_counts(sys, sel, fn, &all, &n);
		vga = fn_is_vga(fn);
		if (n == all && n > 1) {
			/* the whole device: skip the slot's other functions (sorted) */
			while (end < sel->n_fns && sel->fns[end] < sys->n_fns &&
			       vp_same_slot(&sys->fns[sel->fns[end]], fn))
				vga |= fn_is_vga(&sys->fns[sel->fns[end++]]);
		}
		vga = vga && !vga_given;
		vga_given |= vga;
		if (end > i + 1)
			r = vp_strv_push_take(ret, vp_strdup_printf("%04x:%02x:%02x,pcie=1%s",
								    fn->domain, fn->bus, fn->dev,
								    vga ? ",x-vga=1" : ""));
		else
			r = vp_strv_push_take(ret, vp_strdup_printf("%04x:%02x:%02x.%x,pcie=1%s",
								    fn->domain, fn->bus, fn->dev,
								    fn->func, vga ? ",x-vga=1" : ""));
		i = end - 1;
	}
	return r;
}

int vp_plan_proxmox(const struct vp_config *cfg, const struct vp_system *sys,
		    const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	struct vp_strv values = {0};
	struct vp_buf b = {0}, qm = {0};
	int r;

	(void)ret_msg;
	if (!sys->pve || (sel->n_fns == 0 && cfg->hp_count == 0))
		return 0;
	r = hostpci_values(sys, sel, &values);
	if (r < 0)
		goto out;
	r = vp_buf_puts(&b, "Proxmox VE: the guest side goes in /etc/pve/qemu-server/VMID.conf, "
			"the cluster filesystem, which vfio-provision never writes; add");
	if (r >= 0 && values.n)
		r = vp_buf_puts(&b, " (pcie=1 needs machine: q35)");
	if (r >= 0 && cfg->hp_count > 0)
		r = vp_buf_printf(&b, " (1 GiB pages: the VM's memory a multiple of 1024 MiB, "
				  "at most %lu MiB for the %lu pages)", cfg->hp_count * 1024,
				  cfg->hp_count);
	if (r >= 0)
		r = vp_buf_puts(&b, ":\n");
	if (r >= 0)
		r = vp_buf_puts(&qm, "qm set VMID");
	for (size_t i = 0; r >= 0 && i < values.n; i++) {
		r = vp_buf_printf(&b, "hostpci%zu: %s\n", i, values.v[i]);
		if (r >= 0)
			r = vp_buf_printf(&qm, " --hostpci%zu %s", i, values.v[i]);
	}
	if (r >= 0 && cfg->hp_count > 0) {
		r = vp_buf_puts(&b, "hugepages: 1024\n");
		if (r >= 0)
			r = vp_buf_puts(&qm, " --hugepages 1024");
	}
	if (r >= 0)
		r = vp_buf_printf(&b, "or run: %s", qm.s);
	if (r >= 0)
		r = vp_strv_push_take(&plan->hints, vp_buf_steal(&b));
out:
	vp_buf_free(&b);
	vp_buf_free(&qm);
	vp_strv_free(&values);
	return r;
}
