// SPDX-License-Identifier: GPL-2.0-or-later
/* shell-lex.c: the one shell lexer of the mkinitcpio, GRUB and dracut planners. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell-lex.h"
#include "vp.h"

static struct vp_shlex lx(const char *s)
{
	struct vp_shlex l;

	assert_int_equal(vp_shlex(s, strlen(s), &l), 0);
	assert_null(l.err);
	return l;
}

static void span_is(const char *s, size_t start, size_t end, const char *want)
{
	assert_true(start <= end && end <= strlen(s));
	if (end - start != strlen(want) || strncmp(s + start, want, end - start) != 0)
		fail_msg("span [%zu, %zu) is '%.*s', want '%s'", start, end, (int)(end - start),
			 s + start, want);
}

static void name_is(const char *s, const struct vp_shlex_asg *a, const char *name)
{
	span_is(s, a->name, a->name + a->name_len, name);
}

static void lex_error(const char *s, unsigned line, const char *what)
{
	struct vp_shlex l;

	assert_int_equal(vp_shlex(s, strlen(s), &l), -EINVAL);
	assert_int_equal(l.n_asg, 0);
	assert_non_null(l.err);
	if (l.err_line != line || !strstr(l.err, what))
		fail_msg("'%s': got %u: %s, want %u: %s", s, l.err_line, l.err, line, what);
	vp_shlex_free(&l);
}

static void test_scalars(void **state)
{
	const char *s = "A=plain\nB='single $x'\nC=\"dq \\\"q\\\" \\$ \\\\ \\a\"\nD=\nE=a'b'\"c\"\\ d\n";
	struct vp_shlex l = lx(s);

	(void)state;
	assert_int_equal(l.n_asg, 5);
	name_is(s, &l.asg[0], "A");
	assert_false(l.asg[0].array);
	assert_false(l.asg[0].append);
	assert_int_equal(l.asg[0].n_words, 1);
	assert_string_equal(l.asg[0].words[0].text, "plain");
	assert_int_equal(l.asg[0].words[0].quote, 0);
	assert_int_equal(l.asg[0].words[0].flags, 0);
	span_is(s, l.asg[0].start, l.asg[0].end, "A=plain");
	span_is(s, l.asg[0].vstart, l.asg[0].vend, "plain");

	/* no expansion inside single quotes */
	assert_string_equal(l.asg[1].words[0].text, "single $x");
	assert_int_equal(l.asg[1].words[0].quote, '\'');
	assert_int_equal(l.asg[1].words[0].flags, VP_SHLEX_SQUOTE);
	span_is(s, l.asg[1].vstart, l.asg[1].vend, "'single $x'");
	assert_int_equal(l.asg[1].line, 2);

	/* in double quotes a backslash quotes only $ ` " \ and newline */
	assert_string_equal(l.asg[2].words[0].text, "dq \"q\" $ \\ \\a");
	assert_int_equal(l.asg[2].words[0].quote, '"');
	assert_int_equal(l.asg[2].words[0].n_exp, 0);

	/* an empty value is one empty word where the value would be */
	assert_int_equal(l.asg[3].n_words, 1);
	assert_string_equal(l.asg[3].words[0].text, "");
	assert_int_equal(l.asg[3].vstart, l.asg[3].vend);
	assert_int_equal(l.asg[3].line, 4);

	/* mixed quoting: one word, no single quote style */
	assert_string_equal(l.asg[4].words[0].text, "abc d");
	assert_int_equal(l.asg[4].words[0].quote, 0);
	assert_int_equal(l.asg[4].words[0].flags,
			 VP_SHLEX_SQUOTE | VP_SHLEX_DQUOTE | VP_SHLEX_ESCAPE);
	vp_shlex_free(&l);
}

