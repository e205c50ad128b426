// SPDX-License-Identifier: GPL-2.0-or-later
/* A mount table of the root, parsed by libmount. See root-mnt.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "root-mnt.h"
#include "mnt-api.h"

static int parse_error(struct libmnt_table *tb, const char *filename, int line)
{
	int *where = mnt_table_get_userdata(tb);

	(void)filename;
	if (where && !*where)
		*where = line;
	return -EINVAL;
}

int vp_root_mnt_table(const struct vp_root *root, const char *path, struct libmnt_table **ret,
		      char **ret_msg)
{
	_cleanup_free_ char *text = NULL;
	struct libmnt_table *tb = NULL;
	size_t len = 0;
	int line = 0, r;
	FILE *f;

	r = vp_root_read_text_max(root, path, VP_MAX_TABLE, &text, &len, NULL, ret_msg);
	if (r < 0)
		return r;
	f = fmemopen(text, len ? len : 1, "r");
	if (!f)
		return -errno;
	tb = mnt_new_table();
	if (!tb) {
		fclose(f);
		return -ENOMEM;
	}
	mnt_table_set_userdata(tb, &line);
	mnt_table_set_parser_errcb(tb, parse_error);
	r = len ? mnt_table_parse_stream(tb, f, path) : 0;
	fclose(f);
	if (r < 0 || line) {
		mnt_unref_table(tb);
		if (line)
			return vp_fail(ret_msg, -EINVAL, "'%s':%d: cannot parse this line", path,
				       line);
		return vp_fail(ret_msg, r, "'%s': %s", path, strerror(-r));
	}
	*ret = tb;
	return 0;
}

