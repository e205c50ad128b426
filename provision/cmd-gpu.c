// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `gpu detach|reattach|status`: the selected functions (the same selection
 * as apply, select.c) handed to vfio-pci now, and back to their drivers.
 * The work is in handoff-*.c; this file picks the functions, applies the
 * selection's verdict as apply does, and prints.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd-util.h"
#include "config.h"
#include "handoff.h"
#include "json.h"
#include "probe.h"
#include "select.h"
#include "size.h"
#include "vp.h"

#define DEFAULT_TIMEOUT_S 10UL

static void say_line(void *userdata, const char *line)
{
	struct vp_ctx *ctx = userdata;

	if (!ctx->json && vp_log_level >= 1)
		printf("%s\n", line);
}

static void event_line(void *userdata, const char *line)
{
	(void)userdata;
	if (vp_log_level >= 2)
		fprintf(stderr, "%s\n", line);
}

static int handoff_opts(struct vp_ctx *ctx, struct vp_handoff_opts *ret)
{
	unsigned long secs = DEFAULT_TIMEOUT_S;

	if (ctx->timeout && (vp_parse_ulong(ctx->timeout, 3600, &secs) < 0 || secs == 0)) {
		vp_err("--timeout '%s': expected seconds (1-3600)", ctx->timeout);
		return -EINVAL;
	}
	*ret = (struct vp_handoff_opts){.timeout_ms = secs * 1000UL, .reset = ctx->reset,
					.say = say_line, .event = event_line, .userdata = ctx};
	return 0;
}

/* The selection as apply makes it, and its addresses. */
static int select_fns(struct vp_ctx *ctx, const struct vp_config *cfg, struct vp_system *sys,
		      struct vp_selection *sel, struct vp_strv *addrs)
{
	_cleanup_free_ char *msg = NULL;
	int r;

	r = vp_probe_pci(&ctx->root, sys, false, &msg);
	if (r >= 0)
		r = vp_probe_cpu_mem(&ctx->root, sys, &msg);
	if (r >= 0)
		r = vp_select(cfg, sys, sel, &msg);
	for (size_t k = 0; r >= 0 && k < sel->n_fns; k++)
		r = vp_strv_push(addrs, sys->fns[sel->fns[k]].addr);
	if (r < 0)
		vp_err("%s", msg ? msg : strerror(-r));
	return r;
}

/*
 * The verdict that stops a detach. Binding is by address at runtime, so
 * identical ids are no problem. A boot VGA that is the host's only display
 * is what [handoff] single_gpu is for; in a host with another GPU it needs
 * --force, as with apply.
 */
static enum vp_verdict runtime_verdict(const struct vp_config *cfg, const struct vp_system *sys,
				       const struct vp_selection *sel)
{
	size_t others = 0;

	if (sel->blocking == VP_VERDICT_IDENTICAL_IDS)
		return VP_VERDICT_OK;
	if (sel->blocking != VP_VERDICT_BOOT_VGA || !cfg->single_gpu)
		return sel->blocking;
	for (size_t i = 0; i < sys->n_fns; i++) {
		bool in = false;

		for (size_t k = 0; k < sel->n_fns; k++)
			in |= sel->fns[k] == i;
		others += !in && vp_fn_is_display(&sys->fns[i]);
	}
	return others ? VP_VERDICT_BOOT_VGA : VP_VERDICT_OK;
}

static void json_step(struct vp_json *j, const struct vp_hstep *s)
{
	vp_json_object_begin(j, NULL);
	vp_json_str(j, "step", vp_hstep_name(s->kind));
	switch (s->kind) {
	case VP_HSTEP_UNIT: vp_json_str(j, "unit", s->a); break;
	case VP_HSTEP_VTCON: vp_json_str(j, "vtcon", s->a); break;
	case VP_HSTEP_FWFB:
		vp_json_str(j, "driver", s->a);
		vp_json_str(j, "device", s->b);
		break;
	case VP_HSTEP_UNLOAD: vp_json_str(j, "module", s->a); break;
	default:
		vp_json_str(j, "address", s->a);
		vp_json_str(j, "driver", s->b);
		vp_json_str(j, "module", s->c);
		break;
	}
	vp_json_object_end(j);
}

static void json_strv(struct vp_json *j, const char *key, const struct vp_strv *v)
{
	vp_json_array_begin(j, key);
	for (size_t i = 0; i < v->n; i++)
		vp_json_str(j, NULL, v->v[i]);
	vp_json_array_end(j);
}

