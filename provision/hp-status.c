// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dir-iter.h"
#include "hp-status.h"
#include "mnt-api.h"
#include "number.h"
#include "root-mnt.h"
#include "size.h"
#include "vpe.h"
#include "vp.h"

#define MAX_ORDERS 16

static void *grow(void *arr, size_t n, size_t size)
{
	return realloc(arr, (n + 1) * size);
}

/* "Node N, zone NAME": the node, *p after the zone's name; -EINVAL for another line. */
static int buddy_head(const char **p, int *ret_node)
{
	unsigned long long node;
	size_t zl;

	if (!vp_startswith(*p, "Node "))
		return -EINVAL;
	*p += 5;
	if (vp_parse_field(p, 10, INT_MAX, &node) < 0 || !vp_startswith(*p, ", zone "))
		return -EINVAL;
	*p += 7;
	*p += strspn(*p, " \t");
	zl = strcspn(*p, " \t\n");
	if (!zl)
		return -EINVAL;
	*p += zl;
	*ret_node = (int)node;
	return 0;
}

int vp_hp_parse_buddyinfo(const char *text, unsigned long page_kib, struct vp_hp_contig **ret,
			  size_t *ret_n)
{
	struct vp_hp_contig *v = NULL, *c;
	size_t n = 0;
	const char *line = text;
	int r;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		unsigned long long counts[MAX_ORDERS];
		int node, k = 0;
		const char *p = line;

		r = buddy_head(&p, &node);
		if (r < 0)
			goto fail;
		/* the free blocks of each order, blank separated, to the end of the line */
		while (k < MAX_ORDERS) {
			p += strspn(p, " \t");
			if (!*p || *p == '\n')
				break;
			r = vp_parse_field(&p, 10, ULLONG_MAX, &counts[k]);
			if (r < 0)
				goto fail;
			if (*p && !strchr(" \t\n", *p)) {
				r = -EINVAL;
				goto fail;
			}
			k++;
		}
		if (k == 0) {
			r = -EINVAL;
			goto fail;
		}
		c = NULL;
		for (size_t i = 0; i < n; i++)
			if (v[i].node == node)
				c = &v[i];
		if (!c) {
			struct vp_hp_contig *nv = grow(v, n, sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				goto fail;
			}
			v = nv;
			c = &v[n++];
			*c = (struct vp_hp_contig){.node = node};
		}
		c->max_order = (unsigned)(k - 1);
		for (int o = 0; o < k; o++) {
			unsigned long long kib, block_kib = (unsigned long long)page_kib << o;

			if (__builtin_mul_overflow(counts[o], block_kib, &kib) ||
			    __builtin_add_overflow(c->free_kib, kib, &c->free_kib) ||
			    (o == k - 1 && __builtin_add_overflow(c->top_kib, kib, &c->top_kib))) {
				r = -ERANGE;
				goto fail;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	*ret = v;
	*ret_n = n;
	return 0;
fail:
	free(v);
	return r;
}

static long read_long(const struct vp_root *root, const char *path)
{
	_cleanup_free_ char *s = NULL;
	unsigned long v;

	if (vp_root_read_line(root, path, &s) < 0 || vp_parse_ulong(vp_strstrip(s), ~0UL, &v) < 0)
		return -1;
	return (long)v;
}

static int add_pool(struct vp_hp_status *st, const struct vp_root *root, const char *dir,
		    unsigned long size_kib, int node)
{
	struct vp_hp_pool_state *p = grow(st->pools, st->n_pools, sizeof(*p));
	char path[512];

	if (!p)
		return -ENOMEM;
	st->pools = p;
	p = &p[st->n_pools++];
	*p = (struct vp_hp_pool_state){.size_kib = size_kib, .node = node};
	snprintf(path, sizeof(path), "%s/nr_hugepages", dir);
	p->nr = read_long(root, path);
	snprintf(path, sizeof(path), "%s/free_hugepages", dir);
	p->free = read_long(root, path);
	snprintf(path, sizeof(path), "%s/resv_hugepages", dir);
	p->resv = read_long(root, path);
	snprintf(path, sizeof(path), "%s/surplus_hugepages", dir);
	p->surplus = read_long(root, path);
	return 0;
}

static int cmp_ulong_desc(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Numbers found in names, up to max of them. */
struct numbers {
	unsigned long *v;
	size_t n, max;
};

/* "hugepages-<N>kB": N. */
static int add_size(int dfd, const char *name, void *userdata)
{
	struct numbers *ns = userdata;
	unsigned long long kib;
	const char *end;

	(void)dfd;
	if (vp_startswith(name, "hugepages-") &&
	    vpe_parse_digits(name + 10, 10, ULONG_MAX, &kib, &end) == 0 && strcmp(end, "kB") == 0)
		ns->v[ns->n++] = (unsigned long)kib;
	return ns->n == ns->max;
}

struct nodes {
	int *v;
	size_t n, max;
};

/* "node<N>": N. */
static int add_node(int dfd, const char *name, void *userdata)
{
	struct nodes *ns = userdata;
	unsigned long id;

	(void)dfd;
	if (vp_startswith(name, "node") && vp_parse_ulong(name + 4, INT_MAX, &id) == 0)
		ns->v[ns->n++] = (int)id;
	return ns->n == ns->max;
}

/* Page sizes the kernel offers, from the hugepages-<N>kB directories. */
static int list_sizes(const struct vp_root *root, unsigned long *sizes, size_t max, size_t *ret_n)
{
	struct numbers ns = {.v = sizes, .max = max};
	int r = max ? vp_dir_each(root, "/sys/kernel/mm/hugepages", add_size, &ns, NULL) : 0;

	*ret_n = 0;
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	qsort(sizes, ns.n, sizeof(*sizes), cmp_ulong_desc);
	*ret_n = ns.n;
	return 0;
}

static int list_nodes(const struct vp_root *root, int *nodes, size_t max, size_t *ret_n)
{
	struct nodes ns = {.v = nodes, .max = max};

	*ret_n = 0;
	/* in name order (node10 before node2): sorted by number below */
	if (max && vp_dir_each(root, "/sys/devices/system/node", add_node, &ns, NULL) < 0)
		return 0;
	for (size_t i = 1; i < ns.n; i++)  /* few nodes: insertion sort */
		for (size_t j = i; j > 0 && nodes[j - 1] > nodes[j]; j--) {
			int t = nodes[j];
			nodes[j] = nodes[j - 1];
			nodes[j - 1] = t;
		}
	*ret_n = ns.n;
	return 0;
}

/* "   1234 kB": the number; 0 when there is none. */
static unsigned long long kib_after(const char *s)
{
	unsigned long long v;
	const char *end;

	s += strspn(s, " \t");
	return vpe_parse_digits(s, 10, ULLONG_MAX, &v, &end) == 0 ? v : 0;
}

static unsigned long long meminfo_kib(const char *text, const char *key)
{
	const char *p = text;
	size_t kl = strlen(key);

	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':')
			return kib_after(p + kl + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static int read_mounts(const struct vp_root *root, struct vp_hp_status *st, char **ret_msg)
{
	static const char *const tabs[] = {"/proc/self/mountinfo", "/proc/mounts"};
	struct libmnt_table *tb = NULL;
	struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(tabs) && !tb; i++) {
		r = vp_root_mnt_table(root, tabs[i], &tb, ret_msg);
		if (r < 0 && r != -ENOENT)
			return r;
		r = 0;
	}
	if (!tb)
		return 0;       /* no mount table under this root: nothing mounted */
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!it) {
		r = -ENOMEM;
		goto out;
	}
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		struct vp_hp_mount *m;
		char *val = NULL;
		size_t vsz = 0;
		uint64_t bytes;

		if (!vp_streq(mnt_fs_get_fstype(fs), "hugetlbfs"))
			continue;
		m = grow(st->mounts, st->n_mounts, sizeof(*m));
		if (!m) {
			r = -ENOMEM;
			goto out;
		}
		st->mounts = m;
		m = &m[st->n_mounts++];
		*m = (struct vp_hp_mount){.target = strdup(mnt_fs_get_target(fs) ?: "?"),
					  .pagesize_kib = st->default_kib};
		if (mnt_fs_get_option(fs, "pagesize", &val, &vsz) == 0 && val) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%.*s", (int)vsz, val);
			if (vp_parse_size(buf, &bytes, NULL) == 0)
				m->pagesize_kib = (unsigned long)(bytes / 1024);
		}
	}
out:
	mnt_free_iter(it);
	mnt_unref_table(tb);
	return r;
}

