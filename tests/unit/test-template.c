// SPDX-License-Identifier: GPL-2.0-or-later
/* Compiled-in templates and the libvirt snippet that `plan` prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "template.h"

static void test_fill(void **state)
{
	char *s;

	(void)state;
	s = vp_template_fill("a @X@ b @Y@ @Z@ me@example", (const char *const[]){"X", "1", "Y", "", NULL});
	assert_string_equal(s, "a 1 b  @Z@ me@example");
	free(s);
	assert_non_null(vp_template("libvirt-hugepages.xml"));
	assert_null(vp_template("nope.xml"));
}

static void test_plan_snippet(void **state)
{
	struct vp_pci_fn fns[] = {{.addr = "0000:41:00.0", .bus = 0x41, .numa_node = 1}};
	struct vp_numa_node nodes[] = {{.id = 0}, {.id = 1}};
	struct vp_system sys = {.fns = fns, .n_fns = 1, .nodes = nodes, .n_nodes = 2};
	size_t sel_fns[] = {0};
	struct vp_selection sel = {.fns = sel_fns, .n_fns = 1};
	struct vp_config cfg;
	struct vp_plan plan = {0};

	(void)state;
	vp_config_init(&cfg);
	assert_int_equal(vp_plan_libvirt(&cfg, &sys, &sel, &plan, NULL), 0);
	/* no pages configured: only the selection's <hostdev> */
	assert_int_equal(plan.hints.n, 1);
	assert_non_null(strstr(plan.hints.v[0], "function=\"0x0\""));
	assert_non_null(strstr(plan.hints.v[0], "bus=\"0x41\""));
	vp_plan_free(&plan);

	cfg.hp_count = 16;
	assert_int_equal(vp_plan_libvirt(&cfg, &sys, &sel, &plan, NULL), 0);
	assert_int_equal(plan.hints.n, 2);
	assert_int_equal(plan.n_msgs, 0);
	assert_non_null(strstr(plan.hints.v[0], "<hostdev mode=\"subsystem\""));
	assert_non_null(strstr(plan.hints.v[1], "the 16 1 GiB pages"));
	/* the GPU's node on a two-node machine */
	assert_non_null(strstr(plan.hints.v[1], "<page size='1' unit='GiB' nodeset='1'/>"));
	assert_null(strstr(plan.hints.v[1], "@"));
	vp_plan_free(&plan);

	/* one node: no nodeset */
	sys.n_nodes = 1;
	assert_int_equal(vp_plan_libvirt(&cfg, &sys, &sel, &plan, NULL), 0);
	assert_non_null(strstr(plan.hints.v[1], "<page size='1' unit='GiB'/>"));
	vp_plan_free(&plan);

	/* nothing selected: no <hostdev> hint */
	sel.n_fns = 0;
	assert_int_equal(vp_plan_libvirt(&cfg, &sys, &sel, &plan, NULL), 0);
	assert_int_equal(plan.hints.n, 1);
	assert_non_null(strstr(plan.hints.v[0], "the 16 1 GiB pages"));
	vp_plan_free(&plan);
	vp_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_plan_snippet),
	};
	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
