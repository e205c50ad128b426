// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which functions go to vfio-pci, and whether that is safe. Pure: reads the
 * config and the system model, writes the selection.
 *
 * Targets come from [gpu] select (auto: every display function except the
 * boot VGA). The selection is every function of each target's slot plus
 * every other member of the IOMMU groups of those functions; bridges never
 * count. The verdict is the most serious problem found, in the order of
 * enum vp_verdict; every problem adds a sentence that names the devices.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pci-addr.h"
#include "select.h"

const char *vp_verdict_name(enum vp_verdict v)
{
	static const char *const names[] = {
		[VP_VERDICT_OK] = "ok",
		[VP_VERDICT_NOT_ISOLATED] = "not-isolated",
		[VP_VERDICT_IDENTICAL_IDS] = "identical-ids",
		[VP_VERDICT_BOOT_VGA] = "boot-vga",
		[VP_VERDICT_NO_IOMMU] = "no-iommu",
		[VP_VERDICT_NO_GPU] = "no-gpu",
	};
	return (unsigned)v < ARRAY_SIZE(names) ? names[v] : "?";
}

/* "0000:01:00.0 NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81]" */
static char *describe(const struct vp_pci_fn *fn)
{
	char id[10];

	vp_fn_id(fn, id);
	if (fn->vendor_name && fn->device_name)
		return vp_strdup_printf("%s %s %s [%s]", fn->addr, fn->vendor_name,
					fn->device_name, id);
	if (fn->class_name)
		return vp_strdup_printf("%s %s [%s]", fn->addr, fn->class_name, id);
	return vp_strdup_printf("%s class %04x [%s]", fn->addr, VP_PCI_CLASS(fn->class), id);
}

static int reason(struct vp_selection *sel, enum vp_verdict v, const char *fmt, ...)
	_printf_(3, 4);
static int reason(struct vp_selection *sel, enum vp_verdict v, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (v > sel->verdict)
		sel->verdict = v;
	if (v != VP_VERDICT_IDENTICAL_IDS && v > sel->blocking)
		sel->blocking = v;
	va_start(ap, fmt);
	r = vp_strv_vpushf(&sel->reasons, false, fmt, ap);
	va_end(ap);
	return r;
}

/* Every selected function with o's vendor:device has another, known subsystem id. */
static bool subsystem_tells_apart(const struct vp_system *sys, const struct vp_selection *sel,
				  const struct vp_pci_fn *o)
{
	if (!o->subvendor && !o->subdevice)
		return false;
	for (size_t k = 0; k < sel->n_fns; k++) {
		const struct vp_pci_fn *f = &sys->fns[sel->fns[k]];

		if (f->vendor != o->vendor || f->device != o->device)
			continue;
		if ((!f->subvendor && !f->subdevice) ||
		    (f->subvendor == o->subvendor && f->subdevice == o->subdevice))
			return false;
	}
	return true;
}

/* Marks the targets from the config; an entry that names nothing is an error. */
static int pick_explicit(const struct vp_config *cfg, const struct vp_system *sys,
			 bool *target, char **ret_msg)
{
	for (size_t i = 0; i < cfg->select.n; i++) {
		const char *e = cfg->select.v[i];
		unsigned vendor, device;
		char addr[VPE_ADDR_SIZE];
		bool found = false;

		if (vp_parse_pci_id(e, &vendor, &device)) {
			for (size_t j = 0; j < sys->n_fns; j++)
				if (sys->fns[j].vendor == vendor && sys->fns[j].device == device &&
				    !vp_fn_is_bridge(&sys->fns[j])) {
					target[j] = true;
					found = true;
				}
			if (!found)
				return vp_fail(ret_msg, -ENODEV, "[gpu] select: no PCI device "
					       "with id %s", e);
		} else if (vp_pci_addr_normalize(e, addr) == 0) {
			for (size_t j = 0; j < sys->n_fns; j++)
				if (strcmp(sys->fns[j].addr, addr) == 0) {
					if (vp_fn_is_bridge(&sys->fns[j]))
						return vp_fail(ret_msg, -EINVAL, "[gpu] select: %s "
							       "is a bridge, it cannot be "
							       "passed through", addr);
					target[j] = true;
					found = true;
				}
			if (!found)
				return vp_fail(ret_msg, -ENODEV, "[gpu] select: no PCI device "
					       "at %s", addr);
		} else {
			return vp_fail(ret_msg, -EINVAL, "[gpu] select: bad entry '%s' (a "
				       "vendor:device id or a PCI address)", e);
		}
	}
	return 0;
}

