// SPDX-License-Identifier: GPL-2.0-or-later
/* vp_plan_cmdline on system and config literals: which tokens, and why. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"

static struct vp_config base_cfg(void)
{
	return (struct vp_config){
		.select_auto = true, .hp_node = -1, .hp_mode = VP_HP_EARLY,
		.iommu = VP_IOMMU_AUTO, .iommu_pt = true, .thp = VP_THP_NEVER,
	};
}

static const char *token(const struct vp_plan *p, const char *key)
{
	for (size_t i = 0; i < p->n_cmdline; i++)
		if (strcmp(p->cmdline[i].key, key) == 0)
			return p->cmdline[i].token ? p->cmdline[i].token : "(remove)";
	return NULL;
}

static bool has_msg(const struct vp_plan *p, enum vp_msg_level l, const char *needle)
{
	for (size_t i = 0; i < p->n_msgs; i++)
		if (p->msgs[i].level == l && strstr(p->msgs[i].text, needle))
			return true;
	return false;
}

static void run(const struct vp_config *cfg, const struct vp_system *sys, struct vp_plan *p)
{
	struct vp_selection sel = {0};
	char *msg = NULL;

	assert_int_equal(vp_plan_cmdline(cfg, sys, &sel, p, &msg), 0);
	assert_null(msg);
	/* every token has its reason for `plan` */
	for (size_t i = 0; i < p->n_cmdline; i++)
		assert_non_null(p->cmdline[i].reason);
}

static void test_intel_off(void **state)
{
	struct vp_config cfg = base_cfg();
	struct vp_system sys = {.cpu_vendor = "GenuineIntel", .iommu_enabled = false};
	struct vp_plan p = {0};

	(void)state;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "intel_iommu"), "intel_iommu=on");
	assert_string_equal(token(&p, "iommu"), "iommu=pt");
	assert_string_equal(token(&p, "transparent_hugepage"), "transparent_hugepage=never");
	assert_null(token(&p, "hugepagesz"));
	assert_false(p.refused);
	vp_plan_free(&p);

	/* on already: nothing to switch on */
	sys.iommu_enabled = true;
	cfg.iommu_pt = false;
	cfg.thp = VP_THP_KEEP;
	run(&cfg, &sys, &p);
	assert_int_equal(p.n_cmdline, 0);
	vp_plan_free(&p);

	/* iommu = on forces the token, keep never adds it */
	cfg.iommu = VP_IOMMU_ON;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "intel_iommu"), "intel_iommu=on");
	vp_plan_free(&p);
	cfg.iommu = VP_IOMMU_KEEP;
	sys.iommu_enabled = false;
	run(&cfg, &sys, &p);
	assert_null(token(&p, "intel_iommu"));
	vp_plan_free(&p);
}

static void test_amd_off(void **state)
{
	struct vp_config cfg = base_cfg();
	struct vp_system sys = {.cpu_vendor = "AuthenticAMD", .iommu_enabled = false};
	struct vp_plan p = {0};

	(void)state;
	run(&cfg, &sys, &p);
	assert_null(token(&p, "amd_iommu"));
	assert_null(token(&p, "intel_iommu"));
	assert_true(has_msg(&p, VP_MSG_WARN, "firmware"));
	vp_plan_free(&p);
}

