// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pure parts of the runtime handoff: the plan of a detach (which steps,
 * in which order), what blocks it (named), the record's text form, and the
 * kernel's uevent messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "handoff.h"
#include "uevent.h"

/* ---- a state to plan on ------------------------------------------------------ */

static struct vp_strv sv(const char *a, const char *b, const char *c)
{
	struct vp_strv v = {0};

	if (a)
		assert_int_equal(vp_strv_push(&v, a), 0);
	if (b)
		assert_int_equal(vp_strv_push(&v, b), 0);
	if (c)
		assert_int_equal(vp_strv_push(&v, c), 0);
	return v;
}

static void add_fn(struct vp_hstate *st, const char *addr, const char *driver, const char *module,
		   const char *fb)
{
	struct vp_hfn *f;

	st->fns = realloc(st->fns, (st->n_fns + 1) * sizeof(*st->fns));
	assert_non_null(st->fns);
	f = &st->fns[st->n_fns++];
	memset(f, 0, sizeof(*f));
	snprintf(f->addr, sizeof(f->addr), "%s", addr);
	f->present = true;
	f->driver = driver ? strdup(driver) : NULL;
	f->module = module ? strdup(module) : NULL;
	f->group = 1;
	if (fb)
		f->fbs = sv(fb, NULL, NULL);
}

static void add_mod(struct vp_hstate *st, const char *name, long refcnt, struct vp_strv holders,
		    struct vp_strv devices)
{
	st->mods = realloc(st->mods, (st->n_mods + 1) * sizeof(*st->mods));
	assert_non_null(st->mods);
	st->mods[st->n_mods++] = (struct vp_hmod){.name = strdup(name), .refcnt = refcnt,
						  .holders = holders, .devices = devices};
}

static void add_vtcon(struct vp_hstate *st, const char *name, const char *desc, bool bound)
{
	st->vtcons = realloc(st->vtcons, (st->n_vtcons + 1) * sizeof(*st->vtcons));
	assert_non_null(st->vtcons);
	st->vtcons[st->n_vtcons++] = (struct vp_hvtcon){.name = strdup(name), .desc = strdup(desc),
							.bound = bound};
}

static void add_user(struct vp_hstate *st, long pid, const char *comm, const char *node,
		     const char *addr)
{
	st->users = realloc(st->users, (st->n_users + 1) * sizeof(*st->users));
	assert_non_null(st->users);
	st->users[st->n_users++] = (struct vp_huser){.pid = pid, .comm = strdup(comm),
						     .node = strdup(node), .addr = strdup(addr)};
}

/*
 * A single-GPU host: an RTX on nvidia (held by nvidia_modeset, nvidia_uvm;
 * nvidia_modeset by nvidia_drm), its audio on snd_hda_intel, efifb on its
 * memory, fbcon bound.
 */
static void single_host(struct vp_hstate *st)
{
	memset(st, 0, sizeof(*st));
	st->fb_first = 0;
	add_fn(st, "0000:2d:00.0", "nvidia", "nvidia", NULL);
	add_fn(st, "0000:2d:00.1", "snd_hda_intel", "snd_hda_intel", NULL);
	add_mod(st, "nvidia", 2, sv("nvidia_modeset", "nvidia_uvm", NULL), sv("0000:2d:00.0", NULL, NULL));
	add_mod(st, "nvidia_modeset", 1, sv("nvidia_drm", NULL, NULL), sv(NULL, NULL, NULL));
	add_mod(st, "nvidia_uvm", 0, sv(NULL, NULL, NULL), sv(NULL, NULL, NULL));
	add_mod(st, "nvidia_drm", 0, sv(NULL, NULL, NULL), sv(NULL, NULL, NULL));
	add_mod(st, "snd_hda_intel", 0, sv(NULL, NULL, NULL), sv("0000:2d:00.1", NULL, NULL));
	add_vtcon(st, "vtcon0", "(S) dummy device", false);
	add_vtcon(st, "vtcon1", "(M) frame buffer device", true);
	st->fwfbs = calloc(1, sizeof(*st->fwfbs));
	st->fwfbs[0] = (struct vp_hfwfb){.device = strdup("efi-framebuffer.0"),
					 .driver = strdup("efi-framebuffer"),
					 .addr = strdup("0000:2d:00.0"), .range = strdup("e0000000-e07fffff")};
	st->n_fwfbs = 1;
	st->vfio_pci = true;
}

