// SPDX-License-Identifier: GPL-2.0-or-later
/* libmount and libblkid through dlopen(). See mnt-api.h. */
#define VP_MNT_API_IMPL
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dl-syms.h"
#include "mnt-api.h"
#include "vp.h"

static struct vp_mnt_api api;
static bool loaded;

int vp_mnt_load(char **ret_msg)
{
	static const struct vp_dl_sym syms[] = {
#define VP_MNT_ENTRY(sym) {#sym, (void **)&api.sym},
		VP_MNT_SYMBOLS(VP_MNT_ENTRY)
#undef VP_MNT_ENTRY
	};
	void *mnt, *blk;
	int r;

	if (loaded)
		return 0;
	/* never closed: tables and probes they made live on */
	blk = dlopen("libblkid.so.1", RTLD_NOW | RTLD_LOCAL);
	mnt = blk ? dlopen("libmount.so.1", RTLD_NOW | RTLD_LOCAL) : NULL;
	if (!mnt)
		return vp_fail(ret_msg, -ENOPKG, "libmount and libblkid are needed to read fstab "
			       "and block devices: %s (install libmount1 and libblkid1)", dlerror());
	r = vp_dl_syms(blk, "libblkid.so.1", "blkid_", syms, ARRAY_SIZE(syms), "", ret_msg);
	if (r >= 0)
		r = vp_dl_syms(mnt, "libmount.so.1", "mnt_", syms, ARRAY_SIZE(syms), "", ret_msg);
	if (r < 0)
		return r;
	loaded = true;
	return 0;
}

const struct vp_mnt_api *vp_mnt_api(void)
{
	/*
	 * main.c has loaded them, or said why not and stopped, for every verb
	 * that calls them (the tests load them here). Getting here without them
	 * is a defect, not an input: nothing to return, nothing to print.
	 */
	if (!loaded && vp_mnt_load(NULL) < 0)
		abort();
	return &api;
}
