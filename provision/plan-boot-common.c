// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the bootloader targets (plan-boot-*.c) share: merging plan->cmdline
 * into a line, the checks on the result, the tokens as text. Pure.
 */
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "plan-boot.h"

enum vp_bootloader vp_boot_target(const struct vp_config *cfg, const struct vp_system *sys)
{
	return cfg->bootloader_auto ? sys->bootloader : cfg->bootloader;
}

static int merge_at(const struct vp_plan *plan, const char *orig, const char *path,
		    unsigned line, bool strip, char **ret, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	int r;

	if (strip)
		r = vp_cmdline_strip(orig, plan->cmdline, plan->n_cmdline, ret, &msg);
	else
		r = vp_cmdline_apply(orig, plan->cmdline, plan->n_cmdline, ret, &msg);
	if (r < 0 && msg)
		return vp_fail(ret_msg, r, "'%s':%u: %s", path, line, msg);
	return r;
}

int vp_boot_merge(const struct vp_plan *plan, const char *orig, const char *path,
		  unsigned line, char **ret, char **ret_msg)
{
	return merge_at(plan, orig, path, line, false, ret, ret_msg);
}

int vp_boot_strip(const struct vp_plan *plan, const char *orig, const char *path,
		  unsigned line, char **ret, char **ret_msg)
{
	return merge_at(plan, orig, path, line, true, ret, ret_msg);
}

static const char *planned(const struct vp_plan *plan, const char *key)
{
	for (size_t i = 0; i < plan->n_cmdline; i++)
		if (vp_cmdline_key_eq(plan->cmdline[i].key, strlen(plan->cmdline[i].key), key,
				      strlen(key)))
			return plan->cmdline[i].token ? plan->cmdline[i].token : "";
	return NULL;
}

/* Is word one of the words of line? */
static bool has_word(const char *line, const char *word)
{
	struct vp_cmdline c = {0};
	bool found = false;

	if (vp_cmdline_split(line, &c, NULL) < 0)
		return false;
	for (size_t i = 0; i < c.n && !found; i++)
		found = c.w[i].len == strlen(word) && memcmp(c.w[i].text, word, c.w[i].len) == 0;
	vp_cmdline_free(&c);
	return found;
}

int vp_boot_check(struct vp_plan *plan, const char *orig, const char *merged,
		  const char *path, unsigned line, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL, *word = NULL;
	int r;

	r = vp_cmdline_check_size(merged, VP_CMDLINE_MAX, &msg);
	if (r < 0)
		return msg ? vp_fail(ret_msg, r, "'%s':%u: %s", path, line, msg) : r;
	if (!planned(plan, "default_hugepagesz"))
		return 0;
	r = vp_cmdline_default_hugepages(orig, &word);
	if (r < 0 || !word)
		return r == -ENOMEM ? r : 0;
	/* still on the line: the judge (plan-effective.c) says what the kernel makes of it */
	if (planned(plan, "hugepages") && has_word(merged, word))
		return 0;
	if (planned(plan, "hugepages"))
		return vp_plan_msg(plan, VP_MSG_WARN,
				   "'%s':%u: '%s' counts pages of the default size, which "
				   "default_hugepagesz=1G makes 1 GiB: replaced by our count "
				   "(write hugepagesz=2M before it to keep a 2 MiB pool)",
				   path, line, word);
	return vp_plan_msg(plan, VP_MSG_REFUSE,
			   "'%s':%u: '%s' counts pages of the default size, which "
			   "default_hugepagesz=1G would make 1 GiB pages; write "
			   "hugepagesz=2M before it (or remove it) first", path, line, word);
}

static char *join(const struct vp_plan *plan, bool removed)
{
	struct vp_buf b = {0};
	int r = vp_buf_puts(&b, "");

	for (size_t i = 0; i < plan->n_cmdline && r >= 0; i++) {
		const char *s = removed ? plan->cmdline[i].key : plan->cmdline[i].token;

		if (!plan->cmdline[i].token != removed)
			continue;
		if (b.len)
			r = vp_buf_puts(&b, " ");
		if (r >= 0)
			r = vp_buf_puts(&b, s);
	}
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

char *vp_boot_tokens(const struct vp_plan *plan)
{
	return join(plan, false);
}

char *vp_boot_removed_keys(const struct vp_plan *plan)
{
	return join(plan, true);
}

