// SPDX-License-Identifier: GPL-2.0-or-later
/* PCI addresses and ids, on early/num.c's parser. See pci-addr.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pci-addr.h"
#include "vpe.h"

bool vp_parse_pci_addr(const char *s, unsigned *dom, unsigned *bus, unsigned *dev,
		       unsigned *fn)
{
	return vpe_parse_addr(s, dom, bus, dev, fn) == 0;
}

/* n hex digits of v (lower case) at p; the end. */
static char *hex(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--)
		p[i] = "0123456789abcdef"[(v >> (4 * (n - 1 - i))) & 0xf];
	return p + n;
}

void vp_pci_addr_format(char buf[static VPE_ADDR_SIZE], unsigned dom, unsigned bus, unsigned dev,
			unsigned fn)
{
	int digits = 4;
	char *p;

	while (digits < 8 && dom >> (4 * digits))
		digits++;
	p = hex(buf, dom, digits);
	*p++ = ':';
	p = hex(p, bus & 0xff, 2);
	*p++ = ':';
	p = hex(p, dev & 0xff, 2);
	*p++ = '.';
	p = hex(p, fn & 0xf, 1);
	*p = '\0';
}

int vp_pci_addr_normalize(const char *s, char buf[static VPE_ADDR_SIZE])
{
	unsigned dom, bus, dev, fn;
	char full[VPE_ADDR_SIZE + 5];

	if (strlen(s) > VPE_ADDR_MAX_LEN)
		return -EINVAL;
	/* "BB:DD.F": domain 0000 */
	snprintf(full, sizeof(full), "%s%s", strlen(s) == 7 ? "0000:" : "", s);
	if (vpe_parse_addr(full, &dom, &bus, &dev, &fn) < 0)
		return -EINVAL;
	vp_pci_addr_format(buf, dom, bus, dev, fn);
	return 0;
}

bool vp_parse_pci_id(const char *s, unsigned *vendor, unsigned *device)
{
	return vpe_parse_id(s, vendor, device) == 0;
}
