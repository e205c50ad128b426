// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plan container and its builders, which every planner calls; below the
 * planners (plan-build.c runs them). Pure.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "plan.h"

static void *grow(void *arr, size_t n, size_t size)
{
	/* arrays grow one element at a time: plans are small */
	return realloc(arr, (n + 1) * size);
}

void vp_plan_free(struct vp_plan *plan)
{
	for (size_t i = 0; i < plan->n_files; i++) {
		free(plan->files[i].path);
		free(plan->files[i].content);
		free(plan->files[i].reason);
	}
	free(plan->files);
	for (size_t i = 0; i < plan->n_cmdline; i++) {
		free(plan->cmdline[i].key);
		free(plan->cmdline[i].token);
		free(plan->cmdline[i].reason);
	}
	free(plan->cmdline);
	for (size_t i = 0; i < plan->n_commands; i++) {
		for (char **a = plan->commands[i].argv; a && *a; a++)
			free(*a);
		free(plan->commands[i].argv);
		free(plan->commands[i].why);
	}
	free(plan->commands);
	for (size_t i = 0; i < plan->n_msgs; i++)
		free(plan->msgs[i].text);
	free(plan->msgs);
	vp_strv_free(&plan->dirs);
	vp_strv_free(&plan->hints);
	memset(plan, 0, sizeof(*plan));
}

static char *dup_or_null(const char *s, int *r)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*r = -ENOMEM;
	return d;
}

int vp_plan_add_file(struct vp_plan *plan, const char *path, char *content_take,
		     unsigned mode, bool owned, const char *reason)
{
	struct vp_plan_file *files, *f;
	int r = 0;

	files = grow(plan->files, plan->n_files, sizeof(*files));
	if (!files) {
		free(content_take);
		return -ENOMEM;
	}
	plan->files = files;
	f = &files[plan->n_files];
	*f = (struct vp_plan_file){.content = content_take, .mode = mode, .owned = owned};
	f->path = dup_or_null(path, &r);
	f->reason = dup_or_null(reason, &r);
	plan->n_files++;
	return r;
}

int vp_plan_add_token(struct vp_plan *plan, const char *key, const char *token,
		      const char *reason)
{
	struct vp_cmdline_token *t;
	int r = 0;

	t = grow(plan->cmdline, plan->n_cmdline, sizeof(*t));
	if (!t)
		return -ENOMEM;
	plan->cmdline = t;
	t = &t[plan->n_cmdline++];
	*t = (struct vp_cmdline_token){0};
	t->key = dup_or_null(key, &r);
	t->token = dup_or_null(token, &r);
	t->reason = dup_or_null(reason, &r);
	return r;
}

int vp_plan_add_dir(struct vp_plan *plan, const char *path)
{
	return vp_strv_push_unique(&plan->dirs, path);
}

int vp_plan_add_command(struct vp_plan *plan, const char *const *argv, const char *why)
{
	struct vp_command *c;
	size_t n = 0;
	int r = 0;

	while (argv[n])
		n++;
	/* several planners may ask for the same rebuild: once is enough */
	for (size_t i = 0; i < plan->n_commands; i++) {
		size_t k = 0;

		while (k < n && plan->commands[i].argv[k] &&
		       strcmp(plan->commands[i].argv[k], argv[k]) == 0)
			k++;
		if (k == n && !plan->commands[i].argv[k])
			return 0;
	}
	c = grow(plan->commands, plan->n_commands, sizeof(*c));
	if (!c)
		return -ENOMEM;
	plan->commands = c;
	c = &c[plan->n_commands++];
	*c = (struct vp_command){0};
	c->argv = calloc(n + 1, sizeof(char *));
	if (!c->argv)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		c->argv[i] = dup_or_null(argv[i], &r);
	c->why = dup_or_null(why, &r);
	return r;
}

int vp_plan_msg(struct vp_plan *plan, enum vp_msg_level level, const char *fmt, ...)
{
	struct vp_msg *m;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vp_strdup_vprintf(fmt, ap);
	va_end(ap);
	m = s ? grow(plan->msgs, plan->n_msgs, sizeof(*m)) : NULL;
	if (!m) {
		free(s);
		return -ENOMEM;
	}
	plan->msgs = m;
	m[plan->n_msgs++] = (struct vp_msg){.level = level, .text = s};
	if (level == VP_MSG_REFUSE)
		plan->refused = true;
	return 0;
}

const struct vp_plan_file *vp_plan_file(const struct vp_plan *plan, const char *path)
{
	for (size_t i = 0; i < plan->n_files; i++)
		if (strcmp(plan->files[i].path, path) == 0)
			return &plan->files[i];
	return NULL;
}

/* Under /etc/pve once ".", ".." and repeated slashes are resolved. */
bool vp_plan_path_forbidden(const char *path)
{
	static const char *const parts[] = {"etc", "pve"};
	const char *stack[64];
	size_t depth = 0;

	for (const char *p = path; p && *p;) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 2 && strncmp(p, "..", 2) == 0) {
			depth -= depth > 0;
		} else if (!(len == 1 && *p == '.')) {
			if (depth == ARRAY_SIZE(stack))
				return true;    /* too deep to tell: not ours to plan */
			stack[depth++] = p;
		}
		p += len;
	}
	if (depth < ARRAY_SIZE(parts))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		size_t l = strlen(parts[i]);

		if (strncmp(stack[i], parts[i], l) != 0 || (stack[i][l] && stack[i][l] != '/'))
			return false;
	}
	return true;
}

int vp_plan_check_paths(const struct vp_plan *plan, char **ret_msg)
{
	const char *bad = NULL;

	for (size_t i = 0; !bad && i < plan->n_files; i++)
		if (vp_plan_path_forbidden(plan->files[i].path))
			bad = plan->files[i].path;
	for (size_t i = 0; !bad && i < plan->dirs.n; i++)
		if (vp_plan_path_forbidden(plan->dirs.v[i]))
			bad = plan->dirs.v[i];
	if (!bad)
		return 0;
	return vp_fail(ret_msg, -EPERM, "'%s': under /etc/pve, Proxmox's cluster filesystem "
		       "(pmxcfs), which vfio-provision never writes: change the setting "
		       "that names it", bad);
}
