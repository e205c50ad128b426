// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The first release's journal (see journal.h): its text form, read to
 * upgrade a host to the ledger, and the path escaping both formats share.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fsroot.h"
#include "journal.h"

#define JOURNAL_MAGIC "# vfio-provision journal 1"

/* ---- journal ---- */

static void jentry_free(struct vp_jentry *e)
{
	free(e->path);
	free(e->backup);
}

void vp_journal_free(struct vp_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		jentry_free(&j->e[i]);
	free(j->e);
	j->e = NULL;
	j->n = 0;
}

int vp_journal_add(struct vp_journal *j, const struct vp_jentry *e)
{
	struct vp_jentry *v, *d;

	v = realloc(j->e, (j->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	j->e = v;
	d = &v[j->n];
	*d = *e;
	d->path = strdup(e->path);
	d->backup = e->backup ? strdup(e->backup) : NULL;
	if (!d->path || (e->backup && !d->backup)) {
		jentry_free(d);
		return -ENOMEM;
	}
	j->n++;
	return 0;
}

const struct vp_jentry *vp_journal_find(const struct vp_journal *j, enum vp_jkind kind,
					const char *path)
{
	for (size_t i = 0; i < j->n; i++) {
		bool file_like = j->e[i].kind != VP_J_DIR;

		if (strcmp(j->e[i].path, path) != 0)
			continue;
		/* a file entry is either "file" or "absent" */
		if ((kind == VP_J_DIR) == !file_like)
			return &j->e[i];
	}
	return NULL;
}

int vp_put_escaped(struct vp_buf *b, const char *s)
{
	int r = 0;

	for (; *s && r == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '\\' || c == 0x7f)
			r = vp_buf_printf(b, "\\x%02x", c);
		else
			r = vp_buf_add(b, s, 1);
	}
	return r;
}

int vp_unescape(char *s)
{
	char *w = s;

	for (char *p = s; *p; p++) {
		if (*p != '\\') {
			*w++ = *p;
			continue;
		}
		if (p[1] != 'x' || !isxdigit((unsigned char)p[2]) || !isxdigit((unsigned char)p[3]))
			return -EINVAL;
		char hex[3] = {p[2], p[3], 0};
		*w = (char)strtoul(hex, NULL, 16);
		if (*w == '\0')
			return -EINVAL;
		w++;
		p += 3;
	}
	*w = '\0';
	return 0;
}

int vp_journal_format(const struct vp_journal *j, char **ret)
{
	struct vp_buf b = {0};
	int r;

	r = vp_buf_puts(&b, JOURNAL_MAGIC "\n");
	for (size_t i = 0; i < j->n && r == 0; i++) {
		const struct vp_jentry *e = &j->e[i];

		switch (e->kind) {
		case VP_J_FILE:
			r = vp_buf_puts(&b, "file ");
			if (r == 0)
				r = vp_put_escaped(&b, e->path);
			if (r == 0)
				r = vp_buf_printf(&b, " %04o %u %u ", e->mode & 07777,
						  (unsigned)e->uid, (unsigned)e->gid);
			if (r == 0)
				r = vp_put_escaped(&b, e->backup);
			break;
		case VP_J_ABSENT:
			r = vp_buf_puts(&b, "absent ");
			if (r == 0)
				r = vp_put_escaped(&b, e->path);
			break;
		case VP_J_DIR:
			r = vp_buf_puts(&b, "dir ");
			if (r == 0)
				r = vp_put_escaped(&b, e->path);
			break;
		}
		if (r == 0)
			r = vp_buf_puts(&b, "\n");
	}
	if (r < 0) {
		vp_buf_free(&b);
		return r;
	}
	*ret = vp_buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
}

int vp_parse_uint(const char *s, int base, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int vp_journal_parse(const char *text, const char *name, struct vp_journal *ret,
		     char **ret_msg)
{
	_cleanup_free_ char *copy = strdup(text);
	struct vp_journal j = {0};
	char *line, *save = NULL;
	unsigned lineno = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	/* strtok_r would skip empty lines and hide their numbers: walk by hand */
	for (line = copy; line && *line; line = save) {
		char *f[6];
		size_t nf = 0;
		char *tok, *tsave = NULL;
		struct vp_jentry e = {0};
		unsigned long v;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, JOURNAL_MAGIC) != 0) {
				r = vp_fail(ret_msg, -EINVAL, "'%s':1: not a vfio-provision journal",
					    name);
				goto fail;
			}
			continue;
		}
		for (tok = strtok_r(line, " ", &tsave); tok; tok = strtok_r(NULL, " ", &tsave)) {
			if (nf == ARRAY_SIZE(f))
				goto bad;
			f[nf++] = tok;
		}
		if (nf == 0)
			goto bad;
		for (size_t i = 1; i < nf; i++)
			if (vp_unescape(f[i]) < 0)
				goto bad;
		if (strcmp(f[0], "file") == 0 && nf == 6) {
			e.kind = VP_J_FILE;
			if (vp_parse_uint(f[2], 8, 07777, &v) < 0)
				goto bad;
			e.mode = (unsigned)v;
			if (vp_parse_uint(f[3], 10, UINT32_MAX - 1, &v) < 0)
				goto bad;
			e.uid = (uid_t)v;
			if (vp_parse_uint(f[4], 10, UINT32_MAX - 1, &v) < 0)
				goto bad;
			e.gid = (gid_t)v;
			/* backups live in our state dir: no way out of it */
			if (!vp_startswith(f[5], "backups/") || strchr(f[5] + 8, '/') ||
			    strcmp(f[5] + 8, "..") == 0 || strcmp(f[5] + 8, ".") == 0 || !f[5][8])
				goto bad;
			e.backup = f[5];
		} else if (strcmp(f[0], "absent") == 0 && nf == 2) {
			e.kind = VP_J_ABSENT;
		} else if (strcmp(f[0], "dir") == 0 && nf == 2) {
			e.kind = VP_J_DIR;
		} else {
			goto bad;
		}
		if (f[1][0] != '/')
			goto bad;
		e.path = f[1];
		r = vp_journal_add(&j, &e);
		if (r < 0)
			goto fail;
		continue;
bad:
		r = vp_fail(ret_msg, -EINVAL, "'%s':%u: malformed journal entry", name, lineno);
		goto fail;
	}
	if (lineno == 0) {
		r = vp_fail(ret_msg, -EINVAL, "'%s':1: not a vfio-provision journal", name);
		goto fail;
	}
	*ret = j;
	return 0;
fail:
	vp_journal_free(&j);
	return r;
}

int vp_journal_load(const struct vp_root *root, struct vp_journal *ret, char **ret_msg)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = vp_root_read_max(root, VP_JOURNAL_PATH, VP_MAX_TEXT, &text, &len, NULL, ret_msg);
	if (r == -ENOENT) {
		*ret = (struct vp_journal){0};
		return 0;
	}
	if (r < 0)
		return r;
	if (strlen(text) != len)
		return vp_fail(ret_msg, -EINVAL, "'%s': contains NUL bytes", VP_JOURNAL_PATH);
	return vp_journal_parse(text, VP_JOURNAL_PATH, ret, ret_msg);
}

int vp_journal_save(const struct vp_root *root, const struct vp_journal *j, char **ret_msg)
{
	static const struct vp_fsroot_attr attr = {.mode = 0600};
	_cleanup_free_ char *text = NULL;
	int r;

	r = vp_journal_format(j, &text);
	if (r < 0)
		return r;
	return vp_fsroot_write(root, VP_JOURNAL_PATH, text, strlen(text), &attr, ret_msg);
}

