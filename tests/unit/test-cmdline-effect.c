// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The effective command-line model (cmdline-effect.h): a table of command
 * lines and what the kernel makes of them, each row worked out from the
 * kernel's setup functions named in the header; then the comparison that
 * plan, check and verify report.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmdline-effect.h"

/* "1G:4 2M:0 def:1G intel:on pt:on off:- thp:never ids:- ign:0" */
static char *summary(const struct vp_kcl_effect *e)
{
	const struct vp_kcl_pool *g = vp_kcl_pool(e, 1ULL << 30);
	char nodes[128] = "";
	size_t at = 0;

	for (int i = 0; g && g->per_node && i < VP_KCL_MAX_NODES; i++)
		if (g->node[i])
			at += (size_t)snprintf(nodes + at, sizeof(nodes) - at, "%s%d:%lu",
					       at ? "," : "@", i, g->node[i]);
	return vp_strdup_printf(
		"1G:%lu%s 2M:%lu def:%s intel:%s pt:%s off:%s thp:%s ids:%s ign:%zu",
		vp_kcl_pages(e, 1ULL << 30), nodes, vp_kcl_pages(e, 2ULL << 20),
		e->default_size == 1ULL << 30 ? "1G" : e->default_size == 2ULL << 20 ? "2M" : "?",
		e->intel_iommu == VP_KCL_ON ? "on" : e->intel_iommu == VP_KCL_OFF ? "off" : "-",
		e->passthrough == VP_KCL_ON ? "on" : e->passthrough == VP_KCL_OFF ? "off" : "-",
		e->iommu_off_word ? e->iommu_off_word : e->amd_off_word ? e->amd_off_word : "-",
		e->thp ? e->thp : "-", e->vfio_ids ? e->vfio_ids : "-", e->ignored.n);
}

struct row {
	const char *line;
	bool gb;                /* pdpe1gb */
	bool nodes;             /* 5.16+ */
	int n_nodes;
	const char *want;
};

#define NEW true, true, 2
#define OLD true, false, 2
#define NOGB false, true, 1
#define Z " intel:- pt:- off:- thp:- ids:- ign:0"
#define Z1 " intel:- pt:- off:- thp:- ids:- ign:1"

