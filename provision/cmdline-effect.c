// SPDX-License-Identifier: GPL-2.0-or-later
/* The effective values of a kernel command line (cmdline-effect.h). Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmdline-effect.h"
#include "cmdline.h"

#define SZ_2M (2ULL << 20)
#define SZ_1G (1ULL << 30)
#define DEFAULT_POOL (-1)       /* default_hstate_max_huge_pages: no hstate yet */
#define NO_POOL (-2)

/* The parser's state, the kernel's static variables of mm/hugetlb.c. */
struct hstate_parse {
	int parsed;                     /* parsed_hstate, -1 none */
	bool parsed_valid;              /* parsed_valid_hugepagesz */
	bool parsed_default;            /* parsed_default_hugepagesz */
	int default_idx;                /* default_hstate_idx, -1 none */
	int last_mhp;                   /* last_mhp: DEFAULT_POOL, a pool, NO_POOL */
	struct vp_kcl_pool pending;     /* default_hstate_max_huge_pages and nodes */
};

void vp_kcl_effect_free(struct vp_kcl_effect *e)
{
	for (size_t i = 0; i < e->n_pools; i++)
		free(e->pools[i].word);
	free(e->default_word);
	free(e->intel_word);
	free(e->amd_off_word);
	free(e->iommu_off_word);
	free(e->pt_word);
	free(e->vfio_ids);
	free(e->vfio_word);
	free(e->thp);
	free(e->thp_word);
	free(e->cma_word);
	vp_strv_free(&e->ignored);
	*e = (struct vp_kcl_effect){0};
}

const char *vp_kcl_size_name(unsigned long long size, char *buf, size_t n)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;

	while (u + 1 < ARRAY_SIZE(unit) && size && size % 1024 == 0) {
		size /= 1024;
		u++;
	}
	snprintf(buf, n, "%llu %s", size, unit[u]);
	return buf;
}

