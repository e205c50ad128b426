// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "size.h"

int vp_parse_ulong(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;

	/* strtoul() accepts signs, spaces and wraps "-1": do it by hand */
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int vp_parse_size(const char *s, uint64_t *ret_bytes, bool *ret_has_unit)
{
	static const char units[] = "KMGT";
	uint64_t v = 0;
	unsigned shift = 0;
	const char *u;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (*s) {
		char c = (char)(*s & ~0x20); /* upper case */

		u = c ? strchr(units, c) : NULL;
		if (!u)
			return -EINVAL;
		shift = 10 * (unsigned)(u - units + 1);
		s++;
		/* "16G" or "16GiB"; "16GB" is refused as it could mean 10^9 */
		if (*s && strcmp(s, "iB") != 0)
			return -EINVAL;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
	}
	*ret_bytes = v << shift;
	if (ret_has_unit)
		*ret_has_unit = shift != 0;
	return 0;
}
