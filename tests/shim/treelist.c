// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * treelist ROOT [-x PATH]...: one line per entry under ROOT, sorted by path:
 *   PATH<TAB>TYPE MODE UID:GID [HASH|-> TARGET]
 * (HASH: 64-bit FNV-1a of a file's bytes). Skips sys, proc and lib/modules
 * (generated, never written) and every -x PATH (relative, e.g. var/lib/x).
 * One process instead of find|sha256sum|awk|sort: the crash test calls it
 * thousands of times.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char **lines;
static size_t n_lines, cap;
static const char *excl[16] = {"sys", "proc", "lib/modules"};
static size_t n_excl = 3;

static void add(char *s)
{
	if (n_lines == cap) {
		cap = cap ? cap * 2 : 256;
		lines = realloc(lines, cap * sizeof(*lines));
		if (!lines)
			exit(2);
	}
	lines[n_lines++] = s;
}

static uint64_t hash_file(int dfd, const char *name)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned char buf[8192];
	ssize_t n;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ULL;
	close(fd);
	return h;
}

static void walk(int dfd, const char *rel)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d)
		exit(2);
	while ((de = readdir(d))) {
		char path[4096], extra[4200], *line;
		struct stat st;
		bool skip = false;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		for (size_t i = 0; i < n_excl; i++)
			if (!strcmp(path, excl[i]))
				skip = true;
		if (skip || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		extra[0] = '\0';
		if (S_ISREG(st.st_mode)) {
			snprintf(extra, sizeof(extra), " %016llx",
				 (unsigned long long)hash_file(dirfd(d), de->d_name));
		} else if (S_ISLNK(st.st_mode)) {
			char t[4096];
			ssize_t n = readlinkat(dirfd(d), de->d_name, t, sizeof(t) - 1);

			t[n < 0 ? 0 : n] = '\0';
			snprintf(extra, sizeof(extra), " -> %s", t);
		}
		if (asprintf(&line, "%s\t%c %o %u:%u%s", path,
			     S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' :
			     S_ISLNK(st.st_mode) ? 'l' : 'o', st.st_mode & 07777,
			     (unsigned)st.st_uid, (unsigned)st.st_gid, extra) < 0)
			exit(2);
		add(line);
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

			if (fd >= 0)
				walk(fd, path);
		}
	}
	closedir(d);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: treelist ROOT [-x PATH]...\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2)
		if (!strcmp(argv[i], "-x") && n_excl < 16)
			excl[n_excl++] = argv[i + 1];
	fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	walk(fd, "");
	qsort(lines, n_lines, sizeof(*lines), cmp);
	for (size_t i = 0; i < n_lines; i++)
		puts(lines[i]);
	return 0;
}