/* Replaces *slot with a copy of s (NULL keeps NULL). */
static int set_str(char **slot, const char *s, size_t len)
{
	char *c = s ? strndup(s, len) : NULL;

	if (s && !c)
		return -ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

static int ignore(struct vp_kcl_effect *e, const struct vp_cmdline_word *w, const char *why)
{
	return vp_strv_push_take(&e->ignored, vp_strdup_printf("'%.*s': %s", (int)w->len,
							       w->text, why));
}

static int find_pool(const struct vp_kcl_effect *e, unsigned long long size)
{
	for (size_t i = 0; i < e->n_pools; i++)
		if (e->pools[i].size == size)
			return (int)i;
	return -1;
}

const struct vp_kcl_pool *vp_kcl_pool(const struct vp_kcl_effect *e, unsigned long long size)
{
	int i = find_pool(e, size);

	return i < 0 ? NULL : &e->pools[i];
}

unsigned long vp_kcl_pages(const struct vp_kcl_effect *e, unsigned long long size)
{
	const struct vp_kcl_pool *p = vp_kcl_pool(e, size);

	return p ? p->count : 0;
}

/* hugetlb_add_hstate(): a no-op for a size that exists, else the new parsed_hstate. */
static int add_hstate(struct vp_kcl_effect *e, struct hstate_parse *h, unsigned long long size)
{
	int i = find_pool(e, size);

	if (i >= 0)
		return i;
	if (e->n_pools == VP_KCL_MAX_POOLS)
		return -E2BIG;          /* the kernel BUG()s at HUGE_MAX_HSTATE */
	e->pools[e->n_pools] = (struct vp_kcl_pool){.size = size};
	h->parsed = (int)e->n_pools;
	return (int)e->n_pools++;
}

/* memparse() of the value, and arch_hugetlb_valid_size() on x86. */
static bool valid_size(const struct vp_cmdline_word *w, const struct vp_kcl_opts *o,
		       unsigned long long *ret)
{
	if (!w->val || !vp_cmdline_parse_size(w->val, w->val_len, ret))
		return false;
	return *ret == SZ_2M || (*ret == SZ_1G && o->gbpages);
}

static int hugepagesz(struct vp_kcl_effect *e, struct hstate_parse *h,
		      const struct vp_cmdline_word *w, const struct vp_kcl_opts *o)
{
	unsigned long long size;
	int i;

	h->parsed_valid = false;
	if (!valid_size(w, o, &size))
		return ignore(e, w, "unsupported page size (the hugepages= after it is ignored too)");
	i = find_pool(e, size);
	if (i >= 0) {
		/* allowed once for the default size when it has no count yet */
		if (!h->parsed_default || i != h->default_idx || e->pools[i].count)
			return ignore(e, w, "this page size was specified before: ignored, "
				      "and so is the hugepages= after it");
		h->parsed = i;
		h->parsed_valid = true;
		return 0;
	}
	i = add_hstate(e, h, size);
	if (i < 0)
		return ignore(e, w, "too many page sizes");
	h->parsed_valid = true;
	return 0;
}

static int move_pending(struct vp_kcl_effect *e, struct hstate_parse *h, int to)
{
	struct vp_kcl_pool *p = &e->pools[to];
	char *word = p->word;

	p->count = h->pending.count;
	p->per_node = h->pending.per_node;
	memcpy(p->node, h->pending.node, sizeof(p->node));
	p->word = h->pending.word;
	p->implicit = true;
	h->pending.word = NULL;
	free(word);
	h->pending = (struct vp_kcl_pool){0};
	return 0;
}

static int default_hugepagesz(struct vp_kcl_effect *e, struct hstate_parse *h,
			      const struct vp_cmdline_word *w, const struct vp_kcl_opts *o)
{
	unsigned long long size;
	int i;

	h->parsed_valid = false;
	if (h->parsed_default)
		return ignore(e, w, "default_hugepagesz= was given before: the kernel keeps the "
			      "first one (and ignores the hugepages= after this one)");
	if (!valid_size(w, o, &size))
		return ignore(e, w, "unsupported default page size");
	i = add_hstate(e, h, size);
	if (i < 0)
		return ignore(e, w, "too many page sizes");
	h->parsed_valid = true;
	h->parsed_default = true;
	h->default_idx = i;
	e->default_size = size;
	if (set_str(&e->default_word, w->text, w->len) < 0)
		return -ENOMEM;
	/* a hugepages= before any size counted pages of this one */
	if (h->pending.count)
		return move_pending(e, h, i);
	return 0;
}

/* sscanf("%lu%n"): digits only here (the kernel's also takes a sign; nobody writes one) */
static bool scan_ulong(const char *s, size_t len, unsigned long *ret, size_t *used)
{
	size_t i = 0;
	unsigned long v = 0;

	while (i < len && s[i] == ' ')
		i++;
	if (i == len || s[i] < '0' || s[i] > '9')
		return false;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (~0UL - 9) / 10)
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*ret = v;
	*used = i;
	return true;
}

static int hugepages(struct vp_kcl_effect *e, struct hstate_parse *h,
		     const struct vp_cmdline_word *w, const struct vp_kcl_opts *o)
{
	const char *s = w->val ? w->val : "", *p = s, *end = s + (w->val ? w->val_len : 0);
	int target = e->n_pools == 0 ? DEFAULT_POOL : h->parsed;
	struct vp_kcl_pool *pool;
	unsigned long v, n;
	size_t used;
	int nodes = o->n_nodes > 0 ? o->n_nodes : 1;

	if (!h->parsed_valid) {
		h->parsed_valid = true;
		return ignore(e, w, "does not follow a valid hugepagesz=: ignored");
	}
	if (target == h->last_mhp)
		return ignore(e, w, "a second hugepages= for the same page size without a "
			      "hugepagesz= between: ignored");
	pool = target == DEFAULT_POOL ? &h->pending : &e->pools[target];
	if (!o->node_syntax) {
		/* before 5.16: sscanf("%lu") of the whole value, "1:4" is 1 */
		pool->count = scan_ulong(p, (size_t)(end - p), &v, &used) ? v : 0;
		goto done;
	}
	while (p < end) {
		if (!scan_ulong(p, (size_t)(end - p), &v, &used))
			goto invalid;
		if (p + used < end && p[used] == ':') {
			if (v >= (unsigned long)nodes || v >= VP_KCL_MAX_NODES)
				goto invalid;
			p += used + 1;
			if (!scan_ulong(p, (size_t)(end - p), &n, &used))
				goto invalid;
			pool->per_node = true;
			pool->node[v] = n;
			pool->count += n;
			if (p + used < end && p[used] == ',') {
				p += used + 1;
				continue;
			}
			break;
		}
		if (p != s)
			goto invalid;
		pool->count = v;
		break;
	}
done:
	if (set_str(&pool->word, w->text, w->len) < 0)
		return -ENOMEM;
	h->last_mhp = target;
	return 0;
invalid:
	/* hugepages_clear_nodes(): what was summed stays, spread over every node */
	pool->per_node = false;
	memset(pool->node, 0, sizeof(pool->node));
	return ignore(e, w, "invalid hugepages= value (a node that is not online?)");
}