static int json_print(struct vp_ctx *ctx, struct vp_buf *out, struct vp_json *j)
{
	int r = vp_json_finish(j);

	if (r >= 0 && (fputs(out->s, ctx->out) < 0 || fflush(ctx->out) != 0))
		r = -EIO;
	vp_buf_free(out);
	return r;
}

static int print_result(struct vp_ctx *ctx, const char *action, const char *result,
			const struct vp_selection *sel, const struct vp_handoff_result *res,
			const char *error)
{
	struct vp_buf out = {0};
	struct vp_json j;

	vp_json_init(&j, &out);
	vp_json_object_begin(&j, NULL);
	vp_json_int(&j, "schema", 1);
	vp_json_str(&j, "action", action);
	vp_json_str(&j, "result", result);
	vp_json_bool(&j, "changed", res && res->done.n && !res->rolled_back);
	if (sel) {
		vp_json_str(&j, "verdict", vp_verdict_name(sel->verdict));
		json_strv(&j, "reasons", &sel->reasons);
	}
	vp_json_array_begin(&j, "steps");
	for (size_t i = 0; res && i < res->done.n && !res->rolled_back; i++)
		json_step(&j, &res->done.v[i]);
	vp_json_array_end(&j);
	if (res) {
		json_strv(&j, "blockers", &res->blockers);
		json_strv(&j, "failed", &res->failed);
		vp_json_bool(&j, "rolled_back", res->rolled_back);
	}
	vp_json_str(&j, "error", error);
	vp_json_object_end(&j);
	return json_print(ctx, &out, &j);
}

int vp_gpu_detach(struct vp_ctx *ctx, const struct vp_config *cfg, const char *who)
{
	struct vp_system sys = {0};
	struct vp_selection sel = {0};
	struct vp_strv addrs = {0};
	struct vp_handoff_result res = {0};
	struct vp_handoff_opts o;
	_cleanup_free_ char *msg = NULL;
	enum vp_verdict v;
	const char *result = "failed";
	int r, ret = VP_EXIT_ERROR;

	if (handoff_opts(ctx, &o) < 0 || select_fns(ctx, cfg, &sys, &sel, &addrs) < 0)
		goto out;
	v = runtime_verdict(cfg, &sys, &sel);
	if (v != VP_VERDICT_OK) {
		if (!ctx->json) {
			vp_print_verdict(&sel, stderr);
			if (v == VP_VERDICT_BOOT_VGA && !cfg->single_gpu)
				fprintf(stderr, "  A host whose only GPU this is can hand it over "
					"with [handoff] single_gpu = yes (see vfio-provision.conf(5)).\n");
		}
		/* no GPU, no IOMMU: vfio-pci would have nothing to take, or no group */
		bool hopeless = v == VP_VERDICT_NO_GPU || v == VP_VERDICT_NO_IOMMU;

		if (!ctx->force || hopeless) {
			if (!ctx->json)
				vp_err("%snot detaching: the selection's verdict is '%s'%s", who,
				       vp_verdict_name(v), hopeless ? "" : " (--force detaches anyway)");
			result = "refused";
			ret = VP_EXIT_PENDING;
			goto out;
		}
		vp_warn("%sdetaching despite the verdict '%s' (--force)", who, vp_verdict_name(v));
	}
	r = vp_handoff_detach(&ctx->root, cfg, &addrs, &o, &res, &msg);
	if (r == -EBUSY) {
		result = "refused";
		ret = VP_EXIT_PENDING;
		for (size_t i = 0; i < res.blockers.n && !ctx->json; i++)
			vp_err("%srefused: %s", who, res.blockers.v[i]);
		if (!ctx->json)
			vp_err("%snot detaching%s: stop what uses the card%s", who,
			       res.rolled_back ? " (what was done is undone)" : "",
			       cfg->single_gpu ? "" : ", or let [handoff] single_gpu = yes stop it "
			       "(see vfio-provision.conf(5))");
	} else if (r < 0) {
		if (!ctx->json)
			vp_err("%s%s%s", who, msg ? msg : strerror(-r),
			       res.rolled_back ? "; what was done is undone" : "");
	} else {
		result = res.nothing ? "already" : "detached";
		ret = VP_EXIT_OK;
		if (!ctx->json && vp_log_level >= 1)
			printf(res.nothing ? "%salready detached: every selected function is on "
			       "vfio-pci\n" : "%sdetached; `vfio-provision gpu reattach` gives it "
			       "back\n", who);
	}
	if (ctx->json && print_result(ctx, "detach", result, &sel, &res,
				      ret == VP_EXIT_ERROR ? (msg ? msg : "error") : NULL) < 0)
		ret = VP_EXIT_ERROR;
out:
	vp_handoff_result_free(&res);
	vp_strv_free(&addrs);
	vp_selection_free(&sel);
	vp_system_free(&sys);
	return ret;
}

