// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vp_select() on system models shaped like the fixtures: which
 * functions, which ids, which verdict, and reasons that name the devices.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "select.h"

struct dev {
	const char *addr;
	uint32_t class;
	const char *id;
	int group;
	int boot_vga;
	const char *name;
};

/* Builds sys from a table; groups are gathered from the functions. */
static void build(struct vp_system *sys, const struct dev *devs, size_t n, bool iommu,
		  const char *cpu)
{
	memset(sys, 0, sizeof(*sys));
	sys->fns = calloc(n, sizeof(*sys->fns));
	assert_non_null(sys->fns);
	sys->n_fns = n;
	for (size_t i = 0; i < n; i++) {
		struct vp_pci_fn *fn = &sys->fns[i];
		unsigned v, d;

		assert_int_equal(sscanf(devs[i].addr, "%x:%x:%x.%x", &fn->domain, &fn->bus,
					&fn->dev, &fn->func), 4);
		snprintf(fn->addr, sizeof(fn->addr), "%s", devs[i].addr);
		assert_int_equal(sscanf(devs[i].id, "%x:%x", &v, &d), 2);
		fn->vendor = (uint16_t)v;
		fn->device = (uint16_t)d;
		fn->class = devs[i].class;
		fn->boot_vga = devs[i].boot_vga;
		fn->iommu_group = iommu ? devs[i].group : -1;
		fn->numa_node = -1;
		if (devs[i].name) {
			fn->vendor_name = strdup("Vendor");
			fn->device_name = strdup(devs[i].name);
		}
		if (!iommu)
			continue;
		struct vp_iommu_group *g = NULL;
		for (size_t k = 0; k < sys->n_groups; k++)
			if (sys->groups[k].id == devs[i].group)
				g = &sys->groups[k];
		if (!g) {
			sys->groups = realloc(sys->groups, (sys->n_groups + 1) * sizeof(*g));
			assert_non_null(sys->groups);
			g = &sys->groups[sys->n_groups++];
			memset(g, 0, sizeof(*g));
			g->id = devs[i].group;
		}
		g->members = realloc(g->members, (g->n + 1) * sizeof(size_t));
		assert_non_null(g->members);
		g->members[g->n++] = i;
	}
	sys->iommu_enabled = iommu && sys->n_groups > 0;
	sys->cpu_vendor = cpu ? strdup(cpu) : NULL;
}

static struct vp_config cfg;
static struct vp_system sys;
static struct vp_selection sel;
static char *msg;

static int setup(void **state)
{
	(void)state;
	vp_config_init(&cfg);
	memset(&sys, 0, sizeof(sys));
	memset(&sel, 0, sizeof(sel));
	msg = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vp_config_free(&cfg);
	vp_system_free(&sys);
	vp_selection_free(&sel);
	free(msg);
	msg = NULL;
	return 0;
}

static void select_entries(const char *const *entries)
{
	cfg.select_auto = false;
	for (; *entries; entries++)
		assert_int_equal(vp_strv_push(&cfg.select, *entries), 0);
}

/* The selected functions as "addr,addr,..." for one-line comparisons. */
static char *fn_list(void)
{
	struct vp_buf b = {0};

	for (size_t k = 0; k < sel.n_fns; k++)
		vp_buf_printf(&b, "%s%s", k ? "," : "", sys.fns[sel.fns[k]].addr);
	return vp_buf_steal(&b);
}

static char *join(const struct vp_strv *sv)
{
	struct vp_buf b = {0};

	for (size_t k = 0; k < sv->n; k++)
		vp_buf_printf(&b, "%s%s", k ? "," : "", sv->v[k]);
	return vp_buf_steal(&b);
}

#define assert_fns(expected) do { char *_s = fn_list(); assert_string_equal(_s, expected); free(_s); } while (0)
#define assert_strv(sv, expected) do { char *_s = join(&(sv)); assert_string_equal(_s, expected); free(_s); } while (0)

/* Some reason contains all of the given substrings. */
static bool reason_has(const char *a, const char *b)
{
	for (size_t k = 0; k < sel.reasons.n; k++)
		if (strstr(sel.reasons.v[k], a) && (!b || strstr(sel.reasons.v[k], b)))
			return true;
	return false;
}

