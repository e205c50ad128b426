// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reservation retry loop and binding by address, on an in-memory sysfs
 * whose hugepage counters the test scripts attempt by attempt, and whose
 * every write is recorded so the order of operations can be checked.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vpe.h"

#define R "/fake"
#define HP_GLOBAL R "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
#define HP_NODE(n) R "/sys/devices/system/node/node" #n "/hugepages/hugepages-1048576kB/nr_hugepages"
#define COMPACT R "/proc/sys/vm/compact_memory"
#define MEMINFO_6G "MemTotal:        6086044 kB\nMemFree:         5900000 kB\n"

struct ffile {
	char path[160];
	char data[512];
	bool link;              /* data is a symlink target */
	bool fail_write;        /* write returns -EACCES */
};

struct fake {
	struct ffile f[32];
	size_t n;
	/* The kernel: the pool can grow to limit[i] at the i-th write. */
	unsigned long limit[16];
	size_t n_limit;
	unsigned writes_to_pool;
	char ops[2048];         /* "W<path>=<value>;" for every write */
	char log[4096];
	int n_warn;
	unsigned long clock;
};

static struct ffile *ff_find(struct fake *fk, const char *path)
{
	for (size_t i = 0; i < fk->n; i++)
		if (strcmp(fk->f[i].path, path) == 0)
			return &fk->f[i];
	return NULL;
}

static struct ffile *ff_set(struct fake *fk, const char *path, const char *data)
{
	struct ffile *f = ff_find(fk, path);

	if (!f) {
		assert_true(fk->n < 32);
		f = &fk->f[fk->n++];
		memset(f, 0, sizeof(*f));
		snprintf(f->path, sizeof(f->path), "%s", path);
	}
	snprintf(f->data, sizeof(f->data), "%s", data);
	return f;
}

static int fk_read(void *ctx, const char *path, char *buf, size_t size)
{
	struct ffile *f = ff_find(ctx, path);

	if (!f || f->link)
		return -ENOENT;
	snprintf(buf, size, "%s", f->data);
	return (int)strlen(buf);
}

static bool is_pool(const char *path)
{
	size_t n = strlen(path), s = strlen("hugepages-1048576kB/nr_hugepages");
	return n >= s && strcmp(path + n - s, "hugepages-1048576kB/nr_hugepages") == 0;
}

static int fk_write(void *ctx, const char *path, const char *s)
{
	struct fake *fk = ctx;
	struct ffile *f = ff_find(fk, path);
	size_t n = strlen(fk->ops);

	snprintf(fk->ops + n, sizeof(fk->ops) - n, "W%s=%s;",
		 strncmp(path, R, strlen(R)) == 0 ? path + strlen(R) : path, s);
	if (!f)
		return -ENOENT;
	if (f->fail_write)
		return -EACCES;
	if (is_pool(path)) {
		/* Like the kernel: grows as far as it can, silently short. */
		unsigned long want = strtoul(s, NULL, 10), lim;
		lim = fk->writes_to_pool < fk->n_limit ? fk->limit[fk->writes_to_pool]
						       : fk->limit[fk->n_limit - 1];
		fk->writes_to_pool++;
		snprintf(f->data, sizeof(f->data), "%lu\n", want < lim ? want : lim);
		return 0;
	}
	snprintf(f->data, sizeof(f->data), "%s", s);
	return 0;
}

static int fk_readlink_name(void *ctx, const char *path, char *buf, size_t size)
{
	struct ffile *f = ff_find(ctx, path);
	const char *name;

	if (!f || !f->link)
		return -ENOENT;
	name = strrchr(f->data, '/');
	name = name ? name + 1 : f->data;
	snprintf(buf, size, "%s", name);
	return (int)strlen(buf);
}