/* Does the comma list v (as the kernel's strncmp loops read it) hold item? */
static bool has_item(const char *v, size_t len, const char *item)
{
	size_t n = strlen(item), i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && v[j] != ',')
			j++;
		if (j - i >= n && strncmp(v + i, item, n) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

/* intel_iommu_setup(): the last of on/off in the list decides. */
static int intel(struct vp_kcl_effect *e, const struct vp_cmdline_word *w)
{
	size_t i = 0, len = w->val ? w->val_len : 0;
	bool set = false;

	while (i < len) {
		size_t j = i;

		while (j < len && w->val[j] != ',')
			j++;
		if (j - i >= 2 && strncmp(w->val + i, "on", 2) == 0) {
			e->intel_iommu = VP_KCL_ON;
			set = true;
		} else if (j - i >= 3 && strncmp(w->val + i, "off", 3) == 0) {
			e->intel_iommu = VP_KCL_OFF;
			set = true;
		}
		i = j + 1;
	}
	return set ? set_str(&e->intel_word, w->text, w->len) : 0;
}

/* iommu_setup() on x86: "off" sticks, "pt"/"nopt" set the default domain. */
static int iommu(struct vp_kcl_effect *e, const struct vp_cmdline_word *w)
{
	size_t i = 0, len = w->val ? w->val_len : 0;
	int r = 0;

	if (has_item(w->val, len, "off") && !e->iommu_off_word)
		r = set_str(&e->iommu_off_word, w->text, w->len);
	while (i < len && r >= 0) {
		size_t j = i;

		while (j < len && w->val[j] != ',')
			j++;
		if (j - i >= 4 && strncmp(w->val + i, "nopt", 4) == 0) {
			e->passthrough = VP_KCL_OFF;
			r = set_str(&e->pt_word, w->text, w->len);
		} else if (j - i >= 2 && strncmp(w->val + i, "pt", 2) == 0) {
			e->passthrough = VP_KCL_ON;
			r = set_str(&e->pt_word, w->text, w->len);
		}
		i = j + 1;
	}
	return r;
}

/* kstrtobool() of iommu.passthrough= */
static int passthrough(struct vp_kcl_effect *e, const struct vp_cmdline_word *w)
{
	char c = w->val && w->val_len ? w->val[0] : '\0';
	char c2 = w->val && w->val_len > 1 ? w->val[1] : '\0';

	if (c == '1' || c == 'y' || c == 'Y' || (c == 'o' && c2 == 'n'))
		e->passthrough = VP_KCL_ON;
	else if (c == '0' || c == 'n' || c == 'N' || (c == 'o' && c2 == 'f'))
		e->passthrough = VP_KCL_OFF;
	else
		return ignore(e, w, "not a boolean: ignored");
	return set_str(&e->pt_word, w->text, w->len);
}

static bool key_is(const struct vp_cmdline_word *w, const char *key)
{
	return vp_cmdline_key_eq(w->key, w->key_len, key, strlen(key));
}

static int one_word(struct vp_kcl_effect *e, struct hstate_parse *h,
		    const struct vp_cmdline_word *w, const struct vp_kcl_opts *o)
{
	if (key_is(w, "hugepagesz"))
		return hugepagesz(e, h, w, o);
	if (key_is(w, "default_hugepagesz"))
		return default_hugepagesz(e, h, w, o);
	if (key_is(w, "hugepages"))
		return hugepages(e, h, w, o);
	if (key_is(w, "intel_iommu"))
		return intel(e, w);
	if (key_is(w, "amd_iommu"))
		return has_item(w->val, w->val ? w->val_len : 0, "off") && !e->amd_off_word
			? set_str(&e->amd_off_word, w->text, w->len) : 0;
	if (key_is(w, "iommu"))
		return iommu(e, w);
	if (key_is(w, "iommu.passthrough"))
		return passthrough(e, w);
	if (key_is(w, "vfio_pci.ids")) {
		if (set_str(&e->vfio_ids, w->val ? w->val : "", w->val ? w->val_len : 0) < 0)
			return -ENOMEM;
		return set_str(&e->vfio_word, w->text, w->len);
	}
	if (key_is(w, "transparent_hugepage")) {
		static const char *const ok[] = {"always", "madvise", "never"};

		for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
			if (w->val && w->val_len == strlen(ok[i]) &&
			    strncmp(w->val, ok[i], w->val_len) == 0) {
				if (set_str(&e->thp, ok[i], strlen(ok[i])) < 0)
					return -ENOMEM;
				return set_str(&e->thp_word, w->text, w->len);
			}
		return ignore(e, w, "not always, madvise or never: ignored");
	}
	if (key_is(w, "hugetlb_cma"))
		return set_str(&e->cma_word, w->text, w->len);
	return 0;
}

int vp_kcl_effect(const char *line, const struct vp_kcl_opts *opts, struct vp_kcl_effect *ret,
		  char **ret_msg)
{
	struct hstate_parse h = {.parsed = -1, .parsed_valid = true, .default_idx = -1,
				 .last_mhp = NO_POOL};
	struct vp_kcl_effect e = {0};
	struct vp_cmdline c = {0};
	int r;

	r = vp_cmdline_split(line, &c, ret_msg);
	for (size_t i = 0; r >= 0 && i < c.n_params; i++)
		r = one_word(&e, &h, &c.w[i], opts);
	/* hugetlb_init(): without default_hugepagesz= the default is 2 MiB */
	if (r >= 0 && !h.parsed_default) {
		int i = add_hstate(&e, &h, SZ_2M);

		e.default_size = SZ_2M;
		if (i >= 0 && h.pending.word) {
			/* the implicit count wins over an explicit hugepagesz=2M one */
			if (e.pools[i].word)
				r = vp_strv_push_take(&e.ignored, vp_strdup_printf(
					"'%s': overridden by '%s', which counts pages of the default "
					"size", e.pools[i].word, h.pending.word));
			if (r >= 0)
				r = move_pending(&e, &h, i);
		}
	}
	free(h.pending.word);
	vp_cmdline_free(&c);
	if (r < 0) {
		vp_kcl_effect_free(&e);
		return r;
	}
	*ret = e;
	return 0;
}

const char *vp_kcl_iommu_off(const struct vp_kcl_effect *e, const char *cpu_vendor)
{
	if (e->iommu_off_word)
		return e->iommu_off_word;
	if (vp_streq(cpu_vendor, "GenuineIntel") && e->intel_iommu == VP_KCL_OFF)
		return e->intel_word;
	if (vp_streq(cpu_vendor, "AuthenticAMD"))
		return e->amd_off_word;
	return NULL;
}

static int differ(struct vp_strv *ret, const char *fmt, ...) _printf_(2, 3);
static int differ(struct vp_strv *ret, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vp_strdup_vprintf(fmt, ap);
	va_end(ap);
	return vp_strv_push_take(ret, s);
}

static const char *tri_name(enum vp_kcl_tri t, const char *on, const char *off)
{
	return t == VP_KCL_ON ? on : t == VP_KCL_OFF ? off : "the kernel's default";
}

/* Per-node counts as "N:M,..." (or the total) into buf. */
static const char *pool_text(const struct vp_kcl_pool *p, char *buf, size_t n)
{
	size_t at = 0;

	if (!p) {
		snprintf(buf, n, "0");
		return buf;
	}
	if (!p->per_node) {
		snprintf(buf, n, "%lu", p->count);
		return buf;
	}
	buf[0] = '\0';
	for (int i = 0; i < VP_KCL_MAX_NODES && at < n; i++)
		if (p->node[i])
			at += (size_t)snprintf(buf + at, n - at, "%s%d:%lu", at ? "," : "", i,
					       p->node[i]);
	return buf;
}

static bool same_pool(const struct vp_kcl_pool *a, const struct vp_kcl_pool *b)
{
	if (!b)
		return a->count == 0;
	if (a->count != b->count || a->per_node != b->per_node)
		return false;
	return !a->per_node || memcmp(a->node, b->node, sizeof(a->node)) == 0;
}

static int cmp_pools(const struct vp_kcl_effect *want, const struct vp_kcl_effect *have,
		     struct vp_strv *ret)
{
	int r = 0;

	for (size_t i = 0; i < want->n_pools && r >= 0; i++) {
		const struct vp_kcl_pool *w = &want->pools[i], *h;
		char sz[32], a[128], b[128];

		if (!w->word)
			continue;       /* our tokens set no count for this size */
		h = vp_kcl_pool(have, w->size);
		if (same_pool(w, h))
			continue;
		vp_kcl_size_name(w->size, sz, sizeof(sz));
		r = differ(ret, "the kernel would reserve %s pages of %s (%s), not %s as '%s' asks%s%s%s",
			   pool_text(h, a, sizeof(a)), sz,
			   h && h->word ? h->word : "no hugepages= counts them",
			   pool_text(w, b, sizeof(b)), w->word,
			   h && h->implicit && !w->implicit ? ": '" : "",
			   h && h->implicit && !w->implicit ? h->word : "",
			   h && h->implicit && !w->implicit
			   ? "' comes before any hugepagesz= and counts pages of the default size; "
			     "write hugepagesz=2M before it to keep it a count of 2 MiB pages, or "
			     "remove it" : "");
	}
	return r;
}

/* Two optional strings the same? */
static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int vp_kcl_compare(const struct vp_kcl_effect *want, const struct vp_kcl_effect *have,
		   const struct vp_strv *removed, struct vp_strv *ret)
{
	char a[32], b[32];
	int r = cmp_pools(want, have, ret);

	if (r >= 0 && want->default_word && want->default_size != have->default_size)
		r = differ(ret, "the default page size would be %s (%s), not %s as '%s' asks",
			   vp_kcl_size_name(have->default_size, a, sizeof(a)),
			   have->default_word ? have->default_word : "the kernel's own",
			   vp_kcl_size_name(want->default_size, b, sizeof(b)), want->default_word);
	if (r >= 0 && want->intel_word && want->intel_iommu != have->intel_iommu)
		r = differ(ret, "Intel's IOMMU would be %s (%s), not as '%s' asks",
			   tri_name(have->intel_iommu, "on", "off"),
			   have->intel_word ? have->intel_word : "no intel_iommu=", want->intel_word);
	if (r >= 0 && want->pt_word && want->passthrough != have->passthrough)
		r = differ(ret, "the IOMMU's default domain would be %s (%s), not as '%s' asks",
			   tri_name(have->passthrough, "passthrough", "translated"),
			   have->pt_word ? have->pt_word : "no iommu=pt", want->pt_word);
	if (r >= 0 && want->vfio_word && !same_str(want->vfio_ids, have->vfio_ids))
		r = differ(ret, "vfio_pci.ids would be '%s' (%s), not as '%s' asks",
			   have->vfio_ids ? have->vfio_ids : "", have->vfio_word ? have->vfio_word
			   : "none on the line", want->vfio_word);
	if (r >= 0 && want->thp_word && !same_str(want->thp, have->thp))
		r = differ(ret, "transparent huge pages would be %s (%s), not as '%s' asks",
			   have->thp ? have->thp : "the kernel's default",
			   have->thp_word ? have->thp_word : "no transparent_hugepage=",
			   want->thp_word);
	if (r >= 0 && want->cma_word && !same_str(want->cma_word, have->cma_word))
		r = differ(ret, "the CMA area would be %s, not as '%s' asks",
			   have->cma_word ? have->cma_word : "none", want->cma_word);
	for (size_t i = 0; r >= 0 && removed && i < removed->n; i++)
		if (vp_cmdline_key_eq(removed->v[i], strlen(removed->v[i]), "hugetlb_cma", 11) &&
		    have->cma_word)
			r = differ(ret, "'%s' would stay on the line (it disables boot-time 1 GiB "
				   "pages)", have->cma_word);
	return r;
}
