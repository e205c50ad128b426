/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one integer parser of provision/: the whole string is the number,
 * no sign, no blanks, overflow and values above max refused.
 */
#pragma once

#include "vp.h"

_must_check_ int vp_parse_uint(const char *s, int base, unsigned long max, unsigned long *ret);
