// SPDX-License-Identifier: GPL-2.0-or-later
/* `hugepages status|reserve|release`: 1 GiB pages on demand. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd-util.h"
#include "config.h"
#include "hp-fit.h"
#include "hp-runtime.h"
#include "hp-status.h"
#include "json.h"
#include "kconfig.h"
#include "root-io.h"
#include "size.h"
#include "vp.h"

#define GIB_KIB 1048576ULL

static void size_name(unsigned long kib, char *buf, size_t n)
{
	if (kib % GIB_KIB == 0)
		snprintf(buf, n, "%lu GiB", (unsigned long)(kib / GIB_KIB));
	else if (kib % 1024 == 0)
		snprintf(buf, n, "%lu MiB", kib / 1024);
	else
		snprintf(buf, n, "%lu KiB", kib);
}

static void print_count(long v)
{
	if (v < 0)
		printf("%9s", "-");
	else
		printf("%9ld", v);
}

/* The kernel has a 1 GiB pool: the CPU has pdpe1gb and hugetlbfs is on. */
static bool has_1g_pool(const struct vp_hp_status *st)
{
	for (size_t i = 0; i < st->n_pools; i++)
		if (st->pools[i].size_kib == GIB_KIB)
			return true;
	return false;
}

/* docs/hugepages-json.md, docs/hugepages-status.schema.json */
static int status_json(const struct vp_hp_status *st, FILE *f)
{
	bool gig = has_1g_pool(st);
	struct vp_buf out = {0};
	struct vp_json j;
	int r;

	vp_json_init(&j, &out);
	vp_json_object_begin(&j, NULL);
	vp_json_int(&j, "schema", 1);
	vp_json_bool(&j, "pages_1g", gig);
	vp_json_uint(&j, "default_size_kib", st->default_kib);
	vp_json_array_begin(&j, "pools");
	for (size_t i = 0; i < st->n_pools; i++) {
		const struct vp_hp_pool_state *p = &st->pools[i];

		vp_json_object_begin(&j, NULL);
		vp_json_uint(&j, "size_kib", p->size_kib);
		if (p->node < 0)
			vp_json_null(&j, "node");
		else
			vp_json_int(&j, "node", p->node);
#define NUM(k, v) do { if ((v) < 0) vp_json_null(&j, k); else vp_json_int(&j, k, v); } while (0)
		NUM("total", p->nr);
		NUM("free", p->free);
		NUM("reserved", p->resv);
		NUM("surplus", p->surplus);
#undef NUM
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	vp_json_array_begin(&j, "mounts");
	for (size_t i = 0; i < st->n_mounts; i++) {
		vp_json_object_begin(&j, NULL);
		vp_json_str(&j, "target", st->mounts[i].target);
		vp_json_uint(&j, "pagesize_kib", st->mounts[i].pagesize_kib);
		vp_json_object_end(&j);
	}
	vp_json_array_end(&j);
	if (st->buddyinfo_readable) {
		vp_json_array_begin(&j, "contiguous");
		for (size_t i = 0; i < st->n_contig; i++) {
			const struct vp_hp_contig *c = &st->contig[i];

			vp_json_object_begin(&j, NULL);
			vp_json_int(&j, "node", c->node);
			vp_json_uint(&j, "max_order", c->max_order);
			vp_json_uint(&j, "free_kib", c->free_kib);
			vp_json_uint(&j, "max_order_free_kib", c->top_kib);
			if (gig)
				vp_json_uint(&j, "max_1g_pages", c->top_kib / GIB_KIB);
			else
				vp_json_null(&j, "max_1g_pages");
			vp_json_object_end(&j);
		}
		vp_json_array_end(&j);
	} else {
		vp_json_null(&j, "contiguous");
	}
	vp_json_object_begin(&j, "hugetlb_cma");
	vp_json_bool(&j, "active", st->cma_arg != NULL);
	vp_json_str(&j, "size", st->cma_arg);
	vp_json_uint(&j, "cma_total_kib", st->cma_total_kib);
	vp_json_object_end(&j);
	vp_json_uint(&j, "mem_total_kib", st->memtotal_kib);
	vp_json_object_end(&j);
	r = vp_json_finish(&j);
	if (r == 0)
		fputs(out.s, f);
	vp_buf_free(&out);
	return r;
}

static int cmd_status(struct vp_ctx *ctx)
{
	struct vp_hp_status st;
	char *msg = NULL;
	char sz[32];
	int r;

	r = vp_hp_status_read(&ctx->root, &st, &msg);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		free(msg);
		return VP_EXIT_ERROR;
	}
	if (ctx->json) {
		r = status_json(&st, ctx->out);
		vp_hp_status_free(&st);
		return r < 0 ? VP_EXIT_ERROR : VP_EXIT_OK;
	}
	if (st.n_pools == 0)
		printf("No huge page sizes: the kernel has no hugetlbfs support.\n");
	for (size_t i = 0; i < st.n_pools; i++) {
		const struct vp_hp_pool_state *p = &st.pools[i];

		if (p->node < 0) {
			size_name(p->size_kib, sz, sizeof(sz));
			printf("%s%s pages%s:\n", i ? "\n" : "", sz,
			       p->size_kib == st.default_kib ? " (default size)" : "");
			printf("  %-8s %9s %9s %9s %9s\n", "pool", "total", "free", "reserved", "surplus");
			printf("  %-8s ", "all");
		} else {
			char name[16];

			snprintf(name, sizeof(name), "node %d", p->node);
			printf("  %-8s ", name);
		}
		print_count(p->nr);
		printf(" ");
		print_count(p->free);
		printf(" ");
		print_count(p->resv);
		printf(" ");
		print_count(p->surplus);
		printf("\n");
	}
	printf("\nhugetlbfs mounts:%s\n", st.n_mounts ? "" : " none");
	for (size_t i = 0; i < st.n_mounts; i++) {
		size_name(st.mounts[i].pagesize_kib, sz, sizeof(sz));
		vp_fprintf_human(stdout, "  %-24s pagesize %s\n", st.mounts[i].target, sz);
	}
	if (st.buddyinfo_readable) {
		bool gig = has_1g_pool(&st);

		printf("\nFree memory already in the largest buddy blocks (/proc/buddyinfo):\n");
		for (size_t i = 0; i < st.n_contig; i++) {
			const struct vp_hp_contig *c = &st.contig[i];

			size_name(4UL << c->max_order, sz, sizeof(sz));
			printf("  node %d: %.1f GiB of %.1f GiB free is in %s blocks", c->node,
			       (double)c->top_kib / GIB_KIB, (double)c->free_kib / GIB_KIB, sz);
			if (gig)
				printf(": at most %llu more 1 GiB pages without compaction",
				       c->top_kib / GIB_KIB);
			printf("\n");
		}
		if (gig)
			printf("  (a 1 GiB page needs %s such blocks side by side, which buddyinfo cannot show: this is an upper bound)\n",
			       st.n_contig ? (st.contig[0].max_order == 10 ? "256" : "many") : "many");
	} else {
		printf("\n/proc/buddyinfo is not readable: contiguous memory unknown.\n");
	}
	/* no pool: no page to offer, however much memory is free */
	if (!has_1g_pool(&st))
		printf("\nNo 1 GiB pages: the kernel has no 1 GiB page pool (the CPU lacks pdpe1gb, "
		       "or hugetlbfs is off)\n");
	if (st.cma_arg)
		printf("\nhugetlb_cma: active (hugetlb_cma=%s, CmaTotal %llu MiB): runtime 1 GiB pages come from the reserved area\n",
		       st.cma_arg, st.cma_total_kib / 1024);
	else
		printf("\nhugetlb_cma: not active\n");
	vp_hp_status_free(&st);
	return VP_EXIT_OK;
}