int vp_gpu_reattach(struct vp_ctx *ctx, const char *who)
{
	struct vp_handoff_result res = {0};
	struct vp_handoff_opts o;
	_cleanup_free_ char *msg = NULL;
	const char *result = "failed";
	int r, ret = VP_EXIT_ERROR;

	if (handoff_opts(ctx, &o) < 0)
		return VP_EXIT_ERROR;
	r = vp_handoff_reattach(&ctx->root, &o, &res, &msg);
	if (r == -EBUSY) {
		result = "refused";
		ret = VP_EXIT_PENDING;
		for (size_t i = 0; i < res.blockers.n && !ctx->json; i++)
			vp_err("%srefused: %s", who, res.blockers.v[i]);
	} else if (r < 0) {
		for (size_t i = 0; i < res.failed.n && !ctx->json; i++)
			vp_err("%s%s", who, res.failed.v[i]);
		if (!ctx->json)
			vp_err("%s%s", who, msg ? msg : strerror(-r));
	} else {
		result = res.nothing ? "nothing" : "reattached";
		ret = VP_EXIT_OK;
		if (!ctx->json && vp_log_level >= 1)
			printf(res.nothing ? "%snothing to reattach: no detach is recorded\n" :
			       "%sreattached\n", who);
	}
	if (ctx->json && print_result(ctx, "reattach", result, NULL, &res,
				      ret == VP_EXIT_ERROR ? (msg ? msg : "error") : NULL) < 0)
		ret = VP_EXIT_ERROR;
	vp_handoff_result_free(&res);
	return ret;
}

/* ---- the libvirt hook ----------------------------------------------------- */

static bool any_in(const struct vp_strv *a, const struct vp_strv *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (vp_strv_contains(b, a->v[i]))
			return true;
	return false;
}

int vp_gpu_hook(struct vp_ctx *ctx, const struct vp_config *cfg, const struct vp_strv *hostdevs,
		bool prepare, bool *ret_detached)
{
	struct vp_system sys = {0};
	struct vp_selection sel = {0};
	struct vp_strv addrs = {0};
	struct vp_hrecord rec = {0};
	_cleanup_free_ char *msg = NULL;
	bool ours = false;
	int r, ret = VP_EXIT_ERROR;

	if (ret_detached)
		*ret_detached = false;
	if (!hostdevs->n)
		return VP_EXIT_OK;
	if (prepare) {
		/* a guest with one of the selected functions: the selection goes, whole */
		if (select_fns(ctx, cfg, &sys, &sel, &addrs) < 0)
			goto out;
		ours = any_in(hostdevs, &addrs);
	} else {
		/* a guest whose functions the record moved */
		r = vp_hrecord_load(&ctx->root, &rec, &msg);
		if (r < 0 && r != -ENOENT) {
			vp_err("libvirt-hook: %s", msg ? msg : strerror(-r));
			goto out;
		}
		for (size_t i = 0; i < rec.steps.n && !ours; i++)
			ours = rec.steps.v[i].kind == VP_HSTEP_MOVE &&
			       vp_strv_contains(hostdevs, rec.steps.v[i].a);
	}
	ret = VP_EXIT_OK;
	if (ours && prepare) {
		ret = vp_gpu_detach(ctx, cfg, "libvirt-hook: ");
		if (ret_detached)
			*ret_detached = ret == VP_EXIT_OK;
	} else if (ours) {
		ret = vp_gpu_reattach(ctx, "libvirt-hook: ");
	}
out:
	vp_hrecord_free(&rec);
	vp_strv_free(&addrs);
	vp_selection_free(&sel);
	vp_system_free(&sys);
	return ret;
}

/* ---- status ----------------------------------------------------------------- */

static const char *return_to(const struct vp_hrecord *rec, const struct vp_hfn *f)
{
	const struct vp_hstep *s = vp_hsteps_find(&rec->steps, VP_HSTEP_MOVE, f->addr);

	if (s)
		return s->b;
	return vp_streq(f->driver, "vfio-pci") ? NULL : f->driver;
}

static const char *record_state(const struct vp_hrecord *rec)
{
	return !rec->steps.n ? "none" : rec->complete ? "detached" : "interrupted";
}

