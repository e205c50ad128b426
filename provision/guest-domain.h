/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest-xml --domain's steps on one libvirt connection: read the domain's
 * definition, refuse a running one, edit it (domain-edit.c) and, asked to,
 * define the result.
 */
#pragma once

#include <stdbool.h>

#include "domain-edit.h"
#include "virt-api.h"

/*
 * Edits the domain called name as want says; with define and a change,
 * defines it (virDomainDefineXML) from its secure definition (passwords
 * included, as virsh edit does), while ret shows the change on the one
 * without them. *ret_defined says whether it did. A running domain is
 * refused (-EBUSY): its next start would differ from what runs, and a
 * running guest would not see the devices. Errors and refusals set
 * *ret_msg.
 */
int vp_guest_domain(struct vp_virt *v, const char *name, const struct vp_domain_want *want,
		    bool define, struct vp_domain_edit *ret, bool *ret_defined, char **ret_msg);
