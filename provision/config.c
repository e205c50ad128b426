// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The INI config, read with inih. inih does the tokenising (sections,
 * "key = value", comments, the BOM); we feed it line by line through our
 * own reader so that we know the line number of every key (Debian builds
 * inih without INI_HANDLER_LINENO) and can refuse what inih would silently
 * misread: lines longer than its buffer (it splits them), indented lines
 * (it glues them to the previous value), repeated sections (it merges them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dir-iter.h"
#include "pci-addr.h"
#include "size.h"
#include "vpe-limits.h"

#define CONFIG_MAIN "/etc/vfio-provision.conf"
#define CONFIG_STDIN "<stdin>"
#define CONFIG_DIR "/etc/vfio-provision.conf.d"

/* inih reads into a buffer of INI_MAX_LINE bytes: text, '\n' and NUL. */
#define LINE_MAX_TEXT (INI_MAX_LINE - 2)

#define GIB (UINT64_C(1) << 30)
#define MIB (UINT64_C(1) << 20)
/*
 * 64 TiB: the most memory an x86-64 kernel with 4-level paging can address
 * (MAX_PHYSMEM_BITS 46); anything above is a typo, and the cap keeps every
 * sum of sizes far from overflowing. Sizes below it but beyond the
 * machine's memory are the planner's to warn about (plan-cmdline.c).
 */
#define MAX_MEM_BYTES (UINT64_C(1) << 46)
#define MAX_HP_COUNT (unsigned long)(MAX_MEM_BYTES / GIB)
#define MAX_NODE 1023UL         /* MAX_NUMNODES on x86 is 1024 */

/* Defaults live in static storage so that vp_config_init() cannot fail. */
static char default_mount[] = "/dev/hugepages1G";
static char default_group[] = "kvm";

const char *vp_strategy_name(enum vp_strategy s)
{
	switch (s) {
	case VP_STRATEGY_IDS: return "ids";
	case VP_STRATEGY_OVERRIDE: return "override";
	default: return "auto";
	}
}

const char *vp_hp_mode_name(enum vp_hp_mode m)
{
	switch (m) {
	case VP_HP_BOOT: return "boot";
	case VP_HP_CMA: return "cma";
	case VP_HP_RUNTIME: return "runtime";
	default: return "early";
	}
}

void vp_config_init(struct vp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->select_auto = true;
	cfg->strategy = VP_STRATEGY_AUTO;
	cfg->hp_count = 0;
	cfg->hp_node = -1;
	cfg->hp_mode = VP_HP_BOOT;
	cfg->hp_mount = default_mount;
	cfg->hp_group = default_group;
	cfg->host_min_mib = 2048;
	cfg->initramfs_auto = true;
	cfg->initramfs = VP_INITRAMFS_NONE;
	cfg->regenerate = false;
	cfg->bootloader_auto = true;
	cfg->bootloader = VP_BOOT_NONE;
	cfg->iommu = VP_IOMMU_AUTO;
	cfg->iommu_pt = true;
	cfg->thp = VP_THP_NEVER;
	cfg->on_upgrade = false;
	cfg->unload_auto = true;
}

static void set_str(char **field, char *def, char *s)
{
	if (*field != def)
		free(*field);
	*field = s;
}

void vp_config_free(struct vp_config *cfg)
{
	vp_strv_free(&cfg->select);
	set_str(&cfg->hp_mount, default_mount, NULL);
	set_str(&cfg->hp_group, default_group, NULL);
	vp_strv_free(&cfg->libvirt_domains);
	vp_strv_free(&cfg->handoff_stop);
	vp_strv_free(&cfg->unload);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- the key table ------------------------------------------------------ */

enum section { SEC_GPU, SEC_HUGEPAGES, SEC_INITRAMFS, SEC_BOOTLOADER, SEC_CMDLINE,
	       SEC_APPLY, SEC_LIBVIRT, SEC_HANDOFF, SEC_COUNT, SEC_NONE = -1 };

static const char *const section_names[SEC_COUNT] = {
	[SEC_GPU] = "gpu", [SEC_HUGEPAGES] = "hugepages", [SEC_INITRAMFS] = "initramfs",
	[SEC_BOOTLOADER] = "bootloader", [SEC_CMDLINE] = "cmdline", [SEC_APPLY] = "apply",
	[SEC_LIBVIRT] = "libvirt", [SEC_HANDOFF] = "handoff",
};

struct parse;
typedef int (*setter_fn)(struct parse *p, const char *value);

struct key {
	enum section section;
	const char *name;
	setter_fn set;
};

#define MAX_KEYS 32

struct parse {
	struct vp_config *cfg;
	const char *name;               /* for messages */
	const char *pos;                /* next line of the text */
	unsigned line;                  /* number of the line last handed to inih */
	char *msg;                      /* first error */
	unsigned msg_line;
	int section;                    /* current section, SEC_NONE before the first */
	unsigned section_line[SEC_COUNT];
	unsigned key_line[MAX_KEYS];    /* where each key was set in this text */
};

static int perr(struct parse *p, const char *fmt, ...) _printf_(2, 3);
static int perr(struct parse *p, const char *fmt, ...)
{
	struct vp_buf b = {0};
	va_list ap;

	if (p->msg)
		return -EINVAL;
	vp_buf_printf(&b, "'%s':%u: ", p->name, p->line);
	va_start(ap, fmt);
	vp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p->msg = vp_buf_steal(&b);
	p->msg_line = p->line;
	return -EINVAL;
}

/* name = value among names[], else an error listing the allowed values. */
static int pick(struct parse *p, const char *key, const char *value,
		const char *const *names, size_t n, int *ret)
{
	struct vp_buf allowed = {0};
	int r;

	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(value, names[i]) == 0) {
			*ret = (int)i;
			return 0;
		}
	for (size_t i = 0; i < n; i++)
		if (names[i])
			vp_buf_printf(&allowed, "%s%s", allowed.len ? ", " : "", names[i]);
	r = perr(p, "bad value '%s' for '%s' (allowed: %s)", value, key,
		 allowed.s ? allowed.s : "");
	vp_buf_free(&allowed);
	return r;
}

static int parse_bool(struct parse *p, const char *key, const char *value, bool *ret)
{
	static const char *const names[] = {"no", "yes", "false", "true", "0", "1"};
	int i, r;

	r = pick(p, key, value, names, ARRAY_SIZE(names), &i);
	if (r < 0)
		return r;
	*ret = i & 1;
	return 0;
}

/* Splits a list value at spaces and commas, calling fn for every entry. */
static int split_list(struct parse *p, const char *value,
		      int (*fn)(struct parse *p, const char *entry, void *data), void *data)
{
	_cleanup_free_ char *copy = strdup(value);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		int r = fn(p, t, data);

		if (r < 0)
			return r;
	}
	return 0;
}

