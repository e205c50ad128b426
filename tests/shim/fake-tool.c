// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for update-initramfs, grub-mkconfig, ... in fixture roots
 * (static: it runs chrooted in a root with no libc). Prints its argv and
 * exits with the number in /etc/fake-tool.status (0 when absent), so
 * t-engine.sh can test --regenerate's success and failure paths.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	FILE *f = fopen("/etc/fake-tool.status", "r");
	int status = 0;

	printf("fake-tool:");
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	if (f) {
		if (fscanf(f, "%d", &status) != 1)
			status = 99;
		fclose(f);
	}
	return status;
}