static void fk_log(void *ctx, enum vpe_level level, const char *msg)
{
	struct fake *fk = ctx;
	size_t n = strlen(fk->log);

	if (level <= VPE_WARN)
		fk->n_warn++;
	snprintf(fk->log + n, sizeof(fk->log) - n, "<%d>%s\n", (int)level, msg);
}

static unsigned long fk_now(void *ctx)
{
	struct fake *fk = ctx;
	/* Every call advances 3 ms: the reservation reads it twice. */
	fk->clock += 3;
	return fk->clock;
}

static struct vpe_io fk_io(struct fake *fk)
{
	struct vpe_io io = {
		.read = fk_read, .write = fk_write, .readlink_name = fk_readlink_name,
		.log = fk_log, .now_ms = fk_now, .ctx = fk,
	};
	return io;
}

/* A machine with the 1 GiB hstate, 6 GiB, one node, pool empty. */
static struct fake *fk_new(void)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	ff_set(fk, HP_GLOBAL, "0\n");
	ff_set(fk, HP_NODE(0), "0\n");
	ff_set(fk, COMPACT, "");
	ff_set(fk, R "/proc/meminfo", MEMINFO_6G);
	fk->limit[0] = 100;
	fk->n_limit = 1;
	return fk;
}

static void fk_limits(struct fake *fk, size_t n, const unsigned long *lim)
{
	memcpy(fk->limit, lim, n * sizeof(*lim));
	fk->n_limit = n;
}

static struct vpe_conf conf_pages(unsigned long n, int node)
{
	struct vpe_conf c;
	vpe_conf_init(&c);
	c.hugepages = n;
	c.node = node;
	c.host_min_mib = 1024;
	return c;
}

static void test_first_try(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(2, -1);
	struct vpe_result res;
	char line[VPE_MSG_MAX];

	(void)state;
	assert_int_equal(vpe_reserve(&io, R, &c, &res), 0);
	assert_int_equal(res.got, 2);
	assert_int_equal(res.target, 2);
	assert_int_equal(res.attempts, 1);
	assert_false(res.compacted);
	assert_int_equal(res.why, VPE_SHORT_NONE);
	assert_string_equal(fk->ops, "W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=2;");
	assert_int_equal(vpe_result_format(&c, &res, line, sizeof(line)), VPE_INFO);
	assert_string_equal(line, "vfio-provision: reserved 2/2 1GiB pages in 3 ms");
	free(fk);
}

static void test_compaction_fills(void **state)
{
	static const unsigned long lim[] = { 1, 2 };
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(2, -1);
	struct vpe_result res;
	char line[VPE_MSG_MAX];

	(void)state;
	fk_limits(fk, 2, lim);
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.got, 2);
	assert_int_equal(res.attempts, 2);
	assert_true(res.compacted);
	assert_int_equal(res.why, VPE_SHORT_NONE);
	/* Write, short, compact, write again. */
	assert_string_equal(fk->ops,
		"W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=2;"
		"W/proc/sys/vm/compact_memory=1;"
		"W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=2;");
	assert_int_equal(vpe_result_format(&c, &res, line, sizeof(line)), VPE_INFO);
	free(fk);
}

static void test_retry_while_progress(void **state)
{
	static const unsigned long lim[] = { 1, 2, 3, 3, 4 };
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(4, -1);
	struct vpe_result res;
	char line[VPE_MSG_MAX];
	const char *p;
	int compactions = 0;

	(void)state;
	c.host_min_mib = 0;
	fk_limits(fk, 5, lim);
	vpe_reserve(&io, R, &c, &res);
	/* 1, compact, 2 (progress), 3 (progress), 3 (none): stop before 4. */
	assert_int_equal(res.attempts, 4);
	assert_int_equal(res.got, 3);
	assert_int_equal(res.why, VPE_SHORT_ALLOC);
	for (p = fk->ops; (p = strstr(p, "compact_memory")); p++)
		compactions++;
	assert_int_equal(compactions, 1);
	assert_int_equal(vpe_result_format(&c, &res, line, sizeof(line)), VPE_WARN);
	assert_string_equal(line,
		"vfio-provision: reserved 3/4 1GiB pages in 3 ms: the kernel found only 3 free "
		"1GiB blocks even after compaction (memory fragmented or too small)");
	free(fk);
}