/* "vvvv:dddd", "DDDD:BB:DD.F" or "BB:DD.F" -> normalised, lower case. */
static int select_entry(struct parse *p, const char *e, void *data)
{
	struct vp_strv *list = data;
	char buf[VPE_ADDR_SIZE];
	size_t n = strlen(e);
	unsigned vendor, device;

	if (strcmp(e, "auto") == 0)
		return perr(p, "'auto' cannot be combined with ids or addresses in 'select'");
	if (vp_parse_pci_id(e, &vendor, &device)) {
		snprintf(buf, sizeof(buf), "%04x:%04x", vendor, device);
	} else if (n >= 7 && n <= VPE_ADDR_MAX_LEN && e[n - 5] == ':' && e[n - 2] == '.') {
		/* shaped as an address: the one address parser (4 to 8 domain digits) */
		if (vp_pci_addr_normalize(e, buf) < 0)
			return perr(p, "bad PCI address '%s' in 'select' (DDDD:BB:DD.F or BB:DD.F, "
				    "a domain of 4 to 8 hex digits, device 00-1f, function 0-7)", e);
	} else {
		return perr(p, "bad entry '%s' in 'select' (allowed: auto, or a list of "
			    "vendor:device ids like 10de:1b81 and PCI addresses like "
			    "0000:01:00.0 or 01:00.0)", e);
	}
	return vp_strv_push_unique(list, buf);
}

