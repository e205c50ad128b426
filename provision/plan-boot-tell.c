// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bootloaders without routes own the command line (kernelstub, rpm-ostree,
 * grubby): the exact command to run, their descriptors' tell (target.h),
 * nothing written. Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-boot.h"
#include "quote.h"

/* prefix, then v as one shell word (the quoting of spawn.c's command lines). */
static int arg(struct vp_buf *b, const char *prefix, const char *v)
{
	int r = vp_buf_puts(b, prefix);

	return r < 0 ? r : vp_sh_quote(b, v);
}

int vp_tell_kernelstub(struct vp_buf *b, const struct vp_plan *plan, const char *toks,
		       const char *rm)
{
	int r = 0;

	(void)plan;
	if (*toks)
		r = arg(b, "kernelstub -a ", toks);
	if (r >= 0 && *rm)
		r = vp_buf_printf(b, "%s(and remove any %s with kernelstub -d)",
				  b->len ? "; " : "", rm);
	return r;
}

int vp_tell_rpm_ostree(struct vp_buf *b, const struct vp_plan *plan, const char *toks,
		       const char *rm)
{
	int r = vp_buf_puts(b, "rpm-ostree kargs");

	(void)toks;
	(void)rm;
	for (size_t i = 0; i < plan->n_cmdline && r >= 0; i++) {
		const struct vp_cmdline_token *t = &plan->cmdline[i];
		_cleanup_free_ char *a = vp_strdup_printf(
			"--%s=%s", t->token ? "append-if-missing" : "delete-if-present",
			t->token ? t->token : t->key);

		r = a ? arg(b, " ", a) : -ENOMEM;
	}
	return r;
}

int vp_tell_grubby(struct vp_buf *b, const struct vp_plan *plan, const char *toks,
		   const char *rm)
{
	int r = vp_buf_puts(b, "grubby --update-kernel=ALL");

	(void)plan;
	if (r >= 0 && *toks)
		r = arg(b, " --args=", toks);
	if (r >= 0 && *rm)
		r = arg(b, " --remove-args=", rm);
	return r;
}

int vp_boot_tell(const char *name, vp_tell_fn how, struct vp_plan *plan)
{
	_cleanup_free_ char *toks = vp_boot_tokens(plan), *rm = vp_boot_removed_keys(plan);
	struct vp_buf b = {0};
	int r = 0;

	if (!toks || !rm)
		return -ENOMEM;
	if (!name)
		r = vp_plan_msg(plan, VP_MSG_WARN, "no bootloader found under the root");
	if (r >= 0 && how)
		r = how(&b, plan, toks, rm);
	else if (r >= 0)
		r = vp_buf_printf(&b, "add to the kernel command line by hand: %s", toks);
	if (r >= 0)
		r = vp_plan_msg(plan, VP_MSG_WARN, "%s owns the kernel command line, nothing "
				"written; run: %s", name ? name : "none", b.s);
	vp_buf_free(&b);
	return r;
}
