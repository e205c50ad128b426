// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vp.h"

int vp_log_level = 1;

static int buf_reserve(struct vp_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap = b->cap ? b->cap : 64;
	char *s;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s)
		return -ENOMEM;
	b->s = s;
	b->cap = cap;
	return 0;
}

int vp_buf_add(struct vp_buf *b, const char *s, size_t n)
{
	int r = b->err ? b->err : buf_reserve(b, n);

	if (r < 0)
		return b->err = r;
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int vp_buf_puts(struct vp_buf *b, const char *s)
{
	return vp_buf_add(b, s, strlen(s));
}

int vp_buf_vprintf(struct vp_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n, r;

	size_t room;

	if (b->err)
		return b->err;
	/* into the room there is, most often enough: formatted once */
	room = b->cap > b->len ? b->cap - b->len : 0;
	va_copy(aq, ap);
	n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, aq);
	va_end(aq);
	if (n < 0)
		return b->err = -EINVAL;
	if ((size_t)n >= room) {
		r = buf_reserve(b, (size_t)n);
		if (r < 0)
			return b->err = r;
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
	return 0;
}

int vp_buf_printf(struct vp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vp_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

char *vp_buf_steal(struct vp_buf *b)
{
	char *s = b->s;

	if (!s)
		s = strdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	b->err = 0;
	return s;
}

void vp_buf_free(struct vp_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

int vp_strv_push_take(struct vp_strv *sv, char *s)
{
	if (!s)
		return -ENOMEM;
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v) {
			free(s);
			return -ENOMEM;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int vp_strv_push(struct vp_strv *sv, const char *s)
{
	return vp_strv_push_take(sv, strdup(s));
}

bool vp_strv_contains(const struct vp_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

int vp_strv_push_unique(struct vp_strv *sv, const char *s)
{
	if (vp_strv_contains(sv, s))
		return 0;
	return vp_strv_push(sv, s);
}

int vp_strv_vpushf(struct vp_strv *sv, bool unique, const char *fmt, va_list ap)
{
	char *s = vp_strdup_vprintf(fmt, ap);

	if (s && unique && vp_strv_contains(sv, s)) {
		free(s);
		return 0;
	}
	return vp_strv_push_take(sv, s);
}

int vp_strv_pushf(struct vp_strv *sv, bool unique, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vp_strv_vpushf(sv, unique, fmt, ap);
	va_end(ap);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vp_strv_sort(struct vp_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

void vp_strv_free(struct vp_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

char *vp_strdup_vprintf(const char *fmt, va_list ap)
{
	char *s;

	/* formatted once (into a buffer on the stack first), not measured first */
	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

char *vp_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vp_strdup_vprintf(fmt, ap);
	va_end(ap);
	return s;
}

bool vp_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool vp_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool vp_dropin_name(const char *name, const char *suffix)
{
	size_t n = strlen(name), sl = strlen(suffix);

	return name[0] != '.' && n > sl && strcmp(name + n - sl, suffix) == 0;
}

char *vp_strstrip(char *s)
{
	size_t lead = 0;
	char *e;

	while (isspace((unsigned char)s[lead]))
		lead++;
	if (lead)
		memmove(s, s + lead, strlen(s + lead) + 1);
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int vp_buf_put_printable(struct vp_buf *b, const char *s, size_t len, const char *keep)
{
	size_t run = 0;
	int r = 0;

	for (size_t i = 0; i < len && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		/* U+0080..U+009F (C1: 0x9b is a CSI of its own) as UTF-8 */
		bool c1 = c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
			  (unsigned char)s[i + 1] <= 0x9f;

		if (!c1 && !(c < 0x20 && !(c && strchr(keep, c))) && c != 0x7f)
			continue;
		r = vp_buf_add(b, s + run, i - run);
		if (r == 0)
			r = vp_buf_printf(b, "\\x%02x", c);
		if (r == 0 && c1)
			r = vp_buf_printf(b, "\\x%02x", (unsigned char)s[++i]);
		run = i + 1;
	}
	return r ? r : vp_buf_add(b, s + run, len - run);
}

void vp_fprintf_human(FILE *f, const char *fmt, ...)
{
	struct vp_buf raw = {0}, out = {0};
	va_list ap;

	va_start(ap, fmt);
	vp_buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	if (raw.err == 0)
		vp_buf_put_printable(&out, raw.s, raw.len, "\n\t");
	if (raw.err == 0 && out.err == 0)
		fwrite(out.s, 1, out.len, f);
	vp_buf_free(&raw);
	vp_buf_free(&out);
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	struct vp_buf b = {0}, msg = {0};

	/* one line: a newline in a value must not start a line of its own */
	vp_buf_puts(&b, "vfio-provision: ");
	if (prefix)
		vp_buf_puts(&b, prefix);
	vp_buf_vprintf(&msg, fmt, ap);
	if (msg.err == 0)
		vp_buf_put_printable(&b, msg.s, msg.len, "\t");
	vp_buf_puts(&b, "\n");
	if (b.err == 0)
		fwrite(b.s, 1, b.len, stderr);
	vp_buf_free(&b);
	vp_buf_free(&msg);
}

#define DEFINE_LOG(name, min, prefix)             \
	void name(const char *fmt, ...)           \
	{                                         \
		va_list ap;                       \
		if (vp_log_level < (min))         \
			return;                   \
		va_start(ap, fmt);                \
		vlog(prefix, fmt, ap);            \
		va_end(ap);                       \
	}

DEFINE_LOG(vp_err, 0, NULL)
DEFINE_LOG(vp_warn, 1, "warning: ")
DEFINE_LOG(vp_info, 1, NULL)
DEFINE_LOG(vp_debug, 2, "debug: ")

int vp_fail(char **ret_msg, int err, const char *fmt, ...)
{
	va_list ap;

	if (!ret_msg || *ret_msg)
		return err;
	va_start(ap, fmt);
	*ret_msg = vp_strdup_vprintf(fmt, ap);
	va_end(ap);
	return err;
}