static const struct dev skylake[] = {
	{"0000:00:00.0", 0x060000, "8086:191f", 0, -1, NULL},
	{"0000:00:01.0", 0x060400, "8086:1901", 1, -1, NULL},
	{"0000:00:02.0", 0x030000, "8086:1912", 2, 1, "HD Graphics 530"},
	{"0000:00:14.0", 0x0c0330, "8086:a12f", 3, -1, NULL},
	{"0000:00:1f.3", 0x040300, "8086:a170", 4, -1, NULL},
	{"0000:01:00.0", 0x030000, "10de:1b81", 1, 0, "GP104 [GeForce GTX 1070]"},
	{"0000:01:00.1", 0x040300, "10de:10f0", 1, -1, "GP104 High Definition Audio Controller"},
};

static void test_skylake_auto(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:01:00.0");
	/* the root port 00:01.0 shares group 1 but bridges never count */
	assert_fns("0000:01:00.0,0000:01:00.1");
	assert_strv(sel.ids, "10de:1b81,10de:10f0");
	assert_int_equal(sel.verdict, VP_VERDICT_OK);
	assert_string_equal(vp_verdict_name(sel.verdict), "ok");
	assert_int_equal(sel.strategy, VP_STRATEGY_IDS);
	assert_int_equal(sel.reasons.n, 0);
}

