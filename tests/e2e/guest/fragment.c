// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bench helper, runs in the guest: fragments physical memory the way a
 * long-running desktop does, so that a naive runtime `echo N > nr_hugepages`
 * can be compared with the early reservation. Interleaves movable anonymous
 * memory with small files (page cache in the initramfs' ramfs plus their
 * unmovable inode and dentry slab), then frees the anonymous memory: what is
 * left is pinned pages scattered through every 1 GiB block.
 *
 * Usage: fragment FILL_MIB [FILES_PER_CHUNK]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (32UL << 20)

int main(int argc, char **argv)
{
	unsigned long fill = argc > 1 ? strtoul(argv[1], NULL, 10) << 20 : 1UL << 30;
	unsigned long per = argc > 2 ? strtoul(argv[2], NULL, 10) : 256;
	unsigned long n = fill / CHUNK, files = 0;
	char **chunks = calloc(n, sizeof(*chunks));
	char path[64];

	if (!chunks)
		return 1;
	mkdir("/frag", 0755);
	for (unsigned long i = 0; i < n; i++) {
		chunks[i] = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (chunks[i] == MAP_FAILED) {
			chunks[i] = NULL;
			break;
		}
		memset(chunks[i], 1, CHUNK);
		for (unsigned long j = 0; j < per; j++, files++) {
			int fd;
			snprintf(path, sizeof(path), "/frag/%lu", files);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0)
				break;
			if (write(fd, "x", 1) < 0)
				files += 0;
			close(fd);
		}
	}
	for (unsigned long i = 0; i < n; i++)
		if (chunks[i])
			munmap(chunks[i], CHUNK);
	printf("FRAGMENT fill_mib=%lu files=%lu\n", fill >> 20, files);
	return 0;
}
