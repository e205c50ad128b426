// SPDX-License-Identifier: GPL-2.0-or-later
/* early.conf parsing, cmdline overrides and the cap: the pure parts of early/. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vpe.h"

struct logbuf {
	char text[4096];
	int n_warn;
};

static void log_collect(void *ctx, enum vpe_level level, const char *msg)
{
	struct logbuf *lb = ctx;

	if (level <= VPE_WARN)
		lb->n_warn++;
	strncat(lb->text, msg, sizeof(lb->text) - strlen(lb->text) - 2);
	strcat(lb->text, "\n");
}

static struct vpe_io log_io(struct logbuf *lb)
{
	struct vpe_io io = { .log = log_collect, .ctx = lb };
	memset(lb, 0, sizeof(*lb));
	return io;
}

static void test_conf_full(void **state)
{
	char text[] =
		"# Managed by vfio-provision\n"
		"hugepages=8\n"
		"node=1\n"
		"host_min_mib=4096\n"
		"\n"
		"address 0000:0A:00.0 10DE:2204\n"
		"  address\t0000:0a:00.1   10de:1aef  \n";
	struct logbuf lb;
	struct vpe_io io = log_io(&lb);
	struct vpe_conf c;

	(void)state;
	vpe_conf_init(&c);
	assert_int_equal(vpe_conf_parse(&c, text, "early.conf", &io), 0);
	assert_int_equal(lb.n_warn, 0);
	assert_false(c.disabled);
	assert_int_equal(c.hugepages, 8);
	assert_int_equal(c.node, 1);
	assert_int_equal(c.host_min_mib, 4096);
	assert_int_equal(c.n_addrs, 2);
	/* Addresses are canonical lower case, as sysfs names them. */
	assert_string_equal(c.addrs[0].addr, "0000:0a:00.0");
	assert_int_equal(c.addrs[0].vendor, 0x10de);
	assert_int_equal(c.addrs[0].device, 0x2204);
	assert_string_equal(c.addrs[1].addr, "0000:0a:00.1");
	assert_int_equal(c.addrs[1].device, 0x1aef);
}

/* Domains past 4 digits (Intel VMD has 5) up to a u32's 8: the planner writes them. */
static void test_conf_wide_domain(void **state)
{
	char text[] =
		"address 10000:e1:00.0 10de:2204\n"
		"address FFFFFFFF:ff:1f.7 10de:2204\n"
		"address 100000000:00:00.0 10de:2204\n";  /* 3: 9 digits */
	struct logbuf lb;
	struct vpe_io io = log_io(&lb);
	struct vpe_conf c;

	(void)state;
	assert_int_equal(sizeof(c.addrs[0].addr), VPE_ADDR_SIZE);
	vpe_conf_init(&c);
	assert_int_equal(vpe_conf_parse(&c, text, "early.conf", &io), 1);
	assert_int_equal(c.n_addrs, 2);
	assert_string_equal(c.addrs[0].addr, "10000:e1:00.0");
	assert_string_equal(c.addrs[1].addr, "ffffffff:ff:1f.7");
	assert_int_equal(strlen(c.addrs[1].addr), VPE_ADDR_MAX_LEN);
	assert_int_equal(lb.n_warn, 1);
	assert_non_null(strstr(lb.text, "early.conf':3: expected 'address"));
}

static void test_conf_defaults(void **state)
{
	char text[] = "";
	struct logbuf lb;
	struct vpe_io io = log_io(&lb);
	struct vpe_conf c;

	(void)state;
	vpe_conf_init(&c);
	assert_int_equal(vpe_conf_parse(&c, text, "early.conf", &io), 0);
	assert_int_equal(c.hugepages, 0);
	assert_int_equal(c.node, -1);
	assert_int_equal(c.host_min_mib, VPE_DEFAULT_HOST_MIN_MIB);
	assert_int_equal(c.n_addrs, 0);
}

static void test_conf_node_any(void **state)
{
	char text[] = "node=3\nnode = any\nhugepages = 2\n";
	struct logbuf lb;
	struct vpe_io io = log_io(&lb);
	struct vpe_conf c;

	(void)state;
	vpe_conf_init(&c);
	assert_int_equal(vpe_conf_parse(&c, text, "early.conf", &io), 0);
	assert_int_equal(c.node, -1);
	assert_int_equal(c.hugepages, 2);
}

