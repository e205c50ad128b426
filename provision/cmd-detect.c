// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * detect: the system model and the proposed selection, as a human view
 * (the familiar "IOMMU Group N <lspci -nn line>" listing, then a summary)
 * or as JSON (schema in docs/detect-json.md). Read-only.
 *
 * Addresses in the listing follow lspci: the domain is left out when it is
 * 0000 and kept otherwise. Everywhere else (summary, JSON) addresses are
 * full DDDD:BB:DD.F.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "json.h"
#include "probe.h"
#include "select.h"
#include "target.h"
#include "vp.h"

/* lspci's short form: "01:00.0", or "0001:01:00.0" outside domain 0. */
static const char *short_addr(const struct vp_pci_fn *fn)
{
	return fn->domain == 0 ? fn->addr + 5 : fn->addr;
}

/* One line as lspci -nn writes it, in one append (a machine may have thousands). */
static void print_fn_line(struct vp_buf *b, const struct vp_pci_fn *fn)
{
	char cls[8], vendor[16], device[16], rev[12] = "";
	/* pci.ids names some classes with the number already ("Unassigned class [ffff]") */
	bool cls_named;

	snprintf(cls, sizeof(cls), "[%04x]", VP_PCI_CLASS(fn->class));
	cls_named = fn->class_name && strstr(fn->class_name, cls);
	snprintf(vendor, sizeof(vendor), "Vendor %04x", fn->vendor);
	snprintf(device, sizeof(device), "Device %04x", fn->device);
	if (fn->revision)
		snprintf(rev, sizeof(rev), " (rev %02x)", fn->revision);
	vp_buf_printf(b, "%s %s%s%s: %s %s [%04x:%04x]%s\n", short_addr(fn),
		      fn->class_name ? fn->class_name : "Class", cls_named ? "" : " ",
		      cls_named ? "" : cls, fn->vendor_name ? fn->vendor_name : vendor,
		      fn->device_name ? fn->device_name : device, fn->vendor, fn->device, rev);
}

static void print_listing(struct vp_buf *b, const struct vp_system *sys)
{
	for (size_t g = 0; g < sys->n_groups; g++)
		for (size_t m = 0; m < sys->groups[g].n; m++) {
			vp_buf_printf(b, "IOMMU Group %d ", sys->groups[g].id);
			print_fn_line(b, &sys->fns[sys->groups[g].members[m]]);
		}
	/* functions outside any group: all of them when the IOMMU is off */
	for (size_t i = 0; i < sys->n_fns; i++)
		if (sys->fns[i].iommu_group < 0) {
			if (sys->iommu_enabled)
				vp_buf_puts(b, "No IOMMU Group ");
			print_fn_line(b, &sys->fns[i]);
		}
}

static void print_pool(struct vp_buf *b, const char *name, const struct vp_hpool *p)
{
	if (!p->present)
		vp_buf_printf(b, "%s not supported", name);
	else
		vp_buf_printf(b, "%s %ld (%ld free)", name, p->nr, p->free);
}

/* Only on a Proxmox VE node or where proxmox-boot-tool keeps the ESPs. */
static void print_proxmox(struct vp_buf *b, const struct vp_system *sys)
{
	if (sys->pve) {
		vp_buf_printf(b, "\nProxmox VE:  %s (", sys->pve_version ? sys->pve_version :
			      "version unknown");
		for (size_t i = 0; i < sys->pve_evidence.n; i++)
			vp_buf_printf(b, "%s%s", i ? ", " : "", sys->pve_evidence.v[i]);
		vp_buf_puts(b, ")");
	}
	if (sys->pve_boot_tool)
		vp_buf_printf(b, "\n  proxmox-boot-tool: %zu ESP%s in /etc/kernel/proxmox-boot-uuids, "
			      "%s (%s)", sys->pve_n_esps, sys->pve_n_esps == 1 ? "" : "s",
			      vp_bootloader_name(sys->bootloader), sys->pve_boot_why);
}

static void json_proxmox(struct vp_json *j, const struct vp_system *sys)
{
	if (!sys->pve && !sys->pve_boot_tool)
		return;
	vp_json_object_begin(j, "proxmox");
	vp_json_bool(j, "node", sys->pve);
	vp_json_str(j, "version", sys->pve_version);
	vp_json_array_begin(j, "evidence");
	for (size_t i = 0; i < sys->pve_evidence.n; i++)
		vp_json_str(j, NULL, sys->pve_evidence.v[i]);
	vp_json_array_end(j);
	if (sys->pve_boot_tool) {
		vp_json_object_begin(j, "boot_tool");
		vp_json_uint(j, "esps", sys->pve_n_esps);
		vp_json_str(j, "mode", vp_bootloader_name(sys->bootloader));
		vp_json_str(j, "why", sys->pve_boot_why);
		vp_json_object_end(j);
	} else {
		vp_json_null(j, "boot_tool");
	}
	vp_json_object_end(j);
}

