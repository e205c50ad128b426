// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What grub-mkconfig puts on a normal entry's linux line: it sources
 * /etc/default/grub, then (Debian, Ubuntu) /etc/default/grub.d/ *.cfg in
 * glob order, with the shell, and 10_linux writes
 * "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}". This runs the
 * assignments the way that shell would: through the shared lexer, plain
 * top-level assignments only, $VAR and ${VAR} expanded from what the files
 * set before. Anything it cannot follow (a command substitution, an
 * assignment in a function or a condition, +=, an array) makes the value
 * "cannot be told", with the file and line. Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-boot.h"
#include "shell-lex.h"

#define GRUB_DEFAULT "/etc/default/grub"
#define GRUB_D "/etc/default/grub.d/"

struct var {
	char *name;
	char *value;            /* NULL: cannot be told */
	char *why;              /* then why */
};

struct vars {
	struct var *v;
	size_t n;
};

static void vars_free(struct vars *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
		free(vs->v[i].why);
	}
	free(vs->v);
	*vs = (struct vars){0};
}

static struct var *var_find(const struct vars *vs, const char *name, size_t len)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strlen(vs->v[i].name) == len && strncmp(vs->v[i].name, name, len) == 0)
			return &vs->v[i];
	return NULL;
}

/* Sets name to value (taken) or, with value NULL, to "cannot be told" for why (taken). */
static int var_set(struct vars *vs, const char *name, size_t len, char *value, char *why)
{
	struct var *x = var_find(vs, name, len), *n;

	if (!x) {
		n = realloc(vs->v, (vs->n + 1) * sizeof(*n));
		if (!n)
			goto oom;
		vs->v = n;
		x = &vs->v[vs->n];
		*x = (struct var){.name = strndup(name, len)};
		if (!x->name)
			goto oom;
		vs->n++;
	}
	free(x->value);
	free(x->why);
	x->value = value;
	x->why = why;
	if (!value && !why)
		return -ENOMEM;
	return 0;
oom:
	free(value);
	free(why);
	return -ENOMEM;
}

/*
 * The value an assignment gives, expansions of variables done; NULL with
 * *why when it cannot be told.
 */
