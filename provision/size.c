// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "size.h"

int vp_parse_size_n(const char *s, size_t len, enum vp_size_dialect dialect,
		    uint64_t *ret_bytes, bool *ret_has_unit)
{
	static const char units[] = "KMGT";
	uint64_t v = 0;
	unsigned shift = 0;
	size_t i = 0;

	if (len == 0 || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (i < len) {
		char c = (char)(s[i] & ~0x20); /* upper case */
		const char *u = c ? strchr(units, c) : NULL;

		if (!u)
			return -EINVAL;
		shift = 10 * (unsigned)(u - units + 1);
		i++;
		switch (dialect) {
		case VP_SIZE_CONFIG:
			if (i < len && !(len - i == 2 && s[i] == 'i' && s[i + 1] == 'B'))
				return -EINVAL;
			break;
		case VP_SIZE_KERNEL:
			if (i < len)
				return -EINVAL;
			break;
		case VP_SIZE_MOUNT:
			if (i < len && (s[i] | 0x20) == 'i')
				i++;
			if (i < len && (s[i] | 0x20) == 'b')
				i++;
			if (i < len)
				return -EINVAL;
			break;
		}
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
	}
	*ret_bytes = v << shift;
	if (ret_has_unit)
		*ret_has_unit = shift != 0;
	return 0;
}

int vp_parse_size(const char *s, uint64_t *ret_bytes, bool *ret_has_unit)
{
	return vp_parse_size_n(s, strlen(s), VP_SIZE_CONFIG, ret_bytes, ret_has_unit);
}
