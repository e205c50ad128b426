// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guest-xml --domain NAME [--define] [--connect URI]: the selection and the
 * 1 GiB pages put into a libvirt domain read through libvirt's API, shown
 * as a unified diff; --define defines the result. Writes no file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd-guest-xml.h"
#include "diff.h"
#include "guest-domain.h"
#include "quote.h"
#include "template.h"

/* What the domain should get from the config. */
static int want_for(const struct vp_config *cfg, const struct vp_system *sys,
		    const struct vp_selection *sel, const char *name, struct vp_domain_want *w,
		    char **ret_backing)
{
	*w = (struct vp_domain_want){.sys = sys, .sel = sel, .pages = cfg->hp_count,
				     .node = cfg->hp_node};
	*ret_backing = NULL;
	/* the pages sit on the GPU's node on a machine with several (as plan's hint says) */
	for (size_t i = 0; w->node < 0 && i < sel->n_fns && sys->n_nodes > 1; i++)
		w->node = sys->fns[sel->fns[i]].numa_node;
	if (cfg->hp_count == 0)
		return 0;
	/*
	 * Without nodeset: <page nodeset> names guest NUMA cells, which a
	 * domain without <numa> lacks; the host node is a note instead.
	 */
	*ret_backing = vp_template_fill(vp_template("libvirt-hugepages.xml"),
					(const char *const[]){"DOMAIN", name, "NODESET", "", NULL});
	w->memory_backing = *ret_backing;
	return *ret_backing ? 0 : -ENOMEM;
}

/* The command that defines what a preview shows. */
static char *define_command(const struct vp_ctx *ctx)
{
	struct vp_buf b = {0};

	vp_buf_puts(&b, "vfio-provision ");
	if (ctx->root_dir) {
		vp_buf_puts(&b, "--root ");
		vp_sh_quote(&b, ctx->root_dir);
		vp_buf_puts(&b, " ");
	}
	if (ctx->config) {
		vp_buf_puts(&b, "--config ");
		vp_sh_quote(&b, ctx->config);
		vp_buf_puts(&b, " ");
	}
	if (ctx->connect) {
		vp_buf_puts(&b, "--connect ");
		vp_sh_quote(&b, ctx->connect);
		vp_buf_puts(&b, " ");
	}
	vp_buf_puts(&b, "guest-xml --domain ");
	vp_sh_quote(&b, ctx->domain);
	vp_buf_puts(&b, " --define");
	if (b.err) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

static int print_json(FILE *f, const struct vp_selection *sel, const struct vp_domain_edit *e,
		      const char *name, const char *uri, bool defined, const char *diff)
{
	struct vp_buf out = {0};
	struct vp_json j;

	vp_json_init(&j, &out);
	vp_json_object_begin(&j, NULL);
	vp_guest_xml_json_head(&j, sel, &e->g);
	vp_json_object_begin(&j, "domain");
	vp_json_str(&j, "name", name);
	vp_json_str(&j, "uri", uri);
	vp_json_bool(&j, "changed", e->changed);
	vp_json_bool(&j, "defined", defined);
	vp_json_array_begin(&j, "changes");
	for (size_t i = 0; i < e->changes.n; i++)
		vp_json_str(&j, NULL, e->changes.v[i]);
	vp_json_array_end(&j);
	vp_json_str(&j, "diff", diff && *diff ? diff : NULL);
	vp_json_str(&j, "xml", e->new_xml);
	vp_json_object_end(&j);
	return vp_guest_xml_json_finish(&j, &out, f);
}

static void print_text(const struct vp_ctx *ctx, const struct vp_domain_edit *e, bool pages,
		       const char *uri, bool defined, const char *diff)
{
	const char *name = ctx->domain;
	size_t n = e->changes.n;

	if (diff)
		fputs(diff, stdout);
	for (size_t i = 0; i < n; i++)
		printf("%s\n", e->changes.v[i]);
	for (size_t i = 0; i < e->g.notes.n; i++)
		printf("note: %s\n", e->g.notes.v[i]);
	if (defined) {
		printf("defined domain '%s'%s%s: %zu change%s\n", name, uri ? " on " : "",
		       uri ? uri : "", n, n == 1 ? "" : "s");
	} else if (!e->changed) {
		printf("domain '%s' already has the selection%s: nothing to do\n", name,
		       pages ? " and the 1 GiB pages" : "");
	} else if (!ctx->define) {
		_cleanup_free_ char *cmd = define_command(ctx);

		printf("%zu change%s pending; `%s` defines %s\n", n, n == 1 ? "" : "s",
		       cmd ? cmd : "guest-xml --define", n == 1 ? "it" : "them");
	}
}

int vp_cmd_guest_xml_domain(struct vp_ctx *ctx, const struct vp_config *cfg,
			    const struct vp_system *sys, const struct vp_selection *sel)
{
	_cleanup_free_ char *msg = NULL, *backing = NULL, *label = NULL;
	bool refused = sel->blocking != VP_VERDICT_OK && !ctx->force;
	struct vp_domain_edit e = {0};
	struct vp_domain_want want;
	struct vp_virt *v = NULL;
	struct vp_buf diff = {0};
	bool defined = false;
	int r, ret = VP_EXIT_ERROR;

	if (sys->pve) {
		vp_err("guest-xml --domain: a Proxmox VE node runs its guests without libvirt; "
		       "`vfio-provision plan` prints the qm set command instead");
		return VP_EXIT_ERROR;
	}
	r = want_for(cfg, sys, sel, ctx->domain, &want, &backing);
	if (r >= 0)
		r = vp_virt_open(ctx->connect, ctx->define, &v, &msg);
	/* a selection apply refuses is shown, not defined (--force defines it) */
	if (r >= 0)
		r = vp_guest_domain(v, ctx->domain, &want, ctx->define && !refused, &e, &defined,
				    &msg);
	label = vp_strdup_printf("%s.xml", ctx->domain);
	if (r >= 0 && !label)
		r = -ENOMEM;
	if (r >= 0)
		r = vp_diff(label, e.old_xml, strlen(e.old_xml), e.new_xml, strlen(e.new_xml),
			    ctx->color && !ctx->json, &diff);
	if (r < 0) {
		vp_err("guest-xml --domain: %s", msg ? msg : strerror(-r));
		goto out;
	}
	if (ctx->json)
		r = print_json(ctx->out, sel, &e, ctx->domain, vp_virt_uri(v), defined, diff.s);
	else
		print_text(ctx, &e, want.memory_backing, vp_virt_uri(v), defined, diff.s);
	if (r < 0) {
		vp_err("guest-xml --domain: %s", strerror(-r));
		goto out;
	}
	/* 1 as guest-xml: nothing selected or apply refuses it; and while a change is pending */
	ret = vp_guest_xml_verdict(sel, sel->n_fns);
	if (ctx->define && refused && e.changed)
		vp_err("not defining domain '%s': apply refuses the selection (verdict %s, see "
		       "`vfio-provision plan`); fix that first, or use --force", ctx->domain,
		       vp_verdict_name(sel->verdict));
	if (e.changed && !defined)
		ret = VP_EXIT_PENDING;
out:
	vp_buf_free(&diff);
	vp_domain_edit_free(&e);
	vp_virt_close(v);
	return ret;
}
