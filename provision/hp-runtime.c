// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "hp-runtime.h"

static int pool_path(char *buf, size_t size, const char *root, int node, const char *file)
{
	if (node < 0)
		return vpe_path(buf, size, root, "/sys/kernel/mm/hugepages/" VPE_HP1G_DIR "/%s", file);
	return vpe_path(buf, size, root,
			"/sys/devices/system/node/node%d/hugepages/" VPE_HP1G_DIR "/%s", node, file);
}

static int read_ul(const struct vpe_io *io, const char *path, unsigned long *ret)
{
	char buf[64];
	int r = io->read(io->ctx, path, buf, sizeof(buf));

	return r < 0 ? r : vpe_parse_ulong(buf, ret);
}

int vp_hp_read_pool(const struct vpe_io *io, const char *root, int node, unsigned long *ret_nr,
		    unsigned long *ret_free)
{
	char path[512];
	int r;

	r = pool_path(path, sizeof(path), root, node, "nr_hugepages");
	if (r >= 0)
		r = read_ul(io, path, ret_nr);
	if (r >= 0)
		r = pool_path(path, sizeof(path), root, node, "free_hugepages");
	if (r >= 0)
		r = read_ul(io, path, ret_free);
	return r < 0 ? r : 0;
}

static unsigned long now(const struct vpe_io *io)
{
	return io->now_ms ? io->now_ms(io->ctx) : 0;
}

int vp_hp_reserve(const struct vpe_io *io, const char *root, const struct vp_hp_request *req,
		  vp_hp_progress_fn progress, void *userdata, struct vp_hp_outcome *ret)
{
	struct vpe_conf conf;
	struct vpe_result res;
	unsigned long t0 = now(io), prev, nr, fr;
	char path[512];
	int r;

	memset(ret, 0, sizeof(*ret));
	r = vp_hp_read_pool(io, root, req->node, &ret->nr_before, &ret->free_before);
	if (r == -ENOENT) {
		/* Tell "no 1 GiB hstate" from "no such node". */
		ret->why = req->node >= 0 && vp_hp_read_pool(io, root, -1, &nr, &fr) == 0
				   ? VPE_SHORT_NO_NODE : VPE_SHORT_UNSUPPORTED;
		return 0;
	}
	if (r < 0)
		return r;

	/* Pages already free count: ask the kernel only for what is missing. */
	ret->target = ret->nr_before;
	if (req->pages > ret->free_before)
		ret->target += req->pages - ret->free_before;
	ret->got = ret->nr_before;
	ret->free_now = ret->free_before;
	if (ret->target == ret->nr_before)
		goto done;

	vpe_conf_init(&conf);
	conf.hugepages = ret->target;
	conf.node = req->node;
	conf.host_min_mib = req->host_min_mib;
	/*
	 * Before the first allocation, not after a round that gained nothing:
	 * write dirty pages back (dropping caches cannot free dirty ones, and
	 * compaction migrates clean pages more easily), drop clean caches when
	 * asked, then compact, so the first write finds the most free 1 GiB
	 * blocks. The seed's recipe (sync; drop_caches; compact_memory; write)
	 * in that order, then rounds while they gain.
	 */
	if (io->sync)
		io->sync(io->ctx);
	if (req->drop_caches) {
		r = vpe_path(path, sizeof(path), root, "/proc/sys/vm/drop_caches");
		if (r < 0)
			return r;
		io->write(io->ctx, path, "3");
		ret->dropped_caches = true;
	}
	r = vpe_path(path, sizeof(path), root, "/proc/sys/vm/compact_memory");
	if (r < 0)
		return r;
	io->write(io->ctx, path, "1");
	prev = ret->nr_before;
	for (;;) {
		r = vpe_reserve(io, root, &conf, &res);
		if (r < 0)
			return r;
		ret->rounds++;
		ret->got = res.got;
		ret->cap = res.cap;
		ret->why = res.why;
		ret->err = res.err;
		if (vp_hp_read_pool(io, root, req->node, &nr, &fr) == 0)
			ret->free_now = fr;
		ret->ms = now(io) - t0;
		if (progress)
			progress(userdata, ret);
		if (ret->got >= ret->target || res.why == VPE_SHORT_UNSUPPORTED ||
		    res.why == VPE_SHORT_NO_NODE || res.why == VPE_SHORT_IO)
			break;
		/* Capped: more rounds cannot give what the cap forbids. */
		if (res.why == VPE_SHORT_CAPPED && ret->got >= res.cap)
			break;
		if (req->timeout_ms && ret->ms >= req->timeout_ms) {
			ret->timed_out = true;
			break;
		}
		/* A round that gained nothing: the next would not either. */
		if (ret->got <= prev)
			break;
		prev = ret->got;
	}
done:
	if (ret->got >= ret->target)
		ret->why = VPE_SHORT_NONE;
	ret->ms = now(io) - t0;
	return 0;
}

int vp_hp_release(const struct vpe_io *io, const char *root, int node, unsigned long pages,
		  struct vp_hp_released *ret)
{
	char path[512], nbuf[32];
	unsigned long give, fr;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = vp_hp_read_pool(io, root, node, &ret->nr_before, &ret->free_before);
	if (r < 0)
		return r;
	/* Only free pages can go: the kernel would keep mapped ones anyway. */
	give = pages < ret->free_before ? pages : ret->free_before;
	ret->in_use = ret->nr_before - ret->free_before;
	ret->nr_after = ret->nr_before;
	if (give == 0)
		return 0;
	r = pool_path(path, sizeof(path), root, node, "nr_hugepages");
	if (r < 0)
		return r;
	snprintf(nbuf, sizeof(nbuf), "%lu", ret->nr_before - give);
	r = io->write(io->ctx, path, nbuf);
	if (r < 0)
		return r;
	r = vp_hp_read_pool(io, root, node, &ret->nr_after, &fr);
	if (r < 0)
		return r;
	ret->released = ret->nr_before > ret->nr_after ? ret->nr_before - ret->nr_after : 0;
	return 0;
}
