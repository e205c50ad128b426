// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reads a kernel's build config under the root: /boot/config-VER (Debian,
 * Fedora, Ubuntu), /lib/modules/VER/config (Arch), or /proc/config.gz for
 * the running kernel (CONFIG_IKCONFIG_PROC), through zlib.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "kconfig.h"

#define CONFIG_MAX (8u << 20)   /* a distribution config is about 300 KiB */

static int read_gz(const struct vp_root *root, const char *path, char **ret, char **ret_msg)
{
	struct vp_buf b = {0};
	char chunk[16384];
	gzFile gz;
	int fd, n, r = 0;

	fd = vp_root_open_path(root, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, ret_msg);
	if (fd < 0)
		return fd;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0) {
		/* zlib passes a file that is not gzip through as it is */
		if (gzdirect(gz)) {
			r = vp_fail(ret_msg, -EINVAL, "'%s': not a gzip file", path);
			goto fail;
		}
		if (b.len + (size_t)n > CONFIG_MAX) {
			r = vp_fail(ret_msg, -EFBIG, "'%s': more than %u bytes uncompressed", path,
				    CONFIG_MAX);
			goto fail;
		}
		r = vp_buf_printf(&b, "%.*s", n, chunk);
		if (r < 0)
			goto fail;
	}
	if (n < 0) {
		r = vp_fail(ret_msg, -EINVAL, "'%s': not a gzip file", path);
		goto fail;
	}
	*ret = b.s ? vp_buf_steal(&b) : strdup("");
	r = *ret ? 0 : -ENOMEM;
fail:
	gzclose(gz);
	if (r < 0)
		vp_buf_free(&b);
	return r;
}

int vp_probe_kconfig(const struct vp_root *root, struct vp_kernel *k, char **ret_msg)
{
	_cleanup_free_ char *text = NULL;
	char *paths[3] = {0};
	int r = -ENOENT;

	paths[0] = vp_strdup_printf("/boot/config-%s", k->version);
	paths[1] = vp_strdup_printf("/lib/modules/%s/config", k->version);
	if (!paths[0] || !paths[1]) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < 2 && r == -ENOENT; i++) {
		r = vp_root_read_max(root, paths[i], CONFIG_MAX, &text, NULL, NULL, ret_msg);
		if (r == 0)
			k->config.path = paths[i], paths[i] = NULL;
	}
	if (r == -ENOENT && k->running) {
		r = read_gz(root, "/proc/config.gz", &text, ret_msg);
		if (r == 0 && !(k->config.path = strdup("/proc/config.gz")))
			r = -ENOMEM;
		else if (r < 0 && r != -ENOENT && !(ret_msg && *ret_msg))
			r = vp_fail(ret_msg, r, "'/proc/config.gz': %s", strerror(-r));
	}
	if (r == -ENOENT) {
		r = 0;  /* no config: nothing known, nothing checked */
		goto fail;
	}
	if (r == 0)
		vp_kconfig_parse(text, &k->config);
fail:
	free(paths[0]);
	free(paths[1]);
	return r;
}
