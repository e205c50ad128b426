/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libmount and libblkid, loaded with dlopen() on first use: detect never
 * uses them (the root= of a new kernel command line is the planners'), and
 * linked they cost every run libselinux and libpcre2 besides themselves.
 * Include this instead of <libmount.h> and <blkid.h>: the mnt_* and blkid_*
 * names a file calls are then calls through the table, with the libraries'
 * own prototypes (typeof); a name missing from the list below is an
 * undefined symbol at link time, not a crash. The verbs that use them load
 * them before the root is looked at (main.c), as the dynamic loader did.
 */
#pragma once

#include <blkid.h>
#include <libmount.h>

/* each name starts with blkid_ or mnt_: its library (mnt-api.c binds by prefix) */
#define VP_MNT_SYMBOLS(X) \
	X(blkid_do_safeprobe) X(blkid_free_probe) X(blkid_new_probe) \
	X(blkid_parse_tag_string) X(blkid_probe_enable_superblocks) \
	X(blkid_probe_lookup_value) X(blkid_probe_set_device) \
	X(blkid_probe_set_superblocks_flags) X(mnt_free_iter) X(mnt_fs_get_devno) \
	X(mnt_fs_get_freq) X(mnt_fs_get_fs_options) X(mnt_fs_get_fstype) \
	X(mnt_fs_get_option) X(mnt_fs_get_options) X(mnt_fs_get_passno) \
	X(mnt_fs_get_source) X(mnt_fs_get_srcpath) X(mnt_fs_get_target) \
	X(mnt_fs_get_vfs_options) X(mnt_mangle) X(mnt_new_iter) X(mnt_new_table) \
	X(mnt_optstr_get_option) X(mnt_ref_fs) X(mnt_reset_iter) X(mnt_table_find_target) \
	X(mnt_table_first_fs) X(mnt_table_get_userdata) X(mnt_table_next_fs) \
	X(mnt_table_parse_stream) X(mnt_table_set_parser_errcb) X(mnt_table_set_userdata) \
	X(mnt_unref_fs) X(mnt_unref_table)

struct vp_mnt_api {
#define VP_MNT_MEMBER(sym) typeof(&sym) sym;
	VP_MNT_SYMBOLS(VP_MNT_MEMBER)
#undef VP_MNT_MEMBER
};

/*
 * Loads libmount.so.1 and libblkid.so.1 once. Returns 0, or -ENOPKG with
 * *ret_msg saying how to install them.
 */
int vp_mnt_load(char **ret_msg);
/*
 * The table, loaded on first use. Both libraries are dependencies of the
 * package (as libc is), and main.c loads them, or stops saying why, before
 * any verb that calls them: the core never prints. Without them here, it
 * aborts (a defect).
 */
const struct vp_mnt_api *vp_mnt_api(void);

#ifndef VP_MNT_API_IMPL
#define blkid_do_safeprobe (*vp_mnt_api()->blkid_do_safeprobe)
#define blkid_free_probe (*vp_mnt_api()->blkid_free_probe)
#define blkid_new_probe (*vp_mnt_api()->blkid_new_probe)
#define blkid_parse_tag_string (*vp_mnt_api()->blkid_parse_tag_string)
#define blkid_probe_enable_superblocks (*vp_mnt_api()->blkid_probe_enable_superblocks)
#define blkid_probe_lookup_value (*vp_mnt_api()->blkid_probe_lookup_value)
#define blkid_probe_set_device (*vp_mnt_api()->blkid_probe_set_device)
#define blkid_probe_set_superblocks_flags (*vp_mnt_api()->blkid_probe_set_superblocks_flags)
#define mnt_free_iter (*vp_mnt_api()->mnt_free_iter)
#define mnt_fs_get_devno (*vp_mnt_api()->mnt_fs_get_devno)
#define mnt_fs_get_freq (*vp_mnt_api()->mnt_fs_get_freq)
#define mnt_fs_get_fs_options (*vp_mnt_api()->mnt_fs_get_fs_options)
#define mnt_fs_get_fstype (*vp_mnt_api()->mnt_fs_get_fstype)
#define mnt_fs_get_option (*vp_mnt_api()->mnt_fs_get_option)
#define mnt_fs_get_options (*vp_mnt_api()->mnt_fs_get_options)
#define mnt_fs_get_passno (*vp_mnt_api()->mnt_fs_get_passno)
#define mnt_fs_get_source (*vp_mnt_api()->mnt_fs_get_source)
#define mnt_fs_get_srcpath (*vp_mnt_api()->mnt_fs_get_srcpath)
#define mnt_fs_get_target (*vp_mnt_api()->mnt_fs_get_target)
#define mnt_fs_get_vfs_options (*vp_mnt_api()->mnt_fs_get_vfs_options)
#define mnt_mangle (*vp_mnt_api()->mnt_mangle)
#define mnt_new_iter (*vp_mnt_api()->mnt_new_iter)
#define mnt_new_table (*vp_mnt_api()->mnt_new_table)
#define mnt_optstr_get_option (*vp_mnt_api()->mnt_optstr_get_option)
#define mnt_ref_fs (*vp_mnt_api()->mnt_ref_fs)
#define mnt_reset_iter (*vp_mnt_api()->mnt_reset_iter)
#define mnt_table_find_target (*vp_mnt_api()->mnt_table_find_target)
#define mnt_table_first_fs (*vp_mnt_api()->mnt_table_first_fs)
#define mnt_table_get_userdata (*vp_mnt_api()->mnt_table_get_userdata)
#define mnt_table_next_fs (*vp_mnt_api()->mnt_table_next_fs)
#define mnt_table_parse_stream (*vp_mnt_api()->mnt_table_parse_stream)
#define mnt_table_set_parser_errcb (*vp_mnt_api()->mnt_table_set_parser_errcb)
#define mnt_table_set_userdata (*vp_mnt_api()->mnt_table_set_userdata)
#define mnt_unref_fs (*vp_mnt_api()->mnt_unref_fs)
#define mnt_unref_table (*vp_mnt_api()->mnt_unref_table)
#endif
