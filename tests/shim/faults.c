// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for the crash and fault tests. It sees the calls that
 * change files: open/openat (with O_WRONLY, O_RDWR or O_CREAT), write,
 * fsync/fdatasync, rename/renameat/renameat2, unlinkat, mkdirat, fchmod,
 * fchown; only those on paths under $VP_FAULT_ROOT count (so stdout and
 * the libraries' own reads do not).
 *
 *   VP_FAULT_ROOT=DIR        only paths under DIR count (required)
 *   VP_FAULT_COUNT_FILE=F    at exit, write the number of counted calls to F
 *   VP_FAULT_KILL_AT=N       raise SIGKILL just before the N-th counted call
 *   VP_FAULT_OP=open|write|fsync|rename
 *   VP_FAULT_ERRNO=ENOSPC|EACCES|EROFS|EIO
 *   VP_FAULT_MATCH=TEXT      only calls whose path contains TEXT (optional)
 *   VP_FAULT_NTH=K           fail the K-th such call (default 1)
 *   VP_FAULT_SWAP_MKDIR=NAME:TARGET  right after a directory NAME is made,
 *                            move it aside and put a symbolic link to
 *                            TARGET in its place (a race with an attacker)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long counted, kill_at = -1, nth = 1, seen;
static const char *root, *op, *match;
static int fault_errno;

__attribute__((constructor)) static void init(void)
{
	const char *s;

	root = getenv("VP_FAULT_ROOT");
	if ((s = getenv("VP_FAULT_KILL_AT")))
		kill_at = atol(s);
	op = getenv("VP_FAULT_OP");
	match = getenv("VP_FAULT_MATCH");
	if ((s = getenv("VP_FAULT_NTH")))
		nth = atol(s);
	if ((s = getenv("VP_FAULT_ERRNO"))) {
		fault_errno = !strcmp(s, "ENOSPC") ? ENOSPC : !strcmp(s, "EACCES") ? EACCES :
			      !strcmp(s, "EROFS") ? EROFS : !strcmp(s, "EIO") ? EIO : EINVAL;
	}
}

__attribute__((destructor)) static void fini(void)
{
	const char *f = getenv("VP_FAULT_COUNT_FILE");
	static int (*real_open)(const char *, int, ...);
	static ssize_t (*real_write)(int, const void *, size_t);
	char buf[32];
	int fd, n;

	if (!f)
		return;
	real_open = dlsym(RTLD_NEXT, "open");
	real_write = dlsym(RTLD_NEXT, "write");
	fd = real_open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%ld\n", counted);
	real_write(fd, buf, (size_t)n);
	close(fd);
}

static bool under_root(const char *path)
{
	size_t n;

	if (!root || !path)
		return false;
	n = strlen(root);
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static void fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
}

/* dirfd + relative name -> absolute path (best effort) */
static void at_path(int dirfd, const char *name, char *buf, size_t size)
{
	if (name[0] == '/' || dirfd == AT_FDCWD) {
		if (name[0] == '/' || !getcwd(buf, size))
			snprintf(buf, size, "%s", name);
		else
			snprintf(buf + strlen(buf), size - strlen(buf), "/%s", name);
		return;
	}
	fd_path(dirfd, buf, size);
	snprintf(buf + strlen(buf), size - strlen(buf), "/%s", name);
}

/* Returns an errno to fail with, 0 to go on; may not return (SIGKILL). */
static int hook(const char *kind, const char *path)
{
	if (!under_root(path))
		return 0;
	counted++;
	if (kill_at > 0 && counted == kill_at)
		raise(SIGKILL);
	if (op && fault_errno && strcmp(op, kind) == 0 && (!match || strstr(path, match)) &&
	    ++seen == nth)
		return fault_errno;
	return 0;
}

#define REAL(ret, name, ...) \
	static ret (*real)(__VA_ARGS__); \
	if (!real) \
		real = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

static bool writes(int flags)
{
	return (flags & (O_WRONLY | O_RDWR | O_CREAT)) != 0;
}

static int do_openat(const char *sym, int dirfd, const char *name, int flags, mode_t mode)
{
	REAL(int, sym, int, const char *, int, ...);
	char p[PATH_MAX];
	int e;

	if (writes(flags)) {
		at_path(dirfd, name, p, sizeof(p));
		if ((e = hook("open", p))) {
			errno = e;
			return -1;
		}
	}
	return real(dirfd, name, flags, mode);
}

static int do_open(const char *sym, const char *name, int flags, mode_t mode)
{
	REAL(int, sym, const char *, int, ...);
	char p[PATH_MAX];
	int e;

	if (writes(flags)) {
		at_path(AT_FDCWD, name, p, sizeof(p));
		if ((e = hook("open", p))) {
			errno = e;
			return -1;
		}
	}
	return real(name, flags, mode);
}

#define MODE_ARG() \
	mode_t mode = 0; \
	if (flags & (O_CREAT | O_TMPFILE)) { \
		va_list ap; \
		va_start(ap, flags); \
		mode = va_arg(ap, mode_t); \
		va_end(ap); \
	}

int open(const char *name, int flags, ...) { MODE_ARG(); return do_open("open", name, flags, mode); }
int open64(const char *name, int flags, ...) { MODE_ARG(); return do_open("open64", name, flags, mode); }
int openat(int d, const char *name, int flags, ...) { MODE_ARG(); return do_openat("openat", d, name, flags, mode); }
int openat64(int d, const char *name, int flags, ...) { MODE_ARG(); return do_openat("openat64", d, name, flags, mode); }

static int fd_hook(const char *kind, int fd)
{
	char p[PATH_MAX];

	if (!root)
		return 0;
	fd_path(fd, p, sizeof(p));
	return hook(kind, p);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, "write", int, const void *, size_t);
	int e;

	if (fd > 2 && (e = fd_hook("write", fd))) {
		errno = e;
		return -1;
	}
	return real(fd, buf, n);
}