static int set_select(struct parse *p, const char *value)
{
	struct vp_strv list = {0};
	int r;

	if (strcmp(value, "auto") == 0) {
		vp_strv_free(&p->cfg->select);
		p->cfg->select_auto = true;
		return 0;
	}
	r = split_list(p, value, select_entry, &list);
	if (r == 0 && list.n == 0)
		r = perr(p, "empty value for 'select' (allowed: auto, or a list of ids and addresses)");
	if (r < 0) {
		vp_strv_free(&list);
		return r;
	}
	/* a later file's list replaces an earlier one, it does not add to it */
	vp_strv_free(&p->cfg->select);
	p->cfg->select = list;
	p->cfg->select_auto = false;
	return 0;
}

static int set_strategy(struct parse *p, const char *value)
{
	static const char *const names[] = {
		[VP_STRATEGY_AUTO] = "auto", [VP_STRATEGY_IDS] = "ids",
		[VP_STRATEGY_OVERRIDE] = "override",
	};
	int i, r = pick(p, "strategy", value, names, ARRAY_SIZE(names), &i);

	if (r == 0)
		p->cfg->strategy = (enum vp_strategy)i;
	return r;
}

static int key_index(enum section s, const char *name);

/* count and size are two spellings of one setting: one of them per file. */
static int check_exclusive(struct parse *p, const char *key, const char *other)
{
	unsigned l = p->key_line[key_index(SEC_HUGEPAGES, other)];

	if (l)
		return perr(p, "'%s' and '%s' are exclusive ('%s' is set at line %u)",
			    key, other, other, l);
	return 0;
}

static int set_count(struct parse *p, const char *value)
{
	unsigned long v;
	int r = check_exclusive(p, "count", "size");

	if (r < 0)
		return r;
	r = vp_parse_ulong(value, MAX_HP_COUNT, &v);
	if (r == -ERANGE)
		return perr(p, "'count' %s is too large (at most %lu pages)", value, MAX_HP_COUNT);
	if (r < 0)
		return perr(p, "bad value '%s' for 'count' (a number of 1 GiB pages, 0 for none)",
			    value);
	p->cfg->hp_count = v;
	return 0;
}

static int set_size(struct parse *p, const char *value)
{
	uint64_t bytes;
	bool unit;
	int r = check_exclusive(p, "size", "count");

	if (r < 0)
		return r;
	r = vp_parse_size(value, &bytes, &unit);
	if (r == -ERANGE || (r == 0 && bytes > MAX_MEM_BYTES))
		return perr(p, "'size' %s is too large (at most %lluT)", value,
			    (unsigned long long)(MAX_MEM_BYTES >> 40));
	if (r < 0 || !unit)
		return perr(p, "bad value '%s' for 'size' (a size with a unit, like 16G or 16384M)",
			    value);
	/*
	 * Refused rather than rounded: rounding up takes memory from the host
	 * that nobody asked for, rounding down leaves the guest short.
	 */
	if (bytes % GIB)
		return perr(p, "'size' %s is not a whole number of 1 GiB pages; write %lluG "
			    "or %lluG", value, (unsigned long long)(bytes / GIB),
			    (unsigned long long)(bytes / GIB + 1));
	p->cfg->hp_count = (unsigned long)(bytes / GIB);
	return 0;
}

static int set_node(struct parse *p, const char *value)
{
	unsigned long v;

	if (strcmp(value, "auto") == 0) {
		p->cfg->hp_node = -1;
		return 0;
	}
	if (vp_parse_ulong(value, MAX_NODE, &v) < 0)
		return perr(p, "bad value '%s' for 'node' (allowed: auto, or a NUMA node "
			    "number 0-%lu)", value, MAX_NODE);
	p->cfg->hp_node = (int)v;
	return 0;
}

