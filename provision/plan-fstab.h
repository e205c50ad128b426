/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fstab planner's pieces, shared with verify-fstab.c. */
#pragma once

#include <stdbool.h>

#include "plan.h"

struct libmnt_fs;

#define VP_FSTAB "/etc/fstab"
#define VP_GROUP_FILE "/etc/group"
#define VP_HP_MOUNT_DEFAULT "/dev/hugepages1G"
/* gid is numeric: hugetlbfs does not resolve names, and kvm's differs per distro */
#define VP_FSTAB_OPTS_FMT "pagesize=1G,mode=1770,gid=%u"

/*
 * The gid of group in sys's /etc/group content: 0, -ENOENT when the root
 * has no /etc/group, -ESRCH when the group is not in it.
 */
int vp_group_gid(const struct vp_system *sys, const char *group, unsigned *ret_gid);
/* Our whole fstab line (no newline), the mount point mangled as fstab wants. */
char *vp_fstab_line(const char *mount, unsigned gid);
/* "1G", "1024M", "1048576k", "1073741824", "1GiB"... */
bool vp_pagesize_is_1g(const char *v, size_t n);
/*
 * One fstab line (no newline) through libmount; *ret is NULL for a comment,
 * a blank or a line libmount rejects. Unref the result.
 */
int vp_fstab_parse_line(const char *line, size_t len, struct libmnt_fs **ret);
/* hugetlbfs with a 1 GiB pagesize, or hugetlbfs on our mount point. */
bool vp_fstab_fs_is_ours(struct libmnt_fs *fs, const char *mount);
