// SPDX-License-Identifier: GPL-2.0-or-later
/* libmount and libblkid through dlopen(). See mnt-api.h. */
#define VP_MNT_API_IMPL
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mnt-api.h"
#include "vp.h"

static struct vp_mnt_api api;
static bool loaded;

int vp_mnt_load(char **ret_msg)
{
	static const struct {
		const char *name;
		void **where;
	} syms[] = {
#define VP_MNT_ENTRY(sym) {#sym, (void **)&api.sym},
		VP_MNT_SYMBOLS(VP_MNT_ENTRY)
#undef VP_MNT_ENTRY
	};
	void *mnt, *blk;

	if (loaded)
		return 0;
	/* never closed: tables and probes they made live on */
	blk = dlopen("libblkid.so.1", RTLD_NOW | RTLD_LOCAL);
	mnt = blk ? dlopen("libmount.so.1", RTLD_NOW | RTLD_LOCAL) : NULL;
	if (!mnt)
		return vp_fail(ret_msg, -ENOPKG, "libmount and libblkid are needed to read fstab "
			       "and block devices: %s (install libmount1 and libblkid1)", dlerror());
	for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
		void *h = strncmp(syms[i].name, "blkid_", 6) == 0 ? blk : mnt;

		*syms[i].where = dlsym(h, syms[i].name);
		if (!*syms[i].where)
			return vp_fail(ret_msg, -ENOPKG, "%s has no %s", h == blk ? "libblkid.so.1" :
				       "libmount.so.1", syms[i].name);
	}
	loaded = true;
	return 0;
}

const struct vp_mnt_api *vp_mnt_api(void)
{
	char *msg = NULL;

	if (!loaded && vp_mnt_load(&msg) < 0) {
		/* a broken installation: no result of ours can go on without them */
		fprintf(stderr, "vfio-provision: %s\n", msg ? msg : strerror(ENOMEM));
		exit(2);
	}
	return &api;
}
