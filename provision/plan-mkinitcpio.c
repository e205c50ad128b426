// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkinitcpio (Arch): our vfio modules at the front of MODULES and our early
 * hook in HOOKS.
 *
 * mkinitcpio v36+ sources the *.conf in /etc/mkinitcpio.conf.d after the main file:
 * there we own a drop-in that prepends to whatever the user has. Older
 * versions only read /etc/mkinitcpio.conf, a shared file: we edit its
 * MODULES= and HOOKS= values in place (array or old string syntax) and keep
 * every other byte. Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-regen.h"
#include "plan-initramfs.h"
#include "shell-lex.h"

enum asg_kind { ASG_ARRAY, ASG_STRING, ASG_BARE };

/* One `NAME=value` / `NAME+=value` assignment, as the edits see it. */
struct asg {
	enum asg_kind kind;
	bool append;
	unsigned line_no;
	size_t vstart, vend;    /* the value: inside () or quotes, or the bare word */
	unsigned flags;         /* VP_SHLEX_* of its words */
	const struct vp_shlex_asg *lx;  /* the lexer's (its words) */
};

enum seg_kind { SEG_WORD, SEG_BLANK, SEG_NEWLINE, SEG_COMMENT };

struct seg {
	enum seg_kind kind;
	size_t start, end;
	const char *text;       /* an array word after quote removal; NULL: the bytes */
	bool drop;
};

/* Why a syntax refusal: a lexer error, or a value we cannot edit. */
struct why {
	unsigned line;
	const char *what;
};

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/*
 * Every assignment of `name` in a config text as bash reads it (the shared
 * lexer: a multi-line array counts once, no limit: a cut-off list would
 * change which one counts). *ret is malloc'ed (NULL when none). Returns 0,
 * -ENOMEM, or -EINVAL with *why for a syntax error or a value we cannot
 * edit (quotes mixed with bare text, a backslash outside quotes).
 */
static int find_asg(const char *s, const struct vp_shlex *l, const char *name,
		    struct asg **ret, size_t *ret_n, struct why *why)
{
	struct asg *out = NULL;
	size_t n = 0;

