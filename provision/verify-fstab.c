// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verify for /etc/fstab: the file read back with libmount as mount(8) and
 * systemd-fstab-generator read it, our hugetlbfs entry checked field by
 * field against the plan, plus a strict look at our own line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>


#include "plan-fstab.h"
#include "mnt-api.h"
#include "verify.h"

static int parser_err(struct libmnt_table *tb, const char *filename, int line)
{
	struct vp_verify_report *rep = mnt_table_get_userdata(tb);

	if (vp_verify_add(rep, VP_VERIFY_ERROR, "'%s':%d: parse error", VP_FSTAB, line) < 0)
		return -ENOMEM;
	(void)filename;
	return 1; /* recoverable: skip the line, go on */
}

/* Our line in some fstab text: its bytes and number, or NULL. */
static const char *find_ours(const char *text, const char *mount, size_t *ret_len,
			     unsigned *ret_line, unsigned *ret_count)
{
	const char *s = text, *found = NULL;
	unsigned lineno = 0;

	*ret_count = 0;
	while (*s) {
		size_t len = strcspn(s, "\n");
		struct libmnt_fs *fs = NULL;

		lineno++;
		if (vp_fstab_parse_line(s, len, &fs) == 0 && fs) {
			if (vp_fstab_fs_is_ours(fs, mount)) {
				if (!found) {
					found = s;
					*ret_len = len;
					*ret_line = lineno;
				}
				(*ret_count)++;
			}
			mnt_unref_fs(fs);
		}
		s += len + (s[len] == '\n');
	}
	return found;
}

static int check_option(struct vp_verify_report *rep, const char *optstr, const char *name,
			const char *want, unsigned line)
{
	char *val = NULL;
	size_t n = 0;

	if (mnt_optstr_get_option(optstr, name, &val, &n) != 0)
		return vp_verify_add(rep, VP_VERIFY_ERROR, "'%s':%u: hugetlbfs entry lacks %s=%s",
				     VP_FSTAB, line, name, want);
	if (n != strlen(want) || strncmp(val, want, n) != 0) {
		bool ok = strcmp(name, "pagesize") == 0 && vp_pagesize_is_1g(val, n);

		if (!ok)
			return vp_verify_add(rep, VP_VERIFY_ERROR,
					     "'%s':%u: hugetlbfs entry has %s=%.*s, not %s",
					     VP_FSTAB, line, name, (int)n, val, want);
	}
	return 0;
}

int vp_verify_fstab(const struct vp_root *root, const struct vp_plan_file *file,
		    const char *content, size_t len, struct vp_verify_report *rep)
{
	_cleanup_free_ char *want_line = NULL;
	struct libmnt_table *tb = NULL;
	struct libmnt_fs *want = NULL, *fs = NULL;
	const char *w, *h;
	size_t wlen = 0, hlen = 0;
	unsigned wline = 0, hline = 0, count = 0, wcount = 0;
	char *gid = NULL;
	size_t gidlen = 0;
	FILE *f = NULL;
	int r;

	(void)root;
	/* what the plan wants: its own line in the planned text */
	w = file->content ? find_ours(file->content, NULL, &wlen, &wline, &wcount) : NULL;
	if (!w)
		return 0; /* no hugetlbfs line planned: nothing of ours to check */
	want_line = strndup(w, wlen);
	if (!want_line)
		return -ENOMEM;
	r = vp_fstab_parse_line(want_line, wlen, &want);
	if (r < 0 || !want)
		return r < 0 ? r : -EINVAL;

	/* the consumer's view of the whole file */
	tb = mnt_new_table();
	if (!tb) {
		r = -ENOMEM;
		goto fail;
	}
	mnt_table_set_userdata(tb, rep);
	mnt_table_set_parser_errcb(tb, parser_err);
	/* the text verify read through the root's resolver, never the path again */
	f = fmemopen((void *)content, len ? len : 1, "r");
	if (!f) {
		r = -errno;
		goto fail;
	}
	r = len ? mnt_table_parse_stream(tb, f, VP_FSTAB) : 0;
	if (r < 0) {
		r = vp_verify_add(rep, VP_VERIFY_ERROR, "'%s': libmount cannot read it: %s",
				  VP_FSTAB, strerror(-r));
		goto fail;
	}
	fs = mnt_table_find_target(tb, mnt_fs_get_target(want), MNT_ITER_BACKWARD);
	h = find_ours(content, mnt_fs_get_target(want), &hlen, &hline, &count);
	if (!fs || !h) {
		r = vp_verify_add(rep, VP_VERIFY_ERROR,
				  "'%s': no hugetlbfs entry for %s (run apply)", VP_FSTAB,
				  mnt_fs_get_target(want));
		goto fail;
	}
	if (!vp_streq(mnt_fs_get_fstype(fs), "hugetlbfs")) {
		r = vp_verify_add(rep, VP_VERIFY_ERROR,
				  "'%s': %s is mounted as %s, not hugetlbfs", VP_FSTAB,
				  mnt_fs_get_target(fs), mnt_fs_get_fstype(fs));
		goto fail;
	}
	if (count > 1) {
		r = vp_verify_add(rep, VP_VERIFY_WARN,
				  "'%s':%u: %u hugetlbfs entries for 1 GiB pages; the first is "
				  "vfio-provision's",
				  VP_FSTAB, hline, count);
		if (r < 0)
			goto fail;
	}
	r = check_option(rep, mnt_fs_get_options(fs), "pagesize", "1G", hline);
	if (r >= 0)
		r = check_option(rep, mnt_fs_get_options(fs), "mode", "1770", hline);
	if (r >= 0 && mnt_optstr_get_option(mnt_fs_get_options(want), "gid", &gid, &gidlen) == 0) {
		_cleanup_free_ char *g = strndup(gid, gidlen);

		r = g ? check_option(rep, mnt_fs_get_options(fs), "gid", g, hline) : -ENOMEM;
	}
	if (r < 0)
		goto fail;
	/* strict: our line is exactly what the planner writes, or kept as the user had it */
	if (hlen != wlen || memcmp(h, want_line, wlen) != 0) {
		r = vp_verify_add(rep, VP_VERIFY_WARN,
				  "'%s':%u: hugetlbfs line differs from the plan's '%s'", VP_FSTAB,
				  hline, want_line);
		if (r < 0)
			goto fail;
	}
	if (mnt_fs_get_freq(fs) != 0 || mnt_fs_get_passno(fs) != 0)
		r = vp_verify_add(rep, VP_VERIFY_ERROR,
				  "'%s':%u: hugetlbfs entry must not be dumped or fsck'ed "
				  "(fields 5 and 6 should be 0)",
				  VP_FSTAB, hline);
	if (r >= 0 && !vp_root_exists(root, mnt_fs_get_target(fs)))
		r = vp_verify_add(rep, VP_VERIFY_WARN,
				  "'%s':%u: mount point %s does not exist (systemd creates it at "
				  "boot; mount -a would fail)",
				  VP_FSTAB, hline, mnt_fs_get_target(fs));
fail:
	if (f)
		fclose(f);
	mnt_unref_fs(want);
	mnt_unref_table(tb);
	return r < 0 ? r : 0;
}
