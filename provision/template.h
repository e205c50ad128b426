/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text templates compiled in from templates/ (see mk/templates.mk). */
#pragma once

struct vp_template {
	const char *name;       /* file name under templates/ */
	const char *text;
};

extern const struct vp_template vp_templates[];

/* The template's text, or NULL. */
const char *vp_template(const char *name);

/*
 * Copies text with every "@KEY@" replaced by its value from the
 * NULL-terminated key, value, ... list; unknown placeholders stay.
 * Returns a malloc'ed string or NULL on -ENOMEM.
 */
char *vp_template_fill(const char *text, const char *const *pairs);
