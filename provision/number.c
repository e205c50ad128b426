// SPDX-License-Identifier: GPL-2.0-or-later
/* Integers in the texts we read (see number.h). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>

#include "number.h"
#include "vpe.h"

int vp_parse_number(const char *s, int base, unsigned long long max, unsigned long long *ret)
{
	const char *end;
	unsigned long long v;
	int r;

	if (base < 0)
		return -EINVAL;
	r = vpe_parse_digits(s, (unsigned)base, max, &v, &end);
	if (r < 0)
		return r;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int vp_parse_field(const char **s, int base, unsigned long long max, unsigned long long *ret)
{
	if (base < 0)
		return -EINVAL;
	return vpe_parse_digits(*s, (unsigned)base, max, ret, s);
}

int vp_parse_uint(const char *s, int base, unsigned long max, unsigned long *ret)
{
	unsigned long long v;
	int r = vp_parse_number(s, base, max, &v);

	if (r >= 0)
		*ret = (unsigned long)v;
	return r;
}

int vp_parse_ulong(const char *s, unsigned long max, unsigned long *ret)
{
	return vp_parse_uint(s, 10, max, ret);
}

int vp_parse_int(const char *s, long min, long max, long *ret)
{
	bool neg = *s == '-';
	unsigned long long v;
	long n;
	int r;

	/* -LONG_MIN does not fit a long: the magnitude is parsed unsigned */
	r = vp_parse_number(s + neg, 10, (unsigned long long)LONG_MAX + neg, &v);
	if (r < 0)
		return r;
	n = neg ? (long)(0ULL - v) : (long)v;
	if (n < min || n > max)
		return -ERANGE;
	*ret = n;
	return 0;
}
