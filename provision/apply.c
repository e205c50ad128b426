// SPDX-License-Identifier: GPL-2.0-or-later
/* Comparing a plan with the root, the lock, and apply with the ledger (apply.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "dir-iter.h"
#include "fsroot.h"

/* ---- comparing ---- */

const char *vp_action_name(enum vp_action a)
{
	static const char *const names[] = {
		[VP_ACT_NONE] = "unchanged",
		[VP_ACT_CREATE] = "create",
		[VP_ACT_UPDATE] = "update",
		[VP_ACT_REMOVE] = "remove",
		[VP_ACT_MKDIR] = "mkdir",
		[VP_ACT_RMDIR] = "rmdir",
	};
	return (unsigned)a < ARRAY_SIZE(names) ? names[a] : "?";
}

static enum vp_action action_for(const struct vp_plan_file *f, bool exists, const char *old,
				 size_t old_len)
{
	if (!f->content)
		return exists ? VP_ACT_REMOVE : VP_ACT_NONE;
	if (!exists)
		return VP_ACT_CREATE;
	if (old_len == strlen(f->content) && memcmp(old, f->content, old_len) == 0)
		return VP_ACT_NONE;
	return VP_ACT_UPDATE;
}

static bool is_unmanaged(const struct vp_plan_file *f, bool exists, const char *old)
{
	return f->owned && exists && !vp_startswith(old, VP_MANAGED_HEADER);
}

void vp_changes_free(struct vp_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].old);
	free(c->v);
	vp_strv_free(&c->dirs);
	vp_strv_free(&c->rmdirs);
	memset(c, 0, sizeof(*c));
}

