// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The initramfs planners on struct literals: module resolution over several
 * kernels, and the exact files for mkinitcpio, dracut and initramfs-tools.
 * The mkinitcpio results are also sourced with bash, as mkinitcpio does.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "modules.h"
#include "plan-initramfs.h"
#include "plan.h"
#include "target.h"

#define M VP_MOD_MODULE
#define B VP_MOD_BUILTIN
#define X VP_MOD_MISSING
/* mods[]: vfio, vfio_iommu_type1, vfio_virqfd, vfio_pci_core, vfio_pci */
static struct vp_kernel k61 = {.version = "6.1.0-18-amd64", .mods = {M, M, M, M, M}};
static struct vp_kernel k68 = {.version = "6.8.0-1-arch", .mods = {M, M, X, M, M}};
static struct vp_kernel kbuiltin = {.version = "6.9.0-custom", .mods = {B, B, X, B, B}};
static struct vp_kernel knovfio = {.version = "5.4.0-novfio", .mods = {M, M, M, X, X}};
static struct vp_kernel k510 = {.version = "5.10.0-old", .mods = {M, M, M, X, M}};

static size_t one_fn;
static const struct vp_selection sel1 = {.fns = &one_fn, .n_fns = 1};

static struct vp_config cfg_gen(enum vp_initramfs gen)
{
	return (struct vp_config){.initramfs_auto = gen == VP_INITRAMFS_COUNT,
				  .initramfs = gen == VP_INITRAMFS_COUNT ? VP_INITRAMFS_NONE : gen};
}

static struct vp_file file(const char *path, const char *content)
{
	return (struct vp_file){.path = (char *)path, .content = (char *)content,
				.len = content ? strlen(content) : 0, .mode = content ? 0644 : 0};
}

struct world {
	struct vp_kernel kernels[4];
	struct vp_file files[8];
	struct vp_system sys;
	struct vp_plan plan;
	char *msg;
};

static void world_init(struct world *w, enum vp_initramfs gen, const struct vp_kernel *const *ks)
{
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; ks && ks[i]; i++)
		w->kernels[w->sys.n_kernels++] = *ks[i];
	w->sys.kernels = w->kernels;
	w->sys.files = w->files;
	w->sys.initramfs = gen;
	w->sys.initramfs_found[gen] = true;
}

static void world_file(struct world *w, const char *path, const char *content)
{
	w->files[w->sys.n_files++] = file(path, content);
}

static int world_plan(struct world *w)
{
	struct vp_config cfg = cfg_gen(VP_INITRAMFS_COUNT);

	return vp_plan_initramfs(&cfg, &w->sys, &sel1, &w->plan, &w->msg);
}

static void world_free(struct world *w)
{
	vp_plan_free(&w->plan);
	free(w->msg);
}

static const char *content_of(const struct world *w, const char *path)
{
	const struct vp_plan_file *f = vp_plan_file(&w->plan, path);

	assert_non_null(f);
	return f->content;
}

static bool has_msg(const struct world *w, enum vp_msg_level level, const char *needle)
{
	for (size_t i = 0; i < w->plan.n_msgs; i++)
		if (w->plan.msgs[i].level == level && strstr(w->plan.msgs[i].text, needle))
			return true;
	return false;
}

static const struct vp_cmdline_token *token(const struct world *w, const char *key)
{
	for (size_t i = 0; i < w->plan.n_cmdline; i++)
		if (strcmp(w->plan.cmdline[i].key, key) == 0)
			return &w->plan.cmdline[i];
	return NULL;
}

static char *list_for(const struct vp_kernel *const *ks, enum vp_initramfs gen)
{
	struct vp_kernel kernels[4];
	struct vp_system sys = {.kernels = kernels};
	struct vp_modset set;
	struct vp_strv sv = {0};
	char *msg = NULL, *s;

	for (size_t i = 0; ks[i]; i++)
		kernels[sys.n_kernels++] = *ks[i];
	assert_int_equal(vp_modules_resolve(&sys, &set, &msg), 0);
	/* the generator's own mark of an optional module (its descriptor's) */
	assert_int_equal(vp_modules_list(&set, vp_generator_def(gen) ?
					 vp_generator_def(gen)->optional : NULL, &sv), 0);
	s = vp_initramfs_join(&sv, " ");
	vp_strv_free(&sv);
	return s;
}

#define KS(...) ((const struct vp_kernel *const[]){__VA_ARGS__, NULL})

static void assert_list(const struct vp_kernel *const *ks, enum vp_initramfs gen, const char *want)
{
	char *s = list_for(ks, gen);

	assert_string_equal(s, want);
	free(s);
}

/* ---- module resolution ---- */

