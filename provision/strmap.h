/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A map from strings to indexes, for finding duplicates in a list read from
 * a file in linear time (the ledger's lines): open addressing, FNV-1a. The
 * keys are borrowed: they must outlive the map.
 */
#pragma once

#include <stddef.h>

struct vp_strmap {
	const char **keys;
	size_t *vals;
	size_t n, cap;          /* cap: a power of two, or 0 */
};

/* The value of key, or -ENOENT. */
long vp_strmap_get(const struct vp_strmap *m, const char *key);
/* Sets key to val (replacing what it had). 0 or -ENOMEM. */
int vp_strmap_put(struct vp_strmap *m, const char *key, size_t val);
void vp_strmap_free(struct vp_strmap *m);