static void test_expansions(void **state)
{
	const char *s = "A=\"$A rest\"\nB=${B}x$1\nC=$(echo \"a)b\" $(x))\"`id`\"\nD=$((1+2))\n"
			"E=a$\nF=\"${G:-a b}\"\n";
	struct vp_shlex l = lx(s);
	const struct vp_shlex_word *w;

	(void)state;
	assert_int_equal(l.n_asg, 6);
	w = &l.asg[0].words[0];
	assert_int_equal(w->n_exp, 1);
	assert_int_equal(w->exp[0].kind, VP_SHLEX_VAR);
	assert_true(w->exp[0].quoted);
	span_is(s, w->exp[0].start, w->exp[0].end, "$A");
	span_is(s, w->exp[0].name, w->exp[0].name + w->exp[0].name_len, "A");
	/* expansions stay as written in the text */
	assert_string_equal(w->text, "$A rest");
	assert_true(w->flags & VP_SHLEX_EXPAND);
	assert_false(w->flags & VP_SHLEX_CMDSUB);

	w = &l.asg[1].words[0];
	assert_int_equal(w->n_exp, 2);
	assert_int_equal(w->exp[0].kind, VP_SHLEX_VAR);
	span_is(s, w->exp[0].name, w->exp[0].name + w->exp[0].name_len, "B");
	assert_int_equal(w->exp[1].kind, VP_SHLEX_PARAM);
	assert_false(w->exp[0].quoted);

	/* a command substitution ends at its own ')' (quotes and nesting inside) */
	w = &l.asg[2].words[0];
	span_is(s, w->start, w->end, "$(echo \"a)b\" $(x))\"`id`\"");
	assert_int_equal(w->n_exp, 2);
	assert_int_equal(w->exp[0].kind, VP_SHLEX_CMD);
	assert_int_equal(w->exp[1].kind, VP_SHLEX_CMD);
	assert_true(w->flags & VP_SHLEX_CMDSUB);

	assert_int_equal(l.asg[3].words[0].exp[0].kind, VP_SHLEX_ARITH);
	assert_false(l.asg[3].words[0].flags & VP_SHLEX_CMDSUB);
	/* a $ that starts nothing is a character */
	assert_string_equal(l.asg[4].words[0].text, "a$");
	assert_int_equal(l.asg[4].words[0].n_exp, 0);
	assert_int_equal(l.asg[5].words[0].exp[0].kind, VP_SHLEX_PARAM);
	assert_string_equal(l.asg[5].words[0].text, "${G:-a b}");
	vp_shlex_free(&l);
}

static void test_continuations(void **state)
{
	const char *s = "A=\"a \\\nb\"\nB=x\\\ny\nC=1 \\\n  D=2\nE='l1\nl2'\nF=3\n";
	struct vp_shlex l = lx(s);

	(void)state;
	assert_int_equal(l.n_asg, 6);
	/* a backslash-newline is dropped, and flagged */
	assert_string_equal(l.asg[0].words[0].text, "a b");
	assert_true(l.asg[0].words[0].flags & VP_SHLEX_CONT);
	assert_string_equal(l.asg[1].words[0].text, "xy");
	assert_true(l.asg[1].flags & VP_SHLEX_CONT);
	assert_int_equal(l.asg[1].line, 3);
	/* D continues C's command, on the next line */
	name_is(s, &l.asg[3], "D");
	assert_false(l.asg[2].continued);
	assert_true(l.asg[3].continued);
	assert_int_equal(l.asg[3].line, 6);
	/* a newline inside quotes is flagged and counted */
	assert_string_equal(l.asg[4].words[0].text, "l1\nl2");
	assert_true(l.asg[4].words[0].flags & VP_SHLEX_NEWLINE);
	assert_int_equal(l.asg[5].line, 9);
	vp_shlex_free(&l);
}

static void test_arrays(void **state)
{
	const char *s = "MODULES=(\n  amdgpu # for KMS (early)\n  'vfio_pci?' \"a b\"\\\n c\\ d\n)\n"
			"HOOKS+=(base) # x\nE=()\n";
	struct vp_shlex l = lx(s);
	const struct vp_shlex_asg *a;

	(void)state;
	assert_int_equal(l.n_asg, 3);
	a = &l.asg[0];
	assert_true(a->array);
	assert_int_equal(a->line, 1);
	assert_int_equal(a->n_words, 4);
	assert_string_equal(a->words[0].text, "amdgpu");
	assert_int_equal(a->words[0].line, 2);
	assert_string_equal(a->words[1].text, "vfio_pci?");
	assert_int_equal(a->words[1].quote, '\'');
	span_is(s, a->words[1].start, a->words[1].end, "'vfio_pci?'");
	assert_string_equal(a->words[2].text, "a b");
	assert_string_equal(a->words[3].text, "c d");
	assert_int_equal(a->words[3].line, 4);
	assert_true(a->flags & VP_SHLEX_CONT);
	span_is(s, a->vstart, a->vend,
		"\n  amdgpu # for KMS (early)\n  'vfio_pci?' \"a b\"\\\n c\\ d\n");
	assert_int_equal(s[a->end - 1], ')');

	a = &l.asg[1];
	name_is(s, a, "HOOKS");
	assert_true(a->append);
	assert_true(a->array);
	assert_int_equal(a->line, 6);
	span_is(s, a->start, a->end, "HOOKS+=(base)");
	assert_int_equal(l.asg[2].n_words, 0);
	assert_int_equal(l.asg[2].vstart, l.asg[2].vend);
	vp_shlex_free(&l);
}

