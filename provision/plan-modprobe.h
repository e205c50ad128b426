/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The modprobe.d and early.conf planners' shared pieces, also used by
 * verify-modprobe.c to know what it should find.
 */
#pragma once

#include "plan.h"

#define VP_MODPROBE_CONF "/etc/modprobe.d/vfio.conf"
#define VP_EARLY_CONF "/etc/vfio-provision/early.conf"

/*
 * vfio-pci's ids parameter is a 1024-byte buffer in the kernel
 * (module_param_string), NUL included: longer lists are cut silently.
 */
#define VP_VFIO_IDS_MAX 1023

/*
 * The ids= value for the selection: "vvvv:dddd" per selected function, or
 * "vvvv:dddd:ssss:ssss" where an unselected function has the same
 * vendor:device and only the subsystem ids tell them apart. Unique, in
 * address order. *ret_conflict (may be NULL) gets a sentence when nothing
 * tells a selected function from an unselected one.
 */
int vp_modprobe_ids(const struct vp_system *sys, const struct vp_selection *sel,
		    char **ret_ids, char **ret_conflict);

/* Sorted, unique driver names (underscores) to softdep on vfio-pci. */
int vp_modprobe_softdeps(const struct vp_system *sys, const struct vp_selection *sel,
			 struct vp_strv *ret);