/* "8" pages or "16G"; sizes round up to whole 1 GiB pages. */
static int parse_pages(const char *s, unsigned long *ret)
{
	uint64_t bytes;
	bool unit;

	if (vp_parse_size(s, &bytes, &unit) < 0)
		return -EINVAL;
	if (!unit) {
		if (bytes > ULONG_MAX)
			return -ERANGE;
		*ret = (unsigned long)bytes;
		return 0;
	}
	*ret = (unsigned long)((bytes + (1ULL << 30) - 1) >> 30);
	return 0;
}

static int parse_node(struct vp_ctx *ctx, const struct vp_config *cfg, int *ret)
{
	unsigned long n;

	*ret = cfg ? cfg->hp_node : -1;
	if (!ctx->node || strcmp(ctx->node, "any") == 0) {
		if (ctx->node)
			*ret = -1;
		return 0;
	}
	if (vp_parse_ulong(ctx->node, 1023, &n) < 0) {
		vp_err("--node '%s': expected a NUMA node number or 'any'", ctx->node);
		return -EINVAL;
	}
	*ret = (int)n;
	return 0;
}

struct progress {
	bool tty;
	bool shown;
};

static void show_progress(void *userdata, const struct vp_hp_outcome *o)
{
	struct progress *p = userdata;

	if (!p->tty)
		return;
	fprintf(stderr, "\rreserving 1 GiB pages: %lu/%lu in the pool, round %u, %lu ms   ",
		o->got, o->target, o->rounds, o->ms);
	p->shown = true;
}

