// SPDX-License-Identifier: GPL-2.0-or-later
/* vp_plan_modprobe on struct literals: ids, subsystem ids, limit, softdeps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan-modprobe.h"
#include "plan.h"

#define STRV(...) {.v = (char *[]){__VA_ARGS__, NULL}, .n = ARRAY_SIZE(((char *[]){__VA_ARGS__}))}

/* An Intel iGPU for the host, a GTX 1080 (two functions) for the guest. */
static struct vp_pci_fn fns[] = {
	{.addr = "0000:00:02.0", .vendor = 0x8086, .device = 0x3e92, .class = 0x030000,
	 .numa_node = -1, .boot_vga = 1, .candidates = STRV("i915")},
	{.addr = "0000:01:00.0", .vendor = 0x10de, .device = 0x1b80, .subvendor = 0x1462,
	 .subdevice = 0x3362, .class = 0x030000, .numa_node = 0,
	 .candidates = STRV("nvidia", "nouveau", "vfio_pci", "nvidiafb")},
	{.addr = "0000:01:00.1", .vendor = 0x10de, .device = 0x10f0, .subvendor = 0x1462,
	 .subdevice = 0x3362, .class = 0x040300, .numa_node = 0,
	 .candidates = STRV("snd_hda_intel", "snd-hda-intel")},
	/* the same card model in the host's slot, another vendor's board */
	{.addr = "0000:02:00.0", .vendor = 0x10de, .device = 0x1b80, .subvendor = 0x3842,
	 .subdevice = 0x6180, .class = 0x030000, .numa_node = 0},
};

static struct vp_kernel kernels_mod[] = {
	{.version = "6.8.0-1", .mods = {VP_MOD_MODULE, VP_MOD_MODULE, VP_MOD_MISSING,
					VP_MOD_MODULE, VP_MOD_MODULE}},
	{.version = "6.9.2-arch1", .mods = {VP_MOD_MODULE, VP_MOD_MODULE, VP_MOD_MISSING,
					    VP_MOD_MODULE, VP_MOD_MODULE}},
};

static struct vp_kernel kernels_builtin[] = {
	{.version = "6.8.0-1", .mods = {VP_MOD_MODULE, VP_MOD_MODULE, VP_MOD_MISSING,
					VP_MOD_MODULE, VP_MOD_MODULE}},
	{.version = "6.10.0-custom", .mods = {VP_MOD_BUILTIN, VP_MOD_BUILTIN, VP_MOD_MISSING,
					      VP_MOD_BUILTIN, VP_MOD_BUILTIN}},
};

static struct vp_system one_card = {
	.fns = fns, .n_fns = 3, .kernels = kernels_mod, .n_kernels = 2,
};

static struct vp_system two_cards = {
	.fns = fns, .n_fns = 4, .kernels = kernels_mod, .n_kernels = 2,
};

static size_t gpu_fns[] = {1, 2};

static struct vp_selection sel_ids = {
	.targets = STRV("0000:01:00.0"), .fns = gpu_fns, .n_fns = 2,
	.ids = STRV("10de:1b80", "10de:10f0"), .strategy = VP_STRATEGY_IDS,
};

static struct vp_config cfg = {
	.select_auto = true, .hp_count = 8, .hp_node = -1, .hp_mount = "/dev/hugepages1G",
	.hp_group = "kvm", .host_min_mib = 2048,
};

static const char *content(const struct vp_plan *plan)
{
	const struct vp_plan_file *f = vp_plan_file(plan, VP_MODPROBE_CONF);

	assert_non_null(f);
	assert_non_null(f->content);
	return f->content;
}

