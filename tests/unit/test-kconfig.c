// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel-config reader, the version test and the per-kernel refusals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kconfig.h"

/* A Debian 6.1 config, as far as it matters here. */
static const char debian61[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.0 Kernel Configuration\n#\n"
	"CONFIG_CONTIG_ALLOC=y\n"
	"# CONFIG_CMA is not set\n"
	"CONFIG_HUGETLBFS=y\n"
	"CONFIG_HUGETLB_PAGE=y\n";

static void test_parse_debian(void **state)
{
	struct vp_kconfig k = {0};

	(void)state;
	vp_kconfig_parse(debian61, &k);
	assert_int_equal(k.cma, VP_KOPT_NO);
	assert_int_equal(k.hugetlbfs, VP_KOPT_YES);
	assert_int_equal(k.hugetlb_page, VP_KOPT_YES);
}

static void test_parse_prefixes_and_modules(void **state)
{
	/* CONFIG_CMA_AREAS is not CONFIG_CMA; absent options are off; =m counts */
	struct vp_kconfig k = {0};

	(void)state;
	vp_kconfig_parse("CONFIG_CMA_AREAS=7\nCONFIG_HUGETLBFS=m\r\n", &k);
	assert_int_equal(k.cma, VP_KOPT_NO);
	assert_int_equal(k.hugetlbfs, VP_KOPT_YES);
	assert_int_equal(k.hugetlb_page, VP_KOPT_NO);
	vp_kconfig_parse("CONFIG_CMA=y", &k);   /* no final newline */
	assert_int_equal(k.cma, VP_KOPT_YES);
	vp_kconfig_parse("", &k);
	assert_int_equal(k.cma, VP_KOPT_NO);
}

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(vp_kernel_at_least("6.1.0-18-amd64", 5, 16), 1);
	assert_int_equal(vp_kernel_at_least("5.16.0", 5, 16), 1);
	assert_int_equal(vp_kernel_at_least("5.15.0-91-generic", 5, 16), 0);
	assert_int_equal(vp_kernel_at_least("4.19.0-26-amd64", 5, 16), 0);
	assert_int_equal(vp_kernel_at_least("10.0", 5, 16), 1);
	assert_int_equal(vp_kernel_at_least("linux-lts", 5, 16), -EINVAL);
	assert_int_equal(vp_kernel_at_least("6", 5, 16), -EINVAL);
	assert_int_equal(vp_kernel_at_least(NULL, 5, 16), -EINVAL);
}

struct seen {
	int refuse, warn;
	char last[512];
};

static int collect(void *userdata, enum vp_msg_level level, const char *text)
{
	struct seen *s = userdata;

	if (level == VP_MSG_REFUSE)
		s->refuse++;
	else if (level == VP_MSG_WARN)
		s->warn++;
	snprintf(s->last, sizeof(s->last), "%s", text);
	return 0;
}

static struct vp_config cfg_with(unsigned long count, enum vp_hp_mode mode)
{
	return (struct vp_config){.hp_count = count, .hp_node = -1, .hp_mode = mode};
}

static struct vp_kernel kernel(const char *ver, const char *path, enum vp_kopt cma,
			       enum vp_kopt hugetlbfs)
{
	return (struct vp_kernel){.version = (char *)ver,
				  .config = {.path = (char *)path, .cma = cma,
					     .hugetlbfs = hugetlbfs, .hugetlb_page = hugetlbfs}};
}

static struct seen check(const struct vp_config *cfg, struct vp_kernel *ks, size_t n,
			 const char *key, const char *token)
{
	struct vp_system sys = {.kernels = ks, .n_kernels = n};
	struct vp_cmdline_token t = {.key = (char *)key, .token = (char *)token};
	struct vp_plan plan = {.cmdline = &t, .n_cmdline = key ? 1 : 0};
	struct seen s = {0};

	assert_int_equal(vp_kconfig_check(cfg, &sys, &plan, collect, &s), 0);
	return s;
}

