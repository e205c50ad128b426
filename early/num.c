// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Numbers and blanks in the texts the early program reads (early.conf,
 * sysfs attributes, the command line): the one number parser, which
 * provision/number.c builds on too. Calls nothing of early/.
 */
#include <errno.h>
#include <string.h>

#include "vpe.h"

static int digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
}

int vpe_parse_digits(const char *s, unsigned base, unsigned long long max,
		     unsigned long long *ret, const char **ret_end)
{
	unsigned long long v = 0;
	const char *p = s;

	/* base 0: as C writes numbers, 0x... hex, 0... octal, else decimal */
	if (base == 0 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit(p[2]) < 16)
		base = 16, p += 2;
	else if (base == 0)
		base = p[0] == '0' ? 8 : 10;
	if (base < 2 || base > 16 || digit(*p) >= (int)base)
		return -EINVAL;
	for (; digit(*p) < (int)base; p++) {
		unsigned d = (unsigned)digit(*p);

		if (d > max || v > (max - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*ret = v;
	*ret_end = p;
	return 0;
}

/* Decimal, no sign, no trailing garbage except whitespace. */
int vpe_parse_ulong(const char *s, unsigned long *ret)
{
	unsigned long long v;
	const char *p = s;
	int r;

	while (*p == ' ' || *p == '\t')
		p++;
	r = vpe_parse_digits(p, 10, ~0UL, &v, &p);
	if (r < 0)
		return r;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p)
		return -EINVAL;
	*ret = (unsigned long)v;
	return 0;
}

int vpe_parse_hex(const char *s, size_t digits_min, size_t digits_max, unsigned *ret,
		  const char **ret_end)
{
	unsigned v = 0;
	size_t n = 0;

	for (; n < digits_max; n++, s++) {
		int d = digit(*s);

		if (d < 0 || d >= 16)
			break;
		v = v * 16 + (unsigned)d;
	}
	if (n < digits_min)
		return -EINVAL;
	*ret = v;
	*ret_end = s;
	return 0;
}

int vpe_parse_addr(const char *s, unsigned *ret_dom, unsigned *ret_bus, unsigned *ret_dev,
		   unsigned *ret_fn)
{
	unsigned dom, bus, dev, fn;
	const char *p = s;

	if (vpe_parse_hex(p, 4, VPE_ADDR_DOMAIN_MAX_DIGITS, &dom, &p) < 0 || *p++ != ':' ||
	    vpe_parse_hex(p, 2, 2, &bus, &p) < 0 || *p++ != ':' ||
	    vpe_parse_hex(p, 2, 2, &dev, &p) < 0 || *p++ != '.' ||
	    vpe_parse_hex(p, 1, 1, &fn, &p) < 0 || *p != '\0' || dev > 0x1f || fn > 7)
		return -EINVAL;
	*ret_dom = dom;
	*ret_bus = bus;
	*ret_dev = dev;
	*ret_fn = fn;
	return 0;
}

int vpe_parse_id(const char *s, unsigned *ret_vendor, unsigned *ret_device)
{
	const char *p = s;

	if (vpe_parse_hex(p, 4, 4, ret_vendor, &p) < 0 || *p++ != ':' ||
	    vpe_parse_hex(p, 4, 4, ret_device, &p) < 0 || *p != '\0')
		return -EINVAL;
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