static void print_summary(struct vp_buf *b, const struct vp_system *sys,
			  const struct vp_config *cfg)
{
	size_t n_gpus = 0;

	vp_buf_puts(b, "\n");
	if (sys->iommu_enabled)
		vp_buf_printf(b, "IOMMU:       enabled, %zu groups\n", sys->n_groups);
	else
		vp_buf_puts(b, "IOMMU:       disabled (no IOMMU groups)\n");
	vp_buf_printf(b, "CPU:         %s, 1 GiB pages %s\n",
		      sys->cpu_vendor ? sys->cpu_vendor : "unknown vendor",
		      sys->pdpe1gb ? "supported (pdpe1gb)" : "not supported (no pdpe1gb)");
	if (sys->mem_total_kib)
		vp_buf_printf(b, "Memory:      %llu kB (%.1f GiB)\n", sys->mem_total_kib,
			      (double)sys->mem_total_kib / (1024.0 * 1024.0));
	else
		vp_buf_puts(b, "Memory:      unknown\n");
	vp_buf_printf(b, "NUMA nodes:  %zu\n", sys->n_nodes);
	for (size_t i = 0; i < sys->n_nodes; i++) {
		const struct vp_numa_node *n = &sys->nodes[i];

		vp_buf_printf(b, "  node%d:     %llu kB", n->id, n->mem_total_kib);
		if (n->hp1g_nr >= 0)
			vp_buf_printf(b, ", 1 GiB pages %ld (%ld free)", n->hp1g_nr, n->hp1g_free);
		vp_buf_puts(b, "\n");
	}
	vp_buf_puts(b, "Hugepages:   ");
	print_pool(b, "1 GiB", &sys->hp1g);
	vp_buf_puts(b, ", ");
	print_pool(b, "2 MiB", &sys->hp2m);
	vp_buf_puts(b, "\n");
	if (sys->n_kernels)
		vp_buf_printf(b, "Kernels:     %zu under /lib/modules\n", sys->n_kernels);
	else
		vp_buf_puts(b, "Kernels:     none under /lib/modules\n");
	for (size_t i = 0; i < sys->n_kernels; i++) {
		const struct vp_kernel *k = &sys->kernels[i];

		vp_buf_printf(b, "  %s%s:", k->version, k->running ? " (running)" : "");
		for (int m = 0; m < VP_MOD_COUNT; m++)
			vp_buf_printf(b, " %s=%s", vp_vfio_mod_names[m], vp_mod_state_name(k->mods[m]));
		vp_buf_puts(b, "\n");
	}
	vp_buf_printf(b, "Initramfs:   %s", vp_initramfs_name(sys->initramfs));
	for (int g = 1; (size_t)g < vp_targets->n_generators; g++)
		if (sys->initramfs_found[g] && g != (int)sys->initramfs)
			vp_buf_printf(b, " (also found: %s)", vp_initramfs_name(g));
	if (sys->initramfs_note)
		vp_buf_printf(b, "\n             %s%s", sys->initramfs_unsure ? "warning: " : "",
			      sys->initramfs_note);
	if (!cfg->initramfs_auto)
		vp_buf_printf(b, "\n             [initramfs] generator = %s in the config: plan "
			      "and apply use it", vp_initramfs_name(cfg->initramfs));
	vp_buf_printf(b, "\nBootloader:  %s", vp_bootloader_name(sys->bootloader));
	for (int l = 1; (size_t)l < vp_targets->n_bootloaders; l++)
		if (sys->bootloader_found[l] && l != (int)sys->bootloader)
			vp_buf_printf(b, " (also found: %s)", vp_bootloader_name(l));
	print_proxmox(b, sys);
	vp_buf_puts(b, "\nGPUs:        ");
	for (size_t i = 0; i < sys->n_fns; i++) {
		const struct vp_pci_fn *fn = &sys->fns[i];

		if (!vp_fn_is_display(fn))
			continue;
		vp_buf_printf(b, "%s%s [%04x:%04x]", n_gpus++ ? "\n             " : "", fn->addr,
			      fn->vendor, fn->device);
		if (fn->boot_vga == 1)
			vp_buf_puts(b, " boot VGA");
		vp_buf_printf(b, ", driver %s", fn->driver ? fn->driver : "none");
		if (fn->iommu_group >= 0)
			vp_buf_printf(b, ", group %d", fn->iommu_group);
		if (fn->numa_node >= 0)
			vp_buf_printf(b, ", node %d", fn->numa_node);
	}
	if (!n_gpus)
		vp_buf_puts(b, "none");
	vp_buf_puts(b, "\n");
}

