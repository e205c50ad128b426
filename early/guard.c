// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guard of mode=boot: the kernel reserved the 1 GiB pages from its
 * cmdline (hugepages=N, sized by `apply` to fit); at boot this checks them
 * against the memory the machine really has now (a DIMM gone since apply, a
 * smaller VM) and releases pages until the host keeps host_min. When all is
 * well it writes nothing. vfio_provision=off releases every page.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpe.h"


int vpe_guard(const struct vpe_io *io, const char *root, const struct vpe_conf *conf,
	      struct vpe_guard_result *res)
{
	unsigned long t0 = io->now_ms ? io->now_ms(io->ctx) : 0;
	char pool[512], nbuf[24];
	int r;

	memset(res, 0, sizeof(*res));
	res->requested = conf->hugepages;
	res->disabled = conf->disabled;
	res->host_min_mib = conf->host_min_mib;
	r = vpe_read_global_pool(io, root, pool, sizeof(pool), &res->before);
	if (r == -ENOENT) {
		res->why = VPE_SHORT_UNSUPPORTED;
		goto done;
	}
	if (r < 0)
		goto io_fail;
	res->got = res->before;
	r = vpe_read_memtotal(io, root, &res->memtotal_kib);
	if (r < 0)
		goto io_fail;
	res->cap = vpe_cap_pages(res->memtotal_kib, conf->host_min_mib, VPE_PAGE_KIB);
	res->target = conf->disabled ? 0 : conf->hugepages < res->cap ? conf->hugepages : res->cap;
	if (res->before <= res->target)
		goto done;      /* all is well: move nothing */
	/*
	 * Lowering the global pool frees pages on every node that has free
	 * ones; at this point in the boot none is in use.
	 */
	snprintf(nbuf, sizeof(nbuf), "%lu", res->target);
	r = io->write(io->ctx, pool, nbuf);
	if (r < 0)
		goto io_fail;
	r = vpe_read_ulong(io, pool, &res->got);
	if (r < 0)
		goto io_fail;
	goto done;

io_fail:
	res->why = VPE_SHORT_IO;
	res->err = -r;
done:
	res->ms = vpe_elapsed(io, t0);
	return 0;
}

enum vpe_level vpe_guard_format(const struct vpe_guard_result *res, char *buf, size_t size)
{
	unsigned long released = res->before > res->got ? res->before - res->got : 0;
	unsigned long long mib = res->memtotal_kib / 1024ULL;
	const char *s = res->before == 1 ? "" : "s";

	switch (res->why) {
	case VPE_SHORT_UNSUPPORTED:
		snprintf(buf, size, "vfio-provision: no 1GiB page pool: the kernel reserved nothing "
			 "(CPU without pdpe1gb, or hugepagesz=1G missing)");
		return VPE_WARN;
	case VPE_SHORT_IO:
		snprintf(buf, size, "vfio-provision: kept %lu of %lu 1GiB page%s the kernel reserved: "
			 "sysfs/proc access failed: %s", res->got, res->before, s,
			 strerror(res->err));
		return VPE_WARN;
	default:
		break;
	}
	if (res->disabled) {
		snprintf(buf, size, "vfio-provision: disabled by vfio_provision=off on the kernel "
			 "cmdline: released %lu of %lu 1GiB page%s the kernel reserved, kept %lu in %lu ms",
			 released, res->before, s, res->got, res->ms);
		return res->got ? VPE_WARN : VPE_INFO;
	}
	if (released || res->got > res->target) {
		/* over the target: the cap (MemTotal less host_min) or a lower request */
		if (res->target == res->cap && res->cap < res->requested)
			snprintf(buf, size, "vfio-provision: released %lu of %lu 1GiB page%s the kernel "
				 "reserved, kept %lu in %lu ms: capped at %lu to leave the host %lu MiB "
				 "of %llu MiB", released, res->before, s, res->got, res->ms, res->cap,
				 res->host_min_mib, mib);
		else
			snprintf(buf, size, "vfio-provision: released %lu of %lu 1GiB page%s the kernel "
				 "reserved, kept %lu in %lu ms: %lu asked for", released, res->before, s,
				 res->got, res->ms, res->target);
		return VPE_WARN;
	}
	if (res->before == 0 && res->requested > 0) {
		snprintf(buf, size, "vfio-provision: the kernel reserved no 1GiB pages (0/%lu): is "
			 "hugepages= missing from the kernel command line? (the bootloader's config "
			 "is updated after apply)", res->requested);
		return VPE_WARN;
	}
	if (res->got < res->requested) {
		snprintf(buf, size, "vfio-provision: kept %lu/%lu 1GiB page%s the kernel reserved in "
			 "%lu ms: %s", res->got, res->requested, res->requested == 1 ? "" : "s",
			 res->ms, res->got < res->cap
				  ? "the kernel found no more free 1GiB blocks (memory too small)"
				  : "capped to leave the host its host_min");
		return VPE_WARN;
	}
	snprintf(buf, size, "vfio-provision: kept %lu/%lu 1GiB page%s the kernel reserved in %lu ms "
		 "(the host keeps %llu MiB of %llu MiB)", res->got, res->requested,
		 res->requested == 1 ? "" : "s", res->ms,
		 mib > res->got * 1024ULL ? mib - res->got * 1024ULL : 0ULL, mib);
	return VPE_INFO;
}
