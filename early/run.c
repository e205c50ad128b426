// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One boot: early.conf, the command line's overrides, then the guard or
 * the reservation, and the binding. The top of early/: it calls every job,
 * none calls it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpe.h"

int vpe_run(const struct vpe_io *io, const char *root)
{
	char path[512], text[8192], cmdline[4096], line[VPE_MSG_MAX];
	struct vpe_conf conf;
	struct vpe_result res;
	enum vpe_level level;
	size_t bound = 0;
	int r;

	vpe_conf_init(&conf);
	r = vpe_path(path, sizeof(path), root, VPE_CONF_PATH);
	if (r < 0)
		return r;
	r = io->read(io->ctx, path, text, sizeof(text));
	if (r < 0) {
		vpe_log(io, VPE_WARN, "'%s': %s, nothing to do", VPE_CONF_PATH, strerror(-r));
		return 0;
	}
	vpe_conf_parse(&conf, text, VPE_CONF_PATH, io);

	r = vpe_path(path, sizeof(path), root, "/proc/cmdline");
	if (r < 0)
		return r;
	if (io->read(io->ctx, path, cmdline, sizeof(cmdline)) >= 0)
		vpe_cmdline_apply(&conf, cmdline, io);
	if (conf.disabled && !conf.guard) {
		vpe_log(io, VPE_INFO, "disabled by vfio_provision=off on the kernel cmdline");
		return 0;
	}
	/* mode=boot: guard even a count of 0 (vfio_provision.hugepages=0 releases them all) */
	if (conf.guard) {
		struct vpe_guard_result g;

		/* Pages first: binding needs no memory, a host short of it might. */
		vpe_guard(io, root, &conf, &g);
		level = vpe_guard_format(&g, line, sizeof(line));
		if (io->log)
			io->log(io->ctx, level, line);
		if (conf.disabled)
			return 0;
	}

	/* Binding first: it must happen before any GPU driver module loads. */
	for (size_t i = 0; i < conf.n_addrs; i++)
		if (vpe_bind(io, root, &conf.addrs[i]) == 0)
			bound++;
	if (conf.n_addrs > 0)
		vpe_log(io, bound == conf.n_addrs ? VPE_INFO : VPE_WARN,
			"%zu/%zu functions set to vfio-pci by address", bound, conf.n_addrs);

	if (conf.hugepages == 0 || conf.guard)
		return 0;
	vpe_reserve(io, root, &conf, &res);
	if (res.why == VPE_SHORT_NO_NODE) {
		/*
		 * The node is gone (NUMA off in the firmware, a CPU removed):
		 * pages anywhere serve the guest better than none at all.
		 */
		vpe_log(io, VPE_WARN, "node %d has no 1GiB page pool, reserving on any node",
			conf.node);
		conf.node = -1;
		vpe_reserve(io, root, &conf, &res);
	}
	level = vpe_result_format(&conf, &res, line, sizeof(line));
	if (io->log)
		io->log(io->ctx, level, line);
	return 0;
}