static void test_modules_per_kernel(void **state)
{
	(void)state;
	/* (a) 6.1-like, vfio_virqfd still a module */
	assert_list(KS(&k61), VP_INITRAMFS_MKINITCPIO,
		    "vfio_pci vfio_pci_core vfio vfio_iommu_type1 vfio_virqfd");
	assert_list(KS(&k61), VP_INITRAMFS_DRACUT,
		    "vfio_pci vfio_pci_core vfio vfio_iommu_type1 vfio_virqfd");
	/* (b) 6.8-like, without */
	assert_list(KS(&k68), VP_INITRAMFS_MKINITCPIO, "vfio_pci vfio_pci_core vfio vfio_iommu_type1");
	assert_list(KS(&k68), VP_INITRAMFS_INITRAMFS_TOOLS,
		    "vfio_pci vfio_pci_core vfio vfio_iommu_type1");
	/* (c) built in: nothing to list */
	assert_list(KS(&kbuiltin), VP_INITRAMFS_MKINITCPIO, "");
	assert_list(KS(&kbuiltin), VP_INITRAMFS_DRACUT, "");
	/* 5.10: no vfio_pci_core yet */
	assert_list(KS(&k510), VP_INITRAMFS_DRACUT, "vfio_pci vfio vfio_iommu_type1 vfio_virqfd");
}

static void test_modules_mixed_kernels(void **state)
{
	(void)state;
	/* (d) two generations: mkinitcpio marks vfio_virqfd optional, the others drop it */
	assert_list(KS(&k61, &k68), VP_INITRAMFS_MKINITCPIO,
		    "vfio_pci vfio_pci_core vfio vfio_iommu_type1 vfio_virqfd?");
	assert_list(KS(&k61, &k68), VP_INITRAMFS_DRACUT, "vfio_pci vfio_pci_core vfio vfio_iommu_type1");
	assert_list(KS(&k61, &k68), VP_INITRAMFS_INITRAMFS_TOOLS,
		    "vfio_pci vfio_pci_core vfio vfio_iommu_type1");
	/* built in on one, module on the other: loadable everywhere */
	assert_list(KS(&k68, &kbuiltin), VP_INITRAMFS_DRACUT,
		    "vfio_pci vfio_pci_core vfio vfio_iommu_type1");
	/* 5.10 lacks vfio_pci_core */
	assert_list(KS(&k510, &k68), VP_INITRAMFS_MKINITCPIO,
		    "vfio_pci vfio_pci_core? vfio vfio_iommu_type1 vfio_virqfd?");
	assert_list(KS(&k510, &k68), VP_INITRAMFS_DRACUT, "vfio_pci vfio vfio_iommu_type1");
}

static void test_modules_kernel_without_vfio_pci(void **state)
{
	struct vp_kernel kernels[] = {k68, knovfio};
	struct vp_system sys = {.kernels = kernels, .n_kernels = 2};
	struct vp_modset set;
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_modules_resolve(&sys, &set, &msg), -ENOENT);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "5.4.0-novfio"));
	free(msg);
}

static void test_modules_no_kernel(void **state)
{
	struct vp_system sys = {0};
	struct vp_modset set;
	char *msg = NULL, *k;

	(void)state;
	assert_int_equal(vp_modules_resolve(&sys, &set, &msg), 0);
	assert_true(set.guessed);
	assert_int_equal(set.span[VP_MOD_VFIO_VIRQFD], VP_SPAN_NONE);
	assert_int_equal(set.span[VP_MOD_VFIO_PCI], VP_SPAN_ALL);
	k = vp_modules_kernels(&sys);
	assert_string_equal(k, "no kernel found");
	free(k);
}

/* ---- dispatch ---- */

static void test_nothing_to_do(void **state)
{
	struct world w;
	struct vp_config cfg = cfg_gen(VP_INITRAMFS_COUNT);
	const struct vp_selection none = {0};

	(void)state;
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	assert_int_equal(vp_plan_initramfs(&cfg, &w.sys, &none, &w.plan, &w.msg), 0);
	assert_int_equal(w.plan.n_files, 0);
	assert_int_equal(w.plan.n_commands, 0);
	/* but early 1 GiB pages need our hook */
	cfg.hp_count = 4;
	cfg.hp_mode = VP_HP_EARLY;
	assert_int_equal(vp_plan_initramfs(&cfg, &w.sys, &none, &w.plan, &w.msg), 0);
	assert_non_null(vp_plan_file(&w.plan, VP_DRACUT_DROPIN));
	world_free(&w);
}

static void test_generator_choice(void **state)
{
	struct world w;
	struct vp_config cfg;

	(void)state;
	world_init(&w, VP_INITRAMFS_NONE, KS(&k68));
	assert_int_equal(world_plan(&w), 0);
	assert_int_equal(w.plan.n_files, 0);
	assert_true(has_msg(&w, VP_MSG_WARN, "no initramfs generator found"));
	world_free(&w);

	/* the config wins over detection, with a warning when it is not installed */
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	w.sys.initramfs_found[VP_INITRAMFS_DRACUT] = false;
	cfg = cfg_gen(VP_INITRAMFS_INITRAMFS_TOOLS);
	assert_int_equal(vp_plan_initramfs(&cfg, &w.sys, &sel1, &w.plan, &w.msg), 0);
	assert_non_null(vp_plan_file(&w.plan, VP_ITOOLS_MODULES));
	assert_null(vp_plan_file(&w.plan, VP_DRACUT_DROPIN));
	assert_true(has_msg(&w, VP_MSG_WARN, "initramfs-tools was not found"));
	world_free(&w);

	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	cfg = cfg_gen(VP_INITRAMFS_NONE);
	assert_int_equal(vp_plan_initramfs(&cfg, &w.sys, &sel1, &w.plan, &w.msg), 0);
	assert_int_equal(w.plan.n_files, 0);
	world_free(&w);
}