static void test_no_progress_after_compaction(void **state)
{
	static const unsigned long lim[] = { 1, 1, 5 };
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(3, -1);
	struct vpe_result res;

	(void)state;
	fk_limits(fk, 3, lim);
	vpe_reserve(&io, R, &c, &res);
	/* The third attempt would have worked, but nothing hinted so. */
	assert_int_equal(res.attempts, 2);
	assert_int_equal(res.got, 1);
	assert_true(res.compacted);
	assert_int_equal(res.why, VPE_SHORT_ALLOC);
	free(fk);
}

static void test_attempts_bounded(void **state)
{
	static const unsigned long lim[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(12, -1);
	struct vpe_result res;

	(void)state;
	ff_set(fk, R "/proc/meminfo", "MemTotal: 67108864 kB\n");
	fk_limits(fk, 12, lim);
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.attempts, 8);
	assert_int_equal(res.got, 8);
	assert_int_equal(res.why, VPE_SHORT_ALLOC);
	free(fk);
}

static void test_capped(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(16, -1);
	struct vpe_result res;
	char line[VPE_MSG_MAX];

	(void)state;
	c.host_min_mib = 2048;
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.cap, 3);
	assert_int_equal(res.target, 3);
	assert_int_equal(res.got, 3);
	assert_int_equal(res.why, VPE_SHORT_CAPPED);
	assert_non_null(strstr(fk->ops, "nr_hugepages=3;"));
	assert_null(strstr(fk->ops, "=16"));
	assert_int_equal(vpe_result_format(&c, &res, line, sizeof(line)), VPE_WARN);
	assert_string_equal(line, "vfio-provision: reserved 3/16 1GiB pages in 3 ms: capped at 3 "
				  "to leave the host 2048 MiB of 5943 MiB");
	free(fk);
}

static void test_capped_and_short(void **state)
{
	static const unsigned long lim[] = { 1 };
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(16, -1);
	struct vpe_result res;
	char line[VPE_MSG_MAX];

	(void)state;
	c.host_min_mib = 2048;
	fk_limits(fk, 1, lim);
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.got, 1);
	assert_int_equal(vpe_result_format(&c, &res, line, sizeof(line)), VPE_WARN);
	assert_non_null(strstr(line, "capped at 3"));
	assert_non_null(strstr(line, "; the kernel found only 1 free 1GiB block even after compaction"));
	free(fk);
}

static void test_host_min_takes_all(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(2, -1);
	struct vpe_result res;

	(void)state;
	c.host_min_mib = 8192;
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.cap, 0);
	assert_int_equal(res.got, 0);
	assert_int_equal(res.attempts, 0);
	assert_string_equal(fk->ops, "");
	assert_int_equal(res.why, VPE_SHORT_CAPPED);
	free(fk);
}

static void test_unsupported(void **state)
{
	struct fake fk = { 0 };
	struct vpe_io io = fk_io(&fk);
	struct vpe_conf c = conf_pages(2, -1);
	struct vpe_result res;
	char line[VPE_MSG_MAX];

	(void)state;
	ff_set(&fk, R "/proc/meminfo", MEMINFO_6G);
	fk.limit[0] = 9;
	fk.n_limit = 1;
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.got, 0);
	assert_int_equal(res.attempts, 0);
	assert_int_equal(res.why, VPE_SHORT_UNSUPPORTED);
	assert_int_equal(vpe_result_format(&c, &res, line, sizeof(line)), VPE_WARN);
	assert_non_null(strstr(line, "reserved 0/2 1GiB pages"));
	assert_non_null(strstr(line, "pdpe1gb"));
}

