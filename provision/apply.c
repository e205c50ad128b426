// SPDX-License-Identifier: GPL-2.0-or-later
/* The journal, the lock and apply. See apply.h for the on-disk layout. */
#include <errno.h>
#include <fcntl.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "fsroot.h"

#define JOURNAL_MAGIC "# vfio-provision journal 1"

/* ---- journal ---- */

static void jentry_free(struct vp_jentry *e)
{
	free(e->path);
	free(e->backup);
}

void vp_journal_free(struct vp_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		jentry_free(&j->e[i]);
	free(j->e);
	j->e = NULL;
	j->n = 0;
}

int vp_journal_add(struct vp_journal *j, const struct vp_jentry *e)
{
	struct vp_jentry *v, *d;

	v = realloc(j->e, (j->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	j->e = v;
	d = &v[j->n];
	*d = *e;
	d->path = strdup(e->path);
	d->backup = e->backup ? strdup(e->backup) : NULL;
	if (!d->path || (e->backup && !d->backup)) {
		jentry_free(d);
		return -ENOMEM;
	}
	j->n++;
	return 0;
}

const struct vp_jentry *vp_journal_find(const struct vp_journal *j, enum vp_jkind kind,
					const char *path)
{
	for (size_t i = 0; i < j->n; i++) {
		bool file_like = j->e[i].kind != VP_J_DIR;

		if (strcmp(j->e[i].path, path) != 0)
			continue;
		/* a file entry is either "file" or "absent" */
		if ((kind == VP_J_DIR) == !file_like)
			return &j->e[i];
	}
	return NULL;
}

static int put_escaped(struct vp_buf *b, const char *s)
{
	int r = 0;

	for (; *s && r == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '\\' || c == 0x7f)
			r = vp_buf_printf(b, "\\x%02x", c);
		else
			r = vp_buf_add(b, s, 1);
	}
	return r;
}

static int unescape(char *s)
{
	char *w = s;

	for (char *p = s; *p; p++) {
		if (*p != '\\') {
			*w++ = *p;
			continue;
		}
		if (p[1] != 'x' || !isxdigit((unsigned char)p[2]) || !isxdigit((unsigned char)p[3]))
			return -EINVAL;
		char hex[3] = {p[2], p[3], 0};
		*w = (char)strtoul(hex, NULL, 16);
		if (*w == '\0')
			return -EINVAL;
		w++;
		p += 3;
	}
	*w = '\0';
	return 0;
}

int vp_journal_format(const struct vp_journal *j, char **ret)
{
	struct vp_buf b = {0};
	int r;

	r = vp_buf_puts(&b, JOURNAL_MAGIC "\n");
	for (size_t i = 0; i < j->n && r == 0; i++) {
		const struct vp_jentry *e = &j->e[i];

		switch (e->kind) {
		case VP_J_FILE:
			r = vp_buf_puts(&b, "file ");
			if (r == 0)
				r = put_escaped(&b, e->path);
			if (r == 0)
				r = vp_buf_printf(&b, " %04o %u %u ", e->mode & 07777,
						  (unsigned)e->uid, (unsigned)e->gid);
			if (r == 0)
				r = put_escaped(&b, e->backup);
			break;
		case VP_J_ABSENT:
			r = vp_buf_puts(&b, "absent ");
			if (r == 0)
				r = put_escaped(&b, e->path);
			break;
		case VP_J_DIR:
			r = vp_buf_puts(&b, "dir ");
			if (r == 0)
				r = put_escaped(&b, e->path);
			break;
		}
		if (r == 0)
			r = vp_buf_puts(&b, "\n");
	}
	if (r < 0) {
		vp_buf_free(&b);
		return r;
	}
	*ret = vp_buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
}

static int parse_uint(const char *s, int base, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int vp_journal_parse(const char *text, const char *name, struct vp_journal *ret,
		     char **ret_msg)
{
	_cleanup_free_ char *copy = strdup(text);
	struct vp_journal j = {0};
	char *line, *save = NULL;
	unsigned lineno = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	/* strtok_r would skip empty lines and hide their numbers: walk by hand */
	for (line = copy; line && *line; line = save) {
		char *f[6];
		size_t nf = 0;
		char *tok, *tsave = NULL;
		struct vp_jentry e = {0};
		unsigned long v;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, JOURNAL_MAGIC) != 0) {
				r = vp_fail(ret_msg, -EINVAL, "'%s':1: not a vfio-provision journal",
					    name);
				goto fail;
			}
			continue;
		}
		for (tok = strtok_r(line, " ", &tsave); tok; tok = strtok_r(NULL, " ", &tsave)) {
			if (nf == ARRAY_SIZE(f))
				goto bad;
			f[nf++] = tok;
		}
		if (nf == 0)
			goto bad;
		for (size_t i = 1; i < nf; i++)
			if (unescape(f[i]) < 0)
				goto bad;
		if (strcmp(f[0], "file") == 0 && nf == 6) {
			e.kind = VP_J_FILE;
			if (parse_uint(f[2], 8, 07777, &v) < 0)
				goto bad;
			e.mode = (unsigned)v;
			if (parse_uint(f[3], 10, UINT32_MAX - 1, &v) < 0)
				goto bad;
			e.uid = (uid_t)v;
			if (parse_uint(f[4], 10, UINT32_MAX - 1, &v) < 0)
				goto bad;
			e.gid = (gid_t)v;
			/* backups live in our state dir: no way out of it */
			if (!vp_startswith(f[5], "backups/") || strchr(f[5] + 8, '/') ||
			    strcmp(f[5] + 8, "..") == 0 || strcmp(f[5] + 8, ".") == 0 || !f[5][8])
				goto bad;
			e.backup = f[5];
		} else if (strcmp(f[0], "absent") == 0 && nf == 2) {
			e.kind = VP_J_ABSENT;
		} else if (strcmp(f[0], "dir") == 0 && nf == 2) {
			e.kind = VP_J_DIR;
		} else {
			goto bad;
		}
		if (f[1][0] != '/')
			goto bad;
		e.path = f[1];
		r = vp_journal_add(&j, &e);
		if (r < 0)
			goto fail;
		continue;
bad:
		r = vp_fail(ret_msg, -EINVAL, "'%s':%u: malformed journal entry", name, lineno);
		goto fail;
	}
	if (lineno == 0) {
		r = vp_fail(ret_msg, -EINVAL, "'%s':1: not a vfio-provision journal", name);
		goto fail;
	}
	*ret = j;
	return 0;