int fsync(int fd)
{
	REAL(int, "fsync", int);
	int e;

	if ((e = fd_hook("fsync", fd))) {
		errno = e;
		return -1;
	}
	return real(fd);
}

int fdatasync(int fd)
{
	REAL(int, "fdatasync", int);
	int e;

	if ((e = fd_hook("fsync", fd))) {
		errno = e;
		return -1;
	}
	return real(fd);
}

int fchmod(int fd, mode_t mode)
{
	REAL(int, "fchmod", int, mode_t);
	int e;

	if ((e = fd_hook("fchmod", fd))) {
		errno = e;
		return -1;
	}
	return real(fd, mode);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	REAL(int, "fchown", int, uid_t, gid_t);
	int e;

	if ((e = fd_hook("fchown", fd))) {
		errno = e;
		return -1;
	}
	return real(fd, uid, gid);
}

int renameat2(int od, const char *o, int nd, const char *n, unsigned flags)
{
	REAL(int, "renameat2", int, const char *, int, const char *, unsigned);
	char p[PATH_MAX];
	int e;

	at_path(nd, n, p, sizeof(p));
	if ((e = hook("rename", p))) {
		errno = e;
		return -1;
	}
	return real(od, o, nd, n, flags);
}

int renameat(int od, const char *o, int nd, const char *n)
{
	REAL(int, "renameat", int, const char *, int, const char *);
	char p[PATH_MAX];
	int e;

	at_path(nd, n, p, sizeof(p));
	if ((e = hook("rename", p))) {
		errno = e;
		return -1;
	}
	return real(od, o, nd, n);
}

int rename(const char *o, const char *n)
{
	REAL(int, "rename", const char *, const char *);
	char p[PATH_MAX];
	int e;

	at_path(AT_FDCWD, n, p, sizeof(p));
	if ((e = hook("rename", p))) {
		errno = e;
		return -1;
	}
	return real(o, n);
}

int unlinkat(int d, const char *name, int flags)
{
	REAL(int, "unlinkat", int, const char *, int);
	char p[PATH_MAX];
	int e;

	at_path(d, name, p, sizeof(p));
	if ((e = hook("unlink", p))) {
		errno = e;
		return -1;
	}
	return real(d, name, flags);
}

/* the real rename(2), not the hooked one: the swap is no call of the tool's */
#define REAL_RENAME() \
	static int (*real_rename)(const char *, const char *); \
	if (!real_rename) \
		real_rename = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename")

int mkdirat(int d, const char *name, mode_t mode)
{
	REAL(int, "mkdirat", int, const char *, mode_t);
	char p[PATH_MAX];
	int e;

	const char *swap = getenv("VP_FAULT_SWAP_MKDIR"), *colon, *base;
	int r;

	at_path(d, name, p, sizeof(p));
	if ((e = hook("mkdir", p))) {
		errno = e;
		return -1;
	}
	r = real(d, name, mode);
	base = strrchr(p, '/');
	base = base ? base + 1 : p;
	colon = swap ? strchr(swap, ':') : NULL;
	if (r == 0 && colon && under_root(p) && strlen(base) == (size_t)(colon - swap) &&
	    strncmp(base, swap, (size_t)(colon - swap)) == 0) {
		char aside[PATH_MAX + 16];

		REAL_RENAME();
		snprintf(aside, sizeof(aside), "%s.vp-swapped", p);
		if (real_rename(p, aside) < 0 || symlink(colon + 1, p) < 0)
			abort();
	}
	return r;
}
