// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for update-initramfs, grub-mkconfig, ... in fixture roots
 * (static: it runs chrooted in a root with no libc). Prints its argv,
 * appends it as one line to /etc/fake-tool.log when that file exists (a
 * test creates it to see which tools ran, whoever captured the output),
 * and exits with the number in /etc/fake-tool.status (0 when absent), so
 * t-engine.sh can test --regenerate's success and failure paths. With
 * /etc/fake-tool.env it also says whether /proc and /dev are there and what
 * environment it got.
 */
#include <stdio.h>
#include <stdlib.h>

static void put_argv(FILE *f, int argc, char **argv)
{
	fprintf(f, "fake-tool:");
	for (int i = 0; i < argc; i++)
		fprintf(f, " %s", argv[i]);
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	FILE *f = fopen("/etc/fake-tool.status", "r");
	FILE *log = fopen("/etc/fake-tool.log", "r+");
	int status = 0;

	put_argv(stdout, argc, argv);
	if (f) {
		if (fscanf(f, "%d", &status) != 1)
			status = 99;
		fclose(f);
	}
	if (log) {
		if (fseek(log, 0, SEEK_END) == 0)
			put_argv(log, argc, argv);
		if (fclose(log) != 0)
			status = 98;
	}
	/* what the tool finds around it: /proc, /dev, and its environment */
	log = fopen("/etc/fake-tool.env", "r+");
	if (log) {
		extern char **environ;
		int n = 0;

		for (char **e = environ; *e; e++)
			n++;
		fprintf(log, "proc=%s dev=%s env=%d PATH=%s VP_TEST_MARKER=%s\n",
			fopen("/proc/self/stat", "r") ? "yes" : "no",
			fopen("/dev/null", "w") ? "yes" : "no", n,
			getenv("PATH") ? getenv("PATH") : "", getenv("VP_TEST_MARKER") ?
			getenv("VP_TEST_MARKER") : "unset");
		if (fclose(log) != 0)
			status = 98;
	}
	return status;
}