static int set_mode(struct parse *p, const char *value)
{
	static const char *const names[] = {
		[VP_HP_EARLY] = "early", [VP_HP_BOOT] = "boot", [VP_HP_CMA] = "cma",
		[VP_HP_RUNTIME] = "runtime",
	};
	int i, r = pick(p, "mode", value, names, ARRAY_SIZE(names), &i);

	if (r == 0)
		p->cfg->hp_mode = (enum vp_hp_mode)i;
	return r;
}

static int set_mount(struct parse *p, const char *value)
{
	char *s;

	if (strcmp(value, "none") == 0) {
		s = strdup("");
	} else {
		/* it becomes an fstab field: absolute, no white space, no ".." */
		if (value[0] != '/' || strpbrk(value, " \t\\") || strstr(value, "/../") ||
		    vp_startswith(value, "/..") || strlen(value) >= 4096 ||
		    (strlen(value) >= 3 && strcmp(value + strlen(value) - 3, "/..") == 0))
			return perr(p, "bad value '%s' for 'mount' (allowed: none, or an absolute "
				    "path without spaces, backslashes or '..')", value);
		s = strdup(value);
	}
	if (!s)
		return -ENOMEM;
	set_str(&p->cfg->hp_mount, default_mount, s);
	return 0;
}

static int set_group(struct parse *p, const char *value)
{
	size_t n = strlen(value);
	char *s;

	/* the shadow-utils rule for names; a numeric gid is accepted as well */
	unsigned long gid;

	/*
	 * All digits is a gid (shadow-utils refuses such names): it must fit
	 * a gid_t and not be (gid_t)-1, which chown() takes as "no change".
	 */
	if (n == 0 || n > 32 || value[0] == '-' ||
	    strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n ||
	    (strspn(value, "0123456789") == n && vp_parse_ulong(value, UINT32_MAX - 1, &gid) < 0))
		return perr(p, "bad value '%s' for 'group' (a group name like kvm, or a "
			    "numeric gid)", value);
	s = strdup(value);
	if (!s)
		return -ENOMEM;
	set_str(&p->cfg->hp_group, default_group, s);
	return 0;
}

static int set_host_min(struct parse *p, const char *value)
{
	uint64_t bytes;
	bool unit;
	int r = vp_parse_size(value, &bytes, &unit);

	if (r == -ERANGE || (r == 0 && bytes > MAX_MEM_BYTES))
		return perr(p, "'host_min' %s is too large (at most %lluT)", value,
			    (unsigned long long)(MAX_MEM_BYTES >> 40));
	if (r < 0 || !unit || bytes % MIB)
		return perr(p, "bad value '%s' for 'host_min' (a size with a unit, in whole "
			    "MiB, like 2G or 1536M)", value);
	p->cfg->host_min_mib = (unsigned long)(bytes / MIB);
	return 0;
}

/* A name no target in the table has: the names it has (target.h). */
static int bad_target(struct parse *p, const char *key, const char *value, bool bootloader)
{
	_cleanup_free_ char *names = vp_target_names(bootloader);

	if (!names)
		return -ENOMEM;
	return perr(p, "bad value '%s' for '%s' (allowed: auto, %s, none)", value, key, names);
}

static int set_generator(struct parse *p, const char *value)
{
	enum vp_initramfs g;

	if (strcmp(value, "auto") == 0) {
		p->cfg->initramfs_auto = true;
		p->cfg->initramfs = VP_INITRAMFS_NONE;
		return 0;
	}
	if (vp_initramfs_from_name(value, &g) < 0)
		return bad_target(p, "generator", value, false);
	p->cfg->initramfs_auto = false;
	p->cfg->initramfs = g;
	return 0;
}

static int set_regenerate(struct parse *p, const char *value)
{
	return parse_bool(p, "regenerate", value, &p->cfg->regenerate);
}