/* "kind a b c" per step, one a line. */
static char *steps_text(const struct vp_hsteps *s)
{
	struct vp_buf b = {0};

	for (size_t i = 0; i < s->n; i++)
		vp_buf_printf(&b, "%s %s%s%s%s%s\n", vp_hstep_name(s->v[i].kind), s->v[i].a,
			      s->v[i].b ? " " : "", s->v[i].b ? s->v[i].b : "",
			      s->v[i].c ? " " : "", s->v[i].c ? s->v[i].c : "");
	return vp_buf_steal(&b);
}

static char *lines(const struct vp_strv *v)
{
	struct vp_buf b = {0};

	for (size_t i = 0; i < v->n; i++)
		vp_buf_printf(&b, "%s\n", v->v[i]);
	return vp_buf_steal(&b);
}

static void test_plan_single_gpu_order(void **state)
{
	struct vp_config cfg;
	struct vp_hstate st;
	struct vp_hsteps plan;
	char *t;

	(void)state;
	vp_config_init(&cfg);
	cfg.single_gpu = true;
	single_host(&st);
	assert_int_equal(vp_handoff_plan(&cfg, &st, NULL, &plan), 0);
	t = steps_text(&plan);
	/* units, consoles, firmware framebuffer, each holder before what it holds, moves */
	assert_string_equal(t, "unit display-manager.service\n"
			       "vtcon vtcon1\n"
			       "fwfb efi-framebuffer efi-framebuffer.0\n"
			       "unload nvidia_drm\n"
			       "unload nvidia_modeset\n"
			       "unload nvidia_uvm\n"
			       "unload nvidia\n"
			       "unload snd_hda_intel\n"
			       "move 0000:2d:00.0 nvidia nvidia\n"
			       "move 0000:2d:00.1 snd_hda_intel snd_hda_intel\n");
	free(t);
	vp_hsteps_free(&plan);
	vp_hstate_free(&st);
	vp_config_free(&cfg);
}

static void test_plan_unload_only_what_is_ours(void **state)
{
	struct vp_config cfg;
	struct vp_hstate st;
	struct vp_hsteps plan;
	struct vp_strv why = {0};
	char *t;

	(void)state;
	vp_config_init(&cfg);
	cfg.single_gpu = true;
	assert_int_equal(vp_config_parse_string(&cfg, "t", "[handoff]\nstop = gdm.service\n", NULL), 0);
	single_host(&st);
	/* snd_hda_intel drives the onboard audio too: it stays */
	assert_int_equal(vp_strv_push(&st.mods[4].devices, "0000:00:1f.3"), 0);
	assert_int_equal(vp_handoff_plan(&cfg, &st, NULL, &plan), 0);
	t = steps_text(&plan);
	assert_null(strstr(t, "unload snd_hda_intel"));
	assert_non_null(strstr(t, "unit gdm.service\nvtcon"));
	free(t);
	assert_int_equal(vp_handoff_blockers(&cfg, &st, &plan, VP_HCHECK_BEFORE, &why), 0);
	assert_int_equal(why.n, 0);
	vp_hsteps_free(&plan);
	/* an explicit list, in its order, what is loaded of it */
	vp_config_free(&cfg);
	vp_config_init(&cfg);
	assert_int_equal(vp_config_parse_string(&cfg, "t", "[handoff]\nsingle_gpu = yes\nstop = none\n"
						"unload = nvidia_uvm nvidia_drm nvidia_peermem\n", NULL), 0);
	assert_int_equal(vp_handoff_plan(&cfg, &st, NULL, &plan), 0);
	t = steps_text(&plan);
	assert_string_equal(t, "vtcon vtcon1\nfwfb efi-framebuffer efi-framebuffer.0\n"
			       "unload nvidia_uvm\nunload nvidia_drm\n"
			       "move 0000:2d:00.0 nvidia nvidia\n"
			       "move 0000:2d:00.1 snd_hda_intel snd_hda_intel\n");
	free(t);
	/* nvidia stays loaded, held by nvidia_modeset: that blocks, named */
	assert_int_equal(vp_handoff_blockers(&cfg, &st, &plan, VP_HCHECK_BEFORE, &why), 0);
	t = lines(&why);
	assert_string_equal(t, "module nvidia (driver nvidia of 0000:2d:00.0) is held by "
			       "nvidia_modeset, nvidia_uvm: unbinding 0000:2d:00.0 while they are "
			       "loaded can hang the machine\n");
	free(t);
	vp_strv_free(&why);
	vp_hsteps_free(&plan);
	vp_hstate_free(&st);
	vp_config_free(&cfg);
}

