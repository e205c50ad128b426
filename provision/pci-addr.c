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
	snprintf(buf, VPE_ADDR_SIZE, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

bool vp_parse_pci_id(const char *s, unsigned *vendor, unsigned *device)
{
	return vpe_parse_id(s, vendor, device) == 0;
}
