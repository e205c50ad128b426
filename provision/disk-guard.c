// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Is a disk given to a guest in use read-write by the host? Partitions and
 * holders come from the root's sysfs (/sys/class/block/NAME/NAMEp,
 * NAME/holders/H), the mounts from libmount reading the root's
 * /proc/self/mountinfo and /proc/swaps. A device is known by its number
 * (st_rdev of a block device node, else sysfs's dev attribute) and by its
 * canonical path inside the root.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dir-iter.h"
#include "disk-guard.h"
#include "fsroot.h"
#include "mnt-api.h"
#include "number.h"
#include "root-mnt.h"

#define MAX_DEVS 256    /* a disk, its partitions and what is stacked on them */

struct dev {
	dev_t devno;            /* 0 when unknown */
	char *path;             /* canonical path inside the root, NULL when unknown */
	char *name;             /* sysfs name ("sdb1", "dm-0"), NULL when unknown */
};

struct devset {
	struct dev v[MAX_DEVS];
	size_t n;
};

static void devset_free(struct devset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].name);
	}
	s->n = 0;
}

static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

/* sysfs dev attribute "MAJ:MIN" of a block device name, 0 when absent or bad. */
static dev_t sysfs_devno(const struct vp_root *root, const char *name)
{
	_cleanup_free_ char *p = vp_strdup_printf("/sys/class/block/%s/dev", name), *s = NULL;
	unsigned long long maj, min;
	const char *q;

	if (!p || vp_root_read_line(root, p, &s) < 0)
		return 0;
	q = s;
	if (vp_parse_field(&q, 10, UINT_MAX, &maj) < 0 || *q++ != ':' ||
	    vp_parse_number(q, 10, UINT_MAX, &min) < 0)
		return 0;
	return makedev((unsigned)maj, (unsigned)min);
}

/* The sysfs name of a device number: the last component of /sys/dev/block/M:m. */
static char *sysfs_name(const struct vp_root *root, dev_t devno)
{
	_cleanup_free_ char *p = vp_strdup_printf("/sys/dev/block/%u:%u", major(devno),
						  minor(devno)), *target = NULL;

	if (!p || vp_root_readlink(root, p, &target) < 0)
		return NULL;
	return strdup(base_name(target));
}

/*
 * A device path inside the root: canonical path, number, sysfs name.
 * -ENOENT when it does not exist.
 */
static int resolve(const struct vp_root *root, const char *path, struct dev *ret, char **ret_msg)
{
	struct dev d = {0};
	struct stat st;
	int r;

	r = vp_root_resolve(root, path, &d.path, ret_msg);
	if (r < 0)
		return r;
	r = vp_root_stat(root, d.path, &st, NULL);
	if (r < 0) {
		free(d.path);
		return r;
	}
	if (S_ISBLK(st.st_mode)) {
		d.devno = st.st_rdev;
		d.name = sysfs_name(root, d.devno);
	}
	if (!d.name && vp_startswith(d.path, "/dev/"))
		d.name = strdup(base_name(d.path));
	if (!d.devno && d.name)
		d.devno = sysfs_devno(root, d.name);
	*ret = d;
	return 0;
}

static bool devset_has(const struct devset *s, dev_t devno, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if ((devno && s->v[i].devno == devno) ||
		    (name && s->v[i].name && strcmp(s->v[i].name, name) == 0))
			return true;
	return false;
}

/* Adds sysfs block device NAME (with its number, path /dev/NAME) once. */
static int devset_add_name(const struct vp_root *root, struct devset *s, const char *name)
{
	dev_t devno = sysfs_devno(root, name);
	struct dev *d;

	if (devset_has(s, devno, name))
		return 0;
	if (s->n == MAX_DEVS)
		return -E2BIG;
	d = &s->v[s->n];
	*d = (struct dev){.devno = devno, .name = strdup(name),
			  .path = vp_strdup_printf("/dev/%s", name)};
	if (!d->name || !d->path) {
		free(d->name);
		free(d->path);
		return -ENOMEM;
	}
	s->n++;
	return 0;
}

/*
 * The partitions (or with holders, what is stacked on it) of block device
 * NAME, from /sys/class/block/NAME[/holders], added to s. No such entry:
 * none. An entry that cannot be read is an error: the guard fails closed,
 * never taking "unreadable" for "no partitions".
 */
struct children {
	const struct vp_root *root;
	struct devset *s;
	const char *dir;
	bool holders;
};

static int add_child(int dfd, const char *name, void *userdata)
{
	const struct children *c = userdata;
	_cleanup_free_ char *part = NULL;

	(void)dfd;
	if (name[0] == '.')
		return 0;
	if (!c->holders) {
		/* partitions are the subdirectories with a "partition" attribute */
		part = vp_strdup_printf("%s/%s/partition", c->dir, name);
		if (!part)
			return -ENOMEM;
		if (!vp_root_exists(c->root, part))
			return 0;
	}
	return devset_add_name(c->root, c->s, name);
}

static int add_children(const struct vp_root *root, struct devset *s, const char *name,
			bool holders, char **ret_msg)
{
	_cleanup_free_ char *dir = vp_strdup_printf("/sys/class/block/%s%s", name,
						    holders ? "/holders" : ""), *msg = NULL;
	struct children c = {.root = root, .s = s, .dir = dir, .holders = holders};
	int r;

	if (!dir)
		return -ENOMEM;
	r = vp_dir_each(root, dir, add_child, &c, &msg);
	if (r == -ENOENT)
		return 0;       /* no sysfs entry: nothing stacked, no partitions */
	if (r < 0 && msg)
		return vp_fail(ret_msg, r, "%s; cannot tell what uses the disk", msg);
	return r;
}

