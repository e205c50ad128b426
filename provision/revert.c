// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * revert: undoes every item we own on the files as they are now (owner.h),
 * removes the directories we created, then forgets our state. Safe to run
 * again after a crash half-way: each file's write is announced in the
 * ledger ("drop") before it happens, and the ledger goes last.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "dir-iter.h"
#include "fsroot.h"

/* Is `dir` the state directory or one of its parents? */
static bool holds_state(const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(VP_STATE_DIR, dir, n) == 0 && (VP_STATE_DIR[n] == '\0' ||
						      VP_STATE_DIR[n] == '/');
}

/* A crash between creating a temporary file and its rename leaves ".NAME.vp-tmp". */
static int remove_stale_tmp(const struct vp_root *root, const char *path, char **ret_msg)
{
	_cleanup_free_ char *tmp = NULL;
	const char *slash = strrchr(path, '/');

	tmp = vp_strdup_printf("%.*s/.%s" VP_TMP_SUFFIX, (int)(slash - path), path, slash + 1);
	if (!tmp)
		return -ENOMEM;
	return vp_fsroot_unlink(root, tmp, ret_msg);
}

/*
 * Our own files in the state directory: blobs, temporaries, lock. A
 * directory someone put there stays.
 */
struct clean {
	const char *dir;
	bool state_dir;
	char **ret_msg;
};

static int clean_one(int dfd, const char *name, void *userdata)
{
	const struct clean *c = userdata;

	/* the lock last: apply may be waiting on it (vp_lock retries) */
	if (c->state_dir && (strcmp(name, "blobs") == 0 || strcmp(name, "lock") == 0))
		return 0;
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
		return vp_fail(c->ret_msg, -errno, "'%s/%s': cannot remove: %s", c->dir, name,
			       strerror(errno));
	return 0;
}

static int clean_state(const struct vp_root *root, char **ret_msg)
{
	struct clean blobs = {.dir = VP_BLOB_DIR, .ret_msg = ret_msg};
	struct clean state = {.dir = VP_STATE_DIR, .state_dir = true, .ret_msg = ret_msg};
	int r;

	r = vp_dir_each(root, VP_BLOB_DIR, clean_one, &blobs, ret_msg);
	if (r >= 0)
		r = vp_fsroot_rmdir(root, VP_BLOB_DIR, ret_msg);
	if (r == -ENOENT)
		r = 0;
	if (r >= 0)
		r = vp_dir_each(root, VP_STATE_DIR, clean_one, &state, ret_msg);
	if (r == -ENOENT)
		r = 0;
	if (r < 0)
		return r;
	r = vp_fsroot_unlink(root, VP_LOCK_PATH, ret_msg);
	if (r < 0)
		return r;
	return vp_fsroot_rmdir(root, VP_STATE_DIR, ret_msg);
}

void vp_revert_plan_free(struct vp_revert_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		vp_bytes_free(&p->v[i].cur);
		vp_bytes_free(&p->v[i].target);
		vp_strv_free(&p->v[i].kept);
	}
	free(p->v);
	*p = (struct vp_revert_plan){0};
}

static int compute(const struct vp_root *root, const struct vp_ledger *l, bool force,
		   struct vp_revert_plan *ret, char **ret_msg)
{
	struct vp_revert_plan p = {0};
	int r = 0;

	p.v = calloc(l->n ? l->n : 1, sizeof(*p.v));
	if (!p.v)
		return -ENOMEM;
	for (size_t i = 0; i < l->n && r >= 0; i++) {
		const struct vp_owned *o = &l->f[i];
		struct vp_revert_item *it = &p.v[p.n++];

		it->path = strdup(o->path);
		r = it->path ? vp_bytes_read(root, o->path, &it->cur, ret_msg) : -ENOMEM;
		if (r >= 0)
			r = vp_owner_base(o, &it->cur, true, force, &it->target, &it->kept);
		/* an item the user changed stays ours, unless the file is no longer ours at all */
		it->left = r >= 0 && !force && it->kept.n > 0 &&
			   !(o->whole && !vp_startswith(it->cur.data, VP_MANAGED_HEADER));
		if (r >= 0 && !vp_bytes_eq(&it->cur, &it->target))
			p.n_pending++;
	}
	if (r < 0) {
		vp_revert_plan_free(&p);
		return r;
	}
	*ret = p;
	return 0;
}

int vp_revert_compute(const struct vp_root *root, bool force, struct vp_revert_plan *ret,
		      char **ret_msg)
{
	struct vp_ledger l = {0};
	int r;

	r = vp_ledger_load(root, &l, ret_msg);
	if (r >= 0)
		r = compute(root, &l, force, ret, ret_msg);
	vp_ledger_free(&l);
	return r;
}

/* The file gets target: removed, or written keeping the mode it has (else the base's). */
static int put_back(const struct vp_root *root, const struct vp_owned *o,
		    const struct vp_revert_item *it, char **ret_msg)
{
	struct vp_fsroot_attr attr = {.mode = o->mode ? o->mode : 0644, .set_owner = true,
				      .uid = o->uid, .gid = o->gid};
	struct stat st;

	if (!it->target.exists)
		return vp_fsroot_unlink(root, it->path, ret_msg);
	if (it->cur.exists && vp_root_stat(root, it->path, &st, NULL) == 0) {
		attr.mode = st.st_mode & 07777;
		attr.uid = st.st_uid;
		attr.gid = st.st_gid;
	}
	return vp_fsroot_write(root, it->path, it->target.data, it->target.len, &attr, ret_msg);
}

static bool keeps_some(const struct vp_revert_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].left)
			return true;
	return false;
}

/*
 * The ledger after a revert that left items the user changed: their
 * entries as they were (base and ours, so that a later revert --force or
 * apply undoes exactly our part), and the directories still there.
 */
