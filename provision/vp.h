/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers shared by every part of vfio-provision: growable strings,
 * string vectors and cleanup attributes. Functions return 0 or a negative
 * errno; out-parameters are named ret_*.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define VP_VERSION "0.1.0"

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
/*
 * A result that must not be dropped (as kmod's _must_check_): a failure
 * under the root is data loss or a write in the wrong place. GCC does not
 * take a (void) cast as an answer: handle the result.
 */
#define _must_check_ __attribute__((warn_unused_result))

static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ _cleanup_(freep)

/*
 * Growable, always NUL-terminated byte buffer. The first error sticks:
 * every later append returns it and changes nothing. A builder may append
 * without checking each call, then check `err` once before using the text.
 */
struct vp_buf {
	char *s;
	size_t len;
	size_t cap;
	int err;        /* 0, or the first append's error (-ENOMEM, -EINVAL) */
};

int vp_buf_add(struct vp_buf *b, const char *s, size_t n);
int vp_buf_puts(struct vp_buf *b, const char *s);
int vp_buf_printf(struct vp_buf *b, const char *fmt, ...) _printf_(2, 3);
int vp_buf_vprintf(struct vp_buf *b, const char *fmt, va_list ap);
/* Hands the string over to the caller (never NULL: "" for an empty buffer). */
char *vp_buf_steal(struct vp_buf *b);
void vp_buf_free(struct vp_buf *b);

/* NULL-terminated vector of owned strings. */
struct vp_strv {
	char **v;
	size_t n;
	size_t cap;
};

int vp_strv_push(struct vp_strv *sv, const char *s);
/* Takes ownership of s (frees it on failure). */
int vp_strv_push_take(struct vp_strv *sv, char *s);
int vp_strv_push_unique(struct vp_strv *sv, const char *s);
/* Appends a formatted string; with unique, not when an equal one is there. */
int vp_strv_vpushf(struct vp_strv *sv, bool unique, const char *fmt, va_list ap)
	_printf_(3, 0);
int vp_strv_pushf(struct vp_strv *sv, bool unique, const char *fmt, ...) _printf_(3, 4);
bool vp_strv_contains(const struct vp_strv *sv, const char *s);
void vp_strv_sort(struct vp_strv *sv);
void vp_strv_free(struct vp_strv *sv);

char *vp_strdup_printf(const char *fmt, ...) _printf_(1, 2);
char *vp_strdup_vprintf(const char *fmt, va_list ap) _printf_(1, 0);
bool vp_streq(const char *a, const char *b); /* NULL-safe */
bool vp_startswith(const char *s, const char *prefix);
/*
 * A drop-in's name: visible (hidden files are editor and package-manager
 * leftovers) and ending in suffix after at least one character.
 */
bool vp_dropin_name(const char *name, const char *suffix);
/* Strips leading/trailing ASCII whitespace in place; returns s. */
char *vp_strstrip(char *s);

/*
 * Text from outside (pci.ids names, kernel directory names, config values,
 * paths) as a terminal may show it: control bytes (C0 but those in keep,
 * DEL, and C1 as UTF-8 encodes it) become "\xHH", so no escape sequence
 * reaches the terminal. Human output only: --json escapes by JSON's rules.
 */
int vp_buf_put_printable(struct vp_buf *b, const char *s, size_t len, const char *keep);
/* fprintf for human output: the whole line through vp_buf_put_printable(..., "\n\t"). */
void vp_fprintf_human(FILE *f, const char *fmt, ...) _printf_(2, 3);

/* Logging: only main.c and cmd-*.c should print; the core returns errors. */
extern int vp_log_level; /* 0 quiet, 1 normal, 2 verbose */
void vp_err(const char *fmt, ...) _printf_(1, 2);
void vp_warn(const char *fmt, ...) _printf_(1, 2);
void vp_info(const char *fmt, ...) _printf_(1, 2);
void vp_debug(const char *fmt, ...) _printf_(1, 2);

/*
 * For the core, which does not print: sets *ret_msg (when ret_msg is not
 * NULL and not yet set) to a malloc'ed message and returns err (negative).
 * Messages name the file and line: "'/etc/fstab':12: bad field".
 */
int vp_fail(char **ret_msg, int err, const char *fmt, ...) _printf_(3, 4);
