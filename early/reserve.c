// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Early-boot logic: early.conf, cmdline overrides, binding by address and
 * the 1 GiB page reservation. See reserve.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reserve.h"

/* More attempts than this never helped on real machines; bounds the loop. */
#define VPE_MAX_ATTEMPTS 8

/* ---- real I/O ---------------------------------------------------------- */

int vpe_read_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return -EINVAL;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (int)len;
}

int vpe_write_fd(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	/* One write: sysfs attributes take the whole value at once. */
	do
		n = write(fd, s, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int vpe_link_name(const char *target, char *buf, size_t size)
{
	const char *name = strrchr(target, '/');

	name = name ? name + 1 : target;
	if (strlen(name) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, name);
	return (int)strlen(buf);
}

static int sys_read(void *ctx, const char *path, char *buf, size_t size)
{
	int fd, r;

	(void)ctx;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = vpe_read_fd(fd, buf, size);
	close(fd);
	return r;
}

static int sys_write(void *ctx, const char *path, const char *s)
{
	int fd, r;

	(void)ctx;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = vpe_write_fd(fd, s);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int sys_readlink_name(void *ctx, const char *path, char *buf, size_t size)
{
	char target[512];
	ssize_t n;

	(void)ctx;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return vpe_link_name(target, buf, size);
}

static void sys_log(void *ctx, enum vpe_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, "%s\n", msg);
}

static unsigned long sys_now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (unsigned long)ts.tv_sec * 1000UL + (unsigned long)ts.tv_nsec / 1000000UL;
}

static void sys_sync(void *ctx)
{
	(void)ctx;
	sync();
}

const struct vpe_io vpe_io_sys = {
	.read = sys_read,
	.write = sys_write,
	.readlink_name = sys_readlink_name,
	.log = sys_log,
	.now_ms = sys_now_ms,
	.sync = sys_sync,
};

/* ---- helpers ----------------------------------------------------------- */

int vpe_path(char *buf, size_t size, const char *root, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	/* "/" and "" both mean the real root: avoid "//sys". */
	if (!root || (root[0] == '/' && root[1] == '\0'))
		root = "";
	n = snprintf(buf, size, "%s", root);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= size - (size_t)n)
		return -ENAMETOOLONG;
	return 0;
}

void vpe_log(const struct vpe_io *io, enum vpe_level level, const char *fmt, ...)
{
	char msg[VPE_MSG_MAX];
	va_list ap;
	int n;

	if (!io->log)
		return;
	n = snprintf(msg, sizeof(msg), "vfio-provision: ");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	io->log(io->ctx, level, msg);
}