static const struct row rows[] = {
	/* nothing at all: the architecture's default size, no pages */
	{"", NEW, "1G:0 2M:0 def:2M" Z},
	{"quiet splash root=/dev/sda1", NEW, "1G:0 2M:0 def:2M" Z},
	/* what apply writes */
	{"hugepagesz=1G hugepages=4 default_hugepagesz=1G", NEW, "1G:4 2M:0 def:1G" Z},
	{"default_hugepagesz=1G hugepagesz=1G hugepages=4", NEW, "1G:4 2M:0 def:1G" Z},
	{"default_hugepagesz=1G hugepages=4", NEW, "1G:4 2M:0 def:1G" Z},
	/* a count before any size is the default size's, decided at the end */
	{"hugepages=6", NEW, "1G:0 2M:6 def:2M" Z},
	{"hugepages=6 default_hugepagesz=1G", NEW, "1G:6 2M:0 def:1G" Z},
	/* issue 19: the user's 2 MiB count before our 1 GiB default */
	{"hugepages=6 default_hugepagesz=1G hugepagesz=1G hugepages=4", NEW,
	 "1G:6 2M:0 def:1G intel:- pt:- off:- thp:- ids:- ign:2"},
	{"hugepages=6 hugepagesz=1G hugepages=4 default_hugepagesz=1G", NEW,
	 "1G:6 2M:0 def:1G" Z},
	/* a user's 2 MiB pool beside ours */
	{"hugepagesz=2M hugepages=512 hugepagesz=1G hugepages=4 default_hugepagesz=1G", NEW,
	 "1G:4 2M:512 def:1G" Z},
	{"hugepagesz=1G hugepages=4 hugepagesz=2M hugepages=512", NEW, "1G:4 2M:512 def:2M" Z},
	/* the implicit default count overrides an explicit one of the default size */
	{"hugepages=6 hugepagesz=2M hugepages=10", NEW, "1G:0 2M:6 def:2M" Z1},
	{"hugepagesz=2M hugepages=10 hugepages=6", NEW, "1G:0 2M:10 def:2M" Z1},
	/* a size given twice: ignored, with the count after it */
	{"hugepagesz=1G hugepages=2 hugepagesz=1G hugepages=4", NEW,
	 "1G:2 2M:0 def:2M intel:- pt:- off:- thp:- ids:- ign:2"},
	/* the default size given again is allowed once while it has no count */
	{"default_hugepagesz=1G hugepagesz=1G hugepages=3", NEW, "1G:3 2M:0 def:1G" Z},
	{"default_hugepagesz=1G hugepages=2 hugepagesz=1G hugepages=3", NEW,
	 "1G:2 2M:0 def:1G intel:- pt:- off:- thp:- ids:- ign:2"},
	/* default_hugepagesz= keeps its first value */
	{"default_hugepagesz=2M default_hugepagesz=1G hugepagesz=1G hugepages=4", NEW,
	 "1G:4 2M:0 def:2M" Z1},
	{"default_hugepagesz=1G default_hugepagesz=2M hugepages=4", NEW,
	 "1G:0 2M:0 def:1G intel:- pt:- off:- thp:- ids:- ign:2"},
	/* two counts in a row for one size: the second is ignored */
	{"hugepagesz=1G hugepages=2 hugepages=5", NEW, "1G:2 2M:0 def:2M" Z1},
	{"hugepages=2 hugepages=5", NEW, "1G:0 2M:2 def:2M" Z1},
	/* hugepages= with no valid size before it */
	{"hugepagesz=3M hugepages=4", NEW, "1G:0 2M:0 def:2M intel:- pt:- off:- thp:- ids:- ign:2"},
	{"hugepagesz=1G hugepages=4", NOGB, "1G:0 2M:0 def:2M intel:- pt:- off:- thp:- ids:- ign:2"},
	{"default_hugepagesz=1G hugepages=4", NOGB,
	 "1G:0 2M:0 def:2M intel:- pt:- off:- thp:- ids:- ign:2"},
	/* sizes as memparse() reads them */
	{"hugepagesz=1024M hugepages=4 default_hugepagesz=1073741824", NEW, "1G:4 2M:0 def:1G" Z},
	{"hugepagesz=1g hugepages=4", NEW, "1G:4 2M:0 def:2M" Z},
	{"hugepage-sz=1G hugepages=4", NEW, "1G:0 2M:4 def:2M" Z},
	{"default-hugepagesz=1G hugepages=4", NEW, "1G:4 2M:0 def:1G" Z},
	/* per node (5.16+) */
	{"hugepagesz=1G hugepages=1:4 default_hugepagesz=1G", NEW, "1G:4@1:4 2M:0 def:1G" Z},
	{"hugepagesz=1G hugepages=0:2,1:3", NEW, "1G:5@0:2,1:3 2M:0 def:2M" Z},
	{"hugepagesz=1G hugepages=2:4", NEW, "1G:0 2M:0 def:2M" Z1},
	/* before 5.16 "1:4" is read as the number 1 */
	{"hugepagesz=1G hugepages=1:4", OLD, "1G:1 2M:0 def:2M" Z},
	{"hugepagesz=1G hugepages=x", NEW, "1G:0 2M:0 def:2M" Z1},
	/* init's arguments are not the kernel's */
	{"hugepagesz=1G -- hugepages=4", NEW, "1G:0 2M:0 def:2M" Z},
	{"\"hugepagesz=1G\" hugepages=\"4\"", NEW, "1G:4 2M:0 def:2M" Z},
	/* IOMMU */
	{"intel_iommu=on", NEW, "1G:0 2M:0 def:2M intel:on pt:- off:- thp:- ids:- ign:0"},
	{"intel_iommu=on intel_iommu=off", NEW, "1G:0 2M:0 def:2M intel:off pt:- off:- thp:- ids:- ign:0"},
	{"intel_iommu=off,igfx_off intel_iommu=on", NEW,
	 "1G:0 2M:0 def:2M intel:on pt:- off:- thp:- ids:- ign:0"},
	{"intel_iommu=on,off", NEW, "1G:0 2M:0 def:2M intel:off pt:- off:- thp:- ids:- ign:0"},
	{"intel_iommu=igfx_off", NEW, "1G:0 2M:0 def:2M" Z},
	{"iommu=off intel_iommu=on", NEW,
	 "1G:0 2M:0 def:2M intel:on pt:- off:iommu=off thp:- ids:- ign:0"},
	{"amd_iommu=off", NEW, "1G:0 2M:0 def:2M intel:- pt:- off:amd_iommu=off thp:- ids:- ign:0"},
	{"amd_iommu=fullflush,off", NEW,
	 "1G:0 2M:0 def:2M intel:- pt:- off:amd_iommu=fullflush,off thp:- ids:- ign:0"},
	{"iommu=pt", NEW, "1G:0 2M:0 def:2M intel:- pt:on off:- thp:- ids:- ign:0"},
	{"iommu=pt iommu=nopt", NEW, "1G:0 2M:0 def:2M intel:- pt:off off:- thp:- ids:- ign:0"},
	{"iommu=soft,pt", NEW, "1G:0 2M:0 def:2M intel:- pt:on off:- thp:- ids:- ign:0"},
	{"iommu=pt iommu.passthrough=0", NEW, "1G:0 2M:0 def:2M intel:- pt:off off:- thp:- ids:- ign:0"},
	{"iommu.passthrough=1", NEW, "1G:0 2M:0 def:2M intel:- pt:on off:- thp:- ids:- ign:0"},
	/* the rest we set */
	{"transparent_hugepage=never transparent_hugepage=madvise", NEW,
	 "1G:0 2M:0 def:2M intel:- pt:- off:- thp:madvise ids:- ign:0"},
	{"transparent_hugepage=sometimes", NEW, "1G:0 2M:0 def:2M" Z1},
	{"vfio-pci.ids=10de:1b81 vfio_pci.ids=10de:1b81,10de:10f0", NEW,
	 "1G:0 2M:0 def:2M intel:- pt:- off:- thp:- ids:10de:1b81,10de:10f0 ign:0"},
	{"vfio_pci.ids=\"10de:1b81\"", NEW, "1G:0 2M:0 def:2M intel:- pt:- off:- thp:- ids:10de:1b81 ign:0"},
};