/* Is dir the same as, or a parent of, path? */
static bool dir_holds(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	return strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

struct empties {
	const char *dir;
	const struct vp_plan *plan;
	const struct vp_strv *gone_dirs;
};

/* 1 when the entry stays, so that the directory will not be empty. */
static int entry_stays(int dfd, const char *name, void *userdata)
{
	const struct empties *e = userdata;
	_cleanup_free_ char *p = vp_strdup_printf("%s/%s", e->dir, name);
	const struct vp_plan_file *f;

	(void)dfd;
	if (!p)
		return -ENOMEM;
	f = vp_plan_file(e->plan, p);
	return !((f && !f->content) || vp_strv_contains(e->gone_dirs, p));
}

/* Will dir be empty once the plan's removals (and the stale dirs before it) are done? */
static int empties(const struct vp_root *root, const char *dir, const struct vp_plan *plan,
		   const struct vp_strv *gone_dirs, bool *ret)
{
	struct empties e = {.dir = dir, .plan = plan, .gone_dirs = gone_dirs};
	int r = vp_dir_each(root, dir, entry_stays, &e, NULL);

	/* gone or not a directory: nothing to remove */
	*ret = r == 0;
	return r == -ENOMEM ? r : 0;
}

/*
 * The directories we created that nothing wants any more: not a planned
 * directory or its parent, not the parent of a file that stays ours or of
 * our state. Children first, so each is empty when its turn comes.
 */
static int stale_dirs(const struct vp_root *root, const struct vp_plan *plan,
		      const struct vp_ledger *l, struct vp_changes *c)
{
	int r = 0;

	for (size_t i = l ? l->dirs.n : 0; i-- > 0 && r >= 0;) {
		const char *dir = l->dirs.v[i];
		bool needed = dir_holds(dir, VP_STATE_DIR), empty;

		for (size_t k = 0; k < plan->dirs.n && !needed; k++)
			needed = dir_holds(dir, plan->dirs.v[k]);
		for (size_t k = 0; k < plan->n_files && !needed; k++)
			needed = plan->files[k].content && dir_holds(dir, plan->files[k].path);
		for (size_t k = 0; k < l->n && !needed; k++)
			needed = !vp_plan_file(plan, l->f[k].path) && l->f[k].ours.exists &&
				 dir_holds(dir, l->f[k].path);
		if (needed)
			continue;
		r = empties(root, dir, plan, &c->rmdirs, &empty);
		if (r >= 0 && empty) {
			r = vp_strv_push(&c->rmdirs, dir);
			c->n_pending++;
		}
	}
	return r;
}

int vp_changes_compute(const struct vp_root *root, const struct vp_plan *plan,
		       const struct vp_ledger *ledger, struct vp_changes *ret, char **ret_msg)
{
	struct vp_changes c = {0};
	int r;

	c.v = calloc(plan->n_files ? plan->n_files : 1, sizeof(*c.v));
	if (!c.v)
		return -ENOMEM;
	for (size_t i = 0; i < plan->n_files; i++) {
		const struct vp_plan_file *f = &plan->files[i];
		struct vp_change *ch = &c.v[c.n++];
		struct stat st;

		ch->file = f;
		/* a file of ours without the header would be "unmanaged" next time */
		if (f->owned && f->content && !vp_startswith(f->content, VP_MANAGED_HEADER)) {
			r = vp_fail(ret_msg, -EINVAL, "'%s': planned without the '%s' header "
				    "(a bug in vfio-provision)", f->path, VP_MANAGED_HEADER);
			goto fail;
		}
		/* the resolver's message names a link that leaves the root, a FIFO, the cap */
		r = vp_root_read_max(root, f->path, VP_MAX_TEXT, &ch->old, &ch->old_len, &st, ret_msg);
		if (r < 0 && r != -ENOENT)
			goto fail;
		ch->exists = r == 0;
		if (ch->exists) {
			ch->mode = st.st_mode & 07777;
			ch->uid = st.st_uid;
			ch->gid = st.st_gid;
		}
		ch->action = action_for(f, ch->exists, ch->old, ch->old_len);
		ch->unmanaged = is_unmanaged(f, ch->exists, ch->old);
		if (ch->action != VP_ACT_NONE) {
			c.n_pending++;
			if (ch->unmanaged)
				c.n_unmanaged++;
		}
	}
	for (size_t i = 0; i < plan->dirs.n; i++) {
		struct stat st;

		r = vp_root_stat(root, plan->dirs.v[i], &st, ret_msg);
		if (r == 0 && !S_ISDIR(st.st_mode)) {
			r = vp_fail(ret_msg, -ENOTDIR, "'%s': exists and is not a directory",
				    plan->dirs.v[i]);
			goto fail;
		}
		if (r == 0)
			continue;
		if (r != -ENOENT) {
			if (!ret_msg || !*ret_msg)
				r = vp_fail(ret_msg, r, "'%s': %s", plan->dirs.v[i], strerror(-r));
			goto fail;
		}
		r = vp_strv_push(&c.dirs, plan->dirs.v[i]);
		if (r < 0)
			goto fail;
		c.n_pending++;
	}
	r = stale_dirs(root, plan, ledger, &c);
	if (r < 0)
		goto fail;
	*ret = c;
	return 0;
fail:
	vp_changes_free(&c);
	return r;
}

/* ---- lock ---- */

int vp_lock(const struct vp_root *root, int *ret_fd, struct vp_strv *ret_created,
	    char **ret_msg)
{
	int fd = -1, r;

	r = vp_fsroot_mkdir_p(root, VP_STATE_DIR, 0755, ret_created, ret_msg);
	if (r < 0)
		return r;
	for (;;) {
		struct stat a, b;

		r = vp_fsroot_open_lock(root, VP_LOCK_PATH, &fd, ret_msg);
		if (r < 0)
			return r;
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				r = vp_fail(ret_msg, -errno, "'%s': cannot lock: %s", VP_LOCK_PATH,
					    strerror(errno));
				close(fd);
				return r;
			}
		}
		/*
		 * revert removes the lock file while holding it: whoever waited
		 * on that inode must retry on the new file.
		 */
		if (fstat(fd, &a) == 0 && vp_root_stat(root, VP_LOCK_PATH, &b, NULL) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			break;
		close(fd);
	}
	*ret_fd = fd;
	return 0;
}


/* ---- apply ---- */

static int same_ledger(const struct vp_ledger *a, const struct vp_ledger *b, bool *ret)
{
	_cleanup_free_ char *ta = NULL, *tb = NULL;
	int r;

	r = vp_ledger_format(a, &ta);
	if (r >= 0)
		r = vp_ledger_format(b, &tb);
	if (r >= 0)
		*ret = strcmp(ta, tb) == 0;
	return r;
}

/* Records the directories missing on the way to (and including, if dir) path. */
static int note_dirs(const struct vp_root *root, struct vp_ledger *l, const char *path, bool dir,
		     char **ret_msg)
{
	_cleanup_free_ char *probe = NULL;
	struct vp_strv missing = {0};
	int r;

	/* missing_dirs lists the parents of a file: ask about one inside dir */
	if (dir) {
		probe = vp_strdup_printf("%s/x", path);
		if (!probe)
			return -ENOMEM;
	}
	r = vp_fsroot_missing_dirs(root, dir ? probe : path, &missing, ret_msg);
	for (size_t i = 0; i < missing.n && r >= 0; i++)
		r = vp_strv_push_unique(&l->dirs, missing.v[i]);
	vp_strv_free(&missing);
	return r;
}

