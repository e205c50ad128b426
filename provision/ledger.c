// SPDX-License-Identifier: GPL-2.0-or-later
/* The ledger of what we own (see ledger.h): text form, blobs, load and save. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "dir-iter.h"
#include "fsroot.h"
#include "ledger.h"
#include "number.h"
#include "vpe.h"
#include "strmap.h"

#define LEDGER_MAGIC "# vfio-provision ledger 3"
#define LEDGER_MAGIC_2 "# vfio-provision ledger 2"     /* no end line; read only */
#define MANAGED_HEADER "# Managed by vfio-provision"

void vp_bytes_free(struct vp_bytes *b)
{
	free(b->data);
	*b = (struct vp_bytes){0};
}

int vp_bytes_set(struct vp_bytes *b, bool exists, const char *data, size_t len)
{
	char *d = NULL;

	if (exists) {
		d = malloc(len + 1);
		if (!d)
			return -ENOMEM;
		if (len)
			memcpy(d, data, len);
		d[len] = '\0';
	}
	free(b->data);
	*b = (struct vp_bytes){.exists = exists, .data = d, .len = exists ? len : 0};
	return 0;
}

bool vp_bytes_eq(const struct vp_bytes *a, const struct vp_bytes *b)
{
	if (a->exists != b->exists)
		return false;
	return !a->exists || (a->len == b->len && memcmp(a->data, b->data, a->len) == 0);
}

static void owned_free(struct vp_owned *o)
{
	free(o->path);
	vp_bytes_free(&o->base);
	vp_bytes_free(&o->ours);
	vp_bytes_free(&o->next_content);
	vp_bytes_free(&o->next_base);
	free(o->base_blob);
	free(o->ours_blob);
	free(o->next_blob);
	free(o->next_base_blob);
}

void vp_ledger_free(struct vp_ledger *l)
{
	for (size_t i = 0; i < l->n; i++)
		owned_free(&l->f[i]);
	free(l->f);
	vp_strv_free(&l->dirs);
	vp_strv_free(&l->unfinished);
	*l = (struct vp_ledger){0};
}

struct vp_owned *vp_ledger_find(const struct vp_ledger *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->f[i].path, path) == 0)
			return &l->f[i];
	return NULL;
}

/* A new empty entry for path at the end (the caller knows it is not there). */
static int ledger_append(struct vp_ledger *l, const char *path, struct vp_owned **ret)
{
	struct vp_owned *f;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if (cap > SIZE_MAX / sizeof(*f))
			return -ENOMEM;
		f = realloc(l->f, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		l->f = f;
		l->cap = cap;
	}
	f = &l->f[l->n];
	*f = (struct vp_owned){.path = strdup(path)};
	if (!f->path)
		return -ENOMEM;
	l->n++;
	*ret = f;
	return 0;
}

int vp_ledger_get(struct vp_ledger *l, const char *path, struct vp_owned **ret)
{
	struct vp_owned *f = vp_ledger_find(l, path);

	if (f) {
		*ret = f;
		return 0;
	}
	return ledger_append(l, path, ret);
}

void vp_ledger_remove(struct vp_ledger *l, const char *path)
{
	struct vp_owned *f = vp_ledger_find(l, path);

	if (!f)
		return;
	owned_free(f);
	memmove(f, f + 1, (size_t)(&l->f[l->n] - (f + 1)) * sizeof(*f));
	l->n--;
}

void vp_owned_clear_next(struct vp_owned *o)
{
	o->next = VP_NEXT_NONE;
	vp_bytes_free(&o->next_content);
	vp_bytes_free(&o->next_base);
	free(o->next_blob);
	free(o->next_base_blob);
	o->next_blob = o->next_base_blob = NULL;
}