static const char *why_text(enum vpe_short why)
{
	switch (why) {
	case VPE_SHORT_UNSUPPORTED:
		return "the kernel has no 1 GiB page pool: the CPU lacks pdpe1gb (or hugetlbfs is off)";
	case VPE_SHORT_NO_NODE:
		return "that NUMA node does not exist";
	case VPE_SHORT_CAPPED:
		return "the host's minimum memory (host_min) leaves no room for more";
	case VPE_SHORT_ALLOC:
		return "memory is fragmented: not enough free 1 GiB-aligned contiguous blocks";
	case VPE_SHORT_IO:
		return "a sysfs file could not be read or written";
	default:
		return "";
	}
}

/* CONFIG_CMA of the running kernel (its config under the root), UNKNOWN if none. */
static enum vp_kopt running_cma(const struct vp_root *root)
{
	struct vp_kernel k = {.running = true};
	enum vp_kopt cma = VP_KOPT_UNKNOWN;

	if (vp_root_read_line(root, "/proc/sys/kernel/osrelease", &k.version) == 0 &&
	    vp_probe_kconfig(root, &k, NULL) == 0)
		cma = k.config.cma;
	free(k.version);
	free(k.config.path);
	return cma;
}

static void print_advice(const struct vp_ctx *ctx, const struct vp_hp_request *req)
{
	printf("On a long-running host, runtime reservation is luck: a 1 GiB page needs 1 GiB of\n"
	       "  contiguous free memory, which the kernel's own allocations break up over time and\n"
	       "  which neither compaction nor dropping caches can bring back%s.\n"
	       "The answer is the boot default ([hugepages] mode = boot): the kernel reserves the pages\n"
	       "  before anything else runs, and the early program keeps host_min for the host.\n",
	       req->drop_caches ? " (both were tried)" : "");
	if (running_cma(&ctx->root) == VP_KOPT_YES)
		printf("This kernel has CONFIG_CMA: hugetlb_cma= ([hugepages] mode = cma) sets an area aside\n"
		       "  at boot from which runtime pages come reliably.\n");
	if (!req->drop_caches)
		printf("--drop-caches also drops clean page cache first (rarely enough on its own).\n");
}

static int cmd_reserve(struct vp_ctx *ctx, const struct vp_config *cfg)
{
	struct vp_hp_request req = {.host_min_mib = cfg->host_min_mib,
				    .drop_caches = ctx->drop_caches};
	struct progress pr = {.tty = isatty(STDERR_FILENO) && vp_log_level > 0};
	struct vp_hp_outcome o;
	struct vp_root_io io;
	unsigned long secs;
	char where[32];
	int r;

	if (ctx->argc < 2 || parse_pages(ctx->argv[1], &req.pages) < 0) {
		vp_err("hugepages reserve: expected a page count or a size such as 16G%s%s%s",
		       ctx->argc >= 2 ? " (got '" : "", ctx->argc >= 2 ? ctx->argv[1] : "",
		       ctx->argc >= 2 ? "')" : "");
		return VP_EXIT_ERROR;
	}
	if (parse_node(ctx, cfg, &req.node) < 0)
		return VP_EXIT_ERROR;
	secs = 60;
	if (ctx->timeout && vp_parse_ulong(ctx->timeout, 86400, &secs) < 0) {
		vp_err("--timeout '%s': expected seconds", ctx->timeout);
		return VP_EXIT_ERROR;
	}
	req.timeout_ms = secs * 1000UL;
	vp_root_io(&io, &ctx->root, vp_cmd_say_err);
	r = vp_hp_reserve(&io.io, "", &req, show_progress, &pr, &o);
	if (pr.shown)
		fputc('\n', stderr);
	if (r < 0) {
		vp_err("hugepages reserve: %s", strerror(-r));
		return VP_EXIT_ERROR;
	}
	if (req.node >= 0)
		snprintf(where, sizeof(where), " on node %d", req.node);
	else
		where[0] = '\0';
	if (o.why == VPE_SHORT_NONE) {
		if (vp_log_level > 0)
			printf("%lu free 1 GiB %s%s (pool %lu -> %lu, %u round%s, %lu ms)\n",
			       o.free_now, vp_pages(o.free_now), where, o.nr_before, o.got, o.rounds,
			       o.rounds == 1 ? "" : "s", o.ms);
		return VP_EXIT_OK;
	}
	printf("%lu of %lu wanted 1 GiB %s %s free%s (pool %lu -> %lu): %s%s\n",
	       o.free_now < req.pages ? o.free_now : req.pages, req.pages, vp_pages(req.pages),
	       req.pages == 1 ? "is" : "are", where, o.nr_before, o.got,
	       why_text(o.why), o.timed_out ? "; gave up at the timeout" : "");
	if (o.why == VPE_SHORT_CAPPED)
		printf("  at most %lu %s in the pool keep%s host_min = %lu MiB for the host\n", o.cap,
		       vp_pages(o.cap), o.cap == 1 ? "s" : "", req.host_min_mib);
	if (o.why == VPE_SHORT_ALLOC)
		print_advice(ctx, &req);
	if (o.got > o.nr_before)
		printf("  %lu %s stay%s reserved: `vfio-provision hugepages release %lu` gives %s back.\n",
		       o.got - o.nr_before, vp_pages(o.got - o.nr_before),
		       o.got - o.nr_before == 1 ? "s" : "", o.got - o.nr_before,
		       o.got - o.nr_before == 1 ? "it" : "them");
	if (ctx->partial_ok && o.why != VPE_SHORT_UNSUPPORTED && o.why != VPE_SHORT_NO_NODE &&
	    o.why != VPE_SHORT_IO)
		return VP_EXIT_OK;
	return o.why == VPE_SHORT_IO ? VP_EXIT_ERROR : VP_EXIT_PENDING;
}