static void test_error_names_kernel(void **state)
{
	struct world w;

	(void)state;
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k61, &knovfio));
	assert_int_equal(world_plan(&w), -ENOENT);
	assert_non_null(strstr(w.msg, "kernel 5.4.0-novfio has no vfio_pci"));
	world_free(&w);
}

static void test_no_kernel_warns(void **state)
{
	struct world w;

	(void)state;
	world_init(&w, VP_INITRAMFS_INITRAMFS_TOOLS, NULL);
	assert_int_equal(world_plan(&w), 0);
	assert_true(has_msg(&w, VP_MSG_WARN, "no kernel found"));
	assert_string_equal(content_of(&w, VP_ITOOLS_MODULES),
			    VP_ITOOLS_BEGIN "\n# vfio modules, loaded in this order before the modules listed below\n"
			    "vfio_pci\nvfio\nvfio_iommu_type1\n" VP_ITOOLS_END "\n");
	world_free(&w);
}

/* ---- dracut ---- */

#define DRACUT_HEAD VP_MANAGED_HEADER "\n" VP_EDITS_NOTE \
	"# dracut copies force_drivers into the image and loads them before udev\n" \
	"# starts, so vfio-pci claims the GPU before any GPU driver. A vfio module\n" \
	"# that some installed kernel lacks is left out (vfio_pci pulls it in).\n"
#define DRACUT_TAIL "# The early program and its config (dracut module 90vfio-provision).\n" \
	"add_dracutmodules+=\" vfio-provision \"\n"

static void test_dracut_dropin(void **state)
{
	struct world w;
	const struct vp_plan_file *f;

	(void)state;
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k61, &k68));
	assert_int_equal(world_plan(&w), 0);
	f = vp_plan_file(&w.plan, VP_DRACUT_DROPIN);
	assert_non_null(f);
	assert_true(f->owned);
	assert_int_equal(f->mode, 0644);
	assert_string_equal(f->content, DRACUT_HEAD
			    "force_drivers+=\" vfio_pci vfio_pci_core vfio vfio_iommu_type1 \"\n"
			    DRACUT_TAIL);
	/* hostonly unset: dracut's default is a generic image */
	assert_non_null(token(&w, "rd.driver.pre"));
	assert_string_equal(token(&w, "rd.driver.pre")->token, "rd.driver.pre=vfio_pci");
	assert_int_equal(w.plan.n_commands, 1);
	assert_string_equal(w.plan.commands[0].argv[0], "dracut");
	assert_string_equal(w.plan.commands[0].argv[1], "--regenerate-all");
	assert_string_equal(w.plan.commands[0].argv[2], "--force");
	assert_null(w.plan.commands[0].argv[3]);
	assert_non_null(strstr(w.plan.commands[0].why, "6.1.0-18-amd64, 6.8.0-1-arch"));
	world_free(&w);
}

static void test_dracut_builtin(void **state)
{
	struct world w;

	(void)state;
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&kbuiltin));
	assert_int_equal(world_plan(&w), 0);
	assert_string_equal(content_of(&w, VP_DRACUT_DROPIN), DRACUT_HEAD
			    "# vfio_pci is built into every kernel: no module to force.\n"
			    DRACUT_TAIL);
	/* nothing to pre-load: vfio-pci is there from the start */
	assert_null(token(&w, "rd.driver.pre"));
	world_free(&w);
}

static void test_dracut_hostonly(void **state)
{
	struct world w;

	(void)state;
	/* host-only in /etc/dracut.conf: modprobe.d is in the image, no token */
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	world_file(&w, VP_DRACUT_CONF, "# comment\n  hostonly=\"yes\"  # yes\n");
	assert_int_equal(world_plan(&w), 0);
	assert_null(token(&w, "rd.driver.pre"));
	world_free(&w);

	/* a later drop-in turns it off */
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	world_file(&w, VP_DRACUT_CONF, "hostonly=\"yes\"\n");
	world_file(&w, "/etc/dracut.conf.d/50-generic.conf", "hostonly=\"no\"\n");
	world_file(&w, "/etc/dracut.conf.d/10-first.conf", "hostonly=yes\n");
	assert_int_equal(world_plan(&w), 0);
	assert_non_null(token(&w, "rd.driver.pre"));
	assert_non_null(strstr(token(&w, "rd.driver.pre")->reason, "not host-only"));
	world_free(&w);

	/* /etc/dracut.conf.d/NAME.conf replaces /usr/lib/dracut/dracut.conf.d/NAME.conf */
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	world_file(&w, "/usr/lib/dracut/dracut.conf.d/01-dist.conf", "hostonly=\"no\"\n");
	world_file(&w, "/etc/dracut.conf.d/01-dist.conf", "hostonly=\"yes\"\n");
	assert_int_equal(world_plan(&w), 0);
	assert_null(token(&w, "rd.driver.pre"));
	world_free(&w);

	/* only *.conf files count, and hostonly_cmdline is another key */
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	world_file(&w, "/usr/lib/dracut/dracut.conf.d/01-dist.conf", "hostonly=\"yes\"\n");
	world_file(&w, "/etc/dracut.conf.d/99-x.conf.bak", "hostonly=\"no\"\n");
	world_file(&w, "/etc/dracut.conf.d/99-y.conf", "hostonly_cmdline=\"no\"\n");
	assert_int_equal(world_plan(&w), 0);
	assert_null(token(&w, "rd.driver.pre"));
	world_free(&w);

	/* cannot be told: token, with that reason */
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	world_file(&w, VP_DRACUT_CONF, "hostonly=\"$HOSTONLY\"\n");
	assert_int_equal(world_plan(&w), 0);
	assert_non_null(token(&w, "rd.driver.pre"));
	assert_non_null(strstr(token(&w, "rd.driver.pre")->reason, "cannot tell"));
	world_free(&w);
}

