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
