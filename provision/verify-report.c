// SPDX-License-Identifier: GPL-2.0-or-later
/* verify's report: the [E]/[W] lines, below every check that adds one. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "verify.h"

int vp_verify_add(struct vp_verify_report *rep, enum vp_verify_level level,
		  const char *fmt, ...)
{
	struct vp_verify_line *lines;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vp_strdup_vprintf(fmt, ap);
	va_end(ap);
	lines = s ? realloc(rep->lines, (rep->n + 1) * sizeof(*lines)) : NULL;
	if (!lines) {
		free(s);
		return -ENOMEM;
	}
	rep->lines = lines;
	lines[rep->n++] = (struct vp_verify_line){.level = level, .text = s};
	if (level == VP_VERIFY_ERROR)
		rep->n_errors++;
	else
		rep->n_warnings++;
	return 0;
}

void vp_verify_report_free(struct vp_verify_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		free(rep->lines[i].text);
	free(rep->lines);
	memset(rep, 0, sizeof(*rep));
}