int vp_hp_status_read(const struct vp_root *root, struct vp_hp_status *ret, char **ret_msg)
{
	struct vp_hp_status st = {0};
	unsigned long sizes[8];
	int nodes[64];
	size_t n_sizes, n_nodes;
	_cleanup_free_ char *meminfo = NULL, *buddy = NULL, *cmdline = NULL;
	char dir[256];
	int r;

	if (vp_root_read(root, "/proc/meminfo", &meminfo, NULL) == 0) {
		st.memtotal_kib = meminfo_kib(meminfo, "MemTotal");
		st.memfree_kib = meminfo_kib(meminfo, "MemFree");
		st.cma_total_kib = meminfo_kib(meminfo, "CmaTotal");
		st.default_kib = (unsigned long)meminfo_kib(meminfo, "Hugepagesize");
	}
	r = list_sizes(root, sizes, ARRAY_SIZE(sizes), &n_sizes);
	if (r < 0) {
		r = vp_fail(ret_msg, r, "'/sys/kernel/mm/hugepages': %s", strerror(-r));
		goto fail;
	}
	r = list_nodes(root, nodes, ARRAY_SIZE(nodes), &n_nodes);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < n_sizes; i++) {
		snprintf(dir, sizeof(dir), "/sys/kernel/mm/hugepages/hugepages-%lukB", sizes[i]);
		r = add_pool(&st, root, dir, sizes[i], -1);
		if (r < 0)
			goto fail;
		for (size_t j = 0; j < n_nodes; j++) {
			snprintf(dir, sizeof(dir), "/sys/devices/system/node/node%d/hugepages/hugepages-%lukB",
				 nodes[j], sizes[i]);
			if (!vp_root_exists(root, dir))
				continue;
			r = add_pool(&st, root, dir, sizes[i], nodes[j]);
			if (r < 0)
				goto fail;
		}
	}
	r = read_mounts(root, &st, ret_msg);
	if (r < 0)
		goto fail;
	if (vp_root_read(root, "/proc/buddyinfo", &buddy, NULL) == 0) {
		r = vp_hp_parse_buddyinfo(buddy, 4, &st.contig, &st.n_contig);
		if (r == -EINVAL || r == -ERANGE) {
			r = vp_fail(ret_msg, r, "'/proc/buddyinfo': %s", r == -EINVAL ?
				    "unexpected format" : "a count out of range");
			goto fail;
		}
		if (r < 0)
			goto fail;
		st.buddyinfo_readable = true;
	}
	if (vp_root_read(root, "/proc/cmdline", &cmdline, NULL) == 0) {
		/* the kernel's own parameter; a quoted value is not meaningful here */
		for (char *tok = strtok(cmdline, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
			if (vp_startswith(tok, "hugetlb_cma=")) {
				free(st.cma_arg);
				st.cma_arg = strdup(tok + 12);
			}
	}
	*ret = st;
	return 0;
fail:
	vp_hp_status_free(&st);
	return r;
}

void vp_hp_status_free(struct vp_hp_status *st)
{
	for (size_t i = 0; i < st->n_mounts; i++)
		free(st->mounts[i].target);
	free(st->mounts);
	free(st->pools);
	free(st->contig);
	free(st->cma_arg);
	memset(st, 0, sizeof(*st));
}