static int set_bootloader(struct parse *p, const char *value)
{
	enum vp_bootloader b;

	if (strcmp(value, "auto") == 0) {
		p->cfg->bootloader_auto = true;
		p->cfg->bootloader = VP_BOOT_NONE;
		return 0;
	}
	if (vp_bootloader_from_name(value, &b) < 0)
		return bad_target(p, "type", value, true);
	p->cfg->bootloader_auto = false;
	p->cfg->bootloader = b;
	return 0;
}

static int set_iommu(struct parse *p, const char *value)
{
	static const char *const names[] = {
		[VP_IOMMU_AUTO] = "auto", [VP_IOMMU_ON] = "on", [VP_IOMMU_KEEP] = "keep",
	};
	int i, r = pick(p, "iommu", value, names, ARRAY_SIZE(names), &i);

	if (r == 0)
		p->cfg->iommu = (enum vp_iommu_opt)i;
	return r;
}

static int set_iommu_pt(struct parse *p, const char *value)
{
	return parse_bool(p, "iommu_pt", value, &p->cfg->iommu_pt);
}

static int set_thp(struct parse *p, const char *value)
{
	static const char *const names[] = {
		[VP_THP_NEVER] = "never", [VP_THP_MADVISE] = "madvise",
		[VP_THP_ALWAYS] = "always", [VP_THP_KEEP] = "keep",
	};
	int i, r = pick(p, "transparent_hugepage", value, names, ARRAY_SIZE(names), &i);

	if (r == 0)
		p->cfg->thp = (enum vp_thp)i;
	return r;
}

static int set_on_upgrade(struct parse *p, const char *value)
{
	return parse_bool(p, "on_upgrade", value, &p->cfg->on_upgrade);
}

static int domain_entry(struct parse *p, const char *e, void *data)
{
	/* libvirt refuses '/' in names; ours end up in a hook's argument list */
	if (strchr(e, '/'))
		return perr(p, "bad domain name '%s' in 'domains' (no '/' allowed)", e);
	return vp_strv_push_unique(data, e);
}

static int set_domains(struct parse *p, const char *value)
{
	struct vp_strv list = {0};
	int r = split_list(p, value, domain_entry, &list);

	if (r < 0) {
		vp_strv_free(&list);
		return r;
	}
	vp_strv_free(&p->cfg->libvirt_domains);
	p->cfg->libvirt_domains = list;
	return 0;
}

static int set_single_gpu(struct parse *p, const char *value)
{
	return parse_bool(p, "single_gpu", value, &p->cfg->single_gpu);
}

/*
 * Units and modules become arguments of systemctl and modprobe (argv, never
 * a shell): a name that starts with '-' would be read as an option.
 */
