// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The commands that make a revert take effect (rebuild the initramfs and
 * the bootloader config), for revert and revert --dry-run alike.
 */
#include <errno.h>
#include <string.h>

#include "cmd-util.h"
#include "plan-regen.h"
#include "probe.h"

/*
 * The rebuild commands for what revert changed. A broken config must not
 * stand in the way of undoing it: then the generator and bootloader found
 * on the system decide.
 */
int vp_cmd_revert_commands(struct vp_ctx *ctx, bool initramfs, bool bootloader,
			   struct vp_plan *plan)
{
	_cleanup_free_ char *msg = NULL;
	struct vp_probe_opts opts = {.kver = ctx->kver};
	struct vp_system sys = {0};
	struct vp_config cfg;
	int r;

	vp_config_init(&cfg);
	r = vp_config_load(&cfg, &ctx->root, ctx->config, &msg);
	if (r < 0) {
		vp_warn("%s; using the generator and bootloader found on the system", msg);
		free(msg);
		msg = NULL;
		vp_config_free(&cfg);
		vp_config_init(&cfg);
	}
	r = vp_probe(&ctx->root, &opts, &sys, &msg);
	if (r >= 0)
		r = vp_regen_for(&cfg, &sys, initramfs, bootloader, plan);
	if (r < 0)
		vp_err("cannot tell how to rebuild the initramfs and bootloader config: %s; "
		       "rebuild them by hand", msg ? msg : strerror(-r));
	if (r >= 0 && (ctx->regenerate || cfg.regenerate))
		r = 1;
	vp_system_free(&sys);
	vp_config_free(&cfg);
	return r;
}