static void test_hugepages(void **state)
{
	struct vp_config cfg = base_cfg();
	struct vp_system sys = {.cpu_vendor = "GenuineIntel", .iommu_enabled = true,
				.pdpe1gb = true};
	struct vp_plan p = {0};

	(void)state;
	cfg.hp_count = 8;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "hugepagesz"), "hugepagesz=1G");
	assert_string_equal(token(&p, "default_hugepagesz"), "default_hugepagesz=1G");
	assert_null(token(&p, "hugepages")); /* early mode: our program reserves */
	assert_string_equal(token(&p, "hugetlb_cma"), "(remove)");
	vp_plan_free(&p);

	cfg.hp_mode = VP_HP_BOOT;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "hugepages"), "hugepages=8");
	vp_plan_free(&p);
	cfg.hp_node = 1;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "hugepages"), "hugepages=1:8");
	vp_plan_free(&p);

	cfg.hp_mode = VP_HP_CMA;
	cfg.hp_node = -1;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "hugetlb_cma"), "hugetlb_cma=8G");
	assert_null(token(&p, "hugepages"));
	vp_plan_free(&p);

	/* no pdpe1gb: refused, with the reason, and no size tokens */
	sys.pdpe1gb = false;
	run(&cfg, &sys, &p);
	assert_true(p.refused);
	assert_true(has_msg(&p, VP_MSG_REFUSE, "pdpe1gb"));
	assert_null(token(&p, "hugepagesz"));
	vp_plan_free(&p);
}

/* The default mode: hugepages=N with N sized from MemTotal and host_min, per node. */
static void test_boot_sized_to_fit(void **state)
{
	struct vp_config cfg = base_cfg();
	struct vp_numa_node nodes[] = {{.id = 0, .mem_total_kib = 4194304},
				       {.id = 1, .mem_total_kib = 4194304}};
	struct vp_system sys = {.cpu_vendor = "GenuineIntel", .iommu_enabled = true,
				.pdpe1gb = true, .mem_total_kib = 10370000};
	struct vp_plan p = {0};

	(void)state;
	cfg.hp_mode = VP_HP_BOOT;
	cfg.host_min_mib = 2048;
	/* a 10 GiB QEMU guest (9.9 GiB MemTotal) less 2 GiB: 7 pages */
	cfg.hp_count = 64;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "hugepages"), "hugepages=7");
	for (size_t i = 0; i < p.n_cmdline; i++)
		if (strcmp(p.cmdline[i].key, "hugepages") == 0)
			assert_non_null(strstr(p.cmdline[i].reason, "sized down to what fits"));
	vp_plan_free(&p);
	/* a request that fits is kept as it is */
	cfg.hp_count = 4;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "hugepages"), "hugepages=4");
	vp_plan_free(&p);
	/* a node holds no more than its memory: 4 on node 1 of 4 GiB */
	sys.nodes = nodes, sys.n_nodes = 2, sys.mem_total_kib = 8388608;
	cfg.hp_count = 64;
	cfg.hp_node = 1;
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "hugepages"), "hugepages=1:4");
	vp_plan_free(&p);
	/* nothing fits: no hugepages=0 on the cmdline */
	cfg.hp_node = -1;
	cfg.host_min_mib = 65536;
	run(&cfg, &sys, &p);
	assert_null(token(&p, "hugepages"));
	vp_plan_free(&p);
	/* program-only mode: no kernel reservation at all */
	cfg.hp_mode = VP_HP_EARLY;
	cfg.host_min_mib = 2048;
	run(&cfg, &sys, &p);
	assert_null(token(&p, "hugepages"));
	vp_plan_free(&p);
}

static void test_earlier_tokens_stay(void **state)
{
	struct vp_config cfg = base_cfg();
	struct vp_system sys = {.cpu_vendor = "GenuineIntel", .iommu_enabled = true};
	struct vp_plan p = {0};

	(void)state;
	assert_int_equal(vp_plan_add_token(&p, "vfio-pci.ids", "vfio-pci.ids=10de:1b81", "built in"), 0);
	assert_int_equal(vp_plan_add_token(&p, "iommu", "iommu=pt", "someone else"), 0);
	run(&cfg, &sys, &p);
	assert_string_equal(token(&p, "vfio-pci.ids"), "vfio-pci.ids=10de:1b81");
	/* not planned twice */
	assert_int_equal(p.n_cmdline, 3);
	vp_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_off),
		cmocka_unit_test(test_amd_off),
		cmocka_unit_test(test_hugepages),
		cmocka_unit_test(test_boot_sized_to_fit),
		cmocka_unit_test(test_earlier_tokens_stay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
