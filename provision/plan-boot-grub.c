// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GRUB: GRUB_CMDLINE_LINUX_DEFAULT, which grub-mkconfig takes by sourcing
 * /etc/default/grub (and on Debian/Ubuntu /etc/default/grub.d/ *.cfg) with
 * the shell. Pure.
 *
 * Without grub.d the value is edited in place in /etc/default/grub: only
 * the bytes of the value change, its quoting style stays, every other byte
 * of the file is kept.
 *
 * With grub.d (Debian, Ubuntu) our tokens go into an owned drop-in
 *   GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT <tokens>"
 * which revert simply deletes. Appending is not enough when a file sourced
 * before it already has one of our keys: the kernel would see both (and
 * for hugepages= it keeps the first). So the words of our keys that we
 * would replace are also removed from the value in /etc/default/grub and
 * in the drop-ins sorted before ours (a shared-file edit, in the ledger and
 * reverted byte for byte by apply).
 *
 * The files are read with the shared shell lexer (shell-lex.h). An
 * assignment grub-mkconfig's shell may not run as it reads the file (in a
 * function's body, a condition, a subshell, or a command's prefix) is an
 * error naming the file and line: its tokens would never reach the kernel,
 * or reach it when we cannot see. A value we cannot edit safely (a variable or command substitution in it, a
 * backslash-newline or a quote that spans lines, +=, an array) is an error
 * naming the file and line: grub-mkconfig would compute something we
 * cannot see.
 */
#include <errno.h>
#include <string.h>

#include "plan-regen.h"
#include "cmdline.h"
#include "plan-boot.h"
#include "shell-lex.h"

#define GRUB_DEFAULT "/etc/default/grub"
#define GRUB_DROPIN "/etc/default/grub.d/vfio-provision.cfg"
#define VAR_DEFAULT "GRUB_CMDLINE_LINUX_DEFAULT"
#define VAR_LINUX "GRUB_CMDLINE_LINUX"

struct shvar {
	bool found;
	unsigned line;
	size_t val_start, val_end;      /* the shell word, quotes included */
	char quote;                     /* '"', '\'' or 0 (bare) */
	char *value;                    /* what the shell assigns (after prefix) */
	/*
	 * A drop-in's "$VAR rest" (or "${VAR} rest") appends to what the
	 * files sourced before set: the reference as written, kept on edits;
	 * value is then only the rest.
	 */
	const char *prefix;
	size_t prefix_len;
};

static int bad(char **ret_msg, const char *path, unsigned line, const char *what)
{
	return vp_fail(ret_msg, -EINVAL, "'%s':%u: %s", path, line, what);
}

/*
 * Whether w (the value of a drop-in's assignment of self) starts with a
 * reference to self, "$self rest" or $self"rest" (or ${self}): the length
 * of that reference as written, else 0.
 */
static size_t self_ref(const char *s, const struct vp_shlex_word *w, const char *self)
{
	const struct vp_shlex_exp *e = w->n_exp ? &w->exp[0] : NULL;

	if (!self || !e || e->kind != VP_SHLEX_VAR || e->name_len != strlen(self) ||
	    strncmp(s + e->name, self, e->name_len) != 0 ||
	    e->start != w->start + (s[w->start] == '"'))
		return 0;
	return e->end - e->start;
}

/*
 * One assignment of var as the lexer found it, into *ret (its value after
 * quote removal); a value we cannot edit safely is an error naming the line.
 */
