// SPDX-License-Identifier: GPL-2.0-or-later
/* revert --dry-run: what revert would write, from the ledger. Read-only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsroot.h"
#include "revert-preview.h"

/* Is dir the state directory or one of its parents? (revert removes those last) */
static bool holds_state(const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(VP_STATE_DIR, dir, n) == 0 && (VP_STATE_DIR[n] == '\0' ||
						      VP_STATE_DIR[n] == '/');
}

static char *dup_bytes(const struct vp_bytes *b, size_t *ret_len)
{
	char *s;

	*ret_len = b->exists ? b->len : 0;
	if (!b->exists)
		return NULL;
	s = malloc(b->len + 1);
	if (s) {
		memcpy(s, b->data, b->len);
		s[b->len] = '\0';
	}
	return s;
}

static void item_free(struct vp_revert_preview_item *it)
{
	free(it->path);
	free(it->cur);
	free(it->orig);
}

int vp_revert_preview(const struct vp_root *root, bool force, struct vp_revert_preview *ret,
		      char **ret_msg)
{
	struct vp_revert_plan p = {0};
	struct vp_ledger l = {0};
	int r;

	*ret = (struct vp_revert_preview){0};
	r = vp_ledger_load(root, &l, ret_msg);
	if (r >= 0)
		r = vp_revert_compute(root, force, &p, ret_msg);
	if (r >= 0) {
		ret->v = calloc(p.n + l.dirs.n + 1, sizeof(*ret->v));
		r = ret->v ? 0 : -ENOMEM;
	}
	for (size_t i = p.n; i-- > 0 && r >= 0;) {
		const struct vp_revert_item *x = &p.v[i];
		struct vp_revert_preview_item *it = &ret->v[ret->n];

		if (vp_bytes_eq(&x->cur, &x->target))
			continue;
		*it = (struct vp_revert_preview_item){
			.action = !x->target.exists ? "remove" : "restore",
			.path = strdup(x->path)};
		it->cur = dup_bytes(&x->cur, &it->cur_len);
		it->orig = dup_bytes(&x->target, &it->orig_len);
		ret->n++;
		if (!it->path || (x->cur.exists && !it->cur) || (x->target.exists && !it->orig))
			r = -ENOMEM;
	}
	for (size_t i = l.dirs.n; i-- > 0 && r >= 0;) {
		struct vp_revert_preview_item *it = &ret->v[ret->n];
		struct stat st;

		if (holds_state(l.dirs.v[i]) || vp_root_stat(root, l.dirs.v[i], &st, NULL) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		*it = (struct vp_revert_preview_item){.action = "rmdir", .path = strdup(l.dirs.v[i])};
		ret->n++;
		if (!it->path)
			r = -ENOMEM;
	}
	vp_revert_plan_free(&p);
	vp_ledger_free(&l);
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
