/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small JSON writer into a vp_buf: pretty-printed (two spaces), strings
 * escaped per RFC 8259, invalid UTF-8 replaced by U+FFFD so the output is
 * always valid. Errors are sticky: check the result of vp_json_finish().
 * key is the member name inside an object, NULL inside an array.
 */
#pragma once

#include <stdbool.h>

#include "vp.h"

#define VP_JSON_MAX_DEPTH 32

struct vp_json {
	struct vp_buf *out;
	int depth;
	bool first[VP_JSON_MAX_DEPTH];  /* no member written yet at this depth */
	int err;
};

void vp_json_init(struct vp_json *j, struct vp_buf *out);
void vp_json_object_begin(struct vp_json *j, const char *key);
void vp_json_object_end(struct vp_json *j);
void vp_json_array_begin(struct vp_json *j, const char *key);
void vp_json_array_end(struct vp_json *j);
void vp_json_str(struct vp_json *j, const char *key, const char *s); /* NULL -> null */
void vp_json_int(struct vp_json *j, const char *key, long long v);
void vp_json_uint(struct vp_json *j, const char *key, unsigned long long v);
void vp_json_bool(struct vp_json *j, const char *key, bool v);
void vp_json_null(struct vp_json *j, const char *key);
/* Appends the final newline; returns 0 or the first error (-ENOMEM, -EINVAL). */
int vp_json_finish(struct vp_json *j);
/* Appends s as a quoted, escaped JSON string. */
int vp_json_escape(struct vp_buf *out, const char *s);
