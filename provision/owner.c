// SPDX-License-Identifier: GPL-2.0-or-later
/* Bases of owned files and the reconciliation of a plan with the ledger (owner.h). */
#include <errno.h>
#include <string.h>

#include "fsroot.h"
#include "merge3.h"
#include "owner.h"
#include "plan-regen.h"

void vp_bases_free(struct vp_bases *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].path);
		vp_bytes_free(&b->v[i].bytes);
		vp_strv_free(&b->v[i].kept);
	}
	free(b->v);
	*b = (struct vp_bases){0};
}

const struct vp_base *vp_bases_find(const struct vp_bases *b, const char *path)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->v[i].path, path) == 0)
			return &b->v[i];
	return NULL;
}

static int keep(struct vp_strv *kept, const char *what)
{
	return vp_strv_push(kept, what);
}

/*
 * The rule for an item of ours the user changed (README, "Your edits"):
 * apply (and plan and check, which show what apply would do) writes what
 * the config asks over it and says so, naming the user's value; revert
 * leaves it as the user has it, says so, and keeps it in the ledger, so
 * that revert --force can take it out.
 */
static const char *verdict(bool revert, bool force)
{
	if (!revert)
		return "changed since vfio-provision wrote it: apply writes what the config asks "
		       "instead (set it in /etc/vfio-provision.conf to keep it)";
	return force ? "changed since vfio-provision wrote it: taken out (--force)"
		     : "changed since vfio-provision wrote it: left alone (revert --force "
		       "takes it out)";
}

/* Each note with the verdict after it, into kept. */
static int add_notes(struct vp_strv *kept, const struct vp_strv *notes, const char *how)
{
	int r = 0;

	for (size_t i = 0; i < notes->n && r >= 0; i++)
		r = vp_strv_push_take(kept, vp_strdup_printf("%s: %s", notes->v[i], how));
	return r;
}

/*
 * A whole file of ours with the user's edits: the lines they added and the
 * lines of ours they changed, named (the file itself goes whole).
 */
static int whole_notes(const struct vp_owned *o, const struct vp_bytes *cur, bool revert,
		       bool force, struct vp_strv *kept)
{
	struct vp_strv changed = {0};
	_cleanup_free_ char *theirs = NULL;
	size_t len = 0;
	int r;

	r = vp_merge3_undo_notes("", 0, o->ours.data, o->ours.len, cur->data, cur->len, true,
				 &theirs, &len, &changed, NULL);
	if (r >= 0)
		r = add_notes(kept, &changed, verdict(revert, force));
	for (const char *p = theirs; r >= 0 && p && *p;) {
		size_t l = strcspn(p, "\n");

		if (p[strspn(p, " \t\r")] != '\n' && l)
			r = vp_strv_push_take(kept, vp_strdup_printf(
				"line '%.*s' is not vfio-provision's: %s", (int)l, p,
				!revert ? "apply replaces this whole file, so it goes (put your own "
					  "lines in a file of your own)"
				: force ? "taken out with the file (--force)"
					: "the file is left alone (revert --force removes it)"));
		p += l + (p[l] == '\n');
	}
	vp_strv_free(&changed);
	return r;
}

int vp_owner_base(const struct vp_owned *o, const struct vp_bytes *cur, bool revert, bool force,
		  struct vp_bytes *ret, struct vp_strv *ret_kept)
{
	struct vp_strv changed = {0}, removed = {0};
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	int r;