static void test_ids_basic(void **state)
{
	struct vp_plan plan = {0};
	char *msg = NULL;
	const struct vp_plan_file *f;

	(void)state;
	assert_int_equal(vp_plan_modprobe(&cfg, &one_card, &sel_ids, &plan, &msg), 0);
	assert_null(msg);
	f = vp_plan_file(&plan, VP_MODPROBE_CONF);
	assert_non_null(f);
	assert_true(f->owned);
	assert_int_equal(f->mode, 0644);
	assert_string_equal(f->content,
			    "# Managed by vfio-provision\n"
			    VP_EDITS_NOTE
			    "# Written by `vfio-provision apply` from /etc/vfio-provision.conf:\n"
			    "# set what you need there.\n"
			    "# strategy: ids\n"
			    "# 0000:01:00.0 10de:1b80 (subsystem 1462:3362)\n"
			    "# 0000:01:00.1 10de:10f0 (subsystem 1462:3362)\n"
			    "options vfio-pci ids=10de:1b80,10de:10f0\n"
			    "softdep nouveau pre: vfio-pci\n"
			    "softdep nvidia pre: vfio-pci\n"
			    "softdep nvidiafb pre: vfio-pci\n"
			    "softdep snd_hda_intel pre: vfio-pci\n");
	assert_false(plan.refused);
	assert_int_equal(plan.n_cmdline, 0);
	vp_plan_free(&plan);
}

static void test_subsystem_ids(void **state)
{
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	/* 02:00.0 is the same model: only the subsystem ids keep it on the host */
	assert_int_equal(vp_plan_modprobe(&cfg, &two_cards, &sel_ids, &plan, &msg), 0);
	assert_non_null(strstr(content(&plan),
			       "\noptions vfio-pci ids=10de:1b80:1462:3362,10de:10f0\n"));
	assert_false(plan.refused);
	vp_plan_free(&plan);
}

static void test_identical_cards_refused(void **state)
{
	struct vp_pci_fn twins[3];
	struct vp_system sys = {.fns = twins, .n_fns = 3, .kernels = kernels_mod, .n_kernels = 2};
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	memcpy(twins, fns, sizeof(twins));
	/* 00:02.0 becomes the same board as 01:00.0: nothing tells them apart */
	memcpy(&twins[0], &fns[1], sizeof(twins[0]));
	strcpy(twins[0].addr, "0000:00:02.0");
	assert_int_equal(vp_plan_modprobe(&cfg, &sys, &sel_ids, &plan, &msg), 0);
	assert_true(plan.refused);
	assert_int_equal(plan.n_msgs, 1);
	assert_int_equal(plan.msgs[0].level, VP_MSG_REFUSE);
	assert_string_equal(plan.msgs[0].text,
			    "0000:01:00.0 and 0000:00:02.0 are both 10de:1b80 with the same "
			    "subsystem 1462:3362: vfio-pci ids= would claim both; use "
			    "strategy = override in [gpu]");
	vp_plan_free(&plan);
}

/* n functions with distinct device ids, all selected. */
static int many(size_t n, struct vp_plan *plan, char **ret_msg)
{
	struct vp_pci_fn *m = calloc(n, sizeof(*m));
	size_t *idx = calloc(n, sizeof(*idx));
	struct vp_system sys = {.fns = m, .n_fns = n, .kernels = kernels_mod, .n_kernels = 2};
	struct vp_selection sel = {.fns = idx, .n_fns = n, .strategy = VP_STRATEGY_IDS};
	int r;

	assert_non_null(m);
	assert_non_null(idx);
	for (size_t i = 0; i < n; i++) {
		snprintf(m[i].addr, sizeof(m[i].addr), "0000:%02zx:00.0", i + 1);
		m[i].vendor = 0x1002;
		m[i].device = (uint16_t)(0x6000 + i);
		m[i].numa_node = -1;
		idx[i] = i;
	}
	r = vp_plan_modprobe(&cfg, &sys, &sel, plan, ret_msg);
	free(m);
	free(idx);
	return r;
}

