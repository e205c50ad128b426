// SPDX-License-Identifier: GPL-2.0-or-later
/* vp_plan_early on struct literals: the early program's key=value file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan-modprobe.h"
#include "plan.h"

#define STRV(...) {.v = (char *[]){__VA_ARGS__, NULL}, .n = ARRAY_SIZE(((char *[]){__VA_ARGS__}))}

static struct vp_pci_fn fns[] = {
	{.addr = "0000:00:02.0", .vendor = 0x8086, .device = 0x3e92, .numa_node = -1},
	{.addr = "0000:41:00.0", .vendor = 0x1002, .device = 0x73bf, .numa_node = 1},
	{.addr = "0000:41:00.1", .vendor = 0x1002, .device = 0xab28, .numa_node = 1},
};
static struct vp_numa_node nodes[] = {
	{.id = 0, .hp1g_nr = 0, .hp1g_free = 0}, {.id = 1, .hp1g_nr = 0, .hp1g_free = 0},
};
static struct vp_system sys = {.fns = fns, .n_fns = 3, .nodes = nodes, .n_nodes = 2};

static size_t gpu[] = {1, 2};
static struct vp_selection sel = {
	.targets = STRV("0000:41:00.0"), .fns = gpu, .n_fns = 2, .strategy = VP_STRATEGY_IDS,
};

static struct vp_config base = {
	.select_auto = true, .hp_count = 8, .hp_node = -1, .hp_mode = VP_HP_EARLY,
	.hp_mount = "/dev/hugepages1G", .hp_group = "kvm", .host_min_mib = 2048,
};

static char *early(const struct vp_config *cfg, const struct vp_system *s,
		   const struct vp_selection *se, struct vp_plan *plan)
{
	const struct vp_plan_file *f;
	char *msg = NULL;

	assert_int_equal(vp_plan_early(cfg, s, se, plan, &msg), 0);
	assert_null(msg);
	f = vp_plan_file(plan, VP_EARLY_CONF);
	assert_non_null(f);
	assert_true(f->owned);
	assert_int_equal(f->mode, 0644);
	assert_non_null(f->content);
	return f->content;
}

static void test_gpu_node(void **state)
{
	struct vp_plan plan = {0};

	(void)state;
	assert_string_equal(early(&base, &sys, &sel, &plan),
			    "# Managed by vfio-provision\n"
			    VP_EDITS_NOTE
			    "# Read by the early-boot program in the initramfs; written by\n"
			    "# `vfio-provision apply` from /etc/vfio-provision.conf.\n"
			    "hugepages=8\n"
			    "node=1\n"
			    "host_min_mib=2048\n");
	assert_false(plan.refused);
	vp_plan_free(&plan);
}

static void test_node_any_and_configured(void **state)
{
	struct vp_selection s = sel;
	struct vp_config cfg = base;
	struct vp_plan plan = {0};

	(void)state;
	/* the first target has no node: the global pool */
	s.targets = (struct vp_strv)STRV("0000:00:02.0");
	assert_non_null(strstr(early(&base, &sys, &s, &plan), "\nnode=any\n"));
	vp_plan_free(&plan);

	/* the config wins over the GPU's node */
	cfg.hp_node = 0;
	cfg.hp_count = 3;
	cfg.host_min_mib = 4096;
	assert_non_null(strstr(early(&cfg, &sys, &sel, &plan),
			       "\nhugepages=3\nnode=0\nhost_min_mib=4096\n"));
	assert_false(plan.refused);
	vp_plan_free(&plan);
}

static void test_node_missing_refused(void **state)
{
	struct vp_config cfg = base;
	struct vp_plan plan = {0};

	(void)state;
	cfg.hp_node = 3;
	early(&cfg, &sys, &sel, &plan);
	assert_true(plan.refused);
	assert_int_equal(plan.n_msgs, 1);
	assert_string_equal(plan.msgs[0].text,
			    "[hugepages] node = 3: this machine has no NUMA node 3");
	vp_plan_free(&plan);
}

static void test_override_addresses(void **state)
{
	struct vp_selection s = sel;
	struct vp_plan plan = {0};

	(void)state;
	s.strategy = VP_STRATEGY_OVERRIDE;
	assert_non_null(strstr(early(&base, &sys, &s, &plan),
			       "\nhost_min_mib=2048\n"
			       "address 0000:41:00.0 1002:73bf\n"
			       "address 0000:41:00.1 1002:ab28\n"));
	vp_plan_free(&plan);

	/* ids strategy: the early program binds nothing */
	assert_null(strstr(early(&base, &sys, &sel, &plan), "address"));
	vp_plan_free(&plan);
}