static void test_skylake_by_id(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	select_entries((const char *const[]){"10de:1b81", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:01:00.0");
	assert_fns("0000:01:00.0,0000:01:00.1");
	assert_int_equal(sel.verdict, VP_VERDICT_OK);
}

static void test_skylake_by_short_address(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	select_entries((const char *const[]){"01:00.0", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:01:00.0");
	assert_strv(sel.ids, "10de:1b81,10de:10f0");
}

/* A VMD domain (5 digits), as the config accepts it: selected, not a "bad entry". */
static void test_select_vmd_domain(void **state)
{
	static const struct dev vmd[] = {
		{"0000:00:02.0", 0x030000, "8086:1912", 2, 1, "HD Graphics 530"},
		{"10000:01:00.0", 0x030000, "10de:1b81", 5, 0, "GP104 [GeForce GTX 1070]"},
		{"10000:01:00.1", 0x040300, "10de:10f0", 5, -1, "GP104 HD Audio"},
	};

	(void)state;
	build(&sys, vmd, ARRAY_SIZE(vmd), true, "GenuineIntel");
	select_entries((const char *const[]){"10000:01:00.0", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "10000:01:00.0");
	assert_fns("10000:01:00.0,10000:01:00.1");
}

/* What sscanf took and the config never hands over: short fields, a sign, a 0x. */
static void test_select_bad_entries(void **state)
{
	static const char *const bad[] = {"1:0.0", "01:0.0", "0000:1:00.0", "+1de:1b81",
					  "0x10:1b81", "10de:1b8", "01:00.0 ", "0000:01:00.0x"};

	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		vp_strv_free(&cfg.select);
		select_entries((const char *const[]){bad[i], NULL});
		print_message("%s\n", bad[i]);
		assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), -EINVAL);
		assert_non_null(strstr(msg, "bad entry"));
		free(msg);
		msg = NULL;
		vp_selection_free(&sel);
	}
}

static void test_select_boot_vga_explicitly(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	select_entries((const char *const[]){"0000:00:02.0", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_BOOT_VGA);
	assert_true(reason_has("0000:00:02.0 Vendor HD Graphics 530 [8086:1912]", "boot VGA"));
}

static void test_select_missing_address(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	select_entries((const char *const[]){"0000:01:00.0", "0000:09:00.0", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), -ENODEV);
	assert_string_equal(msg, "[gpu] select: no PCI device at 0000:09:00.0");
	assert_int_equal(sel.n_fns, 0);
	assert_null(sel.targets.v);
}

static void test_select_missing_id(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	select_entries((const char *const[]){"1002:73bf", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), -ENODEV);
	assert_string_equal(msg, "[gpu] select: no PCI device with id 1002:73bf");
}

static void test_select_bridge(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	select_entries((const char *const[]){"00:01.0", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), -EINVAL);
	assert_string_equal(msg, "[gpu] select: 0000:00:01.0 is a bridge, it cannot be passed through");
}

static void test_select_garbage_entry(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), true, "GenuineIntel");
	select_entries((const char *const[]){"10de:1b8", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), -EINVAL);
	assert_non_null(strstr(msg, "bad entry '10de:1b8'"));
}

static const struct dev turing[] = {
	{"0000:00:01.0", 0x060400, "8086:1901", 1, -1, NULL},
	{"0000:00:02.0", 0x030000, "8086:3e92", 2, 1, NULL},
	{"0000:01:00.0", 0x030000, "10de:1e87", 1, 0, NULL},
	{"0000:01:00.1", 0x040300, "10de:10f8", 1, -1, NULL},
	{"0000:01:00.2", 0x0c0330, "10de:1ad8", 1, -1, NULL},
	{"0000:01:00.3", 0x0c8000, "10de:1ad9", 1, -1, NULL},
};

static void test_turing_four_functions(void **state)
{
	(void)state;
	build(&sys, turing, ARRAY_SIZE(turing), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_fns("0000:01:00.0,0000:01:00.1,0000:01:00.2,0000:01:00.3");
	assert_strv(sel.ids, "10de:1e87,10de:10f8,10de:1ad8,10de:1ad9");
	assert_int_equal(sel.verdict, VP_VERDICT_OK);
}

/* Two GTX 1070: the first is the host's display, the second goes to the guest. */
static const struct dev twins[] = {
	{"0000:00:01.0", 0x060400, "8086:1901", 1, -1, NULL},
	{"0000:00:01.1", 0x060400, "8086:1905", 1, -1, NULL},
	{"0000:01:00.0", 0x030000, "10de:1b81", 1, 1, "GP104 [GeForce GTX 1070]"},
	{"0000:01:00.1", 0x040300, "10de:10f0", 1, -1, "GP104 High Definition Audio Controller"},
	{"0000:02:00.0", 0x030000, "10de:1b81", 2, 0, "GP104 [GeForce GTX 1070]"},
	{"0000:02:00.1", 0x040300, "10de:10f0", 2, -1, "GP104 High Definition Audio Controller"},
};

static void test_identical_auto_strategy(void **state)
{
	(void)state;
	build(&sys, twins, ARRAY_SIZE(twins), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:02:00.0");
	assert_fns("0000:02:00.0,0000:02:00.1");
	assert_strv(sel.ids, "10de:1b81,10de:10f0");
	/* the verdict says so, but binding per address handles it: not a refusal */
	assert_int_equal(sel.verdict, VP_VERDICT_IDENTICAL_IDS);
	assert_int_equal(sel.blocking, VP_VERDICT_OK);
	assert_int_equal(sel.strategy, VP_STRATEGY_OVERRIDE);
	assert_true(reason_has("0000:01:00.0 Vendor GP104 [GeForce GTX 1070] [10de:1b81]",
			       "strategy override"));
	assert_true(reason_has("0000:01:00.1", "0000:02:00.1"));
}

static void test_identical_ids_strategy(void **state)
{
	(void)state;
	build(&sys, twins, ARRAY_SIZE(twins), true, "GenuineIntel");
	cfg.strategy = VP_STRATEGY_IDS;
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_IDENTICAL_IDS);
	assert_string_equal(vp_verdict_name(sel.verdict), "identical-ids");
	assert_int_equal(sel.strategy, VP_STRATEGY_IDS);
	assert_int_equal(sel.blocking, VP_VERDICT_IDENTICAL_IDS);
	assert_true(reason_has("0000:01:00.0", "ids=10de:1b81"));
	assert_true(reason_has("0000:01:00.0", "strategy = override"));
}

/* Same model, different board vendors: ids= with subsystem ids tells them apart. */
static void test_identical_told_apart_by_subsystem(void **state)
{
	(void)state;
	build(&sys, twins, ARRAY_SIZE(twins), true, "GenuineIntel");
	for (size_t i = 0; i < sys.n_fns; i++) {
		sys.fns[i].subvendor = sys.fns[i].bus == 1 ? 0x1462 : 0x3842;
		sys.fns[i].subdevice = 0x3306;
	}
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_OK);
	assert_int_equal(sel.strategy, VP_STRATEGY_IDS);
	assert_true(reason_has("0000:01:00.0", "another subsystem id (1462:3306)"));

	/* one of them without known subsystem ids: cannot tell */
	vp_selection_free(&sel);
	sys.fns[2].subvendor = sys.fns[2].subdevice = 0;
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_IDENTICAL_IDS);
	assert_int_equal(sel.strategy, VP_STRATEGY_OVERRIDE);
}

