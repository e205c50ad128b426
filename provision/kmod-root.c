// SPDX-License-Identifier: GPL-2.0-or-later
/* libkmod on a root. See kmod-root.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dir-iter.h"
#include "kmod-root.h"
#include "root-view.h"
#include "vp.h"

const char *const vp_modprobe_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/lib/modprobe.d", "/usr/lib/modprobe.d", NULL,
};

#define N_DIRS (sizeof(vp_modprobe_dirs) / sizeof(vp_modprobe_dirs[0]) - 1)

/* The names libkmod reads from a configuration directory (libkmod-config.c). */
static bool kmod_reads(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && strcmp(name + n - 5, ".conf") == 0) ||
	       (n > 6 && strcmp(name + n - 6, ".alias") == 0);
}

static int check_dir(const struct vp_root *root, const char *dir, char **ret_msg)
{
	struct vp_strv names = {0};
	int r;

	r = vp_root_list(root, dir, kmod_reads, &names, ret_msg);
	for (size_t i = 0; r >= 0 && i < names.n; i++) {
		_cleanup_free_ char *why = NULL;

		r = vp_root_check_regular(root, names.v[i], &why);
		if (r == -EISDIR)
			r = 0;  /* libkmod itself skips a directory there */
		else if (r < 0 && why)
			vp_fail(ret_msg, r, "%s", why);
	}
	vp_strv_free(&names);
	return r;
}

int vp_kmod_check_config(const struct vp_root *root, char **ret_msg)
{
	int r;

	for (size_t i = 0; vp_modprobe_dirs[i]; i++) {
		r = check_dir(root, vp_modprobe_dirs[i], ret_msg);
		if (r < 0)
			return r;
	}
	return 0;
}

static void quiet(void *data, int priority, const char *file, int line, const char *fn,
		  const char *format, va_list args)
{
	/* libkmod logs to stderr by default; failures come back as return codes */
	(void)data; (void)priority; (void)file; (void)line; (void)fn; (void)format;
	(void)args;
}

/*
 * The files libkmod (kmod 30) opens in a kernel's module directory: its
 * binary indexes ("%s/%s.bin", all of which kmod_load_resources() maps),
 * then the builtin modinfo and depmod's softdeps. Nothing else there is
 * read (the modules themselves are only named).
 */
static const char *const module_files[] = {
	"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
	"modules.builtin.alias.bin", "modules.builtin.bin", "modules.builtin.modinfo",
	"modules.softdep", NULL,
};
#define N_INDEXES 5

/* What a context of ours keeps (libkmod's userdata): its view of the root. */
struct kmod_root {
	struct vp_view view;
	char *modules;          /* the module directory inside the root */
	char *host_modules;     /* ... and as libkmod names it */
	/* options and blacklists that came from configuration files, not /proc/cmdline */
	unsigned n_options, n_blacklists;
};

static unsigned count(struct kmod_config_iter *it)
{
	unsigned n = 0;

	while (it && kmod_config_iter_next(it))
		n++;
	kmod_config_iter_free_iter(it);
	return n;
}

/*
 * libkmod 30 appends the running kernel's command line (MODULE.OPTION=,
 * modprobe.blacklist=) to every context's options and blacklists, after
 * those of the configuration files, whatever the paths. A context with no
 * configuration at all has only those: the rest of ctx's are the files'.
 */
static int count_config(struct kmod_root *k, struct kmod_ctx *ctx)
{
	static const char *const none[] = {NULL};
	/* the running kernel's command line, the same for every context: counted once */
	static unsigned opts, bl;
	static bool counted;

	if (!counted) {
		struct kmod_ctx *bare = kmod_new(k->host_modules, none);

		if (!bare)
			return -ENOMEM;
		kmod_set_log_fn(bare, quiet, NULL);
		opts = count(kmod_config_get_options(bare));
		bl = count(kmod_config_get_blacklists(bare));
		kmod_unref(bare);
		counted = true;
	}
	k->n_options = count(kmod_config_get_options(ctx));
	k->n_blacklists = count(kmod_config_get_blacklists(ctx));
	k->n_options = k->n_options > opts ? k->n_options - opts : 0;
	k->n_blacklists = k->n_blacklists > bl ? k->n_blacklists - bl : 0;
	return 0;
}

static void kmod_root_free(struct kmod_root *k)
{
	if (!k)
		return;
	vp_view_free(&k->view);
	free(k->modules);
	free(k->host_modules);
	free(k);
}

/* The configuration directory i: its *.conf and *.alias copied to confI/. */
static int view_conf_dir(const struct vp_root *root, struct kmod_root *k, size_t i,
			 char **ret_msg)
{
	_cleanup_free_ char *sub = vp_strdup_printf("conf%zu", i);
	struct vp_strv names = {0};
	int r;

	if (!sub)
		return -ENOMEM;
	r = vp_root_list(root, vp_modprobe_dirs[i], kmod_reads, &names, ret_msg);
	/* none to copy: no directory either (libkmod skips a missing one, as on a host) */
	if (r >= 0 && names.n)
		r = vp_view_mkdir(&k->view, sub);
	for (size_t j = 0; r >= 0 && j < names.n; j++) {
		_cleanup_free_ char *name = vp_strdup_printf("%s/%s", sub,
							     strrchr(names.v[j], '/') + 1);

		r = name ? vp_view_copy(root, &k->view, names.v[j], name, VP_MAX_TEXT, ret_msg)
			 : -ENOMEM;
		/* libkmod skips a directory there; one gone meanwhile is gone */
		if (r == -EISDIR || r == -ENOENT)
			r = 0;
	}
	vp_strv_free(&names);
	return r;
}