static void test_ids_limit(void **state)
{
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	/* 102 ids: 102 * 9 + 101 commas = 1019 bytes, fits */
	assert_int_equal(many(102, &plan, &msg), 0);
	assert_null(msg);
	assert_false(plan.refused);
	assert_non_null(strstr(content(&plan), "1002:6065\n"));
	vp_plan_free(&plan);

	/* 103 ids: 1029 bytes, over the 1023 the kernel keeps: no plan at all */
	assert_int_equal(many(103, &plan, &msg), -E2BIG);
	assert_non_null(msg);
	assert_string_equal(msg,
			    "vfio-pci ids= list is 1029 bytes for 103 functions, over the "
			    "kernel's limit of 1023 bytes; use strategy = override in [gpu] "
			    "or select fewer devices");
	assert_null(vp_plan_file(&plan, VP_MODPROBE_CONF));
	free(msg);
	vp_plan_free(&plan);
}

static void test_override(void **state)
{
	struct vp_selection sel = sel_ids;
	struct vp_system sys = one_card;
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	sel.strategy = VP_STRATEGY_OVERRIDE;
	sys.kernels = kernels_builtin; /* binding by address needs no cmdline ids */
	assert_int_equal(vp_plan_modprobe(&cfg, &sys, &sel, &plan, &msg), 0);
	assert_null(strstr(content(&plan), "ids="));
	assert_null(strstr(content(&plan), "options"));
	assert_non_null(strstr(content(&plan), "# strategy: override\n"));
	assert_non_null(strstr(content(&plan), "\nsoftdep nouveau pre: vfio-pci\n"
					       "softdep nvidia pre: vfio-pci\n"
					       "softdep nvidiafb pre: vfio-pci\n"
					       "softdep snd_hda_intel pre: vfio-pci\n"));
	assert_int_equal(plan.n_cmdline, 0);
	assert_false(plan.refused);
	vp_plan_free(&plan);
}

static void test_auto_identical_is_override(void **state)
{
	struct vp_selection sel = sel_ids;
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	sel.strategy = VP_STRATEGY_AUTO;
	sel.verdict = VP_VERDICT_IDENTICAL_IDS;
	assert_int_equal(vp_plan_modprobe(&cfg, &one_card, &sel, &plan, &msg), 0);
	assert_null(strstr(content(&plan), "ids="));
	vp_plan_free(&plan);
}

static void test_builtin_cmdline(void **state)
{
	struct vp_system sys = two_cards;
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	sys.kernels = kernels_builtin;
	assert_int_equal(vp_plan_modprobe(&cfg, &sys, &sel_ids, &plan, &msg), 0);
	/* the module kernel still reads modprobe.d */
	assert_non_null(strstr(content(&plan), "\noptions vfio-pci ids=10de:1b80:1462:3362,10de:10f0\n"));
	assert_int_equal(plan.n_cmdline, 1);
	assert_string_equal(plan.cmdline[0].key, "vfio-pci.ids");
	assert_string_equal(plan.cmdline[0].token, "vfio-pci.ids=10de:1b80:1462:3362,10de:10f0");
	assert_non_null(plan.cmdline[0].reason);
	assert_non_null(strstr(plan.cmdline[0].reason, "built into"));
	assert_int_equal(plan.n_msgs, 1);
	assert_int_equal(plan.msgs[0].level, VP_MSG_INFO);
	assert_string_equal(plan.msgs[0].text,
			    "vfio-pci is built into kernel 6.10.0-custom: modprobe.d options do "
			    "nothing there, so the ids go on the kernel cmdline as "
			    "vfio-pci.ids=10de:1b80:1462:3362,10de:10f0");
	vp_plan_free(&plan);
}

static void test_nothing_selected(void **state)
{
	struct vp_selection sel = {.verdict = VP_VERDICT_NO_GPU, .strategy = VP_STRATEGY_IDS};
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_plan_modprobe(&cfg, &one_card, &sel, &plan, &msg), 0);
	assert_int_equal(plan.n_files, 0);
	assert_int_equal(plan.n_cmdline, 0);
	vp_plan_free(&plan);
}

