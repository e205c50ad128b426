// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The current content of every file a planner reads or edits, so that the
 * plan stays pure. Planners find them with vp_system_file(sys, path); a
 * file that does not exist is there with content == NULL.
 *
 * To let a planner see another file, add its path to the table below (or,
 * for a directory of drop-ins, to entry_dirs; for whether a directory
 * exists, to dir_paths).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe-internal.h"
#include "probe.h"

static const char *const file_paths[] = {
	"/etc/group",
	"/etc/fstab",
	"/etc/modprobe.d/vfio.conf",
	"/etc/vfio-provision/early.conf",
	"/etc/mkinitcpio.conf",
	"/etc/mkinitcpio.conf.d/vfio-provision.conf",
	"/etc/dracut.conf.d/vfio-provision.conf",
	"/etc/initramfs-tools/modules",
	"/etc/dracut.conf",             /* hostonly= (plan-dracut.c) */
	"/etc/default/grub",
	"/etc/default/grub.d/vfio-provision.cfg",
	"/etc/kernel/cmdline",
	"/boot/refind_linux.conf",
};

/*
 * Every "*.conf" in these directories is loaded too: BLS entries in
 * <ESP>/loader/entries; dracut's drop-ins (hostonly=, in dracut's own
 * order) and mkinitcpio's (HOOKS, for the modconf check).
 */
static const char *const entry_dirs[] = {"/boot/loader/entries", "/efi/loader/entries",
					  "/boot/efi/loader/entries", "/etc/dracut.conf.d",
					  "/usr/lib/dracut/dracut.conf.d",
					  "/etc/mkinitcpio.conf.d"};

/*
 * Directories whose existence a planner needs, recorded as a vp_file whose
 * path ends in '/': content "" when it is a directory, NULL otherwise.
 * mkinitcpio.conf.d: mkinitcpio v36+ reads drop-ins (plan-mkinitcpio.c).
 */
static const char *const dir_paths[] = {"/etc/mkinitcpio.conf.d/"};

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
	struct vp_file *f;
	DIR *d;
	int r;

	r = new_entry(sys, path, cap, &f);
	if (r < 0 || !f)
		return r;
	r = vp_root_opendir(root, path, &d);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", path, strerror(-r));
	closedir(d);
	f->content = strdup("");
	f->mode = 0755;
	return f->content ? 0 : -ENOMEM;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_entries(const struct vp_root *root, struct vp_system *sys, const char *dir,
		       size_t *cap, char **ret_msg)
{
	struct vp_strv names = {0};
	struct dirent *de;
	DIR *d;
	int r;

	r = vp_root_opendir(root, dir, &d);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return vp_fail(ret_msg, r, "'%s': %s", dir, strerror(-r));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l <= 5 || strcmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		r = vp_strv_push_take(&names, vp_strdup_printf("%s/%s", dir, de->d_name));
		if (r < 0)
			goto out;
	}
	/* readdir order is arbitrary: keep the model (and output) stable */
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		r = add_file(root, sys, names.v[i], cap, ret_msg);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	closedir(d);
	vp_strv_free(&names);
	return r;
}

int vp_probe_files(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	size_t cap = sys->n_files;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(file_paths); i++) {
		r = add_file(root, sys, file_paths[i], &cap, ret_msg);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(entry_dirs); i++) {
		r = add_entries(root, sys, entry_dirs[i], &cap, ret_msg);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dir_paths); i++) {
		r = add_dir(root, sys, dir_paths[i], &cap, ret_msg);
		if (r < 0)
			return r;
	}
	return 0;
}