static int status_json(struct vp_ctx *ctx, const struct vp_selection *sel,
		       const struct vp_hstate *st, const struct vp_hrecord *rec,
		       const struct vp_strv *blockers)
{
	struct vp_buf out = {0};
	struct vp_json j;

	vp_json_init(&j, &out);
	vp_json_object_begin(&j, NULL);
	vp_json_int(&j, "schema", 1);
	vp_json_str(&j, "verdict", vp_verdict_name(sel->verdict));
	json_strv(&j, "reasons", &sel->reasons);
	vp_json_str(&j, "record", record_state(rec));
	vp_json_array_begin(&j, "steps");
	for (size_t i = 0; i < rec->steps.n; i++)
		json_step(&j, &rec->steps.v[i]);
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "functions");
	for (size_t i = 0; i < st->n_fns; i++) {
		const struct vp_hfn *f = &st->fns[i];

		vp_json_object_begin(&j, NULL);
		vp_json_str(&j, "address", f->addr);
		vp_json_bool(&j, "present", f->present);
		vp_json_str(&j, "driver", f->driver);
		vp_json_str(&j, "module", f->module);
		vp_json_str(&j, "driver_override", f->override);
		vp_json_str(&j, "return_to", return_to(rec, f));
		if (f->group < 0)
			vp_json_null(&j, "iommu_group");
		else
			vp_json_int(&j, "iommu_group", f->group);
		json_strv(&j, "nodes", &f->nodes);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "users");
	for (size_t i = 0; i < st->n_users; i++) {
		vp_json_object_begin(&j, NULL);
		vp_json_int(&j, "pid", st->users[i].pid);
		vp_json_str(&j, "command", st->users[i].comm);
		vp_json_str(&j, "node", st->users[i].node);
		vp_json_str(&j, "address", st->users[i].addr);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "consoles");
	for (size_t i = 0; i < st->n_vtcons; i++) {
		vp_json_object_begin(&j, NULL);
		vp_json_str(&j, "vtcon", st->vtcons[i].name);
		vp_json_str(&j, "name", st->vtcons[i].desc);
		vp_json_bool(&j, "bound", st->vtcons[i].bound);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "firmware_framebuffers");
	for (size_t i = 0; i < st->n_fwfbs; i++) {
		vp_json_object_begin(&j, NULL);
		vp_json_str(&j, "device", st->fwfbs[i].device);
		vp_json_str(&j, "driver", st->fwfbs[i].driver);
		vp_json_str(&j, "address", st->fwfbs[i].addr);
		vp_json_str(&j, "range", st->fwfbs[i].range);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "modules");
	for (size_t i = 0; i < st->n_mods; i++) {
		vp_json_object_begin(&j, NULL);
		vp_json_str(&j, "name", st->mods[i].name);
		if (st->mods[i].refcnt < 0)
			vp_json_null(&j, "refcount");
		else
			vp_json_int(&j, "refcount", st->mods[i].refcnt);
		json_strv(&j, "holders", &st->mods[i].holders);
		json_strv(&j, "devices", &st->mods[i].devices);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	json_strv(&j, "blockers", blockers);
	vp_json_object_end(&j);
	return json_print(ctx, &out, &j);
}

static void status_text(const struct vp_hstate *st, const struct vp_hrecord *rec,
			const struct vp_strv *blockers)
{
	for (size_t i = 0; i < st->n_fns; i++) {
		const struct vp_hfn *f = &st->fns[i];
		const char *back = return_to(rec, f);

		if (!f->present) {
			printf("%s: not in sysfs (removed: echo 1 > /sys/bus/pci/rescan)\n", f->addr);
			continue;
		}
		printf("%s: driver %s", f->addr, f->driver ? f->driver : "none");
		if (f->override)
			printf(" (driver_override %s)", f->override);
		if (vp_streq(f->driver, "vfio-pci") || back != f->driver)
			printf(", returns to %s", back ? back : "no driver");
		if (f->group >= 0)
			printf(", IOMMU group %d", f->group);
		printf("\n");
		for (size_t k = 0; k < f->nodes.n; k++)
			printf("  %s\n", f->nodes.v[k]);
	}
	for (size_t i = 0; i < st->n_users; i++)
		printf("used by process %ld (%s): %s of %s\n", st->users[i].pid,
		       st->users[i].comm ? st->users[i].comm : "?", st->users[i].node,
		       st->users[i].addr);
	for (size_t i = 0; i < st->n_fns; i++)
		for (size_t k = 0; k < st->fns[i].fbs.n; k++)
			if (vp_hstate_console_on(st, st->fns[i].fbs.v[k]))
				printf("the framebuffer console draws on %s of %s\n",
				       st->fns[i].fbs.v[k], st->fns[i].addr);
	for (size_t i = 0; i < st->n_fwfbs; i++)
		printf("the firmware framebuffer %s (%s) is in the memory of %s\n",
		       st->fwfbs[i].device, st->fwfbs[i].driver, st->fwfbs[i].addr);
	for (size_t i = 0; i < st->n_mods; i++) {
		if (st->mods[i].refcnt < 0)
			printf("module %s: refcount unknown", st->mods[i].name);
		else
			printf("module %s: refcount %ld", st->mods[i].name, st->mods[i].refcnt);
		for (size_t k = 0; k < st->mods[i].holders.n; k++)
			printf("%s%s", k ? ", " : ", held by ", st->mods[i].holders.v[k]);
		printf("\n");
	}
	if (!rec->steps.n)
		printf("handoff: none recorded\n");
	else
		printf("handoff: %s (%zu steps in %s)%s\n", record_state(rec), rec->steps.n,
		       VP_HANDOFF_RECORD, rec->complete ? "" :
		       ": run `vfio-provision gpu reattach` (or detach again)");
	for (size_t i = 0; i < blockers->n; i++)
		printf("a detach now is refused: %s\n", blockers->v[i]);
}