static void test_node(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(2, 1);
	struct vpe_result res;
	char line[VPE_MSG_MAX];

	(void)state;
	ff_set(fk, HP_NODE(1), "0\n");
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.got, 2);
	assert_string_equal(fk->ops,
		"W/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages=2;");
	vpe_result_format(&c, &res, line, sizeof(line));
	assert_string_equal(line, "vfio-provision: reserved 2/2 1GiB pages on node 1 in 3 ms");

	/* A node that does not exist: nothing is written anywhere. */
	fk->ops[0] = '\0';
	c.node = 2;
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.why, VPE_SHORT_NO_NODE);
	assert_string_equal(fk->ops, "");
	assert_int_equal(vpe_result_format(&c, &res, line, sizeof(line)), VPE_WARN);
	assert_non_null(strstr(line, "node 2"));
	free(fk);
}

static void test_pool_already_big(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(2, -1);
	struct vpe_result res;

	(void)state;
	ff_set(fk, HP_GLOBAL, "3\n");
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.before, 3);
	assert_int_equal(res.got, 3);
	assert_int_equal(res.attempts, 0);
	assert_string_equal(fk->ops, "");
	assert_int_equal(res.why, VPE_SHORT_NONE);
	free(fk);
}

static void test_io_errors(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c = conf_pages(2, -1);
	struct vpe_result res;
	char line[VPE_MSG_MAX];

	(void)state;
	ff_find(fk, HP_GLOBAL)->fail_write = true;
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.why, VPE_SHORT_IO);
	assert_int_equal(res.err, EACCES);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(res.got, 0);
	assert_int_equal(vpe_result_format(&c, &res, line, sizeof(line)), VPE_WARN);
	assert_non_null(strstr(line, strerror(EACCES)));

	/* No meminfo: no cap can be computed, so nothing is taken. */
	free(fk);
	fk = fk_new();
	io = fk_io(fk);
	ff_set(fk, R "/proc/meminfo", "Garbage: 1\n");
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.why, VPE_SHORT_IO);
	assert_string_equal(fk->ops, "");

	/* An unreadable pool value (not a number). */
	ff_set(fk, R "/proc/meminfo", MEMINFO_6G);
	ff_set(fk, HP_GLOBAL, "many\n");
	vpe_reserve(&io, R, &c, &res);
	assert_int_equal(res.why, VPE_SHORT_IO);
	assert_int_equal(res.err, EINVAL);
	free(fk);
}

/* ---- binding ---- */

#define DEV(a) R "/sys/bus/pci/devices/" a

static struct fake *fk_gpu(const char *driver)
{
	struct fake *fk = fk_new();

	ff_set(fk, DEV("0000:00:05.0") "/vendor", "0x1234\n");
	ff_set(fk, DEV("0000:00:05.0") "/device", "0x1111\n");
	ff_set(fk, DEV("0000:00:05.0") "/driver_override", "(null)\n");
	ff_set(fk, R "/sys/bus/pci/drivers_probe", "");
	if (driver) {
		ff_set(fk, DEV("0000:00:05.0") "/driver", driver)->link = true;
		ff_set(fk, DEV("0000:00:05.0") "/driver/unbind", "");
	}
	return fk;
}

static const struct vpe_addr gpu = { "0000:00:05.0", 0x1234, 0x1111 };

static void test_bind_unbound(void **state)
{
	struct fake *fk = fk_gpu(NULL);
	struct vpe_io io = fk_io(fk);

	(void)state;
	assert_int_equal(vpe_bind(&io, R, &gpu), 0);
	assert_string_equal(fk->ops,
		"W/sys/bus/pci/devices/0000:00:05.0/driver_override=vfio-pci;"
		"W/sys/bus/pci/drivers_probe=0000:00:05.0;");
	assert_int_equal(fk->n_warn, 0);
	free(fk);
}

