// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Taking our edits back out (vp_merge3_undo). The input is base, ours and
 * cur separated by NUL bytes. Invariants: when cur is ours the result is
 * base exactly; when we made no edit (ours is base) cur comes back byte for
 * byte; any triple gives 0 or -E2BIG, never a crash.
 */
#include <errno.h>

#include "fuzz.h"
#include "merge3.h"

static void undo(const char *b, size_t bl, const char *o, size_t ol, const char *c, size_t cl,
		 bool force, const char *want, size_t want_len)
{
	struct vp_strv kept = {0};
	char *out = NULL;
	size_t out_len = 0;
	int r;

	r = vp_merge3_undo(b, bl, o, ol, c, cl, force, &out, &out_len, &kept);
	FUZZ_CHECK(r == 0 || r == -E2BIG);
	if (r == 0) {
		FUZZ_CHECK(out);
		if (want)
			FUZZ_CHECK(out_len == want_len && memcmp(out, want, want_len) == 0);
	}
	free(out);
	vp_strv_free(&kept);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *part[3];
	size_t len[3];

	for (int i = 0; i < 3; i++) {
		const char *z = i < 2 ? memchr(p, '\0', end - p) : NULL;

		if (i < 2 && !z)
			return 0;
		part[i] = p;
		len[i] = (z ? z : end) - p;
		p = z ? z + 1 : end;
	}
	for (int force = 0; force < 2; force++) {
		undo(part[0], len[0], part[1], len[1], part[1], len[1], force, part[0], len[0]);
		undo(part[0], len[0], part[0], len[0], part[2], len[2], force, part[2], len[2]);
		undo(part[0], len[0], part[1], len[1], part[2], len[2], force, NULL, 0);
	}
	return 0;
}
