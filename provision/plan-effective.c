// SPDX-License-Identifier: GPL-2.0-or-later
/* The judge of the next boot's command lines (plan-effective.h). Pure. */
#include <errno.h>
#include <string.h>

#include "cmdline-effect.h"
#include "plan-boot.h"
#include "plan-effective.h"

void vp_effect_report_free(struct vp_effect_report *r)
{
	vp_strv_free(&r->errors);
	vp_strv_free(&r->warnings);
	*r = (struct vp_effect_report){0};
}

/* How every installed kernel reads the line: N:M counts need 5.16 on all of them. */
static struct vp_kcl_opts opts_of(const struct vp_system *sys)
{
	struct vp_kcl_opts o = {.gbpages = sys->pdpe1gb, .node_syntax = true,
				.n_nodes = (int)sys->n_nodes};

	for (size_t i = 0; i < sys->n_kernels; i++)
		if (strverscmp(sys->kernels[i].version, "5.16") < 0)
			o.node_syntax = false;
	return o;
}

/* The plan's tokens alone, as one line, and the keys it takes off. */
static int wanted(const struct vp_plan *plan, char **ret_line, struct vp_strv *ret_removed)
{
	struct vp_buf b = {0};
	int r = vp_buf_puts(&b, "");

	for (size_t i = 0; i < plan->n_cmdline && r >= 0; i++) {
		const struct vp_cmdline_token *t = &plan->cmdline[i];

		if (t->token)
			r = vp_buf_printf(&b, "%s%s", b.len ? " " : "", t->token);
		else
			r = vp_strv_push(ret_removed, t->key);
	}
	if (r < 0) {
		vp_buf_free(&b);
		return r;
	}
	*ret_line = vp_buf_steal(&b);
	return 0;
}

static char *where(const struct vp_boot_line *l)
{
	if (l->line)
		return vp_strdup_printf("'%s':%u (%s)", l->path, l->line, l->what);
	return vp_strdup_printf("'%s' (%s)", l->path, l->what);
}

static int judge_line(const struct vp_config *cfg, const struct vp_system *sys, bool iommu,
		      const struct vp_boot_line *l, const struct vp_kcl_effect *want,
		      const struct vp_strv *removed, struct vp_effect_report *rep)
{
	struct vp_kcl_opts o = opts_of(sys);
	_cleanup_free_ char *at = where(l), *msg = NULL;
	struct vp_kcl_effect have = {0};
	struct vp_strv diff = {0};
	const char *off;
	int r;

	if (!at)
		return -ENOMEM;
	if (!l->text)
		return vp_strv_push_take(&rep->warnings, vp_strdup_printf(
			"%s: cannot tell what the kernel gets: %s", at, l->unknown));
	r = vp_kcl_effect(l->text, &o, &have, &msg);
	if (r == -EINVAL)
		return vp_strv_push_take(&rep->errors, vp_strdup_printf(
			"%s: the kernel would misread it: %s", at, msg));
	if (r < 0)
		return r;
	r = vp_kcl_compare(want, &have, removed, &diff);
	for (size_t i = 0; i < diff.n && r >= 0; i++)
		r = vp_strv_push_take(&rep->errors, vp_strdup_printf("%s: %s", at, diff.v[i]));
	off = vp_kcl_iommu_off(&have, sys->cpu_vendor);
	if (r >= 0 && iommu && off)
		r = vp_strv_push_take(cfg->iommu == VP_IOMMU_KEEP ? &rep->warnings : &rep->errors,
				      vp_strdup_printf("%s: '%s' turns the IOMMU off, and passthrough "
						       "needs it: take it out (vfio-provision leaves "
						       "a setting of yours alone)", at, off));
	vp_strv_free(&diff);
	vp_kcl_effect_free(&have);
	return r;
}

int vp_effect_judge(const struct vp_config *cfg, const struct vp_system *sys,
		    const struct vp_selection *sel, const struct vp_plan *plan,
		    const struct vp_plan *view, struct vp_effect_report *ret)
{
	struct vp_kcl_opts o = opts_of(sys);
	struct vp_effect_report rep = {0};
	struct vp_boot_lines lines = {0};
	struct vp_kcl_effect want = {0};
	struct vp_strv removed = {0};
	_cleanup_free_ char *line = NULL;
	bool iommu = !sel || sel->n_fns > 0;
	int r;

	r = wanted(plan, &line, &removed);
	if (r >= 0)
		r = vp_kcl_effect(line, &o, &want, NULL);
	if (r >= 0)
		r = vp_boot_read(cfg, sys, view, &lines);
	for (size_t i = 0; i < lines.n && r >= 0; i++)
		r = judge_line(cfg, sys, iommu, &lines.v[i], &want, &removed, &rep);
	rep.n_lines = lines.n;
	vp_boot_lines_free(&lines);
	vp_kcl_effect_free(&want);
	vp_strv_free(&removed);
	if (r < 0) {
		vp_effect_report_free(&rep);
		return r;
	}
	*ret = rep;
	return 0;
}

int vp_plan_effective(const struct vp_config *cfg, const struct vp_system *sys,
		      const struct vp_selection *sel, struct vp_plan *plan)
{
	struct vp_effect_report rep = {0};
	int r;

	r = vp_effect_judge(cfg, sys, sel, plan, plan, &rep);
	for (size_t i = 0; r >= 0 && i < rep.errors.n; i++)
		r = vp_plan_msg(plan, VP_MSG_REFUSE, "%s", rep.errors.v[i]);
	for (size_t i = 0; r >= 0 && i < rep.warnings.n; i++)
		r = vp_plan_msg(plan, VP_MSG_WARN, "%s", rep.warnings.v[i]);
	vp_effect_report_free(&rep);
	return r;
}

int vp_plan_judge(const struct vp_config *cfg, const struct vp_system *sys,
		  const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	(void)ret_msg;
	return vp_plan_effective(cfg, sys, sel, plan);
}
