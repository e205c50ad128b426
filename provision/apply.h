/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The apply engine: compares a plan with the files under the root and
 * writes the differences atomically, recording in the ledger (ledger.h)
 * what we own before each file changes; revert undoes exactly that on the
 * files as they are now (owner.h, merge3.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ledger.h"
#include "owner.h"
#include "plan.h"
#include "root.h"
#include "vp.h"

/* ---- comparing a plan with the root ---- */

enum vp_action {
	VP_ACT_NONE = 0, VP_ACT_CREATE, VP_ACT_UPDATE, VP_ACT_REMOVE, VP_ACT_MKDIR, VP_ACT_RMDIR
};
const char *vp_action_name(enum vp_action a); /* "unchanged", "create", ... */

struct vp_change {
	const struct vp_plan_file *file;
	enum vp_action action;
	bool exists;
	char *old;              /* current bytes, NULL when absent */
	size_t old_len;
	bool unmanaged;         /* owned path holds a file without our header */
	unsigned mode;          /* of the file now, when it exists */
	uid_t uid;
	gid_t gid;
};

struct vp_changes {
	struct vp_change *v;
	size_t n;
	struct vp_strv dirs;    /* plan->dirs that do not exist yet */
	struct vp_strv rmdirs;  /* directories we created that nothing needs any more */
	size_t n_pending;       /* action != NONE, plus dirs.n and rmdirs.n */
	size_t n_unmanaged;     /* pending and unmanaged */
};

/*
 * Reads every planned path under the root. Unreadable → error naming it.
 * ledger (may be NULL): the directories we created that the plan no
 * longer needs become rmdirs, when nothing but what the plan removes is
 * in them.
 */
_must_check_ int vp_changes_compute(const struct vp_root *root, const struct vp_plan *plan,
		       const struct vp_ledger *ledger, struct vp_changes *ret, char **ret_msg);
void vp_changes_free(struct vp_changes *c);

/* ---- apply / revert ---- */

struct vp_apply_opts {
	bool force;             /* overwrite files of the same name that are not ours */
};

/* Called after each path is done (for the one-line-a-file output). */
typedef void (*vp_apply_cb)(const char *path, enum vp_action action, void *userdata);

/*
 * Writes the pending changes of `changes`, computed from `ledger` (as
 * loaded before) and `bases` (the files without us). Takes the lock; under
 * it the ledger must still be the one the plan was made from and each file
 * must still hold the bytes the plan was computed from (else -EAGAIN: plan
 * again). Refuses unmanaged files without opts->force (-EEXIST). Returns
 * the number of paths changed.
 */
_must_check_ int vp_apply(const struct vp_root *root, const struct vp_changes *changes,
	     const struct vp_ledger *ledger, const struct vp_bases *bases,
	     const struct vp_apply_opts *opts, vp_apply_cb cb, void *userdata, char **ret_msg);

/* What revert would write: each owned path and the bytes it gets back. */
struct vp_revert_item {
	char *path;
	struct vp_bytes cur, target;
	struct vp_strv kept;    /* items of ours the user changed, left as they are */
	bool left;              /* something of ours stays: the ledger keeps the entry */
};

struct vp_revert_plan {
	struct vp_revert_item *v;
	size_t n;
	size_t n_pending;       /* items whose target differs from cur */
};

void vp_revert_plan_free(struct vp_revert_plan *p);
/* Reads the ledger and the files; writes nothing. */
_must_check_ int vp_revert_compute(const struct vp_root *root, bool force, struct vp_revert_plan *ret,
		      char **ret_msg);

/*
 * Undoes every owned item on the files as they are now, removes the
 * directories we created (when empty), then forgets the ledger and our
 * state. kept (may be NULL) gets "'PATH': what" for each item the user
 * changed and we left alone. Returns the number of paths changed; 0 with
 * nothing owned.
 */
_must_check_ int vp_revert(const struct vp_root *root, bool force, vp_apply_cb cb, void *userdata,
	      struct vp_strv *kept, char **ret_msg);

/* Takes <root>VP_LOCK_PATH (creating the state directory); waits for it. */
_must_check_ int vp_lock(const struct vp_root *root, int *ret_fd, struct vp_strv *ret_created,
	    char **ret_msg);