/* More addresses than the program keeps: an error, nothing written. */
static void test_too_many_addresses(void **state)
{
	struct vp_pci_fn many[VPE_MAX_ADDR + 1];
	size_t idx[VPE_MAX_ADDR + 1];
	struct vp_system s = {.fns = many, .n_fns = VPE_MAX_ADDR + 1, .nodes = nodes,
			      .n_nodes = 2};
	struct vp_selection se = {.targets = STRV("0000:01:00.0"), .fns = idx,
				  .strategy = VP_STRATEGY_OVERRIDE};
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(many); i++) {
		many[i] = (struct vp_pci_fn){.vendor = 0x10de, .device = 0x1b80, .numa_node = -1};
		snprintf(many[i].addr, sizeof(many[i].addr), "0000:%02zx:00.0", i + 1);
		idx[i] = i;
	}
	/* exactly the program's limit: written */
	se.n_fns = VPE_MAX_ADDR;
	assert_non_null(strstr(early(&base, &s, &se, &plan), "address 0000:20:00.0 10de:1b80\n"));
	vp_plan_free(&plan);
	se.n_fns = VPE_MAX_ADDR + 1;
	assert_int_equal(vp_plan_early(&base, &s, &se, &plan, &msg), -E2BIG);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "33 functions to bind by address"));
	assert_non_null(strstr(msg, "at most 32"));
	assert_null(vp_plan_file(&plan, VP_EARLY_CONF));
	free(msg);
	vp_plan_free(&plan);
}

/* The strategy rule of select.c: a conflict under a more serious verdict is still by address. */
static void test_strategy_one_rule(void **state)
{
	struct vp_selection s = sel;
	struct vp_plan plan = {0};

	(void)state;
	s.strategy = VP_STRATEGY_AUTO;
	s.ids_conflict = true;
	s.verdict = VP_VERDICT_BOOT_VGA;
	assert_non_null(strstr(early(&base, &sys, &s, &plan), "address 0000:41:00.0 1002:73bf\n"));
	vp_plan_free(&plan);
}

static void test_other_modes_reserve_nothing(void **state)
{
	struct vp_config cfg = base;
	struct vp_plan plan = {0};
	struct vp_system s = sys;
	char *t;

	(void)state;
	/* cma and runtime: nothing at boot */
	cfg.hp_mode = VP_HP_CMA;
	assert_non_null(strstr(early(&cfg, &sys, &sel, &plan), "\nhugepages=0\n"));
	vp_plan_free(&plan);
	cfg.hp_mode = VP_HP_RUNTIME;
	assert_non_null(strstr(early(&cfg, &sys, &sel, &plan), "\nhugepages=0\n"));
	vp_plan_free(&plan);
	/* boot: the program guards what the kernel reserves, sized to fit */
	cfg.hp_mode = VP_HP_BOOT;
	s.mem_total_kib = 6065368;      /* 3 pages fit */
	t = early(&cfg, &s, &sel, &plan);
	assert_non_null(strstr(t, "\nhugepages=3\n"));
	assert_non_null(strstr(t, "\nmode=boot\n"));
	vp_plan_free(&plan);
	/* early: no mode line (the program's default) */
	cfg.hp_mode = VP_HP_EARLY;
	assert_null(strstr(early(&cfg, &s, &sel, &plan), "mode="));
	vp_plan_free(&plan);
	cfg.hp_mode = VP_HP_EARLY;
	cfg.hp_count = 0;
	assert_non_null(strstr(early(&cfg, &sys, &sel, &plan), "\nhugepages=0\n"));
	vp_plan_free(&plan);
}

/* With no pages to reserve at boot, the reason does not say it reserves pages. */
static void test_reason_without_pages(void **state)
{
	struct vp_config cfg = base;
	struct vp_selection s = sel;
	struct vp_plan plan = {0};

	(void)state;
	cfg.hp_count = 0;
	early(&cfg, &sys, &sel, &plan);
	assert_string_equal(vp_plan_file(&plan, VP_EARLY_CONF)->reason,
			    "the early-boot program reserves no 1 GiB pages: none at boot");
	vp_plan_free(&plan);
	s.strategy = VP_STRATEGY_OVERRIDE;
	early(&cfg, &sys, &s, &plan);
	assert_string_equal(vp_plan_file(&plan, VP_EARLY_CONF)->reason,
			    "the early-boot program binds the devices by address (no 1 GiB "
			    "pages at boot)");
	vp_plan_free(&plan);
	/* runtime: the pages come later, not from the program */
	cfg.hp_count = 8;
	cfg.hp_mode = VP_HP_RUNTIME;
	early(&cfg, &sys, &sel, &plan);
	assert_null(strstr(vp_plan_file(&plan, VP_EARLY_CONF)->reason, "reserves 1 GiB"));
	vp_plan_free(&plan);
	/* early with pages: it does reserve them */
	cfg.hp_mode = VP_HP_EARLY;
	early(&cfg, &sys, &sel, &plan);
	assert_string_equal(vp_plan_file(&plan, VP_EARLY_CONF)->reason,
			    "the early-boot program reserves 1 GiB pages");
	vp_plan_free(&plan);
}

