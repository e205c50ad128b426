// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verify: the generic checks and the dispatch to the consumer checks
 * (verify-<kind>.c), which add to the report (verify-report.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "fsroot.h"
#include "verify.h"

/* Which consumer reads which file. */
static const struct {
	const char *path;
	vp_verify_fn fn;
} consumers[] = {
	{"/etc/modprobe.d/vfio.conf", vp_verify_modprobe},
	{"/etc/fstab", vp_verify_fstab},
};

int vp_verify_file(const struct vp_root *root, const struct vp_plan_file *file,
		   struct vp_verify_report *rep)
{
	_cleanup_free_ char *cur = NULL, *msg = NULL;
	size_t len = 0;
	int r;

	rep->n_checked++;
	/* refuses a non-regular file, a link leaving the root and a NUL byte, naming them */
	r = vp_root_read_text(root, file->path, &cur, &len, NULL, &msg);
	if (r == -ENOENT) {
		if (file->content)
			return vp_verify_add(rep, VP_VERIFY_ERROR, "'%s': missing (run apply)",
					     file->path);
		return 0;
	}
	if (r < 0)
		return vp_verify_add(rep, VP_VERIFY_ERROR, "%s", msg ? msg : strerror(-r));
	if (!file->content)
		return vp_verify_add(rep, VP_VERIFY_ERROR,
				     "'%s': should not exist (run apply)", file->path);
	if (file->owned && !vp_startswith(cur, VP_MANAGED_HEADER)) {
		r = vp_verify_add(rep, VP_VERIFY_ERROR,
				  "'%s':1: not managed by vfio-provision (no '%s' header)",
				  file->path, VP_MANAGED_HEADER);
		if (r < 0)
			return r;
	}
	if (strcmp(cur, file->content) != 0) {
		r = vp_verify_add(rep, VP_VERIFY_WARN,
				  "'%s': differs from the plan (run plan to see how)", file->path);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(consumers); i++)
		if (strcmp(consumers[i].path, file->path) == 0)
			return consumers[i].fn(root, file, cur, len, rep);
	return 0;
}
