// SPDX-License-Identifier: GPL-2.0-or-later
/* The domain XML libvirt hands the hook (libxml2 and our reading of it):
 * never crashes; a parsed domain has a memory size and sane page fields. */
#include <libxml/parser.h>

#include "fuzz.h"
#include "libvirt.h"

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_domain d = {0};
	char *msg = NULL;
	int r;

	xmlSetGenericErrorFunc(NULL, quiet);
	r = vp_domain_parse((const char *)data, size, "fuzz.xml", &d, &msg);
	FUZZ_CHECK(r <= 0);
	if (r == 0) {
		FUZZ_CHECK(!msg);
		FUZZ_CHECK(d.node >= -1);
		for (size_t i = 0; i < d.block_disks.n; i++)
			FUZZ_CHECK(d.block_disks.v[i] != NULL);
		(void)vp_domain_pages_1g(&d);
	} else {
		FUZZ_CHECK(msg && *msg);
	}
	free(msg);
	vp_domain_free(&d);
	return 0;
}