static void test_plan_multi_gpu(void **state)
{
	struct vp_config cfg;
	struct vp_hstate st = {.fb_first = 0};
	struct vp_hsteps plan;
	struct vp_strv why = {0};
	char *t;

	(void)state;
	vp_config_init(&cfg);
	add_fn(&st, "0000:01:00.0", "nouveau", "nouveau", "fb1");
	add_fn(&st, "0000:01:00.1", "snd_hda_intel", "snd_hda_intel", NULL);
	add_fn(&st, "0000:01:00.2", NULL, NULL, NULL);
	add_fn(&st, "0000:01:00.3", "vfio-pci", "vfio_pci", NULL);
	add_vtcon(&st, "vtcon1", "(M) frame buffer device", true);
	add_mod(&st, "nouveau", 0, sv(NULL, NULL, NULL), sv("0000:01:00.0", NULL, NULL));
	/* no single-GPU steps; a function already on vfio-pci is left alone */
	assert_int_equal(vp_handoff_plan(&cfg, &st, NULL, &plan), 0);
	t = steps_text(&plan);
	assert_string_equal(t, "move 0000:01:00.0 nouveau nouveau\n"
			       "move 0000:01:00.1 snd_hda_intel snd_hda_intel\n"
			       "move 0000:01:00.2\n");
	free(t);
	/* fbcon is on fb0 (the first framebuffer), not on the card's fb1: nothing blocks */
	assert_int_equal(vp_handoff_blockers(&cfg, &st, &plan, VP_HCHECK_BEFORE, &why), 0);
	assert_int_equal(why.n, 0);
	/* with fbcon=map:1 it is on fb1; and a process holds the render node */
	st.fbcon_map = strdup("1");
	add_user(&st, 4711, "blender", "/dev/dri/renderD129", "0000:01:00.0");
	assert_int_equal(vp_handoff_blockers(&cfg, &st, &plan, VP_HCHECK_BEFORE, &why), 0);
	t = lines(&why);
	assert_string_equal(t, "process 4711 (blender) has /dev/dri/renderD129 of 0000:01:00.0 open\n"
			       "the framebuffer console (vtcon1, (M) frame buffer device) draws on "
			       "fb1 of 0000:01:00.0\n");
	free(t);
	vp_strv_free(&why);
	vp_hsteps_free(&plan);
	vp_hstate_free(&st);
	vp_config_free(&cfg);
}

static void test_blockers_single_gpu(void **state)
{
	struct vp_config cfg;
	struct vp_hstate st;
	struct vp_hsteps plan;
	struct vp_strv why = {0};
	char *t;

	(void)state;
	vp_config_init(&cfg);
	cfg.single_gpu = true;
	single_host(&st);
	add_user(&st, 1200, "Xorg", "/dev/nvidia0", "0000:2d:00.0");
	assert_int_equal(vp_handoff_plan(&cfg, &st, NULL, &plan), 0);
	/* before anything: the display manager may well be that process */
	assert_int_equal(vp_handoff_blockers(&cfg, &st, &plan, VP_HCHECK_BEFORE, &why), 0);
	assert_int_equal(why.n, 0);
	/* right before the modules: everything, the modules' users too */
	st.mods[3].refcnt = 1;
	assert_int_equal(vp_handoff_blockers(&cfg, &st, &plan, VP_HCHECK_MOVE, &why), 0);
	t = lines(&why);
	/* fbcon draws on efifb's framebuffer: the firmware framebuffer says it */
	assert_string_equal(t, "process 1200 (Xorg) has /dev/nvidia0 of 0000:2d:00.0 open\n"
			       "the firmware framebuffer efi-framebuffer.0 (driver efi-framebuffer) "
			       "is in the memory of 0000:2d:00.0 (e0000000-e07fffff)\n"
			       "module nvidia_drm is in use (refcount 1, 0 of it from modules "
			       "unloaded before it): something still has its devices open\n");
	free(t);
	vp_strv_free(&why);
	vp_hsteps_free(&plan);
	vp_hstate_free(&st);
	vp_config_free(&cfg);
}