static int cmp_fn_addr(const void *a, const void *b, void *data)
{
	const struct vp_pci_fn *fns = data;

	return strcmp(fns[*(const size_t *)a].addr, fns[*(const size_t *)b].addr);
}

/* A slot (domain, bus, device) as one number, for sorting and searching. */
static uint64_t slot_key(const struct vp_pci_fn *fn)
{
	return (uint64_t)fn->domain << 16 | (uint64_t)fn->bus << 8 | fn->dev;
}

/*
 * The targets' slots, sorted, each with its function's index: a machine
 * of 1,000 functions asks for the target in a function's slot of each,
 * and a scan of all of them each time was quadratic.
 */
struct slot_of {
	uint64_t slot;
	size_t fn;
};

struct slots {
	struct slot_of *v;
	size_t n;
};

static int cmp_slot(const void *a, const void *b)
{
	const struct slot_of *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return (x->fn > y->fn) - (x->fn < y->fn);
}

/* The first target in fn's slot, or NULL. */
static const struct vp_pci_fn *target_in_slot(const struct slots *sl, const struct vp_system *sys,
					      const struct vp_pci_fn *fn)
{
	uint64_t key = slot_key(fn);
	size_t lo = 0, hi = sl->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sl->v[mid].slot < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sl->n && sl->v[lo].slot == key ? &sys->fns[sl->v[lo].fn] : NULL;
}

/*
 * Names the members of group g (reached from the slot function via) that
 * belong to no target's slot: they keep the group from being passed alone.
 */
