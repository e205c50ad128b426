// SPDX-License-Identifier: GPL-2.0-or-later
/* The ledger (who owns which bytes of which file): parse, and what parses formats to a text that
 * parses again to the same text. */
#include "fuzz.h"
#include "ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_ledger j = {0}, j2 = {0};
	char *text = fuzz_text(data, size), *msg = NULL, *out = NULL, *out2 = NULL;
	int r;

	if (!text)
		return 0;
	r = vp_ledger_parse(text, "fuzz", &j, &msg);
	FUZZ_CHECK(r <= 0);
	if (r == 0) {
		FUZZ_CHECK(!msg);
		FUZZ_CHECK(vp_ledger_format(&j, &out) == 0);
		FUZZ_CHECK(vp_ledger_parse(out, "fuzz-again", &j2, &msg) == 0);
		FUZZ_CHECK(vp_ledger_format(&j2, &out2) == 0);
		FUZZ_CHECK(strcmp(out, out2) == 0);
	}
	free(msg);
	free(out);
	free(out2);
	vp_ledger_free(&j);
	vp_ledger_free(&j2);
	free(text);
	return 0;
}