static void test_conf_unknown_and_bad(void **state)
{
	char text[] =
		"hugepages=4\n"
		"future_key=yes\n"                 /* 2: unknown, forward compatible */
		"hugepages=-3\n"                   /* 3: bad value, keeps 4 */
		"node=x\n"                         /* 4 */
		"just words\n"                     /* 5 */
		"address 0000:0a:00.0\n"           /* 6: no id */
		"address 0000:0a:20.0 10de:2204\n" /* 7: device 0x20 > 0x1f */
		"address 0:0a:00.0 10de:2204\n"    /* 8: short domain */
		"hugepages=99999999999999999999999\n" /* 9: overflow */
		"host_min_mib=1024\n";
	struct logbuf lb;
	struct vpe_io io = log_io(&lb);
	struct vpe_conf c;

	(void)state;
	vpe_conf_init(&c);
	assert_int_equal(vpe_conf_parse(&c, text, "/etc/vfio-provision/early.conf", &io), 8);
	assert_int_equal(lb.n_warn, 8);
	assert_int_equal(c.hugepages, 4);
	assert_int_equal(c.node, -1);
	assert_int_equal(c.host_min_mib, 1024);
	assert_int_equal(c.n_addrs, 0);
	assert_non_null(strstr(lb.text, "'/etc/vfio-provision/early.conf':2: unknown key 'future_key', ignored"));
	assert_non_null(strstr(lb.text, "early.conf':3: bad value '-3' for hugepages"));
	assert_non_null(strstr(lb.text, "early.conf':5: expected key=value"));
	assert_non_null(strstr(lb.text, "early.conf':6: expected 'address"));
	assert_non_null(strstr(lb.text, "early.conf':7: expected 'address"));
	assert_non_null(strstr(lb.text, "early.conf':9: bad value"));
}

static void test_conf_too_many_addresses(void **state)
{
	char text[64 * (VPE_MAX_ADDR + 2)] = "";
	struct logbuf lb;
	struct vpe_io io = log_io(&lb);
	struct vpe_conf c;

	(void)state;
	for (int i = 0; i < VPE_MAX_ADDR + 1; i++)
		sprintf(text + strlen(text), "address 0000:%02x:00.0 1234:1111\n", i);
	vpe_conf_init(&c);
	assert_int_equal(vpe_conf_parse(&c, text, "e", &io), 1);
	assert_int_equal(c.n_addrs, VPE_MAX_ADDR);
	assert_non_null(strstr(lb.text, "more than"));
}

static void test_cmdline(void **state)
{
	struct logbuf lb;
	struct vpe_io io = log_io(&lb);
	struct vpe_conf c;

	(void)state;
	vpe_conf_init(&c);
	c.hugepages = 8;
	vpe_cmdline_apply(&c, "BOOT_IMAGE=/vmlinuz root=/dev/vda quiet\n", &io);
	assert_false(c.disabled);
	assert_int_equal(c.hugepages, 8);

	vpe_cmdline_apply(&c, "quiet vfio_provision.hugepages=3 nokaslr\n", &io);
	assert_int_equal(c.hugepages, 3);
	assert_false(c.disabled);

	/* Last one wins, like kernel parameters. */
	vpe_cmdline_apply(&c, "vfio_provision=off vfio_provision=on", &io);
	assert_false(c.disabled);
	vpe_cmdline_apply(&c, "vfio_provision=on\tvfio_provision=off\n", &io);
	assert_true(c.disabled);

	vpe_conf_init(&c);
	vpe_cmdline_apply(&c, "vfio_provision=0", &io);
	assert_true(c.disabled);

	/* Look-alikes are not ours. */
	vpe_conf_init(&c);
	c.hugepages = 2;
	vpe_cmdline_apply(&c, "xvfio_provision=off vfio_provision.hugepagesx=5 hugepages=7", &io);
	assert_false(c.disabled);
	assert_int_equal(c.hugepages, 2);
	assert_int_equal(lb.n_warn, 0);

	vpe_cmdline_apply(&c, "vfio_provision.hugepages=lots", &io);
	assert_int_equal(c.hugepages, 2);
	assert_int_equal(lb.n_warn, 1);
	assert_non_null(strstr(lb.text, "vfio_provision.hugepages=lots"));

	/* An overlong token is skipped whole, not split. */
	{
		char longtok[400];
		memset(longtok, 'a', sizeof(longtok));
		strcpy(longtok + 300, " vfio_provision.hugepages=5");
		vpe_cmdline_apply(&c, longtok, &io);
		assert_int_equal(c.hugepages, 5);
	}
	vpe_cmdline_apply(&c, "", &io);
	assert_int_equal(c.hugepages, 5);
}

