/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt's C API (libvirt.so.0), loaded with dlopen() the first time a
 * verb needs it: only guest-xml --domain does, so the binary that package
 * and kernel hooks run does not load libvirt and its forty-odd libraries,
 * and hosts without libvirt (Proxmox VE) need no libvirt0.
 */
#pragma once

#include <stdbool.h>

struct vp_virt;

/*
 * Connects to uri (NULL: libvirt's default, as virsh without -c), read-only
 * unless write is true. Returns 0, or a negative errno with *ret_msg
 * (libvirt's own message, or how to install the library).
 */
int vp_virt_open(const char *uri, bool write, struct vp_virt **ret, char **ret_msg);
void vp_virt_close(struct vp_virt *v);
/* The connection's URI as libvirt names it ("qemu:///system"), or NULL. */
const char *vp_virt_uri(const struct vp_virt *v);

/*
 * The persistent definition of the domain called name (the XML virsh edit
 * starts from: inactive; with passwords when secure, which needs a
 * read-write connection), and whether it runs now. -ENOENT when there is
 * no such domain; *ret_msg says why.
 */
int vp_virt_domain_xml(struct vp_virt *v, const char *name, bool secure, char **ret_xml,
		       bool *ret_running, char **ret_msg);
/* virDomainDefineXML(): the domain's new persistent definition. */
int vp_virt_define(struct vp_virt *v, const char *xml, char **ret_msg);