static void test_bind_rebinds(void **state)
{
	struct fake *fk = fk_gpu("../../../../bus/pci/drivers/bochs-drm");
	struct vpe_io io = fk_io(fk);

	(void)state;
	assert_int_equal(vpe_bind(&io, R, &gpu), 0);
	/* Override first, so the re-probe can only pick vfio-pci. */
	assert_string_equal(fk->ops,
		"W/sys/bus/pci/devices/0000:00:05.0/driver_override=vfio-pci;"
		"W/sys/bus/pci/devices/0000:00:05.0/driver/unbind=0000:00:05.0;"
		"W/sys/bus/pci/drivers_probe=0000:00:05.0;");
	free(fk);
}

static void test_bind_already_vfio(void **state)
{
	struct fake *fk = fk_gpu("../../../../bus/pci/drivers/vfio-pci");
	struct vpe_io io = fk_io(fk);

	(void)state;
	assert_int_equal(vpe_bind(&io, R, &gpu), 0);
	assert_string_equal(fk->ops, "W/sys/bus/pci/devices/0000:00:05.0/driver_override=vfio-pci;");
	free(fk);
}

static void test_bind_moved_card(void **state)
{
	struct fake *fk = fk_gpu(NULL);
	struct vpe_io io = fk_io(fk);
	struct vpe_addr other = { "0000:00:05.0", 0x10de, 0x2204 };
	struct vpe_addr gone = { "0000:00:07.0", 0x1234, 0x1111 };

	(void)state;
	assert_int_equal(vpe_bind(&io, R, &other), -ENODEV);
	assert_string_equal(fk->ops, "");
	assert_int_equal(fk->n_warn, 1);
	assert_non_null(strstr(fk->log, "0000:00:05.0: is 1234:1111, configured 10de:2204 (card moved?), not bound"));

	assert_true(vpe_bind(&io, R, &gone) < 0);
	assert_string_equal(fk->ops, "");
	assert_int_equal(fk->n_warn, 2);
	assert_non_null(strstr(fk->log, "0000:00:07.0: no PCI function there"));
	free(fk);
}

/* ---- one boot ---- */

static void test_run(void **state)
{
	struct fake *fk = fk_gpu(NULL);
	struct vpe_io io = fk_io(fk);

	(void)state;
	ff_set(fk, R "/etc/vfio-provision/early.conf",
	       "# Managed by vfio-provision\nhugepages=2\nnode=any\nhost_min_mib=2048\n"
	       "address 0000:00:05.0 1234:1111\nnewer_key=1\n");
	ff_set(fk, R "/proc/cmdline", "root=/dev/vda quiet\n");
	assert_int_equal(vpe_run(&io, R), 0);
	/* Binding before the reservation. */
	assert_string_equal(fk->ops,
		"W/sys/bus/pci/devices/0000:00:05.0/driver_override=vfio-pci;"
		"W/sys/bus/pci/drivers_probe=0000:00:05.0;"
		"W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=2;");
	assert_string_equal(fk->log,
		"<4>vfio-provision: '/etc/vfio-provision/early.conf':6: unknown key 'newer_key', ignored\n"
		"<6>vfio-provision: 1/1 functions set to vfio-pci by address\n"
		"<6>vfio-provision: reserved 2/2 1GiB pages in 3 ms\n");
	free(fk);
}