static int keep_left(const struct vp_root *root, struct vp_ledger *l,
		     const struct vp_revert_plan *p, char **ret_msg)
{
	struct vp_strv dirs = {0};
	struct stat st;
	int r = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct vp_owned *o = vp_ledger_find(l, p->v[i].path);

		if (!p->v[i].left)
			vp_ledger_remove(l, p->v[i].path);
		else if (o)
			vp_owned_clear_next(o);
	}
	for (size_t i = 0; i < l->dirs.n && r >= 0; i++)
		if (vp_root_stat(root, l->dirs.v[i], &st, NULL) == 0)
			r = vp_strv_push(&dirs, l->dirs.v[i]);
	if (r < 0) {
		vp_strv_free(&dirs);
		return r;
	}
	vp_strv_free(&l->dirs);
	l->dirs = dirs;
	return vp_ledger_save(root, l, ret_msg);
}

int vp_revert(const struct vp_root *root, bool force, vp_apply_cb cb, void *userdata,
	      struct vp_strv *kept, char **ret_msg)
{
	struct vp_revert_plan p = {0};
	struct vp_ledger l = {0};
	struct stat st;
	bool had_lock;
	int lockfd = -1, r, n = 0;

	/* nothing ever applied: do not create the state directory just to lock it */
	if (vp_root_stat(root, VP_STATE_DIR, &st, NULL) == -ENOENT)
		return 0;
	had_lock = vp_root_stat(root, VP_LOCK_PATH, &st, NULL) == 0;
	r = vp_lock(root, &lockfd, NULL, ret_msg);
	if (r >= 0)
		r = vp_ledger_load(root, &l, ret_msg);
	if (r >= 0)
		r = compute(root, &l, force, &p, ret_msg);
	if (r < 0)
		goto out;
	/* announce every write, so a crash leaves a ledger that matches the files */
	for (size_t i = 0; i < p.n && r >= 0; i++) {
		struct vp_owned *o = vp_ledger_find(&l, p.v[i].path);

		for (size_t k = 0; kept && k < p.v[i].kept.n && r >= 0; k++) {
			char *s = vp_strdup_printf("'%s': %s", p.v[i].path, p.v[i].kept.v[k]);

			r = s ? vp_strv_push_take(kept, s) : -ENOMEM;
		}
		/* an entry that stays is written in place: its state holds for both versions */
		if (r < 0 || p.v[i].left || vp_bytes_eq(&p.v[i].cur, &p.v[i].target))
			continue;
		vp_owned_clear_next(o);
		o->next = VP_NEXT_DROP;
		r = vp_bytes_set(&o->next_content, p.v[i].target.exists, p.v[i].target.data,
				 p.v[i].target.len);
		if (r >= 0 && p.v[i].target.exists)
			r = vp_ledger_blob(root, &l, p.v[i].target.data, p.v[i].target.len,
					   &o->next_blob, ret_msg);
	}
	if (r >= 0 && p.n_pending)
		r = vp_ledger_save(root, &l, ret_msg);
	/* newest first, as they were made */
	for (size_t i = p.n; i-- > 0 && r >= 0;) {
		const struct vp_revert_item *it = &p.v[i];

		r = remove_stale_tmp(root, it->path, ret_msg);
		if (r < 0 || vp_bytes_eq(&it->cur, &it->target))
			continue;
		r = put_back(root, vp_ledger_find(&l, it->path), it, ret_msg);
		if (r < 0)
			break;
		n++;
		if (cb)
			cb(it->path, !it->target.exists ? VP_ACT_REMOVE :
				     !it->cur.exists ? VP_ACT_CREATE : VP_ACT_UPDATE, userdata);
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; i < l.unfinished.n && r >= 0; i++)
		r = remove_stale_tmp(root, l.unfinished.v[i], ret_msg);
	/* directories we made, children first; one someone uses stays */
	for (size_t i = l.dirs.n; i-- > 0 && r >= 0;) {
		if (holds_state(l.dirs.v[i]))
			continue;
		if (vp_root_stat(root, l.dirs.v[i], &st, NULL) < 0)
			continue;
		r = vp_fsroot_rmdir(root, l.dirs.v[i], ret_msg);
		if (r >= 0 && vp_root_stat(root, l.dirs.v[i], &st, NULL) == -ENOENT) {
			n++;
			if (cb)
				cb(l.dirs.v[i], VP_ACT_RMDIR, userdata);
		}
	}
	if (r >= 0 && keeps_some(&p)) {
		/* items the user changed stay ours: the ledger keeps them for revert --force */
		r = keep_left(root, &l, &p, ret_msg);
		if (r >= 0)
			r = n;
		goto out;
	}
	/* everything is back: forgetting the ledger is the commit point */
	if (r >= 0)
		r = vp_fsroot_unlink(root, VP_LEDGER_PATH, ret_msg);
	if (r >= 0)
		r = clean_state(root, ret_msg);
	/* the parents of the state directory that the first apply created */
	for (size_t i = l.dirs.n; i-- > 0 && r >= 0;)
		if (holds_state(l.dirs.v[i]) && strcmp(l.dirs.v[i], VP_STATE_DIR) != 0)
			r = vp_fsroot_rmdir(root, l.dirs.v[i], ret_msg);
	if (r >= 0)
		r = n;
out:
	/* a failed revert leaves the root as it found it: no new lock file */
	if (r < 0 && lockfd >= 0 && !had_lock &&
	    vp_fsroot_unlink(root, VP_LOCK_PATH, NULL) < 0) {
		/* best effort: the revert's own error is the one to report */
	}
	vp_revert_plan_free(&p);
	vp_ledger_free(&l);
	if (lockfd >= 0)
		close(lockfd);
	return r;
}