/* Decimal, no sign, no trailing garbage except whitespace. */
int vpe_parse_ulong(const char *s, unsigned long *ret)
{
	unsigned long v = 0;
	const char *p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned long d = (unsigned long)(*p - '0');
		if (v > (~0UL - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_hex(const char *s, size_t digits_min, size_t digits_max, unsigned *ret,
		     const char **ret_end)
{
	unsigned v = 0;
	size_t n = 0;

	for (; n < digits_max; n++, s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		v = v * 16 + d;
	}
	if (n < digits_min)
		return -EINVAL;
	*ret = v;
	*ret_end = s;
	return 0;
}

/* "DDDD:BB:DD.F" into a canonical lower-case string. */
static int parse_bdf(const char *s, char *out, size_t size)
{
	unsigned dom, bus, dev, fn;
	const char *p = s;

	if (parse_hex(p, 4, VPE_ADDR_DOMAIN_MAX_DIGITS, &dom, &p) < 0 || *p++ != ':' ||
	    parse_hex(p, 2, 2, &bus, &p) < 0 || *p++ != ':' ||
	    parse_hex(p, 2, 2, &dev, &p) < 0 || *p++ != '.' ||
	    parse_hex(p, 1, 1, &fn, &p) < 0 || *p != '\0' || dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, size, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* "VVVV:DDDD" */
static int parse_id(const char *s, unsigned *ret_vendor, unsigned *ret_device)
{
	const char *p = s;

	if (parse_hex(p, 4, 4, ret_vendor, &p) < 0 || *p++ != ':' ||
	    parse_hex(p, 4, 4, ret_device, &p) < 0 || *p != '\0')
		return -EINVAL;
	return 0;
}

static char *strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* ---- early.conf -------------------------------------------------------- */

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

	rest = strip(rest);
	id = strpbrk(rest, " \t");
	if (!id)
		return -EINVAL;
	*id++ = '\0';
	id = strip(id);
	if (parse_bdf(rest, a.addr, sizeof(a.addr)) < 0 || parse_id(id, &a.vendor, &a.device) < 0)
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
		key = strip(l);
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
		val = strip(eq + 1);
		key = strip(key);

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

/* ---- reservation ------------------------------------------------------- */

unsigned long vpe_cap_pages(unsigned long long memtotal_kib, unsigned long host_min_mib,
			    unsigned long page_kib)
{
	unsigned long long keep = (unsigned long long)host_min_mib * 1024ULL;

	if (page_kib == 0 || memtotal_kib <= keep)
		return 0;
	return (unsigned long)((memtotal_kib - keep) / page_kib);
}

int vpe_read_ulong(const struct vpe_io *io, const char *path, unsigned long *ret)
{
	char buf[64];
	int r;

	r = io->read(io->ctx, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	return vpe_parse_ulong(buf, ret);
}

int vpe_read_global_pool(const struct vpe_io *io, const char *root, char *path, size_t size,
			 unsigned long *ret)
{
	int r = vpe_path(path, size, root, VPE_GLOBAL_POOL);

	return r < 0 ? r : vpe_read_ulong(io, path, ret);
}

int vpe_read_memtotal(const struct vpe_io *io, const char *root, unsigned long long *ret)
{
	char path[512], buf[4096];
	const char *p;
	unsigned long long v = 0;
	int r;

	r = vpe_path(path, sizeof(path), root, "/proc/meminfo");
	if (r < 0)
		return r;
	r = io->read(io->ctx, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	p = strstr(buf, "MemTotal:");
	if (!p)
		return -EINVAL;
	p += 9;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned long long)(*p - '0');
	*ret = v;
	return 0;
}

unsigned long vpe_elapsed(const struct vpe_io *io, unsigned long t0)
{
	return io->now_ms ? io->now_ms(io->ctx) - t0 : 0;
}

int vpe_reserve(const struct vpe_io *io, const char *root, const struct vpe_conf *conf,
		struct vpe_result *res)
{
	char pool[512], compact[512];
	unsigned long t0, prev, want;
	char nbuf[16];
	int r;

	memset(res, 0, sizeof(*res));
	res->requested = conf->hugepages;
	t0 = io->now_ms ? io->now_ms(io->ctx) : 0;

	/* Without the global 1 GiB hstate there is nothing to ask for. */
	r = vpe_read_global_pool(io, root, pool, sizeof(pool), &res->before);
	if (r == -ENOENT) {
		res->why = VPE_SHORT_UNSUPPORTED;
		goto done;
	}
	if (r < 0)
		goto io_fail;

	if (conf->node >= 0) {
		r = vpe_path(pool, sizeof(pool), root,
			     "/sys/devices/system/node/node%d/hugepages/" VPE_HP1G_DIR "/nr_hugepages",
			     conf->node);
		if (r < 0)
			return r;
		r = vpe_read_ulong(io, pool, &res->before);
		if (r == -ENOENT) {
			res->why = VPE_SHORT_NO_NODE;
			goto done;
		}
		if (r < 0)
			goto io_fail;
	}

	/* Never take so much that the host cannot run: cap from MemTotal. */
	r = vpe_read_memtotal(io, root, &res->memtotal_kib);
	if (r < 0) {
		r = vpe_path(pool, sizeof(pool), root, "/proc/meminfo");
		goto io_fail;
	}
	res->cap = vpe_cap_pages(res->memtotal_kib, conf->host_min_mib, VPE_PAGE_KIB);
	res->target = res->requested < res->cap ? res->requested : res->cap;
	if (res->requested > res->cap)
		res->why = VPE_SHORT_CAPPED;

	/* A pool that is already big enough (hugepages= on the cmdline) stays. */
	res->got = res->before;
	if (res->before >= res->target)
		goto done;

	r = vpe_path(compact, sizeof(compact), root, "/proc/sys/vm/compact_memory");
	if (r < 0)
		return r;
	snprintf(nbuf, sizeof(nbuf), "%lu", res->target);
	prev = res->before;
	while (res->attempts < VPE_MAX_ATTEMPTS) {
		res->attempts++;
		/*
		 * The write "succeeds" even when the kernel found fewer free
		 * gigantic blocks; only the read-back tells. A failed write is
		 * still followed by the read-back.
		 */
		r = io->write(io->ctx, pool, nbuf);
		if (r < 0 && r != -ENOMEM) {
			res->err = -r;
			if (res->why == VPE_SHORT_NONE)
				res->why = VPE_SHORT_IO;
		}
		want = res->got;
		r = vpe_read_ulong(io, pool, &res->got);
		if (r < 0) {
			res->got = want;
			goto io_fail;
		}
		if (res->got >= res->target || res->err)
			break;
		if (!res->compacted) {
			/* Once: compaction is slow and a second pass rarely frees more. */
			io->write(io->ctx, compact, "1");
			res->compacted = true;
			prev = res->got;
			continue;
		}
		if (res->got <= prev)
			break;
		prev = res->got;
	}
	if (res->got < res->target && res->why == VPE_SHORT_NONE)
		res->why = VPE_SHORT_ALLOC;
	goto done;

io_fail:
	if (res->why == VPE_SHORT_NONE || res->why == VPE_SHORT_CAPPED)
		res->why = VPE_SHORT_IO;
	res->err = -r;
done:
	res->ms = vpe_elapsed(io, t0);
	return 0;
}

enum vpe_level vpe_result_format(const struct vpe_conf *conf, const struct vpe_result *res,
				 char *buf, size_t size)
{
	char where[32] = "";
	size_t n;
	int m;

	if (conf->node >= 0)
		snprintf(where, sizeof(where), " on node %d", conf->node);
	m = snprintf(buf, size, "vfio-provision: reserved %lu/%lu 1GiB page%s%s in %lu ms",
		     res->got, res->requested, res->requested == 1 ? "" : "s", where, res->ms);
	if (m < 0 || (size_t)m >= size)
		return res->got >= res->requested ? VPE_INFO : VPE_WARN;
	n = (size_t)m;

	switch (res->why) {
	case VPE_SHORT_NONE:
		if (res->got >= res->requested)
			return VPE_INFO;
		break;
	case VPE_SHORT_UNSUPPORTED:
		snprintf(buf + n, size - n, ": no 1GiB page support (CPU without pdpe1gb?)");
		return VPE_WARN;
	case VPE_SHORT_NO_NODE:
		snprintf(buf + n, size - n, ": node %d has no 1GiB page pool", conf->node);
		return VPE_WARN;
	case VPE_SHORT_IO:
		snprintf(buf + n, size - n, ": sysfs/proc access failed: %s", strerror(res->err));
		return VPE_WARN;
	case VPE_SHORT_CAPPED:
		m = snprintf(buf + n, size - n,
			     ": capped at %lu to leave the host %lu MiB of %llu MiB",
			     res->cap, conf->host_min_mib, res->memtotal_kib / 1024ULL);
		if (m < 0 || (size_t)m >= size - n || res->got >= res->target)
			return VPE_WARN;
		n += (size_t)m;
		break;
	case VPE_SHORT_ALLOC:
		break;
	}
	snprintf(buf + n, size - n,
		 "%s the kernel found only %lu free 1GiB block%s%s (memory fragmented or too small)",
		 res->why == VPE_SHORT_CAPPED ? ";" : ":", res->got, res->got == 1 ? "" : "s",
		 res->compacted ? " even after compaction" : "");
	return VPE_WARN;
}

/* ---- binding ----------------------------------------------------------- */

static int read_hex_attr(const struct vpe_io *io, const char *root, const char *addr,
			 const char *attr, unsigned *ret)
{
	char path[512], buf[32];
	const char *p, *end;
	int r;

	r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/devices/%s/%s", addr, attr);
	if (r < 0)
		return r;
	r = io->read(io->ctx, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	p = strip(buf);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	r = parse_hex(p, 1, 8, ret, &end);
	if (r < 0 || *end)
		return -EINVAL;
	return 0;
}

int vpe_bind(const struct vpe_io *io, const char *root, const struct vpe_addr *a)
{
	char path[512], drv[64];
	unsigned vendor, device;
	int r;

	r = read_hex_attr(io, root, a->addr, "vendor", &vendor);
	if (r == 0)
		r = read_hex_attr(io, root, a->addr, "device", &device);
	if (r < 0) {
		vpe_log(io, VPE_WARN, "%s: no PCI function there (%s), not bound to vfio-pci",
			a->addr, strerror(-r));
		return r;
	}
	if (vendor != a->vendor || device != a->device) {
		/* A card was moved or replaced: binding blind could take the wrong one. */
		vpe_log(io, VPE_WARN, "%s: is %04x:%04x, configured %04x:%04x (card moved?), not bound to vfio-pci",
			a->addr, vendor, device, a->vendor, a->device);
		return -ENODEV;
	}

	r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/devices/%s/driver_override", a->addr);
	if (r < 0)
		return r;
	r = io->write(io->ctx, path, "vfio-pci");
	if (r < 0) {
		vpe_log(io, VPE_WARN, "%s: cannot write driver_override: %s", a->addr, strerror(-r));
		return r;
	}

	r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/devices/%s/driver", a->addr);
	if (r < 0)
		return r;
	r = io->readlink_name(io->ctx, path, drv, sizeof(drv));
	if (r >= 0 && strcmp(drv, "vfio-pci") == 0)
		return 0;
	if (r >= 0) {
		r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/devices/%s/driver/unbind", a->addr);
		if (r < 0)
			return r;
		r = io->write(io->ctx, path, a->addr);
		if (r < 0) {
			vpe_log(io, VPE_WARN, "%s: cannot unbind %s: %s", a->addr, drv, strerror(-r));
			return r;
		}
	}
	/*
	 * Probe even when nothing was bound: a built-in vfio-pci has already
	 * passed this device by and only a probe makes it look again. With
	 * vfio-pci still a module this is a no-op and it binds on load.
	 */
	r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/drivers_probe");
	if (r < 0)
		return r;
	io->write(io->ctx, path, a->addr);
	return 0;
}

/* ---- one boot ---------------------------------------------------------- */

int vpe_run(const struct vpe_io *io, const char *root)
{
	char path[512], text[8192], cmdline[4096], line[VPE_MSG_MAX];
	struct vpe_conf conf;
	struct vpe_result res;
	enum vpe_level level;
	size_t bound = 0;
	int r;

	vpe_conf_init(&conf);
	r = vpe_path(path, sizeof(path), root, VPE_CONF_PATH);
	if (r < 0)
		return r;
	r = io->read(io->ctx, path, text, sizeof(text));
	if (r < 0) {
		vpe_log(io, VPE_WARN, "'%s': %s, nothing to do", VPE_CONF_PATH, strerror(-r));
		return 0;
	}
	vpe_conf_parse(&conf, text, VPE_CONF_PATH, io);

	r = vpe_path(path, sizeof(path), root, "/proc/cmdline");
	if (r < 0)
		return r;
	if (io->read(io->ctx, path, cmdline, sizeof(cmdline)) >= 0)
		vpe_cmdline_apply(&conf, cmdline, io);
	if (conf.disabled && !conf.guard) {
		vpe_log(io, VPE_INFO, "disabled by vfio_provision=off on the kernel cmdline");
		return 0;
	}
	/* mode=boot: guard even a count of 0 (vfio_provision.hugepages=0 releases them all) */
	if (conf.guard) {
		struct vpe_guard_result g;

		/* Pages first: binding needs no memory, a host short of it might. */
		vpe_guard(io, root, &conf, &g);
		level = vpe_guard_format(&g, line, sizeof(line));
		if (io->log)
			io->log(io->ctx, level, line);
		if (conf.disabled)
			return 0;
	}

	/* Binding first: it must happen before any GPU driver module loads. */
	for (size_t i = 0; i < conf.n_addrs; i++)
		if (vpe_bind(io, root, &conf.addrs[i]) == 0)
			bound++;
	if (conf.n_addrs > 0)
		vpe_log(io, bound == conf.n_addrs ? VPE_INFO : VPE_WARN,
			"%zu/%zu functions set to vfio-pci by address", bound, conf.n_addrs);

	if (conf.hugepages == 0 || conf.guard)
		return 0;
	vpe_reserve(io, root, &conf, &res);
	if (res.why == VPE_SHORT_NO_NODE) {
		/*
		 * The node is gone (NUMA off in the firmware, a CPU removed):
		 * pages anywhere serve the guest better than none at all.
		 */
		vpe_log(io, VPE_WARN, "node %d has no 1GiB page pool, reserving on any node",
			conf.node);
		conf.node = -1;
		vpe_reserve(io, root, &conf, &res);
	}
	level = vpe_result_format(&conf, &res, line, sizeof(line));
	if (io->log)
		io->log(io->ctx, level, line);
	return 0;
}
