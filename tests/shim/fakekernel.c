// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim that plays the kernel's hugetlb allocator on a fake sysfs
 * tree, so `hugepages reserve|release` can be tested end to end without
 * root-owned /sys. Writes to .../hugepages-1048576kB/nr_hugepages grant at
 * most the "available" gigantic blocks; writes to compact_memory and
 * drop_caches make more available, as the kernel's would.
 *
 * State file ($VP_FAKE_KERNEL_STATE), rewritten after each event:
 *   avail N            1 GiB blocks the allocator can find now
 *   compact A B C ...  blocks each successive compaction frees (then 0)
 *   drop N             blocks dropping clean caches frees (once)
 *   writes N           nr_hugepages writes seen (for assertions)
 * and, one word a line in $VP_FAKE_KERNEL_STATE.ops, every operation in the
 * order the tool did it: sync, drop, compact, write (to nr_hugepages).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t (*real_write)(int, const void *, size_t);

struct state {
	long avail;
	long compact[32];
	int n_compact;
	long drop;
	long writes;
};

static int load(const char *path, struct state *s)
{
	FILE *f = fopen(path, "re");
	char key[32];

	memset(s, 0, sizeof(*s));
	if (!f)
		return -1;
	while (fscanf(f, "%31s", key) == 1) {
		if (strcmp(key, "avail") == 0) {
			if (fscanf(f, "%ld", &s->avail) != 1)
				break;
		} else if (strcmp(key, "drop") == 0) {
			if (fscanf(f, "%ld", &s->drop) != 1)
				break;
		} else if (strcmp(key, "writes") == 0) {
			if (fscanf(f, "%ld", &s->writes) != 1)
				break;
		} else if (strcmp(key, "compact") == 0) {
			while (s->n_compact < 32 && fscanf(f, "%ld", &s->compact[s->n_compact]) == 1)
				s->n_compact++;
		}
	}
	fclose(f);
	return 0;
}

static void save(const char *path, const struct state *s)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return;
	fprintf(f, "avail %ld\ncompact", s->avail);
	for (int i = 0; i < s->n_compact; i++)
		fprintf(f, " %ld", s->compact[i]);
	fprintf(f, "\ndrop %ld\nwrites %ld\n", s->drop, s->writes);
	fclose(f);
}

static long read_num(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static void write_num(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	int n = snprintf(buf, sizeof(buf), "%ld\n", v);

	if (fd < 0)
		return;
	if (real_write(fd, buf, (size_t)n) < 0)
		perror("fakekernel");
	close(fd);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Appends one operation's name to STATE.ops. */
static void record(const char *st, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s.ops", st);
	f = fopen(path, "ae");
	if (!f)
		return;
	fprintf(f, "%s\n", name);
	fclose(f);
}

/* sync(2) and syncfs(2): recorded, not done (the test's data needs no flush). */
void sync(void)
{
	const char *st = getenv("VP_FAKE_KERNEL_STATE");
	void (*real_sync)(void);

	if (st) {
		record(st, "sync");
		return;
	}
	real_sync = (void (*)(void))dlsym(RTLD_NEXT, "sync");
	if (real_sync)
		real_sync();
}

int syncfs(int fd)
{
	const char *st = getenv("VP_FAKE_KERNEL_STATE");
	int (*real_syncfs)(int);

	if (st) {
		record(st, "sync");
		return 0;
	}
	real_syncfs = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
	return real_syncfs ? real_syncfs(fd) : 0;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	const char *st = getenv("VP_FAKE_KERNEL_STATE");
	char link[64], path[4096], val[32];
	struct state s;
	ssize_t len;

	if (!real_write)
		real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (!st || fd < 3)
		return real_write(fd, buf, n);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len < 0)
		return real_write(fd, buf, n);
	path[len] = '\0';
	if (load(st, &s) < 0)
		return real_write(fd, buf, n);
	snprintf(val, sizeof(val), "%.*s", (int)(n < sizeof(val) - 1 ? n : sizeof(val) - 1),
		 (const char *)buf);

	if (ends_with(path, "/hugepages-1048576kB/nr_hugepages")) {
		char dir[4096], freep[4200];
		long want = strtol(val, NULL, 10), cur, fr;

		snprintf(dir, sizeof(dir), "%.*s", (int)(len - 13), path);
		snprintf(freep, sizeof(freep), "%s/free_hugepages", dir);
		cur = read_num(path);
		fr = read_num(freep);
		s.writes++;
		record(st, "write");
		if (want > cur) {
			long grant = want - cur < s.avail ? want - cur : s.avail;

			s.avail -= grant;
			cur += grant;
			fr += grant;
		} else if (want < cur) {
			/* only free pages go back */
			long give = cur - want < fr ? cur - want : fr;

			s.avail += give;
			cur -= give;
			fr -= give;
		}
		/* the real kernel: the write succeeds, the read-back tells */
		write_num(path, cur);
		write_num(freep, fr);
		save(st, &s);
		return (ssize_t)n;
	}
	if (ends_with(path, "/proc/sys/vm/compact_memory")) {
		record(st, "compact");
		if (s.n_compact > 0) {
			s.avail += s.compact[0];
			memmove(s.compact, s.compact + 1, sizeof(long) * (size_t)(s.n_compact - 1));
			s.n_compact--;
		}
		save(st, &s);
		return (ssize_t)n;
	}
	if (ends_with(path, "/proc/sys/vm/drop_caches")) {
		record(st, "drop");
		s.avail += s.drop;
		s.drop = 0;
		save(st, &s);
		return (ssize_t)n;
	}
	return real_write(fd, buf, n);
}
