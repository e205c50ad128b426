/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integers in the texts we read, all through early/num.c's digit parser
 * (vpe_parse_digits): the whole string is the number, no sign, no blanks,
 * -EINVAL for anything else, -ERANGE above max.
 */
#pragma once

#include <limits.h>

#include "vp.h"

/* base: 2..16, or 0 for C's 0x (hex) and 0 (octal) prefixes. */
_must_check_ int vp_parse_number(const char *s, int base, unsigned long long max,
				 unsigned long long *ret);
_must_check_ int vp_parse_uint(const char *s, int base, unsigned long max, unsigned long *ret);
/*
 * A number inside a line: the digits at *s as above (base 0 takes the
 * kernel's 0x fields), *s moved past them; what follows is the caller's.
 */
_must_check_ int vp_parse_field(const char **s, int base, unsigned long long max,
				unsigned long long *ret);
/* Decimal. */
_must_check_ int vp_parse_ulong(const char *s, unsigned long max, unsigned long *ret);
/* Decimal, a leading '-' allowed, from min to max. */
_must_check_ int vp_parse_int(const char *s, long min, long max, long *ret);
