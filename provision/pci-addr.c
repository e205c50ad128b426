// SPDX-License-Identifier: GPL-2.0-or-later
/* PCI addresses as sysfs names them. See pci-addr.h. */
#include <ctype.h>
#include <string.h>

#include "pci-addr.h"
#include "vpe-limits.h"

static bool hexn(const char *s, size_t n, unsigned *ret)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		v = v * 16 + (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0'
						: (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	*ret = v;
	return true;
}

bool vp_parse_pci_addr(const char *s, unsigned *dom, unsigned *bus, unsigned *dev,
		       unsigned *fn)
{
	size_t len = strlen(s), dl;
	unsigned d, b, sl, f;

	/* the kernel's "%04x:%02x:%02x.%d"; VMD domains have 5 digits */
	if (len < 12 || len > VPE_ADDR_MAX_LEN)
		return false;
	dl = len - 8;
	if (s[dl] != ':' || s[dl + 3] != ':' || s[dl + 6] != '.')
		return false;
	if (!hexn(s, dl, &d) || !hexn(s + dl + 1, 2, &b) || !hexn(s + dl + 4, 2, &sl) ||
	    !hexn(s + dl + 7, 1, &f) || sl > 31 || f > 7)
		return false;
	*dom = d;
	*bus = b;
	*dev = sl;
	*fn = f;
	return true;
}
