// SPDX-License-Identifier: GPL-2.0-or-later
/* libxml2 through dlopen(). See xml-api.h. */
#define VP_XML_API_IMPL
#include <dlfcn.h>
#include <errno.h>

#include "dl-syms.h"
#include "vp.h"
#include "xml-api.h"

#define LIBXML2_SONAME "libxml2.so.2"

struct vp_xml_api vp_xml_api;

int vp_xml_load(char **ret_msg)
{
	static const struct vp_dl_sym syms[] = {
#define VP_XML_ENTRY(sym) {#sym, (void **)&vp_xml_api.sym},
		VP_XML_SYMBOLS(VP_XML_ENTRY)
#undef VP_XML_ENTRY
	};
	static bool loaded;
	void *h;
	int r;

	if (loaded)
		return 0;
	/* never closed: the documents and strings it made live on */
	h = dlopen(LIBXML2_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return vp_fail(ret_msg, -ENOPKG, "libxml2 is needed to read and write libvirt XML: "
			       "%s (install libxml2)", dlerror());
	r = vp_dl_syms(h, LIBXML2_SONAME, "", syms, ARRAY_SIZE(syms), "", ret_msg);
	if (r < 0)
		return r;
	loaded = true;
	return 0;
}
