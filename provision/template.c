// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "template.h"
#include "vp.h"

const char *vp_template(const char *name)
{
	for (const struct vp_template *t = vp_templates; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t->text;
	return NULL;
}

char *vp_template_fill(const char *text, const char *const *pairs)
{
	struct vp_buf b = {0};
	const char *p = text;
	int r = 0;

	while (*p && r == 0) {
		const char *at = strchr(p, '@'), *end;
		bool done = false;

		if (!at) {
			r = vp_buf_puts(&b, p);
			break;
		}
		r = vp_buf_add(&b, p, (size_t)(at - p));
		end = strchr(at + 1, '@');
		for (size_t i = 0; end && r == 0 && pairs[i] && pairs[i + 1]; i += 2)
			if (strlen(pairs[i]) == (size_t)(end - at - 1) &&
			    strncmp(at + 1, pairs[i], (size_t)(end - at - 1)) == 0) {
				r = vp_buf_puts(&b, pairs[i + 1]);
				p = end + 1;
				done = true;
				break;
			}
		if (!done && r == 0) {
			r = vp_buf_add(&b, "@", 1);
			p = at + 1;
		}
	}
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}