static void test_cap(void **state)
{
	(void)state;
	/* 6 GiB guest, MemTotal ~5.8 GiB, 2 GiB for the host: 3 pages. */
	assert_int_equal(vpe_cap_pages(6086044ULL, 2048, VPE_PAGE_KIB), 3);
	/* Exactly at the limit. */
	assert_int_equal(vpe_cap_pages(4ULL * 1024 * 1024, 2048, VPE_PAGE_KIB), 2);
	assert_int_equal(vpe_cap_pages(4ULL * 1024 * 1024 - 1, 2048, VPE_PAGE_KIB), 1);
	/* The host minimum takes it all, or more. */
	assert_int_equal(vpe_cap_pages(2ULL * 1024 * 1024, 2048, VPE_PAGE_KIB), 0);
	assert_int_equal(vpe_cap_pages(1024, 2048, VPE_PAGE_KIB), 0);
	assert_int_equal(vpe_cap_pages(0, 0, VPE_PAGE_KIB), 0);
	/* No host minimum: every whole page. */
	assert_int_equal(vpe_cap_pages(64ULL * 1024 * 1024 + 5, 0, VPE_PAGE_KIB), 64);
	/* 2 MiB pages work the same way. */
	assert_int_equal(vpe_cap_pages(8ULL * 1024 * 1024, 4096, 2048), 2048);
	assert_int_equal(vpe_cap_pages(8ULL * 1024 * 1024, 4096, 0), 0);
	/* A large machine does not overflow: 4 TiB, 16 GiB kept. */
	assert_int_equal(vpe_cap_pages(4ULL << 30, 16384, VPE_PAGE_KIB), 4096 - 16);
}

static void test_parse_ulong(void **state)
{
	unsigned long v = 7;

	(void)state;
	assert_int_equal(vpe_parse_ulong("42\n", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(vpe_parse_ulong(" 0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vpe_parse_ulong("", &v), -EINVAL);
	assert_int_equal(vpe_parse_ulong("4x", &v), -EINVAL);
	assert_int_equal(vpe_parse_ulong("+4", &v), -EINVAL);
	assert_int_equal(vpe_parse_ulong("184467440737095516160", &v), -ERANGE);
	assert_int_equal(v, 0);
}

static void test_path(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(vpe_path(buf, sizeof(buf), "/", "/proc/%s", "cmdline"), 0);
	assert_string_equal(buf, "/proc/cmdline");
	assert_int_equal(vpe_path(buf, sizeof(buf), "", "/sys"), 0);
	assert_string_equal(buf, "/sys");
	assert_int_equal(vpe_path(buf, sizeof(buf), "/tmp/r", "/sys"), 0);
	assert_string_equal(buf, "/tmp/r/sys");
	assert_int_equal(vpe_path(buf, sizeof(buf), "/a/very/long/root/dir", "/and/a/long/path"),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_full),
		cmocka_unit_test(test_conf_defaults),
		cmocka_unit_test(test_conf_node_any),
		cmocka_unit_test(test_conf_unknown_and_bad),
		cmocka_unit_test(test_conf_too_many_addresses),
		cmocka_unit_test(test_conf_wide_domain),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_parse_ulong),
		cmocka_unit_test(test_path),
	};
	return cmocka_run_group_tests_name("early-conf", tests, NULL, NULL);
}
