// SPDX-License-Identifier: GPL-2.0-or-later
/* Skeleton: to be written. */
#include <string.h>

#include "select.h"

const char *vp_verdict_name(enum vp_verdict v)
{
	static const char *const names[] = {
		[VP_VERDICT_OK] = "ok",
		[VP_VERDICT_NOT_ISOLATED] = "not-isolated",
		[VP_VERDICT_IDENTICAL_IDS] = "identical-ids",
		[VP_VERDICT_BOOT_VGA] = "boot-vga",
		[VP_VERDICT_NO_IOMMU] = "no-iommu",
		[VP_VERDICT_NO_GPU] = "no-gpu",
	};
	return (unsigned)v < ARRAY_SIZE(names) ? names[v] : "?";
}

int vp_select(const struct vp_config *cfg, const struct vp_system *sys,
	      struct vp_selection *ret, char **ret_msg)
{
	(void)cfg; (void)sys; (void)ret_msg;
	memset(ret, 0, sizeof(*ret));
	ret->verdict = VP_VERDICT_NO_GPU;
	return 0;
}

void vp_selection_free(struct vp_selection *sel)
{
	vp_strv_free(&sel->targets);
	free(sel->fns);
	vp_strv_free(&sel->ids);
	vp_strv_free(&sel->reasons);
	memset(sel, 0, sizeof(*sel));
}