static void test_table(void **state)
{
	(void)state;
	assert_true(ARRAY_SIZE(rows) >= 40);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct vp_kcl_opts o = {.gbpages = rows[i].gb, .node_syntax = rows[i].nodes,
					.n_nodes = rows[i].n_nodes};
		struct vp_kcl_effect e = {0};
		char *msg = NULL, *s;

		if (vp_kcl_effect(rows[i].line, &o, &e, &msg) < 0)
			fail_msg("row %zu '%s': %s", i, rows[i].line, msg ? msg : "?");
		s = summary(&e);
		if (strcmp(s, rows[i].want) != 0) {
			for (size_t k = 0; k < e.ignored.n; k++)
				print_message("  ignored: %s\n", e.ignored.v[k]);
			fail_msg("row %zu '%s':\n  got  %s\n  want %s", i, rows[i].line, s,
				 rows[i].want);
		}
		free(s);
		vp_kcl_effect_free(&e);
	}
}

static void test_unterminated(void **state)
{
	struct vp_kcl_opts o = {.gbpages = true};
	struct vp_kcl_effect e = {0};
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_kcl_effect("quiet \"hugepages=4", &o, &e, &msg), -EINVAL);
	assert_non_null(msg);
	free(msg);
}

static struct vp_strv diff(const char *want, const char *have)
{
	struct vp_kcl_opts o = {.gbpages = true, .node_syntax = true, .n_nodes = 2};
	struct vp_kcl_effect w = {0}, h = {0};
	struct vp_strv out = {0};
	char *msg = NULL;