static bool name_ok(const char *e, const char *allowed, size_t max)
{
	size_t n = strlen(e);

	return n && n <= max && e[0] != '-' && strspn(e, allowed) == n;
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static int unit_entry(struct parse *p, const char *e, void *data)
{
	/* systemd's unit name characters and length limit (unit-name.c) */
	if (!name_ok(e, ALNUM ":_.@\\-", 255))
		return perr(p, "bad unit name '%s' in 'stop' (letters, digits and ':_.@\\-', "
			    "not starting with '-')", e);
	return vp_strv_push_unique(data, e);
}

static int module_entry(struct parse *p, const char *e, void *data)
{
	/* MODULE_NAME_LEN is 64 with the NUL */
	if (!name_ok(e, ALNUM "_-", 63))
		return perr(p, "bad module name '%s' in 'unload' (letters, digits, '_' and '-', "
			    "not starting with '-')", e);
	return vp_strv_push_unique(data, e);
}

/* A list whose value "none" is the empty list. */
static int set_list(struct parse *p, const char *value, struct vp_strv *field,
		    int (*entry)(struct parse *p, const char *e, void *data))
{
	struct vp_strv list = {0};
	int r = strcmp(value, "none") == 0 ? 0 : split_list(p, value, entry, &list);

	if (r < 0) {
		vp_strv_free(&list);
		return r;
	}
	vp_strv_free(field);
	*field = list;
	return 0;
}

static int set_stop(struct parse *p, const char *value)
{
	p->cfg->handoff_stop_set = true;
	return set_list(p, value, &p->cfg->handoff_stop, unit_entry);
}

static int set_unload(struct parse *p, const char *value)
{
	p->cfg->unload_auto = strcmp(value, "auto") == 0;
	if (p->cfg->unload_auto) {
		vp_strv_free(&p->cfg->unload);
		return 0;
	}
	return set_list(p, value, &p->cfg->unload, module_entry);
}

static const struct key keys[] = {
	{SEC_GPU, "select", set_select},
	{SEC_GPU, "strategy", set_strategy},
	{SEC_HUGEPAGES, "count", set_count},
	{SEC_HUGEPAGES, "size", set_size},
	{SEC_HUGEPAGES, "node", set_node},
	{SEC_HUGEPAGES, "mode", set_mode},
	{SEC_HUGEPAGES, "mount", set_mount},
	{SEC_HUGEPAGES, "group", set_group},
	{SEC_HUGEPAGES, "host_min", set_host_min},
	{SEC_INITRAMFS, "generator", set_generator},
	{SEC_INITRAMFS, "regenerate", set_regenerate},
	{SEC_BOOTLOADER, "type", set_bootloader},
	{SEC_CMDLINE, "iommu", set_iommu},
	{SEC_CMDLINE, "iommu_pt", set_iommu_pt},
	{SEC_CMDLINE, "transparent_hugepage", set_thp},
	{SEC_APPLY, "on_upgrade", set_on_upgrade},
	{SEC_LIBVIRT, "domains", set_domains},
	{SEC_HANDOFF, "single_gpu", set_single_gpu},
	{SEC_HANDOFF, "stop", set_stop},
	{SEC_HANDOFF, "unload", set_unload},
};
#define N_KEYS ((int)ARRAY_SIZE(keys))
_Static_assert(ARRAY_SIZE(keys) <= MAX_KEYS, "raise MAX_KEYS");

static int key_index(enum section s, const char *name)
{
	for (int i = 0; i < N_KEYS; i++)
		if (keys[i].section == s && strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- feeding inih --------------------------------------------------------- */

static int check_section(struct parse *p, const char *start)
{
	const char *end = strchr(start, ']');
	_cleanup_free_ char *name = NULL;
	const char *rest;
	struct vp_buf known = {0};
	int s = SEC_NONE, r;

	if (!end)
		return perr(p, "malformed section header, expected '[name]'");
	rest = end + 1;
	rest += strspn(rest, " \t\r\n");
	if (*rest && *rest != ';' && *rest != '#')
		return perr(p, "unexpected text after section header: '%.*s'",
			    (int)strcspn(rest, "\r\n"), rest);
	name = strndup(start + 1, (size_t)(end - start - 1));
	if (!name)
		return -ENOMEM;
	vp_strstrip(name);
	for (int i = 0; i < SEC_COUNT; i++)
		if (strcmp(name, section_names[i]) == 0)
			s = i;
	if (s == SEC_NONE) {
		for (int i = 0; i < SEC_COUNT; i++)
			vp_buf_printf(&known, "%s%s", i ? ", " : "", section_names[i]);
		r = perr(p, "unknown section [%s] (known: %s)", name, known.s ? known.s : "");
		vp_buf_free(&known);
		return r;
	}
	/*
	 * inih merges a repeated section silently. We refuse it: keys are
	 * unique per file, so a second [gpu] only hides where a setting is,
	 * and usually means two pasted snippets.
	 */
	if (p->section_line[s])
		return perr(p, "section [%s] appears twice (first at line %u); keep its keys "
			    "in one place", name, p->section_line[s]);
	p->section_line[s] = p->line;
	p->section = s;
	return 0;
}

/* Checks one line (ending in '\n') before inih sees it. */
static int check_line(struct parse *p, const char *text)
{
	const char *begin = text, *s;

	if (p->line == 1 && vp_startswith(begin, "\xEF\xBB\xBF"))
		begin += 3;
	s = begin + strspn(begin, " \t\r");
	if (!*s || *s == '\n' || *s == ';' || *s == '#')
		return 0;
	/* inih reads an indented line as the continuation of the previous value */
	if (s != begin)
		return perr(p, "line starts with white space (it would continue the previous "
			    "value); remove the indentation");
	if (*s == '[')
		return check_section(p, s);
	return 0;
}

static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *nl;
	size_t len, text;

	if (p->msg || !*p->pos)
		return NULL;
	nl = strchr(p->pos, '\n');
	len = nl ? (size_t)(nl - p->pos) + 1 : strlen(p->pos);
	text = nl ? len - 1 : len;
	/* "\r\n": inih strips the '\r' anyway, so it does not count */
	if (text && p->pos[text - 1] == '\r')
		text--;
	p->line++;
	if (text > LINE_MAX_TEXT || text + 2 > (size_t)num) {
		perr(p, "line is %zu bytes long, at most %d are allowed", text,
		     text > LINE_MAX_TEXT ? LINE_MAX_TEXT : num - 2);
		return NULL;
	}
	memcpy(str, p->pos, text);
	str[text] = '\n';
	str[text + 1] = '\0';
	if (check_line(p, str) < 0)
		return NULL;
	p->pos += len;
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	struct vp_buf known = {0};
	int k;

	(void)section; /* the reader tracked and checked it */
	if (p->msg)
		return 0;
	if (p->section == SEC_NONE) {
		perr(p, "key '%s' is outside of any section", name);
		return 0;
	}
	if (!*name) {
		perr(p, "missing key name before '='");
		return 0;
	}
	k = key_index((enum section)p->section, name);
	if (k < 0) {
		for (int i = 0; i < N_KEYS; i++)
			if ((int)keys[i].section == p->section)
				vp_buf_printf(&known, "%s%s", known.len ? ", " : "", keys[i].name);
		perr(p, "unknown key '%s' in section [%s] (known: %s)", name,
		     section_names[p->section], known.s ? known.s : "");
		vp_buf_free(&known);
		return 0;
	}
	if (p->key_line[k]) {
		perr(p, "duplicate key '%s' in section [%s] (first set at line %u)", name,
		     section_names[p->section], p->key_line[k]);
		return 0;
	}
	if (keys[k].set(p, value) < 0) {
		if (!p->msg)
			perr(p, "out of memory");
		return 0;
	}
	p->key_line[k] = p->line;
	return 1;
}

int vp_config_parse_string(struct vp_config *cfg, const char *name, const char *text,
			   char **ret_msg)
{
	struct parse p = {.cfg = cfg, .name = name, .pos = text, .section = SEC_NONE};
	int r;

	r = ini_parse_stream(reader, &p, handler, &p);
	if (r < 0) {
		free(p.msg);
		return vp_fail(ret_msg, -ENOMEM, "'%s': out of memory", name);
	}
	/* inih's own complaint (no '=' on a line) when it comes first */
	if (r > 0 && (!p.msg || (unsigned)r < p.msg_line)) {
		free(p.msg);
		return vp_fail(ret_msg, -EINVAL, "'%s':%d: malformed line, expected "
			       "'key = value', '[section]' or a comment", name, r);
	}
	if (p.msg) {
		vp_fail(ret_msg, -EINVAL, "%s", p.msg);
		free(p.msg);
		return -EINVAL;
	}
	return 0;
}

/* ---- loading the files ------------------------------------------------- */

static int load_file(struct vp_config *cfg, const struct vp_root *root, const char *path,
		     bool must_exist, char **ret_msg)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = vp_root_read_text(root, path, &text, NULL, NULL, ret_msg);
	if (r == -ENOENT) {
		_cleanup_free_ char *target = NULL;

		/* a link to nothing is a mistake, not "no config" */
		if (vp_root_readlink(root, path, &target) == 0)
			return vp_fail(ret_msg, r, "'%s': a symlink to '%s', which does not exist",
				       path, target);
		if (!must_exist)
			return 0;
		return vp_fail(ret_msg, r, "'%s': %s", path, strerror(-r));
	}
	if (r < 0)
		return r;
	return vp_config_parse_string(cfg, path, text, ret_msg);
}

/*
 * "--config -": the configuration on standard input, read once and kept (a
 * verb may load it more than once). Lets a caller plan with a candidate
 * config without writing it anywhere (the Ansible module's check mode).
 */
static int load_stdin(struct vp_config *cfg, char **ret_msg)
{
	static struct vp_buf text;
	static bool read_done;
	char chunk[8192];
	int r = 0;

	while (!read_done) {
		ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = vp_fail(ret_msg, -errno, "'%s': %s", CONFIG_STDIN, strerror(errno));
			goto fail;
		}
		if (n == 0)
			read_done = true;
		else if ((r = vp_buf_add(&text, chunk, (size_t)n)) < 0)
			goto fail;
	}
	r = vp_buf_add(&text, "", 0);   /* empty input: still a string */
	if (r < 0)
		goto fail;
	if (strlen(text.s) != text.len) {
		r = vp_fail(ret_msg, -EINVAL, "'%s': NUL byte in the input", CONFIG_STDIN);
		goto fail;
	}
	r = vp_config_parse_string(cfg, CONFIG_STDIN, text.s, ret_msg);
fail:
	return r;
}

