// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which command-line words each pending change adds, removes or replaces,
 * in the files the bootloader planners write (plan-bootloader.c), each read
 * as its consumer does:
 *   /etc/default/grub, grub.d/ *.cfg   shell variables, through shell-lex.c
 *   BLS entries (loader/entries/ *.conf)  the "options" line
 *   a target's own file                as its line reader says (target.h):
 *                                      refind_linux.conf "LABEL" "..." lines
 *   /etc/kernel/cmdline                every line, whole
 * Only words whose key the plan sets count. Other files (modprobe.d, fstab,
 * early.conf) have no command line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline-diff.h"
#include "cmdline.h"
#include "shell-lex.h"
#include "target.h"

/* The words of the planned keys on the lines of one variable. */
struct loc {
	char *variable;
	unsigned line;
	struct vp_strv words;
};

struct locs {
	struct loc *v;
	size_t n;
};

static void locs_free(struct locs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].variable);
		vp_strv_free(&l->v[i].words);
	}
	free(l->v);
	*l = (struct locs){0};
}

static struct loc *loc_find(struct locs *l, const char *variable)
{
	for (size_t i = 0; i < l->n; i++)
		if (vp_streq(l->v[i].variable, variable))
			return &l->v[i];
	return NULL;
}

static struct loc *loc_get(struct locs *l, const char *variable, unsigned line)
{
	struct loc *n, *found = loc_find(l, variable);

	if (found)
		return found;
	n = realloc(l->v, (l->n + 1) * sizeof(*n));
	if (!n)
		return NULL;
	l->v = n;
	n = &l->v[l->n];
	*n = (struct loc){.line = line};
	if (variable && !(n->variable = strdup(variable)))
		return NULL;
	l->n++;
	return n;
}

static bool planned_key(const struct vp_plan *plan, const char *key, size_t len)
{
	for (size_t i = 0; i < plan->n_cmdline; i++)
		if (vp_cmdline_key_eq(plan->cmdline[i].key, strlen(plan->cmdline[i].key), key, len))
			return true;
	return false;
}

/*
 * The files the bootloader planners write, and how each holds command lines;
 * K_TARGET: as the line reader of the target that edits the file says
 * (target.h).
 */
enum format { K_NONE, K_SHELL, K_WHOLE, K_BLS, K_TARGET };
struct kind {
	enum format f;
	vp_boot_line_fn line;
};

static struct kind kind_of(const char *path)
{
	const struct vp_boot_target *v[VP_BOOT_TARGETS_MAX];
	size_t l = strlen(path), n = vp_boot_targets_all(v, ARRAY_SIZE(v));

	if (!strcmp(path, "/etc/default/grub") ||
	    (vp_startswith(path, "/etc/default/grub.d/") && l > 4 && !strcmp(path + l - 4, ".cfg")))
		return (struct kind){K_SHELL};
	if (!strcmp(path, "/etc/kernel/cmdline"))
		return (struct kind){K_WHOLE};
	if (strstr(path, "/loader/entries/") && l > 5 && !strcmp(path + l - 5, ".conf"))
		return (struct kind){K_BLS};
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; v[i]->line && v[i]->in.files && v[i]->in.files[k]; k++)
			if (!strcmp(path, v[i]->in.files[k]))
				return (struct kind){K_TARGET, v[i]->line};
	return (struct kind){K_NONE};
}

/*
 * Where the command line of a line starts (NULL: the line holds none) and
 * what holds it (*var, malloc'ed, NULL for a whole line).
 */
