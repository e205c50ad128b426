/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes as people write them in configs and on the command line: "16G". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parses "<digits>[K|M|G|T[iB]]" (binary units, suffix letter in either
 * case, no sign, no spaces) into bytes. A missing suffix means bytes.
 * Returns 0, -EINVAL for malformed text, -ERANGE when it does not fit.
 * *ret_has_unit (may be NULL) tells whether a suffix was given.
 */
int vp_parse_size(const char *s, uint64_t *ret_bytes, bool *ret_has_unit);

/*
 * The one size grammar, for the dialects of the files we read: digits, then
 * an optional K, M, G or T (either case, binary), then what the dialect
 * allows after the letter:
 *   VP_SIZE_CONFIG  nothing or "iB" ("16GB" is refused: it could mean 10^9)
 *   VP_SIZE_KERNEL  nothing (the cmdline's hugepagesz=, default_hugepagesz=)
 *   VP_SIZE_MOUNT   an optional i then an optional b, either case (hugetlbfs
 *                   pagesize=, which the kernel's memparse reads)
 * s is len bytes, not NUL-terminated. Returns 0, -EINVAL or -ERANGE.
 */
enum vp_size_dialect { VP_SIZE_CONFIG, VP_SIZE_KERNEL, VP_SIZE_MOUNT };
int vp_parse_size_n(const char *s, size_t len, enum vp_size_dialect dialect,
		    uint64_t *ret_bytes, bool *ret_has_unit);

/* vp_parse_ulong and the other integer parsers: number.h */
#include "number.h"