static void test_plan_resumes_record(void **state)
{
	struct vp_config cfg;
	struct vp_hstate st;
	struct vp_hrecord rec = {0};
	struct vp_hsteps plan;
	/* killed after the first move: the function has no driver now */
	static const char text[] = "unit display-manager.service\nvtcon vtcon1\n"
				   "move 0000:2d:00.0 nvidia nvidia\n";
	char *t;

	(void)state;
	vp_config_init(&cfg);
	cfg.single_gpu = true;
	single_host(&st);
	assert_int_equal(vp_hrecord_parse(text, strlen(text), "r", &rec, NULL), 0);
	free(st.fns[0].driver);
	st.fns[0].driver = NULL;
	free(st.fns[0].module);
	st.fns[0].module = NULL;
	st.vtcons[1].bound = false;
	assert_int_equal(vp_handoff_plan(&cfg, &st, &rec.steps, &plan), 0);
	t = steps_text(&plan);
	/* the record's steps first, its driver to return to kept, in the order of kinds */
	assert_string_equal(t, "unit display-manager.service\n"
			       "vtcon vtcon1\n"
			       "fwfb efi-framebuffer efi-framebuffer.0\n"
			       "unload snd_hda_intel\n"
			       "move 0000:2d:00.0 nvidia nvidia\n"
			       "move 0000:2d:00.1 snd_hda_intel snd_hda_intel\n");
	free(t);
	vp_hsteps_free(&plan);
	vp_hrecord_free(&rec);
	vp_hstate_free(&st);
	vp_config_free(&cfg);
}

static void test_console_rule(void **state)
{
	struct vp_hstate st = {.fb_first = 0};

	(void)state;
	assert_false(vp_hstate_console_on(&st, "fb0"));            /* no fbcon */
	add_vtcon(&st, "vtcon1", "(M) frame buffer device", true);
	assert_true(vp_hstate_console_on(&st, "fb0"));
	assert_false(vp_hstate_console_on(&st, "fb1"));
	assert_false(vp_hstate_console_on(&st, "fbx"));
	st.fbcon_map = strdup("0011");
	assert_true(vp_hstate_console_on(&st, "fb1"));
	assert_false(vp_hstate_console_on(&st, "fb2"));
	st.vtcons[0].bound = false;                                 /* unbound: draws nothing */
	assert_false(vp_hstate_console_on(&st, "fb1"));
	vp_hstate_free(&st);
}

/* ---- the record ------------------------------------------------------------- */

static void test_record_round_trip(void **state)
{
	static const char text[] =
		"# vfio-provision gpu handoff: what `vfio-provision gpu reattach` undoes,\n"
		"# from the last line up. Written before each step is taken.\n"
		"unit display-manager.service\n"
		"vtcon vtcon1\n"
		"fwfb efi-framebuffer efi-framebuffer.0\n"
		"unload nvidia_drm\n"
		"move 0000:2d:00.0 nvidia nvidia\n"
		"move 0000:2d:00.1 - -\n"
		"detached\n";
	struct vp_hrecord rec;
	struct vp_buf out = {0};

	(void)state;
	assert_int_equal(vp_hrecord_parse(text, sizeof(text) - 1, "r", &rec, NULL), 0);
	assert_true(rec.complete);
	assert_int_equal(rec.steps.n, 6);
	assert_null(rec.steps.v[5].b);
	assert_string_equal(rec.steps.v[2].b, "efi-framebuffer.0");
	assert_int_equal(vp_hrecord_format(&rec, &out), 0);
	assert_string_equal(out.s, text);
	vp_buf_free(&out);
	vp_hrecord_free(&rec);
	/* no final newline, blank lines: still the same steps */
	assert_int_equal(vp_hrecord_parse("unit a.service\n\nmove 0000:01:00.0 x -",
					  strlen("unit a.service\n\nmove 0000:01:00.0 x -"), "r",
					  &rec, NULL), 0);
	assert_int_equal(rec.steps.n, 2);
	assert_false(rec.complete);
	vp_hrecord_free(&rec);
}

