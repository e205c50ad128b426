// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command lines read back from a target's files (plan-boot.h), and the
 * files as the readers see them. Below the readers; pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-boot.h"

void vp_boot_lines_free(struct vp_boot_lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].what);
		free(l->v[i].text);
		free(l->v[i].unknown);
	}
	free(l->v);
	*l = (struct vp_boot_lines){0};
}

int vp_boot_lines_add(struct vp_boot_lines *l, const char *path, unsigned line, const char *what,
		      const char *text, const char *unknown)
{
	struct vp_boot_line *v = realloc(l->v, (l->n + 1) * sizeof(*v)), *x;

	if (!v)
		return -ENOMEM;
	l->v = v;
	x = &v[l->n];
	*x = (struct vp_boot_line){.line = line, .path = strdup(path), .what = strdup(what),
				   .text = text ? strdup(text) : NULL,
				   .unknown = unknown ? strdup(unknown) : NULL};
	if (!x->path || !x->what || (text && !x->text) || (unknown && !x->unknown)) {
		free(x->path);
		free(x->what);
		free(x->text);
		free(x->unknown);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

const char *vp_boot_view(const struct vp_system *sys, const struct vp_plan *plan,
			 const char *path)
{
	const struct vp_plan_file *pf = plan ? vp_plan_file(plan, path) : NULL;
	const struct vp_file *f;

	if (pf)
		return pf->content;
	f = vp_system_file(sys, path);
	return f ? f->content : NULL;
}
