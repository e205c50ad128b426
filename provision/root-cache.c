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
	size_t n_slots;  /* a power of two, at least twice n: grown as directories come */
	size_t n, max;
	struct rlimit nofile;   /* the limit found, put back by vp_dircache_free */
	bool raised;
};

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
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

void vp_dircache_free(struct vp_dircache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_slots; i++)
		if (c->slots[i].path) {
			free(c->slots[i].path);
			close(c->slots[i].fd);
		}
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

void vp_dircache_put(struct vp_dircache *c, const char *path, size_t len, int fd)
{
	struct slot *s;

	/* at most half full: the probe in find() stays short */
	if (c->n >= c->max || (2 * (c->n + 1) > c->n_slots && !grow(c))) {
		close(fd);
		return;
	}
	s = find(c, path, len);
	if (s->path || !(s->path = strndup(path, len))) {
		close(fd);
		return;
	}
	s->len = len;
	s->fd = fd;
	c->n++;
}
