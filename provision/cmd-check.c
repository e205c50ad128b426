// SPDX-License-Identifier: GPL-2.0-or-later
/* check (--check): 0 when the root matches the config, 1 when changes are pending. */
#include "cmd-util.h"

int vp_cmd_check(struct vp_ctx *ctx)
{
	struct vp_pipeline p;
	bool refused;
	int ret;

	ret = vp_cmd_pipeline(ctx, &p);
	if (ret)
		goto out;
	refused = vp_pipeline_refused(&p);
	if (vp_log_level >= 1) {
		vp_print_pending(&p.changes, "pending: ", stdout);
		vp_print_verdict(&p.sel, stdout);
		for (size_t i = 0; i < p.plan.n_msgs; i++)
			if (p.plan.msgs[i].level == VP_MSG_REFUSE)
				printf("refused: %s\n", p.plan.msgs[i].text);
		if (!p.changes.n_pending && !refused)
			printf("up to date\n");
	}
	ret = p.changes.n_pending || refused ? VP_EXIT_PENDING : VP_EXIT_OK;
out:
	vp_pipeline_free(&p);
	return ret;
}
