// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The current content of every file a planner reads or edits, so that the
 * plan stays pure. Planners find them with vp_system_file(sys, path); a
 * file that does not exist is there with content == NULL.
 *
 * To let a planner see another file, add it to its target's descriptor
 * (targets.c): files, dirs (every *.conf in them) or dir_paths (whether a
 * directory exists).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir-iter.h"
#include "probe-internal.h"
#include "probe.h"
#include "target.h"

/*
 * The files every plan reads, then each target's (target.h, targets.c):
 * the probe loads exactly what the targets say they read.
 */
static int add_target_files(const struct vp_root *root, struct vp_system *sys,
			    const struct vp_target_files *in, size_t *cap, char **ret_msg);

static int load_file(const struct vp_root *root, struct vp_file *f, char **ret_msg)
{
	struct stat st;
	int r;

	r = vp_root_read_text(root, f->path, &f->content, &f->len, &st, ret_msg);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	f->mode = st.st_mode & 07777;
	return 0;
}

/* A new entry for path in sys->files; NULL in *ret when it is there already. */
static int new_entry(struct vp_system *sys, const char *path, size_t *cap, struct vp_file **ret)
{
	struct vp_file *f;

	*ret = NULL;
	if (vp_system_file(sys, path))
		return 0;       /* /boot and the ESP may be the same directory */
	if (sys->n_files == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		f = realloc(sys->files, *cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		sys->files = f;
	}
	f = &sys->files[sys->n_files];
	*f = (struct vp_file){.path = strdup(path)};
	if (!f->path)
		return -ENOMEM;
	sys->n_files++;
	*ret = f;
	return 0;
}

static int add_file(const struct vp_root *root, struct vp_system *sys, const char *path,
		    size_t *cap, char **ret_msg)
{
	struct vp_file *f;
	int r = new_entry(sys, path, cap, &f);

	return r < 0 || !f ? r : load_file(root, f, ret_msg);
}

static int add_dir(const struct vp_root *root, struct vp_system *sys, const char *path,
		   size_t *cap, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	struct vp_file *f;
	int fd, r;

	r = new_entry(sys, path, cap, &f);
	if (r < 0 || !f)
		return r;
	fd = vp_root_open_path(root, path, O_RDONLY | O_DIRECTORY, &msg);
	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return msg ? vp_fail(ret_msg, fd, "%s", msg)
			   : vp_fail(ret_msg, fd, "'%s': %s", path, strerror(-fd));
	close(fd);
	f->content = strdup("");
	f->mode = 0755;
	return f->content ? 0 : -ENOMEM;
}

static bool is_conf(const char *name)
{
	return vp_dropin_name(name, ".conf");
}

static int add_entries(const struct vp_root *root, struct vp_system *sys, const char *dir,
		       size_t *cap, char **ret_msg)
{
	struct vp_strv names = {0};
	int r;

	r = vp_root_list(root, dir, is_conf, &names, ret_msg);
	for (size_t i = 0; r >= 0 && i < names.n; i++)
		r = add_file(root, sys, names.v[i], cap, ret_msg);
	vp_strv_free(&names);
	return r;
}

int vp_probe_files(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	size_t cap = sys->n_files;
	int r;

	const struct vp_boot_target *bt[VP_BOOT_TARGETS_MAX];
	size_t n_bt = vp_boot_targets_all(bt, ARRAY_SIZE(bt));

	r = add_target_files(root, sys, vp_targets->core, &cap, ret_msg);
	for (size_t i = 0; i < n_bt && r >= 0; i++)
		r = add_target_files(root, sys, &bt[i]->in, &cap, ret_msg);
	for (size_t i = 1; i < vp_targets->n_generators && r >= 0; i++)
		r = add_target_files(root, sys, &vp_targets->generators[i]->in, &cap, ret_msg);
	return r;
}

static int add_target_files(const struct vp_root *root, struct vp_system *sys,
			    const struct vp_target_files *in, size_t *cap, char **ret_msg)
{
	int r = 0;

	for (const char *const *f = in->files; f && *f && r >= 0; f++)
		r = add_file(root, sys, *f, cap, ret_msg);
	for (const char *const *d = in->dirs; d && *d && r >= 0; d++)
		r = add_entries(root, sys, *d, cap, ret_msg);
	for (const char *const *d = in->dir_paths; d && *d && r >= 0; d++)
		r = add_dir(root, sys, *d, cap, ret_msg);
	return r;
}