static int add_dropin(int dfd, const char *name, void *userdata)
{
	(void)dfd;
	if (!vp_dropin_name(name, ".conf"))
		return 0;
	return vp_strv_push_take(userdata, vp_strdup_printf(CONFIG_DIR "/%s", name));
}

/* In strcmp order, the C locale's lexical order, as documented (dir-iter.h). */
static int dropin_names(const struct vp_root *root, struct vp_strv *ret, char **ret_msg)
{
	int r = vp_dir_each(root, CONFIG_DIR, add_dropin, ret, ret_msg);

	return r == -ENOENT ? 0 : r;
}

int vp_config_load(struct vp_config *cfg, const struct vp_root *root, const char *path,
		   char **ret_msg)
{
	struct vp_strv dropins = {0};
	_cleanup_free_ char *abs = NULL;
	int r;

	if (path && path[0] != '/' && strcmp(path, "-") != 0) {
		_cleanup_free_ char *cwd = NULL;

		/* relative to the working directory only makes sense without --root */
		if (root->dir[0])
			return vp_fail(ret_msg, -EINVAL, "'%s': --config needs an absolute "
				       "path inside the root with --root", path);
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return vp_fail(ret_msg, -errno, "'%s': %s", path, strerror(errno));
		abs = vp_strdup_printf("%s/%s", strcmp(cwd, "/") ? cwd : "", path);
		if (!abs)
			return -ENOMEM;
		path = abs;
	}
	if (path && strcmp(path, "-") == 0)
		r = load_stdin(cfg, ret_msg);
	else
		r = load_file(cfg, root, path ? path : CONFIG_MAIN, path != NULL, ret_msg);
	if (r < 0)
		return r;
	r = dropin_names(root, &dropins, ret_msg);
	for (size_t i = 0; r == 0 && i < dropins.n; i++)
		r = load_file(cfg, root, dropins.v[i], true, ret_msg);
	vp_strv_free(&dropins);
	return r;
}

bool vp_config_present(const struct vp_root *root, const char *path)
{
	struct vp_strv dropins = {0};
	_cleanup_free_ char *target = NULL;
	struct stat st;
	bool present;

	if (path)
		return true;
	if (vp_root_stat(root, CONFIG_MAIN, &st, NULL) != -ENOENT ||
	    vp_root_readlink(root, CONFIG_MAIN, &target) == 0)
		return true;
	present = dropin_names(root, &dropins, NULL) < 0 || dropins.n > 0;
	vp_strv_free(&dropins);
	return present;
}