static void test_dracut_keeps_driver_pre(void **state)
{
	struct world w;

	(void)state;
	world_init(&w, VP_INITRAMFS_DRACUT, KS(&k68));
	w.sys.proc_cmdline = "root=/dev/sda1 rd.driver.pre=nvidia,vfio-pci quiet rd.driver.pre=btrfs\n";
	assert_int_equal(world_plan(&w), 0);
	assert_string_equal(token(&w, "rd.driver.pre")->token,
			    "rd.driver.pre=vfio_pci,nvidia,btrfs");
	world_free(&w);
}

/* ---- initramfs-tools ---- */

#define ITOOLS_BLOCK(mods) VP_ITOOLS_BEGIN "\n" \
	"# vfio modules, loaded in this order before the modules listed below\n" \
	mods VP_ITOOLS_END "\n"

static const char debian_modules[] =
	"# List of modules that you want to include in your initramfs.\n"
	"# They will be loaded at boot time in the order below.\n"
	"#\n"
	"# Syntax:  module_name [args ...]\n"
	"#\n"
	"# You must run update-initramfs(8) to effect this change.\n"
	"#\n"
	"# Examples:\n"
	"#\n"
	"# raid1\n"
	"# sd_mod\n";

static void itools_plan(struct world *w, const struct vp_kernel *const *ks, const char *old)
{
	world_init(w, VP_INITRAMFS_INITRAMFS_TOOLS, ks);
	world_file(w, VP_ITOOLS_MODULES, old);
	assert_int_equal(world_plan(w), 0);
}

/* The plan applied to its own output changes nothing. */
static void assert_itools_idempotent(const struct vp_kernel *const *ks, const char *once)
{
	struct world w;

	itools_plan(&w, ks, once);
	assert_string_equal(content_of(&w, VP_ITOOLS_MODULES), once);
	world_free(&w);
}

static void test_itools_debian_default(void **state)
{
	struct world w;
	const struct vp_plan_file *f;

	(void)state;
	itools_plan(&w, KS(&k61), debian_modules);
	f = vp_plan_file(&w.plan, VP_ITOOLS_MODULES);
	assert_false(f->owned);
	{
		char want[1024];

		snprintf(want, sizeof(want), "%s%s", debian_modules,
			 ITOOLS_BLOCK("vfio_pci\nvfio_pci_core\nvfio\nvfio_iommu_type1\nvfio_virqfd\n"));
		assert_string_equal(f->content, want);
	}
	assert_int_equal(w.plan.n_commands, 1);
	assert_string_equal(w.plan.commands[0].argv[0], "update-initramfs");
	assert_string_equal(w.plan.commands[0].argv[1], "-u");
	assert_string_equal(w.plan.commands[0].argv[2], "-k");
	assert_string_equal(w.plan.commands[0].argv[3], "all");
	assert_int_equal(w.plan.n_cmdline, 0);
	assert_itools_idempotent(KS(&k61), f->content);
	world_free(&w);
}

static void test_itools_before_user_modules(void **state)
{
	struct world w;
	static const char old[] = "# mine\namdgpu\n\n# trailing comment, no newline";

	(void)state;
	itools_plan(&w, KS(&k61, &k68), old);
	assert_string_equal(content_of(&w, VP_ITOOLS_MODULES),
			    "# mine\n"
			    ITOOLS_BLOCK("vfio_pci\nvfio_pci_core\nvfio\nvfio_iommu_type1\n")
			    "amdgpu\n\n# trailing comment, no newline");
	assert_itools_idempotent(KS(&k61, &k68), content_of(&w, VP_ITOOLS_MODULES));
	world_free(&w);
}

static void test_itools_block_updated_in_place(void **state)
{
	struct world w;
	static const char old[] =
		"nvme\r\n"
		VP_ITOOLS_BEGIN "\nvfio\nvfio_virqfd\n" VP_ITOOLS_END "  \n"
		"amdgpu  option=1\n";

	(void)state;
	/* kernels changed generation: the stale vfio_virqfd goes, the rest stays */
	itools_plan(&w, KS(&k68), old);
	assert_string_equal(content_of(&w, VP_ITOOLS_MODULES),
			    "nvme\r\n"
			    ITOOLS_BLOCK("vfio_pci\nvfio_pci_core\nvfio\nvfio_iommu_type1\n")
			    "amdgpu  option=1\n");
	world_free(&w);

	/* all built in now: the block goes away, every other byte stays */
	itools_plan(&w, KS(&kbuiltin), old);
	assert_string_equal(content_of(&w, VP_ITOOLS_MODULES), "nvme\r\namdgpu  option=1\n");
	world_free(&w);

	/* built in and no block: the file is not touched */
	itools_plan(&w, KS(&kbuiltin), debian_modules);
	assert_null(vp_plan_file(&w.plan, VP_ITOOLS_MODULES));
	assert_int_equal(w.plan.n_commands, 1);
	world_free(&w);
}