static void test_comments_and_statements(void **state)
{
	const char *s = "# A=no\nB=1 # C=no\nD=a#b; E=2;F=3 G=4\n"
			"echo H=no; export I=5 J=6\n"
			"true && K=no; ( L=no ); M=\"x\" cmd N=no\n"
			"if true; then O=7; fi\n"
			"P=x>/dev/null Q=no\n";
	static const char *const want[] = {"B", "D", "E", "F", "G", "I", "J", "K", "L", "M",
					   "O", "P"};
	/* where each stands: only 0 sets the reading shell's variable */
	static const unsigned ctx[] = {0, 0, 0, 0, 0, 0, 0,
				       VP_SHLEX_IN_CONDITION | VP_SHLEX_AFTER_AND_OR,
				       VP_SHLEX_IN_SUBSHELL, VP_SHLEX_PREFIX, VP_SHLEX_IN_CONDITION, 0};
	struct vp_shlex l = lx(s);

	(void)state;
	for (size_t i = 0; i < l.n_asg && i < ARRAY_SIZE(want); i++) {
		name_is(s, &l.asg[i], want[i]);
		if (l.asg[i].ctx != ctx[i])
			fail_msg("%s: ctx %#x, want %#x", want[i], l.asg[i].ctx, ctx[i]);
	}
	assert_int_equal(l.n_asg, ARRAY_SIZE(want));
	/* # inside a word is a character */
	assert_string_equal(l.asg[1].words[0].text, "a#b");
	assert_int_equal(l.asg[2].line, 3);
	assert_true(l.asg[5].exported);
	span_is(s, l.asg[5].start, l.asg[5].end, "export I=5");
	assert_true(l.asg[6].exported);
	span_is(s, l.asg[6].start, l.asg[6].end, "J=6");
	assert_false(l.asg[9].exported);
	assert_string_equal(l.asg[9].words[0].text, "x");
	/* a quoted or escaped name is no assignment; NAME = x neither */
	vp_shlex_free(&l);
	l = lx("'A'=1\n\\B=2\nC = 3\n\"export\" D=4\n");
	assert_int_equal(l.n_asg, 0);
	vp_shlex_free(&l);
	/* a NUL ends the text */
	assert_int_equal(vp_shlex("A=1\0B=2", 7, &l), 0);
	assert_int_equal(l.n_asg, 1);
	vp_shlex_free(&l);
}

/* Issue 19: assignments grub-mkconfig's shell never keeps, told apart. */
static void test_contexts(void **state)
{
	const char *s = "f() {\n GRUB_CMDLINE_LINUX_DEFAULT=\"x\"\n}\n"
			"function g {\n A=1\n}\n"
			"h ()\n{\n B=2\n}\n"
			"C=3 update-grub\n"
			"{ D=4; }\n"
			"E=5 | cat\n"
			"F=6 &\n"
			"while false; do H=8; done; I=9\n"
			"true || J=10\n"
			"export K=11 L=12\n"
			"M=13 N=14 cmd\n"
			"function p() { Q=15; }; R=16\n"
			"(S=17); T=18\n";
	static const char *const want[] = {"GRUB_CMDLINE_LINUX_DEFAULT", "A", "B", "C", "D",
					   "E", "F", "H", "I", "J", "K", "L", "M", "N", "Q",
					   "R", "S", "T"};
	static const unsigned ctx[] = {VP_SHLEX_IN_FUNCTION, VP_SHLEX_IN_FUNCTION,
				       VP_SHLEX_IN_FUNCTION, VP_SHLEX_PREFIX, 0,
				       VP_SHLEX_IN_SUBSHELL, VP_SHLEX_IN_SUBSHELL,
				       VP_SHLEX_IN_CONDITION, 0,
				       VP_SHLEX_IN_CONDITION | VP_SHLEX_AFTER_AND_OR, 0, 0,
				       VP_SHLEX_PREFIX, VP_SHLEX_PREFIX, VP_SHLEX_IN_FUNCTION, 0,
				       VP_SHLEX_IN_SUBSHELL, 0};
	struct vp_shlex l = lx(s);

	(void)state;
	for (size_t i = 0; i < l.n_asg && i < ARRAY_SIZE(want); i++) {
		name_is(s, &l.asg[i], want[i]);
		if (l.asg[i].ctx != ctx[i])
			fail_msg("%s: ctx %#x, want %#x", want[i], l.asg[i].ctx, ctx[i]);
		assert_true((vp_shlex_ctx_why(&l.asg[i]) == NULL) == (ctx[i] == 0));
	}
	assert_int_equal(l.n_asg, ARRAY_SIZE(want));
	vp_shlex_free(&l);
}

