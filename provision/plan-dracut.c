// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dracut: an owned drop-in /etc/dracut.conf.d/vfio-provision.conf (dracut
 * reads only *.conf there) with force_drivers and our dracut module, and
 * rd.driver.pre=vfio_pci on the kernel cmdline when the image is not
 * host-only: only host-only images carry /etc/modprobe.d. Its entry in the
 * table of targets (target.h) is at the end. Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-regen.h"
#include "plan-initramfs.h"
#include "shell-lex.h"
#include "target.h"

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool is_dropin(const char *path, const char *dir)
{
	size_t n = strlen(path);

	return vp_startswith(path, dir) && n > strlen(dir) + 5 &&
	       strcmp(path + n - 5, ".conf") == 0 && !strchr(path + strlen(dir), '/');
}

/*
 * Applies the hostonly= assignments of one config text (bash, read with
 * the shared shell lexer) to *state: 1 yes, 0 anything else (dracut only
 * tests for "yes"), -1 for what we cannot evaluate (an expansion, +=, an
 * array, a text bash would not read).
 */
static void scan_hostonly(const char *text, int *state)
{
	struct vp_shlex l;

	if (vp_shlex(text, strlen(text), &l) < 0) {
		*state = -1;
		return;
	}
	for (size_t i = 0; i < l.n_asg; i++) {
		const struct vp_shlex_asg *a = &l.asg[i];

		if (!vp_shlex_is(text, a, "hostonly"))
			continue;
		/* never the variable dracut reads */
		if (a->ctx & (VP_SHLEX_IN_SUBSHELL | VP_SHLEX_PREFIX))
			continue;
		if (a->ctx || a->append || a->array || (a->flags & VP_SHLEX_EXPAND))
			*state = -1;
		else
			*state = strcmp(a->words[0].text, "yes") == 0;
	}
	vp_shlex_free(&l);
}

/*
 * Whether the image is host-only, as dracut decides it: /etc/dracut.conf,
 * then the drop-ins of /usr/lib/dracut/dracut.conf.d and /etc/dracut.conf.d
 * in the order of their file names, a file in /etc replacing one of the same
 * name in /usr/lib (dracut's dropindirs_sort). The last assignment wins.
 * Returns 1 yes, 0 no (also dracut's default when unset), -1 when it cannot
 * be told (the value is a shell expansion).
 */
static int dracut_hostonly(const struct vp_system *sys)
{
	struct vp_strv names = {0};
	const struct vp_file *f;
	int state = 0;

	f = vp_system_file(sys, VP_DRACUT_CONF);
	if (f && f->content)
		scan_hostonly(f->content, &state);

	for (size_t i = 0; i < sys->n_files; i++) {
		const char *p = sys->files[i].path;

		if (!sys->files[i].content || strcmp(p, VP_DRACUT_DROPIN) == 0)
			continue;
		if (is_dropin(p, VP_DRACUT_DROPIN_DIR) || is_dropin(p, VP_DRACUT_DIST_DIR))
			if (vp_strv_push_unique(&names, basename_of(p)) < 0) {
				state = -1; /* out of memory: cannot tell */
				goto out;
			}
	}
	vp_strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *etc = vp_strdup_printf("%s%s", VP_DRACUT_DROPIN_DIR, names.v[i]);
		_cleanup_free_ char *dist = vp_strdup_printf("%s%s", VP_DRACUT_DIST_DIR, names.v[i]);

		if (!etc || !dist) {
			state = -1;
			goto out;
		}
		f = vp_system_file(sys, etc);
		if (!f || !f->content)
			f = vp_system_file(sys, dist);
		if (f && f->content)
			scan_hostonly(f->content, &state);
	}
out:
	vp_strv_free(&names);
	return state;
}

/*
 * rd.driver.pre=vfio_pci, keeping the modules the running cmdline already
 * pre-loads that way: the cmdline merger replaces our key wherever it is.
 */
