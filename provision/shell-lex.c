// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one shell lexer for the config texts we edit (see shell-lex.h). Pure.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "shell-lex.h"
#include "vp.h"

struct lx {
	const char *s;
	size_t len, i;
	unsigned line;          /* of s[i] */
	unsigned stmt_line;     /* where the statement being read starts */
	const char *err;
};

static const char E_SQ[] = "unterminated ' quote";
static const char E_DQ[] = "unterminated \" quote";
static const char E_CMD[] = "unterminated $( command substitution";
static const char E_BQ[] = "unterminated ` command substitution";
static const char E_PARAM[] = "unterminated ${ expansion";
static const char E_ARRAY[] = "unterminated array";
static const char E_HEREDOC[] = "unterminated here-document";
static const char E_SUBSHELL[] = "unclosed ( subshell";
static const char E_GROUP[] = "unclosed { group";
static const char E_COMPOUND[] = "unclosed if, while, until, for, case or select";

static char peek(const struct lx *x, size_t k)
{
	return x->i + k < x->len ? x->s[x->i + k] : '\0';
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Ends a word unquoted (NUL: the end of the text). */
static bool is_meta(char c)
{
	return c == '\0' || strchr(" \t\n;&|()<>", c) != NULL;
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

static int fail(struct lx *x, const char *what)
{
	x->err = what;
	return -EINVAL;
}

/* One character on; counts lines. */
static void step(struct lx *x)
{
	if (x->s[x->i] == '\n')
		x->line++;
	x->i++;
}

static int skip_group(struct lx *x, char close, const char *what);

/* At $( ${ or a backquote: skips it whole and returns 1; 0 at anything else. */
static int skip_nested(struct lx *x)
{
	char c = x->s[x->i], n = peek(x, 1);
	bool bq = c == '`';
	int r;

	if (!bq && !(c == '$' && (n == '(' || n == '{')))
		return 0;
	x->i += bq ? 1 : 2;
	r = skip_group(x, bq ? '`' : n == '(' ? ')' : '}', bq ? E_BQ : n == '(' ? E_CMD : E_PARAM);
	return r < 0 ? r : 1;
}

/* Skips "..." from its opening quote, expansions inside it included. */
static int skip_dq(struct lx *x)
{
	int r;

	step(x);
	while (x->i < x->len) {
		char c = x->s[x->i];

		if (c == '"') {
			step(x);
			return 0;
		}
		if (c == '\\' && x->i + 1 < x->len) {
			step(x);
			step(x);
			continue;
		}
		r = skip_nested(x);
		if (r < 0)
			return r;
		if (!r)
			step(x);
	}
	return fail(x, E_DQ);
}

/*
 * Skips the inside of $( ), ${ } or ` ` (x->i just after the opener) and
 * its closer, quotes and nested groups included; never runs anything.
 */
static int skip_group(struct lx *x, char close, const char *what)
{
	unsigned depth = 0;
	int r;

	while (x->i < x->len) {
		char c = x->s[x->i];

		if (c == '\\') {
			step(x);
			if (x->i < x->len)
				step(x);
			continue;
		}
		if (c == close && depth == 0) {
			step(x);
			return 0;
		}
		if (close != '`' && c == '\'') {
			step(x);
			while (x->i < x->len && x->s[x->i] != '\'')
				step(x);
			if (x->i >= x->len)
				return fail(x, E_SQ);
			step(x);
			continue;
		}
		if (close != '`' && c == '"') {
			r = skip_dq(x);
			if (r < 0)
				return r;
			continue;
		}
		if (close != '`') {
			r = skip_nested(x);
			if (r < 0)
				return r;
			if (r)
				continue;
		}
		if (close == ')' && c == '(')
			depth++;
		else if (close == ')' && c == ')')
			depth--;
		step(x);
	}
	return fail(x, what);
}

static int push_exp(struct vp_shlex_word *w, const struct vp_shlex_exp *e)
{
	struct vp_shlex_exp *t = realloc(w->exp, (w->n_exp + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	w->exp = t;
	w->exp[w->n_exp++] = *e;
	return 0;
}

/*
 * An expansion at x->i ($ or backquote): kept as written in the text.
 * A $ that starts none is a plain character.
 */
static int lex_exp(struct lx *x, bool quoted, struct vp_shlex_word *w, struct vp_buf *b)
{
	struct vp_shlex_exp e = {.start = x->i, .quoted = quoted};
	char n = peek(x, 1);
	int r = 0;

	if (x->s[x->i] == '`') {
		e.kind = VP_SHLEX_CMD;
		x->i++;
		r = skip_group(x, '`', E_BQ);
	} else if (n == '(') {
		e.kind = peek(x, 2) == '(' ? VP_SHLEX_ARITH : VP_SHLEX_CMD;
		x->i += 2;
		r = skip_group(x, ')', E_CMD);
	} else if (n == '{') {
		size_t k = x->i + 2;

		while (k < x->len && name_char(x->s[k]))
			k++;
		e.kind = k > x->i + 2 && k < x->len && x->s[k] == '}' && name_start(x->s[x->i + 2]) ?
			 VP_SHLEX_VAR : VP_SHLEX_PARAM;
		e.name = x->i + 2;
		e.name_len = e.kind == VP_SHLEX_VAR ? k - e.name : 0;
		x->i += 2;
		r = skip_group(x, '}', E_PARAM);
	} else if (name_start(n)) {
		e.kind = VP_SHLEX_VAR;
		x->i++;
		e.name = x->i;
		while (x->i < x->len && name_char(x->s[x->i]))
			x->i++;
		e.name_len = x->i - e.name;
	} else if (n && strchr("0123456789@*#?$!-", n)) {
		e.kind = VP_SHLEX_PARAM;
		x->i += 2;
	} else if (!quoted && n == '\'') {
		/* $'...': backslash escapes inside */
		e.kind = VP_SHLEX_ANSI;
		x->i += 2;
		while (x->i < x->len && x->s[x->i] != '\'') {
			if (x->s[x->i] == '\\' && x->i + 1 < x->len)
				step(x);
			step(x);
		}
		if (x->i >= x->len)
			return fail(x, E_SQ);
		x->i++;
	} else if (!quoted && n == '"') {
		e.kind = VP_SHLEX_ANSI;
		x->i++;
		r = skip_dq(x);
	} else {
		x->i++;
		return vp_buf_add(b, "$", 1);
	}
	if (r < 0)
		return r;
	e.end = x->i;
	w->flags |= VP_SHLEX_EXPAND | (e.kind == VP_SHLEX_CMD ? VP_SHLEX_CMDSUB : 0);
	r = vp_buf_add(b, x->s + e.start, e.end - e.start);
	return r < 0 ? r : push_exp(w, &e);
}

/* The inside of "..." (x->i on the opening quote) into b. */
static int lex_dq(struct lx *x, struct vp_shlex_word *w, struct vp_buf *b)
{
	int r = 0;

	w->flags |= VP_SHLEX_DQUOTE;
	x->i++;
	while (r >= 0) {
		char c = peek(x, 0);

		if (x->i >= x->len)
			return fail(x, E_DQ);
		if (c == '"') {
			x->i++;
			return 0;
		}
		if (c == '\\' && peek(x, 1) == '\n') {
			w->flags |= VP_SHLEX_CONT;
			step(x);
			step(x);
		} else if (c == '\\' && peek(x, 1) && strchr("$`\"\\", peek(x, 1))) {
			r = vp_buf_add(b, x->s + x->i + 1, 1);
			x->i += 2;
		} else if (c == '$' || c == '`') {
			r = lex_exp(x, true, w, b);
		} else {
			if (c == '\n')
				w->flags |= VP_SHLEX_NEWLINE;
			r = vp_buf_add(b, &c, 1);
			step(x);
		}
	}
	return r;
}

static void word_free(struct vp_shlex_word *w)
{
	free(w->text);
	free(w->exp);
	*w = (struct vp_shlex_word){0};
}

/* One word from x->i to the first unquoted blank or operator. */
static int lex_word(struct lx *x, struct vp_shlex_word *w)
{
	struct vp_buf b = {0};
	unsigned quoted_parts = 0;
	bool plain = false;     /* anything outside quotes */
	char q = 0;
	int r = vp_buf_puts(&b, "");

	*w = (struct vp_shlex_word){.start = x->i, .line = x->line};
	while (r >= 0 && !is_meta(peek(x, 0))) {
		char c = x->s[x->i];

		if (c == '\\') {
			plain = true;
			if (x->i + 1 >= x->len) {
				/* a backslash at the very end: nothing to continue */
				w->flags |= VP_SHLEX_CONT;
				x->i++;
			} else if (peek(x, 1) == '\n') {
				w->flags |= VP_SHLEX_CONT;
				step(x);
				step(x);
			} else {
				w->flags |= VP_SHLEX_ESCAPE;
				r = vp_buf_add(&b, x->s + x->i + 1, 1);
				x->i += 2;
			}
		} else if (c == '\'') {
			size_t e = x->i + 1;

			w->flags |= VP_SHLEX_SQUOTE;
			quoted_parts++;
			q = c;
			while (e < x->len && x->s[e] != '\'')
				e++;
			if (e >= x->len) {
				r = fail(x, E_SQ);
				break;
			}
			r = vp_buf_add(&b, x->s + x->i + 1, e - x->i - 1);
			if (memchr(x->s + x->i, '\n', e - x->i))
				w->flags |= VP_SHLEX_NEWLINE;
			while (x->i <= e)
				step(x);
		} else if (c == '"') {
			quoted_parts++;
			q = c;
			r = lex_dq(x, w, &b);
		} else if (c == '$' || c == '`') {
			plain = true;
			r = lex_exp(x, false, w, &b);
		} else {
			plain = true;
			r = vp_buf_add(&b, &c, 1);
			x->i++;
		}
	}
	if (r < 0) {
		vp_buf_free(&b);
		word_free(w);
		return r;
	}
	w->end = x->i;
	w->quote = quoted_parts == 1 && !plain ? q : 0;
	w->text = vp_buf_steal(&b);
	return 0;
}

static int push_word(struct vp_shlex_asg *a, struct vp_shlex_word *w)
{
	struct vp_shlex_word *t = realloc(a->words, (a->n_words + 1) * sizeof(*t));

	if (!t) {
		word_free(w);
		return -ENOMEM;
	}
	a->words = t;
	a->words[a->n_words++] = *w;
	a->flags |= w->flags;
	return 0;
}

/* The body of an array, x->i just after its '(', to after its ')'. */
static int lex_array(struct lx *x, struct vp_shlex_asg *a)
{
	int r;

	a->vstart = x->i;
	for (;;) {
		char c = peek(x, 0);
		struct vp_shlex_word w;

		if (x->i >= x->len)
			return fail(x, E_ARRAY);
		if (is_blank(c) || c == '\n') {
			step(x);
		} else if (c == '\\' && peek(x, 1) == '\n') {
			a->flags |= VP_SHLEX_CONT;
			step(x);
			step(x);
		} else if (c == '#') {
			while (x->i < x->len && x->s[x->i] != '\n')
				x->i++;
		} else if (c == ')') {
			a->vend = x->i++;
			return 0;
		} else if (is_meta(c)) {
			/* bash: a syntax error; most likely a ')' left out */
			return fail(x, E_ARRAY);
		} else {
			r = lex_word(x, &w);
			if (r >= 0)
				r = push_word(a, &w);
			if (r < 0)
				return r;
		}
	}
}

static void asg_free(struct vp_shlex_asg *a)
{
	for (size_t i = 0; i < a->n_words; i++)
		word_free(&a->words[i]);
	free(a->words);
	*a = (struct vp_shlex_asg){0};
}

/* NAME=value or NAME+=value at x->i (the name ends at name_end). */
static int lex_asg(struct lx *x, size_t name_end, size_t start, bool exported,
		   bool continued, unsigned ctx, struct vp_shlex *out)
{
	struct vp_shlex_asg a = {.name = x->i, .name_len = name_end - x->i, .line = x->line,
				 .start = start, .exported = exported, .continued = continued,
				 .ctx = ctx};
	struct vp_shlex_asg *t;
	int r;

	a.append = x->s[name_end] == '+';
	x->i = name_end + (a.append ? 2 : 1);
	if (peek(x, 0) == '(') {
		a.array = true;
		x->i++;
		r = lex_array(x, &a);
	} else {
		struct vp_shlex_word w;

		r = lex_word(x, &w);
		if (r >= 0) {
			a.vstart = w.start;
			a.vend = w.end;
			r = push_word(&a, &w);
		}
	}
	if (r < 0)
		goto fail;
	a.end = x->i;
	t = realloc(out->asg, (out->n_asg + 1) * sizeof(*t));
	if (!t) {
		r = -ENOMEM;
		goto fail;
	}
	out->asg = t;
	out->asg[out->n_asg++] = a;
	return 0;
fail:
	asg_free(&a);
	return r;
}

/* A reserved word after which a command starts (its text, unquoted). */
static bool keeps_command(const struct vp_shlex_word *w)
{
	static const char *const kw[] = {"then", "do", "else", "elif", "if", "while",
					 "until", "{", "!", "time"};

	if (w->flags)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(kw); i++)
		if (strcmp(w->text, kw[i]) == 0)
			return true;
	return false;
}

/*
 * A here-document operator << or <<- at x->i: its delimiter word (quotes
 * removed) goes on pending, its first byte '-' for <<- (leading tabs of the
 * body's lines do not count), else ' '.
 */
static int heredoc_op(struct lx *x, struct vp_strv *pending)
{
	struct vp_shlex_word w;
	bool strip;
	int r;

	x->i += 2;
	strip = peek(x, 0) == '-';
	x->i += strip;
	while (is_blank(peek(x, 0)))
		x->i++;
	if (is_meta(peek(x, 0)))
		return 0;       /* no word: bash's syntax error, not ours to read */
	r = lex_word(x, &w);
	if (r < 0)
		return r;
	r = vp_strv_push_take(pending, vp_strdup_printf("%c%s", strip ? '-' : ' ', w.text));
	word_free(&w);
	return r;
}

/*
 * After the newline that ends their command: skips the here-documents'
 * bodies, each up to its delimiter's line. One that the end of the text
 * closes (bash warns) is an error: a line appended to the text would go
 * into it.
 */
static int skip_heredocs(struct lx *x, struct vp_strv *pending)
{
	for (size_t k = 0; k < pending->n; k++) {
		const char *d = pending->v[k] + 1;
		bool strip = pending->v[k][0] == '-', end = false;

		while (!end) {
			if (x->i >= x->len)
				return fail(x, E_HEREDOC);
			size_t b = x->i, e = b;

			while (e < x->len && x->s[e] != '\n')
				e++;
			while (strip && b < e && x->s[b] == '\t')
				b++;
			end = e - b == strlen(d) && strncmp(x->s + b, d, e - b) == 0;
			x->i = e;
			if (x->i < x->len)
				step(x);
		}
	}
	vp_strv_free(pending);
	return 0;
}

void vp_shlex_free(struct vp_shlex *l)
{
	for (size_t i = 0; i < l->n_asg; i++)
		asg_free(&l->asg[i]);
	free(l->asg);
	l->asg = NULL;
	l->n_asg = 0;
}

/*
 * The compound commands around the text being read: what each means for
 * an assignment inside it (a VP_SHLEX_IN_* flag), innermost last.
 */
#define NEST_MAX 64

struct nest {
	unsigned flag[NEST_MAX];
	char kind[NEST_MAX];    /* 'c' if/while/until/for/case, 'g' { }, 's' ( ) */
	unsigned line[NEST_MAX]; /* where each opened (the shell refuses a file that leaves one open) */
	size_t depth;           /* may exceed NEST_MAX: the deepest levels then count as 'c' */
	unsigned ctx;           /* the union of the flags */
	bool func;              /* "name ()" or "function name" read: the next body is a function's */
};

static void nest_update(struct nest *n)
{
	n->ctx = 0;
	for (size_t i = 0; i < n->depth && i < NEST_MAX; i++)
		n->ctx |= n->flag[i];
	if (n->depth > NEST_MAX)
		n->ctx |= VP_SHLEX_IN_CONDITION;
}

static void nest_push(struct nest *n, char kind, unsigned flag, unsigned line)
{
	if (n->depth < NEST_MAX) {
		n->kind[n->depth] = kind;
		n->flag[n->depth] = flag;
		n->line[n->depth] = line;
	}
	n->depth++;
	nest_update(n);
}

/* Closes the innermost compound of that kind (a stray closer changes nothing). */
static void nest_pop(struct nest *n, char kind)
{
	if (!n->depth || (n->depth <= NEST_MAX && n->kind[n->depth - 1] != kind))
		return;
	n->depth--;
	nest_update(n);
}

/* A reserved word at the start of a command: opens or closes a compound. */
static void nest_word(struct nest *n, const struct vp_shlex_word *w, unsigned line)
{
	static const char *const opens[] = {"if", "while", "until", "for", "case", "select"};
	static const char *const closes[] = {"fi", "done", "esac"};

	if (w->flags)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(opens); i++)
		if (strcmp(w->text, opens[i]) == 0)
			return nest_push(n, 'c', VP_SHLEX_IN_CONDITION, line);
	for (size_t i = 0; i < ARRAY_SIZE(closes); i++)
		if (strcmp(w->text, closes[i]) == 0)
			return nest_pop(n, 'c');
	if (strcmp(w->text, "{") == 0) {
		nest_push(n, 'g', n->func ? VP_SHLEX_IN_FUNCTION : 0, line);
		n->func = false;
	} else if (strcmp(w->text, "}") == 0) {
		nest_pop(n, 'g');
	} else if (strcmp(w->text, "function") == 0) {
		n->func = true;
	}
}

/* Is the word a plain name ("name" of "name ()")? */
static bool plain_name(const struct vp_shlex_word *w)
{
	if (w->flags || !name_start(w->text[0]))
		return false;
	for (const char *p = w->text; *p; p++)
		if (!name_char(*p))
			return false;
	return true;
}

int vp_shlex(const char *s, size_t len, struct vp_shlex *ret)
{
	struct lx x = {.s = s, .len = s ? strnlen(s, len) : 0, .line = 1, .stmt_line = 1};
	bool cmd = true, exported = false, continued = false, in_stmt = false, named = false;
	struct vp_strv heredocs = {0};  /* delimiters of the here-documents to skip */
	size_t export_start = SIZE_MAX, cmd_asg = 0, list_asg = 0;
	struct nest nest = {0};
	unsigned list_ctx = 0;          /* after && || | &, until the end of the list */
	int r = 0;

	*ret = (struct vp_shlex){0};
	while (x.i < x.len) {
		char c = x.s[x.i];
		struct vp_shlex_word w;

		if (is_blank(c)) {
			x.i++;
			continue;
		}
		if (c == '\\' && peek(&x, 1) == '\n') {
			continued = true;
			step(&x);
			step(&x);
			continue;
		}
		if (c == '\n' || c == ';') {
			step(&x);
			if (c == '\n' && heredocs.n && (r = skip_heredocs(&x, &heredocs)) < 0)
				goto fail;
			cmd = true;
			exported = continued = in_stmt = named = false;
			list_ctx = 0;
			cmd_asg = list_asg = ret->n_asg;
			continue;
		}
		if (c == '#') {
			while (x.i < x.len && x.s[x.i] != '\n')
				x.i++;
			continue;
		}
		if (!in_stmt) {
			in_stmt = true;
			x.stmt_line = x.line;
		}
		if (c == '<' && peek(&x, 1) == '<') {
			/* <<< (a here-string: a word follows) or a here-document */
			if (peek(&x, 2) == '<')
				x.i += 3;
			else if ((r = heredoc_op(&x, &heredocs)) < 0)
				goto fail;
			cmd = exported = false;
			continue;
		}
		if (c == '(' && named && !cmd) {
			/* "name ( )": a function definition; its body comes next */
			size_t k = x.i + 1;

			while (k < x.len && is_blank(x.s[k]))
				k++;
			if (k < x.len && x.s[k] == ')') {
				x.i = k + 1;
				nest.func = true;
				cmd = true;
				named = false;
				continue;
			}
		}
		if (is_meta(c)) {
			/* && || | & ( ): another command starts, not in this shell's plain flow */
			bool two = (c == '&' || c == '|') && peek(&x, 1) == c;

			if (c == '&' && two)
				list_ctx |= VP_SHLEX_IN_CONDITION | VP_SHLEX_AFTER_AND_OR;
			else if (c == '|' && two)
				list_ctx |= VP_SHLEX_IN_CONDITION | VP_SHLEX_AFTER_AND_OR;
			else if (c == '|' || c == '&')
				list_ctx |= VP_SHLEX_IN_SUBSHELL;
			/* the command before a pipe, the list before &: subshells too */
			for (size_t k = c == '&' && !two ? list_asg : cmd_asg;
			     !two && (c == '|' || c == '&') && k < ret->n_asg; k++)
				ret->asg[k].ctx |= VP_SHLEX_IN_SUBSHELL;
			if (c == '(' && cmd) {
				nest_push(&nest, 's', VP_SHLEX_IN_SUBSHELL, x.line);
				nest.func = false;
			}
			else if (c == ')')
				nest_pop(&nest, 's');
			x.i += two ? 2 : 1;
			cmd = c == '&' || c == '|' || c == '(';
			exported = named = false;
			cmd_asg = ret->n_asg;
			continue;
		}
		if (cmd && name_start(c)) {
			size_t k = x.i;

			while (k < x.len && name_char(x.s[k]))
				k++;
			if (k < x.len && (x.s[k] == '=' || (x.s[k] == '+' && k + 1 < x.len &&
							   x.s[k + 1] == '='))) {
				/* the first one after export spans it too */
				r = lex_asg(&x, k, exported && export_start != SIZE_MAX ? export_start : x.i,
					    exported, continued, nest.ctx | list_ctx, ret);
				if (r < 0)
					goto fail;
				export_start = SIZE_MAX;
				continue;
			}
		}
		r = lex_word(&x, &w);
		if (r < 0)
			goto fail;
		if (nest.func && !w.flags && strcmp(w.text, "{") == 0) {
			/* "function name {" or "name () {": the body */
			nest_word(&nest, &w, x.stmt_line);
			cmd = true;
		} else if (cmd && !exported && !w.flags && strcmp(w.text, "export") == 0) {
			exported = true;
			export_start = w.start;
		} else if (cmd && !exported && keeps_command(&w)) {
			nest_word(&nest, &w, x.stmt_line);
		} else if (cmd && !exported) {
			nest_word(&nest, &w, x.stmt_line);
			/* a command name: the assignments before it were its environment */
			for (size_t k = cmd_asg; k < ret->n_asg; k++)
				ret->asg[k].ctx |= VP_SHLEX_PREFIX;
			named = ret->n_asg == cmd_asg && plain_name(&w) && !nest.func;
			cmd = false;
		} else {
			named = false;
		}
		word_free(&w);
	}
	if (heredocs.n) {
		/* the text ends on the here-document's command line */
		r = fail(&x, E_HEREDOC);
		goto fail;
	}
	if (nest.depth) {
		/* bash: "syntax error: unexpected end of file"; the line is where it opened */
		size_t k = nest.depth <= NEST_MAX ? nest.depth - 1 : NEST_MAX - 1;
		char kind = nest.depth <= NEST_MAX ? nest.kind[k] : 'c';

		x.stmt_line = nest.line[k];
		r = fail(&x, kind == 's' ? E_SUBSHELL : kind == 'g' ? E_GROUP : E_COMPOUND);
		goto fail;
	}
	return 0;
fail:
	vp_strv_free(&heredocs);
	vp_shlex_free(ret);
	if (r == -EINVAL) {
		ret->err = x.err;
		ret->err_line = x.stmt_line;
	}
	return r;
}

const char *vp_shlex_ctx_why(const struct vp_shlex_asg *a)
{
	if (a->ctx & VP_SHLEX_IN_FUNCTION)
		return "it is inside a function's body, which runs only when the function is called";
	if (a->ctx & VP_SHLEX_IN_SUBSHELL)
		return "it runs in a subshell (parentheses, a pipeline or a background job), "
		       "whose variables never reach the shell that reads the file";
	if (a->ctx & VP_SHLEX_IN_CONDITION)
		return "it is inside a condition (if, while, for, case, && or ||) and runs only "
		       "when that holds";
	if (a->ctx & VP_SHLEX_PREFIX)
		return "it is the prefix of a command (VAR=... command), which sets that "
		       "command's environment, not the shell's variable";
	return NULL;
}

bool vp_shlex_is(const char *s, const struct vp_shlex_asg *a, const char *name)
{
	return a->name_len == strlen(name) && strncmp(s + a->name, name, a->name_len) == 0;
}

const char *vp_shlex_line_sep(const char *s, size_t len)
{
	len = s ? strnlen(s, len) : 0;
	if (len && s[len - 1] == '\\')
		return "\n\n";
	if (len >= 2 && s[len - 1] == '\n' && s[len - 2] == '\\')
		return "\n";
	return len && s[len - 1] != '\n' ? "\n" : "";
}