fail:
	vp_journal_free(&j);
	return r;
}

int vp_journal_load(const struct vp_root *root, struct vp_journal *ret, char **ret_msg)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = vp_fsroot_read(root, VP_JOURNAL_PATH, &text, &len, NULL);
	if (r == -ENOENT) {
		*ret = (struct vp_journal){0};
		return 0;
	}
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': cannot read: %s", VP_JOURNAL_PATH, strerror(-r));
	if (strlen(text) != len)
		return vp_fail(ret_msg, -EINVAL, "'%s': contains NUL bytes", VP_JOURNAL_PATH);
	return vp_journal_parse(text, VP_JOURNAL_PATH, ret, ret_msg);
}

int vp_journal_save(const struct vp_root *root, const struct vp_journal *j, char **ret_msg)
{
	static const struct vp_fsroot_attr attr = {.mode = 0600};
	_cleanup_free_ char *text = NULL;
	int r;

	r = vp_journal_format(j, &text);
	if (r < 0)
		return r;
	return vp_fsroot_write(root, VP_JOURNAL_PATH, text, strlen(text), &attr, ret_msg);
}

/* ---- comparing ---- */

const char *vp_action_name(enum vp_action a)
{
	static const char *const names[] = {
		[VP_ACT_NONE] = "unchanged",
		[VP_ACT_CREATE] = "create",
		[VP_ACT_UPDATE] = "update",
		[VP_ACT_REMOVE] = "remove",
		[VP_ACT_MKDIR] = "mkdir",
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
	memset(c, 0, sizeof(*c));
}

int vp_changes_compute(const struct vp_root *root, const struct vp_plan *plan,
		       struct vp_changes *ret, char **ret_msg)
{
	struct vp_changes c = {0};
	int r;

	c.v = calloc(plan->n_files ? plan->n_files : 1, sizeof(*c.v));
	if (!c.v)
		return -ENOMEM;
	for (size_t i = 0; i < plan->n_files; i++) {
		const struct vp_plan_file *f = &plan->files[i];
		struct vp_change *ch = &c.v[c.n++];

		ch->file = f;
		/* a file of ours without the header would be "unmanaged" next time */
		if (f->owned && f->content && !vp_startswith(f->content, VP_MANAGED_HEADER)) {
			r = vp_fail(ret_msg, -EINVAL, "'%s': planned without the '%s' header "
				    "(a bug in vfio-provision)", f->path, VP_MANAGED_HEADER);
			goto fail;
		}
		r = vp_fsroot_read(root, f->path, &ch->old, &ch->old_len, NULL);
		if (r < 0 && r != -ENOENT) {
			r = vp_fail(ret_msg, r, "'%s': cannot read: %s", f->path,
				    r == -EINVAL ? "not a regular file" :
				    r == -EXDEV ? "a symbolic link leads outside the root" :
				    strerror(-r));
			goto fail;
		}
		ch->exists = r == 0;
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

		r = vp_fsroot_stat(root, plan->dirs.v[i], &st);
		if (r == 0 && !S_ISDIR(st.st_mode)) {
			r = vp_fail(ret_msg, -ENOTDIR, "'%s': exists and is not a directory",
				    plan->dirs.v[i]);
			goto fail;
		}
		if (r == 0)
			continue;
		if (r != -ENOENT) {
			r = vp_fail(ret_msg, r, "'%s': %s", plan->dirs.v[i], strerror(-r));
			goto fail;
		}
		r = vp_strv_push(&c.dirs, plan->dirs.v[i]);
		if (r < 0)
			goto fail;
		c.n_pending++;
	}
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
		if (fstat(fd, &a) == 0 && vp_fsroot_stat(root, VP_LOCK_PATH, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			break;
		close(fd);
	}
	*ret_fd = fd;
	return 0;
}

/* ---- apply ---- */

static int backup_name(const struct vp_journal *j, char **ret)
{
	size_t n = 0;

	for (size_t i = 0; i < j->n; i++)
		if (j->e[i].kind == VP_J_FILE)
			n++;
	/* an orphan from a crash before the journal named it may be overwritten */
	*ret = vp_strdup_printf("backups/%zu", n + 1);
	return *ret ? 0 : -ENOMEM;
}

/* Journals the directories missing on the way to (and including, if dir) path. */
static int journal_dirs(const struct vp_root *root, struct vp_journal *j, const char *path,
			bool dir, bool *dirty, char **ret_msg)
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
	for (size_t i = 0; i < missing.n && r >= 0; i++) {
		if (vp_journal_find(j, VP_J_DIR, missing.v[i]))
			continue;
		r = vp_journal_add(j, &(struct vp_jentry){.kind = VP_J_DIR, .path = missing.v[i]});
		*dirty = true;
	}
	vp_strv_free(&missing);
	return r;
}

/*
 * Before the first change of a path: its original state into the journal
 * (and its bytes into a backup), plus every directory we are about to
 * create for it. The journal is saved before anything else moves.
 */
static int journal_before(const struct vp_root *root, struct vp_journal *j,
			  const struct vp_change *ch, char **ret_msg)
{
	static const struct vp_fsroot_attr battr = {.mode = 0600};
	const char *path = ch->file->path;
	bool dirty = false;
	int r = 0;

	if (ch->file->content) {
		r = journal_dirs(root, j, path, false, &dirty, ret_msg);
		if (r < 0)
			goto out;
	}
	if (!vp_journal_find(j, VP_J_FILE, path)) {
		_cleanup_free_ char *data = NULL, *bname = NULL, *bpath = NULL;
		struct vp_jentry e = {.path = (char *)path};
		struct stat st;
		size_t len;

		r = vp_fsroot_read(root, path, &data, &len, &st);
		if (r == -ENOENT) {
			e.kind = VP_J_ABSENT;
		} else if (r < 0) {
			r = vp_fail(ret_msg, r, "'%s': cannot read: %s", path, strerror(-r));
			goto out;
		} else {
			r = backup_name(j, &bname);
			if (r < 0)
				goto out;
			bpath = vp_strdup_printf(VP_STATE_DIR "/%s", bname);
			if (!bpath) {
				r = -ENOMEM;
				goto out;
			}
			r = vp_fsroot_write(root, bpath, data, len, &battr, ret_msg);
			if (r < 0)
				goto out;
			e.kind = VP_J_FILE;
			e.mode = st.st_mode & 07777;
			e.uid = st.st_uid;
			e.gid = st.st_gid;
			e.backup = bname;
		}
		r = vp_journal_add(j, &e);
		if (r < 0)
			goto out;
		dirty = true;
	}
	if (dirty)
		r = vp_journal_save(root, j, ret_msg);
out:
	return r;
}

static int apply_one(const struct vp_root *root, const struct vp_change *ch, bool force,
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
	r = vp_fsroot_read(root, f->path, &cur, &len, &st);
	if (r < 0 && r != -ENOENT)
		return vp_fail(ret_msg, r, "'%s': cannot read: %s", f->path, strerror(-r));
	exists = r == 0;
	*ret_action = action_for(f, exists, cur, len);
	if (*ret_action == VP_ACT_NONE)
		return 0;       /* another apply did it meanwhile */
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

int vp_apply(const struct vp_root *root, const struct vp_changes *changes,
	     const struct vp_apply_opts *opts, vp_apply_cb cb, void *userdata,
	     char **ret_msg)
{
	struct vp_strv created = {0};
	struct vp_journal j = {0};
	int lockfd = -1, r, n = 0;

	if (changes->n_pending == 0)
		return 0;
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
	r = vp_journal_load(root, &j, ret_msg);
	if (r < 0)
		goto out;
	/* the state directory's parents we just made go first, so revert removes them */
	for (size_t i = 0; i < created.n; i++) {
		if (strcmp(created.v[i], VP_STATE_DIR) == 0 ||
		    vp_journal_find(&j, VP_J_DIR, created.v[i]))
			continue;
		r = vp_journal_add(&j, &(struct vp_jentry){.kind = VP_J_DIR, .path = created.v[i]});
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < changes->n; i++) {
		const struct vp_change *ch = &changes->v[i];
		enum vp_action act = VP_ACT_NONE;

		if (ch->action == VP_ACT_NONE)
			continue;
		r = journal_before(root, &j, ch, ret_msg);
		if (r < 0)
			goto out;
		r = apply_one(root, ch, opts->force, &act, ret_msg);
		if (r < 0)
			goto out;
		if (act == VP_ACT_NONE)
			continue;
		n++;
		if (cb)
			cb(ch->file->path, act, userdata);
	}
	for (size_t i = 0; i < changes->dirs.n; i++) {
		const char *dir = changes->dirs.v[i];
		struct stat st;
		bool dirty = false;

		if (vp_fsroot_stat(root, dir, &st) == 0)
			continue;
		r = journal_dirs(root, &j, dir, true, &dirty, ret_msg);
		if (r == 0 && dirty)
			r = vp_journal_save(root, &j, ret_msg);
		if (r == 0)
			r = vp_fsroot_mkdir_p(root, dir, 0755, NULL, ret_msg);
		if (r < 0)
			goto out;
		n++;
		if (cb)
			cb(dir, VP_ACT_MKDIR, userdata);
	}
	r = n;
out:
	vp_journal_free(&j);
	vp_strv_free(&created);
	if (lockfd >= 0)
		close(lockfd);
	return r;
}
