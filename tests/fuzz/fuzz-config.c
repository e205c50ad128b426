// SPDX-License-Identifier: GPL-2.0-or-later
/* The config file through inih and our checks: parse never crashes, leaks or
 * succeeds with a message; a failure always explains itself. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_config cfg;
	char *text = fuzz_text(data, size), *msg = NULL;
	int r;

	if (!text)
		return 0;
	vp_config_init(&cfg);
	r = vp_config_parse_string(&cfg, "fuzz.conf", text, &msg);
	FUZZ_CHECK(r <= 0);
	if (r == 0)
		FUZZ_CHECK(!msg);
	else
		FUZZ_CHECK(msg && *msg);
	free(msg);
	vp_config_free(&cfg);
	free(text);
	return 0;
}
