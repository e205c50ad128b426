// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Installed kernels (directories under <root>/lib/modules, or only --kver)
 * and, per kernel, whether each vfio module is built in, a module or
 * missing. Asked of libkmod on that kernel's own indexes (modules.dep.bin,
 * modules.builtin.bin), never of the running kernel: kmod_module_get_initstate()
 * would read /sys/module of this machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "dir-iter.h"
#include "kconfig.h"
#include "kmod-root.h"
#include "probe-internal.h"
#include "probe.h"

#define MODULES "/lib/modules"

static enum vp_mod_state mod_state(const struct vp_root *root, struct kmod_ctx *ctx,
				   const char *name)
{
	struct kmod_module *mod = NULL;
	enum vp_mod_state st = VP_MOD_MISSING;
	_cleanup_free_ char *in_root = NULL;
	const char *path;
	struct stat sb;

	/* by module name only: an alias must not make another module count */
	if (kmod_module_new_from_name_lookup(ctx, name, &mod) < 0 || !mod)
		return VP_MOD_MISSING;
	path = kmod_module_get_path(mod);
	if (path)
		/* listed in modules.dep: a module only if its file is there */
		st = (in_root = vp_kmod_root_path(ctx, path)) && vp_root_stat(root, in_root, &sb, NULL) == 0 &&
		     S_ISREG(sb.st_mode) ? VP_MOD_MODULE : VP_MOD_MISSING;
	else
		st = VP_MOD_BUILTIN;    /* found in modules.builtin.bin */
	kmod_module_unref(mod);
	return st;
}

static int probe_kernel(const struct vp_root *root, struct vp_kernel *k, char **ret_msg)
{
	struct kmod_ctx *ctx;
	int r;

	/* by name in the kernel's indexes: no modprobe.d, the host's or the root's */
	r = vp_kmod_new_names(root, k->version, &ctx, ret_msg);
	if (r < 0)
		return r;
	/* no binary indexes (depmod never ran): libkmod falls back to text */
	(void)kmod_load_resources(ctx);
	for (int m = 0; m < VP_MOD_COUNT; m++)
		k->mods[m] = mod_state(root, ctx, vp_vfio_mod_names[m]);
	vp_kmod_unref(ctx);
	return 0;
}

static int cmp_kernel(const void *a, const void *b)
{
	return strverscmp(((const struct vp_kernel *)a)->version,
			  ((const struct vp_kernel *)b)->version);
}

static int add_kernel(const struct vp_root *root, struct vp_system *sys, const char *ver,
		      size_t *cap, char **ret_msg)
{
	_cleanup_free_ char *path = NULL;
	struct vp_kernel *k;
	int r;

	if (sys->n_kernels == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		k = realloc(sys->kernels, *cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		sys->kernels = k;
	}
	k = &sys->kernels[sys->n_kernels];
	*k = (struct vp_kernel){.version = strdup(ver)};
	if (!k->version)
		return -ENOMEM;
	sys->n_kernels++;
	k->running = vp_streq(sys->running_kernel, ver);
	/* Arch names boot files after the package: /vmlinuz-linux-lts */
	path = vp_strdup_printf(MODULES "/%s/pkgbase", ver);
	if (!path)
		return -ENOMEM;
	if (vp_root_read_line(root, path, &k->pkgbase) < 0)
		k->pkgbase = NULL;
	else if (!*vp_strstrip(k->pkgbase))
		k->pkgbase = (free(k->pkgbase), NULL);
	r = probe_kernel(root, k, ret_msg);
	return r < 0 ? r : vp_probe_kconfig(root, k, ret_msg);
}

static int add_dir(int dfd, const char *name, void *userdata)
{
	struct vp_probe_walk *ks = userdata;
	struct stat st;

	if (name[0] == '.')
		return 0;
	/* only directories; a stray file or link elsewhere is not a kernel */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return add_kernel(ks->root, ks->sys, name, &ks->cap, ks->ret_msg);
}

int vp_probe_kernels(const struct vp_root *root, const struct vp_probe_opts *opts,
		     struct vp_system *sys, char **ret_msg)
{
	struct vp_probe_walk ks = {.root = root, .sys = sys, .ret_msg = ret_msg};
	_cleanup_free_ char *msg = NULL;
	int r;

	if (!sys->running_kernel) {
		r = vp_probe_attr(root, "/proc/sys/kernel/osrelease", &sys->running_kernel,
				  ret_msg);
		if (r < 0)
			return r;
		if (sys->running_kernel)
			sys->running_kernel[strcspn(sys->running_kernel, "\n")] = '\0';
	}

	if (opts && opts->kver) {
		_cleanup_free_ char *p = NULL;
		int fd;

		if (!*opts->kver || strchr(opts->kver, '/') || strcmp(opts->kver, ".") == 0 ||
		    strcmp(opts->kver, "..") == 0)
			return vp_fail(ret_msg, -EINVAL, "--kver '%s': not a kernel version",
				       opts->kver);
		p = vp_strdup_printf("%s/%s", MODULES, opts->kver);
		if (!p)
			return -ENOMEM;
		fd = vp_root_open_path(root, p, O_RDONLY | O_DIRECTORY, &msg);
		if (fd < 0)
			return msg ? vp_fail(ret_msg, fd, "%s", msg)
				   : vp_fail(ret_msg, fd, "'%s': %s", p, strerror(-fd));
		close(fd);
		return add_kernel(root, sys, opts->kver, &ks.cap, ret_msg);
	}

	r = vp_dir_each(root, MODULES, add_dir, &ks, ret_msg);
	if (r == -ENOENT && !sys->n_kernels)
		return 0;       /* a kernel's own -ENOENT comes after n_kernels++ */
	if (r < 0)
		return r;
	if (sys->n_kernels > 1)
		qsort(sys->kernels, sys->n_kernels, sizeof(*sys->kernels), cmp_kernel);
	return 0;
}