void vp_owned_commit(struct vp_owned *o)
{
	vp_bytes_free(&o->ours);
	vp_bytes_free(&o->base);
	free(o->ours_blob);
	free(o->base_blob);
	o->ours = o->next_content;
	o->ours_blob = o->next_blob;
	o->base = o->next_base;
	o->base_blob = o->next_base_blob;
	o->mode = o->next_mode;
	o->uid = o->next_uid;
	o->gid = o->next_gid;
	o->next_content = o->next_base = (struct vp_bytes){0};
	o->next_blob = o->next_base_blob = NULL;
	o->next = VP_NEXT_NONE;
	o->committed = true;
}

int vp_ledger_record(struct vp_ledger *l, const char *path, bool whole,
		     const struct vp_bytes *base, const struct vp_bytes *content)
{
	struct vp_owned *o;
	int r;

	if (vp_bytes_eq(base, content)) {
		vp_ledger_remove(l, path);
		return 0;
	}
	r = vp_ledger_get(l, path, &o);
	if (r < 0)
		return r;
	r = vp_bytes_set(&o->base, base->exists, base->data, base->len);
	if (r >= 0)
		r = vp_bytes_set(&o->ours, content->exists, content->data, content->len);
	o->whole = whole;
	o->committed = true;
	return r;
}

/* ---- text ---- */

/* Paths: \xHH for bytes <= ' ', '\\' and 0x7f, so that a line splits on blanks. */
static int put_escaped(struct vp_buf *b, const char *s)
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

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* In place; a NUL byte or a backslash not followed by xHH is refused. */
static int unescape(char *s)
{
	char *w = s;

	for (char *p = s; *p; p++) {
		int hi, lo;

		if (*p != '\\') {
			*w++ = *p;
			continue;
		}
		hi = p[1] == 'x' ? hex_digit(p[2]) : -1;
		lo = hi >= 0 ? hex_digit(p[3]) : -1;
		if (lo < 0 || (hi | lo) == 0)
			return -EINVAL;
		*w++ = (char)(hi << 4 | lo);
		p += 3;
	}
	*w = '\0';
	return 0;
}

static int put_base(struct vp_buf *b, unsigned mode, uid_t uid, gid_t gid,
		    const struct vp_bytes *base, const char *blob)
{
	if (!base->exists)
		return vp_buf_puts(b, " -");
	return vp_buf_printf(b, " %04o:%u:%u:%s", mode & 07777, (unsigned)uid, (unsigned)gid,
			     blob);
}

static int put_line(struct vp_buf *b, const char *kind, const struct vp_owned *o)
{
	int r = vp_buf_printf(b, "%s ", kind);

	if (r >= 0)
		r = put_escaped(b, o->path);
	return r;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; (s = strchr(s, '\n')); s++)
		n++;
	return n;
}

int vp_ledger_format(const struct vp_ledger *l, char **ret)
{
	struct vp_buf b = {0};
	int r;

	r = vp_buf_puts(&b, LEDGER_MAGIC "\n");
	for (size_t i = 0; i < l->n && r >= 0; i++) {
		const struct vp_owned *o = &l->f[i];
		const char *kind = o->whole ? " whole" : " shared";

		if (o->committed) {
			r = put_line(&b, "file", o);
			if (r >= 0)
				r = vp_buf_puts(&b, kind);
			if (r >= 0)
				r = put_base(&b, o->mode, o->uid, o->gid, &o->base, o->base_blob);
			if (r >= 0)
				r = vp_buf_printf(&b, " %s\n", o->ours.exists ? o->ours_blob : "-");
		}
		if (r >= 0 && o->next != VP_NEXT_NONE) {
			const char *c = o->next_content.exists ? o->next_blob : "-";

			r = put_line(&b, o->next == VP_NEXT_SET ? "next" : "drop", o);
			if (r >= 0 && o->next == VP_NEXT_SET) {
				r = vp_buf_puts(&b, kind);
				if (r >= 0)
					r = put_base(&b, o->next_mode, o->next_uid, o->next_gid,
						     &o->next_base, o->next_base_blob);
			}
			if (r >= 0)
				r = vp_buf_printf(&b, " %s\n", c);
		}
	}
	for (size_t i = 0; i < l->dirs.n && r >= 0; i++) {
		r = vp_buf_puts(&b, "dir ");
		if (r >= 0)
			r = put_escaped(&b, l->dirs.v[i]);
		if (r >= 0)
			r = vp_buf_puts(&b, "\n");
	}
	if (r >= 0)
		r = vp_buf_printf(&b, "end %zu %08lx\n", count_lines(b.s) - 1,
				  crc32(0, (const Bytef *)b.s, (uInt)b.len));
	if (r < 0) {
		vp_buf_free(&b);
		return r;
	}
	*ret = vp_buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
}