static const char *line_value(struct kind k, const char *p, size_t len, char **var, size_t *vlen)
{
	const char *end = p + len;

	*var = NULL;
	switch (k.f) {
	case K_BLS:
		if (end - p < 8 || strncmp(p, "options", 7) != 0 || (p[7] != ' ' && p[7] != '\t'))
			return NULL;
		*var = strdup("options");
		p += 8;
		break;
	case K_TARGET:
		p = k.line(p, len, var);
		if (!p)
			return NULL;
		break;
	default:
		break;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	/* one level of quotes around the whole value */
	if (end - p >= 2 && (*p == '"' || *p == '\'') && end[-1] == *p) {
		p++;
		end--;
	}
	*vlen = end - p;
	return p;
}

/* The planned words of value, the command line that var (NULL: a whole line) holds on line ln. */
static int collect_value(const struct vp_plan *plan, const char *var, const char *value,
			 unsigned ln, struct locs *ret)
{
	struct vp_cmdline c = {0};
	struct loc *loc = NULL;
	int r = 0;

	/* a line the kernel's splitter rejects is no command line of ours */
	if (vp_cmdline_split(value, &c, NULL) < 0)
		return 0;
	for (size_t i = 0; i < c.n_params && r >= 0; i++) {
		const struct vp_cmdline_word *w = &c.w[i];
		_cleanup_free_ char *word = NULL;

		if (!planned_key(plan, w->key, w->key_len))
			continue;
		if (!loc && !(loc = loc_get(ret, var, ln))) {
			r = -ENOMEM;
			break;
		}
		word = strndup(w->text, w->len);
		r = word ? vp_strv_push(&loc->words, word) : -ENOMEM;
	}
	vp_cmdline_free(&c);
	return r;
}

static int collect_line(const struct vp_plan *plan, struct kind k, const char *p, size_t len,
			unsigned ln, struct locs *ret)
{
	_cleanup_free_ char *var = NULL, *value = NULL;
	const char *v;
	size_t vlen;

	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	if (!len || *p == '#')
		return 0;
	v = line_value(k, p, len, &var, &vlen);
	if (!v)
		return 0;
	value = strndup(v, vlen);
	if (!value)
		return -ENOMEM;
	return collect_value(plan, var, value, ln, ret);
}

/*
 * /etc/default/grub and its drop-ins through the shell lexer, as
 * grub-mkconfig sources them: the value of each assignment the sourcing
 * shell runs (not another shell's, not a command's environment, not an
 * array), its quotes removed. A file sh refuses sets nothing.
 */
static int collect_shell(const struct vp_plan *plan, const char *text, size_t len,
			 struct locs *ret)
{
	struct vp_shlex l;
	int r;

	r = vp_shlex(text ? text : "", len, &l);
	if (r == -EINVAL)
		r = 0;
	for (size_t i = 0; r >= 0 && i < l.n_asg; i++) {
		const struct vp_shlex_asg *a = &l.asg[i];
		_cleanup_free_ char *var = NULL;

		if ((a->ctx & (VP_SHLEX_IN_SUBSHELL | VP_SHLEX_PREFIX)) || a->array ||
		    a->n_words != 1)
			continue;
		var = strndup(text + a->name, a->name_len);
		r = var ? collect_value(plan, var, a->words[0].text, a->line, ret) : -ENOMEM;
	}
	vp_shlex_free(&l);
	return r;
}

static int collect(const struct vp_plan *plan, struct kind k, const char *text, size_t len,
		   struct locs *ret)
{
	unsigned ln = 0;
	int r = 0;

	if (k.f == K_SHELL)
		return collect_shell(plan, text, len, ret);
	for (const char *p = text, *end = text + len; text && p < end && r >= 0; ln++) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		r = collect_line(plan, k, p, l, ln + 1, ret);
		p += l + 1;
	}
	return r;
}

/* Removes the first s from sv (moving the last one in); false when absent. */
static bool take(struct vp_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0) {
			free(sv->v[i]);
			sv->v[i] = sv->v[--sv->n];
			sv->v[sv->n] = NULL;
			return true;
		}
	return false;
}

