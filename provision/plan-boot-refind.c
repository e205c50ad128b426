// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rEFInd's /boot/refind_linux.conf: one boot option a line, a quoted title
 * then the quoted kernel options ("Boot normally" "root=... ro quiet").
 * Every line gets our tokens; comments and blank lines stay. rEFInd has no
 * escapes, so a value keeps its double quotes. Everything about rEFInd is
 * here: its entry in the table of targets (target.h) is at the end. Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-boot.h"
#include "target.h"

#define REFIND_CONF "/boot/refind_linux.conf"

/* A field: "..." or a bare word; [*start, *end) is its inside. */
static bool next_field(const char *s, size_t len, size_t *pos, size_t *start, size_t *end,
		       bool *quoted)
{
	size_t i = *pos;

	while (i < len && strchr(" \t", s[i]))
		i++;
	if (i >= len)
		return false;
	*quoted = s[i] == '"';
	if (*quoted) {
		const char *q = memchr(s + i + 1, '"', len - i - 1);

		if (!q)
			return false;
		*start = i + 1;
		*end = (size_t)(q - s);
		*pos = *end + 1;
	} else {
		*start = i;
		while (i < len && !strchr(" \t", s[i]))
			i++;
		*end = *pos = i;
	}
	return true;
}

static int plan_refind(const struct vp_config *cfg, const struct vp_system *sys,
		       struct vp_plan *plan, char **ret_msg)
{
	const struct vp_file *f = vp_system_file(sys, REFIND_CONF);
	struct vp_buf out = {0};
	unsigned line = 0;
	int r = 0;

	(void)cfg;
	if (!f || !f->content)
		return vp_plan_msg(plan, VP_MSG_WARN, "'" REFIND_CONF "' does not exist: "
				   "rEFInd would boot without our tokens");
	for (const char *p = f->content; *p && r >= 0;) {
		size_t len = strcspn(p, "\n"), pos = 0, ts, te, os = 0, oe = 0;
		bool nl = p[len] == '\n', q1, q2 = false;
		size_t lead = strspn(p, " \t");

		line++;
		if (lead == len || p[lead] == '#' ||
		    !next_field(p, len, &pos, &ts, &te, &q1)) {
			r = vp_buf_add(&out, p, len);
		} else if (!next_field(p, len, &pos, &os, &oe, &q2)) {
			size_t quotes = 0;

			for (size_t k = 0; k < len; k++)
				quotes += p[k] == '"';
			r = vp_fail(ret_msg, -EINVAL, "'%s':%u: %s", f->path, line,
				    quotes % 2 ? "unterminated quote"
					       : "no kernel options after the title");
		} else {
			_cleanup_free_ char *orig = strndup(p + os, oe - os), *merged = NULL;

			r = orig ? vp_boot_merge(plan, orig, f->path, line, &merged, ret_msg)
				 : -ENOMEM;
			if (r >= 0)
				r = vp_boot_check(plan, orig, merged, f->path, line, ret_msg);
			if (r >= 0 && strchr(merged, '"'))
				r = vp_fail(ret_msg, -EINVAL, "'%s':%u: kernel options with a "
					    "'\"' cannot be written back (rEFInd has no escapes)",
					    f->path, line);
			if (r >= 0)
				r = vp_buf_printf(&out, "%.*s\"%s\"%.*s", (int)(os - q2),
						  p, merged, (int)(len - oe - q2), p + oe + q2);
		}
		if (r >= 0 && nl)
			r = vp_buf_puts(&out, "\n");
		p += len + nl;
	}
	if (r < 0) {
		vp_buf_free(&out);
		return r;
	}
	return vp_plan_add_file(plan, f->path, vp_buf_steal(&out), f->mode, false,
				"rEFInd passes the second string of a line to the kernel");
}

/* Every boot option line: its second string is a kernel command line. */
static int read_refind(const struct vp_config *cfg, const struct vp_system *sys,
		       const struct vp_plan *plan, struct vp_boot_lines *out)
{
	const char *c = vp_boot_view(sys, plan, REFIND_CONF);
	unsigned line = 0;
	int r = 0;

	(void)cfg;
	for (const char *p = c; p && *p && r >= 0;) {
		size_t len = strcspn(p, "\n"), pos = 0, ts, te, os, oe;
		size_t lead = strspn(p, " \t");
		bool q1, q2;

		line++;
		if (lead < len && p[lead] != '#' && next_field(p, len, &pos, &ts, &te, &q1)) {
			_cleanup_free_ char *title = strndup(p + ts, te - ts);
			_cleanup_free_ char *opts = NULL;
			bool have = next_field(p, len, &pos, &os, &oe, &q2);

			opts = have ? strndup(p + os, oe - os) : NULL;
			if (!title || (have && !opts))
				return -ENOMEM;
			r = vp_boot_lines_add(out, REFIND_CONF, line, title, opts,
					      have ? NULL : "no kernel options after the title");
		}
		p += len + (p[len] == '\n');
	}
	return r;
}

/* For cmdline-diff.c: a line's options follow its quoted title. */
static const char *refind_line(const char *p, size_t len, char **what)
{
	const char *q;

	*what = NULL;
	if (len < 2 || *p != '"' || !(q = memchr(p + 1, '"', len - 1)))
		return NULL;
	*what = strndup(p + 1, q - p - 1);
	return q + 1;
}

static const struct vp_boot_target refind_conf = {
	.name = "refind",
	.in = {.files = VP_LIST(REFIND_CONF)},
	.plan = plan_refind,
	.read = read_refind,
	.line = refind_line,
};

/* refind-install writes the file on purpose; a grub.cfg beside it is often a leftover */
const struct vp_bootloader_def vp_bootloader_refind = {
	.name = "refind",
	.clues = {{50, .all = VP_LIST(REFIND_CONF)}},
	.routes = {{NULL, {{&refind_conf}}}},
};