/* The module directory's files: none, the indexes only (n N_INDEXES) or all. */
static int view_modules(const struct vp_root *root, struct kmod_root *k, size_t n,
			char **ret_msg)
{
	int r = vp_view_mkdir(&k->view, "modules");

	for (size_t i = 0; i < n && r >= 0 && module_files[i]; i++) {
		_cleanup_free_ char *path = vp_strdup_printf("%s/%s", k->modules, module_files[i]),
				    *name = vp_strdup_printf("modules/%s", module_files[i]);

		r = path && name ? vp_view_copy(root, &k->view, path, name, VP_MAX_DATA, ret_msg)
				 : -ENOMEM;
		if (r == -ENOENT || r == -EISDIR)
			r = 0;  /* depmod never ran: libkmod finds no index either */
	}
	return r;
}

static int kmod_open(const struct vp_root *root, const char *kver, bool config,
		     struct kmod_ctx **ret, char **ret_msg)
{
	char *confs[N_DIRS + 1] = {0};
	struct kmod_root *k;
	struct kmod_ctx *ctx;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->modules = kver ? vp_strdup_printf("/lib/modules/%s", kver) : strdup("/lib/modules");
	if (!k->modules) {
		r = -ENOMEM;
		goto out;
	}
	r = vp_view_new(root, &k->view, ret_msg);
	if (r < 0)
		goto out;
	if (!k->view.dir) {
		/*
		 * The root "/": the host's paths are the root's, as our
		 * resolver sees them, and libkmod opens the root's files
		 * itself. (In a view it opens our copies, read as regular
		 * files only.)
		 */
		r = config ? vp_kmod_check_config(root, ret_msg) : 0;
		if (r >= 0)
			r = vp_root_host_path(root, k->modules, &k->host_modules, ret_msg);
		for (size_t i = 0; config && r >= 0 && i < N_DIRS; i++)
			r = vp_root_host_path(root, vp_modprobe_dirs[i], &confs[i], ret_msg);
	} else {
		r = view_modules(root, k, !kver ? 0 : config ? SIZE_MAX : N_INDEXES, ret_msg);
		for (size_t i = 0; config && r >= 0 && i < N_DIRS; i++) {
			r = view_conf_dir(root, k, i, ret_msg);
			if (r >= 0 && !(confs[i] = vp_strdup_printf("%s/conf%zu", k->view.dir, i)))
				r = -ENOMEM;
		}
		if (r >= 0 && !(k->host_modules = vp_strdup_printf("%s/modules", k->view.dir)))
			r = -ENOMEM;
	}
	if (r < 0)
		goto out;
	ctx = kmod_new(k->host_modules, (const char *const *)confs);
	if (!ctx) {
		r = vp_fail(ret_msg, -ENOMEM, "'%s': libkmod cannot use it", k->modules);
		goto out;
	}
	kmod_set_log_fn(ctx, quiet, NULL);
	r = count_config(k, ctx);
	if (r < 0) {
		kmod_unref(ctx);
		goto out;
	}
	kmod_set_userdata(ctx, k);
	k = NULL;
	*ret = ctx;
out:
	kmod_root_free(k);
	for (size_t i = 0; i < N_DIRS; i++)
		free(confs[i]);
	return r;
}

int vp_kmod_new(const struct vp_root *root, const char *kver, struct kmod_ctx **ret,
		char **ret_msg)
{
	return kmod_open(root, kver, true, ret, ret_msg);
}

int vp_kmod_new_names(const struct vp_root *root, const char *kver, struct kmod_ctx **ret,
		      char **ret_msg)
{
	return kmod_open(root, kver, false, ret, ret_msg);
}

void vp_kmod_unref(struct kmod_ctx *ctx)
{
	if (!ctx)
		return;
	kmod_root_free(kmod_get_userdata(ctx));
	kmod_unref(ctx);
}

char *vp_kmod_root_path(struct kmod_ctx *ctx, const char *host_path)
{
	const struct kmod_root *k = kmod_get_userdata(ctx);
	size_t n = strlen(k->host_modules);

	if (strncmp(host_path, k->host_modules, n) != 0 || host_path[n] != '/')
		return NULL;
	return vp_strdup_printf("%s%s", k->modules, host_path + n);
}

void vp_kmod_config_counts(struct kmod_ctx *ctx, unsigned *ret_options, unsigned *ret_blacklists)
{
	const struct kmod_root *k = kmod_get_userdata(ctx);

	*ret_options = k->n_options;
	*ret_blacklists = k->n_blacklists;
}
