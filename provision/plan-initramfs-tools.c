// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * initramfs-tools (Debian, Ubuntu): a managed block in
 * /etc/initramfs-tools/modules, a shared file edited in place between
 * "# BEGIN vfio-provision" and "# END vfio-provision", every other byte kept.
 * The hook and init-top script that carry the early program are installed
 * files, not planned. modprobe.d is always copied into these images, so no
 * cmdline token is needed. Pure.
 */
#include <errno.h>
#include <string.h>

#include "plan-regen.h"
#include "plan-initramfs.h"

/* A line without its newline; true when it is exactly `marker` (trailing blanks allowed). */
static bool line_is(const char *l, size_t len, const char *marker)
{
	size_t n = strlen(marker);

	while (len > n && (l[len - 1] == ' ' || l[len - 1] == '\t' || l[len - 1] == '\r'))
		len--;
	return len == n && strncmp(l, marker, n) == 0;
}

static bool line_is_module(const char *l, size_t len)
{
	size_t i = 0;

	while (i < len && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return i < len && l[i] != '#' && l[i] != '\r';
}

int vp_plan_initramfs_tools(const struct vp_initramfs_ctx *c, struct vp_plan *plan,
			    char **ret_msg)
{
	const struct vp_file *f = vp_system_file(c->sys, VP_ITOOLS_MODULES);
	const char *old = f && f->content ? f->content : NULL;
	size_t old_len = old ? f->len : 0;
	size_t begin = SIZE_MAX, end = SIZE_MAX, first_module = SIZE_MAX;
	unsigned begin_no = 0, no = 0;
	struct vp_buf block = {0}, b = {0};
	int r;

	(void)ret_msg;
	/* Find our block (offsets of its first byte and of the byte after END's newline). */
	for (size_t off = 0; old && off < old_len;) {
		const char *l = old + off, *nl = memchr(l, '\n', old_len - off);
		size_t len = nl ? (size_t)(nl - l) : old_len - off;
		size_t next = off + len + (nl ? 1 : 0);

		no++;
		if (line_is(l, len, VP_ITOOLS_BEGIN)) {
			if (begin != SIZE_MAX)
				return vp_plan_msg(plan, VP_MSG_REFUSE,
						   "'%s':%u: a second '%s' (the first is on line %u); "
						   "fix the file by hand", VP_ITOOLS_MODULES, no,
						   VP_ITOOLS_BEGIN, begin_no);
			begin = off;
			begin_no = no;
		} else if (line_is(l, len, VP_ITOOLS_END)) {
			if (begin == SIZE_MAX || end != SIZE_MAX)
				return vp_plan_msg(plan, VP_MSG_REFUSE,
						   "'%s':%u: '%s' without a '%s' before it; fix the "
						   "file by hand", VP_ITOOLS_MODULES, no, VP_ITOOLS_END,
						   VP_ITOOLS_BEGIN);
			end = next;
		} else if (begin == SIZE_MAX && first_module == SIZE_MAX && line_is_module(l, len)) {
			first_module = off;
		}
		off = next;
	}
	if (begin != SIZE_MAX && end == SIZE_MAX)
		return vp_plan_msg(plan, VP_MSG_REFUSE,
				   "'%s':%u: '%s' without a matching '%s'; fix the file by hand",
				   VP_ITOOLS_MODULES, begin_no, VP_ITOOLS_BEGIN, VP_ITOOLS_END);

	r = 0;
	if (c->list.n) {
		r = vp_buf_printf(&block, "%s\n# vfio modules, loaded in this order before the "
				  "modules listed below\n", VP_ITOOLS_BEGIN);
		for (size_t i = 0; r >= 0 && i < c->list.n; i++)
			r = vp_buf_printf(&block, "%s\n", c->list.v[i]);
		if (r >= 0)
			r = vp_buf_printf(&block, "%s\n", VP_ITOOLS_END);
		if (r < 0)
			goto fail;
	}

	if (begin != SIZE_MAX) {
		/* replace the block where it is (an empty list drops it) */
		r = vp_buf_add(&b, old, begin);
		if (r >= 0 && block.len)
			r = vp_buf_add(&b, block.s, block.len);
		if (r >= 0)
			r = vp_buf_add(&b, old + end, old_len - end);
	} else if (block.len) {
		/*
		 * A new block goes before the first module line: the generated
		 * init loads the modules in file order, and vfio-pci must claim
		 * the GPU before a GPU driver listed for early KMS.
		 */
		size_t at = first_module != SIZE_MAX ? first_module : old_len;

		r = vp_buf_add(&b, old ? old : "", at);
		if (r >= 0 && at > 0 && old[at - 1] != '\n')
			r = vp_buf_puts(&b, "\n");
		if (r >= 0)
			r = vp_buf_add(&b, block.s, block.len);
		if (r >= 0 && at < old_len)
			r = vp_buf_add(&b, old + at, old_len - at);
	} else {
		/* nothing to list and no block of ours: leave the file alone */
		goto command;
	}
	if (r < 0)
		goto fail;
	r = vp_plan_add_file(plan, VP_ITOOLS_MODULES, vp_buf_steal(&b), 0644, false,
			     "initramfs-tools: vfio modules first in every image");
	if (r < 0)
		goto fail;

command:
	vp_buf_free(&block);
	return vp_regen_initramfs(c->sys, c->gen, plan);
fail:
	vp_buf_free(&block);
	vp_buf_free(&b);
	return r;
}
