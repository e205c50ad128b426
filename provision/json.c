// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void vp_json_init(struct vp_json *j, struct vp_buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

static void put(struct vp_json *j, const char *s)
{
	if (!j->err)
		j->err = vp_buf_puts(j->out, s);
}

static void indent(struct vp_json *j)
{
	for (int i = 0; i < j->depth; i++)
		put(j, "  ");
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int vp_json_escape(struct vp_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int r = vp_buf_add(out, "\"", 1);

	while (r == 0 && *p) {
		size_t n = 0;
		char esc[8];

		/* a run of plain ASCII in one go: most of what we write */
		while (p[n] >= 0x20 && p[n] < 0x7f && p[n] != '"' && p[n] != '\\')
			n++;
		if (n) {
			r = vp_buf_add(out, (const char *)p, n);
			p += n;
			continue;
		}
		n = utf8_len(p);

		if (n == 0) {
			r = vp_buf_puts(out, "\\ufffd");
			p++;
			continue;
		}
		if (n > 1) {
			r = vp_buf_add(out, (const char *)p, n);
			p += n;
			continue;
		}
		switch (*p) {
		case '"': r = vp_buf_puts(out, "\\\""); break;
		case '\\': r = vp_buf_puts(out, "\\\\"); break;
		case '\n': r = vp_buf_puts(out, "\\n"); break;
		case '\t': r = vp_buf_puts(out, "\\t"); break;
		case '\r': r = vp_buf_puts(out, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				r = vp_buf_puts(out, esc);
			} else {
				r = vp_buf_add(out, (const char *)p, 1);
			}
		}
		p++;
	}
	return r < 0 ? r : vp_buf_add(out, "\"", 1);
}

/* Separator, newline, indentation and "key": before a value. */
static void member(struct vp_json *j, const char *key)
{
	if (j->depth > 0) {
		put(j, j->first[j->depth] ? "\n" : ",\n");
		indent(j);
	}
	j->first[j->depth] = false;
	if (key && !j->err) {
		j->err = vp_json_escape(j->out, key);
		put(j, ": ");
	}
}

static void open_(struct vp_json *j, const char *key, const char *c)
{
	member(j, key);
	put(j, c);
	if (j->depth + 1 >= VP_JSON_MAX_DEPTH) {
		if (!j->err)
			j->err = -EINVAL;
		return;
	}
	j->first[++j->depth] = true;
}

static void close_(struct vp_json *j, const char *c)
{
	bool empty;

	if (j->depth == 0) {
		if (!j->err)
			j->err = -EINVAL;
		return;
	}
	empty = j->first[j->depth--];
	if (!empty) {
		put(j, "\n");
		indent(j);
	}
	put(j, c);
}

void vp_json_object_begin(struct vp_json *j, const char *key) { open_(j, key, "{"); }
void vp_json_object_end(struct vp_json *j) { close_(j, "}"); }
void vp_json_array_begin(struct vp_json *j, const char *key) { open_(j, key, "["); }
void vp_json_array_end(struct vp_json *j) { close_(j, "]"); }

void vp_json_str(struct vp_json *j, const char *key, const char *s)
{
	member(j, key);
	if (!s)
		put(j, "null");
	else if (!j->err)
		j->err = vp_json_escape(j->out, s);
}

void vp_json_int(struct vp_json *j, const char *key, long long v)
{
	member(j, key);
	if (!j->err)
		j->err = vp_buf_printf(j->out, "%lld", v);
}

void vp_json_uint(struct vp_json *j, const char *key, unsigned long long v)
{
	member(j, key);
	if (!j->err)
		j->err = vp_buf_printf(j->out, "%llu", v);
}

void vp_json_bool(struct vp_json *j, const char *key, bool v)
{
	member(j, key);
	put(j, v ? "true" : "false");
}

void vp_json_null(struct vp_json *j, const char *key)
{
	member(j, key);
	put(j, "null");
}

int vp_json_finish(struct vp_json *j)
{
	if (!j->err && j->depth != 0)
		j->err = -EINVAL;
	put(j, "\n");
	return j->err;
}
