// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Refusals for target kernels that cannot honour the planned cmdline: runs
 * after the cmdline planner, over the tokens it wants (kconfig.c). Pure.
 */
#include "kconfig.h"

static int to_plan(void *userdata, enum vp_msg_level level, const char *text)
{
	return vp_plan_msg(userdata, level, "%s", text);
}

int vp_plan_kconfig(const struct vp_config *cfg, const struct vp_system *sys,
		    const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	(void)sel;
	(void)ret_msg;
	return vp_kconfig_check(cfg, sys, plan, to_plan, plan);
}