	/* as we left it: exactly what was there before us */
	if (vp_bytes_eq(cur, &o->ours))
		return vp_bytes_set(ret, o->base.exists, o->base.data, o->base.len);
	/* gone, or put back by someone after we removed it: theirs */
	if (!cur->exists || !o->ours.exists)
		return vp_bytes_set(ret, cur->exists, cur->data, cur->len);
	if (o->whole) {
		bool ours = vp_startswith(cur->data, VP_MANAGED_HEADER);

		if (!ours) {
			r = keep(ret_kept, "no longer has our header: it is yours now");
			return r < 0 ? r : vp_bytes_set(ret, true, cur->data, cur->len);
		}
		r = whole_notes(o, cur, revert, force, ret_kept);
		if (r < 0)
			return r;
		if (!revert || force)
			return vp_bytes_set(ret, o->base.exists, o->base.data, o->base.len);
		return vp_bytes_set(ret, true, cur->data, cur->len);
	}
	/* apply: ours come out whatever the user did to them; the plan writes the config's */
	r = vp_merge3_undo_notes(o->base.data, o->base.len, o->ours.data, o->ours.len, cur->data,
				 cur->len, !revert || force, &out, &len, &changed, &removed);
	if (r >= 0)
		r = add_notes(ret_kept, &changed, verdict(revert, force));
	if (r >= 0 && !revert)
		r = add_notes(ret_kept, &removed, "apply writes what the config asks");
	vp_strv_free(&changed);
	vp_strv_free(&removed);
	if (r < 0)
		return r;
	/* a file we created with nothing of anyone else's left in it */
	return vp_bytes_set(ret, o->base.exists || len > 0, out, len);
}

int vp_owner_bases(const struct vp_root *root, const struct vp_ledger *l, bool revert,
		   bool force, struct vp_bases *ret, char **ret_msg)
{
	struct vp_bases b = {0};
	int r = 0;

	b.v = calloc(l->n ? l->n : 1, sizeof(*b.v));
	if (!b.v)
		return -ENOMEM;
	for (size_t i = 0; i < l->n && r >= 0; i++) {
		const struct vp_owned *o = &l->f[i];
		struct vp_base *x = &b.v[b.n++];
		struct vp_bytes cur = {0};

		x->path = strdup(o->path);
		r = x->path ? vp_bytes_read(root, o->path, &cur, ret_msg) : -ENOMEM;
		if (r >= 0)
			r = vp_owner_base(o, &cur, revert, force, &x->bytes, &x->kept);
		vp_bytes_free(&cur);
	}
	if (r < 0) {
		vp_bases_free(&b);
		return r;
	}
	*ret = b;
	return 0;
}

int vp_owner_substitute(struct vp_system *sys, const struct vp_bases *b)
{
	for (size_t i = 0; i < b->n; i++) {
		for (size_t k = 0; k < sys->n_files; k++) {
			struct vp_file *f = &sys->files[k];
			char *c = NULL;

			if (strcmp(f->path, b->v[i].path) != 0)
				continue;
			if (b->v[i].bytes.exists) {
				c = malloc(b->v[i].bytes.len + 1);
				if (!c)
					return -ENOMEM;
				memcpy(c, b->v[i].bytes.data, b->v[i].bytes.len + 1);
			}
			free(f->content);
			f->content = c;
			f->len = b->v[i].bytes.len;
		}
	}
	return 0;
}

int vp_owner_reconcile(const struct vp_config *cfg, const struct vp_system *sys,
		       const struct vp_ledger *l, const struct vp_bases *b, struct vp_plan *plan)
{
	bool initramfs = false, bootloader = false;
	int r = 0;

	/* the user's edits of our items that this plan writes over, named */
	for (size_t i = 0; i < b->n && r >= 0; i++)
		for (size_t k = 0; k < b->v[i].kept.n && r >= 0; k++)
			r = vp_plan_msg(plan, VP_MSG_WARN, "'%s': %s", b->v[i].path,
					b->v[i].kept.v[k]);
	for (size_t i = 0; i < l->n && r >= 0; i++) {
		const struct vp_owned *o = &l->f[i];
		const struct vp_base *x = vp_bases_find(b, o->path);
		char *content = NULL;

		if (vp_plan_file(plan, o->path) || !x)
			continue;
		if (x->bytes.exists) {
			content = strndup(x->bytes.data, x->bytes.len);
			if (!content)
				return -ENOMEM;
		}
		r = vp_plan_add_file(plan, o->path, content, o->mode, o->whole && !o->base.exists,
				     o->base.exists ? "vfio-provision changed it earlier and the "
						      "config no longer asks for that: taken out"
						    : "vfio-provision created it earlier and the "
						      "config no longer asks for it: removed");
		initramfs |= vp_path_feeds_initramfs(o->path);
		bootloader |= vp_path_feeds_bootloader(o->path);
	}
	if (r >= 0 && (initramfs || bootloader))
		r = vp_regen_for(cfg, sys, initramfs, bootloader, plan);
	return r;
}
