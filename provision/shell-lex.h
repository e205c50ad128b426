/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one shell lexer: reads a POSIX-sh/bash config text (mkinitcpio.conf
 * and its drop-ins, /etc/default/grub and grub.d) as the shell would and
 * gives the variable assignments it holds. Pure: no I/O.
 *
 * Read as the shell reads: comments, '...', "...", backslashes, line
 * continuations, $NAME/${...}/$(...)/$((...))/backquotes (skipped whole,
 * never run), arrays NAME=( ... ), `;`, `&&`, `||`, `|`, `&`, ( ), < and >.
 *
 * An assignment is reported where it is one for the shell: at the start
 * of a command (start of a line, after `;`, `&&`, `||`, `|`, `&` or `(`,
 * after `export`, after then/do/else/{ ...), also several on one line;
 * assignment words that are arguments of a command are not. Each one says
 * where it stands (ctx): only one with ctx 0 sets a variable of the shell
 * that reads the file, every time it reads it. A function's body, a
 * condition's branches (if, while, until, for, case, && and ||), a
 * subshell, a pipeline or a background job, and a prefix of a command
 * (`VAR=x cmd` sets cmd's environment only) are told apart.
 * Here-documents' bodies are skipped. Not handled: `case` patterns,
 * aliases, a newline after `&&`, `||` or `|` (read as the end of the
 * command).
 *
 * Errors (the shell would refuse the file, or we cannot tell where a word
 * ends): an unterminated quote, array, $( ), ${ }, backquote or
 * here-document, and a shell operator inside an array. They come with the line where the
 * statement holding them starts.
 */
#ifndef VP_SHELL_LEX_H
#define VP_SHELL_LEX_H

#include <stdbool.h>
#include <stddef.h>

/* What a word holds (flags). */
#define VP_SHLEX_SQUOTE   0x01u  /* a '...' part */
#define VP_SHLEX_DQUOTE   0x02u  /* a "..." part */
#define VP_SHLEX_ESCAPE   0x04u  /* a backslash that quotes the next character */
#define VP_SHLEX_CONT     0x08u  /* a backslash-newline (or a backslash at the end) */
#define VP_SHLEX_NEWLINE  0x10u  /* a newline inside quotes */
#define VP_SHLEX_EXPAND   0x20u  /* a $ or backquote expansion the shell would do */
#define VP_SHLEX_CMDSUB   0x40u  /* of them, a command substitution: $( ) or ` ` */

enum vp_shlex_exp_kind {
	VP_SHLEX_VAR,           /* $NAME or ${NAME} */
	VP_SHLEX_PARAM,         /* ${...} with more than a name, $1, $@, $$ ... */
	VP_SHLEX_CMD,           /* $(...) or `...` */
	VP_SHLEX_ARITH,         /* $((...)) */
	VP_SHLEX_ANSI,          /* $'...' or $"..." */
};

/* One expansion in a word, as written. */
struct vp_shlex_exp {
	enum vp_shlex_exp_kind kind;
	size_t start, end;      /* from the $ or backquote to its end */
	size_t name, name_len;  /* VP_SHLEX_VAR: the variable's name */
	bool quoted;            /* inside "..." */
};

/* One shell word. */
struct vp_shlex_word {
	size_t start, end;      /* as written, quotes included */
	unsigned line;          /* where it starts */
	unsigned flags;         /* VP_SHLEX_* */
	char quote;             /* '\'' or '"' when the whole word is one quoted part, else 0 */
	/*
	 * After quote removal (and backslash-newlines dropped); expansions
	 * are kept as written, not expanded.
	 */
	char *text;
	struct vp_shlex_exp *exp;
	size_t n_exp;
};

/* Where an assignment stands (vp_shlex_asg.ctx); 0: the shell runs it as it reads. */
#define VP_SHLEX_IN_FUNCTION  0x01u  /* a function's body: runs only when called */
#define VP_SHLEX_IN_CONDITION 0x02u  /* if/while/until/for/case, or after && or || */
#define VP_SHLEX_IN_SUBSHELL  0x04u  /* ( ), a pipeline or a background job: another shell */
#define VP_SHLEX_PREFIX       0x08u  /* VAR=x cmd: the command's environment only */
#define VP_SHLEX_AFTER_AND_OR 0x10u  /* of IN_CONDITION, right after && or || */

struct vp_shlex_asg {
	size_t name, name_len;  /* the variable's name */
	unsigned ctx;           /* VP_SHLEX_IN_* and PREFIX, 0: runs at the top level */
	bool append;            /* += */
	bool array;             /* NAME=( ... ) */
	bool exported;          /* export NAME=... */
	bool continued;         /* a backslash-newline before it in its command */
	unsigned line;          /* of the name */
	size_t start, end;      /* the whole assignment as written (a leading export included) */
	/*
	 * The value as written: a scalar's one word (quotes included, empty
	 * for NAME=), an array's text between its parentheses.
	 */
	size_t vstart, vend;
	unsigned flags;         /* the union of the words' flags */
	struct vp_shlex_word *words;    /* a scalar: exactly one */
	size_t n_words;
};

struct vp_shlex {
	struct vp_shlex_asg *asg;       /* in text order */
	size_t n_asg;
	/* a syntax error: the line where its statement starts, and what */
	unsigned err_line;
	const char *err;
};

/*
 * Lexes s[0, len) (a NUL ends it early). Returns 0 with *ret filled,
 * -EINVAL with ret->err and ret->err_line set (and no assignments), or
 * -ENOMEM. Free with vp_shlex_free() in every case.
 */
int vp_shlex(const char *s, size_t len, struct vp_shlex *ret);
void vp_shlex_free(struct vp_shlex *l);

/* Why a (ctx != 0) may not set the shell's variable, as a phrase; NULL for ctx 0. */
const char *vp_shlex_ctx_why(const struct vp_shlex_asg *a);

/* Whether a is an assignment of the variable name. */
bool vp_shlex_is(const char *s, const struct vp_shlex_asg *a, const char *name);

/*
 * What goes between a text and a line appended to it so that the line is
 * a command of its own: "" after a final newline, "\n" where it lacks one,
 * and one more where the text ends in a backslash (a line continuation
 * would join our line to the one before it).
 */
const char *vp_shlex_line_sep(const char *s, size_t len);

#endif
