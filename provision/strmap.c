// SPDX-License-Identifier: GPL-2.0-or-later
/* Strings to indexes in linear time. See strmap.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot of key, or of the empty slot where it would go. */
static size_t slot(const struct vp_strmap *m, const char *key)
{
	size_t i = (size_t)hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

long vp_strmap_get(const struct vp_strmap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return -ENOENT;
	i = slot(m, key);
	return m->keys[i] ? (long)m->vals[i] : -ENOENT;
}

static int grow(struct vp_strmap *m)
{
	struct vp_strmap g = {.cap = m->cap ? m->cap * 2 : 16};

	if (g.cap < m->cap || g.cap > SIZE_MAX / sizeof(*g.vals))
		return -ENOMEM;
	g.keys = calloc(g.cap, sizeof(*g.keys));
	g.vals = calloc(g.cap, sizeof(*g.vals));
	if (!g.keys || !g.vals) {
		vp_strmap_free(&g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i]) {
			size_t j = slot(&g, m->keys[i]);

			g.keys[j] = m->keys[i];
			g.vals[j] = m->vals[i];
			g.n++;
		}
	vp_strmap_free(m);
	*m = g;
	return 0;
}

int vp_strmap_put(struct vp_strmap *m, const char *key, size_t val)
{
	size_t i;

	/* at most half full: probes stay short */
	if ((m->n + 1) * 2 > m->cap) {
		int r = grow(m);

		if (r < 0)
			return r;
	}
	i = slot(m, key);
	if (!m->keys[i]) {
		m->keys[i] = key;
		m->n++;
	}
	m->vals[i] = val;
	return 0;
}

void vp_strmap_free(struct vp_strmap *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct vp_strmap){0};
}