/*
 * "blobs/N", N from 1 to ULONG_MAX without leading zeros: nothing else, so
 * a ledger cannot name a file outside our state, and every name read has a
 * number that blob_no() gives back exactly.
 */
static bool blob_name_ok(const char *s)
{
	unsigned long v;

	if (!vp_startswith(s, "blobs/") || s[6] == '0')
		return false;
	for (const char *p = s + 6; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return vp_parse_uint(s + 6, 10, ULONG_MAX, &v) == 0;
}

static int parse_base(char *f, unsigned *mode, uid_t *uid, gid_t *gid, char **ret_blob)
{
	unsigned long v;
	char *p[4];

	*ret_blob = NULL;
	if (strcmp(f, "-") == 0)
		return 0;
	p[0] = f;
	for (int i = 1; i < 4; i++) {
		p[i] = strchr(p[i - 1], ':');
		if (!p[i])
			return -EINVAL;
		*p[i]++ = '\0';
	}
	if (vp_parse_uint(p[0], 8, 07777, &v) < 0)
		return -EINVAL;
	*mode = (unsigned)v;
	if (vp_parse_uint(p[1], 10, UINT32_MAX - 1, &v) < 0)
		return -EINVAL;
	*uid = (uid_t)v;
	if (vp_parse_uint(p[2], 10, UINT32_MAX - 1, &v) < 0)
		return -EINVAL;
	*gid = (gid_t)v;
	if (!blob_name_ok(p[3]))
		return -EINVAL;
	*ret_blob = p[3];
	return 0;
}

static int set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
	return s && !*dst ? -ENOMEM : 0;
}

/* What a ledger's parse keeps to find a path's entry and a dir in constant time. */
struct parse_maps {
	struct vp_strmap files;         /* path -> index in l->f */
	struct vp_strmap dirs;          /* path -> index in l->dirs */
};

/* One line's fields into the entry; -EINVAL when malformed. */
static int parse_entry(struct vp_ledger *l, struct parse_maps *m, char **f, size_t nf)
{
	struct vp_owned *o;
	char *blob = NULL;
	bool set = strcmp(f[0], "next") == 0, drop = strcmp(f[0], "drop") == 0;
	bool file = strcmp(f[0], "file") == 0;
	long idx;
	int r;

	if (strcmp(f[0], "dir") == 0 && nf == 2) {
		/* a directory named twice is one directory */
		if (vp_strmap_get(&m->dirs, f[1]) >= 0)
			return 0;
		r = vp_strv_push(&l->dirs, f[1]);
		return r < 0 ? r : vp_strmap_put(&m->dirs, l->dirs.v[l->dirs.n - 1], l->dirs.n - 1);
	}
	if (!((file || set) && nf == 5) && !(drop && nf == 3))
		return -EINVAL;
	idx = vp_strmap_get(&m->files, f[1]);
	if (file && idx >= 0)
		return -EINVAL;         /* one committed state a path */
	if (idx >= 0) {
		o = &l->f[idx];
	} else {
		r = ledger_append(l, f[1], &o);
		if (r >= 0)
			r = vp_strmap_put(&m->files, o->path, l->n - 1);
		if (r < 0)
			return r;
	}
	if ((set || drop) && o->next != VP_NEXT_NONE)
		return -EINVAL;
	if (file || set) {
		if (strcmp(f[2], "whole") != 0 && strcmp(f[2], "shared") != 0)
			return -EINVAL;
		o->whole = strcmp(f[2], "whole") == 0;
	}
	if (file) {
		r = parse_base(f[3], &o->mode, &o->uid, &o->gid, &blob);
		if (r >= 0)
			r = set_str(&o->base_blob, blob);
		if (r < 0)
			return r;
		o->base.exists = blob != NULL;
	} else if (set) {
		r = parse_base(f[3], &o->next_mode, &o->next_uid, &o->next_gid, &blob);
		if (r >= 0)
			r = set_str(&o->next_base_blob, blob);
		if (r < 0)
			return r;
		o->next_base.exists = blob != NULL;
	}
	blob = f[nf - 1];
	if (strcmp(blob, "-") == 0)
		blob = NULL;
	else if (!blob_name_ok(blob))
		return -EINVAL;
	if (file) {
		o->committed = true;
		o->ours.exists = blob != NULL;
		return set_str(&o->ours_blob, blob);
	}
	o->next = set ? VP_NEXT_SET : VP_NEXT_DROP;
	o->next_content.exists = blob != NULL;
	return set_str(&o->next_blob, blob);
}

