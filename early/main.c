// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-provision-early: runs in the initramfs before any module loads. Binds
 * the configured functions to vfio-pci and reserves 1 GiB pages while memory
 * is still unfragmented, then logs one line to /dev/kmsg.
 *
 * It ALWAYS exits 0: nothing it does may stop a boot.
 *
 * Usage: vfio-provision-early [--root DIR]   (DIR: a fake tree, for tests)
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vpe.h"

static int kmsg_fd = -1;

static void kmsg_log(void *ctx, enum vpe_level level, const char *msg)
{
	char buf[VPE_MSG_MAX + 8];
	int n;

	(void)ctx;
	if (kmsg_fd < 0) {
		fprintf(stderr, "%s\n", msg);
		return;
	}
	/* One write per record: /dev/kmsg takes "<level>text" as one line. */
	n = snprintf(buf, sizeof(buf), "<%d>%s\n", (int)level, msg);
	if (n > 0 && write(kmsg_fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0)
		fprintf(stderr, "%s\n", msg);
}

int main(int argc, char **argv)
{
	struct vpe_io io = vpe_io_sys;
	const char *root = "";
	char path[512];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
			root = argv[++i];
		else if (strncmp(argv[i], "--root=", 7) == 0)
			root = argv[i] + 7;
		else
			fprintf(stderr, "vfio-provision-early: unknown argument '%s' ignored\n", argv[i]);
	}

	if (vpe_path(path, sizeof(path), root, "/dev/kmsg") == 0)
		kmsg_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	io.log = kmsg_log;
	vpe_run(&io, root);
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	return 0;
}
