// SPDX-License-Identifier: GPL-2.0-or-later
/* Skeleton: to be written (see the issue for this generator). */
#include "plan.h"

int vp_plan_bootloader(const struct vp_config *cfg, const struct vp_system *sys,
	       const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	(void)cfg; (void)sys; (void)sel; (void)plan; (void)ret_msg;
	return 0;
}
