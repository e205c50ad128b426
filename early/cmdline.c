// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one-boot overrides on the kernel command line: vfio_provision=off,
 * vfio_provision.hugepages=N.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpe.h"

void vpe_cmdline_apply(struct vpe_conf *conf, const char *cmdline, const struct vpe_io *io)
{
	const char *p = cmdline;

	while (*p) {
		char tok[128];
		size_t n = 0;
		unsigned long v;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		/* A token longer than tok cannot be ours: skip it whole. */
		while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\n')
			n++;
		if (n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			if (strncmp(tok, "vfio_provision=", 15) == 0) {
				const char *val = tok + 15;
				conf->disabled = strcmp(val, "off") == 0 || strcmp(val, "0") == 0 ||
						 strcmp(val, "no") == 0 || strcmp(val, "false") == 0;
			} else if (strncmp(tok, "vfio_provision.hugepages=", 25) == 0) {
				if (vpe_parse_ulong(tok + 25, &v) == 0)
					conf->hugepages = v;
				else
					vpe_log(io, VPE_WARN, "bad '%s' on the kernel cmdline, ignored", tok);
			}
		}
		p += n;
	}
}
