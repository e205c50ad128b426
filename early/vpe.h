/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The early-boot logic of vfio-provision: parse early.conf and the kernel
 * cmdline, bind functions to vfio-pci by address, reserve 1 GiB pages.
 *
 * Plain C on top of a few syscalls and stdio, so the same code runs in the
 * static initramfs program and in the main tool's `hugepages reserve` verb.
 * Every path is "<root>/<absolute path>" and every file access goes through
 * struct vpe_io, so tests run it on fake sysfs trees or on an in-memory fake
 * whose counters change between attempts. Functions return 0 or a negative
 * errno; nothing here aborts or exits.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vpe-limits.h"

#define VPE_CONF_PATH "/etc/vfio-provision/early.conf"
#define VPE_HP1G_DIR "hugepages-1048576kB"
#define VPE_GLOBAL_POOL "/sys/kernel/mm/hugepages/" VPE_HP1G_DIR "/nr_hugepages"
#define VPE_PAGE_KIB (1024UL * 1024UL)      /* 1 GiB in KiB */
#define VPE_DEFAULT_HOST_MIN_MIB 2048UL
#define VPE_MSG_MAX 256

enum vpe_level { VPE_ERR = 3, VPE_WARN = 4, VPE_INFO = 6 };

/* File access, injectable for tests. Paths are already prefixed by the root. */
struct vpe_io {
	/* Reads up to size-1 bytes, NUL-terminates; returns the length or -errno. */
	int (*read)(void *ctx, const char *path, char *buf, size_t size);
	/* Writes the whole string in one write(2) (sysfs wants that); 0 or -errno. */
	int (*write)(void *ctx, const char *path, const char *s);
	/* Last component of a symlink's target into buf; length or -errno. */
	int (*readlink_name)(void *ctx, const char *path, char *buf, size_t size);
	/* One message for the log (kmsg in the initramfs); may be NULL. */
	void (*log)(void *ctx, enum vpe_level level, const char *msg);
	/* Monotonic milliseconds, for the "in N ms" figure; may be NULL. */
	unsigned long (*now_ms)(void *ctx);
	/* Writes dirty data back (sync(2)) before caches are dropped; may be NULL. */
	void (*sync)(void *ctx);
	void *ctx;
};

/* The real thing: open/read/write/readlink, log to stderr. */
extern const struct vpe_io vpe_io_sys;
/* Its pieces, for another vpe_io that opens files its own way: */
int vpe_read_fd(int fd, char *buf, size_t size);        /* as .read */
int vpe_write_fd(int fd, const char *s);                 /* as .write, one write(2) */
int vpe_link_name(const char *target, char *buf, size_t size); /* last component */

struct vpe_addr {
	char addr[VPE_ADDR_SIZE]; /* DDDD:BB:DD.F, lower case */
	unsigned vendor, device;
};

struct vpe_conf {
	bool disabled;                  /* vfio_provision=off */
	/*
	 * mode=boot: the kernel reserved the pages (hugepages= on its cmdline);
	 * the program only guards: it releases pages beyond hugepages= or the
	 * host_min cap, and all of them with vfio_provision=off. Otherwise
	 * (mode=early) the program reserves them itself.
	 */
	bool guard;
	unsigned long hugepages;        /* 1 GiB pages wanted; 0 = none */
	int node;                       /* -1 = any (the global pool) */
	unsigned long host_min_mib;     /* memory always left to the host */
	struct vpe_addr addrs[VPE_MAX_ADDR];
	size_t n_addrs;
};

void vpe_conf_init(struct vpe_conf *conf);

/*
 * Parses early.conf text (modified in place). Bad or unknown lines are
 * reported through io->log with the file name and line, and skipped: a
 * newer tool may write keys this program does not know. Returns the number
 * of lines warned about.
 */
int vpe_conf_parse(struct vpe_conf *conf, char *text, const char *name,
		   const struct vpe_io *io);

/*
 * Applies the one-boot overrides from the kernel cmdline: vfio_provision=off
 * (also 0/no/false) disables everything, vfio_provision.hugepages=N replaces
 * the count. The last occurrence wins, as with kernel parameters.
 */
void vpe_cmdline_apply(struct vpe_conf *conf, const char *cmdline, const struct vpe_io *io);

/*
 * How many pages of page_kib may be reserved so that the host keeps
 * host_min_mib of memtotal_kib. Pure.
 */
unsigned long vpe_cap_pages(unsigned long long memtotal_kib, unsigned long host_min_mib,
			    unsigned long page_kib);

enum vpe_short {
	VPE_SHORT_NONE = 0,
	VPE_SHORT_UNSUPPORTED,  /* no 1 GiB hstate: CPU without pdpe1gb */
	VPE_SHORT_NO_NODE,      /* configured node does not exist */
	VPE_SHORT_CAPPED,       /* host_min_mib limited the target */
	VPE_SHORT_ALLOC,        /* the kernel gave fewer (memory fragmented/too small) */
	VPE_SHORT_IO,           /* a sysfs or proc file could not be read or written */
};