static char *expand(const char *path, const char *s, const struct vp_shlex_asg *a,
		    const struct vars *vs, char **why)
{
	const struct vp_shlex_word *w = a->words;
	const char *t = w->text, *cur = t;
	struct vp_buf b = {0};
	size_t dollars = 0;

	*why = NULL;
	for (const char *p = t; (p = strpbrk(p, "$`")); p++)
		dollars++;
	/* each $ of the text is one of the expansions, all of them $VAR or ${VAR} */
	for (size_t i = 0; i < w->n_exp; i++)
		if (w->exp[i].kind != VP_SHLEX_VAR)
			dollars = SIZE_MAX;
	if (dollars != w->n_exp) {
		*why = vp_strdup_printf("'%s':%u: the value is built with an expansion "
					"(a command, a parameter operation) that is not run here",
					path, a->line);
		return NULL;
	}
	vp_buf_puts(&b, "");
	for (size_t i = 0; i < w->n_exp; i++) {
		const struct vp_shlex_exp *e = &w->exp[i];
		size_t elen = e->end - e->start;
		const char *at = strstr(cur, "$");
		const struct var *x = var_find(vs, s + e->name, e->name_len);

		if (!at || strncmp(at, s + e->start, elen) != 0) {
			vp_buf_free(&b);
			*why = vp_strdup_printf("'%s':%u: cannot follow the expansions in the value",
						path, a->line);
			return NULL;
		}
		vp_buf_add(&b, cur, (size_t)(at - cur));
		if (x && !x->value) {
			vp_buf_free(&b);
			*why = x->why ? strdup(x->why) : NULL;
			return NULL;
		}
		if (x)
			vp_buf_puts(&b, x->value);
		cur = at + elen;
	}
	vp_buf_puts(&b, cur);
	if (b.err) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

/* Runs one file's assignments on vs, as the sourcing shell would. */
static int source(const char *path, const char *s, struct vars *vs)
{
	struct vp_shlex l;
	int r;

	r = vp_shlex(s, strlen(s), &l);
	if (r == -EINVAL) {
		/* sh refuses the file: nothing it sets can be trusted */
		static const char *const ours[] = {"GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"};

		for (size_t i = 0; i < ARRAY_SIZE(ours) && r != -ENOMEM; i++)
			r = var_set(vs, ours[i], strlen(ours[i]), NULL,
				    vp_strdup_printf("'%s':%u: %s", path, l.err_line, l.err)) < 0
				    ? -ENOMEM : -EINVAL;
		vp_shlex_free(&l);
		return r == -ENOMEM ? r : 0;
	}
	for (size_t i = 0; r >= 0 && i < l.n_asg; i++) {
		const struct vp_shlex_asg *a = &l.asg[i];
		char *value = NULL, *why = NULL;

		/* another shell's variable, or a command's environment: no effect here */
		if (a->ctx & (VP_SHLEX_IN_SUBSHELL | VP_SHLEX_PREFIX))
			continue;
		if (a->ctx)
			why = vp_strdup_printf("'%s':%u: %s", path, a->line, vp_shlex_ctx_why(a));
		else if (a->array || a->append)
			why = vp_strdup_printf("'%s':%u: the value is %s", path, a->line,
					       a->array ? "an array" : "built with +=");
		else
			value = expand(path, s, a, vs, &why);
		r = var_set(vs, s + a->name, a->name_len, value, why);
	}
	vp_shlex_free(&l);
	return r;
}

/* The drop-ins as glob(3) lists them: sorted, *.cfg only. */
static int dropins(const struct vp_system *sys, struct vp_strv *ret)
{
	int r = 0;

	for (size_t i = 0; i < sys->n_files && r >= 0; i++) {
		const char *p = sys->files[i].path;
		size_t l = strlen(p);

		if (vp_startswith(p, GRUB_D) && !strchr(p + strlen(GRUB_D), '/') && l > 4 &&
		    strcmp(p + l - 4, ".cfg") == 0)
			r = vp_strv_push(ret, p);
	}
	vp_strv_sort(ret);
	return r;
}

int vp_boot_grub_read(const struct vp_config *cfg, const struct vp_system *sys,
		      const struct vp_plan *plan, struct vp_boot_lines *out)
{
	const char *main_c = vp_boot_view(sys, plan, GRUB_DEFAULT);
	struct vp_strv files = {0};
	struct vars vs = {0};
	const struct var *lin, *def;
	_cleanup_free_ char *text = NULL;
	int r = 0;

	(void)cfg;
	if (main_c)
		r = source(GRUB_DEFAULT, main_c, &vs);
	if (r >= 0 && sys->grub_d)
		r = dropins(sys, &files);
	for (size_t i = 0; i < files.n && r >= 0; i++) {
		const char *c = vp_boot_view(sys, plan, files.v[i]);

		if (c)
			r = source(files.v[i], c, &vs);
	}
	if (r < 0)
		goto out;
	lin = var_find(&vs, "GRUB_CMDLINE_LINUX", 18);
	def = var_find(&vs, "GRUB_CMDLINE_LINUX_DEFAULT", 26);
	if ((lin && !lin->value) || (def && !def->value)) {
		r = vp_boot_lines_add(out, GRUB_DEFAULT, 0, "GRUB_CMDLINE_LINUX and _DEFAULT", NULL,
				      lin && !lin->value ? lin->why : def->why);
		goto out;
	}
	text = vp_strdup_printf("%s %s", lin ? lin->value : "", def ? def->value : "");
	r = text ? vp_boot_lines_add(out, GRUB_DEFAULT, 0,
				     sys->grub_d ? "GRUB_CMDLINE_LINUX and _DEFAULT after "
						   "/etc/default/grub.d, as grub-mkconfig joins them"
						 : "GRUB_CMDLINE_LINUX and _DEFAULT, as grub-mkconfig "
						   "joins them", text, NULL)
		 : -ENOMEM;
out:
	vp_strv_free(&files);
	vars_free(&vs);
	return r;
}