static char *driver_pre_token(const struct vp_system *sys)
{
	struct vp_buf b = {0};
	struct vp_strv mods = {0};
	char *tok = NULL;
	const char *s = sys->proc_cmdline;
	int r = vp_strv_push(&mods, "vfio_pci");

	while (r >= 0 && s && *s) {
		size_t n;

		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n > strlen("rd.driver.pre=") && vp_startswith(s, "rd.driver.pre=")) {
			const char *v = s + strlen("rd.driver.pre="), *e = s + n;

			while (r >= 0 && v < e) {
				size_t m = strcspn(v, ",");
				_cleanup_free_ char *name = NULL;

				if (v + m > e)
					m = (size_t)(e - v);
				name = strndup(v, m);
				if (!name) {
					r = -ENOMEM;
					break;
				}
				for (char *c = name; *c; c++)
					if (*c == '-')
						*c = '_';
				if (*name)
					r = vp_strv_push_unique(&mods, name);
				v += m + (v + m < e);
			}
		}
		s += n;
	}
	if (r >= 0)
		r = vp_buf_puts(&b, "rd.driver.pre=");
	for (size_t i = 0; r >= 0 && i < mods.n; i++)
		r = vp_buf_printf(&b, "%s%s", i ? "," : "", mods.v[i]);
	if (r >= 0)
		tok = vp_buf_steal(&b);
	vp_buf_free(&b);
	vp_strv_free(&mods);
	return tok;
}

static int plan_dracut(const struct vp_initramfs_ctx *c, struct vp_plan *plan, char **ret_msg)
{
	struct vp_buf b = {0};
	_cleanup_free_ char *mods = NULL, *tok = NULL;
	int hostonly, r;

	(void)ret_msg;
	mods = vp_initramfs_join(&c->list, " ");
	if (!mods)
		return -ENOMEM;

	/* no kernel versions in the file: a kernel update alone must not change it */
	r = vp_buf_printf(&b, "%s\n" VP_EDITS_NOTE "# dracut copies force_drivers into the image and loads them before udev\n"
			  "# starts, so vfio-pci claims the GPU before any GPU driver. A vfio module\n"
			  "# that some installed kernel lacks is left out (vfio_pci pulls it in).\n",
			  VP_MANAGED_HEADER);
	if (r >= 0 && c->list.n)
		r = vp_buf_printf(&b, "force_drivers+=\" %s \"\n", mods);
	else if (r >= 0)
		r = vp_buf_puts(&b, "# vfio_pci is built into every kernel: no module to force.\n");
	if (r >= 0)
		r = vp_buf_printf(&b, "# The early program and its config (dracut module 90%s).\n"
				  "add_dracutmodules+=\" %s \"\n", VP_DRACUT_MODULE, VP_DRACUT_MODULE);
	if (r < 0)
		goto fail;
	r = vp_plan_add_file(plan, VP_DRACUT_DROPIN, vp_buf_steal(&b), 0644, true,
			     "dracut: vfio modules and the vfio-provision module in every image");
	if (r < 0)
		return r;

	hostonly = dracut_hostonly(c->sys);
	if (c->mods.vfio_pci_module && hostonly != 1) {
		tok = driver_pre_token(c->sys);
		if (!tok)
			return -ENOMEM;
		r = vp_plan_add_token(plan, "rd.driver.pre", tok,
				      hostonly == 0 ?
				      "dracut images are not host-only here: /etc/modprobe.d is not "
				      "in the image, so vfio_pci is loaded first from the cmdline" :
				      "cannot tell whether dracut images are host-only (hostonly= is "
				      "a shell expansion): vfio_pci is loaded first from the cmdline");
		if (r < 0)
			return r;
	}

	return vp_regen_initramfs(c->sys, c->gen, plan);
fail:
	vp_buf_free(&b);
	return r;
}

/* Debian: dracut-core has the program, dracut the kernel hook that builds images. */
static const struct vp_dpkg_claim dracut_dpkg = {
	.package = "dracut",
	.hook = "/etc/kernel/postinst.d/dracut",
	.missing = "dracut (the package with the kernel hook)",
	.part = "dracut-core",
	.part_note = " (dracut-core too: the dracut program, which builds no images on its own)",
};

const struct vp_generator_def vp_generator_dracut = {
	.name = "dracut",
	.clues = {{2, .programs = VP_LIST("dracut")},
		  {1, .any = VP_LIST(VP_DRACUT_CONF, "/etc/dracut.conf.d")}},
	.dpkg = &dracut_dpkg,
	/* hostonly= comes from dracut.conf and the drop-ins, in dracut's own order */
	.in = {.files = VP_LIST(VP_DRACUT_CONF, VP_DRACUT_DROPIN),
	       .dirs = VP_LIST("/etc/dracut.conf.d", "/usr/lib/dracut/dracut.conf.d")},
	.feeds = VP_LIST(VP_DRACUT_CONF),
	.plan = plan_dracut,
	.rebuild = VP_LIST("dracut", "--regenerate-all", "--force"),
	.rebuild_why = {"dracut: rebuild the images of kernel(s) ", ""},
};