/* Every non-comment line follows the grammar the early program parses. */
static void test_grammar(void **state)
{
	struct vp_selection s = sel;
	struct vp_plan plan = {0};
	char *c, *save = NULL;

	(void)state;
	s.strategy = VP_STRATEGY_OVERRIDE;
	c = strdup(early(&base, &sys, &s, &plan));
	assert_non_null(c);
	for (char *l = strtok_r(c, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned d, b, dv, f, v, id;
		char key[32];
		int n = 0;

		if (l[0] == '#')
			continue;
		if (sscanf(l, "address %4x:%2x:%2x.%1x %4x:%4x%n", &d, &b, &dv, &f, &v, &id, &n) == 6 &&
		    l[n] == '\0')
			continue;
		assert_true(sscanf(l, "%31[a-z_]=%n", key, &n) == 1 && n > 0 && l[n] != '\0');
		assert_true(strcmp(key, "hugepages") == 0 || strcmp(key, "node") == 0 ||
			    strcmp(key, "host_min_mib") == 0);
	}
	free(c);
	vp_plan_free(&plan);
}

static const char *warning(const struct vp_plan *plan)
{
	for (size_t i = 0; i < plan->n_msgs; i++)
		if (plan->msgs[i].level == VP_MSG_WARN)
			return plan->msgs[i].text;
	return NULL;
}

/* More pages than MemTotal less host_min: a warning saying what the boot keeps. */
static void test_count_does_not_fit(void **state)
{
	struct vp_system s = sys;
	struct vp_numa_node two[] = {
		{.id = 0, .mem_total_kib = 4194304}, {.id = 1, .mem_total_kib = 4194304},
	};
	struct vp_config cfg = base;
	struct vp_plan plan = {0};

	(void)state;
	/* a 6 GiB QEMU guest: 5923 MiB, host_min 2 GiB: 3 pages fit */
	s.mem_total_kib = 6065368;
	cfg.hp_count = 64;
	early(&cfg, &s, &sel, &plan);
	assert_non_null(warning(&plan));
	assert_string_equal(warning(&plan),
			    "[hugepages] count = 64 does not fit: MemTotal 5923 MiB less host_min "
			    "= 2048 MiB leaves room for 3 1 GiB pages; the boot will keep 3");
	assert_false(plan.refused);
	vp_plan_free(&plan);

	/* one page of room: no "1 pages" */
	cfg.host_min_mib = 4096;
	early(&cfg, &s, &sel, &plan);
	assert_non_null(strstr(warning(&plan), "room for 1 1 GiB page; the boot will keep 1"));
	vp_plan_free(&plan);

	/* a count that fits: nothing to say */
	cfg.host_min_mib = 2048;
	cfg.hp_count = 3;
	early(&cfg, &s, &sel, &plan);
	assert_null(warning(&plan));
	vp_plan_free(&plan);

	/* a configured node holds at most its own memory */
	s.nodes = two;
	s.mem_total_kib = 8388608;
	cfg.hp_count = 5;
	cfg.hp_node = 1;
	early(&cfg, &s, &sel, &plan);
	assert_string_equal(warning(&plan),
			    "[hugepages] count = 5 does not fit on node 1: it has 4096 MiB, room "
			    "for 4 1 GiB pages; the boot will keep 4");
	vp_plan_free(&plan);

	/* runtime: capped when reserved, not at plan time */
	cfg.hp_mode = VP_HP_RUNTIME;
	cfg.hp_count = 64;
	early(&cfg, &s, &sel, &plan);
	assert_null(warning(&plan));
	vp_plan_free(&plan);

	/* memory unknown (not probed): no warning */
	cfg.hp_mode = VP_HP_EARLY;
	s.mem_total_kib = 0;
	early(&cfg, &s, &sel, &plan);
	assert_null(warning(&plan));
	vp_plan_free(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpu_node),
		cmocka_unit_test(test_node_any_and_configured),
		cmocka_unit_test(test_node_missing_refused),
		cmocka_unit_test(test_override_addresses),
		cmocka_unit_test(test_too_many_addresses),
		cmocka_unit_test(test_strategy_one_rule),
		cmocka_unit_test(test_other_modes_reserve_nothing),
		cmocka_unit_test(test_reason_without_pages),
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_count_does_not_fit),
	};

	return cmocka_run_group_tests_name("plan-early", tests, NULL, NULL);
}