static void test_cma_without_config_cma(void **state)
{
	struct vp_config cfg = cfg_with(8, VP_HP_CMA);
	struct vp_kernel ks[] = {
		kernel("6.1.0-18-amd64", "/boot/config-6.1.0-18-amd64", VP_KOPT_NO, VP_KOPT_YES),
		kernel("6.8.0-45-generic", "/boot/config-6.8.0-45-generic", VP_KOPT_YES, VP_KOPT_YES),
	};
	struct seen s;

	(void)state;
	/* refused for the kernel without CMA only, naming it and its config */
	s = check(&cfg, ks, 2, "hugetlb_cma", "hugetlb_cma=8G");
	assert_int_equal(s.refuse, 1);
	assert_non_null(strstr(s.last, "kernel 6.1.0-18-amd64: 'hugetlb_cma=8G' needs CONFIG_CMA"));
	assert_non_null(strstr(s.last, "/boot/config-6.1.0-18-amd64"));
	/* a removal of hugetlb_cma (NULL token) needs nothing */
	s = check(&cfg, ks, 2, "hugetlb_cma", NULL);
	assert_int_equal(s.refuse, 0);
	/* no config found: nothing known, nothing refused */
	ks[0] = kernel("6.1.0-18-amd64", NULL, VP_KOPT_UNKNOWN, VP_KOPT_UNKNOWN);
	s = check(&cfg, ks, 1, "hugetlb_cma", "hugetlb_cma=8G");
	assert_int_equal(s.refuse + s.warn, 0);
}

static void test_node_syntax_old_kernel(void **state)
{
	struct vp_config cfg = cfg_with(4, VP_HP_BOOT);
	struct vp_kernel ks[] = {
		kernel("5.15.0-91-generic", NULL, VP_KOPT_UNKNOWN, VP_KOPT_UNKNOWN),
		kernel("6.1.0-18-amd64", NULL, VP_KOPT_UNKNOWN, VP_KOPT_UNKNOWN),
	};
	struct seen s;

	(void)state;
	s = check(&cfg, ks, 2, "hugepages", "hugepages=1:4");
	assert_int_equal(s.refuse, 1);
	assert_non_null(strstr(s.last, "kernel 5.15.0-91-generic: 'hugepages=1:4' names a NUMA node"));
	assert_non_null(strstr(s.last, "the node number as the count"));
	/* the plain count is fine on both */
	s = check(&cfg, ks, 2, "hugepages", "hugepages=4");
	assert_int_equal(s.refuse, 0);
	/* per-node hugetlb_cma too */
	cfg.hp_mode = VP_HP_CMA;
	s = check(&cfg, ks, 2, "hugetlb_cma", "hugetlb_cma=0:4G");
	assert_int_equal(s.refuse, 1);
	/* a version we cannot read is not refused */
	ks[0].version = "linux-custom";
	s = check(&cfg, ks, 1, "hugepages", "hugepages=1:4");
	assert_int_equal(s.refuse, 0);
}

static void test_no_hugetlbfs(void **state)
{
	struct vp_config cfg = cfg_with(2, VP_HP_RUNTIME);
	struct vp_kernel ks[] = {
		kernel("6.6.0-tiny", "/lib/modules/6.6.0-tiny/config", VP_KOPT_NO, VP_KOPT_NO),
	};
	struct seen s;

	(void)state;
	/* any mode needs the pool, tokens or not */
	s = check(&cfg, ks, 1, NULL, NULL);
	assert_int_equal(s.refuse, 1);
	assert_non_null(strstr(s.last, "kernel 6.6.0-tiny: built without CONFIG_HUGETLBFS ('/lib/modules/6.6.0-tiny/config')"));
	/* no pages asked: nothing to say */
	cfg.hp_count = 0;
	s = check(&cfg, ks, 1, NULL, NULL);
	assert_int_equal(s.refuse + s.warn, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_debian),
		cmocka_unit_test(test_parse_prefixes_and_modules),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_cma_without_config_cma),
		cmocka_unit_test(test_node_syntax_old_kernel),
		cmocka_unit_test(test_no_hugetlbfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
