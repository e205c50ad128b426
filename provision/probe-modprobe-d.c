// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libkmod opens every "*.conf" (and "*.alias") of the modprobe.d
 * directories itself, with a plain blocking open(): a named pipe there
 * would hang every verb. Each entry is checked here first, before any
 * kmod_new() of the probe, and anything but a regular file is refused.
 */
#include <errno.h>
#include <string.h>

#include "probe-internal.h"
#include "probe.h"

const char *const vp_modprobe_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/lib/modprobe.d", "/usr/lib/modprobe.d", NULL,
};

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
	struct dirent *de;
	DIR *d;
	int r;

	r = vp_root_opendir(root, dir, &d);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", dir, strerror(-r));
	r = 0;
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *path = NULL, *msg = NULL;

		if (!kmod_reads(de->d_name))
			continue;
		path = vp_strdup_printf("%s/%s", dir, de->d_name);
		r = path ? vp_root_check_regular(root, path, &msg) : -ENOMEM;
		if (r == -EISDIR)
			r = 0;  /* libkmod itself skips a directory there */
		else if (r < 0 && msg)
			vp_fail(ret_msg, r, "%s", msg);
	}
	closedir(d);
	return r;
}

int vp_probe_modprobe_d(const struct vp_root *root, char **ret_msg)
{
	int r;

	for (size_t i = 0; vp_modprobe_dirs[i]; i++) {
		r = check_dir(root, vp_modprobe_dirs[i], ret_msg);
		if (r < 0)
			return r;
	}
	return 0;
}
