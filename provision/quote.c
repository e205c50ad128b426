// SPDX-License-Identifier: GPL-2.0-or-later
/* Checks and quoting for values written into files and commands. See quote.h. */
#include <errno.h>
#include <string.h>

#include "quote.h"

#define SH_BARE "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%"
#define MOD_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

int vp_sh_quote(struct vp_buf *b, const char *s)
{
	int r;

	if (*s && strspn(s, SH_BARE) == strlen(s))
		return vp_buf_puts(b, s);
	r = vp_buf_puts(b, "'");
	for (; *s && r == 0; s++)
		r = *s == '\'' ? vp_buf_puts(b, "'\\''") : vp_buf_add(b, s, 1);
	return r ? r : vp_buf_puts(b, "'");
}

bool vp_module_name_ok(const char *name)
{
	return name && *name && strspn(name, MOD_CHARS) == strlen(name);
}

/* s with control characters shown as \n, \xNN: for messages only. */
static char *visible(const char *s)
{
	struct vp_buf b = {0};
	int r = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && r == 0; p++)
		r = *p == '\n' ? vp_buf_puts(&b, "\\n")
		    : (*p < 0x20 || *p == 0x7f) ? vp_buf_printf(&b, "\\x%02x", *p)
		    : vp_buf_add(&b, (const char *)p, 1);
	if (r == 0 && !b.s)
		r = vp_buf_puts(&b, "");
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

int vp_module_name_check(const char *name, const char *file, char **ret_msg)
{
	_cleanup_free_ char *v = NULL;

	if (vp_module_name_ok(name))
		return 0;
	v = visible(name ? name : "");
	if (!v)
		return -ENOMEM;
	return vp_fail(ret_msg, -EINVAL,
		       "'%s': module name \"%s\" is not a kernel module name "
		       "([A-Za-z0-9_-]+); nothing written", file, v);
}

int vp_cmdline_token_check(const char *tok, const char *where, char **ret_msg)
{
	_cleanup_free_ char *v = NULL;
	bool ok = tok && *tok;

	for (const unsigned char *p = (const unsigned char *)tok; ok && *p; p++)
		ok = *p >= 0x20 && *p != 0x7f;
	if (ok)
		return 0;
	v = visible(tok ? tok : "");
	if (!v)
		return -ENOMEM;
	return vp_fail(ret_msg, -EINVAL,
		       "'%s': kernel command-line token \"%s\" is empty or holds a control "
		       "character; nothing written", where, v);
}
