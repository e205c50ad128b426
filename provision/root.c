// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "root-cache.h"
#include "root.h"
#include "vp.h"

#define MAX_LINKS 40

int vp_root_open(struct vp_root *root, const char *dir)
{
	char *canon = NULL;
	int fd = -1, r;

	canon = realpath(dir ? dir : "/", NULL);
	if (!canon) {
		r = -errno;
		goto fail;
	}
	fd = open(canon, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (strcmp(canon, "/") == 0)
		canon[0] = '\0';
	root->dir = canon;
	root->fd = fd;
	root->nolink = (struct vp_strv){0};
	root->cache = NULL;
	return 0;
fail:
	free(canon);
	return r;
}

void vp_root_close(struct vp_root *root)
{
	if (root->fd >= 0)
		close(root->fd);
	free(root->dir);
	vp_strv_free(&root->nolink);
	root->dir = NULL;
	root->fd = -1;
}

int vp_root_forbid_links(struct vp_root *root, const char *dir)
{
	_cleanup_free_ char *parent = NULL, *canon = NULL;
	const char *slash = strrchr(dir, '/');

	if (dir[0] != '/' || !slash || !slash[1])
		return -EINVAL;
	/* the parents as they resolve now; the directory itself by its name */
	parent = slash == dir ? strdup("/") : strndup(dir, (size_t)(slash - dir));
	if (!parent)
		return -ENOMEM;
	/* parents that cannot be resolved: at least the path as written is ours */
	if (vp_root_resolve(root, parent, &canon, NULL) < 0)
		return vp_strv_push(&root->nolink, dir);
	return vp_strv_push_take(&root->nolink, vp_strdup_printf("%s%s", strcmp(canon, "/") ? canon : "",
								 slash));
}

/* A link at path is in a directory of ours (vp_root_forbid_links)? */
static bool link_forbidden(const struct vp_root *root, const char *path)
{
	for (size_t i = 0; i < root->nolink.n; i++) {
		size_t n = strlen(root->nolink.v[i]);

		if (strncmp(path, root->nolink.v[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

/*
 * The components still to walk, the next one last: pointers into copies of
 * the path and of each link target, split in place (no string a component).
 */
struct comps {
	struct vp_strv bufs;
	const char **v;
	size_t n, cap;
};

/* Pushes the components of s, in reverse, so pops give them in order. */
static int push_components(struct comps *st, const char *s)
{
	size_t first = st->n;
	char *copy = strdup(s), *c;
	int r;

	r = vp_strv_push_take(&st->bufs, copy);
	if (r < 0)
		return r;
	for (c = copy; *c;) {
		char *end;

		if (*c == '/') {
			c++;
			continue;
		}
		end = strchrnul(c, '/');
		if (st->n == st->cap) {
			size_t cap = st->cap ? st->cap * 2 : 16;
			const char **v = realloc(st->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			st->v = v;
			st->cap = cap;
		}
		st->v[st->n++] = c;
		c = *end ? end + 1 : end;
		*end = '\0';
	}
	for (size_t i = first, j = st->n; j > 0 && i < j - 1; i++, j--) {
		const char *t = st->v[i];

		st->v[i] = st->v[j - 1];
		st->v[j - 1] = t;
	}
	return 0;
}

static void comps_free(struct comps *st)
{
	vp_strv_free(&st->bufs);
	free(st->v);
}

static void truncate_last(struct vp_buf *b)
{
	char *slash = strrchr(b->s, '/');

	b->len = (size_t)(slash - b->s);
	b->s[b->len] = '\0';
}

static const char *root_name(const struct vp_root *root)
{
	return root->dir[0] ? root->dir : "/";
}

/*
 * Where to look up the last component of path (its parent path[0..len)):
 * the parent's kept descriptor and the component, else the root and the
 * whole path.
 */
static int dir_fd(const struct vp_root *root, const char *path, size_t len, const char **ret_name)
{
	int fd = len && root->cache ? vp_dircache_get(root->cache, path, len) : -1;

	*ret_name = fd >= 0 ? path + len + 1 : path + 1;
	return fd >= 0 ? fd : root->fd;
}

/*
 * What name (under dfd; res its canonical path) is: 1 a link, its target
 * in target; 0 there but not a link (a directory is kept when asked and
 * there is room); -ENOENT nothing there, -ENOTDIR under a file. Asked
 * in the order that costs one call for the likely answer: a directory on
 * the way or reached through a link is opened first, a name the caller
 * gave last (sysfs's device entries are links) is read as a link first.
 * A link swapped in between the calls is never followed: O_NOFOLLOW.
 */
static int component(const struct vp_root *root, int dfd, const char *name,
		     const struct vp_buf *res, bool dir_first, char *target, size_t size)
{
	ssize_t n;
	int fd;

	if (dir_first && root->cache && vp_dircache_room(root->cache)) {
		fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			vp_dircache_put(root->cache, res->s, res->len, fd);
			return 0;
		}
		if (errno != ENOTDIR)
			return -errno;
		/* a link, a file, or under something that is not a directory */
	}
	n = readlinkat(dfd, name, target, size - 1);
	if (n >= 0) {
		target[n] = '\0';
		return 1;
	}
	return errno == EINVAL ? 0 : -errno;
}

/*
 * The one resolver: every read, write, stat and listing under the root
 * starts here. Links are followed as the system booted from the root sees
 * them (an absolute target is taken from the root), and a ".." above the
 * root is refused, naming the link that led there, instead of being
 * clamped (openat2's RESOLVE_IN_ROOT) or followed onto the host.
 */
/* Whether path names each component once: no "//", ".", ".." or final "/". */
static bool plain(const char *path)
{
	for (const char *p = path; *p; p++)
		if (p[0] == '/' && (p[1] == '/' || p[1] == '\0' ||
				    (p[1] == '.' && (p[2] == '/' || p[2] == '\0' ||
						     (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))))
			return false;
	return true;
}

/*
 * Where the walk of path starts: at the longest prefix the cache knows
 * (a directory kept, so resolved and link-free, or one found absent),
 * with the rest of the components on the stack; else at the root with
 * all of them. A plain path only: the cache holds canonical ones.
 */
static int start(const struct vp_root *root, const char *path, struct comps *stack,
		 struct vp_buf *res, int *missing)
{
	size_t len = strlen(path);

	if (root->cache && plain(path))
		for (size_t n = len; n > 0; n--) {
			int kept;

			if (n < len && path[n] != '/')
				continue;
			kept = vp_dircache_get(root->cache, path, n);
			if (kept == VP_DIRCACHE_ABSENT) {
				*missing = -ENOENT;
				return vp_buf_puts(res, path);
			}
			if (kept >= 0) {
				int r = vp_buf_add(res, path, n);

				return r < 0 ? r : push_components(stack, path + n);
			}
		}
	return vp_buf_puts(res, "") < 0 ? -ENOMEM : push_components(stack, path);
}

/*
 * The resolution itself; *ret_missing (when asked) says whether the path
 * is there: 0, or -ENOENT or -ENOTDIR as opening it would fail.
 */
static int resolve(const struct vp_root *root, const char *path, bool dir_last, char **ret,
		   int *ret_missing, char **ret_msg)
{
	_cleanup_free_ char *link = NULL, *link_to = NULL;
	struct comps stack = {0};
	struct vp_buf res = {0};
	int links = 0, missing = 0, r;
	size_t named;

	if (path[0] != '/') {
		r = vp_fail(ret_msg, -EINVAL, "'%s': not an absolute path", path);
		goto fail;
	}
	r = start(root, path, &stack, &res, &missing);
	named = stack.n;
	if (r < 0)
		goto fail;
	while (stack.n > 0) {
		const char *c = stack.v[--stack.n];
		/* the caller's last component (the path's own are at the bottom) */
		bool named_last = stack.n == 0 && named > 0;
		char target[PATH_MAX];
		const char *name;
		size_t parent_len;
		int dfd;

		if (named > stack.n)
			named = stack.n;
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (res.len > 0) {
				truncate_last(&res);
				continue;
			}
			if (link)
				r = vp_fail(ret_msg, -EXDEV,
					    "'%s': the symbolic link '%s' -> '%s' leads outside the root %s",
					    path, link, link_to, root_name(root));
			else
				r = vp_fail(ret_msg, -EXDEV, "'%s': '..' leads outside the root %s",
					    path, root_name(root));
			goto fail;
		}
		parent_len = res.len;
		r = vp_buf_add(&res, "/", 1);
		if (r >= 0)
			r = vp_buf_puts(&res, c);
		if (r < 0)
			goto fail;
		if (missing)
			continue;
		if (root->cache) {
			int kept = vp_dircache_get(root->cache, res.s, res.len);

			if (kept >= 0)
				continue;       /* a directory walked before */
			if (kept == VP_DIRCACHE_ABSENT) {
				missing = -ENOENT;
				continue;
			}
		}
		dfd = dir_fd(root, res.s, parent_len, &name);
		r = component(root, dfd, name, &res, !named_last || dir_last, target,
			      sizeof(target));
		if (r == -ENOENT || r == -ENOTDIR) {
			/* the rest is kept as written; opening it fails */
			missing = r;
			r = 0;
			if (missing == -ENOENT && root->cache)
				vp_dircache_put_absent(root->cache, res.s, res.len);
			continue;
		}
		if (r < 0) {
			r = vp_fail(ret_msg, r, "'%s': %s", res.s, strerror(-r));
			goto fail;
		}
		if (r == 0)
			continue;
		if (++links > MAX_LINKS) {
			r = vp_fail(ret_msg, -ELOOP, "'%s': too many levels of symbolic links", path);
			goto fail;
		}
		if (link_forbidden(root, res.s)) {
			r = vp_fail(ret_msg, -ELOOP, "'%s': a symbolic link (to '%s') in "
				    "vfio-provision's state directory; not following it", res.s,
				    target);
			goto fail;
		}
		free(link);
		free(link_to);
		link = strdup(res.s);
		link_to = strdup(target);
		if (!link || !link_to) {
			r = -ENOMEM;
			goto fail;
		}
		truncate_last(&res);
		if (target[0] == '/') {
			res.len = 0;
			res.s[0] = '\0';
		}
		r = push_components(&stack, target);
		if (r < 0)
			goto fail;
	}
	if (res.len == 0)
		r = vp_buf_puts(&res, "/");
	if (r < 0)
		goto fail;
	comps_free(&stack);
	if (ret_missing)
		*ret_missing = missing;
	*ret = vp_buf_steal(&res);
	return *ret ? 0 : -ENOMEM;
fail:
	comps_free(&stack);
	vp_buf_free(&res);
	return r;
}

int vp_root_resolve(const struct vp_root *root, const char *path, char **ret, char **ret_msg)
{
	return resolve(root, path, false, ret, NULL, ret_msg);
}

/* -EXDEV with a message: a link appeared on a path resolved a moment ago. */
static int raced(const char *path, char **ret_msg)
{
	return vp_fail(ret_msg, -EXDEV, "'%s': a symbolic link appeared while it was opened; "
		       "not following it", path);
}

/* Why openat(O_NOFOLLOW) of name failed: a link there now is a race (-EXDEV). */
static int open_failed(int dfd, const char *name, const char *path, char **ret_msg)
{
	int err = errno;
	struct stat st;

	if ((err == ELOOP || err == ENOTDIR) &&
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return raced(path, ret_msg);
	return -err;
}

int vp_root_walk(const struct vp_root *root, char *canon, bool create, unsigned dir_mode,
		 struct vp_strv *created, int *ret_fd, const char **ret_name, char **ret_msg)
{
	char *p = canon + 1, *slash = NULL;
	int dfd, r;

	dfd = openat(root->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	while ((slash = strchr(p, '/'))) {
		int fd;

		*slash = '\0';
		fd = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			/* umask can only take bits away: fchmod below puts them back */
			if (mkdirat(dfd, p, dir_mode) < 0 && errno != EEXIST) {
				r = -errno;
				goto fail;
			}
			fd = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				r = open_failed(dfd, p, canon, ret_msg);
				goto fail;
			}
			/*
			 * The mode asked for, whatever the umask, set through the
			 * descriptor: a link swapped in by name after mkdirat
			 * is never followed.
			 */
			if (fchmod(fd, dir_mode) < 0) {
				r = -errno;
				close(fd);
				goto fail;
			}
			if (created) {
				r = vp_strv_push(created, canon);
				if (r < 0) {
					close(fd);
					goto fail;
				}
			}
			/* the new entry must survive a crash before the file in it does */
			if (fsync(dfd) < 0) {
				r = -errno;
				close(fd);
				goto fail;
			}
		}
		if (fd < 0) {
			r = open_failed(dfd, p, canon, ret_msg);
			goto fail;
		}
		*slash = '/';
		close(dfd);
		dfd = fd;
		p = slash + 1;
	}
	if (!*p) {
		r = -EISDIR;
		goto fail;
	}
	*ret_fd = dfd;
	*ret_name = p;
	return 0;
fail:
	if (slash)
		*slash = '/';
	close(dfd);
	return r;
}

/*
 * A file under a directory the probe keeps, opened the short way: its
 * parent resolved (most often found kept), the name opened O_NOFOLLOW
 * with no readlink before. -EAGAIN for everything else, and for a name
 * that is a link (ELOOP) or fails otherwise: the long way resolves it, or
 * says what is wrong in its words. Not for O_PATH (which opens a link
 * itself), O_DIRECTORY (a directory listed is kept, below) nor O_CREAT.
 */
static int open_short(const struct vp_root *root, const char *path, int flags)
{
	_cleanup_free_ char *parent = NULL, *canon = NULL, *absent = NULL;
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : "";
	int missing, kept, fd;

	if (!root->cache || (flags & (O_PATH | O_DIRECTORY | O_CREAT)) || path[0] != '/' || slash == path ||
	    !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EAGAIN;
	parent = strndup(path, (size_t)(slash - path));
	if (!parent)
		return -ENOMEM;
	if (resolve(root, parent, true, &canon, &missing, NULL) < 0)
		return -EAGAIN;
	if (missing)
		return missing;
	kept = vp_dircache_get(root->cache, canon, strlen(canon));
	if (kept < 0)
		return -EAGAIN;
	fd = openat(kept, name, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return -EAGAIN;
	absent = vp_strdup_printf("%s/%s", strcmp(canon, "/") ? canon : "", name);
	if (absent)
		vp_dircache_put_absent(root->cache, absent, strlen(absent));
	return -ENOENT;
}

int vp_root_open_path(const struct vp_root *root, const char *path, int flags, char **ret_msg)
{
	_cleanup_free_ char *canon = NULL;
	const char *name;
	int dfd = -1, kept, fd, missing, r;

	r = open_short(root, path, flags);
	if (r != -EAGAIN)
		return r;
	/* a directory asked for is kept as the last component: what is listed is looked into */
	r = resolve(root, path, flags & O_DIRECTORY, &canon, &missing, ret_msg);
	if (r < 0)
		return r;
	/* what the resolution found absent: no walk to fail again (unless it is to be made) */
	if (missing && !(flags & O_CREAT))
		return missing;
	if (strcmp(canon, "/") == 0) {
		fd = openat(root->fd, ".", flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	/* the parent kept open by the resolution (or the root itself): no second walk */
	kept = root->cache ? dir_fd(root, canon, (size_t)(strrchr(canon, '/') - canon), &name)
			   : root->fd;
	if (kept != root->fd || !strchr(canon + 1, '/')) {
		dfd = kept;
		name = strrchr(canon, '/') + 1;
	} else {
		r = vp_root_walk(root, canon, false, 0, NULL, &dfd, &name, ret_msg);
		if (r < 0)
			return r;
	}
	/* the last component was resolved too: a link there now is a race */
	fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
	r = fd >= 0 ? fd : (flags & O_PATH) ? -errno : open_failed(dfd, name, canon, ret_msg);
	if (dfd != kept)
		close(dfd);
	return r;
}

int vp_root_dir_fd(const struct vp_root *root, const char *path, bool *ret_kept, char **ret_msg)
{
	_cleanup_free_ char *canon = NULL;
	int fd, r;

	*ret_kept = false;
	if (root->cache) {
		r = vp_root_resolve(root, path, &canon, ret_msg);
		if (r < 0)
			return r;
		fd = vp_dircache_get(root->cache, canon, strlen(canon));
		if (fd >= 0) {
			*ret_kept = true;
			return fd;
		}
	}
	return vp_root_open_path(root, path, O_PATH | O_DIRECTORY, ret_msg);
}

int vp_root_check_dir(const struct vp_root *root, const char *path, char **ret_msg)
{
	bool kept;
	int fd = vp_root_dir_fd(root, path, &kept, ret_msg);

	if (fd < 0)
		return fd;
	if (!kept)
		close(fd);
	return 0;
}

int vp_root_openat(const struct vp_root *root, const char *path, int flags)
{
	return vp_root_open_path(root, path, flags, NULL);
}

int vp_root_host_path(const struct vp_root *root, const char *path, char **ret, char **ret_msg)
{
	_cleanup_free_ char *canon = NULL;
	int r;

	r = vp_root_resolve(root, path, &canon, ret_msg);
	if (r < 0)
		return r;
	*ret = vp_strdup_printf("%s%s", root->dir, strcmp(canon, "/") == 0 && root->dir[0] ? "" : canon);
	return *ret ? 0 : -ENOMEM;
}

int vp_root_stat(const struct vp_root *root, const char *path, struct stat *ret, char **ret_msg)
{
	int fd = vp_root_open_path(root, path, O_PATH, ret_msg);
	int r = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, ret) < 0)
		r = -errno;
	close(fd);
	return r;
}

const char *vp_file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a named pipe";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	default: return "not a file";
	}
}

/* "20 GiB": a size for a message, in the largest binary unit it reaches. */
static void human_size(unsigned long long n, char *buf, size_t len)
{
	static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	size_t u = 0;

	while (n >= 1024 && n % 1024 == 0 && u + 1 < ARRAY_SIZE(unit)) {
		n /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", n, unit[u]);
}

/* The file at path is bigger than max (size: its size, or what was read when !exact). */
static int too_big(const char *dir, const char *name, unsigned long long size, bool exact,
		   size_t max, char **ret_msg)
{
	char have[32], cap[32];

	human_size(size, have, sizeof(have));
	human_size(max, cap, sizeof(cap));
	return vp_fail(ret_msg, -EFBIG, "'%s%s%s': %s%s, more than the %s a file of this kind may "
		       "have; not reading it", dir, name ? "/" : "", name ? name : "", exact ? "" : "at least ", have, cap);
}

/* fd's stat in *st when it is a regular file of max bytes at most, else an error naming it. */
static int check_regular(int fd, const char *dir, const char *name, size_t max, struct stat *st,
			 char **ret_msg)
{
	if (fstat(fd, st) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return vp_fail(ret_msg, S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL,
			       "'%s%s%s': not a regular file (%s); not reading it", dir,
			       name ? "/" : "", name ? name : "", vp_file_type_name(st->st_mode));
	if ((unsigned long long)st->st_size > max)
		return too_big(dir, name, (unsigned long long)st->st_size, true, max, ret_msg);
	return 0;
}

/*
 * The one whole-file reader. O_NONBLOCK and the type check come first: a
 * FIFO (or a device) planted where a file belongs is refused at once,
 * never read (a read of a FIFO blocks until a writer comes). So is a file
 * bigger than max, by its size before a byte is read, and by what it gives
 * (a procfs or sysfs file says 0 or 4096 whatever it holds).
 */
/*
 * Reads fd (taken) whole (one_read: a sysfs attribute); dir/name (dir alone when name is NULL) is its
 * path for a message, joined only when there is one to say.
 */
static int read_fd(int fd, const char *dir, const char *name, size_t max, bool one_read,
		   char **ret, size_t *ret_len, struct stat *ret_st, char **ret_msg)
{
	struct vp_buf b = {0};
	struct stat st;
	char chunk[8192];
	ssize_t first = 0;
	int r;

	/*
	 * A sysfs attribute is read before the stat, which is needed only
	 * when the read is not a short one that gave something: a FIFO without
	 * a writer reads as nothing, a directory fails, a device fills the
	 * buffer, and each is then named below. (A FIFO whose writer is there
	 * gives what was written, without blocking, as a file would.)
	 */
	if (one_read) {
		first = read(fd, chunk, sizeof(chunk));
		if (first > 0 && (size_t)first < sizeof(chunk) && (size_t)first <= max && !ret_st) {
			close(fd);
			*ret = malloc((size_t)first + 1);
			if (!*ret)
				return -ENOMEM;
			memcpy(*ret, chunk, (size_t)first);
			(*ret)[first] = '\0';
			if (ret_len)
				*ret_len = (size_t)first;
			return 0;
		}
	}
	r = check_regular(fd, dir, name, max, &st, ret_msg);
	if (r < 0)
		goto fail;
	r = vp_buf_puts(&b, "");
	/* what the first read gave (a full buffer: the rest follows) */
	if (r >= 0 && first > 0)
		r = (size_t)first > max ? too_big(dir, name, (size_t)first, false, max, ret_msg)
					: vp_buf_add(&b, chunk, (size_t)first);
	while (r >= 0) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			r = too_big(dir, name, b.len + (size_t)n, false, max, ret_msg);
			break;
		}
		r = vp_buf_add(&b, chunk, (size_t)n);
		/*
		 * A sysfs attribute comes whole in one read: a short one is
		 * its end, and no second read is needed to see 0 (not so for
		 * procfs's tables, which come a page of records at a time).
		 */
		if (one_read && (size_t)n < sizeof(chunk))
			break;
	}
	if (r < 0)
		goto fail;
	close(fd);
	if (ret_len)
		*ret_len = b.len;
	if (ret_st)
		*ret_st = st;
	*ret = vp_buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
fail:
	close(fd);
	vp_buf_free(&b);
	return r;
}

static int read_whole(const struct vp_root *root, const char *path, size_t max, char **ret,
		      size_t *ret_len, struct stat *ret_st, char **ret_msg)
{
	int fd = vp_root_open_path(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, ret_msg);

	return fd < 0 ? fd : read_fd(fd, path, NULL, max, false, ret, ret_len, ret_st, ret_msg);
}

int vp_root_read_at(const struct vp_root *root, int dfd, const char *dir, const char *name,
		    size_t max, char **ret, size_t *ret_len, char **ret_msg)
{
	_cleanup_free_ char *path = NULL, *msg = NULL;
	int fd, r;

	fd = openat(dfd, name, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		r = read_fd(fd, dir, name, max, true, ret, ret_len, NULL, &msg);
		if (r >= 0 || r == -ENOMEM)
			return r;
	} else {
		r = -errno;
		if (r == -ENOENT)
			return r;
	}
	/* a link (resolved as the root sees it) or an error: the whole path */
	path = vp_strdup_printf("%s/%s", dir, name);
	if (!path)
		return -ENOMEM;
	if (r == -ELOOP)
		return vp_root_read_max(root, path, max, ret, ret_len, NULL, ret_msg);
	return msg ? vp_fail(ret_msg, r, "%s", msg)
		   : vp_fail(ret_msg, r, "'%s': %s", path, strerror(-r));
}

int vp_root_read(const struct vp_root *root, const char *path, char **ret, size_t *ret_len)
{
	return read_whole(root, path, VP_MAX_DATA, ret, ret_len, NULL, NULL);
}

int vp_root_read_st(const struct vp_root *root, const char *path, char **ret, size_t *ret_len,
		    struct stat *ret_st)
{
	return read_whole(root, path, VP_MAX_DATA, ret, ret_len, ret_st, NULL);
}

int vp_root_map(const struct vp_root *root, const char *path, size_t max, struct vp_map *ret,
		char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	struct stat st;
	void *p = NULL;
	int fd, r;

	fd = vp_root_open_path(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, &msg);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	r = check_regular(fd, path, NULL, max, &st, &msg);
	if (r >= 0 && st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			r = -errno;
	}
	close(fd);
	if (r >= 0)
		*ret = (struct vp_map){.s = p ? p : "", .len = p ? (size_t)st.st_size : 0};
out:
	if (r >= 0 || r == -ENOENT)
		return r;
	if (msg)
		return vp_fail(ret_msg, r, "%s", msg);
	return vp_fail(ret_msg, r, "'%s': %s", path, strerror(-r));
}

void vp_root_unmap(struct vp_map *m)
{
	if (m->len)
		munmap((void *)m->s, m->len);
	*m = (struct vp_map){0};
}

int vp_root_read_max(const struct vp_root *root, const char *path, size_t max, char **ret,
		     size_t *ret_len, struct stat *ret_st, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	int r;

	r = read_whole(root, path, max, ret, ret_len, ret_st, &msg);
	if (r >= 0 || r == -ENOENT)
		return r;
	if (msg)
		return vp_fail(ret_msg, r, "%s", msg);
	return vp_fail(ret_msg, r, "'%s': %s", path, strerror(-r));
}

int vp_root_read_text_max(const struct vp_root *root, const char *path, size_t max, char **ret,
			  size_t *ret_len, struct stat *ret_st, char **ret_msg)
{
	char *text = NULL;
	const char *nul;
	size_t len = 0;
	int r;

	r = vp_root_read_max(root, path, max, &text, &len, ret_st, ret_msg);
	if (r < 0)
		return r;
	/*
	 * Every parser and planner treats the content as a C string: a NUL
	 * would cut the file there, and the rest would be lost on the write.
	 */
	nul = memchr(text, '\0', len);
	if (nul) {
		size_t off = (size_t)(nul - text);

		free(text);
		return vp_fail(ret_msg, -EINVAL,
			       "'%s': byte offset %zu: NUL byte in a text file; not editing it",
			       path, off);
	}
	*ret = text;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int vp_root_read_text(const struct vp_root *root, const char *path, char **ret,
		      size_t *ret_len, struct stat *ret_st, char **ret_msg)
{
	return vp_root_read_text_max(root, path, VP_MAX_TEXT, ret, ret_len, ret_st, ret_msg);
}

int vp_root_check_regular(const struct vp_root *root, const char *path, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	struct stat st;
	int fd, r = 0;

	fd = vp_root_open_path(root, path, O_PATH, &msg);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return msg ? vp_fail(ret_msg, fd, "%s", msg)
			   : vp_fail(ret_msg, fd, "'%s': %s", path, strerror(-fd));
	if (fstat(fd, &st) < 0)
		r = vp_fail(ret_msg, -errno, "'%s': %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		r = vp_fail(ret_msg, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
			    "'%s': not a regular file (%s); not reading it", path,
			    vp_file_type_name(st.st_mode));
	close(fd);
	return r;
}

int vp_root_read_line(const struct vp_root *root, const char *path, char **ret)
{
	char *s = NULL, *nl;
	int r;

	r = read_whole(root, path, VP_MAX_ATTR, &s, NULL, NULL, NULL);
	if (r < 0)
		return r;
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	*ret = s;
	return 0;
}

bool vp_root_exists(const struct vp_root *root, const char *path)
{
	int fd = vp_root_openat(root, path, O_PATH);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int vp_root_readlink(const struct vp_root *root, const char *path, char **ret)
{
	_cleanup_free_ char *dir = NULL;
	const char *slash = strrchr(path, '/');
	char buf[PATH_MAX];
	bool kept;
	ssize_t n;
	int dfd;

	/* the directory is resolved; the link itself is read, not followed */
	if (!slash || !slash[1] || strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0)
		return -EINVAL;
	dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	dfd = vp_root_dir_fd(root, dir, &kept, NULL);
	if (dfd < 0)
		return dfd;
	n = readlinkat(dfd, slash + 1, buf, sizeof(buf) - 1);
	if (!kept)
		close(dfd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}
