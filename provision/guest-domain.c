// SPDX-License-Identifier: GPL-2.0-or-later
/* Read, edit and define one libvirt domain, through libvirt's API. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest-domain.h"
#include "vp.h"

/* The domain's definition, edited; -EBUSY for a running domain. */
static int read_edit(struct vp_virt *v, const char *name, const struct vp_domain_want *want,
		     bool secure, struct vp_domain_edit *ret, char **ret_msg)
{
	_cleanup_free_ char *xml = NULL;
	bool running = false;
	int r;

	r = vp_virt_domain_xml(v, name, secure, &xml, &running, ret_msg);
	if (r < 0)
		return r;
	if (running)
		return vp_fail(ret_msg, -EBUSY, "domain '%s' is running: shut it down first (its "
			       "devices and memory are fixed while it runs)", name);
	return vp_domain_edit(xml, strlen(xml), name, want, ret, ret_msg);
}

int vp_guest_domain(struct vp_virt *v, const char *name, const struct vp_domain_want *want,
		    bool define, struct vp_domain_edit *ret, bool *ret_defined, char **ret_msg)
{
	struct vp_domain_edit e = {0}, secure = {0};
	int r;

	*ret_defined = false;
	r = read_edit(v, name, want, false, &e, ret_msg);
	if (r >= 0 && define && e.changed)
		r = read_edit(v, name, want, true, &secure, ret_msg);
	if (r >= 0 && define && e.changed)
		r = vp_virt_define(v, secure.new_xml, ret_msg);
	vp_domain_edit_free(&secure);
	if (r < 0) {
		vp_domain_edit_free(&e);
		return r;
	}
	*ret_defined = define && e.changed;
	*ret = e;
	return 0;
}