static void test_record_errors(void **state)
{
	static const struct { const char *text; const char *msg; } cases[] = {
		{"unit a\nreboot now\n",
		 "'r':2: unknown step 'reboot' (known: unit, vtcon, fwfb, unload, move, detached)"},
		{"move 0000:01:00.0 nouveau\n", "'r':1: 'move' takes 3 fields, not 2"},
		{"move 01:00.0 nouveau nouveau\n",
		 "'r':1: bad field '01:00.0' (expected a PCI address)"},
		{"move 0000:0A:00.0 nouveau nouveau\n",
		 "'r':1: bad field '0000:0A:00.0' (expected a PCI address as sysfs names it)"},
		{"unit --now\n", "'r':1: bad field '--now' (expected a unit name)"},
		{"unit -\n", "'r':1: bad field '-' (expected a name, not '-')"},
		{"vtcon fb0\n", "'r':1: bad field 'fb0' (expected vtconN)"},
		{"unload nvidia drm\n", "'r':1: 'unload' takes 1 fields, not 2"},
		{"detached\nunit a\n", "'r':2: a step after 'detached'"},
		{"unit a\r\n", "'r':1: a carriage return"},
		{"unit a\n   \n", "'r':2: a line of blanks"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vp_hrecord rec;
		char *msg = NULL;

		assert_int_equal(vp_hrecord_parse(cases[i].text, strlen(cases[i].text), "r", &rec, &msg),
				 -EINVAL);
		assert_string_equal(msg, cases[i].msg);
		free(msg);
	}
	{
		struct vp_hrecord rec;
		char *msg = NULL;

		assert_int_equal(vp_hrecord_parse("unit a\0b\n", 9, "r", &rec, &msg), -EINVAL);
		assert_string_equal(msg, "'r': holds a NUL byte");
		free(msg);
	}
}

/* ---- uevents ------------------------------------------------------------------ */

static void test_uevent_parse(void **state)
{
	static const char bind[] = "bind@/devices/pci0000:00/0000:00:05.0\0ACTION=bind\0"
				   "DEVPATH=/devices/pci0000:00/0000:00:05.0\0SUBSYSTEM=pci\0"
				   "DRIVER=vfio-pci\0PCI_SLOT_NAME=0000:00:05.0\0SEQNUM=2291";
	static const char udev[] = "libudev\0\xfe\xed\xca\xfe";
	struct vp_uevent e;
	char big[1200];

	(void)state;
	assert_int_equal(vp_uevent_parse(bind, sizeof(bind) - 1, &e), 0);
	assert_string_equal(e.action, "bind");
	assert_string_equal(e.devpath, "/devices/pci0000:00/0000:00:05.0");
	assert_string_equal(e.subsystem, "pci");
	assert_string_equal(e.driver, "vfio-pci");
	/* udev's own messages, a header without a NUL, a devpath too long */
	assert_int_equal(vp_uevent_parse(udev, sizeof(udev) - 1, &e), -EINVAL);
	assert_int_equal(vp_uevent_parse("unbind@/devices/x", 17, &e), -EINVAL);
	memset(big, 'a', sizeof(big));
	memcpy(big, "add@/", 5);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(vp_uevent_parse(big, sizeof(big), &e), -EINVAL);
	/* an unbind event has no DRIVER */
	assert_int_equal(vp_uevent_parse("unbind@/devices/p/0000:00:05.0\0SUBSYSTEM=pci", 44, &e), 0);
	assert_string_equal(e.driver, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_single_gpu_order),
		cmocka_unit_test(test_plan_unload_only_what_is_ours),
		cmocka_unit_test(test_plan_multi_gpu),
		cmocka_unit_test(test_blockers_single_gpu),
		cmocka_unit_test(test_plan_resumes_record),
		cmocka_unit_test(test_console_rule),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_errors),
		cmocka_unit_test(test_uevent_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