static int take_var(const char *path, const char *s, const struct vp_shlex_asg *a,
		    const char *self, struct shvar *ret, char **ret_msg)
{
	const char *split = "value split over lines: cannot edit it safely";
	const struct vp_shlex_word *w = a->words;
	size_t pl;

	if (a->continued)
		return bad(ret_msg, path, a->line,
			   "assignment continues a previous line: cannot edit it safely");
	if (a->append)
		return bad(ret_msg, path, a->line, "value built with +=: cannot edit it safely");
	if (a->array)
		return bad(ret_msg, path, a->line, "value is an array: cannot edit it safely");
	if (w->flags & (VP_SHLEX_NEWLINE | VP_SHLEX_CONT))
		return bad(ret_msg, path, a->line, split);
	pl = self_ref(s, w, self);
	if (w->n_exp > (pl ? 1 : 0))
		return bad(ret_msg, path, a->line,
			   "value built from other variables or commands ($, `): "
			   "cannot edit it safely");
	*ret = (struct shvar){.found = true, .line = a->line, .val_start = w->start,
			      .val_end = w->end,
			      .quote = s[w->start] == '"' || s[w->start] == '\'' ? s[w->start] : 0,
			      .prefix = pl ? s + w->exp[0].start : NULL, .prefix_len = pl,
			      .value = strdup(w->text + pl)};
	return ret->value ? 0 : -ENOMEM;
}

/* The last assignment of var (the one the shell keeps). */
static int find_var(const char *path, const char *content, const char *var,
		    struct shvar *ret, char **ret_msg)
{
	/* a drop-in may append to what the files before it set */
	const char *self = vp_startswith(path, "/etc/default/grub.d/") ? var : NULL;
	struct vp_shlex l;
	int r;

	*ret = (struct shvar){0};
	if (!content)
		return 0;
	r = vp_shlex(content, strlen(content), &l);
	if (r == -EINVAL)
		r = bad(ret_msg, path, l.err_line, l.err);
	for (size_t i = 0; r >= 0 && i < l.n_asg; i++) {
		bool before = ret->found;

		if (!vp_shlex_is(content, &l.asg[i], var))
			continue;
		if (l.asg[i].ctx) {
			/* grub-mkconfig sources the file: only a plain top-level assignment counts */
			r = vp_fail(ret_msg, -EINVAL, "'%s':%u: %s is assigned here, but %s; "
				    "cannot tell what grub-mkconfig reads: make it a plain "
				    "assignment at the top of the file%s", path, l.asg[i].line, var,
				    vp_shlex_ctx_why(&l.asg[i]),
				    vp_startswith(path, "/etc/default/grub.d/") ? ""
				    : ", or set it in a file of /etc/default/grub.d/ (Debian, Ubuntu)");
			break;
		}
		free(ret->value);
		*ret = (struct shvar){0};
		r = take_var(path, content, &l.asg[i], self, ret, ret_msg);
		/* the earlier value in this file would flow in unedited */
		if (r >= 0 && ret->prefix && before)
			r = bad(ret_msg, path, ret->line, "appends to an assignment earlier in "
				"this file: cannot edit it safely");
	}
	if (r < 0) {
		free(ret->value);
		*ret = (struct shvar){0};
	}
	vp_shlex_free(&l);
	return r;
}

/* The value as a shell word in the given quoting style. */
static char *sh_quote(const char *v, char style)
{
	struct vp_buf b = {0};
	bool safe = *v != '\0';

	for (const char *p = v; *p && safe; p++)
		safe = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "0123456789_.,:=/+@%-", *p) != NULL;
	if (style == 0 && safe)
		return strdup(v);
	if (style == '\'' && !strchr(v, '\''))
		return vp_strdup_printf("'%s'", v);
	if (vp_buf_puts(&b, "\"") < 0)
		goto fail;
	for (const char *p = v; *p; p++) {
		if (strchr("\\\"$`", *p) && vp_buf_puts(&b, "\\") < 0)
			goto fail;
		if (vp_buf_add(&b, p, 1) < 0)
			goto fail;
	}
	if (vp_buf_puts(&b, "\"") < 0)
		goto fail;
	return vp_buf_steal(&b);
fail:
	vp_buf_free(&b);
	return NULL;
}

/*
 * content with the value of v replaced by new_value (same quoting style; a
 * self-reference is kept in front, in double quotes).
 */
