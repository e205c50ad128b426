// SPDX-License-Identifier: GPL-2.0-or-later
/* rEFInd's refind_linux.conf through its planner: see fuzz-plan.h for the invariants. */
#include "fuzz-plan.h"

static const struct fuzz_plan fp = {.path = "/boot/refind_linux.conf", .bootloader = VP_BOOT_REFIND, .initramfs = VP_INITRAMFS_NONE,
				    .uki = false, .planner = vp_plan_bootloader};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_plan_run(&fp, data, size);
}
