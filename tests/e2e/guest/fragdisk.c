// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2e helper for tests/e2e/rtdisk.sh: fragments physical memory with a real
 * filesystem, the same way in every boot. Built static; runs on the host
 * (populate) and in the guest (run).
 *
 *   fragdisk populate DIR FILES SEED
 *	DIR/r/DDD/FFFFF: FILES small files of 1 to 16 KiB of pseudo-random
 *	bytes, sizes and bytes fixed by SEED (the host puts DIR into the ext4
 *	image with mkfs.ext4 -d).
 *   fragdisk run MNT FILL_MIB READ WRITE SEED
 *	FILL_MIB / 32 rounds, each: 32 MiB of anonymous memory faulted in, READ
 *	files of MNT/r read through (page cache, inodes, dentries), WRITE new
 *	files of 1 to 16 KiB written under MNT/w (dirty page cache, new inodes,
 *	journal). Then all the anonymous memory is freed: the file cache and
 *	its slab stay, interleaved with the holes the chunks leave.
 *   fragdisk map
 *	per GiB of physical memory, from /proc/kpageflags: pages in slab,
 *	on the LRU (page cache and anonymous), page tables, reserved, and
 *	free buddy blocks' heads ("MAP gib=N slab=... lru=..." lines).
 *
 * Everything is fixed by the arguments: counts, sizes, order, bytes.
 * Prints "FRAGDISK k=v ..." on success; exits 1 with a message otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (32UL << 20)
#define PER_DIR 1000UL
#define MAX_FILE (16UL << 10)

static uint64_t rng;

static uint64_t next(void)
{
	/* xorshift64*: fixed by the seed, the same on host and guest. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned long file_size(void)
{
	return 1024 + next() % (MAX_FILE - 1024 + 1);
}

static int parse(const char *s, unsigned long *ret)
{
	char *end;

	errno = 0;
	*ret = strtoul(s, &end, 10);
	return errno || end == s || *end ? -1 : 0;
}

static int write_file(const char *path, unsigned long size)
{
	static unsigned char buf[MAX_FILE];
	int fd, ok;

	for (unsigned long i = 0; i < size; i += 8) {
		uint64_t v = next();

		memcpy(buf + i, &v, size - i < 8 ? size - i : 8);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ok = write(fd, buf, size) == (ssize_t)size;
	if (close(fd) < 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* DIR/r/DDD/ or MNT/w/DDD/ for file number i, created when i starts it. */
static int file_path(char *buf, size_t n, const char *top, const char *kind, unsigned long i,
		     int create)
{
	snprintf(buf, n, "%s/%s/%03lu", top, kind, i / PER_DIR);
	if (create && i % PER_DIR == 0 && mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	snprintf(buf, n, "%s/%s/%03lu/%05lu", top, kind, i / PER_DIR, i);
	return 0;
}

static int populate(const char *dir, unsigned long files)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/r", dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		goto fail;
	for (unsigned long i = 0; i < files; i++)
		if (file_path(path, sizeof(path), dir, "r", i, 1) < 0 || write_file(path, file_size()) < 0)
			goto fail;
	printf("FRAGDISK populated=%lu\n", files);
	return 0;
fail:
	fprintf(stderr, "fragdisk: '%s': %s\n", path, strerror(errno));
	return 1;
}

static unsigned long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

static int read_file(const char *path, unsigned long *bytes)
{
	static char buf[MAX_FILE];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*bytes += (unsigned long)n;
	close(fd);
	return n < 0 ? -1 : 0;
}

static int run(const char *mnt, unsigned long fill_mib, unsigned long nread, unsigned long nwrite)
{
	unsigned long rounds = (fill_mib << 20) / CHUNK, nr = 0, nw = 0, rb = 0, wb = 0, chunks = 0;
	unsigned long anon_ms = 0;
	struct timespec ta;
	char **chunk = calloc(rounds ? rounds : 1, sizeof(*chunk));
	struct timespec t0;
	char path[4096] = "";
	struct stat st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!chunk)
		goto fail;
	/* The read set is the host's: count it rather than trust an argument. */
	snprintf(path, sizeof(path), "%s/r", mnt);
	if (stat(path, &st) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/w", mnt);
	if (mkdir(path, 0755) < 0)
		goto fail;
	for (unsigned long i = 0; i < rounds; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ta);
		/* Populated (faulted in, zeroed) by mmap itself: no second pass. */
		chunk[i] = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (chunk[i] == MAP_FAILED) {
			chunk[i] = NULL;
			snprintf(path, sizeof(path), "anonymous chunk %lu", i);
			goto fail;
		}
		chunks++;
		anon_ms += ms_since(&ta);
		for (unsigned long j = 0; j < nread; j++, nr++) {
			file_path(path, sizeof(path), mnt, "r", nr, 0);
			if (read_file(path, &rb) < 0)
				goto fail;
		}
		for (unsigned long j = 0; j < nwrite; j++, nw++) {
			unsigned long size = file_size();

			if (file_path(path, sizeof(path), mnt, "w", nw, 1) < 0 || write_file(path, size) < 0)
				goto fail;
			wb += size;
		}
	}
	for (unsigned long i = 0; i < rounds; i++)
		munmap(chunk[i], CHUNK);
	free(chunk);
	printf("FRAGDISK fill_mib=%lu rounds=%lu read=%lu read_kib=%lu written=%lu written_kib=%lu ms=%lu anon_ms=%lu\n",
	       fill_mib, chunks, nr, rb >> 10, nw, wb >> 10, ms_since(&t0), anon_ms);
	return 0;
fail:
	fprintf(stderr, "fragdisk: '%s': %s (after %lu rounds, %lu read, %lu written)\n", path,
		strerror(errno), chunks, nr, nw);
	return 1;
}

static int map(void)
{
	enum { LRU = 5, SLAB = 7, BUDDY = 10, PGTABLE = 26, RESERVED = 32 };
	static uint64_t buf[4096];
	unsigned long c[5] = {0}, pfn = 0, per = (1UL << 30) / 4096;
	ssize_t n;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "fragdisk: '/proc/kpageflags': %s\n", strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (size_t i = 0; i < (size_t)n / 8; i++, pfn++) {
			uint64_t f = buf[i];

			c[0] += f >> SLAB & 1;
			c[1] += f >> LRU & 1;
			c[2] += f >> PGTABLE & 1;
			c[3] += f >> RESERVED & 1;
			c[4] += f >> BUDDY & 1;
			if ((pfn + 1) % per == 0) {
				printf("MAP gib=%lu slab=%lu lru=%lu pgtable=%lu reserved=%lu buddy=%lu\n",
				       pfn / per, c[0], c[1], c[2], c[3], c[4]);
				memset(c, 0, sizeof(c));
			}
		}
	}
	close(fd);
	return n < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long a, b, c, seed;

	if (argc == 5 && !strcmp(argv[1], "populate") && !parse(argv[3], &a) && !parse(argv[4], &seed)) {
		rng = seed | 1;
		return populate(argv[2], a);
	}
	if (argc == 7 && !strcmp(argv[1], "run") && !parse(argv[3], &a) && !parse(argv[4], &b) &&
	    !parse(argv[5], &c) && !parse(argv[6], &seed)) {
		rng = seed | 1;
		return run(argv[2], a, b, c);
	}
	if (argc == 2 && !strcmp(argv[1], "map"))
		return map();
	fprintf(stderr, "usage: fragdisk populate DIR FILES SEED\n"
			"       fragdisk run MNT FILL_MIB READ WRITE SEED\n"
			"       fragdisk map\n");
	return 2;
}
