// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Boot details for the kernel cmdline planners: what root= a new
 * /etc/kernel/cmdline must carry, where grub.cfg is, whether Debian's
 * /etc/default/grub.d is read, whether kernel-install builds UKIs.
 * Read-only, everything resolved inside the root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dir-iter.h"
#include "probe-internal.h"
#include "mnt-api.h"
#include "probe.h"

/* fstab's source for "/" as libmount reads it; NULL when there is none. */
static int fstab_root_source(const struct vp_system *sys, char **ret)
{
	const struct vp_file *f = vp_system_file(sys, "/etc/fstab");
	struct libmnt_table *tb = NULL;
	struct libmnt_fs *fs;
	FILE *fp = NULL;
	int r = 0;

	*ret = NULL;
	if (!f || !f->content || !f->len)
		return 0;
	tb = mnt_new_table();
	fp = fmemopen(f->content, f->len, "r");
	if (!tb || !fp) {
		r = -ENOMEM;
		goto out;
	}
	/* a broken fstab is fstab's planner's business: just no root then */
	if (mnt_table_parse_stream(tb, fp, "/etc/fstab") < 0)
		goto out;
	fs = mnt_table_find_target(tb, "/", MNT_ITER_BACKWARD);
	if (fs && mnt_fs_get_source(fs)) {
		*ret = strdup(mnt_fs_get_source(fs));
		if (!*ret)
			r = -ENOMEM;
	}
out:
	if (fp)
		fclose(fp);
	mnt_unref_table(tb);
	return r;
}

/* "UUID=..." of a block device under the root, NULL when blkid finds none. */
static char *device_uuid(const struct vp_root *root, const char *dev)
{
	blkid_probe pr = NULL;
	const char *uuid = NULL;
	char *spec = NULL;
	int fd;

	fd = vp_root_openat(root, dev, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0)
		goto out;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_UUID);
	if (blkid_do_safeprobe(pr) == 0 &&
	    blkid_probe_lookup_value(pr, "UUID", &uuid, NULL) == 0 && uuid)
		spec = vp_strdup_printf("UUID=%s", uuid);
out:
	blkid_free_probe(pr);
	close(fd);
	return spec;
}

static int probe_root_spec(const struct vp_root *root, struct vp_system *sys)
{
	_cleanup_free_ char *src = NULL;
	char *name = NULL, *value = NULL;
	int r;

	r = fstab_root_source(sys, &src);
	if (r < 0 || !src)
		return r;
	/* a tag (UUID=, PARTUUID=, LABEL=) is already what root= wants */
	if (blkid_parse_tag_string(src, &name, &value) == 0) {
		free(name);
		free(value);
		sys->root_spec = src;
		src = NULL;
		return 0;
	}
	/* a device path: its UUID survives renumbering, else keep the path */
	sys->root_spec = device_uuid(root, src);
	if (!sys->root_spec) {
		sys->root_spec = src;
		src = NULL;
	}
	return 0;
}

static bool have_program(const struct vp_root *root, const char *name)
{
	static const char *const dirs[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *p = vp_strdup_printf("%s/%s", dirs[i], name);

		if (p && vp_root_exists(root, p))
			return true;
	}
	return false;
}

#define GRUB_D "/etc/default/grub.d"

static int add_cfg(int dfd, const char *name, void *userdata)
{
	(void)dfd;
	if (!vp_dropin_name(name, ".cfg"))
		return 0;
	return vp_strv_push_take(userdata, vp_strdup_printf(GRUB_D "/%s", name));
}

/* Loads /etc/default/grub.d/ *.cfg (sorted) into sys->files. */
static int load_grub_d(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	struct vp_strv names = {0};
	int r;

	r = vp_dir_each(root, GRUB_D, add_cfg, &names, &msg);
	if (r == -ENOENT || r == -ENOTDIR) {
		r = 0;
		goto out;
	}
	if (r < 0) {
		r = vp_fail(ret_msg, r, "%s", msg ? msg : strerror(-r));
		goto out;
	}
	sys->grub_d = true;
	for (size_t i = 0; i < names.n; i++) {
		struct vp_file *files, *f;
		char *content = NULL;
		size_t len = 0;

		if (vp_system_file(sys, names.v[i]))
			continue;
		r = vp_root_read_text(root, names.v[i], &content, &len, NULL, ret_msg);
		if (r < 0) {
			if (r == -ENOENT)
				r = vp_fail(ret_msg, r, "'%s': %s", names.v[i], strerror(-r));
			goto out;
		}
		files = realloc(sys->files, (sys->n_files + 1) * sizeof(*files));
		if (!files) {
			free(content);
			r = -ENOMEM;
			goto out;
		}
		sys->files = files;
		f = &files[sys->n_files++];
		*f = (struct vp_file){.path = strdup(names.v[i]), .content = content,
				      .len = len, .mode = 0644};
		if (!f->path) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = 0;
out:
	vp_strv_free(&names);
	return r;
}

int vp_probe_bootcfg(const struct vp_root *root, const struct vp_probe_opts *opts,
		     struct vp_system *sys, char **ret_msg)
{
	static const char *const cfgs[] = {"/boot/grub/grub.cfg", "/boot/grub2/grub.cfg"};
	_cleanup_free_ char *install_conf = NULL;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(cfgs) && !sys->grub_cfg; i++)
		if (vp_root_exists(root, cfgs[i])) {
			sys->grub_cfg = strdup(cfgs[i]);
			if (!sys->grub_cfg)
				return -ENOMEM;
		}
	sys->have_update_grub = have_program(root, "update-grub");
	/* kernel-install builds UKIs with layout=uki or a uki.conf for ukify */
	sys->uki = vp_root_exists(root, "/etc/kernel/uki.conf");
	if (vp_root_read(root, "/etc/kernel/install.conf", &install_conf, NULL) == 0 &&
	    strstr(install_conf, "layout=uki"))
		sys->uki = true;
	if (!opts->no_root_spec) {
		r = probe_root_spec(root, sys);
		if (r < 0)
			return r;
	}
	return load_grub_d(root, sys, ret_msg);
}
