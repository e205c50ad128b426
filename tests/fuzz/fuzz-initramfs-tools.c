// SPDX-License-Identifier: GPL-2.0-or-later
/* initramfs-tools' modules file through its planner: see fuzz-plan.h for the invariants. */
#include "fuzz-plan.h"

static const struct fuzz_plan fp = {.path = "/etc/initramfs-tools/modules", .bootloader = VP_BOOT_NONE, .initramfs = VP_INITRAMFS_INITRAMFS_TOOLS,
				    .uki = false, .planner = vp_plan_initramfs};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_plan_run(&fp, data, size);
}
