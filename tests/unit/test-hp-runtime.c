// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The on-demand reservation loop against an in-memory kernel whose counters
 * change between attempts: progress, retries, caches, timeout, node, cap.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hp-runtime.h"

struct fake {
	unsigned long nr[3], fr[3];   /* [0] global, [1] node0, [2] node1 */
	unsigned long avail;
	unsigned long compact_gain[8];
	int n_compact;
	unsigned long drop_gain;
	unsigned long clock, tick;    /* ms, advanced by every pool write */
	unsigned long long memtotal_kib;
	bool no_1g;
	int progress_calls;
	char ops[512];                /* "sync drop compact write ...", in order */
};

static void op(struct fake *f, const char *name)
{
	size_t n = strlen(f->ops);

	snprintf(f->ops + n, sizeof(f->ops) - n, "%s%s", n ? " " : "", name);
}

static void fake_sync(void *ctx)
{
	op(ctx, "sync");
}

static int slot(const char *path)
{
	if (strstr(path, "/node/node0/"))
		return 1;
	if (strstr(path, "/node/node1/"))
		return 2;
	if (strstr(path, "/node/"))
		return -1;
	return 0;
}

static int fake_read(void *ctx, const char *path, char *buf, size_t size)
{
	struct fake *f = ctx;
	int s = slot(path);

	if (strstr(path, "meminfo"))
		return snprintf(buf, size, "MemTotal: %llu kB\n", f->memtotal_kib);
	if (f->no_1g || s < 0)
		return -ENOENT;
	if (strstr(path, "/nr_hugepages"))
		return snprintf(buf, size, "%lu\n", f->nr[s]);
	if (strstr(path, "/free_hugepages"))
		return snprintf(buf, size, "%lu\n", f->fr[s]);
	return -ENOENT;
}

static int fake_write(void *ctx, const char *path, const char *v)
{
	struct fake *f = ctx;
	int s = slot(path);

	if (strstr(path, "compact_memory")) {
		op(f, "compact");
		if (f->n_compact > 0) {
			f->avail += f->compact_gain[0];
			memmove(f->compact_gain, f->compact_gain + 1, sizeof(f->compact_gain) - sizeof(long));
			f->n_compact--;
		}
		return 0;
	}
	if (strstr(path, "drop_caches")) {
		op(f, "drop");
		f->avail += f->drop_gain;
		f->drop_gain = 0;
		return 0;
	}
	if (strstr(path, "/nr_hugepages") && s >= 0) {
		unsigned long want = strtoul(v, NULL, 10), grant;

		op(f, "write");
		f->clock += f->tick;
		if (want > f->nr[s]) {
			grant = want - f->nr[s] < f->avail ? want - f->nr[s] : f->avail;
			f->avail -= grant;
			f->nr[s] += grant;
			f->fr[s] += grant;
			if (s)
				f->nr[0] += grant, f->fr[0] += grant;
		} else {
			unsigned long give = f->nr[s] - want < f->fr[s] ? f->nr[s] - want : f->fr[s];

			f->nr[s] -= give;
			f->fr[s] -= give;
			f->avail += give;
		}
		return 0;
	}
	return -EACCES;
}

static unsigned long fake_now(void *ctx)
{
	return ((struct fake *)ctx)->clock;
}

static struct vpe_io io_for(struct fake *f)
{
	return (struct vpe_io){.read = fake_read, .write = fake_write, .now_ms = fake_now,
			       .sync = fake_sync, .ctx = f};
}

static void on_progress(void *userdata, const struct vp_hp_outcome *o)
{
	struct fake *f = userdata;

	f->progress_calls++;
	assert_true(o->rounds >= 1);
}

static struct fake base(void)
{
	return (struct fake){.memtotal_kib = 64ULL << 20};
}

static void test_full(void **state)
{
	struct fake f = base();
	struct vpe_io io = io_for(&f);
	struct vp_hp_request req = {.pages = 4, .node = -1, .host_min_mib = 2048};
	struct vp_hp_outcome o;

	(void)state;
	f.avail = 10;
	assert_int_equal(vp_hp_reserve(&io, "", &req, on_progress, &f, &o), 0);
	assert_int_equal(o.why, VPE_SHORT_NONE);
	assert_int_equal(o.got, 4);
	assert_int_equal(o.free_now, 4);
	assert_int_equal(f.progress_calls, 1);
}

static void test_retry_while_progress(void **state)
{
	struct fake f = base();
	struct vpe_io io = io_for(&f);
	struct vp_hp_request req = {.pages = 10, .node = -1, .host_min_mib = 2048};
	struct vp_hp_outcome o;

	(void)state;
	/* 2 at once, then each compaction frees fewer: 3, 2, 1, then none */
	f.avail = 2;
	f.compact_gain[0] = 3, f.compact_gain[1] = 2, f.compact_gain[2] = 1;
	f.n_compact = 3;
	assert_int_equal(vp_hp_reserve(&io, "", &req, on_progress, &f, &o), 0);
	assert_int_equal(o.got, 8);
	assert_int_equal(o.why, VPE_SHORT_ALLOC);
	assert_false(o.dropped_caches);
	assert_true(o.rounds >= 2);
	assert_int_equal(f.progress_calls, (int)o.rounds);

	/* with --drop-caches, the caches give the last 2 */
	f = base();
	f.avail = 2;
	f.compact_gain[0] = 3, f.compact_gain[1] = 2, f.compact_gain[2] = 1;
	f.n_compact = 3;
	f.drop_gain = 2;
	req.drop_caches = true;
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_int_equal(o.got, 10);
	assert_int_equal(o.why, VPE_SHORT_NONE);
	assert_true(o.dropped_caches);
}

