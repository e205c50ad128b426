// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CPU vendor and the pdpe1gb flag from /proc/cpuinfo, MemTotal from
 * /proc/meminfo, NUMA nodes and their 1 GiB pools, and the global 1 GiB and
 * 2 MiB pools. A missing file leaves the value unknown (a captured tree may
 * lack it); a file that exists but cannot be read or parsed is an error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dir-iter.h"
#include "number.h"
#include "probe-internal.h"
#include "probe.h"

#define NODES "/sys/devices/system/node"

/* "key<tabs>: value" of the first processor block; NULL when absent. */
static char *cpuinfo_value(char *text, const char *key)
{
	size_t kl = strlen(key);

	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');

		if (line[0] == '\n')
			break; /* end of the first processor's block */
		if (strncmp(line, key, kl) == 0 && (line[kl] == '\t' || line[kl] == ' ' ||
						   line[kl] == ':')) {
			char *colon = strchr(line, ':');

			if (colon && (!nl || colon < nl)) {
				size_t n = nl ? (size_t)(nl - colon - 1) : strlen(colon + 1);
				char *v = strndup(colon + 1, n);

				return v ? vp_strstrip(v) : NULL;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static bool has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += wl)
		if ((p == list || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\0'))
			return true;
	return false;
}

static int probe_cpuinfo(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	_cleanup_free_ char *text = NULL, *flags = NULL;
	int r;

	r = vp_probe_table(root, "/proc/cpuinfo", &text, ret_msg);
	if (r < 0 || !text)
		return r;
	sys->cpu_vendor = cpuinfo_value(text, "vendor_id");
	flags = cpuinfo_value(text, "flags");
	sys->pdpe1gb = flags && has_word(flags, "pdpe1gb");
	return 0;
}

/*
 * "MemTotal:       16318812 kB" (/proc/meminfo) or
 * "Node 0 MemTotal:       16318812 kB" (node meminfo): prefix is "" or
 * "Node N ".
 */
static int meminfo_total(const struct vp_root *root, const char *path, const char *prefix,
			 unsigned long long *ret, char **ret_msg)
{
	_cleanup_free_ char *text = NULL, *key = NULL;
	int r;

	r = vp_probe_table(root, path, &text, ret_msg);
	if (r < 0 || !text)
		return r;
	key = vp_strdup_printf("%sMemTotal:", prefix);
	if (!key)
		return -ENOMEM;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		unsigned long long v;

		if (nl)
			*nl = '\0';
		if (vp_startswith(line, key)) {
			const char *p = line + strlen(key);

			p += strspn(p, " \t");
			/* "N kB", blanks between: nothing else, no sign, no overflow */
			if (vp_parse_field(&p, 10, ULLONG_MAX, &v) < 0 ||
			    (*p != ' ' && *p != '\t') || strcmp(p + strspn(p, " \t"), "kB") != 0)
				return vp_fail(ret_msg, -EINVAL, "'%s': bad MemTotal line: '%.60s'",
					       path, line);
			*ret = v;
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return vp_fail(ret_msg, -EINVAL, "'%s': no MemTotal line", path);
}

static int read_pool(const struct vp_root *root, const char *dir, struct vp_hpool *pool,
		     unsigned long size_kib, char **ret_msg)
{
	static const char *const attrs[] = {"nr_hugepages", "free_hugepages",
					     "resv_hugepages", "surplus_hugepages"};
	long *vals[] = {&pool->nr, &pool->free, &pool->resv, &pool->surplus};
	int r;

	*pool = (struct vp_hpool){.size_kib = size_kib, .nr = -1, .free = -1, .resv = -1,
				  .surplus = -1};
	pool->present = vp_root_exists(root, dir);
	if (!pool->present)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		_cleanup_free_ char *p = vp_strdup_printf("%s/%s", dir, attrs[i]);

		if (!p)
			return -ENOMEM;
		r = vp_probe_attr_long(root, p, vals[i], ret_msg);
		if (r < 0)
			return r;
		if (*vals[i] < -1)
			return vp_fail(ret_msg, -EINVAL, "'%s': negative count", p);
	}
	return 0;
}

static int cmp_node(const void *a, const void *b)
{
	const struct vp_numa_node *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int read_node(const struct vp_root *root, struct vp_numa_node *node, char **ret_msg)
{
	_cleanup_free_ char *mi = NULL, *prefix = NULL, *nr = NULL, *fr = NULL;
	int r;

	mi = vp_strdup_printf("%s/node%d/meminfo", NODES, node->id);
	prefix = vp_strdup_printf("Node %d ", node->id);
	nr = vp_strdup_printf("%s/node%d/hugepages/hugepages-1048576kB/nr_hugepages", NODES,
			      node->id);
	fr = vp_strdup_printf("%s/node%d/hugepages/hugepages-1048576kB/free_hugepages", NODES,
			      node->id);
	if (!mi || !prefix || !nr || !fr)
		return -ENOMEM;
	r = meminfo_total(root, mi, prefix, &node->mem_total_kib, ret_msg);
	if (r < 0)
		return r;
	r = vp_probe_attr_long(root, nr, &node->hp1g_nr, ret_msg);
	if (r < 0)
		return r;
	return vp_probe_attr_long(root, fr, &node->hp1g_free, ret_msg);
}

static int add_node(int dfd, const char *name, void *userdata)
{
	struct vp_probe_walk *ns = userdata;
	struct vp_system *sys = ns->sys;
	struct vp_numa_node *n;
	long id;

	(void)dfd;
	/* node0, node1, ...; skip possible, online, has_cpu, ... */
	if (!vp_startswith(name, "node") || !name[4])
		return 0;
	if (!vp_parse_long(name + 4, 10, &id) || id < 0 || id > 0xffff || strchr(name, '\n'))
		return vp_fail(ns->ret_msg, -EINVAL, "'%s/%s': not a node number", NODES, name);
	if (sys->n_nodes == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 4;

		n = realloc(sys->nodes, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		sys->nodes = n;
		ns->cap = cap;
	}
	n = &sys->nodes[sys->n_nodes++];
	*n = (struct vp_numa_node){.id = (int)id, .hp1g_nr = -1, .hp1g_free = -1};
	return read_node(ns->root, n, ns->ret_msg);
}

static int probe_nodes(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	struct vp_probe_walk ns = {.root = root, .sys = sys, .ret_msg = ret_msg};
	int r;

	r = vp_dir_each(root, NODES, add_node, &ns, ret_msg);
	/* no node dir: a kernel without NUMA (a node's own -ENOENT comes after n_nodes++) */
	if (r == -ENOENT && !sys->n_nodes)
		return 0;
	if (r < 0)
		return r;
	if (sys->n_nodes > 1)
		qsort(sys->nodes, sys->n_nodes, sizeof(*sys->nodes), cmp_node);
	return 0;
}

int vp_probe_cpu_mem(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	int r;

	r = probe_cpuinfo(root, sys, ret_msg);
	if (r < 0)
		return r;
	r = meminfo_total(root, "/proc/meminfo", "", &sys->mem_total_kib, ret_msg);
	if (r < 0)
		return r;
	r = probe_nodes(root, sys, ret_msg);
	if (r < 0)
		return r;
	r = read_pool(root, "/sys/kernel/mm/hugepages/hugepages-1048576kB", &sys->hp1g, 1048576,
		      ret_msg);
	if (r < 0)
		return r;
	return read_pool(root, "/sys/kernel/mm/hugepages/hugepages-2048kB", &sys->hp2m, 2048,
			 ret_msg);
}
