// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guest-xml: the libvirt <hostdev> elements for the selected functions,
 * with their notes as XML comments (paste inside <devices>), or --json.
 * Reads the config and the root; writes nothing. With --domain, the
 * domain's own XML edited instead (cmd-guest-xml-domain.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd-guest-xml.h"
#include "probe.h"

void vp_guest_xml_json_head(struct vp_json *j, const struct vp_selection *sel,
			    const struct vp_guest_xml *g)
{
	vp_json_int(j, "schema", 1);
	vp_json_str(j, "verdict", vp_verdict_name(sel->verdict));
	vp_json_bool(j, "apply_refuses", sel->blocking != VP_VERDICT_OK);
	vp_json_array_begin(j, "functions");
	for (size_t i = 0; i < g->n; i++) {
		vp_json_object_begin(j, NULL);
		vp_json_str(j, "address", g->v[i].addr);
		vp_json_str(j, "guest_address", g->v[i].guest[0] ? g->v[i].guest : NULL);
		vp_json_str(j, "xml", g->v[i].xml);
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
	vp_json_array_begin(j, "notes");
	for (size_t i = 0; i < g->notes.n; i++)
		vp_json_str(j, NULL, g->notes.v[i]);
	vp_json_array_end(j);
}

int vp_guest_xml_json_finish(struct vp_json *j, struct vp_buf *out, FILE *f)
{
	int r;

	vp_json_object_end(j);
	r = vp_json_finish(j);
	if (r >= 0 && (fputs(out->s, f) < 0 || fflush(f) != 0))
		r = -EIO;
	vp_buf_free(out);
	return r;
}

int vp_guest_xml_verdict(const struct vp_selection *sel, size_t n_fns)
{
	if (n_fns == 0)
		vp_warn("no function is selected (verdict %s): no <hostdev> to print",
			vp_verdict_name(sel->verdict));
	else if (sel->blocking != VP_VERDICT_OK)
		vp_warn("verdict %s: apply refuses this selection (see `vfio-provision plan`)",
			vp_verdict_name(sel->verdict));
	return n_fns == 0 || sel->blocking != VP_VERDICT_OK ? VP_EXIT_PENDING : VP_EXIT_OK;
}

static int print_json(FILE *f, const struct vp_selection *sel, const struct vp_guest_xml *g)
{
	struct vp_buf out = {0};
	struct vp_json j;

	vp_json_init(&j, &out);
	vp_json_object_begin(&j, NULL);
	vp_guest_xml_json_head(&j, sel, g);
	vp_json_null(&j, "domain");
	return vp_guest_xml_json_finish(&j, &out, f);
}

int vp_cmd_guest_xml(struct vp_ctx *ctx)
{
	struct vp_probe_opts opts = {.kver = ctx->kver};
	struct vp_config cfg;
	struct vp_system sys = {0};
	struct vp_selection sel = {0};
	struct vp_guest_xml g = {0};
	struct vp_buf out = {0};
	char *msg = NULL;
	int r, ret = VP_EXIT_ERROR;

	vp_config_init(&cfg);
	if (ctx->argc > 0) {
		vp_err("guest-xml takes no arguments ('%s')", ctx->argv[0]);
		goto out;
	}
	r = vp_config_load(&cfg, &ctx->root, ctx->config, &msg);
	if (r >= 0)
		r = vp_probe(&ctx->root, &opts, &sys, &msg);
	if (r >= 0)
		r = vp_select(&cfg, &sys, &sel, &msg);
	if (r >= 0 && !ctx->domain)
		r = vp_guest_xml_build(&sys, &sel, &g, &msg);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		goto out;
	}
	if (ctx->domain) {
		ret = vp_cmd_guest_xml_domain(ctx, &cfg, &sys, &sel);
		goto out;
	}
	if (ctx->json) {
		r = print_json(ctx->out ? ctx->out : stdout, &sel, &g);
	} else {
		r = vp_guest_xml_text(&g, "", &out);
		if (r >= 0 && out.len)
			fputs(out.s, stdout);
	}
	if (r < 0) {
		vp_err("guest-xml: %s", strerror(-r));
		goto out;
	}
	/* the XML is printed either way; the exit status says whether apply would refuse */
	ret = vp_guest_xml_verdict(&sel, g.n);
out:
	free(msg);
	vp_buf_free(&out);
	vp_guest_xml_free(&g);
	vp_selection_free(&sel);
	vp_system_free(&sys);
	vp_config_free(&cfg);
	return ret;
}
