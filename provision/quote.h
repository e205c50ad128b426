/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Values we did not write ourselves (module names from libkmod, kernel
 * command-line tokens from the config or a file) on their way into files
 * and commands that root-run tools read: one check per format, one quoting.
 */
#ifndef VP_QUOTE_H
#define VP_QUOTE_H

#include <stdbool.h>

#include "vp.h"

/* s as one POSIX shell word: bare when harmless, else in single quotes. */
int vp_sh_quote(struct vp_buf *b, const char *s);

/* A kernel module name as modprobe.d and the initramfs generators take it. */
bool vp_module_name_ok(const char *name);

/*
 * 0, or -EINVAL with *ret_msg naming the module and the file it was going
 * into (nothing is written: a newline would add a line of its own).
 */
int vp_module_name_check(const char *name, const char *file, char **ret_msg);

/*
 * A kernel command-line token we write: no control character (a newline
 * would end the line or the shell assignment) and not empty. 0 or -EINVAL
 * with *ret_msg naming the token and where it was going.
 */
int vp_cmdline_token_check(const char *tok, const char *where, char **ret_msg);

#endif