static void test_softdeps_helper(void **state)
{
	struct vp_strv sd = {0};
	static size_t all[] = {0, 1, 2};
	struct vp_selection sel = {.fns = all, .n_fns = 3};

	(void)state;
	assert_int_equal(vp_modprobe_softdeps(&one_card, &sel, &sd), 0);
	assert_int_equal(sd.n, 5);
	assert_string_equal(sd.v[0], "i915");
	assert_string_equal(sd.v[1], "nouveau");
	assert_string_equal(sd.v[2], "nvidia");
	assert_string_equal(sd.v[3], "nvidiafb");
	assert_string_equal(sd.v[4], "snd_hda_intel");
	vp_strv_free(&sd);
}

/* A name from libkmod with a newline would add a modprobe.d line: refused. */
static void test_hostile_module_name(void **state)
{
	struct vp_pci_fn evil[] = {
		fns[0],
		{.addr = "0000:01:00.0", .vendor = 0x10de, .device = 0x1b80, .class = 0x030000,
		 .candidates = STRV("nouveau", "evil\nblacklist vfio_pci")},
	};
	struct vp_system sys = {.fns = evil, .n_fns = 2, .kernels = kernels_mod, .n_kernels = 2};
	static size_t one[] = {1};
	struct vp_selection sel = {.targets = STRV("0000:01:00.0"), .fns = one, .n_fns = 1,
				   .strategy = VP_STRATEGY_OVERRIDE};
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_plan_modprobe(&cfg, &sys, &sel, &plan, &msg), -EINVAL);
	assert_non_null(msg);
	assert_non_null(strstr(msg, VP_MODPROBE_CONF));
	assert_non_null(strstr(msg, "evil\\nblacklist vfio_pci"));
	assert_null(vp_plan_file(&plan, VP_MODPROBE_CONF));
	free(msg);
	vp_plan_free(&plan);
}

/* One rule (select.c's): a conflict hidden under a more serious verdict still binds by address. */
static void test_strategy_one_rule(void **state)
{
	struct vp_selection s = sel_ids;
	struct vp_config c = cfg;
	struct vp_plan plan = {0};
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_strategy_resolve(VP_STRATEGY_AUTO, false), VP_STRATEGY_IDS);
	assert_int_equal(vp_strategy_resolve(VP_STRATEGY_AUTO, true), VP_STRATEGY_OVERRIDE);
	assert_int_equal(vp_strategy_resolve(VP_STRATEGY_IDS, true), VP_STRATEGY_IDS);
	assert_int_equal(vp_strategy_resolve(VP_STRATEGY_OVERRIDE, false), VP_STRATEGY_OVERRIDE);
	s.strategy = VP_STRATEGY_AUTO;
	s.ids_conflict = true;
	s.verdict = VP_VERDICT_BOOT_VGA;
	assert_int_equal(vp_selection_strategy(&c, &s), VP_STRATEGY_OVERRIDE);
	assert_int_equal(vp_plan_modprobe(&c, &two_cards, &s, &plan, &msg), 0);
	assert_non_null(strstr(content(&plan), "# strategy: override\n"));
	vp_plan_free(&plan);
	/* the configured strategy wins over the conflict */
	c.strategy = VP_STRATEGY_IDS;
	assert_int_equal(vp_selection_strategy(&c, &s), VP_STRATEGY_IDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_basic),
		cmocka_unit_test(test_subsystem_ids),
		cmocka_unit_test(test_identical_cards_refused),
		cmocka_unit_test(test_ids_limit),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_auto_identical_is_override),
		cmocka_unit_test(test_builtin_cmdline),
		cmocka_unit_test(test_nothing_selected),
		cmocka_unit_test(test_softdeps_helper),
		cmocka_unit_test(test_hostile_module_name),
		cmocka_unit_test(test_strategy_one_rule),
	};

	return cmocka_run_group_tests_name("plan-modprobe", tests, NULL, NULL);
}