static char *replace_value(const char *content, const struct shvar *v, const char *new_value)
{
	_cleanup_free_ char *q = sh_quote(new_value, v->prefix ? '"' : v->quote);

	if (!q)
		return NULL;
	if (v->prefix)
		/* q is "...": the reference goes inside, a blank keeps it apart */
		return vp_strdup_printf("%.*s\"%.*s%s%s%s", (int)v->val_start, content,
					(int)v->prefix_len, v->prefix,
					*new_value && !strchr(" \t", *new_value) ? " " : "",
					q + 1, content + v->val_end);
	return vp_strdup_printf("%.*s%s%s", (int)v->val_start, content, q,
				content + v->val_end);
}

static void shvar_free(struct shvar *v)
{
	free(v->value);
	v->value = NULL;
}

/*
 * grub-mkconfig puts GRUB_CMDLINE_LINUX first on the line of a normal
 * entry, then _DEFAULT (and our drop-in). Where GRUB_CMDLINE_LINUX already
 * has a key of ours, our value replaces the user's right there: options
 * such as default_hugepagesz= and hugepagesz= keep the first value the
 * kernel sees (mm/hugetlb.c: "previously specified, ignoring"), others the
 * last, and only one value on the whole line is right for both. The rest of
 * our tokens go on _DEFAULT (or the drop-in).
 */
struct split {
	struct vp_cmdline_token *lin, *rest;    /* borrowed from the plan */
	size_t n_lin, n_rest;
};

static void split_free(struct split *sp)
{
	free(sp->lin);
	free(sp->rest);
	*sp = (struct split){0};
}

static bool key_is(const struct vp_cmdline_token *t, const char *key)
{
	return vp_cmdline_key_eq(t->key, strlen(t->key), key, strlen(key));
}

static int split_tokens(const struct vp_plan *plan, const struct shvar *lin, struct split *ret)
{
	struct split sp = {0};
	bool pagesz_in_lin = false;
	int r = 0;

	sp.lin = calloc(plan->n_cmdline + 1, sizeof(*sp.lin));
	sp.rest = calloc(plan->n_cmdline + 1, sizeof(*sp.rest));
	if (!sp.lin || !sp.rest) {
		split_free(&sp);
		return -ENOMEM;
	}
	/* (plan-cmdline.c plans hugepagesz= before hugepages=) */
	for (size_t i = 0; i < plan->n_cmdline && r >= 0; i++) {
		const struct vp_cmdline_token *t = &plan->cmdline[i];
		_cleanup_free_ char *stripped = NULL, *msg = NULL;
		bool there = false;

		if (lin->found) {
			r = vp_cmdline_strip(lin->value, t, 1, &stripped, &msg);
			there = r >= 0 && strcmp(stripped, lin->value) != 0;
		}
		/* hugepages= counts for the hugepagesz= before it: they stay together */
		if (t->token && key_is(t, "hugepages") && pagesz_in_lin)
			there = true;
		if (there && t->token && key_is(t, "hugepagesz"))
			pagesz_in_lin = true;
		/* a key we remove goes from both; a token we set, from one */
		if (there)
			sp.lin[sp.n_lin++] = *t;
		if (!there || !t->token)
			sp.rest[sp.n_rest++] = *t;
	}
	if (r < 0) {
		split_free(&sp);
		return r == -ENOMEM ? r : 0;
	}
	*ret = sp;
	return 0;
}

