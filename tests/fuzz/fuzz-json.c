// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON writer (json.c) driven by the input as a little program: each
 * byte picks an operation (begin/end an object or array, a string, an
 * integer, a bool, null), strings and keys are taken from the input as they
 * are (any bytes but NUL, invalid UTF-8 included). Invariants: whatever
 * the sequence, the document is valid JSON (RFC 8259, checked by the strict
 * parser below) or the writer says it is not (-EINVAL: unbalanced, too
 * deep); every string written reads back as the input's bytes, invalid
 * UTF-8 sequences replaced by U+FFFD; no member key repeats an unkeyed value.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "json.h"

/* ---- a strict JSON reader, enough to check the writer ---- */

struct rd {
	const char *p, *end;
	char **strs;            /* the strings read, in order */
	size_t n, cap;
};

static void ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
		r->p++;
}

static void put_utf8(char **o, unsigned cp)
{
	if (cp < 0x80) {
		*(*o)++ = (char)cp;
	} else if (cp < 0x800) {
		*(*o)++ = (char)(0xc0 | cp >> 6);
		*(*o)++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*(*o)++ = (char)(0xe0 | cp >> 12);
		*(*o)++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*(*o)++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*(*o)++ = (char)(0xf0 | cp >> 18);
		*(*o)++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*(*o)++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*(*o)++ = (char)(0x80 | (cp & 0x3f));
	}
}

static int hex4(const char *p, unsigned *ret)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*ret = v;
	return 0;
}

/* A string: no raw control byte, valid escapes; decoded into r->strs. */
static bool str(struct rd *r)
{
	char *o, *s;

	if (r->p >= r->end || *r->p != '"')
		return false;
	r->p++;
	s = o = malloc((size_t)(r->end - r->p) * 2 + 1);
	if (!s)
		abort();
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p++;
		unsigned cp, lo;

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (r->p >= r->end)
			goto bad;
		switch (*r->p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (r->end - r->p < 4 || hex4(r->p, &cp) < 0)
				goto bad;
			r->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
				    hex4(r->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				r->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				goto bad;
			}
			put_utf8(&o, cp);
			break;
		default:
			goto bad;
		}
	}
	if (r->p >= r->end)
		goto bad;
	r->p++;
	*o = '\0';
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->strs = realloc(r->strs, r->cap * sizeof(*r->strs));
		if (!r->strs)
			abort();
	}
	r->strs[r->n++] = s;
	return true;
bad:
	free(s);
	return false;
}

static bool value(struct rd *r, int depth);

static bool number(struct rd *r)
{
	const char *start = r->p;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return false;
	if (*r->p == '0' && r->p + 1 < r->end && r->p[1] >= '0' && r->p[1] <= '9')
		return false;       /* no leading zero */
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > start;
}

static bool word(struct rd *r, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return false;
	r->p += n;
	return true;
}

static bool container(struct rd *r, int depth, char close, bool keyed)
{
	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return true;
	}
	for (;;) {
		ws(r);
		if (keyed) {
			if (!str(r))
				return false;
			ws(r);
			if (r->p >= r->end || *r->p++ != ':')
				return false;
		}
		if (!value(r, depth + 1))
			return false;
		ws(r);
		if (r->p >= r->end)
			return false;
		if (*r->p == close) {
			r->p++;
			return true;
		}
		if (*r->p++ != ',')
			return false;
	}
}

static bool value(struct rd *r, int depth)
{
	if (depth > 64)
		return false;
	ws(r);
	if (r->p >= r->end)
		return false;
	switch (*r->p) {
	case '{': return container(r, depth, '}', true);
	case '[': return container(r, depth, ']', false);
	case '"': return str(r);
	case 't': return word(r, "true");
	case 'f': return word(r, "false");
	case 'n': return word(r, "null");
	default: return number(r);
	}
}

/* ---- what the writer was given, as it should read back ---- */

