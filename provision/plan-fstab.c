// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/fstab: one hugetlbfs line for 1 GiB pages, added or updated in
 * place. fstab is the user's file: every other byte stays as it is. Each
 * line is read with libmount (the consumer's parser) from memory. Pure.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>


#include "plan.h"
#include "mnt-api.h"
#include "plan-fstab.h"
#include "size.h"

int vp_group_gid(const struct vp_system *sys, const char *group, unsigned *ret_gid)
{
	const struct vp_file *f = vp_system_file(sys, VP_GROUP_FILE);
	struct group gr, *res = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t bufsz = 4096;
	unsigned long num;
	FILE *mem;
	int r = -ESRCH;

	/* a numeric gid (the config checked its range) needs no name */
	if (group[0] && strspn(group, "0123456789") == strlen(group) &&
	    vp_parse_ulong(group, UINT32_MAX - 1, &num) == 0) {
		*ret_gid = (unsigned)num;
		return 0;
	}
	if (!f || !f->content)
		return -ENOENT;
	if (f->len == 0)
		return -ESRCH;
	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	/* glibc's own group-file parser, on the root's bytes in memory */
	mem = fmemopen(f->content, f->len, "r");
	if (!mem)
		return -errno;
	for (;;) {
		long pos = ftell(mem);
		int e = fgetgrent_r(mem, &gr, buf, bufsz, &res);

		if (e == ERANGE) {
			/*
			 * A line (a group with many members) longer than the
			 * buffer: grow it and read the line again. Any line fits
			 * in a few times the file's size (strings and pointers).
			 */
			char *nb = bufsz < 8 * f->len + 4096 ? realloc(buf, bufsz * 2) : NULL;

			if (!nb || fseek(mem, pos, SEEK_SET) < 0) {
				r = nb ? -errno : -ENOMEM;
				break;
			}
			buf = nb;
			bufsz *= 2;
			continue;
		}
		if (e == ENOENT || !res)
			break;
		if (e != 0) {
			r = -e;
			break;
		}
		if (strcmp(gr.gr_name, group) == 0) {
			*ret_gid = gr.gr_gid;
			r = 0;
			break;
		}
	}
	fclose(mem);
	return r;
}

char *vp_fstab_line(const char *mount, unsigned gid)
{
	_cleanup_free_ char *target = mnt_mangle(mount);

	if (!target)
		return NULL;
	return vp_strdup_printf("hugetlbfs %s hugetlbfs " VP_FSTAB_OPTS_FMT " 0 0", target,
				gid);
}

bool vp_pagesize_is_1g(const char *v, size_t n)
{
	uint64_t bytes;

	return vp_parse_size_n(v, n, VP_SIZE_MOUNT, &bytes, NULL) == 0 && bytes == 1ULL << 30;
}

int vp_fstab_parse_line(const char *line, size_t len, struct libmnt_fs **ret)
{
	struct libmnt_table *tb = NULL;
	struct libmnt_fs *fs = NULL;
	FILE *mem = NULL;
	int r;

	*ret = NULL;
	if (len == 0)
		return 0;
	tb = mnt_new_table();
	if (!tb)
		return -ENOMEM;
	mem = fmemopen((void *)line, len, "r");
	if (!mem) {
		r = -errno;
		goto fail;
	}
	r = mnt_table_parse_stream(tb, mem, "fstab");
	if (r < 0) {
		/* a line libmount cannot read is not ours: leave it alone */
		r = 0;
		goto fail;
	}
	if (mnt_table_first_fs(tb, &fs) == 0 && fs) {
		mnt_ref_fs(fs);
		*ret = fs;
	}
	r = 0;
fail:
	if (mem)
		fclose(mem);
	mnt_unref_table(tb);
	return r;
}

bool vp_fstab_fs_is_ours(struct libmnt_fs *fs, const char *mount)
{
	const char *opts = mnt_fs_get_options(fs);
	char *val = NULL;
	size_t valsz = 0;

	if (!vp_streq(mnt_fs_get_fstype(fs), "hugetlbfs"))
		return false;
	if (mount && vp_streq(mnt_fs_get_target(fs), mount))
		return true;
	return opts && mnt_optstr_get_option(opts, "pagesize", &val, &valsz) == 0 &&
	       vp_pagesize_is_1g(val, valsz);
}

int vp_plan_fstab(const struct vp_config *cfg, const struct vp_system *sys,
		  const struct vp_selection *sel, struct vp_plan *plan, char **ret_msg)
{
	const char *mount = cfg->hp_mount ? cfg->hp_mount : VP_HP_MOUNT_DEFAULT;
	const char *group = cfg->hp_group && *cfg->hp_group ? cfg->hp_group : "kvm";
	const struct vp_file *f = vp_system_file(sys, VP_FSTAB);
	_cleanup_free_ char *want = NULL, *want_opts = NULL;
	struct vp_buf b = {0};
	const char *s, *end;
	unsigned gid = 0, lineno = 0, ours_line = 0;
	bool changed = false;
	int r;

	(void)sel;
	if (cfg->hp_count == 0 || mount[0] == '\0' || strcmp(mount, "none") == 0)
		return 0;
	if (mount[0] != '/')
		return vp_plan_msg(plan, VP_MSG_REFUSE,
				   "[hugepages] mount = %s: not an absolute path", mount);

	r = vp_group_gid(sys, group, &gid);
	if (r == -ENOENT)
		return vp_plan_msg(plan, VP_MSG_REFUSE,
				   "'%s': missing, so group '%s' has no gid for the hugetlbfs "
				   "mount %s",
				   VP_GROUP_FILE, group, mount);
	if (r == -ESRCH)
		return vp_plan_msg(plan, VP_MSG_REFUSE,
				   "'%s': no group '%s' (needed for gid= of the hugetlbfs "
				   "mount %s); create it (groupadd -r %s) or set group = in "
				   "[hugepages]",
				   VP_GROUP_FILE, group, mount, group);
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': cannot read group '%s' from it: %s",
			       VP_GROUP_FILE, group, strerror(-r));

	want = vp_fstab_line(mount, gid);
	want_opts = vp_strdup_printf(VP_FSTAB_OPTS_FMT, gid);
	if (!want || !want_opts)
		return -ENOMEM;

	s = f && f->content ? f->content : "";
	end = s + (f && f->content ? f->len : 0);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		struct libmnt_fs *fs = NULL;
		bool replace = false;

		lineno++;
		r = vp_fstab_parse_line(s, len, &fs);
		if (r < 0)
			goto fail;
		if (fs && vp_fstab_fs_is_ours(fs, mount)) {
			if (ours_line) {
				r = vp_plan_msg(plan, VP_MSG_WARN,
						"'%s':%u: another hugetlbfs 1 GiB mount besides "
						"line %u; left as it is",
						VP_FSTAB, lineno, ours_line);
			} else {
				ours_line = lineno;
				/* same meaning, other spacing: the user's bytes win */
				replace = !(vp_streq(mnt_fs_get_source(fs), "hugetlbfs") &&
					    vp_streq(mnt_fs_get_target(fs), mount) &&
					    vp_streq(mnt_fs_get_options(fs), want_opts) &&
					    mnt_fs_get_freq(fs) == 0 && mnt_fs_get_passno(fs) == 0);
			}
		} else if (fs && vp_streq(mnt_fs_get_target(fs), mount)) {
			r = vp_plan_msg(plan, VP_MSG_REFUSE,
					"'%s':%u: %s is already the mount point of a %s "
					"entry; set another mount = in [hugepages]",
					VP_FSTAB, lineno, mount,
					mnt_fs_get_fstype(fs) ? mnt_fs_get_fstype(fs) : "?");
		}
		mnt_unref_fs(fs);
		if (r < 0)
			goto fail;
		r = replace ? vp_buf_puts(&b, want) : vp_buf_add(&b, s, len);
		if (r >= 0 && nl)
			r = vp_buf_puts(&b, "\n");
		if (r < 0)
			goto fail;
		changed |= replace;
		s = nl ? nl + 1 : end;
	}
	if (!ours_line) {
		/* a last line without newline must stay a line of its own */
		if (b.len > 0 && b.s[b.len - 1] != '\n')
			r = vp_buf_puts(&b, "\n");
		if (r >= 0)
			r = vp_buf_printf(&b, "%s\n", want);
		if (r < 0)
			goto fail;
		changed = true;
	}
	r = vp_plan_add_dir(plan, mount);
	if (r < 0)
		goto fail;
	return vp_plan_add_file(plan, VP_FSTAB, vp_buf_steal(&b), 0644, false,
				changed ? "hugetlbfs mount for 1 GiB pages"
					: "hugetlbfs mount for 1 GiB pages (already there)");
fail:
	vp_buf_free(&b);
	return r;
}
