// SPDX-License-Identifier: GPL-2.0-or-later
/* A kernel's build config and version, and the per-kernel checks. Pure. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"
#include "vpe.h"

/* hugepages=N:M and hugetlb_cma=N:SIZE: both came with Linux 5.16. */
#define NODE_SYNTAX_MAJOR 5
#define NODE_SYNTAX_MINOR 16

static const struct {
	const char *name;
	size_t offset;
} options[] = {
	{"CONFIG_CMA", offsetof(struct vp_kconfig, cma)},
	{"CONFIG_HUGETLBFS", offsetof(struct vp_kconfig, hugetlbfs)},
	{"CONFIG_HUGETLB_PAGE", offsetof(struct vp_kconfig, hugetlb_page)},
};

static enum vp_kopt *field(struct vp_kconfig *k, size_t i)
{
	return (enum vp_kopt *)((char *)k + options[i].offset);
}

void vp_kconfig_parse(const char *text, struct vp_kconfig *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		*field(ret, i) = VP_KOPT_NO;
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t len = strcspn(l, "\n");

		if (!vp_startswith(l, "CONFIG_"))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
			size_t n = strlen(options[i].name);

			/* "CONFIG_CMA=y" but not "CONFIG_CMA_AREAS=7" */
			if (len > n + 1 && strncmp(l, options[i].name, n) == 0 && l[n] == '=')
				*field(ret, i) = l[n + 1] == 'y' || l[n + 1] == 'm' ? VP_KOPT_YES
										  : VP_KOPT_NO;
		}
	}
}

/* A part of a kernel version ("6" of "6.1.0"); *p after it. */
static int parse_uint(const char **p, unsigned *ret)
{
	unsigned long long v;
	int r = vpe_parse_digits(*p, 10, 100000, &v, p);

	if (r >= 0)
		*ret = (unsigned)v;
	return r;
}

int vp_kernel_at_least(const char *version, unsigned major, unsigned minor)
{
	const char *p = version ? version : "";
	unsigned ma, mi;

	if (parse_uint(&p, &ma) < 0 || *p++ != '.' || parse_uint(&p, &mi) < 0)
		return -EINVAL;
	return ma > major || (ma == major && mi >= minor);
}

static const struct vp_cmdline_token *planned(const struct vp_plan *plan, const char *key)
{
	for (size_t i = 0; i < plan->n_cmdline; i++)
		if (strcmp(plan->cmdline[i].key, key) == 0 && plan->cmdline[i].token)
			return &plan->cmdline[i];
	return NULL;
}

static int emitf(vp_kconfig_emit_fn emit, void *userdata, enum vp_msg_level level,
		 const char *fmt, ...) _printf_(4, 5);
static int emitf(vp_kconfig_emit_fn emit, void *userdata, enum vp_msg_level level,
		 const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	s = vp_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return -ENOMEM;
	r = emit(userdata, level, s);
	free(s);
	return r;
}

static int check_kernel(const struct vp_config *cfg, const struct vp_kernel *k,
			const struct vp_plan *plan, vp_kconfig_emit_fn emit, void *userdata)
{
	const struct vp_kconfig *c = &k->config;
	const char *path = c->path ? c->path : "its config";
	const struct vp_cmdline_token *t;
	int new_enough = vp_kernel_at_least(k->version, NODE_SYNTAX_MAJOR, NODE_SYNTAX_MINOR);
	int r = 0;

	if (cfg->hp_count > 0 && (c->hugetlbfs == VP_KOPT_NO || c->hugetlb_page == VP_KOPT_NO)) {
		r = emitf(emit, userdata, VP_MSG_REFUSE,
			  "kernel %s: built without %s ('%s'): it has no huge page pool, so "
			  "[hugepages] count = %lu cannot be had on it",
			  k->version, c->hugetlbfs == VP_KOPT_NO ? "CONFIG_HUGETLBFS"
								  : "CONFIG_HUGETLB_PAGE",
			  path, cfg->hp_count);
		if (r < 0)
			return r;
	}
	t = planned(plan, "hugetlb_cma");
	if (t && c->cma == VP_KOPT_NO) {
		r = emitf(emit, userdata, VP_MSG_REFUSE,
			  "kernel %s: '%s' needs CONFIG_CMA, which '%s' does not set (Debian's "
			  "kernels lack it): the kernel logs it as an unknown parameter and "
			  "reserves nothing; use [hugepages] mode = boot", k->version, t->token,
			  path);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < 2 && new_enough == 0; i++) {
		t = planned(plan, i == 0 ? "hugepages" : "hugetlb_cma");
		if (!t || !strchr(t->token, ':'))
			continue;
		r = emitf(emit, userdata, VP_MSG_REFUSE,
			  "kernel %s: '%s' names a NUMA node, which kernels older than %d.%d "
			  "do not understand (%s); use [hugepages] node = auto for this kernel",
			  k->version, t->token, NODE_SYNTAX_MAJOR, NODE_SYNTAX_MINOR,
			  i == 0 ? "they read the node number as the count" : "they reserve no CMA area");
		if (r < 0)
			return r;
	}
	return 0;
}

int vp_kconfig_check(const struct vp_config *cfg, const struct vp_system *sys,
		     const struct vp_plan *plan, vp_kconfig_emit_fn emit, void *userdata)
{
	for (size_t i = 0; i < sys->n_kernels; i++) {
		/* without a config all options are UNKNOWN: only the version counts */
		int r = check_kernel(cfg, &sys->kernels[i], plan, emit, userdata);

		if (r < 0)
			return r;
	}
	return 0;
}