/*
 * Version 3's last line, "end N CRC": *ret_body is where it starts (the
 * entries end there), *ret_n the number of entry lines it counts. A ledger
 * without it was cut short, or was never ours.
 */
static int check_end(const char *text, const char *name, unsigned n_lines, size_t *ret_body,
		     unsigned long *ret_n, char **ret_msg)
{
	size_t len = strlen(text), body;
	const char *last, *p;
	unsigned long long v;
	unsigned long n, crc;
	const char *end;

	if (len < 2 || text[len - 1] != '\n')
		goto cut;
	last = memrchr(text, '\n', len - 1);
	if (!last)
		goto cut;
	body = (size_t)(last + 1 - text);
	p = text + body;
	if (!vp_startswith(p, "end "))
		goto cut;
	if (vpe_parse_digits(p + 4, 10, ULONG_MAX, &v, &end) < 0 || *end != ' ')
		goto cut;
	n = (unsigned long)v;
	p = end + 1;
	for (size_t i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)p[i]))
			goto cut;
	if (p[8] != '\n')
		goto cut;
	if (vpe_parse_digits(p, 16, 0xffffffff, &v, &end) < 0)
		goto cut;
	crc = (unsigned long)v;
	if (crc != crc32(0, (const Bytef *)text, (uInt)body))
		return vp_fail(ret_msg, -EINVAL, "'%s':%u: checksum mismatch: the ledger was "
			       "changed or damaged since vfio-provision wrote it; not trusting it",
			       name, n_lines);
	*ret_body = body;
	*ret_n = n;
	return 0;
cut:
	return vp_fail(ret_msg, -EINVAL, "'%s':%u: no end line: the ledger was cut short or "
		       "damaged; not trusting it", name, n_lines);
}

