// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest helper for tests/e2e/gpu.sh: holds a device node open, the way a
 * display server holds /dev/dri/card0, and says when, through named pipes,
 * so the test waits on events and never on time.
 *
 * Usage: drm-hold NODE READY CONTROL DONE
 *   opens NODE, writes "held" (or "failed", and exits 1) to READY, where a
 *   reader waits for it, then waits for a byte (or end of file)
 *   on CONTROL, closes NODE, and opens DONE for writing and closes it (a
 *   reader waiting on it returns: the node is free).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void signal_fifo(const char *path, const char *word)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (word && write(fd, word, strlen(word)) < 0)
		perror(path);
	close(fd);
}

int main(int argc, char **argv)
{
	char c;
	int node, ctl;

	if (argc != 5) {
		fprintf(stderr, "usage: drm-hold NODE READY CONTROL DONE\n");
		return 2;
	}
	node = open(argv[1], O_RDWR);
	if (node < 0) {
		perror(argv[1]);
		signal_fifo(argv[2], "failed\n");
		return 1;
	}
	signal_fifo(argv[2], "held\n");
	ctl = open(argv[3], O_RDONLY);
	if (ctl >= 0 && read(ctl, &c, 1) < 0)
		perror(argv[3]);
	close(node);
	signal_fifo(argv[4], NULL);
	return 0;
}