static void test_run_cmdline(void **state)
{
	struct fake *fk = fk_gpu(NULL);
	struct vpe_io io = fk_io(fk);

	(void)state;
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=2\naddress 0000:00:05.0 1234:1111\n");
	ff_set(fk, R "/proc/cmdline", "quiet vfio_provision=off\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "");
	assert_string_equal(fk->log, "<6>vfio-provision: disabled by vfio_provision=off on the kernel cmdline\n");

	fk->log[0] = '\0';
	ff_set(fk, R "/proc/cmdline", "quiet vfio_provision.hugepages=1\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_non_null(strstr(fk->ops, "nr_hugepages=1;"));
	assert_non_null(strstr(fk->log, "reserved 1/1 1GiB page in"));

	/* hugepages=0 for one boot: binding still happens, no reservation. */
	fk->ops[0] = fk->log[0] = '\0';
	ff_set(fk, R "/proc/cmdline", "vfio_provision.hugepages=0\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_null(strstr(fk->ops, "nr_hugepages"));
	assert_non_null(strstr(fk->ops, "driver_override=vfio-pci"));
	free(fk);
}

/* mode=boot: the kernel reserved the pages; the program only guards them. */
static void test_guard(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);

	(void)state;
	/* all is well (3 of 3, 5943 MiB, host_min 2048): nothing written */
	ff_set(fk, HP_GLOBAL, "3\n");
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=3\nnode=any\nhost_min_mib=2048\nmode=boot\n");
	ff_set(fk, R "/proc/cmdline", "quiet hugepagesz=1G hugepages=3\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "");
	assert_string_equal(fk->log, "<6>vfio-provision: kept 3/3 1GiB pages the kernel reserved in 3 ms "
			    "(the host keeps 2871 MiB of 5943 MiB)\n");

	/* the kernel found fewer: kept, said why, nothing allocated */
	fk->log[0] = '\0';
	ff_set(fk, HP_GLOBAL, "2\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "");
	assert_string_equal(fk->log, "<4>vfio-provision: kept 2/3 1GiB pages the kernel reserved in 3 ms: "
			    "the kernel found no more free 1GiB blocks (memory too small)\n");

	/* host_min raised (or a DIMM gone): released down to the cap */
	fk->log[0] = '\0';
	ff_set(fk, HP_GLOBAL, "3\n");
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=3\nhost_min_mib=4096\nmode=boot\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=1;");
	assert_string_equal(fk->log, "<4>vfio-provision: released 2 of 3 1GiB pages the kernel reserved, "
			    "kept 1 in 3 ms: capped at 1 to leave the host 4096 MiB of 5943 MiB\n");

	/* a lower count for one boot */
	fk->ops[0] = fk->log[0] = '\0';
	ff_set(fk, HP_GLOBAL, "3\n");
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=3\nmode=boot\n");
	ff_set(fk, R "/proc/cmdline", "hugepages=3 vfio_provision.hugepages=1\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=1;");
	assert_non_null(strstr(fk->log, "released 2 of 3 1GiB pages the kernel reserved, kept 1 in 3 ms: 1 asked for"));

	/* vfio_provision.hugepages=0 (issue 19): every page goes for this boot, still bound */
	fk->ops[0] = fk->log[0] = '\0';
	ff_set(fk, HP_GLOBAL, "3\n");
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=3\nmode=boot\naddress 0000:00:05.0 1234:1111\n");
	ff_set(fk, R "/proc/cmdline", "hugepages=3 vfio_provision.hugepages=0\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_non_null(strstr(fk->ops, "W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=0;"));
	assert_non_null(strstr(fk->log, "released 3 of 3 1GiB pages the kernel reserved, kept 0"));

	/* vfio_provision=off: every page goes, nothing is bound */
	fk->ops[0] = fk->log[0] = '\0';
	ff_set(fk, HP_GLOBAL, "3\n");
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=3\nmode=boot\naddress 0000:00:05.0 1234:1111\n");
	ff_set(fk, R "/proc/cmdline", "hugepages=3 vfio_provision=off\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=0;");
	assert_string_equal(fk->log, "<6>vfio-provision: disabled by vfio_provision=off on the kernel cmdline: "
			    "released 3 of 3 1GiB pages the kernel reserved, kept 0 in 3 ms\n");

	/* the kernel reserved nothing: probably no hugepages= on its cmdline */
	fk->ops[0] = fk->log[0] = '\0';
	ff_set(fk, HP_GLOBAL, "0\n");
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=3\nmode=boot\n");
	ff_set(fk, R "/proc/cmdline", "quiet\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "");
	assert_non_null(strstr(fk->log, "<4>vfio-provision: the kernel reserved no 1GiB pages (0/3): is hugepages= missing"));

	/* hugepages=0 in early.conf: someone else's pages are not ours to guard */
	fk->ops[0] = fk->log[0] = '\0';
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=0\nmode=boot\n");
	ff_set(fk, R "/proc/cmdline", "hugepages=3\n");
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "");
	free(fk);
}

static void test_guard_no_pool(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_guard_result g;
	struct vpe_conf c = conf_pages(3, -1);
	char line[VPE_MSG_MAX];

	(void)state;
	c.guard = true;
	fk->f[0].path[0] = '\0';       /* HP_GLOBAL gone: no 1 GiB hstate */
	assert_int_equal(vpe_guard(&io, R, &c, &g), 0);
	assert_int_equal(g.why, VPE_SHORT_UNSUPPORTED);
	assert_int_equal(vpe_guard_format(&g, line, sizeof(line)), VPE_WARN);
	assert_non_null(strstr(line, "no 1GiB page pool"));
	free(fk);
}

static void test_conf_mode(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);
	struct vpe_conf c;
	char text[] = "mode=boot\nmode=sideways\n";
	char early[] = "mode=early\n";

	(void)state;
	vpe_conf_init(&c);
	assert_false(c.guard);
	assert_int_equal(vpe_conf_parse(&c, text, "early.conf", &io), 1);
	assert_true(c.guard);   /* the bad value is skipped, the earlier one stays */
	assert_non_null(strstr(fk->log, "'early.conf':2: bad value 'sideways' for mode"));
	assert_int_equal(vpe_conf_parse(&c, early, "early.conf", &io), 0);
	assert_false(c.guard);
	free(fk);
}

static void test_run_missing_node(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);

	(void)state;
	ff_set(fk, R "/etc/vfio-provision/early.conf", "hugepages=2\nnode=3\n");
	ff_set(fk, R "/proc/cmdline", "quiet\n");
	assert_int_equal(vpe_run(&io, R), 0);
	/* Nothing on a node that is not there; the global pool instead. */
	assert_string_equal(fk->ops, "W/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages=2;");
	assert_string_equal(fk->log,
		"<4>vfio-provision: node 3 has no 1GiB page pool, reserving on any node\n"
		"<6>vfio-provision: reserved 2/2 1GiB pages in 3 ms\n");
	free(fk);
}

static void test_run_no_conf(void **state)
{
	struct fake *fk = fk_new();
	struct vpe_io io = fk_io(fk);

	(void)state;
	assert_int_equal(vpe_run(&io, R), 0);
	assert_string_equal(fk->ops, "");
	assert_int_equal(fk->n_warn, 1);
	assert_non_null(strstr(fk->log, "'/etc/vfio-provision/early.conf': No such file or directory, nothing to do"));
	free(fk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_try),
		cmocka_unit_test(test_compaction_fills),
		cmocka_unit_test(test_retry_while_progress),
		cmocka_unit_test(test_no_progress_after_compaction),
		cmocka_unit_test(test_attempts_bounded),
		cmocka_unit_test(test_capped),
		cmocka_unit_test(test_capped_and_short),
		cmocka_unit_test(test_host_min_takes_all),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_pool_already_big),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_bind_unbound),
		cmocka_unit_test(test_bind_rebinds),
		cmocka_unit_test(test_bind_already_vfio),
		cmocka_unit_test(test_bind_moved_card),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_run_cmdline),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_guard_no_pool),
		cmocka_unit_test(test_conf_mode),
		cmocka_unit_test(test_run_missing_node),
		cmocka_unit_test(test_run_no_conf),
	};
	return cmocka_run_group_tests_name("early-reserve", tests, NULL, NULL);
}