static int cmd_status(struct vp_ctx *ctx, const struct vp_config *cfg)
{
	struct vp_system sys = {0};
	struct vp_selection sel = {0};
	struct vp_strv addrs = {0}, blockers = {0};
	struct vp_hrecord rec = {0};
	struct vp_hstate st = {0};
	struct vp_hsteps plan = {0};
	_cleanup_free_ char *msg = NULL;
	int r, ret = VP_EXIT_ERROR;

	if (select_fns(ctx, cfg, &sys, &sel, &addrs) < 0)
		goto out;
	r = vp_hrecord_load(&ctx->root, &rec, &msg);
	if (r == -ENOENT)
		r = 0;
	for (size_t i = 0; i < rec.steps.n && r >= 0; i++)
		if (rec.steps.v[i].kind == VP_HSTEP_MOVE)
			r = vp_strv_push_unique(&addrs, rec.steps.v[i].a);
	if (r >= 0)
		r = vp_hstate_probe(&ctx->root, &addrs, cfg->unload_auto ? NULL : &cfg->unload, &st,
				    &msg);
	if (r >= 0)
		r = vp_handoff_plan(cfg, &st, rec.steps.n ? &rec.steps : NULL, &plan);
	if (r >= 0)
		r = vp_handoff_blockers(cfg, &st, &plan, VP_HCHECK_BEFORE, &blockers);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		goto out;
	}
	ret = VP_EXIT_OK;
	if (ctx->json)
		ret = status_json(ctx, &sel, &st, &rec, &blockers) < 0 ? VP_EXIT_ERROR : VP_EXIT_OK;
	else
		status_text(&st, &rec, &blockers);
out:
	vp_hsteps_free(&plan);
	vp_hstate_free(&st);
	vp_hrecord_free(&rec);
	vp_strv_free(&blockers);
	vp_strv_free(&addrs);
	vp_selection_free(&sel);
	vp_system_free(&sys);
	return ret;
}

int vp_cmd_gpu(struct vp_ctx *ctx)
{
	struct vp_config cfg;
	_cleanup_free_ char *msg = NULL;
	const char *sub = ctx->argc > 0 ? ctx->argv[0] : NULL;
	int r, ret = VP_EXIT_ERROR;

	if (!sub || ctx->argc > 1 || (strcmp(sub, "detach") && strcmp(sub, "reattach") &&
				      strcmp(sub, "status"))) {
		vp_err("gpu: usage: gpu detach | gpu reattach [--reset] | gpu status");
		return VP_EXIT_ERROR;
	}
	if (ctx->reset && strcmp(sub, "reattach")) {
		vp_err("gpu %s: --reset goes with reattach (it removes the functions and rescans "
		       "the bus)", sub);
		return VP_EXIT_ERROR;
	}
	vp_config_init(&cfg);
	r = vp_config_load(&cfg, &ctx->root, ctx->config, &msg);
	if (r < 0)
		vp_err("%s", msg ? msg : strerror(-r));
	else if (strcmp(sub, "status") == 0)
		ret = cmd_status(ctx, &cfg);
	else if (strcmp(sub, "detach") == 0)
		ret = vp_gpu_detach(ctx, &cfg, "");
	else
		ret = vp_gpu_reattach(ctx, "");
	vp_config_free(&cfg);
	return ret;
}