static void print_selection(struct vp_buf *b, const struct vp_system *sys,
			    const struct vp_config *cfg, const struct vp_selection *sel)
{
	vp_buf_puts(b, "\nProposed passthrough (select = ");
	if (cfg->select_auto || cfg->select.n == 0)
		vp_buf_puts(b, "auto");
	for (size_t i = 0; !cfg->select_auto && i < cfg->select.n; i++)
		vp_buf_printf(b, "%s%s", i ? ", " : "", cfg->select.v[i]);
	vp_buf_puts(b, "):\n");
	vp_buf_puts(b, "  Targets:    ");
	for (size_t i = 0; i < sel->targets.n; i++)
		vp_buf_printf(b, "%s%s", i ? " " : "", sel->targets.v[i]);
	vp_buf_puts(b, sel->targets.n ? "\n" : "none\n");
	vp_buf_puts(b, "  Functions:  ");
	for (size_t i = 0; i < sel->n_fns; i++)
		vp_buf_printf(b, "%s%s", i ? " " : "", sys->fns[sel->fns[i]].addr);
	vp_buf_puts(b, sel->n_fns ? "\n" : "none\n");
	vp_buf_puts(b, "  IDs:        ");
	for (size_t i = 0; i < sel->ids.n; i++)
		vp_buf_printf(b, "%s%s", i ? "," : "", sel->ids.v[i]);
	vp_buf_puts(b, sel->ids.n ? "\n" : "none\n");
	vp_buf_printf(b, "  Strategy:   %s\n", vp_strategy_name(sel->strategy));
	vp_buf_printf(b, "  Verdict:    %s\n", vp_verdict_name(sel->verdict));
	for (size_t i = 0; i < sel->reasons.n; i++)
		vp_buf_printf(b, "  - %s\n", sel->reasons.v[i]);
}

static void json_ids(struct vp_json *j, const struct vp_pci_fn *fn)
{
	char v[8];

	vp_json_str(j, "address", fn->addr);
	snprintf(v, sizeof(v), "%04x", fn->vendor);
	vp_json_str(j, "vendor", v);
	snprintf(v, sizeof(v), "%04x", fn->device);
	vp_json_str(j, "device", v);
	snprintf(v, sizeof(v), "%04x", VP_PCI_CLASS(fn->class));
	vp_json_str(j, "class", v);
}

static void json_int_or_null(struct vp_json *j, const char *key, long long v)
{
	if (v < 0)
		vp_json_null(j, key);
	else
		vp_json_int(j, key, v);
}

static void json_fn(struct vp_json *j, const struct vp_pci_fn *fn)
{
	char v[16];
	struct vp_buf name = {0};

	vp_json_object_begin(j, NULL);
	json_ids(j, fn);
	snprintf(v, sizeof(v), "%06x", fn->class);
	vp_json_str(j, "class_code", v);
	snprintf(v, sizeof(v), "%04x:%04x", fn->subvendor, fn->subdevice);
	vp_json_str(j, "subsystem", v);
	snprintf(v, sizeof(v), "%02x", fn->revision);
	vp_json_str(j, "revision", v);
	if (fn->vendor_name || fn->device_name) {
		vp_buf_printf(&name, "%s%s%s", fn->vendor_name ? fn->vendor_name : "",
			      fn->vendor_name && fn->device_name ? " " : "",
			      fn->device_name ? fn->device_name : "");
		vp_json_str(j, "name", name.s);
	} else {
		vp_json_null(j, "name");
	}
	vp_buf_free(&name);
	vp_json_str(j, "vendor_name", fn->vendor_name);
	vp_json_str(j, "device_name", fn->device_name);
	vp_json_str(j, "class_name", fn->class_name);
	if (fn->boot_vga < 0)
		vp_json_null(j, "boot_vga");
	else
		vp_json_bool(j, "boot_vga", fn->boot_vga == 1);
	vp_json_str(j, "driver", fn->driver);
	json_int_or_null(j, "iommu_group", fn->iommu_group);
	json_int_or_null(j, "numa_node", fn->numa_node);
	vp_json_str(j, "modalias", fn->modalias);
	vp_json_object_end(j);
}