	*ret = NULL;
	*ret_n = 0;
	for (size_t i = 0; i < l->n_asg; i++) {
		const struct vp_shlex_asg *x = &l->asg[i];
		struct asg a = {.append = x->append, .line_no = x->line, .flags = x->flags,
				.lx = x, .vstart = x->vstart, .vend = x->vend};
		struct asg *grown;

		if (!vp_shlex_is(s, x, name))
			continue;
		/* another shell's variable, or a command's environment: not mkinitcpio's */
		if (x->ctx & (VP_SHLEX_IN_SUBSHELL | VP_SHLEX_AFTER_AND_OR | VP_SHLEX_PREFIX))
			continue;
		if (x->array) {
			a.kind = ASG_ARRAY;
		} else if (x->words[0].quote) {
			a.kind = ASG_STRING;
			a.vstart++;
			a.vend--;
		} else if (x->flags & (VP_SHLEX_SQUOTE | VP_SHLEX_DQUOTE | VP_SHLEX_ESCAPE |
				       VP_SHLEX_CONT)) {
			/* an escape or a line continuation: not ours to rewrite */
			*why = (struct why){x->line, "value with a backslash or mixed quoting: "
					    "cannot edit it safely"};
			free(out);
			return -EINVAL;
		} else if ((x->flags & VP_SHLEX_EXPAND) &&
			   strcspn(s + x->vstart, "\"' \t\n\\") < x->vend - x->vstart) {
			/* a bare value becomes a "string": these would change inside it */
			*why = (struct why){x->line, "value with quotes, blanks or a backslash in "
					    "an expansion: cannot edit it safely"};
			free(out);
			return -EINVAL;
		} else {
			a.kind = ASG_BARE;
		}
		grown = realloc(out, (n + 1) * sizeof(*out));
		if (!grown) {
			free(out);
			return -ENOMEM;
		}
		out = grown;
		out[n++] = a;
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

/* Lexes a text; -EINVAL with *why for a syntax error. */
static int lex(const char *s, size_t len, struct vp_shlex *l, struct why *why)
{
	int r = vp_shlex(s, len, l);

	if (r == -EINVAL)
		*why = (struct why){l->err_line, l->err};
	return r;
}

static int push_seg(struct seg **segs, size_t *n, const struct seg *g)
{
	struct seg *t = realloc(*segs, (*n + 1) * sizeof(**segs));

	if (!t)
		return -ENOMEM;
	*segs = t;
	(*segs)[(*n)++] = *g;
	return 0;
}

/* The blanks, newlines and comments of s[i, end) (between an array's words). */
static int split_gap(const char *s, size_t i, size_t end, struct seg **segs, size_t *n)
{
	int r = 0;

	while (r >= 0 && i < end) {
		struct seg g = {.start = i};

		if (s[i] == '\n') {
			g.kind = SEG_NEWLINE;
			i++;
		} else if (s[i] == '#') {
			g.kind = SEG_COMMENT;
			while (i < end && s[i] != '\n')
				i++;
		} else if (s[i] == '\\') {
			/*
			 * A backslash-newline (bash reads it as nothing): kept as
			 * a line end, so that it never goes with our words' blanks.
			 */
			g.kind = SEG_NEWLINE;
			i += 2;
		} else {
			g.kind = SEG_BLANK;
			do
				i++;
			while (i < end && is_blank(s[i]));
		}
		g.end = i < end ? i : end;
		r = push_seg(segs, n, &g);
	}
	return r;
}

/*
 * Splits a value into words, blanks, newlines and comments: an array's
 * words as the lexer found them, a string's fields at blanks and newlines
 * (as mkinitcpio splits the old string syntax).
 */
static int split_value(const char *s, const struct asg *a, struct seg **ret, size_t *ret_n)
{
	struct seg *segs = NULL;
	size_t n = 0, i = a->vstart;
	int r = 0;

	if (a->kind == ASG_ARRAY) {
		for (size_t k = 0; r >= 0 && k < a->lx->n_words; k++) {
			const struct vp_shlex_word *w = &a->lx->words[k];
			struct seg g = {.kind = SEG_WORD, .start = w->start, .end = w->end,
					.text = w->text};

			r = split_gap(s, i, w->start, &segs, &n);
			if (r >= 0)
				r = push_seg(&segs, &n, &g);
			i = w->end;
		}
		if (r >= 0)
			r = split_gap(s, i, a->vend, &segs, &n);
	}
	while (r >= 0 && a->kind != ASG_ARRAY && i < a->vend) {
		struct seg g = {.start = i};

		if (is_blank(s[i])) {
			g.kind = SEG_BLANK;
			while (i < a->vend && is_blank(s[i]))
				i++;
		} else if (s[i] == '\n') {
			g.kind = SEG_NEWLINE;
			i++;
		} else {
			g.kind = SEG_WORD;
			while (i < a->vend && !is_blank(s[i]) && s[i] != '\n')
				i += s[i] == '\\' ? 2 : 1;
			if (i > a->vend)
				i = a->vend;
		}
		g.end = i;
		r = push_seg(&segs, &n, &g);
	}
	if (r < 0) {
		free(segs);
		return r;
	}
	*ret = segs;
	*ret_n = n;
	return 0;
}

/* A word compared as bash would see it: quotes off. */
static bool word_eq(const char *s, const struct seg *g, const char *what)
{
	size_t len = g->end - g->start, n = strlen(what);
	const char *w = s + g->start;

	if (g->text)
		return strcmp(g->text, what) == 0;
	if (len >= 2 && (w[0] == '"' || w[0] == '\'') && w[len - 1] == w[0]) {
		w++;
		len -= 2;
	}
	return len == n && strncmp(w, what, n) == 0;
}

/* vfio_pci, vfio_pci? (any of the five, with or without the optional suffix) */
static bool word_is_vfio(const char *s, const struct seg *g)
{
	for (int m = 0; m < VP_MOD_COUNT; m++) {
		_cleanup_free_ char *opt = vp_strdup_printf("%s?", vp_vfio_mod_names[m]);

		if (word_eq(s, g, vp_vfio_mod_names[m]) || (opt && word_eq(s, g, opt)))
			return true;
	}
	return false;
}

/* Our module words as they go into a value of this kind. */
static char *module_words(const struct vp_strv *list, enum asg_kind kind)
{
	struct vp_buf b = {0};
	int r = 0;

	for (size_t i = 0; r >= 0 && i < list->n; i++) {
		/* quoted in an array: an unquoted "?" is a glob pattern to bash */
		bool q = kind == ASG_ARRAY && strchr(list->v[i], '?');

		r = vp_buf_printf(&b, "%s%s%s%s", i ? " " : "", q ? "'" : "", list->v[i],
				  q ? "'" : "");
	}
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

/*
 * New MODULES value: our words first, then the user's words without any
 * vfio module (a stale vfio_virqfd on a 6.2+ kernel breaks the build).
 * Every other word, blank and comment is kept.
 */
static int edit_modules(const char *s, const struct asg *a, const struct vp_strv *list,
			struct vp_buf *out)
{
	_cleanup_free_ struct seg *segs = NULL;
	_cleanup_free_ char *ours = NULL;
	struct vp_buf rest = {0};
	size_t n = 0;
	int r;

	r = split_value(s, a, &segs, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (segs[i].kind != SEG_WORD || !word_is_vfio(s, &segs[i]))
			continue;
		segs[i].drop = true;
		/* and the blanks after it, or else before it (at the end of a line) */
		if (i + 1 < n && segs[i + 1].kind == SEG_BLANK)
			segs[i + 1].drop = true;
		else if (i > 0 && segs[i - 1].kind == SEG_BLANK)
			segs[i - 1].drop = true;
		/*
		 * A line of a multi-line array left empty goes with its
		 * newline; not the first line, which our words then join.
		 */
		if (i + 1 < n && segs[i + 1].kind == SEG_NEWLINE) {
			size_t k = i;

			while (k > 0 && segs[k - 1].kind != SEG_NEWLINE &&
			       (segs[k - 1].drop || segs[k - 1].kind == SEG_BLANK))
				k--;
			if (k > 0 && segs[k - 1].kind == SEG_NEWLINE) {
				for (size_t j = k; j <= i + 1; j++)
					segs[j].drop = true;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!segs[i].drop) {
			r = vp_buf_add(&rest, s + segs[i].start, segs[i].end - segs[i].start);
			if (r < 0)
				goto out;
		}
	ours = module_words(list, a->kind == ASG_BARE ? ASG_STRING : a->kind);
	if (!ours) {
		r = -ENOMEM;
		goto out;
	}
	/* a bare `MODULES=word` becomes a string so that it can hold several */
	if (a->kind == ASG_BARE)
		r = vp_buf_printf(out, "%s%s%s%s%s", rest.len ? "\"" : "(", ours,
				  rest.len && *ours ? " " : "", rest.len ? rest.s : "",
				  rest.len ? "\"" : ")");
	else {
		/*
		 * Our words, one space, the rest without its leading blanks:
		 * what planning again on the result gives too (it drops our
		 * last word with the blanks after it).
		 */
		size_t skip = 0;

		while (*ours && skip < rest.len && is_blank(rest.s[skip]))
			skip++;
		r = vp_buf_printf(out, "%s%s%s", ours,
				  *ours && skip < rest.len && rest.s[skip] != '\n' ? " " : "",
				  rest.len ? rest.s + skip : "");
	}
out:
	vp_buf_free(&rest);
	return r;
}

/*
 * New HOOKS value: our hook right after base (or systemd), else first.
 * Early hooks (run_earlyhook) all run before MODULES are loaded, so the
 * position does not decide when it runs; after base its busybox is there.
 * Returns 0 with *ret_same when the hook is already listed.
 */
static int edit_hooks(const char *s, const struct asg *a, struct vp_buf *out, bool *ret_same)
{
	_cleanup_free_ struct seg *segs = NULL;
	size_t n = 0, at = SIZE_MAX;
	int r;

	*ret_same = false;
	r = split_value(s, a, &segs, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (segs[i].kind != SEG_WORD)
			continue;
		if (word_eq(s, &segs[i], VP_MKINITCPIO_HOOK)) {
			*ret_same = true;
			return 0;
		}
		if (at == SIZE_MAX && (word_eq(s, &segs[i], "base") || word_eq(s, &segs[i], "systemd")))
			at = segs[i].end;
	}
	if (a->kind == ASG_BARE)
		r = vp_buf_puts(out, "\"");
	if (r >= 0 && at != SIZE_MAX)
		r = vp_buf_printf(out, "%.*s %s%.*s", (int)(at - a->vstart), s + a->vstart,
				  VP_MKINITCPIO_HOOK, (int)(a->vend - at), s + at);
	else if (r >= 0)
		r = vp_buf_printf(out, "%s%s%.*s", VP_MKINITCPIO_HOOK,
				  a->vend > a->vstart && !is_blank(s[a->vstart]) &&
				  s[a->vstart] != '\n' ? " " : "",
				  (int)(a->vend - a->vstart), s + a->vstart);
	if (r >= 0 && a->kind == ASG_BARE)
		r = vp_buf_puts(out, "\"");
	return r;
}

/* The last plain `NAME=` assignment (bash: the last one wins), or NULL. */
static const struct asg *last_set(const struct asg *v, size_t n)
{
	for (size_t i = n; i > 0; i--)
		if (!v[i - 1].append)
			return &v[i - 1];
	return NULL;
}

/*
 * Collects the HOOKS words one config text leaves (a `HOOKS=` resets them,
 * `HOOKS+=` adds). Returns 0, or -EINVAL with *why.
 */
static int hooks_words(const char *s, size_t len, struct vp_strv *hooks, struct why *why)
{
	_cleanup_free_ struct asg *v = NULL;
	struct vp_shlex l;
	size_t n = 0;
	int r;

	r = lex(s, len, &l, why);
	if (r >= 0)
		r = find_asg(s, &l, "HOOKS", &v, &n, why);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_free_ struct seg *segs = NULL;
		size_t ns = 0;

		if (!v[i].append)
			vp_strv_free(hooks);
		r = split_value(s, &v[i], &segs, &ns);
		for (size_t k = 0; r >= 0 && k < ns; k++) {
			const char *w = s + segs[k].start;
			size_t wl = segs[k].end - segs[k].start;

			if (segs[k].kind != SEG_WORD)
				continue;
			if (segs[k].text) {
				w = segs[k].text;
				wl = strlen(w);
			} else if (wl >= 2 && (w[0] == '"' || w[0] == '\'') && w[wl - 1] == w[0]) {
				w++;
				wl -= 2;
			}
			r = vp_strv_push_take(hooks, strndup(w, wl));
		}
	}
	vp_shlex_free(&l);
	return r;
}

static int bad_syntax(struct vp_plan *plan, const char *path, const struct why *why)
{
	return vp_plan_msg(plan, VP_MSG_REFUSE, "'%s':%u: %s; fix the file by hand", path,
			   why->line, why->what);
}

static bool is_conf_dropin(const char *path)
{
	size_t n = strlen(path), d = strlen(VP_MKINITCPIO_DROPIN_DIR);

	return vp_startswith(path, VP_MKINITCPIO_DROPIN_DIR) && n > d + 5 &&
	       strcmp(path + n - 5, ".conf") == 0 && !strchr(path + d, '/');
}

/*
 * Warns when the HOOKS that mkinitcpio ends up with (main file, then the
 * other drop-ins in name order) lack modconf: /etc/modprobe.d (vfio-pci
 * ids, softdeps) would not reach the image.
 */
static int check_modconf(const struct vp_system *sys, const char *main_text, size_t main_len,
			 bool dropins, struct vp_plan *plan)
{
	struct vp_strv hooks = {0}, names = {0};
	struct why why = {0};
	int r = 0;

	if (main_text) {
		r = hooks_words(main_text, main_len, &hooks, &why);
		if (r == -EINVAL) /* reported by the caller */
			r = 0;
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; dropins && i < sys->n_files; i++)
		if (sys->files[i].content && is_conf_dropin(sys->files[i].path) &&
		    strcmp(sys->files[i].path, VP_MKINITCPIO_DROPIN) != 0) {
			r = vp_strv_push(&names, sys->files[i].path);
			if (r < 0)
				goto out;
		}
	vp_strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		const struct vp_file *f = vp_system_file(sys, names.v[i]);

		r = hooks_words(f->content, f->len, &hooks, &why);
		if (r == -EINVAL) {
			r = bad_syntax(plan, names.v[i], &why);
			goto out;
		}
		if (r < 0)
			goto out;
	}
	if (!vp_strv_contains(&hooks, "modconf"))
		r = vp_plan_msg(plan, VP_MSG_WARN,
				"mkinitcpio: HOOKS has no modconf: /etc/modprobe.d (vfio-pci "
				"options, softdeps) will not be in the image; add modconf to "
				"HOOKS in %s", VP_MKINITCPIO_CONF);
out:
	vp_strv_free(&hooks);
	vp_strv_free(&names);
	return r;
}

static int plan_dropin(const struct vp_initramfs_ctx *c, struct vp_plan *plan)
{
	struct vp_buf b = {0};
	_cleanup_free_ char *ours = module_words(&c->list, ASG_ARRAY);
	int r;

	if (!ours)
		return -ENOMEM;
	r = vp_buf_printf(&b, "%s\n" VP_EDITS_NOTE "# Sourced by mkinitcpio after %s.\n",
			  VP_MANAGED_HEADER,
			  VP_MKINITCPIO_CONF);
	if (r >= 0 && c->list.n)
		r = vp_buf_printf(&b,
			"# vfio modules first, so that vfio-pci claims the GPU before a GPU driver\n"
			"# listed for early KMS; a module ending in \"?\" is one that some installed\n"
			"# kernel lacks (mkinitcpio skips it there). A string MODULES is split first.\n"
			"[[ ${MODULES@a} == *a* ]] || read -ra MODULES <<<\"${MODULES-}\"\n"
			"MODULES=(%s \"${MODULES[@]}\")\n", ours);
	if (r >= 0)
		r = vp_buf_printf(&b,
			"# Our early hook right after base (or systemd), else first. Early hooks\n"
			"# run before any module loads wherever they are; after base, busybox is there.\n"
			"[[ ${HOOKS@a} == *a* ]] || read -ra HOOKS <<<\"${HOOKS-}\"\n"
			"_vfio_provision_hooks=()\n"
			"_vfio_provision_added=\n"
			"for _vfio_provision_h in \"${HOOKS[@]}\"; do\n"
			"\t[[ $_vfio_provision_h == %s ]] && continue\n"
			"\t_vfio_provision_hooks+=(\"$_vfio_provision_h\")\n"
			"\tif [[ -z $_vfio_provision_added && ( $_vfio_provision_h == base ||\n"
			"\t\t$_vfio_provision_h == systemd ) ]]; then\n"
			"\t\t_vfio_provision_hooks+=(%s)\n"
			"\t\t_vfio_provision_added=1\n"
			"\tfi\n"
			"done\n"
			"[[ $_vfio_provision_added ]] ||\n"
			"\t_vfio_provision_hooks=(%s \"${_vfio_provision_hooks[@]}\")\n"
			"HOOKS=(\"${_vfio_provision_hooks[@]}\")\n"
			"unset _vfio_provision_h _vfio_provision_hooks _vfio_provision_added\n",
			VP_MKINITCPIO_HOOK, VP_MKINITCPIO_HOOK, VP_MKINITCPIO_HOOK);
	if (r < 0) {
		vp_buf_free(&b);
		return r;
	}
	return vp_plan_add_file(plan, VP_MKINITCPIO_DROPIN, vp_buf_steal(&b), 0644, true,
				"mkinitcpio: vfio modules first in MODULES, the vfio-provision "
				"early hook in HOOKS");
}

/* Replaces [start, end) of *text with repl. */
static int splice(char **text, size_t *len, size_t start, size_t end, const char *repl,
		  size_t repl_len)
{
	struct vp_buf b = {0};
	int r;

	r = vp_buf_add(&b, *text, start);
	if (r >= 0)
		r = vp_buf_add(&b, repl, repl_len);
	if (r >= 0)
		r = vp_buf_add(&b, *text + end, *len - end);
	if (r < 0) {
		vp_buf_free(&b);
		return r;
	}
	free(*text);
	*len = b.len;
	*text = vp_buf_steal(&b);
	return 0;
}

/* Appends a line to *text, as a command of its own. */
static int append_line(char **text, size_t *len, const char *line)
{
	_cleanup_free_ char *add = vp_strdup_printf("%s%s\n", vp_shlex_line_sep(*text, *len), line);

	if (!add)
		return -ENOMEM;
	return splice(text, len, *len, *len, add, strlen(add));
}

/*
 * The assignment of name that an edit in place changes: the last plain one
 * (*ret_found false when none). Its words stay in *l (free it in every
 * case). -EINVAL with *why when the text cannot be read or that value
 * cannot be edited safely.
 */
static int edited_asg(const char *s, size_t len, const char *name, struct vp_shlex *l,
		      struct asg *ret, bool *ret_found, struct why *why)
{
	_cleanup_free_ struct asg *v = NULL;
	const struct asg *a;
	size_t n = 0;
	int r;

	*ret_found = false;
	r = lex(s, len, l, why);
	if (r >= 0)
		r = find_asg(s, l, name, &v, &n, why);
	if (r < 0)
		return r;
	a = last_set(v, n);
	if (!a)
		return 0;
	if (a->flags & VP_SHLEX_CMDSUB) {
		*why = (struct why){a->line_no, "value built by a command ($( ) or backquotes): "
				    "cannot edit it safely"};
		return -EINVAL;
	}
	*ret = *a;
	*ret_found = true;
	return 0;
}

static int plan_in_place(const struct vp_initramfs_ctx *c, const struct vp_file *f,
			 struct vp_plan *plan)
{
	struct vp_shlex l = {0};
	struct asg a;
	struct why why = {0};
	char *text = NULL;
	size_t len = f->len;
	bool found, same;
	int r;

	text = malloc(len + 1);
	if (!text)
		return -ENOMEM;
	memcpy(text, f->content, len);
	text[len] = '\0';

	/* MODULES */
	r = edited_asg(text, len, "MODULES", &l, &a, &found, &why);
	if (r == -EINVAL) {
		r = bad_syntax(plan, VP_MKINITCPIO_CONF, &why);
		goto out;
	}
	if (r < 0)
		goto out;
	if (found) {
		struct vp_buf val = {0};

		r = edit_modules(text, &a, &c->list, &val);
		if (r >= 0)
			r = splice(&text, &len, a.vstart, a.vend, val.s ? val.s : "", val.len);
		vp_buf_free(&val);
	} else if (c->list.n) {
		_cleanup_free_ char *ours = module_words(&c->list, ASG_ARRAY);
		_cleanup_free_ char *line = ours ? vp_strdup_printf("MODULES=(%s)", ours) : NULL;

		r = line ? append_line(&text, &len, line) : -ENOMEM;
	}
	vp_shlex_free(&l);
	if (r < 0)
		goto out;

	/* HOOKS, on the text as edited so far */
	r = edited_asg(text, len, "HOOKS", &l, &a, &found, &why);
	if (r == -EINVAL) {
		r = bad_syntax(plan, VP_MKINITCPIO_CONF, &why);
		goto out;
	}
	if (r < 0)
		goto out;
	if (!found) {
		r = vp_plan_msg(plan, VP_MSG_WARN,
				"mkinitcpio: '%s' has no HOOKS= line: the %s early hook is not "
				"added", VP_MKINITCPIO_CONF, VP_MKINITCPIO_HOOK);
	} else {
		struct vp_buf val = {0};

		r = edit_hooks(text, &a, &val, &same);
		if (r >= 0 && !same)
			r = splice(&text, &len, a.vstart, a.vend, val.s ? val.s : "", val.len);
		vp_buf_free(&val);
	}
	if (r < 0)
		goto out;

	r = check_modconf(c->sys, text, len, false, plan);
	if (r < 0)
		goto out;
	r = vp_plan_add_file(plan, VP_MKINITCPIO_CONF, text, f->mode ? f->mode : 0644, false,
			     "mkinitcpio (no mkinitcpio.conf.d): vfio modules first in MODULES, "
			     "the vfio-provision early hook in HOOKS");
	text = NULL;
out:
	vp_shlex_free(&l);
	free(text);
	return r;
}

int vp_plan_mkinitcpio(const struct vp_initramfs_ctx *c, struct vp_plan *plan, char **ret_msg)
{
	const struct vp_file *dir = vp_system_file(c->sys, VP_MKINITCPIO_DROPIN_DIR);
	const struct vp_file *conf = vp_system_file(c->sys, VP_MKINITCPIO_CONF);
	int r;

	(void)ret_msg;
	if (dir && dir->content) {
		r = plan_dropin(c, plan);
		if (r >= 0)
			r = check_modconf(c->sys, conf ? conf->content : NULL,
					  conf ? conf->len : 0, true, plan);
	} else if (conf && conf->content) {
		r = plan_in_place(c, conf, plan);
	} else {
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "mkinitcpio: neither '%s' nor '%s' exists: nothing to configure",
				   VP_MKINITCPIO_CONF, VP_MKINITCPIO_DROPIN_DIR);
	}
	if (r < 0)
		return r;
	return vp_regen_initramfs(c->sys, c->gen, plan);
}