static int not_isolated(struct vp_selection *sel, const struct vp_system *sys,
			const struct slots *sl, const struct vp_pci_fn *via,
			const struct vp_iommu_group *g, bool *reported)
{
	const struct vp_pci_fn *t = target_in_slot(sl, sys, via);

	if (!t)
		t = via;
	for (size_t k = 0; k < g->n; k++) {
		const struct vp_pci_fn *m = &sys->fns[g->members[k]];
		_cleanup_free_ char *dm = NULL, *dt = NULL;

		if (vp_fn_is_bridge(m) || reported[g->members[k]])
			continue;
		if (target_in_slot(sl, sys, m))
			continue;
		reported[g->members[k]] = true;
		dm = describe(m);
		dt = describe(t);
		if (!dm || !dt)
			return -ENOMEM;
		if (reason(sel, VP_VERDICT_NOT_ISOLATED, "IOMMU group %d also holds %s, "
			   "which is not part of the slot of %s: a group can only be passed "
			   "through as a whole, so the host would lose this device too.",
			   g->id, dm, dt) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* What vp_select works on, step by step. */
struct pick {
	const struct vp_config *cfg;
	const struct vp_system *sys;
	struct vp_selection *sel;
	bool *target;           /* per function: a GPU we pass through */
	bool *in;               /* per function: in the selection */
	bool *reported;         /* per function: already named as not isolated */
	struct slots slots;     /* the targets' slots */
	size_t n_display, n_boot;
	bool select_auto;
	enum vp_strategy want;
};

/* 1. The GPUs to pass through: the config's, else every one but the boot VGA. */
static int pick_targets(struct pick *pk, char **ret_msg)
{
	const struct vp_system *sys = pk->sys;
	size_t n_targets = 0;
	int r;

	if (pk->select_auto) {
		for (size_t i = 0; i < sys->n_fns; i++)
			if (vp_fn_is_display(&sys->fns[i]) && sys->fns[i].boot_vga != 1)
				pk->target[i] = true;
		/* nothing but the boot GPU: show it, the verdict says why not */
		if (pk->n_display && pk->n_display == pk->n_boot)
			for (size_t i = 0; i < sys->n_fns; i++)
				pk->target[i] = vp_fn_is_display(&sys->fns[i]);
	} else {
		r = pick_explicit(pk->cfg, sys, pk->target, ret_msg);
		if (r < 0)
			return r;
	}
	pk->slots.v = calloc(sys->n_fns + 1, sizeof(*pk->slots.v));
	if (!pk->slots.v)
		return -ENOMEM;
	for (size_t i = 0; i < sys->n_fns; i++)
		if (pk->target[i]) {
			n_targets++;
			pk->slots.v[pk->slots.n++] = (struct slot_of){slot_key(&sys->fns[i]), i};
			if (vp_strv_push(&pk->sel->targets, sys->fns[i].addr) < 0)
				return -ENOMEM;
		}
	/* by slot, then index: the first target of a slot comes first */
	qsort(pk->slots.v, pk->slots.n, sizeof(*pk->slots.v), cmp_slot);
	vp_strv_sort(&pk->sel->targets);
	if (!n_targets &&
	    reason(pk->sel, VP_VERDICT_NO_GPU, "No display controller (PCI class 0300, "
		   "0302 or 0380) was found, so there is no GPU to pass through.") < 0)
		return -ENOMEM;
	return 0;
}

/* 2a. The IOMMU groups of the targets' slot functions, each said when not isolated. */
static int pick_groups(struct pick *pk)
{
	const struct vp_system *sys = pk->sys;
	_cleanup_free_ bool *slot_fn = malloc(sys->n_fns + 1);

	if (!slot_fn)
		return -ENOMEM;
	memcpy(slot_fn, pk->in, sys->n_fns + 1);
	for (size_t i = 0; i < sys->n_fns; i++) {
		const struct vp_iommu_group *g;

		if (!slot_fn[i] || sys->fns[i].iommu_group < 0)
			continue;
		g = vp_system_group(sys, sys->fns[i].iommu_group);
		if (!g)
			continue;
		for (size_t k = 0; k < g->n; k++)
			if (!vp_fn_is_bridge(&sys->fns[g->members[k]]))
				pk->in[g->members[k]] = true;
		if (not_isolated(pk->sel, sys, &pk->slots, &sys->fns[i], g, pk->reported) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* 2b. No IOMMU groups: how to turn the IOMMU on, for this CPU's vendor. */
static int no_iommu(struct pick *pk)
{
	const char *v = pk->sys->cpu_vendor;
	/*
	 * The AMD driver is on whenever the firmware enables AMD-Vi;
	 * "amd_iommu=on", which many guides give, is no option of it.
	 */
	const char *token = vp_streq(v, "GenuineIntel") ? "add intel_iommu=on to" :
			    vp_streq(v, "AuthenticAMD") ? "make sure amd_iommu=off is not on" :
			    "add intel_iommu=on (Intel; AMD needs no token) to";
	const char *bios = vp_streq(v, "GenuineIntel") ? "VT-d" :
			   vp_streq(v, "AuthenticAMD") ? "AMD-Vi (often called IOMMU or SVM)" :
			   "VT-d (Intel) or AMD-Vi (AMD)";

	if (reason(pk->sel, VP_VERDICT_NO_IOMMU, "The IOMMU is off (no IOMMU groups "
		   "exist): enable %s in the firmware setup and %s the kernel "
		   "command line.", bios, token) < 0)
		return -ENOMEM;
	return 0;
}

/* 2. The slots of the targets, then the IOMMU groups of those functions, in address order. */
static int pick_functions(struct pick *pk)
{
	const struct vp_system *sys = pk->sys;
	struct vp_selection *sel = pk->sel;
	int r;

	for (size_t i = 0; i < sys->n_fns; i++)
		if (!vp_fn_is_bridge(&sys->fns[i]) && target_in_slot(&pk->slots, sys, &sys->fns[i]))
			pk->in[i] = true;
	r = sys->iommu_enabled && sys->n_groups ? pick_groups(pk) : no_iommu(pk);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sys->n_fns; i++)
		if (pk->in[i])
			sel->n_fns++;
	sel->fns = calloc(sel->n_fns + 1, sizeof(size_t));
	if (!sel->fns)
		return -ENOMEM;
	sel->n_fns = 0;
	for (size_t i = 0; i < sys->n_fns; i++)
		if (pk->in[i])
			sel->fns[sel->n_fns++] = i;
	qsort_r(sel->fns, sel->n_fns, sizeof(size_t), cmp_fn_addr, sys->fns);

	if (sel->verdict == VP_VERDICT_NOT_ISOLATED &&
	    reason(sel, VP_VERDICT_NOT_ISOLATED, "Devices share an IOMMU group when the "
		   "bridge or root port above them lacks ACS isolation. Move the card to "
		   "another slot (usually one wired to the CPU rather than the chipset) and "
		   "check again. The ACS override patch (pcie_acs_override=) only hides the "
		   "problem: the devices could still reach each other's memory.") < 0)
		return -ENOMEM;
	return 0;
}

/* 3. The ids, in address order. */
static int pick_ids(struct pick *pk)
{
	for (size_t k = 0; k < pk->sel->n_fns; k++) {
		char id[10];

		vp_fn_id(&pk->sys->fns[pk->sel->fns[k]], id);
		if (vp_strv_push_unique(&pk->sel->ids, id) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* 4a. One selected display function that may be what the host shows its console on. */
static int check_display(struct pick *pk, const struct vp_pci_fn *fn)
{
	_cleanup_free_ char *d = NULL;
	bool only = pk->n_boot == 0 && pk->n_display == 1;

	if (!vp_fn_is_display(fn) || (fn->boot_vga != 1 && !only))
		return 0;
	d = describe(fn);
	if (!d)
		return -ENOMEM;
	if (fn->boot_vga == 1)
		return reason(pk->sel, VP_VERDICT_BOOT_VGA, "%s is the boot VGA device: "
			      "the host would lose its display (console and desktop) "
			      "once vfio-pci takes it. Select another GPU, or make the "
			      "other GPU the primary one in the firmware setup.", d);
	if (VP_PCI_CLASS(fn->class) == 0x0302)
		/* a compute card: the host's console is elsewhere (or nowhere) already */
		return reason(pk->sel, VP_VERDICT_OK, "%s is a 3D controller (PCI class "
			      "0302): it drives no display, so the host keeps the "
			      "console it has without it.", d);
	return reason(pk->sel, VP_VERDICT_BOOT_VGA, "%s is the only GPU: the host "
		      "would lose its display (console and desktop) once "
		      "vfio-pci takes it.", d);
}

/* 4. The boot VGA: the host would go dark. */
static int check_boot_vga(struct pick *pk)
{
	for (size_t k = 0; k < pk->sel->n_fns; k++)
		if (check_display(pk, &pk->sys->fns[pk->sel->fns[k]]) < 0)
			return -ENOMEM;
	if (pk->select_auto && pk->n_boot == 0 && pk->n_display > 1 &&
	    reason(pk->sel, VP_VERDICT_OK, "No GPU is marked as the boot VGA device, so all %zu "
		   "display controllers are selected; name the ones to pass through in "
		   "[gpu] select if the host needs one.", pk->n_display) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * 5a. Function o, outside the selection, has the id of a selected one:
 * *conflict when ids= would take it too.
 */
static int check_shared_id(struct pick *pk, const struct vp_pci_fn *o, const char *id,
			   bool *conflict)
{
	const struct vp_system *sys = pk->sys;
	struct vp_selection *sel = pk->sel;
	_cleanup_free_ char *dout = NULL, *dsel = NULL;

	for (size_t k = 0; k < sel->n_fns && !dsel; k++)
		if (sys->fns[sel->fns[k]].vendor == o->vendor &&
		    sys->fns[sel->fns[k]].device == o->device)
			dsel = describe(&sys->fns[sel->fns[k]]);
	dout = describe(o);
	if (!dout || !dsel)
		return -ENOMEM;
	/*
	 * vfio-pci's ids= also matches subsystem ids: cards of the same
	 * model from different vendors need no binding by address.
	 */
	if (subsystem_tells_apart(sys, sel, o))
		return reason(sel, VP_VERDICT_OK, "%s has the same id as the selected %s but "
			      "another subsystem id (%04x:%04x), which ids= includes to tell "
			      "them apart.", dout, dsel, o->subvendor, o->subdevice);
	*conflict = true;
	/* the verdict says so either way; only with ids= is it a refusal */
	if (pk->want == VP_STRATEGY_IDS)
		return reason(sel, VP_VERDICT_IDENTICAL_IDS, "%s has the same id as the "
			      "selected %s, so vfio-pci ids=%s would take it too. Bind by "
			      "address instead: set [gpu] strategy = override (or auto).",
			      dout, dsel, id);
	return reason(sel, VP_VERDICT_IDENTICAL_IDS, "%s has the same id as the "
		      "selected %s; binding by address (strategy override) rather "
		      "than by ids=%s, which would take it too.", dout, dsel, id);
}

/* 5. Ids that a device outside the selection shares. */
static int check_shared_ids(struct pick *pk, bool *conflict)
{
	for (size_t i = 0; i < pk->sys->n_fns; i++) {
		const struct vp_pci_fn *o = &pk->sys->fns[i];
		char id[10];

		if (pk->in[i] || vp_fn_is_bridge(o))
			continue;
		vp_fn_id(o, id);
		if (vp_strv_contains(&pk->sel->ids, id) &&
		    check_shared_id(pk, o, id, conflict) < 0)
			return -ENOMEM;
	}
	return 0;
}

int vp_select(const struct vp_config *cfg, const struct vp_system *sys,
	      struct vp_selection *ret, char **ret_msg)
{
	struct vp_selection sel = {0};
	struct pick pk = {
		.cfg = cfg, .sys = sys, .sel = &sel,
		.select_auto = !cfg || cfg->select_auto,
		.want = cfg ? cfg->strategy : VP_STRATEGY_AUTO,
	};
	bool conflict = false;
	int r = -ENOMEM;

	memset(ret, 0, sizeof(*ret));
	pk.target = calloc(sys->n_fns + 1, sizeof(bool));
	pk.in = calloc(sys->n_fns + 1, sizeof(bool));
	pk.reported = calloc(sys->n_fns + 1, sizeof(bool));
	if (!pk.target || !pk.in || !pk.reported)
		goto out;
	for (size_t i = 0; i < sys->n_fns; i++)
		if (vp_fn_is_display(&sys->fns[i])) {
			pk.n_display++;
			pk.n_boot += sys->fns[i].boot_vga == 1;
		}
	r = pick_targets(&pk, ret_msg);
	if (r >= 0)
		r = pick_functions(&pk);
	if (r >= 0)
		r = pick_ids(&pk);
	if (r >= 0)
		r = check_boot_vga(&pk);
	if (r >= 0)
		r = check_shared_ids(&pk, &conflict);
	if (r < 0)
		goto out;

	/* 6. the strategy: ids unless that would grab a device we leave alone */
	sel.ids_conflict = conflict;
	sel.strategy = vp_strategy_resolve(pk.want, conflict);
	if (conflict && sel.strategy == VP_STRATEGY_IDS && sel.blocking < VP_VERDICT_IDENTICAL_IDS)
		sel.blocking = VP_VERDICT_IDENTICAL_IDS;
	*ret = sel;
	sel = (struct vp_selection){0};
out:
	vp_selection_free(&sel);
	free(pk.target);
	free(pk.in);
	free(pk.reported);
	free(pk.slots.v);
	return r;
}

void vp_selection_free(struct vp_selection *sel)
{
	vp_strv_free(&sel->targets);
	free(sel->fns);
	vp_strv_free(&sel->ids);
	vp_strv_free(&sel->reasons);
	memset(sel, 0, sizeof(*sel));
}

enum vp_strategy vp_strategy_resolve(enum vp_strategy want, bool ids_conflict)
{
	if (want != VP_STRATEGY_AUTO)
		return want;
	return ids_conflict ? VP_STRATEGY_OVERRIDE : VP_STRATEGY_IDS;
}

enum vp_strategy vp_selection_strategy(const struct vp_config *cfg,
				       const struct vp_selection *sel)
{
	if (sel->strategy != VP_STRATEGY_AUTO)
		return sel->strategy;
	/* an identical-ids verdict is only ever given for such a conflict */
	return vp_strategy_resolve(cfg->strategy, sel->ids_conflict ||
				   sel->verdict == VP_VERDICT_IDENTICAL_IDS);
}