static void json_pool(struct vp_json *j, const char *key, const struct vp_hpool *p)
{
	vp_json_object_begin(j, key);
	vp_json_uint(j, "size_kib", p->size_kib);
	vp_json_bool(j, "present", p->present);
	json_int_or_null(j, "nr", p->present ? p->nr : -1);
	json_int_or_null(j, "free", p->present ? p->free : -1);
	json_int_or_null(j, "resv", p->present ? p->resv : -1);
	json_int_or_null(j, "surplus", p->present ? p->surplus : -1);
	vp_json_object_end(j);
}

static int print_json(struct vp_buf *b, const struct vp_system *sys, const struct vp_config *cfg,
		      const struct vp_selection *sel)
{
	struct vp_json j;

	vp_json_init(&j, b);
	vp_json_object_begin(&j, NULL);
	vp_json_int(&j, "schema", 1);
	vp_json_object_begin(&j, "iommu");
	vp_json_bool(&j, "enabled", sys->iommu_enabled);
	vp_json_uint(&j, "n_groups", sys->n_groups);
	vp_json_object_end(&j);

	vp_json_array_begin(&j, "gpus");
	for (size_t i = 0; i < sys->n_fns; i++)
		if (vp_fn_is_display(&sys->fns[i]))
			json_fn(&j, &sys->fns[i]);
	vp_json_array_end(&j);

	vp_json_array_begin(&j, "groups");
	for (size_t g = 0; g < sys->n_groups; g++) {
		vp_json_object_begin(&j, NULL);
		vp_json_int(&j, "id", sys->groups[g].id);
		vp_json_array_begin(&j, "devices");
		for (size_t m = 0; m < sys->groups[g].n; m++) {
			vp_json_object_begin(&j, NULL);
			json_ids(&j, &sys->fns[sys->groups[g].members[m]]);
			vp_json_object_end(&j);
		}
		vp_json_array_end(&j);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);

	vp_json_array_begin(&j, "functions");
	for (size_t i = 0; i < sys->n_fns; i++)
		json_fn(&j, &sys->fns[i]);
	vp_json_array_end(&j);

	vp_json_object_begin(&j, "selection");
	vp_json_str(&j, "target", sel->targets.n ? sel->targets.v[0] : NULL);
	vp_json_array_begin(&j, "targets");
	for (size_t i = 0; i < sel->targets.n; i++)
		vp_json_str(&j, NULL, sel->targets.v[i]);
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "functions");
	for (size_t i = 0; i < sel->n_fns; i++)
		vp_json_str(&j, NULL, sys->fns[sel->fns[i]].addr);
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "ids");
	for (size_t i = 0; i < sel->ids.n; i++)
		vp_json_str(&j, NULL, sel->ids.v[i]);
	vp_json_array_end(&j);
	vp_json_str(&j, "strategy", vp_strategy_name(sel->strategy));
	vp_json_str(&j, "verdict", vp_verdict_name(sel->verdict));
	vp_json_array_begin(&j, "reasons");
	for (size_t i = 0; i < sel->reasons.n; i++)
		vp_json_str(&j, NULL, sel->reasons.v[i]);
	vp_json_array_end(&j);
	vp_json_object_end(&j);

	vp_json_object_begin(&j, "cpu");
	vp_json_str(&j, "vendor", sys->cpu_vendor);
	vp_json_bool(&j, "pdpe1gb", sys->pdpe1gb);
	vp_json_object_end(&j);

	vp_json_object_begin(&j, "memory");
	if (sys->mem_total_kib)
		vp_json_uint(&j, "total_kib", sys->mem_total_kib);
	else
		vp_json_null(&j, "total_kib");
	vp_json_object_begin(&j, "hugepages");
	json_pool(&j, "1G", &sys->hp1g);
	json_pool(&j, "2M", &sys->hp2m);
	vp_json_object_end(&j);
	vp_json_object_end(&j);

	vp_json_array_begin(&j, "numa_nodes");
	for (size_t i = 0; i < sys->n_nodes; i++) {
		const struct vp_numa_node *n = &sys->nodes[i];

		vp_json_object_begin(&j, NULL);
		vp_json_int(&j, "id", n->id);
		if (n->mem_total_kib)
			vp_json_uint(&j, "mem_total_kib", n->mem_total_kib);
		else
			vp_json_null(&j, "mem_total_kib");
		json_int_or_null(&j, "hp1g_nr", n->hp1g_nr);
		json_int_or_null(&j, "hp1g_free", n->hp1g_free);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);

	vp_json_array_begin(&j, "kernels");
	for (size_t i = 0; i < sys->n_kernels; i++) {
		const struct vp_kernel *k = &sys->kernels[i];

		vp_json_object_begin(&j, NULL);
		vp_json_str(&j, "version", k->version);
		vp_json_bool(&j, "running", k->running);
		vp_json_object_begin(&j, "modules");
		for (int m = 0; m < VP_MOD_COUNT; m++)
			vp_json_str(&j, vp_vfio_mod_names[m], vp_mod_state_name(k->mods[m]));
		vp_json_object_end(&j);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	vp_json_str(&j, "running_kernel", sys->running_kernel);
	vp_json_str(&j, "cmdline", sys->proc_cmdline);

	vp_json_str(&j, "initramfs", sys->initramfs ? vp_initramfs_name(sys->initramfs) : NULL);
	vp_json_array_begin(&j, "initramfs_found");
	for (int g = 1; (size_t)g < vp_targets->n_generators; g++)
		if (sys->initramfs_found[g])
			vp_json_str(&j, NULL, vp_initramfs_name(g));
	vp_json_array_end(&j);
	vp_json_str(&j, "initramfs_note", sys->initramfs_note);
	vp_json_bool(&j, "initramfs_unsure", sys->initramfs_unsure);
	vp_json_str(&j, "initramfs_configured",
		    cfg->initramfs_auto ? NULL : vp_initramfs_name(cfg->initramfs));
	vp_json_str(&j, "bootloader", sys->bootloader ? vp_bootloader_name(sys->bootloader) : NULL);
	vp_json_array_begin(&j, "bootloader_found");
	for (int l = 1; (size_t)l < vp_targets->n_bootloaders; l++)
		if (sys->bootloader_found[l])
			vp_json_str(&j, NULL, vp_bootloader_name(l));
	vp_json_array_end(&j);
	json_proxmox(&j, sys);
	vp_json_object_end(&j);
	return vp_json_finish(&j);
}