/* The tokens that go on GRUB_CMDLINE_LINUX, for the note. */
static char *joined(const struct vp_cmdline_token *t, size_t n, bool set)
{
	struct vp_buf b = {0};
	int r = vp_buf_puts(&b, "");

	for (size_t i = 0; i < n && r >= 0; i++)
		if (!t[i].token == !set)
			r = vp_buf_printf(&b, "%s%s", b.len ? " " : "",
					  set ? t[i].token : t[i].key);
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

static int cmdline_op(const char *orig, const struct vp_cmdline_token *t, size_t n, bool strip,
		      const char *path, unsigned line, char **ret, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	int r;

	r = strip ? vp_cmdline_strip(orig, t, n, ret, &msg) : vp_cmdline_apply(orig, t, n, ret, &msg);
	if (r < 0 && msg)
		return vp_fail(ret_msg, r, "'%s':%u: %s", path, line, msg);
	return r;
}

/* GRUB_CMDLINE_LINUX with our values in place (*ret NULL when unchanged). */
static int edit_linux(struct vp_plan *plan, const char *path, const struct shvar *lin,
		      const struct split *sp, char **ret, char **ret_msg)
{
	_cleanup_free_ char *set = NULL;
	int r;

	*ret = NULL;
	if (!lin->found || !sp->n_lin)
		return 0;
	r = cmdline_op(lin->value, sp->lin, sp->n_lin, false, path, lin->line, ret, ret_msg);
	if (r < 0)
		return r;
	set = joined(sp->lin, sp->n_lin, true);
	if (!set)
		return -ENOMEM;
	if (!*set)
		return 0;
	return vp_plan_msg(plan, VP_MSG_INFO,
			   "'%s':%u: " VAR_LINUX " already sets %s's key(s), and it comes first on "
			   "the kernel command line: replaced there in place (recovery entries "
			   "get them too), so the kernel sees one value", path, lin->line, set);
}

/* content with the values of a and b (either may be absent: NULL value) replaced. */
static char *replace_two(const char *content, const struct shvar *a, const char *va,
			 const struct shvar *b, const char *vb)
{
	_cleanup_free_ char *first = NULL;

	if (!va || !a->found)
		return vb && b->found ? replace_value(content, b, vb) : strdup(content);
	if (!vb || !b->found)
		return replace_value(content, a, va);
	/* the later one first: its offsets stay valid */
	if (a->val_start > b->val_start) {
		first = replace_value(content, a, va);
		return first ? replace_value(first, b, vb) : NULL;
	}
	first = replace_value(content, b, vb);
	return first ? replace_value(first, a, va) : NULL;
}

static int grub_inplace(const struct vp_system *sys, const struct vp_file *f,
			struct vp_plan *plan, char **ret_msg)
{
	struct shvar def = {0}, lin = {0};
	struct split sp = {0};
	_cleanup_free_ char *merged = NULL, *full = NULL, *new_lin = NULL, *def_base = NULL;
	char *content = NULL;
	int r;

	r = find_var(f->path, f->content, VAR_DEFAULT, &def, ret_msg);
	if (r >= 0)
		r = find_var(f->path, f->content, VAR_LINUX, &lin, ret_msg);
	if (r >= 0)
		r = split_tokens(plan, &lin, &sp);
	if (r >= 0)
		r = edit_linux(plan, f->path, &lin, &sp, &new_lin, ret_msg);
	/* the keys now set on GRUB_CMDLINE_LINUX must not come again later */
	if (r >= 0)
		r = cmdline_op(def.found ? def.value : "", sp.lin, sp.n_lin, true, f->path,
			       def.line, &def_base, ret_msg);
	if (r >= 0)
		r = cmdline_op(def_base, sp.rest, sp.n_rest, false, f->path, def.line, &merged,
			       ret_msg);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	full = vp_strdup_printf("%s %s", new_lin ? new_lin : lin.found ? lin.value : "", merged);
	if (!full)
		goto out;
	r = vp_boot_check(plan, def.found ? def.value : "", full, f->path,
			  def.found ? def.line : 0, ret_msg);
	if (r < 0)
		goto out;
	if (def.found) {
		content = replace_two(f->content, &def, merged, &lin, new_lin);
	} else {
		_cleanup_free_ char *c = replace_two(f->content, &def, NULL, &lin, new_lin);

		content = c ? vp_strdup_printf("%s%s%s=\"%s\"\n", c, vp_shlex_line_sep(c, strlen(c)),
					       VAR_DEFAULT, merged) : NULL;
	}
	r = -ENOMEM;
	if (!content)
		goto out;
	r = vp_plan_add_file(plan, f->path, content, f->mode, false,
			     "GRUB_CMDLINE_LINUX_DEFAULT: the kernel command line of normal entries");
	if (r >= 0)
		r = vp_regen_grub(sys, plan);
out:
	split_free(&sp);
	shvar_free(&def);
	shvar_free(&lin);
	return r;
}

/*
 * A file sourced before our drop-in: our keys out of its _DEFAULT and, in
 * the main file, our values in place on GRUB_CMDLINE_LINUX (sp).
 */
static int strip_file(const struct vp_file *f, const struct split *sp, struct vp_plan *plan,
		      char **ret_msg)
{
	struct shvar def = {0}, lin = {0};
	_cleanup_free_ char *stripped = NULL, *new_lin = NULL;
	char *content;
	int r;

	r = find_var(f->path, f->content, VAR_DEFAULT, &def, ret_msg);
	if (r >= 0 && sp)
		r = find_var(f->path, f->content, VAR_LINUX, &lin, ret_msg);
	if (r >= 0 && sp)
		r = edit_linux(plan, f->path, &lin, sp, &new_lin, ret_msg);
	if (r >= 0 && def.found)
		r = vp_boot_strip(plan, def.value, f->path, def.line, &stripped, ret_msg);
	if (r >= 0 && def.found)
		r = vp_boot_check(plan, def.value, "", f->path, def.line, ret_msg);
	if (r < 0)
		goto out;
	if (stripped && strcmp(stripped, def.value) == 0) {
		free(stripped);
		stripped = NULL;
	}
	if (!stripped && !new_lin)
		goto out;
	content = replace_two(f->content, &def, stripped, &lin, new_lin);
	r = content ? vp_plan_add_file(plan, f->path, content, f->mode, false,
				       new_lin ? "GRUB_CMDLINE_LINUX sets keys of ours first on the "
						 "line: our values in place"
					       : "its GRUB_CMDLINE_LINUX_DEFAULT sets keys that "
						 GRUB_DROPIN " sets: the kernel would see both")
		    : -ENOMEM;
out:
	shvar_free(&def);
	shvar_free(&lin);
	return r;
}

/*
 * What grub-mkconfig will put on a normal entry with our drop-in: the main
 * file's GRUB_CMDLINE_LINUX (with our values in place) and (stripped of our
 * keys) _DEFAULT, then our tokens. It must fit the kernel's limit like an
 * in-place edit.
 */
static int check_combined(struct vp_plan *plan, const struct vp_file *main_f,
			  const struct shvar *lin, const struct split *sp, const char *toks,
			  char **ret_msg)
{
	struct shvar def = {0};
	_cleanup_free_ char *stripped = NULL, *full = NULL, *new_lin = NULL;
	int r;

	r = find_var(main_f->path, main_f->content, VAR_DEFAULT, &def, ret_msg);
	if (r >= 0)
		r = vp_boot_strip(plan, def.found ? def.value : "", main_f->path, def.line,
				  &stripped, ret_msg);
	if (r >= 0 && lin->found && sp->n_lin)
		r = cmdline_op(lin->value, sp->lin, sp->n_lin, false, main_f->path, lin->line,
			       &new_lin, ret_msg);
	if (r >= 0) {
		full = vp_strdup_printf("%s %s %s", new_lin ? new_lin : lin->found ? lin->value : "",
					stripped, toks);
		/* name the main file: its lines are what must get shorter */
		r = full ? vp_boot_check(plan, "", full, main_f->path,
					 lin->found ? lin->line : def.line, ret_msg)
			 : -ENOMEM;
	}
	shvar_free(&def);
	return r;
}

static int grub_dropin(const struct vp_system *sys, const struct vp_file *main_f,
		       struct vp_plan *plan, char **ret_msg)
{
	_cleanup_free_ char *toks = NULL, *q = NULL;
	struct shvar lin = {0};
	struct split sp = {0};
	char *content;
	int r = 0;

	if (main_f && main_f->content) {
		r = find_var(main_f->path, main_f->content, VAR_LINUX, &lin, ret_msg);
		if (r >= 0)
			r = split_tokens(plan, &lin, &sp);
		if (r >= 0)
			r = strip_file(main_f, &sp, plan, ret_msg);
	} else {
		r = split_tokens(plan, &lin, &sp);
	}
	if (r < 0)
		goto out;
	toks = joined(sp.rest, sp.n_rest, true);
	if (!toks) {
		r = -ENOMEM;
		goto out;
	}
	/* drop-ins are sourced in glob order, after /etc/default/grub */
	for (size_t i = 0; i < sys->n_files; i++) {
		const struct vp_file *f = &sys->files[i];
		struct shvar d = {0};

		if (!f->content || !vp_startswith(f->path, "/etc/default/grub.d/") ||
		    strcmp(f->path, GRUB_DROPIN) == 0)
			continue;
		if (strcmp(f->path, GRUB_DROPIN) < 0) {
			r = strip_file(f, NULL, plan, ret_msg);
			if (r < 0)
				goto out;
			continue;
		}
		r = find_var(f->path, f->content, VAR_DEFAULT, &d, ret_msg);
		/* "$GRUB_CMDLINE_LINUX_DEFAULT ..." keeps ours */
		if (r >= 0 && d.found && !d.prefix)
			r = vp_plan_msg(plan, VP_MSG_WARN,
					"'%s':%u: sourced after " GRUB_DROPIN " and sets "
					VAR_DEFAULT ": check that it keeps our tokens", f->path,
					d.line);
		shvar_free(&d);
		if (r < 0)
			goto out;
	}
	if (main_f && main_f->content) {
		r = check_combined(plan, main_f, &lin, &sp, toks, ret_msg);
		if (r < 0)
			goto out;
	}
	if (!*toks) {
		r = vp_regen_grub(sys, plan);       /* only removals and in-place values */
		goto out;
	}
	/* toks escaped inside the double quotes; the reference stays live */
	q = sh_quote(toks, '"');
	if (!q) {
		r = -ENOMEM;
		goto out;
	}
	content = vp_strdup_printf(VP_MANAGED_HEADER "\n" VP_EDITS_NOTE
				   "# Sourced by grub-mkconfig after /etc/default/grub: appends the\n"
				   "# tokens that `vfio-provision plan` explains to normal entries.\n"
				   VAR_DEFAULT "=\"$" VAR_DEFAULT " %s\n", q + 1);
	if (!content) {
		r = -ENOMEM;
		goto out;
	}
	r = vp_plan_add_file(plan, GRUB_DROPIN, content, 0644, true,
			     "Debian's grub-mkconfig reads /etc/default/grub.d/*.cfg: our tokens "
			     "in a file of our own");
	if (r >= 0)
		r = vp_regen_grub(sys, plan);
out:
	split_free(&sp);
	shvar_free(&lin);
	return r;
}

int vp_boot_grub(const struct vp_config *cfg, const struct vp_system *sys,
		 struct vp_plan *plan, char **ret_msg)
{
	const struct vp_file *f = vp_system_file(sys, GRUB_DEFAULT);

	(void)cfg;
	if (sys->grub_d)
		return grub_dropin(sys, f, plan, ret_msg);
	if (!f || !f->content)
		return vp_plan_msg(plan, VP_MSG_WARN, "'" GRUB_DEFAULT "' does not exist: "
				   "cannot set the kernel command line for GRUB");
	return grub_inplace(sys, f, plan, ret_msg);
}