/* A blob with these bytes: the one an entry already names, or a new one. */
static int blob_for(const struct vp_root *root, const struct vp_ledger *l,
		    const struct vp_owned *o, const struct vp_bytes *b, char **ret, char **ret_msg)
{
	*ret = NULL;
	if (!b->exists)
		return 0;
	if (o->committed && o->base.exists && vp_bytes_eq(&o->base, b))
		return (*ret = strdup(o->base_blob)) ? 0 : -ENOMEM;
	if (o->committed && o->ours.exists && vp_bytes_eq(&o->ours, b))
		return (*ret = strdup(o->ours_blob)) ? 0 : -ENOMEM;
	return vp_ledger_blob(root, l, b->data, b->len, ret, ret_msg);
}

/*
 * The entry's state once ch is written: the base the plan started from
 * (the ledger's view, or the file as it is when it is not ours yet) and
 * the new content. Blobs are written here, before the ledger names them.
 */
static int prepare(const struct vp_root *root, struct vp_ledger *l, const struct vp_change *ch,
		   const struct vp_bases *bases, char **ret_msg)
{
	const struct vp_plan_file *f = ch->file;
	const struct vp_base *x = vp_bases_find(bases, f->path);
	struct vp_owned *o = vp_ledger_find(l, f->path);
	struct vp_bytes base = {0}, content = {0};
	int r;

	if (!o) {
		r = vp_ledger_get(l, f->path, &o);
		if (r < 0)
			return r;
	}
	vp_owned_clear_next(o);
	o->next = VP_NEXT_SET;
	o->whole = f->owned;
	if (x && o->committed) {
		r = vp_bytes_set(&base, x->bytes.exists, x->bytes.data, x->bytes.len);
		o->next_mode = o->mode;
		o->next_uid = o->uid;
		o->next_gid = o->gid;
	} else {
		r = vp_bytes_set(&base, ch->exists, ch->old, ch->old_len);
		o->next_mode = ch->mode;
		o->next_uid = ch->uid;
		o->next_gid = ch->gid;
	}
	if (r >= 0)
		r = vp_bytes_set(&content, f->content != NULL, f->content,
				 f->content ? strlen(f->content) : 0);
	if (r >= 0)
		r = blob_for(root, l, o, &base, &o->next_base_blob, ret_msg);
	/* content that is the base is not ours: the entry goes, no blob needed */
	if (r >= 0 && !vp_bytes_eq(&content, &base))
		r = blob_for(root, l, o, &content, &o->next_blob, ret_msg);
	if (r >= 0 && vp_bytes_eq(&content, &base) && content.exists)
		r = (o->next_blob = strdup(o->next_base_blob)) ? 0 : -ENOMEM;
	o->next_base = base;
	o->next_content = content;
	if (r >= 0 && f->content)
		r = note_dirs(root, l, f->path, false, ret_msg);
	return r;
}

static int write_one(const struct vp_root *root, const struct vp_change *ch, bool force,
		     enum vp_action *ret_action, char **ret_msg)
{
	const struct vp_plan_file *f = ch->file;
	_cleanup_free_ char *cur = NULL;
	struct vp_fsroot_attr attr = {0};
	size_t len = 0;
	struct stat st;
	bool exists;
	int r;

	/* the state under the lock decides; `ch` was computed before it */
	r = vp_root_read_max(root, f->path, VP_MAX_TEXT, &cur, &len, &st, ret_msg);
	if (r < 0 && r != -ENOENT)
		return r;
	exists = r == 0;
	*ret_action = action_for(f, exists, cur, len);
	if (*ret_action == VP_ACT_NONE)
		return 0;
	if (exists != ch->exists ||
	    (exists && (len != ch->old_len || memcmp(cur, ch->old, len) != 0)))
		return vp_fail(ret_msg, -EAGAIN, "'%s': changed while planning; run apply again",
			       f->path);
	if (is_unmanaged(f, exists, cur) && !force)
		return vp_fail(ret_msg, -EEXIST,
			       "'%s': exists and is not managed by vfio-provision (no '%s' "
			       "header); move it away or use --force", f->path, VP_MANAGED_HEADER);
	if (!f->content)
		return vp_fsroot_unlink(root, f->path, ret_msg);
	if (exists) {
		/* an edited file keeps its mode and owner */
		attr.mode = st.st_mode & 07777;
		attr.set_owner = true;
		attr.uid = st.st_uid;
		attr.gid = st.st_gid;
	} else {
		attr.mode = f->mode ? f->mode : 0644;
	}
	return vp_fsroot_write(root, f->path, f->content, strlen(f->content), &attr, ret_msg);
}

/* Everything in flight is written: the new states are the entries. */
static void commit_all(struct vp_ledger *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct vp_owned *o = &l->f[i];

		if (o->next == VP_NEXT_NONE)
			continue;
		if (o->next == VP_NEXT_DROP || vp_bytes_eq(&o->next_content, &o->next_base)) {
			vp_ledger_remove(l, o->path);
			i--;
			continue;
		}
		vp_owned_commit(o);
	}
}