/* Binding by address must not hide a group shared with another slot. */
static const struct dev twins_lumped[] = {
	{"0000:00:01.0", 0x060400, "8086:1901", 1, -1, NULL},
	{"0000:01:00.0", 0x030000, "10de:1b81", 1, 1, "GP104 [GeForce GTX 1070]"},
	{"0000:01:00.1", 0x040300, "10de:10f0", 1, -1, "GP104 High Definition Audio Controller"},
	{"0000:02:00.0", 0x030000, "10de:1b81", 2, 0, "GP104 [GeForce GTX 1070]"},
	{"0000:02:00.1", 0x040300, "10de:10f0", 2, -1, "GP104 High Definition Audio Controller"},
	{"0000:03:00.0", 0x0c0330, "1022:43d5", 2, -1, "USB controller"},
};

static void test_identical_does_not_hide_not_isolated(void **state)
{
	(void)state;
	build(&sys, twins_lumped, ARRAY_SIZE(twins_lumped), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.strategy, VP_STRATEGY_OVERRIDE);
	assert_int_equal(sel.blocking, VP_VERDICT_NOT_ISOLATED);
}

static void test_identical_override_strategy(void **state)
{
	(void)state;
	build(&sys, twins, ARRAY_SIZE(twins), true, "GenuineIntel");
	cfg.strategy = VP_STRATEGY_OVERRIDE;
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_IDENTICAL_IDS);
	assert_int_equal(sel.blocking, VP_VERDICT_OK);
	assert_int_equal(sel.strategy, VP_STRATEGY_OVERRIDE);
}

