// SPDX-License-Identifier: GPL-2.0-or-later
/* The symbols of a library loaded with dlopen(). See dl-syms.h. */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "dl-syms.h"

int vp_dl_syms(void *h, const char *soname, const char *prefix, const struct vp_dl_sym *syms,
	       size_t n, const char *hint, char **ret_msg)
{
	size_t plen = strlen(prefix);

	for (size_t i = 0; i < n; i++) {
		if (strncmp(syms[i].name, prefix, plen) != 0)
			continue;
		*syms[i].where = dlsym(h, syms[i].name);
		if (!*syms[i].where)
			return vp_fail(ret_msg, -ENOPKG, "%s has no %s%s", soname, syms[i].name, hint);
	}
	return 0;
}