/* s as JSON gives it back: each invalid UTF-8 sequence one U+FFFD. */
static char *expected(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;

	if (!out)
		abort();
	while (*p) {
		size_t n = 0;
		unsigned cp = 0;

		if (*p < 0x80) {
			*o++ = (char)*p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			n = 1, cp = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			n = 2, cp = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			n = 3, cp = *p & 0x07;
		for (size_t i = 1; n && i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				n = 0;
				break;
			}
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* overlong, surrogate, beyond U+10FFFF: not UTF-8 */
		if (n && ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
			  (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff))
			n = 0;
		if (!n) {
			put_utf8(&o, 0xfffd);
			p++;
			continue;
		}
		memcpy(o, p, n + 1);
		o += n + 1;
		p += n + 1;
	}
	*o = '\0';
	return out;
}

/* The next NUL-free chunk of the input (length from one byte), as a string. */
static char *take(const uint8_t **d, const uint8_t *end)
{
	size_t n = *d < end ? *(*d)++ % 24 : 0, k = 0;
	char *s = malloc(n + 1);

	if (!s)
		abort();
	while (k < n && *d < end) {
		uint8_t c = *(*d)++;

		if (c)
			s[k++] = (char)c;
	}
	s[k] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d = data, *end = data + size;
	struct vp_buf out = {0};
	struct vp_json j;
	char *want[512];
	bool keyed[VP_JSON_MAX_DEPTH + 2] = {true};  /* [0]: in the root object */
	size_t n_want = 0;
	int depth = 0, r;
	struct rd rd = {0};

	vp_json_init(&j, &out);
	vp_json_object_begin(&j, NULL);
	while (d < end && n_want + 2 < sizeof(want) / sizeof(*want)) {
		uint8_t op = *d++;
		/* inside an object a member needs a key; inside an array none */
		char *key = keyed[depth] ? take(&d, end) : NULL;

		if (key)
			want[n_want++] = key;
		switch (op % 9) {
		case 0:
			vp_json_object_begin(&j, key);
			keyed[depth + 1 < VP_JSON_MAX_DEPTH + 2 ? ++depth : depth] = true;
			break;
		case 1:
			vp_json_array_begin(&j, key);
			keyed[depth + 1 < VP_JSON_MAX_DEPTH + 2 ? ++depth : depth] = false;
			break;
		case 2:
			if (key)
				free(want[--n_want]);
			if (depth > 0) {
				if (keyed[depth])
					vp_json_object_end(&j);
				else
					vp_json_array_end(&j);
				depth--;
			}
			break;
		case 3: case 4: {
			char *s = take(&d, end);

			vp_json_str(&j, key, s);
			want[n_want++] = s;
			break;
		}
		case 5:
			vp_json_int(&j, key, (long long)op * 1000003LL - 200000000LL);
			break;
		case 6:
			vp_json_uint(&j, key, ~0ULL - op);
			break;
		case 7:
			vp_json_bool(&j, key, op & 1);
			break;
		default:
			vp_json_null(&j, key);
			break;
		}
	}
	while (depth-- > 0) {
		if (keyed[depth + 1])
			vp_json_object_end(&j);
		else
			vp_json_array_end(&j);
	}
	vp_json_object_end(&j);
	r = vp_json_finish(&j);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r == 0) {
		rd.p = out.s;
		rd.end = out.s + out.len;
		FUZZ_CHECK(value(&rd, 0));
		ws(&rd);
		FUZZ_CHECK(rd.p == rd.end);
		/* every key and string, in the order given, reads back as given */
		FUZZ_CHECK(rd.n == n_want);
		for (size_t i = 0; i < n_want; i++) {
			char *e = expected(want[i]);

			FUZZ_CHECK(strcmp(rd.strs[i], e) == 0);
			free(e);
		}
	}
	for (size_t i = 0; i < rd.n; i++)
		free(rd.strs[i]);
	free(rd.strs);
	for (size_t i = 0; i < n_want; i++)
		free(want[i]);
	vp_buf_free(&out);
	return 0;
}
