// SPDX-License-Identifier: GPL-2.0-or-later
/* libkmod on a root. See kmod-root.h. */
#include <errno.h>
#include <string.h>

#include "kmod-root.h"
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

int vp_kmod_new(const struct vp_root *root, const char *kver, struct kmod_ctx **ret,
		char **ret_msg)
{
	_cleanup_free_ char *rel = NULL, *dir = NULL;
	char *confs[N_DIRS + 1] = {0};
	struct kmod_ctx *ctx;
	int r;

	r = vp_kmod_check_config(root, ret_msg);
	if (r < 0)
		return r;
	rel = kver ? vp_strdup_printf("/lib/modules/%s", kver) : strdup("/lib/modules");
	if (!rel)
		return -ENOMEM;
	r = vp_root_host_path(root, rel, &dir, ret_msg);
	for (size_t i = 0; r >= 0 && i < N_DIRS; i++)
		r = vp_root_host_path(root, vp_modprobe_dirs[i], &confs[i], ret_msg);
	if (r < 0)
		goto out;
	ctx = kmod_new(dir, (const char *const *)confs);
	if (!ctx) {
		r = vp_fail(ret_msg, -ENOMEM, "'%s': libkmod cannot use it", rel);
		goto out;
	}
	kmod_set_log_fn(ctx, quiet, NULL);
	*ret = ctx;
out:
	for (size_t i = 0; i < N_DIRS; i++)
		free(confs[i]);
	return r;
}

const char *vp_kmod_root_path(const struct vp_root *root, const char *host_path)
{
	size_t n = strlen(root->dir);

	if (strncmp(host_path, root->dir, n) != 0 || host_path[n] != '/')
		return NULL;
	return host_path + n;
}