static void test_identical_both_selected(void **state)
{
	(void)state;
	build(&sys, twins, ARRAY_SIZE(twins), true, "GenuineIntel");
	/* by id: both cards, the boot VGA among them */
	select_entries((const char *const[]){"10de:1b81", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:01:00.0,0000:02:00.0");
	assert_fns("0000:01:00.0,0000:01:00.1,0000:02:00.0,0000:02:00.1");
	assert_int_equal(sel.verdict, VP_VERDICT_BOOT_VGA);
	/* nothing outside the selection shares an id */
	assert_int_equal(sel.strategy, VP_STRATEGY_IDS);
}

/* AMD board: the GPU sits behind the chipset, in one group with USB, SATA, NIC. */
static const struct dev amd_lumped[] = {
	{"0000:00:01.0", 0x060000, "1022:1482", 0, -1, NULL},
	{"0000:00:01.2", 0x060400, "1022:1483", 13, -1, NULL},
	{"0000:00:03.1", 0x060400, "1022:1483", 14, -1, NULL},
	{"0000:02:00.0", 0x0c0330, "1022:43d5", 13, -1, "USB controller"},
	{"0000:02:00.1", 0x010601, "1022:43c8", 13, -1, "SATA controller"},
	{"0000:02:00.2", 0x060400, "1022:43c6", 13, -1, NULL},
	{"0000:03:04.0", 0x060400, "1022:43c7", 13, -1, NULL},
	{"0000:05:00.0", 0x020000, "8086:1539", 13, -1, "I211 Gigabit Network Connection"},
	{"0000:0a:00.0", 0x030000, "10de:1c82", 13, 0, "GP107 [GeForce GTX 1050 Ti]"},
	{"0000:0a:00.1", 0x040300, "10de:0fb9", 13, -1, "GP107GL High Definition Audio"},
	{"0000:0b:00.0", 0x030000, "1002:67df", 14, 1, "Ellesmere [Radeon RX 580]"},
	{"0000:0b:00.1", 0x040300, "1002:aaf0", 14, -1, NULL},
};

static void test_amd_lumped_group(void **state)
{
	(void)state;
	build(&sys, amd_lumped, ARRAY_SIZE(amd_lumped), true, "AuthenticAMD");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:0a:00.0");
	/* the whole group minus its bridges */
	assert_fns("0000:02:00.0,0000:02:00.1,0000:05:00.0,0000:0a:00.0,0000:0a:00.1");
	assert_strv(sel.ids, "1022:43d5,1022:43c8,8086:1539,10de:1c82,10de:0fb9");
	assert_int_equal(sel.verdict, VP_VERDICT_NOT_ISOLATED);
	assert_string_equal(vp_verdict_name(sel.verdict), "not-isolated");
	assert_true(reason_has("IOMMU group 13", "0000:02:00.0 Vendor USB controller [1022:43d5]"));
	assert_true(reason_has("0000:02:00.1", "0000:0a:00.0"));
	assert_true(reason_has("0000:05:00.0 Vendor I211 Gigabit Network Connection", NULL));
	assert_true(reason_has("ACS", "another slot"));
	/* neither the bridges nor the GPU's own audio are complaints */
	assert_false(reason_has("0000:02:00.2", NULL));
	assert_false(reason_has("0000:0a:00.1", NULL));
	/* 3 devices + the ACS explanation */
	assert_int_equal(sel.reasons.n, 4);
}

static const struct dev own_audio_group[] = {
	{"0000:00:01.0", 0x060400, "8086:1901", 1, -1, NULL},
	{"0000:00:02.0", 0x030000, "8086:1912", 2, 1, NULL},
	{"0000:01:00.0", 0x030000, "1002:73bf", 1, 0, NULL},
	{"0000:01:00.1", 0x040300, "1002:ab28", 7, -1, NULL},
};

static void test_audio_in_own_group(void **state)
{
	(void)state;
	build(&sys, own_audio_group, ARRAY_SIZE(own_audio_group), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	/* still taken, through the slot */
	assert_fns("0000:01:00.0,0000:01:00.1");
	assert_strv(sel.ids, "1002:73bf,1002:ab28");
	assert_int_equal(sel.verdict, VP_VERDICT_OK);
}

static const struct dev single_boot[] = {
	{"0000:00:00.0", 0x060000, "8086:191f", 0, -1, NULL},
	{"0000:00:02.0", 0x030000, "8086:1912", 1, 1, "HD Graphics 530"},
	{"0000:00:1f.6", 0x020000, "8086:15b8", 2, -1, NULL},
};

static void test_single_gpu_boot_vga(void **state)
{
	(void)state;
	build(&sys, single_boot, ARRAY_SIZE(single_boot), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:00:02.0");
	assert_int_equal(sel.verdict, VP_VERDICT_BOOT_VGA);
	assert_string_equal(vp_verdict_name(sel.verdict), "boot-vga");
	assert_true(reason_has("0000:00:02.0 Vendor HD Graphics 530 [8086:1912]", "lose its display"));
}

static const struct dev single_unmarked[] = {
	{"0000:00:01.0", 0x060400, "8086:1901", 1, -1, NULL},
	{"0000:01:00.0", 0x030000, "10de:1b81", 1, 0, NULL},
	{"0000:01:00.1", 0x040300, "10de:10f0", 1, -1, NULL},
};

static void test_single_gpu_unmarked(void **state)
{
	(void)state;
	build(&sys, single_unmarked, ARRAY_SIZE(single_unmarked), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:01:00.0");
	assert_int_equal(sel.verdict, VP_VERDICT_BOOT_VGA);
	assert_true(reason_has("0000:01:00.0 class 0300 [10de:1b81]", "only GPU"));
}

static const struct dev two_unmarked[] = {
	{"0000:01:00.0", 0x030000, "10de:1b81", 1, 0, NULL},
	{"0000:02:00.0", 0x030200, "10de:1db6", 2, -1, NULL},
};

static void test_two_unmarked(void **state)
{
	(void)state;
	build(&sys, two_unmarked, ARRAY_SIZE(two_unmarked), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:01:00.0,0000:02:00.0");
	assert_int_equal(sel.verdict, VP_VERDICT_OK);
	assert_true(reason_has("No GPU is marked as the boot VGA", "[gpu] select"));
}

static const struct dev three_d_controller[] = {
	{"0000:00:02.0", 0x030000, "8086:9bc4", 1, 1, NULL},
	{"0000:01:00.0", 0x030200, "10de:1f95", 2, -1, NULL},
};

static void test_3d_controller(void **state)
{
	(void)state;
	build(&sys, three_d_controller, ARRAY_SIZE(three_d_controller), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:01:00.0");
	assert_strv(sel.ids, "10de:1f95");
	assert_int_equal(sel.verdict, VP_VERDICT_OK);
}

static void test_iommu_off_intel(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), false, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_NO_IOMMU);
	assert_string_equal(vp_verdict_name(sel.verdict), "no-iommu");
	assert_true(reason_has("intel_iommu=on", "VT-d"));
	assert_false(reason_has("amd_iommu", NULL));
	/* the slot is still known */
	assert_fns("0000:01:00.0,0000:01:00.1");
}

static void test_iommu_off_amd(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), false, "AuthenticAMD");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_NO_IOMMU);
	assert_true(reason_has("amd_iommu=off is not on", "AMD-Vi"));
	assert_false(reason_has("amd_iommu=on", NULL));
	assert_false(reason_has("intel_iommu", NULL));
}

static void test_iommu_off_unknown_cpu(void **state)
{
	(void)state;
	build(&sys, skylake, ARRAY_SIZE(skylake), false, NULL);
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_NO_IOMMU);
	assert_true(reason_has("intel_iommu=on", "AMD needs no token"));
}

static const struct dev domain1[] = {
	{"0000:00:02.0", 0x030000, "8086:1912", 1, 1, NULL},
	{"0000:01:00.0", 0x020000, "8086:1539", 2, -1, NULL},
	{"0001:00:00.0", 0x060400, "8086:2030", 25, -1, NULL},
	{"0001:01:00.0", 0x030000, "1002:73bf", 25, 0, NULL},
	{"0001:01:00.1", 0x040300, "1002:ab28", 25, -1, NULL},
};

static void test_domain_0001(void **state)
{
	(void)state;
	build(&sys, domain1, ARRAY_SIZE(domain1), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0001:01:00.0");
	/* 0000:01:00.0 has the same bus and device number but another domain */
	assert_fns("0001:01:00.0,0001:01:00.1");
	assert_int_equal(sel.verdict, VP_VERDICT_OK);
}

static void test_domain_short_address(void **state)
{
	(void)state;
	build(&sys, domain1, ARRAY_SIZE(domain1), true, "GenuineIntel");
	/* short form means domain 0000: the NIC, not the GPU in domain 0001 */
	select_entries((const char *const[]){"01:00.0", NULL});
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_strv(sel.targets, "0000:01:00.0");
	assert_fns("0000:01:00.0");
}

static const struct dev no_gpu[] = {
	{"0000:00:00.0", 0x060000, "8086:191f", 0, -1, NULL},
	{"0000:00:1f.6", 0x020000, "8086:15b8", 1, -1, NULL},
};

static void test_no_gpu(void **state)
{
	(void)state;
	build(&sys, no_gpu, ARRAY_SIZE(no_gpu), true, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_NO_GPU);
	assert_string_equal(vp_verdict_name(sel.verdict), "no-gpu");
	assert_int_equal(sel.targets.n, 0);
	assert_int_equal(sel.n_fns, 0);
	assert_int_equal(sel.ids.n, 0);
	assert_true(reason_has("No display controller", NULL));
}

static void test_no_gpu_and_no_iommu(void **state)
{
	(void)state;
	build(&sys, no_gpu, ARRAY_SIZE(no_gpu), false, "GenuineIntel");
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	/* the most serious one wins; both are explained */
	assert_int_equal(sel.verdict, VP_VERDICT_NO_GPU);
	assert_true(reason_has("intel_iommu=on", NULL));
}

static void test_empty_system(void **state)
{
	(void)state;
	assert_int_equal(vp_select(&cfg, &sys, &sel, &msg), 0);
	assert_int_equal(sel.verdict, VP_VERDICT_NO_GPU);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_skylake_auto),
		T(test_skylake_by_id),
		T(test_skylake_by_short_address),
		T(test_select_vmd_domain),
		T(test_select_bad_entries),
		T(test_select_boot_vga_explicitly),
		T(test_select_missing_address),
		T(test_select_missing_id),
		T(test_select_bridge),
		T(test_select_garbage_entry),
		T(test_turing_four_functions),
		T(test_identical_auto_strategy),
		T(test_identical_ids_strategy),
		T(test_identical_override_strategy),
		T(test_identical_does_not_hide_not_isolated),
		T(test_identical_told_apart_by_subsystem),
		T(test_identical_both_selected),
		T(test_amd_lumped_group),
		T(test_audio_in_own_group),
		T(test_single_gpu_boot_vga),
		T(test_single_gpu_unmarked),
		T(test_two_unmarked),
		T(test_3d_controller),
		T(test_iommu_off_intel),
		T(test_iommu_off_amd),
		T(test_iommu_off_unknown_cpu),
		T(test_domain_0001),
		T(test_domain_short_address),
		T(test_no_gpu),
		T(test_no_gpu_and_no_iommu),
		T(test_empty_system),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
