/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The first release's journal, read to upgrade a host to the ledger
 * (ledger.h). One line per path:
 *   file PATH MODE UID GID BACKUP   existed; bytes in BACKUP
 *   absent PATH                     did not exist
 *   dir PATH                        directory we created
 * Paths are escaped (\xHH for bytes <= ' ', '\\' and 0x7f) in both formats.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ledger.h"
#include "root.h"
#include "vp.h"


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
int vp_journal_add(struct vp_journal *j, const struct vp_jentry *e); /* copies */
const struct vp_jentry *vp_journal_find(const struct vp_journal *j, enum vp_jkind kind,
					const char *path);
/* Text form; paths are escaped (\xHH for bytes <= ' ', '\\' and 0x7f). */
int vp_journal_format(const struct vp_journal *j, char **ret);
/* name is used in messages: "'<name>':<line>: ..." */
int vp_journal_parse(const char *text, const char *name, struct vp_journal *ret,
		     char **ret_msg);
/* From the root; a missing journal is an empty one. */
int vp_journal_load(const struct vp_root *root, struct vp_journal *ret, char **ret_msg);
int vp_journal_save(const struct vp_root *root, const struct vp_journal *j, char **ret_msg);


/* Shared with the ledger's text form. */
int vp_put_escaped(struct vp_buf *b, const char *s);
int vp_unescape(char *s);
int vp_parse_uint(const char *s, int base, unsigned long max, unsigned long *ret);
