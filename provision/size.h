/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes as people write them in configs and on the command line: "16G". */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Parses "<digits>[K|M|G|T[iB]]" (binary units, suffix letter in either
 * case, no sign, no spaces) into bytes. A missing suffix means bytes.
 * Returns 0, -EINVAL for malformed text, -ERANGE when it does not fit.
 * *ret_has_unit (may be NULL) tells whether a suffix was given.
 */
int vp_parse_size(const char *s, uint64_t *ret_bytes, bool *ret_has_unit);

/* Parses a plain unsigned decimal number (no sign, no spaces) <= max. */
int vp_parse_ulong(const char *s, unsigned long max, unsigned long *ret);
