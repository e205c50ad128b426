// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The strict parsers of the sysfs strings the probe reads (numbers,
 * iommu_group ids, PCI addresses from directory names). Invariants: a
 * number parses only when the whole string is one (one trailing newline
 * allowed) and prints back to the same value; an address parses only when
 * printing it back the kernel's way gives the input (case aside).
 */
#include <ctype.h>

#include "fuzz.h"
#include "probe-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), buf[64];
	unsigned long long u, u2;
	unsigned dom, bus, dev, fn;
	long l, l2;

	if (!s)
		return 0;
	if (vp_parse_long(s, 10, &l)) {
		FUZZ_CHECK(!isspace((unsigned char)s[0]));
		snprintf(buf, sizeof(buf), "%ld", l);
		FUZZ_CHECK(vp_parse_long(buf, 10, &l2) && l2 == l);
	}
	if (vp_parse_ull(s, 16, &u)) {
		FUZZ_CHECK(s[0] != '-' && s[0] != '+');
		snprintf(buf, sizeof(buf), "%llx\n", u);
		FUZZ_CHECK(vp_parse_ull(buf, 16, &u2) && u2 == u);
	}
	if (vp_parse_pci_addr(s, &dom, &bus, &dev, &fn)) {
		size_t dl = strlen(s) - 8;

		FUZZ_CHECK(dev <= 31 && fn <= 7 && bus <= 0xff);
		snprintf(buf, sizeof(buf), "%0*x:%02x:%02x.%x", (int)dl, dom, bus, dev, fn);
		FUZZ_CHECK(strcasecmp(buf, s) == 0);
	}
	free(s);
	return 0;
}