int vp_ledger_parse(const char *text, const char *name, struct vp_ledger *ret, char **ret_msg)
{
	_cleanup_free_ char *copy = strdup(text);
	struct parse_maps maps = {0};
	struct vp_ledger l = {0};
	unsigned long want = 0;
	char *line, *next;
	unsigned lineno = 1;
	size_t body = 0;
	bool v3;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	next = strchr(copy, '\n');
	if (next)
		*next++ = '\0';
	v3 = strcmp(copy, LEDGER_MAGIC) == 0;
	if (!v3 && strcmp(copy, LEDGER_MAGIC_2) != 0)
		goto bad;
	if (v3) {
		r = check_end(text, name, (unsigned)count_lines(text), &body, &want, ret_msg);
		if (r < 0)
			goto fail;
		copy[body] = '\0';     /* the entries stop at the end line */
	}
	for (line = next; line; line = next) {
		char *f[6], *tok, *tsave = NULL;
		size_t nf = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else if (!*line)
			break;          /* after the last newline */
		lineno++;
		if (lineno - 1 > VP_LEDGER_MAX_LINES) {
			r = vp_fail(ret_msg, -EINVAL, "'%s':%u: more than %d entries: not a ledger of "
				    "ours", name, lineno, VP_LEDGER_MAX_LINES);
			goto fail;
		}
		for (tok = strtok_r(line, " ", &tsave); tok; tok = strtok_r(NULL, " ", &tsave)) {
			if (nf == ARRAY_SIZE(f))
				goto bad;
			f[nf++] = tok;
		}
		if (nf < 2 || unescape(f[1]) < 0 || f[1][0] != '/')
			goto bad;
		r = parse_entry(&l, &maps, f, nf);
		if (r == -EINVAL)
			goto bad;
		if (r < 0)
			goto fail;
	}
	if (v3 && want != lineno - 1) {
		r = vp_fail(ret_msg, -EINVAL, "'%s':%u: the end line counts %lu entries, the ledger "
			    "has %u: not trusting it", name, lineno + 1, want, lineno - 1);
		goto fail;
	}
	vp_strmap_free(&maps.files);
	vp_strmap_free(&maps.dirs);
	*ret = l;
	return 0;
bad:
	r = lineno <= 1 ? vp_fail(ret_msg, -EINVAL, "'%s':1: not a vfio-provision ledger", name)
			: vp_fail(ret_msg, -EINVAL, "'%s':%u: malformed ledger entry", name, lineno);
fail:
	vp_strmap_free(&maps.files);
	vp_strmap_free(&maps.dirs);
	vp_ledger_free(&l);
	return r;
}

/* ---- on disk ---- */

static int read_blob(const struct vp_root *root, const char *blob, struct vp_bytes *ret,
		     char **ret_msg)
{
	_cleanup_free_ char *path = NULL, *data = NULL, *msg = NULL;
	size_t len;
	int r;

	if (!blob)
		return vp_bytes_set(ret, false, NULL, 0);
	path = vp_strdup_printf(VP_STATE_DIR "/%s", blob);
	if (!path)
		return -ENOMEM;
	/* a blob holds one of the text files we edit: the same cap */
	r = vp_root_read_max(root, path, VP_MAX_TEXT, &data, &len, NULL, &msg);
	if (r == -ENOENT)
		return vp_fail(ret_msg, r, "'%s': named by the ledger, missing", path);
	if (r < 0)
		return vp_fail(ret_msg, r, "%s (named by the ledger)", msg);
	return vp_bytes_set(ret, true, data, len);
}

int vp_bytes_read(const struct vp_root *root, const char *path, struct vp_bytes *ret,
		  char **ret_msg)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r;

	r = vp_root_read_max(root, path, VP_MAX_TEXT, &data, &len, NULL, ret_msg);
	if (r == -ENOENT)
		return vp_bytes_set(ret, false, NULL, 0);
	if (r < 0)
		return r;
	return vp_bytes_set(ret, true, data, len);
}

/* An in-flight line: did its write happen? Then it is the state, else it goes. */
static int settle(const struct vp_root *root, struct vp_ledger *l, size_t *i, char **ret_msg)
{
	struct vp_owned *o = &l->f[*i];
	struct vp_bytes cur = {0};
	bool done;
	int r;

	r = vp_bytes_read(root, o->path, &cur, ret_msg);
	if (r < 0)
		return r;
	done = vp_bytes_eq(&cur, &o->next_content);
	vp_bytes_free(&cur);
	if (done && (o->next == VP_NEXT_DROP || vp_bytes_eq(&o->next_content, &o->next_base))) {
		vp_ledger_remove(l, o->path);
		(*i)--;
		return 0;
	}
	if (!done) {
		r = vp_strv_push_unique(&l->unfinished, o->path);
		if (r < 0)
			return r;
	}
	if (!done && !o->committed) {
		vp_ledger_remove(l, o->path);
		(*i)--;
		return 0;
	}
	if (done)
		vp_owned_commit(o);
	vp_owned_clear_next(o);
	return 0;
}

