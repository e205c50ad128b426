// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The early program's own parsers: early.conf, then the kernel command line
 * overrides. The first line of the input is the command line, the rest is
 * early.conf. Invariants: the address table stays in bounds and holds only
 * canonical addresses (12 characters, lower-case hex, NUL-terminated).
 */
#include <ctype.h>

#include "fuzz.h"
#include "vpe.h"

static void no_log(void *ctx, enum vpe_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	FUZZ_CHECK(msg && !strchr(msg, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vpe_io io = {.log = no_log};
	struct vpe_conf c;
	char *text = fuzz_text(data, size), *conf;

	if (!text)
		return 0;
	conf = strchr(text, '\n');
	if (conf)
		*conf++ = '\0';
	else
		conf = text + strlen(text);
	vpe_conf_init(&c);
	FUZZ_CHECK(vpe_conf_parse(&c, conf, "early.conf", &io) >= 0);
	vpe_cmdline_apply(&c, text, &io);
	FUZZ_CHECK(c.n_addrs <= VPE_MAX_ADDR);
	FUZZ_CHECK(c.node >= -1);
	for (size_t i = 0; i < c.n_addrs; i++) {
		const char *a = c.addrs[i].addr;

		FUZZ_CHECK(memchr(a, '\0', sizeof(c.addrs[i].addr)));
		/* DDDD:BB:DD.F, a domain of 4 to VPE_ADDR_DOMAIN_MAX_DIGITS digits */
		FUZZ_CHECK(strlen(a) >= 12 && strlen(a) <= VPE_ADDR_MAX_LEN);
		for (const char *p = a; *p; p++)
			FUZZ_CHECK(!isupper((unsigned char)*p) && !isspace((unsigned char)*p));
		FUZZ_CHECK(c.addrs[i].vendor <= 0xffff && c.addrs[i].device <= 0xffff);
	}
	free(text);
	return 0;
}
