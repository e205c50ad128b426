/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The directories the resolver has walked through, by canonical path
 * inside the root ("/sys/bus/pci"), each kept open (O_PATH): one walk per
 * prefix. A later path under a kept directory is looked up from its
 * descriptor, one component at a time, instead of again from the root.
 *
 * Only directories are kept (never a link: each is read every time), and
 * the paths found absent; only while the system is read (vp_probe): a write may move or remove a
 * directory, so no cache outlives the read it was made for. The number of
 * descriptors is capped well under RLIMIT_NOFILE; past the cap a directory
 * is simply not kept.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vp.h"

struct vp_dircache;

_must_check_ int vp_dircache_new(struct vp_dircache **ret);
void vp_dircache_free(struct vp_dircache *c);
/* What the cache knows of a path that is not there: it was looked up, and is absent. */
#define VP_DIRCACHE_ABSENT (-2)

/*
 * The kept descriptor of canonical directory path, VP_DIRCACHE_ABSENT for
 * a path found absent, or -1.
 */
int vp_dircache_get(const struct vp_dircache *c, const char *path, size_t len);
/* Whether another directory may be kept. */
bool vp_dircache_room(const struct vp_dircache *c);
/* Keeps fd (taken: closed now when full or on error) for path. */
void vp_dircache_put(struct vp_dircache *c, const char *path, size_t len, int fd);
/*
 * Remembers that path is absent: the probes ask for many files that a
 * machine does not have (each bootloader's, each generator's), several
 * times; the read the cache lasts for creates nothing.
 */
void vp_dircache_put_absent(struct vp_dircache *c, const char *path, size_t len);