static int cmd_release(struct vp_ctx *ctx, const struct vp_config *cfg)
{
	struct vp_hp_released rel;
	unsigned long pages = ULONG_MAX;
	struct vp_root_io io;
	int node, r;

	if (ctx->argc >= 2 && strcmp(ctx->argv[1], "all") != 0 &&
	    parse_pages(ctx->argv[1], &pages) < 0) {
		vp_err("hugepages release: expected a page count, a size such as 16G, or 'all' (got '%s')",
		       ctx->argv[1]);
		return VP_EXIT_ERROR;
	}
	if (parse_node(ctx, cfg, &node) < 0)
		return VP_EXIT_ERROR;
	vp_root_io(&io, &ctx->root, vp_cmd_say_err);
	r = vp_hp_release(&io.io, "", node, pages, &rel);
	if (r == -ENOENT) {
		vp_err("hugepages release: no 1 GiB page pool%s",
		       node >= 0 ? " on that node" : " (CPU without pdpe1gb?)");
		return VP_EXIT_ERROR;
	}
	if (r < 0) {
		vp_err("hugepages release: %s", strerror(-r));
		return VP_EXIT_ERROR;
	}
	if (vp_log_level > 0)
		printf("released %lu 1 GiB %s (pool %lu -> %lu)\n", rel.released,
		       vp_pages(rel.released), rel.nr_before, rel.nr_after);
	if (rel.in_use)
		printf("%lu page%s in use stay%s reserved until their user exits\n", rel.in_use,
		       rel.in_use == 1 ? "" : "s", rel.in_use == 1 ? "s" : "");
	return VP_EXIT_OK;
}

int vp_cmd_hugepages(struct vp_ctx *ctx)
{
	struct vp_config cfg;
	char *msg = NULL;
	const char *sub = ctx->argc > 0 ? ctx->argv[0] : "status";
	/* status takes nothing, reserve and release one count */
	int max_args = strcmp(sub, "status") == 0 ? 1 : 2;
	int r;

	if (ctx->argc > max_args && (max_args == 1 || !strcmp(sub, "reserve") ||
				     !strcmp(sub, "release"))) {
		vp_err("hugepages %s: unexpected argument '%s'", sub, ctx->argv[max_args]);
		return VP_EXIT_ERROR;
	}

	if (strcmp(sub, "status") == 0)
		return cmd_status(ctx);
	if (strcmp(sub, "reserve") != 0 && strcmp(sub, "release") != 0) {
		vp_err("hugepages: unknown sub-command '%s' (status, reserve, release)", sub);
		return VP_EXIT_ERROR;
	}
	if (ctx->json) {
		vp_err("hugepages %s: --json is not supported (only hugepages status has it)", sub);
		return VP_EXIT_ERROR;
	}
	vp_config_init(&cfg);
	r = vp_config_load(&cfg, &ctx->root, ctx->config, &msg);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		free(msg);
		vp_config_free(&cfg);
		return VP_EXIT_ERROR;
	}
	r = strcmp(sub, "reserve") == 0 ? cmd_reserve(ctx, &cfg) : cmd_release(ctx, &cfg);
	vp_config_free(&cfg);
	return r;
}
