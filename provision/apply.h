/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The apply engine: compares a plan with the files under the root, writes
 * the differences atomically, and keeps a journal with the original bytes,
 * mode and owner of every path it ever changed, so that revert can put the
 * system back exactly as it was.
 *
 * State lives in <root>/var/lib/vfio-provision/:
 *   lock      flock()ed by apply and revert (they wait for each other)
 *   journal   one line per path, written atomically BEFORE the path changes:
 *               file PATH MODE UID GID BACKUP   existed; bytes in BACKUP
 *               absent PATH                     did not exist: revert removes
 *               dir PATH                        directory we created
 *             The first entry of a path is never replaced: later applies
 *             (with other configs) keep the original.
 *   backups/N exact bytes of a file before our first change
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plan.h"
#include "root.h"
#include "vp.h"

#define VP_STATE_DIR "/var/lib/vfio-provision"
#define VP_JOURNAL_PATH VP_STATE_DIR "/journal"
#define VP_LOCK_PATH VP_STATE_DIR "/lock"
#define VP_BACKUP_DIR VP_STATE_DIR "/backups"

/* ---- journal ---- */

enum vp_jkind { VP_J_FILE = 0, VP_J_ABSENT, VP_J_DIR };

struct vp_jentry {
	enum vp_jkind kind;
	char *path;
	unsigned mode;          /* VP_J_FILE */
	uid_t uid;
	gid_t gid;
	char *backup;           /* VP_J_FILE: name under VP_STATE_DIR ("backups/3") */
};

struct vp_journal {
	struct vp_jentry *e;
	size_t n;
};

void vp_journal_free(struct vp_journal *j);
_must_check_ int vp_journal_add(struct vp_journal *j, const struct vp_jentry *e); /* copies */
const struct vp_jentry *vp_journal_find(const struct vp_journal *j, enum vp_jkind kind,
					const char *path);
/* Text form; paths are escaped (\xHH for bytes <= ' ', '\\' and 0x7f). */
_must_check_ int vp_journal_format(const struct vp_journal *j, char **ret);
/* name is used in messages: "'<name>':<line>: ..." */
_must_check_ int vp_journal_parse(const char *text, const char *name, struct vp_journal *ret,
		     char **ret_msg);
/* From the root; a missing journal is an empty one. */
_must_check_ int vp_journal_load(const struct vp_root *root, struct vp_journal *ret, char **ret_msg);
_must_check_ int vp_journal_save(const struct vp_root *root, const struct vp_journal *j, char **ret_msg);

/* ---- comparing a plan with the root ---- */

enum vp_action { VP_ACT_NONE = 0, VP_ACT_CREATE, VP_ACT_UPDATE, VP_ACT_REMOVE, VP_ACT_MKDIR };
const char *vp_action_name(enum vp_action a); /* "unchanged", "create", ... */

struct vp_change {
	const struct vp_plan_file *file;
	enum vp_action action;
	bool exists;
	char *old;              /* current bytes, NULL when absent */
	size_t old_len;
	bool unmanaged;         /* owned path holds a file without our header */
};

struct vp_changes {
	struct vp_change *v;
	size_t n;
	struct vp_strv dirs;    /* plan->dirs that do not exist yet */
	size_t n_pending;       /* action != NONE, plus dirs.n */
	size_t n_unmanaged;     /* pending and unmanaged */
};

/* Reads every planned path under the root. Unreadable → error naming it. */
_must_check_ int vp_changes_compute(const struct vp_root *root, const struct vp_plan *plan,
		       struct vp_changes *ret, char **ret_msg);
void vp_changes_free(struct vp_changes *c);

/* ---- apply / revert ---- */

struct vp_apply_opts {
	bool force;             /* overwrite files of the same name that are not ours */
};

/* Called after each path is done (for the one-line-a-file output). */
typedef void (*vp_apply_cb)(const char *path, enum vp_action action, void *userdata);

/*
 * Writes the pending changes of `changes` (computed before, from the same
 * plan). Takes the lock; re-reads each file under it: one that another
 * apply already brought to the wanted bytes is skipped, one that changed
 * in between otherwise is an error (-EAGAIN). Refuses unmanaged files
 * without opts->force (-EEXIST). Returns the number of paths changed.
 */
_must_check_ int vp_apply(const struct vp_root *root, const struct vp_changes *changes,
	     const struct vp_apply_opts *opts, vp_apply_cb cb, void *userdata,
	     char **ret_msg);

/*
 * Restores every journaled path (bytes, mode, owner; removes the ones that
 * did not exist and the directories we created), then removes the journal,
 * backups and lock. Returns the number of paths restored or removed; 0
 * with nothing journaled.
 */
_must_check_ int vp_revert(const struct vp_root *root, vp_apply_cb cb, void *userdata, char **ret_msg);

/* Takes <root>VP_LOCK_PATH (creating the state directory); waits for it. */
_must_check_ int vp_lock(const struct vp_root *root, int *ret_fd, struct vp_strv *ret_created,
	    char **ret_msg);