	assert_int_equal(vp_kcl_effect(want, &o, &w, &msg), 0);
	assert_int_equal(vp_kcl_effect(have, &o, &h, &msg), 0);
	assert_int_equal(vp_kcl_compare(&w, &h, NULL, &out), 0);
	vp_kcl_effect_free(&w);
	vp_kcl_effect_free(&h);
	return out;
}

static void test_compare(void **state)
{
	const char *ours = "iommu=pt intel_iommu=on hugepagesz=1G hugepages=4 "
			   "default_hugepagesz=1G transparent_hugepage=never";
	struct vp_strv d;

	(void)state;
	/* the line holds ours and other words: nothing differs */
	d = diff(ours, "quiet hugepagesz=2M hugepages=64 iommu=pt intel_iommu=on hugepagesz=1G "
		 "hugepages=4 default_hugepagesz=1G transparent_hugepage=never splash");
	assert_int_equal(d.n, 0);
	vp_strv_free(&d);
	/* issue 19: six 1 GiB pages read from the user's count; the word is named */
	d = diff(ours, "hugepages=6 iommu=pt intel_iommu=on default_hugepagesz=1G hugepagesz=1G "
		 "hugepages=4 transparent_hugepage=never");
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0], "6 pages of 1 GiB (hugepages=6)"));
	vp_strv_free(&d);
	/* a later word of the user's wins */
	d = diff(ours, ours);
	assert_int_equal(d.n, 0);
	vp_strv_free(&d);
	d = diff("iommu=pt transparent_hugepage=never", "iommu=pt transparent_hugepage=never "
		 "iommu=nopt transparent_hugepage=always");
	assert_int_equal(d.n, 2);
	assert_non_null(strstr(d.v[0], "translated (iommu=nopt)"));
	assert_non_null(strstr(d.v[1], "always (transparent_hugepage=always)"));
	vp_strv_free(&d);
	/* per node: a global count is not the node's */
	d = diff("hugepagesz=1G hugepages=1:4", "hugepagesz=1G hugepages=4");
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0], "reserve 4 pages of 1 GiB (hugepages=4), not 1:4"));
	vp_strv_free(&d);
	/* missing altogether */
	d = diff("intel_iommu=on", "quiet");
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0], "the kernel's default (no intel_iommu=)"));
	vp_strv_free(&d);
}

static void test_iommu_off(void **state)
{
	struct vp_kcl_opts o = {.gbpages = true};
	struct vp_kcl_effect e = {0};
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_kcl_effect("intel_iommu=off amd_iommu=off", &o, &e, &msg), 0);
	assert_string_equal(vp_kcl_iommu_off(&e, "GenuineIntel"), "intel_iommu=off");
	assert_string_equal(vp_kcl_iommu_off(&e, "AuthenticAMD"), "amd_iommu=off");
	vp_kcl_effect_free(&e);
	assert_int_equal(vp_kcl_effect("intel_iommu=on iommu=off", &o, &e, &msg), 0);
	assert_string_equal(vp_kcl_iommu_off(&e, "GenuineIntel"), "iommu=off");
	vp_kcl_effect_free(&e);
	assert_int_equal(vp_kcl_effect("intel_iommu=off intel_iommu=on amd_iommu=force_enable",
				       &o, &e, &msg), 0);
	assert_null(vp_kcl_iommu_off(&e, "GenuineIntel"));
	assert_null(vp_kcl_iommu_off(&e, "AuthenticAMD"));
	vp_kcl_effect_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_iommu_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
