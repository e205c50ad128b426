/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The symbols of a library loaded with dlopen(): one loop for every loader. */
#ifndef VP_DL_SYMS_H
#define VP_DL_SYMS_H

#include <stddef.h>

#include "vp.h"

struct vp_dl_sym {
	const char *name;
	void **where;
};

/*
 * dlsym() of every entry of syms whose name starts with prefix ("" for
 * all) from handle h of library soname, into *where; a missing one fails
 * with -ENOPKG, "SONAME has no NAME" and hint (may be "") after it.
 */
_must_check_ int vp_dl_syms(void *h, const char *soname, const char *prefix,
			    const struct vp_dl_sym *syms, size_t n, const char *hint,
			    char **ret_msg);

#endif