/* The disk, its partitions, and (transitively) their holders. */
static int collect(const struct vp_root *root, const struct dev *disk, struct devset *s,
		   char **ret_msg)
{
	int r;

	s->v[0] = (struct dev){.devno = disk->devno,
			       .path = disk->path ? strdup(disk->path) : NULL,
			       .name = disk->name ? strdup(disk->name) : NULL};
	s->n = 1;
	if ((disk->path && !s->v[0].path) || (disk->name && !s->v[0].name))
		return -ENOMEM;
	if (!disk->name)
		return 0;
	r = add_children(root, s, disk->name, false, ret_msg);
	for (size_t i = 0; r >= 0 && i < s->n; i++)  /* s grows while we walk it */
		if (s->v[i].name)
			r = add_children(root, s, s->v[i].name, true, ret_msg);
	return r;
}

/* The member of s that a mount's source (number, path) is, or NULL. */
static const struct dev *find(const struct vp_root *root, const struct devset *s, dev_t devno,
			      const char *src)
{
	struct dev d = {0};
	const struct dev *hit = NULL;

	/* a real block device's number is reliable; 0:N (btrfs, overlay...) is not */
	if (devno && major(devno) != 0)
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].devno == devno)
				return &s->v[i];
	if (!src || src[0] != '/' || resolve(root, src, &d, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < s->n && !hit; i++)
		if ((d.devno && s->v[i].devno == d.devno) ||
		    (d.path && s->v[i].path && strcmp(d.path, s->v[i].path) == 0))
			hit = &s->v[i];
	free(d.path);
	free(d.name);
	return hit;
}

/* libmount's parser calls this for a line it cannot parse: fail, naming it. */
static bool has_ro(const char *opts)
{
	return opts && mnt_optstr_get_option(opts, "ro", NULL, NULL) == 0;
}

static int check_disk(const struct vp_root *root, const char *disk, const struct devset *s,
		      struct libmnt_table *mounts, struct libmnt_table *swaps,
		      struct vp_strv *busy)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	const char *shown = s->v[0].path ? s->v[0].path : disk;
	int r = 0;

	if (!it)
		return -ENOMEM;
	while (r >= 0 && mounts && mnt_table_next_fs(mounts, it, &fs) == 0) {
		const struct dev *d;

		if (has_ro(mnt_fs_get_vfs_options(fs)) || has_ro(mnt_fs_get_fs_options(fs)))
			continue;       /* read-only: the guest may have it */
		d = find(root, s, mnt_fs_get_devno(fs), mnt_fs_get_srcpath(fs));
		if (d)
			r = vp_strv_push_take(busy, vp_strdup_printf(
				"'%s' (%s): %s is mounted read-write on %s; unmount it (or mount "
				"it read-only)", disk, shown,
				d->path ? d->path : mnt_fs_get_srcpath(fs),
				mnt_fs_get_target(fs) ? mnt_fs_get_target(fs) : "?"));
	}
	mnt_reset_iter(it, MNT_ITER_FORWARD);
	while (r >= 0 && swaps && mnt_table_next_fs(swaps, it, &fs) == 0) {
		const struct dev *d = find(root, s, 0, mnt_fs_get_srcpath(fs));
		const char *dev = d && d->path ? d->path : mnt_fs_get_srcpath(fs);

		/* swap is not mounted: the remedy is swapoff */
		if (d)
			r = vp_strv_push_take(busy, vp_strdup_printf(
				"'%s' (%s): %s is in use as swap; turn it off (swapoff %s)", disk,
				shown, dev, dev));
	}
	mnt_free_iter(it);
	return r;
}

int vp_disk_guard(const struct vp_root *root, const struct vp_strv *disks,
		  struct vp_strv *ret_busy, struct vp_strv *ret_notes, char **ret_msg)
{
	struct libmnt_table *mounts = NULL, *swaps = NULL;
	struct devset *s = NULL;
	int r = 0;

	if (disks->n == 0)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = vp_root_mnt_table(root, "/proc/self/mountinfo", &mounts, ret_msg);
	if (r == -ENOENT)
		r = vp_fail(ret_msg, r, "'/proc/self/mountinfo': missing: cannot tell whether "
			    "the guest's disks are mounted");
	if (r < 0)
		goto out;
	r = vp_root_mnt_table(root, "/proc/swaps", &swaps, ret_msg);
	if (r == -ENOENT)
		r = 0;          /* no swap table: no swap in use */
	if (r < 0)
		goto out;
	for (size_t i = 0; i < disks->n; i++) {
		struct dev disk = {0};

		r = resolve(root, disks->v[i], &disk, ret_msg);
		if (r == -ENOENT) {
			r = vp_strv_push_take(ret_notes, vp_strdup_printf(
				"'%s' does not exist: not checked", disks->v[i]));
			if (r < 0)
				goto out;
			continue;
		}
		if (r < 0) {
			r = vp_fail(ret_msg, r, "'%s': %s", disks->v[i], strerror(-r));
			goto out;
		}
		r = collect(root, &disk, s, ret_msg);
		if (r >= 0)
			r = check_disk(root, disks->v[i], s, mounts, swaps, ret_busy);
		free(disk.path);
		free(disk.name);
		devset_free(s);
		if (r == -E2BIG)
			r = vp_fail(ret_msg, r, "'%s': more than %d partitions and holders",
				    disks->v[i], MAX_DEVS);
		if (r < 0)
			goto out;
	}
out:
	if (s)
		devset_free(s);
	free(s);
	mnt_unref_table(mounts);
	mnt_unref_table(swaps);
	return r;
}
