// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * revert: puts every journaled path back as it was before our first change,
 * then forgets the journal. Safe to run again after a crash half-way: the
 * journal goes last, and restoring a path twice gives the same bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "fsroot.h"

static bool is_state_path(const char *path)
{
	size_t n = strlen(VP_STATE_DIR);

	return strncmp(path, VP_STATE_DIR, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

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

static int restore_file(const struct vp_root *root, const struct vp_jentry *e,
			enum vp_action *ret_action, char **ret_msg)
{
	_cleanup_free_ char *bpath = NULL, *data = NULL, *cur = NULL;
	struct vp_fsroot_attr attr = {.mode = e->mode, .set_owner = true, .uid = e->uid,
				      .gid = e->gid};
	size_t len, cur_len;
	struct stat st;
	int r;

	*ret_action = VP_ACT_NONE;
	bpath = vp_strdup_printf(VP_STATE_DIR "/%s", e->backup);
	if (!bpath)
		return -ENOMEM;
	r = vp_fsroot_read(root, bpath, &data, &len, NULL);
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': backup of '%s' unreadable: %s", bpath, e->path,
			       strerror(-r));
	r = vp_fsroot_read(root, e->path, &cur, &cur_len, &st);
	if (r < 0 && r != -ENOENT && r != -EISDIR && r != -EINVAL)
		return vp_fail(ret_msg, r, "'%s': cannot read: %s", e->path, strerror(-r));
	/* already the original: leave it alone (and its mtime) */
	if (r == 0 && cur_len == len && memcmp(cur, data, len) == 0 &&
	    (st.st_mode & 07777) == e->mode && st.st_uid == e->uid && st.st_gid == e->gid)
		return 0;
	*ret_action = r == -ENOENT ? VP_ACT_CREATE : VP_ACT_UPDATE;
	return vp_fsroot_write(root, e->path, data, len, &attr, ret_msg);
}

static int remove_file(const struct vp_root *root, const struct vp_jentry *e,
		       enum vp_action *ret_action, char **ret_msg)
{
	struct stat st;
	int r;

	*ret_action = VP_ACT_NONE;
	r = vp_fsroot_stat(root, e->path, &st);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", e->path, strerror(-r));
	if (S_ISDIR(st.st_mode))
		return vp_fail(ret_msg, -EISDIR, "'%s': is now a directory; not removing it",
			       e->path);
	*ret_action = VP_ACT_REMOVE;
	return vp_fsroot_unlink(root, e->path, ret_msg);
}

/* Our own files in the state directory: backups, journal, temporaries, lock. */
static int clean_state(const struct vp_root *root, char **ret_msg)
{
	static const char *const dirs[] = {VP_BACKUP_DIR, VP_STATE_DIR};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *canon = NULL;
		DIR *d;
		int fd;

		r = vp_fsroot_canon(root, dirs[i], &canon, ret_msg);
		if (r < 0)
			return r;
		fd = openat(root->fd, canon + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return vp_fail(ret_msg, -errno, "'%s': %s", dirs[i], strerror(errno));
		}
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return -errno;
		}
		for (struct dirent *de; (de = readdir(d));) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
			    (i == 1 && strcmp(de->d_name, "backups") == 0))
				continue;
			/* the lock last: apply may be waiting on it (vp_lock retries) */
			if (i == 1 && strcmp(de->d_name, "lock") == 0)
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
				r = vp_fail(ret_msg, -errno, "'%s/%s': cannot remove: %s", dirs[i],
					    de->d_name, strerror(errno));
				closedir(d);
				return r;
			}
		}
		closedir(d);
		if (i == 0) {
			r = vp_fsroot_rmdir(root, VP_BACKUP_DIR, ret_msg);
			if (r < 0)
				return r;
		}
	}
	r = vp_fsroot_unlink(root, VP_LOCK_PATH, ret_msg);
	if (r < 0)
		return r;
	return vp_fsroot_rmdir(root, VP_STATE_DIR, ret_msg);
}

int vp_revert(const struct vp_root *root, vp_apply_cb cb, void *userdata, char **ret_msg)
{
	struct vp_journal j = {0};
	struct stat st;
	bool had_lock;
	int lockfd = -1, r, n = 0;

	/* nothing ever applied: do not create the state directory just to lock it */
	if (vp_fsroot_stat(root, VP_STATE_DIR, &st) == -ENOENT)
		return 0;
	had_lock = vp_fsroot_stat(root, VP_LOCK_PATH, &st) == 0;
	r = vp_lock(root, &lockfd, NULL, ret_msg);
	if (r < 0)
		goto out;
	r = vp_journal_load(root, &j, ret_msg);
	if (r < 0)
		goto out;
	/* newest first, so a directory is emptied before we try to remove it */
	for (size_t i = j.n; i > 0; i--) {
		const struct vp_jentry *e = &j.e[i - 1];
		enum vp_action act = VP_ACT_NONE;

		if (is_state_path(e->path) || (e->kind == VP_J_DIR && holds_state(e->path)))
			continue;
		if (e->kind != VP_J_DIR) {
			r = remove_stale_tmp(root, e->path, ret_msg);
			if (r < 0)
				goto out;
		}
		switch (e->kind) {
		case VP_J_FILE:
			r = restore_file(root, e, &act, ret_msg);
			break;
		case VP_J_ABSENT:
			r = remove_file(root, e, &act, ret_msg);
			break;
		case VP_J_DIR:
			r = vp_fsroot_rmdir(root, e->path, ret_msg);
			break;
		}
		if (r < 0)
			goto out;
		if (act != VP_ACT_NONE) {
			n++;
			if (cb)
				cb(e->path, act, userdata);
		}
	}
	/* everything is back: forgetting the journal is the commit point */
	r = vp_fsroot_unlink(root, VP_JOURNAL_PATH, ret_msg);
	if (r < 0)
		goto out;
	r = clean_state(root, ret_msg);
	if (r < 0)
		goto out;
	/* the parents of the state directory that the first apply created */
	for (size_t i = j.n; i > 0; i--) {
		const struct vp_jentry *e = &j.e[i - 1];

		if (e->kind == VP_J_DIR && holds_state(e->path)) {
			r = vp_fsroot_rmdir(root, e->path, ret_msg);
			if (r < 0)
				goto out;
		}
	}
	r = n;
out:
	/* a failed revert leaves the root as it found it: no new lock file */
	if (r < 0 && lockfd >= 0 && !had_lock &&
	    vp_fsroot_unlink(root, VP_LOCK_PATH, NULL) < 0) {
		/* best effort: the revert's own error is the one to report */
	}
	vp_journal_free(&j);
	if (lockfd >= 0)
		close(lockfd);
	return r;
}