static int strv_copy(struct vp_strv *to, const struct vp_strv *from)
{
	for (size_t i = 0; i < from->n; i++)
		if (vp_strv_push(to, from->v[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* old and new words of one variable in one file -> one edit (none when equal). */
static int diff_loc(const char *path, const struct loc *o, const struct loc *n,
		    struct vp_cmdline_edits *ret)
{
	struct vp_cmdline_edit e = {.path = path, .line = n ? n->line : o->line};
	struct vp_cmdline_edit *v;
	int r = -ENOMEM;

	if (n && strv_copy(&e.added, &n->words) < 0)
		goto fail;
	for (size_t i = 0; o && i < o->words.n; i++)
		if (!take(&e.added, o->words.v[i]) && vp_strv_push(&e.removed, o->words.v[i]) < 0)
			goto fail;
	/* a removed and an added word of the same key: a replacement */
	for (size_t i = 0; i < e.removed.n;) {
		const char *rm = e.removed.v[i];
		size_t klen = vp_cmdline_key_len(rm + (*rm == '"'));
		bool paired = false;

		for (size_t k = 0; k < e.added.n && !paired; k++) {
			const char *ad = e.added.v[k];

			if (!vp_cmdline_key_eq(rm + (*rm == '"'), klen, ad + (*ad == '"'),
					       vp_cmdline_key_len(ad + (*ad == '"'))))
				continue;
			if (vp_strv_push(&e.replaced_from, rm) < 0 ||
			    vp_strv_push(&e.replaced_to, ad) < 0)
				goto fail;
			take(&e.added, ad);
			paired = true;
		}
		if (paired)
			take(&e.removed, rm);
		else
			i++;
	}
	if (!e.added.n && !e.removed.n && !e.replaced_from.n)
		return 0;
	if ((n && n->variable) || (!n && o->variable)) {
		e.variable = strdup(n ? n->variable : o->variable);
		if (!e.variable)
			goto fail;
	}
	v = realloc(ret->v, (ret->n + 1) * sizeof(*v));
	if (!v)
		goto fail;
	ret->v = v;
	ret->v[ret->n++] = e;
	return 0;
fail:
	free(e.variable);
	vp_strv_free(&e.added);
	vp_strv_free(&e.removed);
	vp_strv_free(&e.replaced_from);
	vp_strv_free(&e.replaced_to);
	return r;
}

static int diff_change(const struct vp_plan *plan, const struct vp_change *ch,
		       struct vp_cmdline_edits *ret)
{
	const char *want = ch->file->content;
	struct kind k = kind_of(ch->file->path);
	struct locs o = {0}, n = {0};
	int r;

	if (k.f == K_NONE)
		return 0;
	r = collect(plan, k, want, want ? strlen(want) : 0, &n);
	for (size_t i = 0; i < n.n && r >= 0; i++)
		for (size_t w = 0; w < n.v[i].words.n && r >= 0; w++)
			r = vp_strv_push_unique(&ret->mentioned, n.v[i].words.v[w]);
	if (r < 0 || ch->action == VP_ACT_NONE)
		goto out;
	r = collect(plan, k, ch->old, ch->old ? ch->old_len : 0, &o);
	for (size_t i = 0; i < n.n && r >= 0; i++)
		r = diff_loc(ch->file->path, loc_find(&o, n.v[i].variable), &n.v[i], ret);
	for (size_t i = 0; i < o.n && r >= 0; i++)
		if (!loc_find(&n, o.v[i].variable))
			r = diff_loc(ch->file->path, &o.v[i], NULL, ret);
out:
	locs_free(&o);
	locs_free(&n);
	return r;
}

int vp_cmdline_edits_compute(const struct vp_plan *plan, const struct vp_changes *changes,
			     struct vp_cmdline_edits *ret)
{
	int r = 0;

	*ret = (struct vp_cmdline_edits){0};
	for (size_t i = 0; plan->n_cmdline && i < changes->n && r >= 0; i++)
		r = diff_change(plan, &changes->v[i], ret);
	if (r < 0)
		vp_cmdline_edits_free(ret);
	return r;
}

void vp_cmdline_edits_free(struct vp_cmdline_edits *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].variable);
		vp_strv_free(&e->v[i].added);
		vp_strv_free(&e->v[i].removed);
		vp_strv_free(&e->v[i].replaced_from);
		vp_strv_free(&e->v[i].replaced_to);
	}
	free(e->v);
	vp_strv_free(&e->mentioned);
	*e = (struct vp_cmdline_edits){0};
}

bool vp_cmdline_edits_adds(const struct vp_cmdline_edits *e, const char *token,
			   const char **ret_replaced)
{
	*ret_replaced = NULL;
	for (size_t i = 0; i < e->n; i++) {
		if (vp_strv_contains(&e->v[i].added, token))
			return true;
		for (size_t k = 0; k < e->v[i].replaced_to.n; k++)
			if (strcmp(e->v[i].replaced_to.v[k], token) == 0) {
				*ret_replaced = e->v[i].replaced_from.v[k];
				return true;
			}
	}
	return false;
}

bool vp_cmdline_edits_removes(const struct vp_cmdline_edits *e, const char *key)
{
	for (size_t i = 0; i < e->n; i++)
		for (size_t k = 0; k < e->v[i].removed.n; k++) {
			const char *w = e->v[i].removed.v[k] + (e->v[i].removed.v[k][0] == '"');

			if (vp_cmdline_key_eq(w, vp_cmdline_key_len(w), key, strlen(key)))
				return true;
		}
	return false;
}
