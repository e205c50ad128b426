// SPDX-License-Identifier: GPL-2.0-or-later
/* The first release's journal: parse, and what parses formats to a text that
 * parses again to the same text. */
#include "fuzz.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_journal j = {0}, j2 = {0};
	char *text = fuzz_text(data, size), *msg = NULL, *out = NULL, *out2 = NULL;
	int r;

	if (!text)
		return 0;
	r = vp_journal_parse(text, "fuzz", &j, &msg);
	FUZZ_CHECK(r <= 0);
	if (r == 0) {
		FUZZ_CHECK(!msg);
		FUZZ_CHECK(vp_journal_format(&j, &out) == 0);
		FUZZ_CHECK(vp_journal_parse(out, "fuzz-again", &j2, &msg) == 0);
		FUZZ_CHECK(vp_journal_format(&j2, &out2) == 0);
		FUZZ_CHECK(strcmp(out, out2) == 0);
	}
	free(msg);
	free(out);
	free(out2);
	vp_journal_free(&j);
	vp_journal_free(&j2);
	free(text);
	return 0;
}