static void test_itools_absent_and_broken(void **state)
{
	struct world w;

	(void)state;
	itools_plan(&w, KS(&k68), NULL);
	assert_string_equal(content_of(&w, VP_ITOOLS_MODULES),
			    ITOOLS_BLOCK("vfio_pci\nvfio_pci_core\nvfio\nvfio_iommu_type1\n"));
	world_free(&w);

	itools_plan(&w, KS(&k68), "a\n" VP_ITOOLS_BEGIN "\nvfio\n");
	assert_true(w.plan.refused);
	assert_true(has_msg(&w, VP_MSG_REFUSE, "'/etc/initramfs-tools/modules':2: '# BEGIN"));
	assert_null(vp_plan_file(&w.plan, VP_ITOOLS_MODULES));
	world_free(&w);

	itools_plan(&w, KS(&k68), "a\n" VP_ITOOLS_END "\n");
	assert_true(has_msg(&w, VP_MSG_REFUSE, "'/etc/initramfs-tools/modules':2: '# END"));
	world_free(&w);

	itools_plan(&w, KS(&k68), VP_ITOOLS_BEGIN "\n" VP_ITOOLS_END "\n" VP_ITOOLS_BEGIN "\n");
	assert_true(has_msg(&w, VP_MSG_REFUSE, ":3: a second"));
	world_free(&w);
}

/* ---- mkinitcpio ---- */

/*
 * Sources the main file and then the drop-ins of dir with bash, as mkinitcpio
 * does, and returns "MODULES=<words joined by |>\nHOOKS=<...>\n".
 */
