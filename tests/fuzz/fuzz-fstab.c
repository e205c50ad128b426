// SPDX-License-Identifier: GPL-2.0-or-later
/* fstab (through libmount) through its planner: see fuzz-plan.h for the invariants. */
#include "fuzz-plan.h"

static const struct fuzz_plan fp = {.path = "/etc/fstab", .bootloader = VP_BOOT_NONE, .initramfs = VP_INITRAMFS_NONE,
				    .uki = false, .planner = vp_plan_fstab};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_plan_run(&fp, data, size);
}
