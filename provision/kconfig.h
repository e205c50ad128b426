/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel's build config (the few CONFIG_ options the plan depends on) and
 * its version, and the per-kernel checks of the planned cmdline against
 * them. The parser and the checks are pure; probe-kconfig.c reads the files.
 */
#pragma once

#include <stdbool.h>

#include "plan.h"
#include "root.h"
#include "system.h"

/*
 * Parses the text of a kernel .config into *ret (ret->path is left alone).
 * A config lists every option it could set, "# CONFIG_X is not set" for the
 * ones it does not, so an option absent from a real config is off: every
 * option starts NO and becomes YES on "CONFIG_X=y" or "=m".
 */
void vp_kconfig_parse(const char *text, struct vp_kconfig *ret);

/*
 * Compares the MAJOR.MINOR at the start of a kernel version ("6.1.0-18-amd64",
 * "5.15.0-91-generic") with major.minor: 1 when at least that, 0 when older,
 * -EINVAL when the version does not start with digits.dot.digits.
 */
int vp_kernel_at_least(const char *version, unsigned major, unsigned minor);

/*
 * Reads the config of kernel k into k->config: <root>/boot/config-VER, else
 * <root>/lib/modules/VER/config, else, for the running kernel only,
 * <root>/proc/config.gz. None of them: k->config stays all UNKNOWN (0).
 * Returns 0 or a negative errno (-ENOMEM, an unreadable existing file).
 */
int vp_probe_kconfig(const struct vp_root *root, struct vp_kernel *k, char **ret_msg);

typedef int (*vp_kconfig_emit_fn)(void *userdata, enum vp_msg_level level, const char *text);

/*
 * The checks, per target kernel: a 1 GiB page count on a kernel without
 * CONFIG_HUGETLBFS/CONFIG_HUGETLB_PAGE, a planned hugetlb_cma= without
 * CONFIG_CMA, the node syntax (hugepages=N:M, hugetlb_cma=N:SIZE) on a kernel
 * older than 5.16. Each finding goes to emit (REFUSE or WARN). A kernel
 * without a config file is not checked. Returns 0 or emit's negative errno.
 */
int vp_kconfig_check(const struct vp_config *cfg, const struct vp_system *sys,
		     const struct vp_plan *plan, vp_kconfig_emit_fn emit, void *userdata);
