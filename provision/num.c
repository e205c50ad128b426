// SPDX-License-Identifier: GPL-2.0-or-later
/* Integers in the texts we read (see num.h). */
#include <errno.h>
#include <stdlib.h>

#include "num.h"

int vp_parse_uint(const char *s, int base, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	/* strtoul() takes a sign, blanks and wraps "-1": refuse them first */
	if (!*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t' || *s == '\n')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}