static void drop_dir(struct vp_strv *dirs, const char *dir)
{
	for (size_t i = 0; i < dirs->n; i++)
		if (strcmp(dirs->v[i], dir) == 0) {
			free(dirs->v[i]);
			memmove(&dirs->v[i], &dirs->v[i + 1], (dirs->n - i) * sizeof(char *));
			dirs->n--;
			return;
		}
}

int vp_apply(const struct vp_root *root, const struct vp_changes *changes,
	     const struct vp_ledger *ledger, const struct vp_bases *bases,
	     const struct vp_apply_opts *opts, vp_apply_cb cb, void *userdata, char **ret_msg)
{
	static const struct vp_ledger empty_ledger;
	static const struct vp_bases no_bases;
	struct vp_strv created = {0};
	struct vp_ledger l = {0};
	int lockfd = -1, r, n = 0;
	bool same = false;

	if (changes->n_pending == 0)
		return 0;
	if (!ledger)
		ledger = &empty_ledger;
	if (!bases)
		bases = &no_bases;
	/* refuse before taking the lock or creating anything */
	for (size_t i = 0; i < changes->n; i++) {
		const struct vp_change *ch = &changes->v[i];

		if (ch->action != VP_ACT_NONE && ch->unmanaged && !opts->force)
			return vp_fail(ret_msg, -EEXIST,
				       "'%s': exists and is not managed by vfio-provision (no '%s' "
				       "header); move it away or use --force", ch->file->path,
				       VP_MANAGED_HEADER);
	}
	r = vp_lock(root, &lockfd, &created, ret_msg);
	if (r < 0)
		goto out;
	r = vp_ledger_load(root, &l, ret_msg);
	if (r >= 0)
		r = same_ledger(&l, ledger, &same);
	if (r >= 0 && !same)
		r = vp_fail(ret_msg, -EAGAIN, "'%s': changed while planning; run apply again",
			    VP_LEDGER_PATH);
	if (r < 0)
		goto out;
	/* the state directory's parents we just made, so revert removes them */
	for (size_t i = 0; i < created.n && r >= 0; i++)
		if (strcmp(created.v[i], VP_STATE_DIR) != 0)
			r = vp_strv_push_unique(&l.dirs, created.v[i]);
	for (size_t i = 0; i < changes->n && r >= 0; i++)
		if (changes->v[i].action != VP_ACT_NONE)
			r = prepare(root, &l, &changes->v[i], bases, ret_msg);
	/* what we are about to own is on record before any file moves */
	if (r >= 0)
		r = vp_ledger_save(root, &l, ret_msg);
	for (size_t i = 0; i < changes->n && r >= 0; i++) {
		const struct vp_change *ch = &changes->v[i];
		enum vp_action act = VP_ACT_NONE;

		if (ch->action == VP_ACT_NONE)
			continue;
		r = write_one(root, ch, opts->force, &act, ret_msg);
		if (r < 0 || act == VP_ACT_NONE)
			continue;
		n++;
		if (cb)
			cb(ch->file->path, act, userdata);
	}
	if (r < 0)
		goto out;
	commit_all(&l);
	for (size_t i = 0; i < changes->dirs.n && r >= 0; i++)
		r = note_dirs(root, &l, changes->dirs.v[i], true, ret_msg);
	if (r >= 0)
		r = vp_ledger_save(root, &l, ret_msg);
	for (size_t i = 0; i < changes->dirs.n && r >= 0; i++) {
		const char *dir = changes->dirs.v[i];
		struct stat st;

		if (vp_root_stat(root, dir, &st, NULL) == 0)
			continue;
		r = vp_fsroot_mkdir_p(root, dir, 0755, NULL, ret_msg);
		if (r < 0)
			break;
		n++;
		if (cb)
			cb(dir, VP_ACT_MKDIR, userdata);
	}
	for (size_t i = 0; i < changes->rmdirs.n && r >= 0; i++) {
		const char *dir = changes->rmdirs.v[i];
		struct stat st;

		r = vp_fsroot_rmdir(root, dir, ret_msg);
		if (r < 0)
			break;
		/* not empty after all (someone put a file there): keep owning it */
		if (vp_root_stat(root, dir, &st, NULL) == 0)
			continue;
		drop_dir(&l.dirs, dir);
		n++;
		if (cb)
			cb(dir, VP_ACT_RMDIR, userdata);
	}
	if (r >= 0 && changes->rmdirs.n)
		r = vp_ledger_save(root, &l, ret_msg);
	if (r >= 0)
		r = n;
out:
	vp_ledger_free(&l);
	vp_strv_free(&created);
	if (lockfd >= 0)
		close(lockfd);
	return r;
}
