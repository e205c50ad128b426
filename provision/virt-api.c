// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvirt through its C API, resolved with dlsym() from libvirt.so.0. The
 * prototypes are libvirt's own (libvirt-dev's headers), so a wrong
 * signature does not compile.
 */
#include <dlfcn.h>
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

#include "dl-syms.h"
#include "virt-api.h"
#include "vp.h"

#define LIBVIRT_SONAME "libvirt.so.0"

static struct {
	bool loaded;
	virConnectAuthPtr *auth_default;
	typeof(&virConnectOpenAuth) open_auth;
	typeof(&virConnectClose) close;
	typeof(&virConnectGetURI) get_uri;
	typeof(&virDomainLookupByName) lookup;
	typeof(&virDomainGetXMLDesc) xml_desc;
	typeof(&virDomainIsActive) is_active;
	typeof(&virDomainDefineXML) define;
	typeof(&virDomainFree) domain_free;
	typeof(&virGetLastErrorMessage) last_error;
	typeof(&virGetLastErrorCode) last_code;
	typeof(&virSetErrorFunc) set_error_func;
} lv;

struct vp_virt {
	virConnectPtr conn;
	char *uri;
};

/* libvirt prints every error on stderr by default: ours say it once, with context. */
static void quiet(void *userdata, virErrorPtr e)
{
	(void)userdata;
	(void)e;
}

static int load(char **ret_msg)
{
	static const struct vp_dl_sym syms[] = {
		{"virConnectAuthPtrDefault", (void **)&lv.auth_default},
		{"virConnectOpenAuth", (void **)&lv.open_auth},
		{"virConnectClose", (void **)&lv.close},
		{"virConnectGetURI", (void **)&lv.get_uri},
		{"virDomainLookupByName", (void **)&lv.lookup},
		{"virDomainGetXMLDesc", (void **)&lv.xml_desc},
		{"virDomainIsActive", (void **)&lv.is_active},
		{"virDomainDefineXML", (void **)&lv.define},
		{"virDomainFree", (void **)&lv.domain_free},
		{"virGetLastErrorMessage", (void **)&lv.last_error},
		{"virGetLastErrorCode", (void **)&lv.last_code},
		{"virSetErrorFunc", (void **)&lv.set_error_func},
	};
	void *h;
	int r;

	if (lv.loaded)
		return 0;
	/* never closed: libvirt keeps threads and globals for the process' life */
	h = dlopen(LIBVIRT_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return vp_fail(ret_msg, -ENOPKG, "libvirt's library is needed to read and define "
			       "domains: %s (install libvirt0 on Debian and Ubuntu, libvirt on "
			       "Arch, libvirt-libs on Fedora)", dlerror());
	r = vp_dl_syms(h, LIBVIRT_SONAME, "", syms, ARRAY_SIZE(syms),
		       ": libvirt 4.5 or newer is needed", ret_msg);
	if (r < 0)
		return r;
	lv.set_error_func(NULL, quiet);
	lv.loaded = true;
	return 0;
}

int vp_virt_open(const char *uri, bool write, struct vp_virt **ret, char **ret_msg)
{
	struct vp_virt *v;
	int r = load(ret_msg);

	if (r < 0)
		return r;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->conn = lv.open_auth(uri, *lv.auth_default, write ? 0 : VIR_CONNECT_RO);
	if (!v->conn) {
		r = vp_fail(ret_msg, -ECONNREFUSED, "cannot connect to libvirt%s%s: %s",
			    uri ? " at " : "", uri ? uri : "", lv.last_error());
		free(v);
		return r;
	}
	v->uri = lv.get_uri(v->conn);
	*ret = v;
	return 0;
}

void vp_virt_close(struct vp_virt *v)
{
	if (!v)
		return;
	lv.close(v->conn);
	free(v->uri);
	free(v);
}

const char *vp_virt_uri(const struct vp_virt *v)
{
	return v->uri;
}

int vp_virt_domain_xml(struct vp_virt *v, const char *name, bool secure, char **ret_xml,
		       bool *ret_running, char **ret_msg)
{
	virDomainPtr d = lv.lookup(v->conn, name);
	unsigned flags = VIR_DOMAIN_XML_INACTIVE | (secure ? VIR_DOMAIN_XML_SECURE : 0);
	char *xml = NULL;
	int active, r;

	if (!d) {
		bool missing = lv.last_code() == VIR_ERR_NO_DOMAIN;

		return vp_fail(ret_msg, missing ? -ENOENT : -EIO, "domain '%s'%s%s: %s", name,
			       v->uri ? " on " : "", v->uri ? v->uri : "", lv.last_error());
	}
	active = lv.is_active(d);
	if (active >= 0)
		xml = lv.xml_desc(d, flags);
	if (active < 0 || !xml)
		r = vp_fail(ret_msg, -EIO, "domain '%s': %s", name, lv.last_error());
	else
		r = 0;
	lv.domain_free(d);
	if (r < 0)
		return r;
	*ret_xml = xml;
	*ret_running = active == 1;
	return 0;
}

int vp_virt_define(struct vp_virt *v, const char *xml, char **ret_msg)
{
	virDomainPtr d = lv.define(v->conn, xml);

	if (!d)
		return vp_fail(ret_msg, -EIO, "libvirt did not define the domain: %s",
			       lv.last_error());
	lv.domain_free(d);
	return 0;
}