static char *bash_eval(const char *main_conf, const char *dropin)
{
	static const char script[] =
		"[ -e \"$1/mkinitcpio.conf\" ] && . \"$1/mkinitcpio.conf\"\n"
		"for f in \"$1\"/mkinitcpio.conf.d/*.conf; do [ -e \"$f\" ] && . \"$f\"; done\n"
		/* mkinitcpio's arrayize_config: the old string syntax becomes an array */
		"set -f\n"
		"[[ ${MODULES@a} == *a* ]] || MODULES=($MODULES)\n"
		"[[ ${HOOKS@a} == *a* ]] || HOOKS=($HOOKS)\n"
		"set +f\n"
		"IFS='|'; printf 'MODULES=%s\\nHOOKS=%s\\n' \"${MODULES[*]}\" \"${HOOKS[*]}\"\n";
	char dir[] = "/tmp/vp-test-mkinitcpio.XXXXXX", path[256], out[4096];
	char *argv[] = {"bash", "-c", (char *)script, "bash", dir, NULL};
	posix_spawn_file_actions_t fa;
	int pipefd[2], status;
	size_t n = 0;
	ssize_t k;
	pid_t pid;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mkinitcpio.conf.d", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	if (main_conf) {
		snprintf(path, sizeof(path), "%s/mkinitcpio.conf", dir);
		assert_non_null(fp = fopen(path, "w"));
		fputs(main_conf, fp);
		fclose(fp);
	}
	if (dropin) {
		snprintf(path, sizeof(path), "%s/mkinitcpio.conf.d/vfio-provision.conf", dir);
		assert_non_null(fp = fopen(path, "w"));
		fputs(dropin, fp);
		fclose(fp);
	}
	assert_int_equal(pipe(pipefd), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	assert_int_equal(posix_spawnp(&pid, "bash", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	while ((k = read(pipefd[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)k;
	close(pipefd[0]);
	out[n] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	{
		char *rm[] = {"rm", "-rf", "--", dir, NULL};

		assert_int_equal(posix_spawnp(&pid, "rm", NULL, NULL, rm, environ), 0);
		waitpid(pid, &status, 0);
	}
	return strdup(out);
}

static void assert_bash(const char *main_conf, const char *dropin, const char *want)
{
	char *got = bash_eval(main_conf, dropin);

	assert_string_equal(got, want);
	free(got);
}

static const char arch_conf[] =
	"# vim:set ft=sh\n"
	"# MODULES\n"
	"MODULES=()\n"
	"\n"
	"BINARIES=()\n"
	"FILES=()\n"
	"HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)\n"
	"#COMPRESSION=\"zstd\"\n";

static void mkinit_plan(struct world *w, const struct vp_kernel *const *ks, const char *conf,
			bool dropin_dir)
{
	world_init(w, VP_INITRAMFS_MKINITCPIO, ks);
	world_file(w, VP_MKINITCPIO_CONF, conf);
	world_file(w, VP_MKINITCPIO_DROPIN_DIR, dropin_dir ? "" : NULL);
	assert_int_equal(world_plan(w), 0);
}

static void test_mkinitcpio_dropin(void **state)
{
	struct world w;
	const struct vp_plan_file *f;

	(void)state;
	mkinit_plan(&w, KS(&k61, &k68), arch_conf, true);
	assert_null(vp_plan_file(&w.plan, VP_MKINITCPIO_CONF));
	f = vp_plan_file(&w.plan, VP_MKINITCPIO_DROPIN);
	assert_non_null(f);
	assert_true(f->owned);
	assert_true(vp_startswith(f->content, VP_MANAGED_HEADER "\n"));
	assert_non_null(strstr(f->content, "MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1 "
					   "'vfio_virqfd?' \"${MODULES[@]}\")\n"));
	assert_false(has_msg(&w, VP_MSG_WARN, "modconf"));
	assert_int_equal(w.plan.n_commands, 1);
	assert_string_equal(w.plan.commands[0].argv[0], "mkinitcpio");
	assert_string_equal(w.plan.commands[0].argv[1], "-P");
	assert_null(w.plan.commands[0].argv[2]);

	/* what mkinitcpio ends up with */
	assert_bash(arch_conf, f->content,
		    "MODULES=vfio_pci|vfio_pci_core|vfio|vfio_iommu_type1|vfio_virqfd?\n"
		    "HOOKS=base|vfio-provision|udev|autodetect|microcode|modconf|kms|keyboard|"
		    "keymap|consolefont|block|filesystems|fsck\n");
	/* user modules stay after ours; systemd; string syntax; hook already there */
	assert_bash("MODULES=(amdgpu 'i915')\nHOOKS=(systemd autodetect modconf)\n", f->content,
		    "MODULES=vfio_pci|vfio_pci_core|vfio|vfio_iommu_type1|vfio_virqfd?|amdgpu|i915\n"
		    "HOOKS=systemd|vfio-provision|autodetect|modconf\n");
	assert_bash("MODULES=\"amdgpu radeon\"\nHOOKS=\"udev base vfio-provision modconf\"\n",
		    f->content,
		    "MODULES=vfio_pci|vfio_pci_core|vfio|vfio_iommu_type1|vfio_virqfd?|amdgpu|radeon\n"
		    "HOOKS=udev|base|vfio-provision|modconf\n");
	assert_bash("HOOKS=(udev modconf)\n", f->content,
		    "MODULES=vfio_pci|vfio_pci_core|vfio|vfio_iommu_type1|vfio_virqfd?\n"
		    "HOOKS=vfio-provision|udev|modconf\n");
	world_free(&w);

	/* built in everywhere: no MODULES line, still the hook */
	mkinit_plan(&w, KS(&kbuiltin), arch_conf, true);
	f = vp_plan_file(&w.plan, VP_MKINITCPIO_DROPIN);
	assert_null(strstr(f->content, "MODULES=("));
	assert_bash(arch_conf, f->content,
		    "MODULES=\n"
		    "HOOKS=base|vfio-provision|udev|autodetect|microcode|modconf|kms|keyboard|"
		    "keymap|consolefont|block|filesystems|fsck\n");
	world_free(&w);
}

static void test_mkinitcpio_modconf_warning(void **state)
{
	struct world w;

	(void)state;
	mkinit_plan(&w, KS(&k68), "HOOKS=(base udev block)\n", true);
	assert_true(has_msg(&w, VP_MSG_WARN, "HOOKS has no modconf"));
	world_free(&w);

	/* a drop-in that adds it counts */
	world_init(&w, VP_INITRAMFS_MKINITCPIO, KS(&k68));
	world_file(&w, VP_MKINITCPIO_CONF, "HOOKS=(base udev block)\n");
	world_file(&w, VP_MKINITCPIO_DROPIN_DIR, "");
	world_file(&w, "/etc/mkinitcpio.conf.d/10-mine.conf", "HOOKS+=(modconf)\n");
	assert_int_equal(world_plan(&w), 0);
	assert_false(has_msg(&w, VP_MSG_WARN, "modconf"));
	world_free(&w);

	/* in place too */
	mkinit_plan(&w, KS(&k68), "MODULES=()\nHOOKS=(base udev block)\n", false);
	assert_true(has_msg(&w, VP_MSG_WARN, "HOOKS has no modconf"));
	world_free(&w);
}

static void assert_in_place(const struct vp_kernel *const *ks, const char *old, const char *want)
{
	struct world w;
	const struct vp_plan_file *f;

	mkinit_plan(&w, ks, old, false);
	assert_null(vp_plan_file(&w.plan, VP_MKINITCPIO_DROPIN));
	f = vp_plan_file(&w.plan, VP_MKINITCPIO_CONF);
	assert_non_null(f);
	assert_false(f->owned);
	assert_string_equal(f->content, want);
	world_free(&w);
	/* and again on the result: nothing changes */
	mkinit_plan(&w, ks, want, false);
	assert_string_equal(content_of(&w, VP_MKINITCPIO_CONF), want);
	world_free(&w);
}

static void test_mkinitcpio_in_place(void **state)
{
	(void)state;
	/* array syntax, every other byte kept */
	assert_in_place(KS(&k68), arch_conf,
			"# vim:set ft=sh\n"
			"# MODULES\n"
			"MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1)\n"
			"\n"
			"BINARIES=()\n"
			"FILES=()\n"
			"HOOKS=(base vfio-provision udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)\n"
			"#COMPRESSION=\"zstd\"\n");
	/* the seed's stale list on a 6.8 kernel: vfio_virqfd goes, amdgpu stays after ours */
	assert_in_place(KS(&k68),
			"MODULES=(vfio vfio_iommu_type1 vfio_pci vfio_virqfd amdgpu) # gpu\n"
			"HOOKS=(systemd autodetect modconf)",
			"MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1 amdgpu) # gpu\n"
			"HOOKS=(systemd vfio-provision autodetect modconf)");
	/* old string syntax; only the last assignment counts */
	assert_in_place(KS(&k61, &k68),
			"MODULES=\"radeon\"\n#MODULES=\"x\"\n  MODULES=\"amdgpu radeon\"\n"
			"HOOKS=\"base udev modconf\"\n",
			"MODULES=\"radeon\"\n#MODULES=\"x\"\n"
			"  MODULES=\"vfio_pci vfio_pci_core vfio vfio_iommu_type1 vfio_virqfd? amdgpu radeon\"\n"
			"HOOKS=\"base vfio-provision udev modconf\"\n");
	/* multi-line array with a comment */
	assert_in_place(KS(&k68),
			"MODULES=(\n  amdgpu # for early KMS\n  vfio_pci\n)\nHOOKS=(udev modconf)\n",
			"MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1\n  amdgpu # for early KMS\n)\n"
			"HOOKS=(vfio-provision udev modconf)\n");
	/* no MODULES line at all, no final newline */
	assert_in_place(KS(&k68), "HOOKS=(base modconf)",
			"HOOKS=(base vfio-provision modconf)\nMODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1)\n");
	/* optional modules are quoted in an array (an unquoted ? is a glob) */
	assert_in_place(KS(&k510, &k68), "MODULES=()\nHOOKS=(base modconf)\n",
			"MODULES=(vfio_pci 'vfio_pci_core?' vfio vfio_iommu_type1 'vfio_virqfd?')\n"
			"HOOKS=(base vfio-provision modconf)\n");
	/* bare empty value */
	assert_in_place(KS(&k68), "MODULES=\nHOOKS=(base modconf)\n",
			"MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1)\nHOOKS=(base vfio-provision modconf)\n");
}

static void test_mkinitcpio_in_place_sourced(void **state)
{
	struct world w;

	(void)state;
	mkinit_plan(&w, KS(&k61, &k68),
		    "MODULES=(\n  amdgpu # for early KMS\n)\nHOOKS=\"base udev modconf\"\n", false);
	assert_bash(content_of(&w, VP_MKINITCPIO_CONF), NULL,
		    "MODULES=vfio_pci|vfio_pci_core|vfio|vfio_iommu_type1|vfio_virqfd?|amdgpu\n"
		    "HOOKS=base|vfio-provision|udev|modconf\n");
	world_free(&w);
}

/* Past 64 assignments (the old fixed array) the last one still counts, as for bash. */
static void test_mkinitcpio_many_assignments(void **state)
{
	struct vp_buf conf = {0}, want = {0};
	struct world w;

	(void)state;
	for (int i = 0; i < 70; i++)
		assert_int_equal(vp_buf_printf(&conf, "MODULES=(m%d)\n", i), 0);
	for (int i = 0; i < 70; i++)
		assert_int_equal(vp_buf_printf(&conf, "HOOKS+=(h%d)\n", i), 0);
	assert_int_equal(vp_buf_puts(&conf, "HOOKS+=(modconf)\n"), 0);
	mkinit_plan(&w, KS(&k68), conf.s, false);
	for (int i = 0; i < 69; i++)
		assert_int_equal(vp_buf_printf(&want, "MODULES=(m%d)\n", i), 0);
	assert_int_equal(vp_buf_puts(&want, "MODULES=(vfio_pci vfio_pci_core vfio "
				     "vfio_iommu_type1 m69)\n"), 0);
	assert_non_null(content_of(&w, VP_MKINITCPIO_CONF));
	if (!vp_startswith(content_of(&w, VP_MKINITCPIO_CONF), want.s))
		fail_msg("got:\n%s", content_of(&w, VP_MKINITCPIO_CONF));
	/* every HOOKS+= counted: modconf (the 71st) is seen, no warning */
	assert_false(has_msg(&w, VP_MSG_WARN, "no modconf"));
	world_free(&w);
	vp_buf_free(&conf);
	vp_buf_free(&want);
}

static void test_mkinitcpio_bad_input(void **state)
{
	struct world w;

	(void)state;
	mkinit_plan(&w, KS(&k68), "# x\nMODULES=(amdgpu\nHOOKS=(base\n", false);
	assert_true(w.plan.refused);
	assert_true(has_msg(&w, VP_MSG_REFUSE, "'/etc/mkinitcpio.conf':2: unterminated"));
	assert_null(vp_plan_file(&w.plan, VP_MKINITCPIO_CONF));
	world_free(&w);

	mkinit_plan(&w, KS(&k68), "MODULES=()\n", false);
	assert_true(has_msg(&w, VP_MSG_WARN, "no HOOKS= line"));
	world_free(&w);

	/* neither the file nor the directory */
	world_init(&w, VP_INITRAMFS_MKINITCPIO, KS(&k68));
	assert_int_equal(world_plan(&w), 0);
	assert_int_equal(w.plan.n_files, 0);
	assert_true(has_msg(&w, VP_MSG_WARN, "neither"));
	world_free(&w);
}

/*
 * Read as bash reads it (the shared lexer, as the GRUB planner does): where
 * mkinitcpio's old scanner was wrong.
 */
static void test_mkinitcpio_reads_as_bash(void **state)
{
	(void)state;
	/* `export NAME=` sets NAME (the GRUB scanner knew, this one did not) */
	assert_in_place(KS(&k68), "export MODULES=(amdgpu)\nHOOKS=(base modconf)\n",
			"export MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1 amdgpu)\n"
			"HOOKS=(base vfio-provision modconf)\n");
	/* an assignment after ';' counts */
	assert_in_place(KS(&k68), "X=1; MODULES=(amdgpu) # gpu\nHOOKS=(base modconf)\n",
			"X=1; MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1 amdgpu) # gpu\n"
			"HOOKS=(base vfio-provision modconf)\n");
	/* a line we append after a final backslash is a command of its own (fuzz-mkinitcpio) */
	assert_in_place(KS(&k68), "HOOKS=(base modconf)\necho \\\n",
			"HOOKS=(base vfio-provision modconf)\necho \\\n\n"
			"MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1)\n");
	/* a backslash-newline in an array stays where it is (fuzz-mkinitcpio) */
	assert_in_place(KS(&k68), "MODULES=(\\\namdgpu)\nHOOKS=(base modconf)\n",
			"MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1 \\\namdgpu)\n"
			"HOOKS=(base vfio-provision modconf)\n");
	assert_in_place(KS(&k68), "MODULES=(a vfio_pci \\\n b)\nHOOKS=(base modconf)\n",
			"MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1 a \\\n b)\n"
			"HOOKS=(base vfio-provision modconf)\n");
	/* a word quoted in parts is one word: 'vfio'_pci is vfio_pci */
	assert_in_place(KS(&k68), "MODULES=('vfio'_pci amdgpu)\nHOOKS=(base modconf)\n",
			"MODULES=(vfio_pci vfio_pci_core vfio vfio_iommu_type1 amdgpu)\n"
			"HOOKS=(base vfio-provision modconf)\n");
}

static void test_mkinitcpio_lexer_refusals(void **state)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{"A=1\nMODULES=(amdgpu $(ls /x))\nHOOKS=(base)\n", "':2: value built by a command"},
		{"MODULES=(amdgpu)\nHOOKS=\"base `echo udev`\"\n", "':2: value built by a command"},
		{"MODULES=a\\ b\nHOOKS=(base)\n", "':1: value with a backslash"},
		/* $"..." spans lines: a bare value made a string would break (fuzz-mkinitcpio) */
		{"MODULES=x$\" y\nz\"\nHOOKS=(base)\n", "':1: value with quotes, blanks"},
		{"MODULES=(amdgpu)\nHOOKS=(base)\necho 'x\n", "':3: unterminated ' quote"},
		/* our appended MODULES= line would go into the here-document */
		{"HOOKS=(base)\ncat <<EOF", "':2: unterminated here-document"},
	};
	struct world w;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		mkinit_plan(&w, KS(&k68), cases[i].in, false);
		assert_true(w.plan.refused);
		if (!has_msg(&w, VP_MSG_REFUSE, cases[i].err))
			fail_msg("case %zu: no refusal naming %s", i, cases[i].err);
		assert_null(vp_plan_file(&w.plan, VP_MKINITCPIO_CONF));
		world_free(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modules_per_kernel),
		cmocka_unit_test(test_modules_mixed_kernels),
		cmocka_unit_test(test_modules_kernel_without_vfio_pci),
		cmocka_unit_test(test_modules_no_kernel),
		cmocka_unit_test(test_nothing_to_do),
		cmocka_unit_test(test_generator_choice),
		cmocka_unit_test(test_error_names_kernel),
		cmocka_unit_test(test_no_kernel_warns),
		cmocka_unit_test(test_dracut_dropin),
		cmocka_unit_test(test_dracut_builtin),
		cmocka_unit_test(test_dracut_hostonly),
		cmocka_unit_test(test_dracut_keeps_driver_pre),
		cmocka_unit_test(test_itools_debian_default),
		cmocka_unit_test(test_itools_before_user_modules),
		cmocka_unit_test(test_itools_block_updated_in_place),
		cmocka_unit_test(test_itools_absent_and_broken),
		cmocka_unit_test(test_mkinitcpio_dropin),
		cmocka_unit_test(test_mkinitcpio_modconf_warning),
		cmocka_unit_test(test_mkinitcpio_in_place),
		cmocka_unit_test(test_mkinitcpio_in_place_sourced),
		cmocka_unit_test(test_mkinitcpio_many_assignments),
		cmocka_unit_test(test_mkinitcpio_bad_input),
		cmocka_unit_test(test_mkinitcpio_reads_as_bash),
		cmocka_unit_test(test_mkinitcpio_lexer_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
