// SPDX-License-Identifier: GPL-2.0-or-later
/* The resolver's kept directories. See root-cache.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "root-cache.h"

/* descriptors the probe may hold, kept ones and the libraries' */
#define MAX_FDS 32768

struct slot {
	char *path;     /* NULL: empty */
	size_t len;
	int fd;
};

struct vp_dircache {
	struct slot *slots;
	size_t n_slots;  /* a power of two, at least twice n + n_absent: grown as entries come */
	size_t n, max;          /* descriptors kept, and the most that may be */
	size_t n_absent;        /* paths known absent (no descriptor) */
	struct rlimit nofile;   /* the limit found, put back by vp_dircache_free */
	bool raised;
};

/* Eight bytes a step (the paths are long and looked up a dozen times a function), then mixed. */
static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

int vp_dircache_new(struct vp_dircache **ret)
{
	struct vp_dircache *c = calloc(1, sizeof(*c));
	struct rlimit rl;

	if (!c)
		return -ENOMEM;
	/*
	 * A machine with 1,000 functions has as many device directories: the
	 * soft limit (1024 for select()'s sake; nothing here uses select())
	 * is raised toward the hard one for the probe, and half of it at most
	 * is kept, the rest left to the libraries.
	 */
	c->max = 64;
	if (getrlimit(RLIMIT_NOFILE, &c->nofile) == 0) {
		rl = c->nofile;
		if (rl.rlim_cur < MAX_FDS && rl.rlim_max > rl.rlim_cur) {
			rl.rlim_cur = rl.rlim_max < MAX_FDS ? rl.rlim_max : MAX_FDS;
			c->raised = setrlimit(RLIMIT_NOFILE, &rl) == 0;
			if (!c->raised)
				rl = c->nofile;
		}
		c->max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > MAX_FDS ? MAX_FDS / 2
										: rl.rlim_cur / 2;
	}
	/*
	 * Small at first: a table sized for max (0.75 MB) costs a page fault
	 * per 4 KiB touched, more than the probe of a small machine.
	 */
	c->n_slots = 64;
	c->slots = calloc(c->n_slots, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return -ENOMEM;
	}
	*ret = c;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Closes the n descriptors in fds (sorted here): each run of consecutive
 * numbers, all of them ours, in one close_range() call. A probe of 1,000
 * functions keeps 1,500 directories, and one close() each was a tenth of
 * its system calls.
 */
static void close_all(int *fds, size_t n)
{
	qsort(fds, n, sizeof(*fds), cmp_int);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && fds[j] == fds[j - 1] + 1; j++)
			;
		if (j - i == 1 || close_range((unsigned)fds[i], (unsigned)fds[j - 1], 0) < 0)
			for (size_t k = i; k < j; k++)
				close(fds[k]);
	}
}

void vp_dircache_free(struct vp_dircache *c)
{
	int *fds;
	size_t n = 0;

	if (!c)
		return;
	fds = malloc((c->n ? c->n : 1) * sizeof(*fds));
	for (size_t i = 0; i < c->n_slots; i++)
		if (c->slots[i].path) {
			free(c->slots[i].path);
			if (c->slots[i].fd < 0)
				continue;
			if (fds)
				fds[n++] = c->slots[i].fd;
			else
				close(c->slots[i].fd);
		}
	if (fds)
		close_all(fds, n);
	free(fds);
	free(c->slots);
	if (c->raised)
		setrlimit(RLIMIT_NOFILE, &c->nofile);
	free(c);
}

/* The slot of path, or the empty one where it would go. */
static struct slot *find(const struct vp_dircache *c, const char *path, size_t len)
{
	size_t mask = c->n_slots - 1, i = (size_t)hash(path, len) & mask;

	while (c->slots[i].path &&
	       (c->slots[i].len != len || memcmp(c->slots[i].path, path, len) != 0))
		i = (i + 1) & mask;
	return &c->slots[i];
}

int vp_dircache_get(const struct vp_dircache *c, const char *path, size_t len)
{
	const struct slot *s = find(c, path, len);

	return s->path ? s->fd : -1;
}

bool vp_dircache_room(const struct vp_dircache *c)
{
	return c->n < c->max;
}

/* Twice the slots, every entry moved; false when there is no memory for it. */
static bool grow(struct vp_dircache *c)
{
	struct vp_dircache big = *c;

	big.n_slots = 2 * c->n_slots;
	big.slots = calloc(big.n_slots, sizeof(*big.slots));
	if (!big.slots)
		return false;
	for (size_t i = 0; i < c->n_slots; i++)
		if (c->slots[i].path)
			*find(&big, c->slots[i].path, c->slots[i].len) = c->slots[i];
	free(c->slots);
	c->slots = big.slots;
	c->n_slots = big.n_slots;
	return true;
}

/* A new slot for path, or NULL (no memory, or path is there already). */
static struct slot *add(struct vp_dircache *c, const char *path, size_t len)
{
	struct slot *s;

	/* at most half full: the probe in find() stays short */
	if (2 * (c->n + c->n_absent + 1) > c->n_slots && !grow(c))
		return NULL;
	s = find(c, path, len);
	if (s->path || !(s->path = strndup(path, len)))
		return NULL;
	s->len = len;
	return s;
}

void vp_dircache_put(struct vp_dircache *c, const char *path, size_t len, int fd)
{
	struct slot *s = c->n < c->max ? add(c, path, len) : NULL;

	if (!s) {
		close(fd);
		return;
	}
	s->fd = fd;
	c->n++;
}

void vp_dircache_put_absent(struct vp_dircache *c, const char *path, size_t len)
{
	struct slot *s = add(c, path, len);

	if (s) {
		s->fd = VP_DIRCACHE_ABSENT;
		c->n_absent++;
	}
}
