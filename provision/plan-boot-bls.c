// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Boot Loader Specification entries (/boot/loader/entries/ *.conf and the
 * same under the ESP): the options lines of every entry whose kernel is
 * installed, not only the default one. systemd-boot and Fedora's GRUB read
 * them. Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-boot.h"

static const char *const entry_dirs[] = {"/boot/loader/entries/", "/efi/loader/entries/",
					  "/boot/efi/loader/entries/"};

static bool is_entry(const char *path)
{
	size_t l = strlen(path);

	if (l < 5 || strcmp(path + l - 5, ".conf") != 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(entry_dirs); i++)
		if (vp_startswith(path, entry_dirs[i]) && !strchr(path + strlen(entry_dirs[i]), '/'))
			return true;
	return false;
}

/* Field "key value" of a line: value start (after blanks) or NULL. */
static const char *field(const char *line, size_t len, const char *key, size_t *ret_len)
{
	size_t kl = strlen(key), i;

	if (len <= kl || strncmp(line, key, kl) != 0 || !strchr(" \t", line[kl]))
		return NULL;
	for (i = kl; i < len && strchr(" \t", line[i]); i++)
		;
	*ret_len = len - i;
	return line + i;
}

/* The kernel version of an entry: "version", else from "linux .../vmlinuz-VER". */
static char *entry_version(const char *s)
{
	char *from_linux = NULL;

	for (const char *p = s; *p;) {
		size_t len = strcspn(p, "\n"), vl;
		const char *v;

		if ((v = field(p, len, "version", &vl))) {
			free(from_linux);
			return strndup(v, vl);
		}
		if (!from_linux && (v = field(p, len, "linux", &vl))) {
			const char *dash = NULL;

			for (const char *q = v; q < v + vl; q++)
				if (vp_startswith(q, "vmlinuz-"))
					dash = q + 8;
			if (dash)
				from_linux = strndup(dash, (size_t)(v + vl - dash));
		}
		p += len + (p[len] == '\n');
	}
	return from_linux;
}

static int edit_entry(const struct vp_file *f, struct vp_plan *plan, char **ret_msg)
{
	struct vp_buf out = {0};
	unsigned line = 0;
	bool done = false;
	int r = 0;

	for (const char *p = f->content; *p && r >= 0;) {
		size_t len = strcspn(p, "\n"), vl;
		bool nl = p[len] == '\n';
		const char *v = field(p, len, "options", &vl);

		line++;
		if (v && memchr(v, '$', vl)) {
			vp_buf_free(&out);
			return vp_plan_msg(plan, VP_MSG_WARN,
					   "'%s':%u: options come from a grubenv variable: "
					   "use grubby --update-kernel=ALL --args=... for this entry",
					   f->path, line);
		}
		if (v) {
			_cleanup_free_ char *orig = strndup(v, vl), *merged = NULL;

			if (!orig)
				r = -ENOMEM;
			/* several options lines are joined: ours go on the first */
			if (r >= 0)
				r = done ? vp_boot_strip(plan, orig, f->path, line, &merged, ret_msg)
					 : vp_boot_merge(plan, orig, f->path, line, &merged, ret_msg);
			if (r >= 0 && !done)
				r = vp_boot_check(plan, orig, merged, f->path, line, ret_msg);
			if (r >= 0)
				r = vp_buf_add(&out, p, (size_t)(v - p));
			if (r >= 0)
				r = vp_buf_puts(&out, merged);
			done = true;
		} else {
			r = vp_buf_add(&out, p, len);
		}
		if (r >= 0 && nl)
			r = vp_buf_puts(&out, "\n");
		p += len + nl;
	}
	if (r >= 0 && !done) {
		_cleanup_free_ char *toks = vp_boot_tokens(plan);

		r = toks ? vp_buf_printf(&out, "%soptions %s\n",
					 f->len && f->content[f->len - 1] != '\n' ? "\n" : "", toks)
			 : -ENOMEM;
	}
	if (r < 0) {
		vp_buf_free(&out);
		return r;
	}
	return vp_plan_add_file(plan, f->path, vp_buf_steal(&out), f->mode, false,
				"BLS entry of an installed kernel: its options line is its "
				"kernel command line");
}

int vp_boot_bls(const struct vp_config *cfg, const struct vp_system *sys,
		struct vp_plan *plan, char **ret_msg)
{
	int r = 0;

	(void)cfg;
	for (size_t i = 0; i < sys->n_files && r >= 0; i++) {
		const struct vp_file *f = &sys->files[i];
		_cleanup_free_ char *ver = NULL;

		if (!f->content || !is_entry(f->path))
			continue;
		ver = entry_version(f->content);
		if (!ver || !vp_system_kernel_or_pkgbase(sys, ver)) {
			r = vp_plan_msg(plan, VP_MSG_INFO, "'%s': kernel %s is not installed: "
					"entry left alone", f->path, ver ? ver : "(unknown)");
			continue;
		}
		r = edit_entry(f, plan, ret_msg);
	}
	return r;
}

/* systemd-boot joins every options line of an entry. */
int vp_boot_bls_read(const struct vp_config *cfg, const struct vp_system *sys,
		     const struct vp_plan *plan, struct vp_boot_lines *out)
{
	int r = 0;

	(void)cfg;
	for (size_t i = 0; i < sys->n_files && r >= 0; i++) {
		const char *c = vp_boot_view(sys, plan, sys->files[i].path);
		_cleanup_free_ char *ver = NULL;
		struct vp_buf b = {0};
		bool dollar = false;

		if (!c || !is_entry(sys->files[i].path))
			continue;
		ver = entry_version(c);
		if (!ver || !vp_system_kernel_or_pkgbase(sys, ver))
			continue;
		r = vp_buf_puts(&b, "");
		for (const char *p = c; *p && r >= 0;) {
			size_t len = strcspn(p, "\n"), vl;
			const char *v = field(p, len, "options", &vl);

			if (v) {
				dollar |= memchr(v, '$', vl) != NULL;
				r = vp_buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)vl, v);
			}
			p += len + (p[len] == '\n');
		}
		if (r >= 0)
			r = b.err;
		if (r >= 0)
			r = vp_boot_lines_add(out, sys->files[i].path, 0, "its options lines",
					      dollar ? NULL : b.s,
					      dollar ? "options come from a grubenv variable" : NULL);
		vp_buf_free(&b);
	}
	return r;
}
