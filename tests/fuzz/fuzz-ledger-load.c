// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ledger on disk, not only its text: the input is written as the ledger
 * of a scratch root (on /dev/shm where there is one) that holds blobs/1..4
 * and /etc/a, /etc/b (the contents of blobs 1 and 2), and is then loaded:
 * blobs read, in-flight lines settled against the files. Invariants: an
 * error always has a message, success never; after load nothing is in
 * flight; a new blob gets a number no entry uses, which the ledger can name
 * (never blobs/0, even past 2^64-1); what load gives formats to a text that
 * parses back to the same text; save then load gives the same ledger again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "ledger.h"

static char dir[64];
static struct vp_root root = {.fd = -1};

static void put(const char *rel, const void *data, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len))
		abort();
	close(fd);
}

/* blobs/ as the input finds it: 1..4 and nothing else */
static void reset(void)
{
	static const char *const blob[] = {"a\n", "b\n", "# Managed by vfio-provision\nc\n", ""};
	char path[256];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/var/lib/vfio-provision/blobs", dir);
	d = opendir(path);
	if (!d)
		abort();
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	for (int i = 0; i < 4; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "var/lib/vfio-provision/blobs/%d", i + 1);
		put(rel, blob[i], strlen(blob[i]));
	}
	put("etc/a", blob[0], strlen(blob[0]));
	put("etc/b", blob[1], strlen(blob[1]));
}

static void setup(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char p[128];

	snprintf(dir, sizeof(dir), "%s/vp-fuzz-ledger-XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/lib", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/lib/vfio-provision", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/lib/vfio-provision/blobs", dir);
	mkdir(p, 0755);
	if (vp_root_open(&root, dir) < 0)
		abort();
}

static unsigned long blob_no(const char *b)
{
	return b ? strtoul(b + 6, NULL, 10) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_ledger l = {0}, l2 = {0}, l3 = {0};
	char *msg = NULL, *text = NULL, *text2 = NULL, *text3 = NULL, *blob = NULL;
	unsigned long n;
	int r;

	if (!dir[0])
		setup();
	reset();
	put("var/lib/vfio-provision/ledger", data, size);
	r = vp_ledger_load(&root, &l, &msg);
	FUZZ_CHECK(r <= 0);
	FUZZ_CHECK((r < 0) == (msg != NULL) || r == -ENOMEM);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++)
		FUZZ_CHECK(l.f[i].next == VP_NEXT_NONE);

	/* a new blob: a number nothing uses, a name a ledger may hold */
	r = vp_ledger_blob(&root, &l, "x", 1, &blob, &msg);
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(strncmp(blob, "blobs/", 6) == 0 && blob[6] >= '1' && blob[6] <= '9');
	n = blob_no(blob);
	FUZZ_CHECK(n > 0);
	for (size_t i = 0; i < l.n; i++)
		FUZZ_CHECK(blob_no(l.f[i].base_blob) != n && blob_no(l.f[i].ours_blob) != n &&
			   blob_no(l.f[i].next_blob) != n && blob_no(l.f[i].next_base_blob) != n);

	/* the text of what was loaded parses back to the same text */
	FUZZ_CHECK(vp_ledger_format(&l, &text) == 0);
	FUZZ_CHECK(vp_ledger_parse(text, "fuzz-again", &l2, &msg) == 0);
	FUZZ_CHECK(vp_ledger_format(&l2, &text2) == 0);
	FUZZ_CHECK(strcmp(text, text2) == 0);

	/* saved and loaded again: the same ledger (the unnamed blob swept) */
	r = vp_ledger_save(&root, &l, &msg);
	FUZZ_CHECK(r == 0);
	r = vp_ledger_load(&root, &l3, &msg);
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(vp_ledger_format(&l3, &text3) == 0);
	FUZZ_CHECK(strcmp(text, text3) == 0);
out:
	free(msg);
	free(text);
	free(text2);
	free(text3);
	free(blob);
	vp_ledger_free(&l);
	vp_ledger_free(&l2);
	vp_ledger_free(&l3);
	return 0;
}