struct vpe_result {
	unsigned long requested;
	unsigned long target;           /* min(requested, cap) */
	unsigned long got;              /* read back from the pool */
	unsigned long cap;
	unsigned long before;           /* pool size when we started */
	unsigned long long memtotal_kib;
	unsigned attempts;              /* writes to nr_hugepages */
	bool compacted;
	enum vpe_short why;             /* first reason it is short, if it is */
	int err;                        /* errno for VPE_SHORT_IO */
	unsigned long ms;
};

/*
 * Reserves conf->hugepages 1 GiB pages on conf->node (or globally): caps the
 * target so the host keeps host_min_mib, writes it, reads back, and when
 * short compacts memory once and retries while each attempt gains pages.
 * Never lowers a pool that is already larger. Returns 0 (the outcome is in
 * *res, a shortfall is not an error) or a negative errno for bad arguments.
 */
int vpe_reserve(const struct vpe_io *io, const char *root, const struct vpe_conf *conf,
		struct vpe_result *res);

struct vpe_guard_result {
	unsigned long requested;        /* hugepages= of early.conf (or the cmdline override) */
	unsigned long before;           /* what the kernel reserved (the global pool) */
	unsigned long target;           /* min(requested, cap); 0 when disabled */
	unsigned long got;              /* the pool after any release */
	unsigned long cap;
	unsigned long host_min_mib;
	unsigned long long memtotal_kib;
	bool disabled;
	enum vpe_short why;             /* UNSUPPORTED, IO, or NONE */
	int err;
	unsigned long ms;
};

/*
 * The guard of mode=boot: reads what the kernel reserved and MemTotal,
 * releases pages until the pool holds at most min(hugepages, cap) (none
 * with vfio_provision=off), writes nothing when the pool is within that.
 * Never allocates: the kernel at boot had the best chance. Returns 0 (the
 * outcome in *res) or a negative errno for bad arguments.
 */
int vpe_guard(const struct vpe_io *io, const char *root, const struct vpe_conf *conf,
	      struct vpe_guard_result *res);

/* The guard's line for kmsg: what it kept and why; returns its level. */
enum vpe_level vpe_guard_format(const struct vpe_guard_result *res, char *buf, size_t size);

/* Values every job reads (io.c). */
int vpe_read_ulong(const struct vpe_io *io, const char *path, unsigned long *ret);
int vpe_read_memtotal(const struct vpe_io *io, const char *root, unsigned long long *ret);
/*
 * nr_hugepages of the global 1 GiB pool (its path, under root, left in
 * path); -ENOENT when the kernel has no 1 GiB hstate.
 */
int vpe_read_global_pool(const struct vpe_io *io, const char *root, char *path, size_t size,
			 unsigned long *ret);
unsigned long vpe_elapsed(const struct vpe_io *io, unsigned long t0);

/* The one-line summary for kmsg; returns its level. */
enum vpe_level vpe_result_format(const struct vpe_conf *conf, const struct vpe_result *res,
				 char *buf, size_t size);

/*
 * Binds one function to vfio-pci through driver_override: checks that the
 * vendor:device there is still the configured one (else -ENODEV and a
 * warning: the card was moved), writes "vfio-pci" to driver_override, and
 * unbinds a driver already bound before asking the bus to probe it again.
 */
int vpe_bind(const struct vpe_io *io, const char *root, const struct vpe_addr *a);

/* Everything for one boot: config, cmdline, binding, reservation, the log line. */
int vpe_run(const struct vpe_io *io, const char *root);

/* Helpers shared with the tests. */
int vpe_path(char *buf, size_t size, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void vpe_log(const struct vpe_io *io, enum vpe_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Numbers and blanks (num.c). The one digit parser: at least one digit of
 * base (2..16; 0: 0x hex, 0 octal, else decimal) at s, no sign, no blank,
 * at most max (-ERANGE), *ret_end after the digits.
 */
int vpe_parse_digits(const char *s, unsigned base, unsigned long long max,
		     unsigned long long *ret, const char **ret_end);
/* Decimal, no sign, blanks around allowed. */
int vpe_parse_ulong(const char *s, unsigned long *ret);
/* digits_min to digits_max hex digits at s; *ret_end after them. */
int vpe_parse_hex(const char *s, size_t digits_min, size_t digits_max, unsigned *ret,
		  const char **ret_end);
/*
 * The one PCI address parser: "DDDD:BB:DD.F" as sysfs names it (4 to
 * VPE_ADDR_DOMAIN_MAX_DIGITS domain digits: VMD domains have 5), any case,
 * the whole string; -EINVAL otherwise. The early program's and the tool's.
 */
int vpe_parse_addr(const char *s, unsigned *ret_dom, unsigned *ret_bus, unsigned *ret_dev,
		   unsigned *ret_fn);
/* "VVVV:DDDD", four hex digits each, the whole string. */
int vpe_parse_id(const char *s, unsigned *ret_vendor, unsigned *ret_device);
/* Strips leading and trailing blanks in place; returns the start. */
char *vpe_strip(char *s);
