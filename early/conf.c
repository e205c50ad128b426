// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * early.conf: the tiny generated file the program reads (key=value lines,
 * address lines); no inih here, the format is kept trivial.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpe.h"

/* "DDDD:BB:DD.F" into a canonical lower-case string. */
static int parse_bdf(const char *s, char *out, size_t size)
{
	unsigned dom, bus, dev, fn;

	if (vpe_parse_addr(s, &dom, &bus, &dev, &fn) < 0)
		return -EINVAL;
	snprintf(out, size, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

void vpe_conf_init(struct vpe_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->node = -1;
	conf->host_min_mib = VPE_DEFAULT_HOST_MIN_MIB;
}

static int conf_address(struct vpe_conf *conf, char *rest)
{
	struct vpe_addr a;
	char *id;

	rest = vpe_strip(rest);
	id = strpbrk(rest, " \t");
	if (!id)
		return -EINVAL;
	*id++ = '\0';
	id = vpe_strip(id);
	if (parse_bdf(rest, a.addr, sizeof(a.addr)) < 0 ||
	    vpe_parse_id(id, &a.vendor, &a.device) < 0)
		return -EINVAL;
	if (conf->n_addrs >= VPE_MAX_ADDR)
		return -E2BIG;
	conf->addrs[conf->n_addrs++] = a;
	return 0;
}

int vpe_conf_parse(struct vpe_conf *conf, char *text, const char *name,
		   const struct vpe_io *io)
{
	unsigned line = 0;
	int warned = 0;
	char *next;

	for (char *l = text; l; l = next) {
		char *key, *val, *eq;
		unsigned long v;
		int r = 0;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		line++;
		key = vpe_strip(l);
		if (*key == '\0' || *key == '#')
			continue;

		if (strncmp(key, "address", 7) == 0 && (key[7] == ' ' || key[7] == '\t')) {
			r = conf_address(conf, key + 7);
			if (r == -E2BIG) {
				vpe_log(io, VPE_WARN, "'%s':%u: more than %d addresses, ignored",
					name, line, VPE_MAX_ADDR);
				warned++;
			} else if (r < 0) {
				vpe_log(io, VPE_WARN, "'%s':%u: expected 'address DDDD:BB:DD.F VVVV:DDDD', ignored",
					name, line);
				warned++;
			}
			continue;
		}

		eq = strchr(key, '=');
		if (!eq) {
			vpe_log(io, VPE_WARN, "'%s':%u: expected key=value, ignored", name, line);
			warned++;
			continue;
		}
		*eq = '\0';
		val = vpe_strip(eq + 1);
		key = vpe_strip(key);

		if (strcmp(key, "hugepages") == 0) {
			r = vpe_parse_ulong(val, &v);
			if (r == 0)
				conf->hugepages = v;
		} else if (strcmp(key, "node") == 0) {
			if (strcmp(val, "any") == 0)
				conf->node = -1;
			else if ((r = vpe_parse_ulong(val, &v)) == 0 && v > 1023)
				r = -ERANGE;
			else if (r == 0)
				conf->node = (int)v;
		} else if (strcmp(key, "mode") == 0) {
			if (strcmp(val, "boot") == 0)
				conf->guard = true;
			else if (strcmp(val, "early") == 0)
				conf->guard = false;
			else
				r = -EINVAL;
		} else if (strcmp(key, "host_min_mib") == 0) {
			r = vpe_parse_ulong(val, &v);
			if (r == 0)
				conf->host_min_mib = v;
		} else {
			/* Forward compatibility: a newer tool may know more. */
			vpe_log(io, VPE_WARN, "'%s':%u: unknown key '%s', ignored", name, line, key);
			warned++;
			continue;
		}
		if (r < 0) {
			vpe_log(io, VPE_WARN, "'%s':%u: bad value '%s' for %s, ignored",
				name, line, val, key);
			warned++;
		}
	}
	return warned;
}