/*
 * The seed's recipe, never worse: sync, drop (when asked) and compact before
 * the first write, not after a round that gained nothing; stop at the first
 * round without gain.
 */
static void test_order_of_operations(void **state)
{
	struct fake f = base();
	struct vpe_io io = io_for(&f);
	struct vp_hp_request req = {.pages = 8, .node = -1, .host_min_mib = 2048,
				    .drop_caches = true};
	struct vp_hp_outcome o;

	(void)state;
	/* the caches hold what the first write needs: dropped before it */
	f.avail = 0;
	f.drop_gain = 8;
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_string_equal(f.ops, "sync drop compact write");
	assert_int_equal(o.got, 8);
	assert_int_equal(o.rounds, 1);

	/* without --drop-caches: sync and compact still come first */
	f = base();
	f.avail = 3;
	req.drop_caches = false;
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_true(strncmp(f.ops, "sync compact write", 18) == 0);
	assert_null(strstr(f.ops, "drop"));
	/* nothing more to find: the round after the first gain-less one is not run */
	assert_int_equal(o.got, 3);
	assert_int_equal(o.rounds, 2);
	assert_false(o.dropped_caches);
}

static void test_timeout(void **state)
{
	struct fake f = base();
	struct vpe_io io = io_for(&f);
	struct vp_hp_request req = {.pages = 20, .node = -1, .host_min_mib = 2048,
				    .timeout_ms = 5000};
	struct vp_hp_outcome o;

	(void)state;
	/* every round gains a page and every pool write costs 2 s */
	f.avail = 1;
	f.tick = 2000;
	for (int i = 0; i < 8; i++)
		f.compact_gain[i] = 1;
	f.n_compact = 8;
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_true(o.timed_out);
	assert_true(o.got < 20);
	assert_true(o.ms >= 5000);
}

static void test_free_pages_count(void **state)
{
	struct fake f = base();
	struct vpe_io io = io_for(&f);
	struct vp_hp_request req = {.pages = 4, .node = -1, .host_min_mib = 2048};
	struct vp_hp_outcome o;

	(void)state;
	f.nr[0] = 6, f.fr[0] = 3;   /* 3 in use, 3 free: one more is needed */
	f.avail = 10;
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_int_equal(o.target, 7);
	assert_int_equal(o.got, 7);
	assert_int_equal(o.free_now, 4);
}

static void test_node_and_cap(void **state)
{
	struct fake f = base();
	struct vpe_io io = io_for(&f);
	struct vp_hp_request req = {.pages = 3, .node = 1, .host_min_mib = 2048};
	struct vp_hp_outcome o;

	(void)state;
	f.avail = 10;
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_int_equal(o.why, VPE_SHORT_NONE);
	assert_int_equal(f.nr[2], 3);
	assert_int_equal(f.nr[1], 0);

	req.node = 5;
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_int_equal(o.why, VPE_SHORT_NO_NODE);

	/* 8 GiB host, 6 GiB kept: at most 2 pages in the pool */
	f = base();
	f.memtotal_kib = 8ULL << 20;
	f.avail = 10;
	req = (struct vp_hp_request){.pages = 5, .node = -1, .host_min_mib = 6144};
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_int_equal(o.why, VPE_SHORT_CAPPED);
	assert_int_equal(o.got, 2);
	assert_int_equal(o.cap, 2);

	f = base();
	f.no_1g = true;
	req.node = -1;
	assert_int_equal(vp_hp_reserve(&io, "", &req, NULL, NULL, &o), 0);
	assert_int_equal(o.why, VPE_SHORT_UNSUPPORTED);
}

static void test_release(void **state)
{
	struct fake f = base();
	struct vpe_io io = io_for(&f);
	struct vp_hp_released rel;

	(void)state;
	f.nr[0] = 8, f.fr[0] = 5;
	assert_int_equal(vp_hp_release(&io, "", -1, 2, &rel), 0);
	assert_int_equal(rel.released, 2);
	assert_int_equal(rel.nr_after, 6);
	assert_int_equal(vp_hp_release(&io, "", -1, (unsigned long)-1, &rel), 0);
	assert_int_equal(rel.released, 3);
	assert_int_equal(rel.in_use, 3);
	assert_int_equal(f.nr[0], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_retry_while_progress),
		cmocka_unit_test(test_order_of_operations),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_free_pages_count),
		cmocka_unit_test(test_node_and_cap),
		cmocka_unit_test(test_release),
	};
	return cmocka_run_group_tests_name("hp-runtime", tests, NULL, NULL);
}