/*
 * Before anything is read or written: no name of our state directory is a
 * link (the resolver refuses one there, see main.c), dangling or not. A
 * link found only when blobs are swept, after the files were written,
 * would stop apply half-way.
 */
static int state_check(const struct vp_root *root, char **ret_msg)
{
	static const char *const paths[] = {VP_STATE_DIR, VP_LEDGER_PATH, VP_BLOB_DIR,
					    VP_LOCK_PATH};
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		_cleanup_free_ char *msg = NULL;
		int r = vp_root_stat(root, paths[i], &st, &msg);

		if (r < 0 && r != -ENOENT)
			return msg ? vp_fail(ret_msg, r, "%s", msg)
				   : vp_fail(ret_msg, r, "'%s': %s", paths[i], strerror(-r));
	}
	return 0;
}

int vp_ledger_load(const struct vp_root *root, struct vp_ledger *ret, char **ret_msg)
{
	_cleanup_free_ char *text = NULL;
	struct vp_ledger l = {0};
	size_t len;
	int r;

	r = state_check(root, ret_msg);
	if (r < 0)
		return r;
	r = vp_root_read_max(root, VP_LEDGER_PATH, VP_MAX_TEXT, &text, &len, NULL, ret_msg);
	if (r == -ENOENT) {
		*ret = (struct vp_ledger){0};
		return 0;
	}
	if (r < 0)
		return r;
	if (strlen(text) != len)
		return vp_fail(ret_msg, -EINVAL, "'%s': contains NUL bytes", VP_LEDGER_PATH);
	r = vp_ledger_parse(text, VP_LEDGER_PATH, &l, ret_msg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l.n && r >= 0; i++) {
		struct vp_owned *o = &l.f[i];

		r = read_blob(root, o->base_blob, &o->base, ret_msg);
		if (r >= 0 && o->committed)
			r = read_blob(root, o->ours_blob, &o->ours, ret_msg);
		if (r >= 0 && o->next != VP_NEXT_NONE)
			r = read_blob(root, o->next_blob, &o->next_content, ret_msg);
		if (r >= 0 && o->next == VP_NEXT_SET)
			r = read_blob(root, o->next_base_blob, &o->next_base, ret_msg);
		if (r >= 0 && o->next != VP_NEXT_NONE)
			r = settle(root, &l, &i, ret_msg);
	}
	if (r < 0) {
		vp_ledger_free(&l);
		return r;
	}
	*ret = l;
	return 0;
}

bool vp_ledger_present(const struct vp_root *root)
{
	struct stat st;

	return vp_root_stat(root, VP_LEDGER_PATH, &st, NULL) != -ENOENT;
}

static unsigned long blob_no(const char *blob)
{
	unsigned long v;

	/* blob_name_ok() took it: digits that fit */
	return blob && vp_parse_uint(blob + 6, 10, ULONG_MAX, &v) == 0 ? v : 0;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/*
 * The number of a new blob: one past the highest in use, or, when that is
 * ULONG_MAX already (a ledger naming blobs/18446744073709551615), the lowest
 * one free: never 0, never a number in use.
 */
static int next_blob_no(const struct vp_ledger *l, unsigned long *ret)
{
	unsigned long max = 0, want = 1, *v;
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct vp_owned *o = &l->f[i];
		unsigned long u[] = {blob_no(o->base_blob), blob_no(o->ours_blob),
				     blob_no(o->next_blob), blob_no(o->next_base_blob)};

		for (size_t k = 0; k < ARRAY_SIZE(u); k++)
			if (u[k] > max)
				max = u[k];
	}
	if (max < ULONG_MAX) {
		*ret = max + 1;
		return 0;
	}
	v = calloc(l->n * 4, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		v[n++] = blob_no(l->f[i].base_blob);
		v[n++] = blob_no(l->f[i].ours_blob);
		v[n++] = blob_no(l->f[i].next_blob);
		v[n++] = blob_no(l->f[i].next_base_blob);
	}
	qsort(v, n, sizeof(*v), cmp_ulong);
	/* at most 4 n numbers in use: one of 1 .. 4 n + 1 is free */
	for (size_t i = 0; i < n && v[i] <= want; i++)
		if (v[i] == want)
			want++;
	free(v);
	*ret = want;
	return 0;
}

