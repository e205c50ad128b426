/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger: what vfio-provision owns on the system, path by path, so that
 * every apply converges to the config and revert undoes exactly our edits
 * on the files as they are now (merge3.h), never by restoring a stale copy.
 *
 * <root>/var/lib/vfio-provision/
 *   ledger    "# vfio-provision ledger 3", one line an entry, then
 *             "end N CRC": N entry lines, CRC the crc32 (zlib) of every byte
 *             before the end line, 8 hex digits; a ledger cut short or
 *             changed is refused, never read as one with fewer entries.
 *             Replaced atomically. At most VP_LEDGER_MAX_LINES entries.
 *             (Version 2, from before the end line, is read as it is.)
 *               file PATH whole|shared BASE OURS
 *                 BASE  the file without us: "-" (absent) or MODE:UID:GID:blobs/N
 *                 OURS  what we wrote: "-" (we removed the file) or blobs/N
 *               next PATH whole|shared BASE CONTENT
 *                 written before CONTENT replaces PATH; on load, when PATH
 *                 holds CONTENT the entry becomes (BASE, CONTENT), or goes
 *                 when CONTENT is BASE; otherwise the write never happened
 *                 and the line is dropped. A crash anywhere leaves a ledger
 *                 that matches the files.
 *               drop PATH CONTENT
 *                 the same for revert: once PATH holds CONTENT, we own
 *                 nothing there any more
 *               dir PATH
 *                 a directory we created (parents before children)
 *   blobs/N   exact bytes; written before the ledger names them, removed
 *             when no line names them
 *   lock      flock()ed by apply and revert
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "root.h"
#include "vp.h"

#define VP_STATE_DIR "/var/lib/vfio-provision"
#define VP_LEDGER_PATH VP_STATE_DIR "/ledger"
#define VP_BLOB_DIR VP_STATE_DIR "/blobs"
#define VP_LOCK_PATH VP_STATE_DIR "/lock"
/* runtime state (the libvirt hook's pages); neither holds a link we follow */
#define VP_RUN_DIR "/run/vfio-provision"

/* Bytes that may be absent. */
struct vp_bytes {
	bool exists;
	char *data;             /* NUL-terminated copy when exists */
	size_t len;
};

enum vp_next { VP_NEXT_NONE = 0, VP_NEXT_SET, VP_NEXT_DROP };

struct vp_owned {
	char *path;
	bool committed;         /* base/ours hold a state on disk (not only next) */
	bool whole;             /* the whole file is ours (managed header) */
	struct vp_bytes base;   /* the file without us */
	unsigned mode;          /* the base's, to put back a file we removed */
	uid_t uid;
	gid_t gid;
	struct vp_bytes ours;   /* exactly what we wrote */
	char *base_blob, *ours_blob; /* "blobs/N", NULL when absent */
	/* in flight (see "next"/"drop" above): the state once content is written */
	enum vp_next next;
	struct vp_bytes next_content;
	char *next_blob;
	struct vp_bytes next_base;
	char *next_base_blob;
	unsigned next_mode;
	uid_t next_uid;
	gid_t next_gid;
};

/* Far more than we ever own: a longer ledger is not one of ours. */
#define VP_LEDGER_MAX_LINES 4096

struct vp_ledger {
	struct vp_owned *f;
	size_t n, cap;
	struct vp_strv dirs;    /* directories we created, parents first */
	/* paths of in-flight writes that never happened: a temporary file may be left */
	struct vp_strv unfinished;
};

void vp_bytes_free(struct vp_bytes *b);
_must_check_ int vp_bytes_set(struct vp_bytes *b, bool exists, const char *data, size_t len);
bool vp_bytes_eq(const struct vp_bytes *a, const struct vp_bytes *b);
/* The file under the root as it is now (absent is not an error). */
_must_check_ int vp_bytes_read(const struct vp_root *root, const char *path, struct vp_bytes *ret,
		  char **ret_msg);

/* The in-flight state becomes the entry's state / is forgotten. */
void vp_owned_commit(struct vp_owned *o);
void vp_owned_clear_next(struct vp_owned *o);

void vp_ledger_free(struct vp_ledger *l);
struct vp_owned *vp_ledger_find(const struct vp_ledger *l, const char *path);
/* A new empty entry for path (or the existing one). */
_must_check_ int vp_ledger_get(struct vp_ledger *l, const char *path, struct vp_owned **ret);
void vp_ledger_remove(struct vp_ledger *l, const char *path);

/*
 * What the entry of path becomes once content replaced a file whose base
 * is base (pure; no blobs): gone when content is the base. apply reaches
 * the same state through its in-flight lines.
 */
_must_check_ int vp_ledger_record(struct vp_ledger *l, const char *path, bool whole,
		     const struct vp_bytes *base, const struct vp_bytes *content);

/* Text form (pure): blobs by name only. */
_must_check_ int vp_ledger_format(const struct vp_ledger *l, char **ret);
_must_check_ int vp_ledger_parse(const char *text, const char *name, struct vp_ledger *ret, char **ret_msg);

/*
 * From the root, blobs read, in-flight lines settled against the files as
 * they are (see above). Missing: empty.
 */
_must_check_ int vp_ledger_load(const struct vp_root *root, struct vp_ledger *ret, char **ret_msg);
/* Whether the root holds a ledger, readable or not. */
bool vp_ledger_present(const struct vp_root *root);
/* Atomically; then removes the blobs no line names. */
_must_check_ int vp_ledger_save(const struct vp_root *root, const struct vp_ledger *l, char **ret_msg);
/* Writes bytes to a new blob; *ret is its name ("blobs/N"). */
_must_check_ int vp_ledger_blob(const struct vp_root *root, const struct vp_ledger *l, const char *data,
		   size_t len, char **ret, char **ret_msg);