int vp_cmd_detect(struct vp_ctx *ctx)
{
	/* what detect reports, no more (root= is the planners') */
	struct vp_probe_opts opts = {.kver = ctx->kver, .names = true, .no_root_spec = true,
				     .gpu_details_only = !ctx->json};
	struct vp_system sys = {0};
	struct vp_config cfg = {0};
	struct vp_selection sel = {0};
	struct vp_buf out = {0};
	char *msg = NULL;
	int r, ret = VP_EXIT_ERROR;

	if (ctx->argc > 0) {
		vp_err("detect: unexpected argument '%s'", ctx->argv[0]);
		return VP_EXIT_ERROR;
	}
	vp_config_init(&cfg);
	r = vp_config_load(&cfg, &ctx->root, ctx->config, &msg);
	if (r < 0)
		goto fail;
	r = vp_probe(&ctx->root, &opts, &sys, &msg);
	if (r < 0)
		goto fail;
	r = vp_select(&cfg, &sys, &sel, &msg);
	if (r < 0)
		goto fail;
	if (ctx->json) {
		r = print_json(&out, &sys, &cfg, &sel);
	} else {
		/* the appends are not checked one by one: the first error sticks */
		print_listing(&out, &sys);
		print_summary(&out, &sys, &cfg);
		print_selection(&out, &sys, &cfg, &sel);
		r = 0;
	}
	if (r >= 0 && out.err)
		r = out.err;
	if (r < 0)
		goto fail;
	if (!ctx->json) {
		/* names from pci.ids, kernel directory names: as a terminal may show them */
		struct vp_buf shown = {0};

		r = vp_buf_put_printable(&shown, out.s, out.len, "\n");
		vp_buf_free(&out);
		out = shown;
		if (r < 0)
			goto fail;
	}
	if (fwrite(out.s, 1, out.len, ctx->out) != out.len || fflush(ctx->out) != 0) {
		vp_err("writing the output: %s", strerror(errno));
		goto out;
	}
	ret = sel.verdict == VP_VERDICT_OK ? VP_EXIT_OK : VP_EXIT_PENDING;
	goto out;
fail:
	if (msg)
		vp_err("%s", msg);
	else
		vp_err("detect: %s", strerror(-r));
out:
	free(msg);
	vp_buf_free(&out);
	vp_selection_free(&sel);
	vp_system_free(&sys);
	vp_config_free(&cfg);
	return ret;
}
