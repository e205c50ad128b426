// SPDX-License-Identifier: GPL-2.0-or-later
/* revert --dry-run: the journal's entries that revert would act on. Read-only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsroot.h"
#include "revert-preview.h"

static bool in_state_dir(const char *path)
{
	size_t n = strlen(VP_STATE_DIR);

	return strncmp(path, VP_STATE_DIR, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Is dir the state directory or one of its parents? (revert removes those last) */
static bool holds_state(const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(VP_STATE_DIR, dir, n) == 0 && (VP_STATE_DIR[n] == '\0' ||
						      VP_STATE_DIR[n] == '/');
}

static int item(const struct vp_root *root, const struct vp_jentry *e, struct vp_revert_item *it,
		char **ret_msg)
{
	_cleanup_free_ char *bpath = NULL;
	struct stat st;
	int r;

	*it = (struct vp_revert_item){0};
	if (e->kind == VP_J_DIR) {
		if (vp_fsroot_stat(root, e->path, &st) < 0 || !S_ISDIR(st.st_mode))
			return 0;
		it->action = "rmdir";
		goto found;
	}
	r = vp_fsroot_read(root, e->path, &it->cur, &it->cur_len, &st);
	if (r == -ENOENT)
		it->cur = NULL;
	else if (r < 0)
		return vp_fail(ret_msg, r, "'%s': cannot read: %s", e->path, strerror(-r));
	if (e->kind == VP_J_ABSENT) {
		if (!it->cur)
			return 0;
		it->action = "remove";
		goto found;
	}
	bpath = vp_strdup_printf(VP_STATE_DIR "/%s", e->backup);
	if (!bpath)
		return -ENOMEM;
	r = vp_fsroot_read(root, bpath, &it->orig, &it->orig_len, NULL);
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': backup of '%s' unreadable: %s", bpath, e->path,
			       strerror(-r));
	/* already the original (revert also compares mode and owner) */
	if (it->cur && it->cur_len == it->orig_len &&
	    memcmp(it->cur, it->orig, it->orig_len) == 0 && (st.st_mode & 07777) == e->mode &&
	    st.st_uid == e->uid && st.st_gid == e->gid)
		return 0;
	it->action = "restore";
found:
	it->path = strdup(e->path);
	return it->path ? 1 : -ENOMEM;
}

static void item_free(struct vp_revert_item *it)
{
	free(it->path);
	free(it->cur);
	free(it->orig);
}

int vp_revert_preview(const struct vp_root *root, struct vp_revert_preview *ret, char **ret_msg)
{
	struct vp_journal j = {0};
	int r;

	*ret = (struct vp_revert_preview){0};
	r = vp_journal_load(root, &j, ret_msg);
	if (r < 0)
		goto out;
	ret->v = calloc(j.n + 1, sizeof(*ret->v));
	r = ret->v ? 0 : -ENOMEM;
	for (size_t i = j.n; i > 0 && r >= 0; i--) {
		const struct vp_jentry *e = &j.e[i - 1];

		if (in_state_dir(e->path) || (e->kind == VP_J_DIR && holds_state(e->path)))
			continue;
		r = item(root, e, &ret->v[ret->n], ret_msg);
		if (r > 0)
			ret->n++;
		else
			item_free(&ret->v[ret->n]);
	}
out:
	vp_journal_free(&j);
	if (r < 0)
		vp_revert_preview_free(ret);
	return r < 0 ? r : 0;
}

void vp_revert_preview_free(struct vp_revert_preview *p)
{
	for (size_t i = 0; i < p->n; i++)
		item_free(&p->v[i]);
	free(p->v);
	*p = (struct vp_revert_preview){0};
}