static void test_heredocs(void **state)
{
	const char *s = "cat <<EOF >/dev/null\ndon't A=no\nEOF\nB=1\n"
			"cat <<-'X' <<Y\n\tit's\n\tX\nC=no\nY\n"
			"D=2 <<<\"a here-string\" E=no\n";
	static const char *const want[] = {"B", "D"};
	struct vp_shlex l = lx(s);

	(void)state;
	assert_int_equal(l.n_asg, ARRAY_SIZE(want));
	for (size_t i = 0; i < l.n_asg; i++)
		name_is(s, &l.asg[i], want[i]);
	/* lines go on counting through the bodies */
	assert_int_equal(l.asg[0].line, 4);
	assert_int_equal(l.asg[1].line, 10);
	vp_shlex_free(&l);
}

static void test_is(void **state)
{
	const char *s = "MODULES=(a)\nMODULESX=(d)\n";
	struct vp_shlex l = lx(s);

	(void)state;
	assert_true(vp_shlex_is(s, &l.asg[0], "MODULES"));
	assert_false(vp_shlex_is(s, &l.asg[0], "MODULESX"));
	assert_true(vp_shlex_is(s, &l.asg[1], "MODULESX"));
	assert_false(vp_shlex_is(s, &l.asg[1], "MODULES"));
	vp_shlex_free(&l);
}

static void test_line_sep(void **state)
{
	(void)state;
	assert_string_equal(vp_shlex_line_sep("", 0), "");
	assert_string_equal(vp_shlex_line_sep("A=1\n", 4), "");
	assert_string_equal(vp_shlex_line_sep("A=1", 3), "\n");
	/* a final backslash would continue the line onto ours */
	assert_string_equal(vp_shlex_line_sep("true \\\n", 7), "\n");
	assert_string_equal(vp_shlex_line_sep("true \\", 6), "\n\n");
}

static void test_errors(void **state)
{
	(void)state;
	lex_error("A=1\nB=\"x\n", 2, "unterminated \" quote");
	lex_error("A=1\n\nB='x\ny\n", 3, "unterminated ' quote");
	lex_error("# x\nMODULES=(amdgpu\nHOOKS=(base\n", 2, "unterminated array");
	lex_error("M=(a\n b", 1, "unterminated array");
	lex_error("M=(a; b)\n", 1, "unterminated array");
	lex_error("A=ok\nB=$(echo\n", 2, "unterminated $(");
	lex_error("A=`id\n", 1, "unterminated `");
	lex_error("A=${x\n", 1, "unterminated ${");
	lex_error("A=1\necho 'don\n", 2, "unterminated ' quote");
	/* a here-document the end of the text closes: a line we append would go into it */
	lex_error("A=1\ncat <<Z\nF=no\n", 2, "unterminated here-document");
	/* the shell refuses a file that leaves a compound open (a fuzzer found
	 * one a planner appended to, inside the subshell, twice) */
	lex_error("Mo2ULe=?\\S(\nMODULES=(a)\n", 1, "unclosed ( subshell");
	lex_error("A=1\n{ B=2\nC=3\n", 2, "unclosed { group");
	lex_error("if true; then\n  A=1\n", 1, "unclosed if");
	lex_error("f() {\n if x; then A=1; fi\n", 1, "unclosed { group");
	lex_error("A=1\ncat <<Z", 2, "unterminated here-document");
	lex_error("cat <<'A' <<B\nA\nB=1\n", 1, "unterminated here-document");
	/* the line where the statement starts, not where the quote opens */
	lex_error("A=1 \\\n B=\"x\n", 1, "unterminated \" quote");
	/* an apostrophe in a comment is no quote */
	struct vp_shlex l = lx("# don't\nA=1 # it's\n");

	assert_int_equal(l.n_asg, 1);
	vp_shlex_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_expansions),
		cmocka_unit_test(test_continuations),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_comments_and_statements),
		cmocka_unit_test(test_contexts),
		cmocka_unit_test(test_heredocs),
		cmocka_unit_test(test_is),
		cmocka_unit_test(test_line_sep),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