static bool blob_named(const struct vp_ledger *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct vp_owned *o = &l->f[i];

		if (vp_streq(o->base_blob, name) || vp_streq(o->next_blob, name) ||
		    vp_streq(o->next_base_blob, name) ||
		    (o->ours.exists && vp_streq(o->ours_blob, name)))
			return true;
	}
	return false;
}

int vp_ledger_blob(const struct vp_root *root, const struct vp_ledger *l, const char *data,
		   size_t len, char **ret, char **ret_msg)
{
	static const struct vp_fsroot_attr attr = {.mode = 0600};
	_cleanup_free_ char *path = NULL;
	unsigned long no;
	int r;

	r = next_blob_no(l, &no);
	if (r < 0)
		return r;
	*ret = vp_strdup_printf("blobs/%lu", no);
	path = vp_strdup_printf(VP_STATE_DIR "/blobs/%lu", no);
	if (!*ret || !path)
		return -ENOMEM;
	r = vp_fsroot_write(root, path, data, len, &attr, ret_msg);
	if (r < 0) {
		free(*ret);
		*ret = NULL;
	}
	return r;
}

/* "N", or ".N.vp-tmp" (a write cut short): the names we give files in blobs/. */
static bool our_name(const char *name)
{
	size_t n;

	if (name[0] == '.') {
		name++;
		n = strlen(name);
		if (n <= strlen("." VP_TMP_SUFFIX) || strcmp(name + n - strlen(VP_TMP_SUFFIX),
							     VP_TMP_SUFFIX) != 0)
			return false;
		n -= strlen(VP_TMP_SUFFIX);
	} else {
		n = strlen(name);
	}
	for (size_t i = 0; i < n; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return n > 0;
}

/*
 * Removes the files of dir (in the state directory) that we wrote and no
 * line of l names (l NULL: every one). Anything else there, a file someone
 * put there or a directory, stays.
 */
struct sweep {
	const char *dir;
	const struct vp_ledger *l;
	char **ret_msg;
};

static int sweep_one(int dfd, const char *name, void *userdata)
{
	const struct sweep *s = userdata;
	_cleanup_free_ char *blob = NULL;
	struct stat st;

	if (!our_name(name) || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	blob = vp_strdup_printf("%s/%s", strrchr(s->dir, '/') + 1, name);
	if (!blob)
		return -ENOMEM;
	if (s->l && blob_named(s->l, blob))
		return 0;
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return vp_fail(s->ret_msg, -errno, "'%s/%s': cannot remove: %s", s->dir, name,
			       strerror(errno));
	return 0;
}

static int sweep(const struct vp_root *root, const char *dir, const struct vp_ledger *l,
		 char **ret_msg)
{
	struct sweep s = {.dir = dir, .l = l, .ret_msg = ret_msg};
	int r = vp_dir_each(root, dir, sweep_one, &s, ret_msg);

	return r == -ENOENT ? 0 : r;
}

int vp_ledger_save(const struct vp_root *root, const struct vp_ledger *l, char **ret_msg)
{
	static const struct vp_fsroot_attr attr = {.mode = 0600};
	_cleanup_free_ char *text = NULL;
	int r;

	r = vp_ledger_format(l, &text);
	if (r < 0)
		return r;
	r = vp_fsroot_write(root, VP_LEDGER_PATH, text, strlen(text), &attr, ret_msg);
	if (r < 0)
		return r;
	/* after the commit point: what no line names is garbage */
	return sweep(root, VP_BLOB_DIR, l, ret_msg);
}
