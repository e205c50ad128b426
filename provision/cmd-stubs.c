// SPDX-License-Identifier: GPL-2.0-or-later
/* Skeleton verbs, each to move into its own cmd-<verb>.c. */
#include "cli.h"
#include "vp.h"

#define STUB(name)                                              \
	int vp_cmd_##name(struct vp_ctx *ctx)                   \
	{                                                       \
		(void)ctx;                                      \
		vp_err(#name ": not implemented yet");          \
		return VP_EXIT_ERROR;                           \
	}

STUB(hugepages)
