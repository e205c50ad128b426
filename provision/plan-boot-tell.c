// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The target of kernelstub, rpm-ostree and grubby, which own the command
 * line: the exact command to run, nothing written. Pure.
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

/* Tools that own the command line: the exact commands, nothing written. */
static int tell(const struct vp_system *sys, enum vp_bootloader bl, struct vp_plan *plan)
{
	_cleanup_free_ char *toks = vp_boot_tokens(plan), *rm = vp_boot_removed_keys(plan);
	struct vp_buf b = {0};
	int r = 0;

	(void)sys;
	if (!toks || !rm)
		return -ENOMEM;
	switch (bl) {
	case VP_BOOT_KERNELSTUB:
		if (*toks)
			r = arg(&b, "kernelstub -a ", toks);
		if (r >= 0 && *rm)
			r = vp_buf_printf(&b, "%s(and remove any %s with kernelstub -d)",
					  b.len ? "; " : "", rm);
		break;
	case VP_BOOT_RPM_OSTREE:
		r = vp_buf_puts(&b, "rpm-ostree kargs");
		for (size_t i = 0; i < plan->n_cmdline && r >= 0; i++) {
			const struct vp_cmdline_token *t = &plan->cmdline[i];
			_cleanup_free_ char *a = vp_strdup_printf(
				"--%s=%s", t->token ? "append-if-missing" : "delete-if-present",
				t->token ? t->token : t->key);

			r = a ? arg(&b, " ", a) : -ENOMEM;
		}
		break;
	case VP_BOOT_GRUBBY:
		r = vp_buf_puts(&b, "grubby --update-kernel=ALL");
		if (r >= 0 && *toks)
			r = arg(&b, " --args=", toks);
		if (r >= 0 && *rm)
			r = arg(&b, " --remove-args=", rm);
		break;
	default:
		r = vp_buf_printf(&b, "add to the kernel command line by hand: %s", toks);
		break;
	}
	if (r >= 0)
		r = vp_plan_msg(plan, VP_MSG_WARN, "%s owns the kernel command line, nothing "
				"written; run: %s", vp_bootloader_name(bl), b.s);
	vp_buf_free(&b);
	return r;
}

int vp_boot_tell(const struct vp_config *cfg, const struct vp_system *sys, struct vp_plan *plan,
		 char **ret_msg)
{
	enum vp_bootloader bl = vp_boot_target(cfg, sys);
	int r = 0;

	(void)ret_msg;
	if (bl == VP_BOOT_NONE)
		r = vp_plan_msg(plan, VP_MSG_WARN, "no bootloader found under the root");
	return r < 0 ? r : tell(sys, bl, plan);
}
