// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mode=early: the program reserves the 1 GiB pages itself, capped to leave
 * the host host_min, and says what it got.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpe.h"

/* More attempts than this never helped on real machines; bounds the loop. */
#define VPE_MAX_ATTEMPTS 8

unsigned long vpe_cap_pages(unsigned long long memtotal_kib, unsigned long host_min_mib,
			    unsigned long page_kib)
{
	unsigned long long keep = (unsigned long long)host_min_mib * 1024ULL;

	if (page_kib == 0 || memtotal_kib <= keep)
		return 0;
	return (unsigned long)((memtotal_kib - keep) / page_kib);
}

int vpe_reserve(const struct vpe_io *io, const char *root, const struct vpe_conf *conf,
		struct vpe_result *res)
{
	char pool[512], compact[512];
	unsigned long t0, prev, want;
	char nbuf[16];
	int r;

	memset(res, 0, sizeof(*res));
	res->requested = conf->hugepages;
	t0 = io->now_ms ? io->now_ms(io->ctx) : 0;

	/* Without the global 1 GiB hstate there is nothing to ask for. */
	r = vpe_read_global_pool(io, root, pool, sizeof(pool), &res->before);
	if (r == -ENOENT) {
		res->why = VPE_SHORT_UNSUPPORTED;
		goto done;
	}
	if (r < 0)
		goto io_fail;

	if (conf->node >= 0) {
		r = vpe_path(pool, sizeof(pool), root,
			     "/sys/devices/system/node/node%d/hugepages/" VPE_HP1G_DIR "/nr_hugepages",
			     conf->node);
		if (r < 0)
			return r;
		r = vpe_read_ulong(io, pool, &res->before);
		if (r == -ENOENT) {
			res->why = VPE_SHORT_NO_NODE;
			goto done;
		}
		if (r < 0)
			goto io_fail;
	}

	/* Never take so much that the host cannot run: cap from MemTotal. */
	r = vpe_read_memtotal(io, root, &res->memtotal_kib);
	if (r < 0) {
		r = vpe_path(pool, sizeof(pool), root, "/proc/meminfo");
		goto io_fail;
	}
	res->cap = vpe_cap_pages(res->memtotal_kib, conf->host_min_mib, VPE_PAGE_KIB);
	res->target = res->requested < res->cap ? res->requested : res->cap;
	if (res->requested > res->cap)
		res->why = VPE_SHORT_CAPPED;

	/* A pool that is already big enough (hugepages= on the cmdline) stays. */
	res->got = res->before;
	if (res->before >= res->target)
		goto done;

	r = vpe_path(compact, sizeof(compact), root, "/proc/sys/vm/compact_memory");
	if (r < 0)
		return r;
	snprintf(nbuf, sizeof(nbuf), "%lu", res->target);
	prev = res->before;
	while (res->attempts < VPE_MAX_ATTEMPTS) {
		res->attempts++;
		/*
		 * The write "succeeds" even when the kernel found fewer free
		 * gigantic blocks; only the read-back tells. A failed write is
		 * still followed by the read-back.
		 */
		r = io->write(io->ctx, pool, nbuf);
		if (r < 0 && r != -ENOMEM) {
			res->err = -r;
			if (res->why == VPE_SHORT_NONE)
				res->why = VPE_SHORT_IO;
		}
		want = res->got;
		r = vpe_read_ulong(io, pool, &res->got);
		if (r < 0) {
			res->got = want;
			goto io_fail;
		}
		if (res->got >= res->target || res->err)
			break;
		if (!res->compacted) {
			/* Once: compaction is slow and a second pass rarely frees more. */
			io->write(io->ctx, compact, "1");
			res->compacted = true;
			prev = res->got;
			continue;
		}
		if (res->got <= prev)
			break;
		prev = res->got;
	}
	if (res->got < res->target && res->why == VPE_SHORT_NONE)
		res->why = VPE_SHORT_ALLOC;
	goto done;

io_fail:
	if (res->why == VPE_SHORT_NONE || res->why == VPE_SHORT_CAPPED)
		res->why = VPE_SHORT_IO;
	res->err = -r;
done:
	res->ms = vpe_elapsed(io, t0);
	return 0;
}

enum vpe_level vpe_result_format(const struct vpe_conf *conf, const struct vpe_result *res,
				 char *buf, size_t size)
{
	char where[32] = "";
	size_t n;
	int m;

	if (conf->node >= 0)
		snprintf(where, sizeof(where), " on node %d", conf->node);
	m = snprintf(buf, size, "vfio-provision: reserved %lu/%lu 1GiB page%s%s in %lu ms",
		     res->got, res->requested, res->requested == 1 ? "" : "s", where, res->ms);
	if (m < 0 || (size_t)m >= size)
		return res->got >= res->requested ? VPE_INFO : VPE_WARN;
	n = (size_t)m;

	switch (res->why) {
	case VPE_SHORT_NONE:
		if (res->got >= res->requested)
			return VPE_INFO;
		break;
	case VPE_SHORT_UNSUPPORTED:
		snprintf(buf + n, size - n, ": no 1GiB page support (CPU without pdpe1gb?)");
		return VPE_WARN;
	case VPE_SHORT_NO_NODE:
		snprintf(buf + n, size - n, ": node %d has no 1GiB page pool", conf->node);
		return VPE_WARN;
	case VPE_SHORT_IO:
		snprintf(buf + n, size - n, ": sysfs/proc access failed: %s", strerror(res->err));
		return VPE_WARN;
	case VPE_SHORT_CAPPED:
		m = snprintf(buf + n, size - n,
			     ": capped at %lu to leave the host %lu MiB of %llu MiB",
			     res->cap, conf->host_min_mib, res->memtotal_kib / 1024ULL);
		if (m < 0 || (size_t)m >= size - n || res->got >= res->target)
			return VPE_WARN;
		n += (size_t)m;
		break;
	case VPE_SHORT_ALLOC:
		break;
	}
	snprintf(buf + n, size - n,
		 "%s the kernel found only %lu free 1GiB block%s%s (memory fragmented or too small)",
		 res->why == VPE_SHORT_CAPPED ? ";" : ":", res->got, res->got == 1 ? "" : "s",
		 res->compacted ? " even after compaction" : "");
	return VPE_WARN;
}
