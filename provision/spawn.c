// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "quote.h"
#include "vp-spawn.h"

extern char **environ;

/*
 * In the child, before chroot: a private mount namespace with /proc, /sys
 * and /dev of this machine mounted on the root's own directories, as
 * arch-chroot and systemd-nspawn give a build tool (dracut, mkinitramfs and
 * kernel-install look at them). Nothing is mounted outside the namespace;
 * a directory the root lacks is left alone. Each target is opened without
 * following links and mounted on as the working directory ("."), so a link
 * in the root cannot send a mount elsewhere, and no /proc of our own is
 * needed to name it.
 *
 * The mounts may only land on mounts that were made private first, or they
 * would propagate to the host's mount table. That is "/" normally. When "/"
 * is not a mount point (vfio-provision itself runs in a plain chroot) its
 * propagation cannot be changed, nor even read: the mount that holds it is
 * outside the chroot. Then only a target that is a mount point itself can
 * be made private (as arch-chroot wants its target to be); otherwise the
 * tools run in the root as it is, with a note, and nothing is mounted.
 * Binding the target onto itself, as arch-chroot does, would be a mount on
 * that unreachable, possibly shared mount: a mount seen by the host.
 */
static int private_mounts(const struct vp_root *root)
{
	static const struct {
		const char *dir, *fstype, *source;
		unsigned long flags;
	} m[] = {
		{"proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC},
		{"sys", "sysfs", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY},
		{"dev", NULL, "/dev", MS_BIND | MS_REC},
	};
	int rfd = -1;

	if (unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "vfio-provision: cannot make a private mount namespace for the "
			"tools in '%s': %s (run the commands by hand)\n", root->dir, strerror(errno));
		return -1;
	}
	/* opened after unshare: a directory opened before belongs to the old namespace */
	rfd = open(root->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		fprintf(stderr, "vfio-provision: '%s': %s\n", root->dir, strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		if (errno != EINVAL)
			goto fail_private;
		if (fchdir(rfd) < 0 || mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			if (errno != EINVAL)
				goto fail_private;
			fprintf(stderr, "vfio-provision: note: '/' is not a mount point here (a chroot?), "
				"nor is '%s': the tools run there without /proc, /sys and /dev of "
				"their own, since a mount could reach the host's mount table "
				"(`mount --bind %s %s` first gives them these)\n",
				root->dir, root->dir, root->dir);
			close(rfd);
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		int fd = openat(rfd, m[i].dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (fchdir(fd) < 0 || mount(m[i].source, ".", m[i].fstype, m[i].flags, NULL) < 0) {
			fprintf(stderr, "vfio-provision: cannot mount /%s in '%s': %s\n", m[i].dir,
				root->dir, strerror(errno));
			close(fd);
			close(rfd);
			return -1;
		}
		close(fd);
	}
	close(rfd);
	return 0;
fail_private:
	fprintf(stderr, "vfio-provision: cannot make the mounts for the tools in '%s' private: "
		"%s (run the commands by hand)\n", root->dir, strerror(errno));
	close(rfd);
	return -1;
}

/* The tools get a plain environment, not the caller's (PATH of the root's system). */
static void clean_environment(void)
{
	const char *term = getenv("TERM");
	char *keep = term ? strdup(term) : NULL;

	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("LANG", "C.UTF-8", 1);
	if (keep)
		setenv("TERM", keep, 1);
	free(keep);
}

int vp_spawn(const struct vp_root *root, char *const argv[], int *ret_status, char **ret_msg)
{
	pid_t pid;
	int status, r;

	fflush(stdout);
	fflush(stderr);
	if (!root->dir[0]) {
		r = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
		if (r == ENOENT || r == EACCES) {
			*ret_status = 127;
			return 0;
		}
		if (r != 0)
			return vp_fail(ret_msg, -r, "cannot run %s: %s", argv[0], strerror(r));
	} else {
		pid = fork();
		if (pid < 0)
			return vp_fail(ret_msg, -errno, "cannot fork: %s", strerror(errno));
		if (pid == 0) {
			if (private_mounts(root) < 0)
				_exit(127);
			clean_environment();
			if (chroot(root->dir) < 0 || chdir("/") < 0) {
				fprintf(stderr, "vfio-provision: chroot '%s': %s\n", root->dir,
					strerror(errno));
				_exit(127);
			}
			execvp(argv[0], argv);
			fprintf(stderr, "vfio-provision: %s: %s\n", argv[0], strerror(errno));
			_exit(127);
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return vp_fail(ret_msg, -errno, "waitpid: %s", strerror(errno));
	if (WIFEXITED(status))
		*ret_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		*ret_status = 128 + WTERMSIG(status);
	else
		*ret_status = 255;
	return 0;
}

char *vp_spawn_cmdline(const struct vp_root *root, char *const argv[])
{
	struct vp_buf b = {0};
	int r = 0;

	if (root->dir[0]) {
		r = vp_buf_puts(&b, "chroot ");
		if (r == 0)
			r = vp_sh_quote(&b, root->dir);
		if (r == 0)
			r = vp_buf_puts(&b, " ");
	}
	for (size_t i = 0; argv[i] && r == 0; i++) {
		if (i)
			r = vp_buf_puts(&b, " ");
		if (r == 0)
			r = vp_sh_quote(&b, argv[i]);
	}
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}
