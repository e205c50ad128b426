// SPDX-License-Identifier: GPL-2.0-or-later
/* /etc/kernel/cmdline (kernel-install, UKI) through its planner: see fuzz-plan.h for the invariants. */
#include "fuzz-plan.h"

static const struct fuzz_plan fp = {.path = "/etc/kernel/cmdline", .bootloader = VP_BOOT_SYSTEMD_BOOT, .initramfs = VP_INITRAMFS_NONE,
				    .uki = true, .planner = vp_plan_bootloader};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_plan_run(&fp, data, size);
}
