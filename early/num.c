// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Numbers and blanks in the texts the early program reads (early.conf,
 * sysfs attributes, the command line): its one number parser. Calls
 * nothing of early/.
 */
#include <errno.h>
#include <string.h>

#include "vpe.h"

/* Decimal, no sign, no trailing garbage except whitespace. */
int vpe_parse_ulong(const char *s, unsigned long *ret)
{
	unsigned long v = 0;
	const char *p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned long d = (unsigned long)(*p - '0');
		if (v > (~0UL - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p)
		return -EINVAL;
	*ret = v;
	return 0;
}

int vpe_parse_hex(const char *s, size_t digits_min, size_t digits_max, unsigned *ret,
		  const char **ret_end)
{
	unsigned v = 0;
	size_t n = 0;

	for (; n < digits_max; n++, s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		v = v * 16 + d;
	}
	if (n < digits_min)
		return -EINVAL;
	*ret = v;
	*ret_end = s;
	return 0;
}

char *vpe_strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}
