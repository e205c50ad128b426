// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vp-spawn.h"

extern char **environ;

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

static int put_quoted(struct vp_buf *b, const char *s)
{
	int r;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			   "-_./=:,+@%") == strlen(s))
		return vp_buf_puts(b, s);
	r = vp_buf_puts(b, "'");
	for (; *s && r == 0; s++)
		r = *s == '\'' ? vp_buf_puts(b, "'\\''") : vp_buf_add(b, s, 1);
	return r ? r : vp_buf_puts(b, "'");
}

char *vp_spawn_cmdline(const struct vp_root *root, char *const argv[])
{
	struct vp_buf b = {0};
	int r = 0;

	if (root->dir[0]) {
		r = vp_buf_puts(&b, "chroot ");
		if (r == 0)
			r = put_quoted(&b, root->dir);
		if (r == 0)
			r = vp_buf_puts(&b, " ");
	}
	for (size_t i = 0; argv[i] && r == 0; i++) {
		if (i)
			r = vp_buf_puts(&b, " ");
		if (r == 0)
			r = put_quoted(&b, argv[i]);
	}
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}
