// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * On real files in a temporary root: vp_probe_drivers against a module
 * tree built by tests/mkroot.sh (depmod'ed, read with libkmod), and the
 * modprobe.d / fstab consumer checks of verify.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "plan-fstab.h"
#include "plan-modprobe.h"
#include "probe.h"
#include "verify.h"

extern char **environ;

static char tmp[64];

static void put(const char *rel, const char *text)
{
	char path[512], dir[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(tmp) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void rm(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	unlink(path);
}

static int setup(void **state)
{
	char spec[128];
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	char script[512];
	char *argv[] = {"bash", script, spec, tmp, NULL};
	pid_t pid;
	int st;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/vp-unit-verify.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(script, sizeof(script), "%s/tests/mkroot.sh", top);
	snprintf(spec, sizeof(spec), "%s/root.spec", tmp);
	put("/root.spec",
	    "kernel 6.1.0-18-amd64\n"
	    "kernel 6.8.0-45-generic running\n"
	    "module 6.1.0-18-amd64 nvidia alias=pci:v000010DEd*sv*sd*bc03sc00i00*\n"
	    "module 6.8.0-45-generic nouveau alias=pci:v000010DEd*sv*sd*bc03sc*i*\n"
	    "module 6.8.0-45-generic snd_hda_intel alias=pci:v*d*sv*sd*bc04sc03i*\n"
	    "module 6.1.0-18-amd64 snd_hda_intel alias=pci:v*d*sv*sd*bc04sc03i*\n");
	if (posix_spawnp(&pid, "bash", NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char *argv[] = {"rm", "-rf", "--", tmp, NULL};
	pid_t pid;
	int st;

	(void)state;
	if (posix_spawnp(&pid, "rm", NULL, NULL, argv, environ) == 0)
		waitpid(pid, &st, 0);
	return 0;
}

static void test_probe_drivers(void **state)
{
	struct vp_pci_fn fns[] = {
		{.addr = "0000:00:02.0", .modalias = "pci:v00008086d00003E92sv00001043sd00008694bc03sc00i00"},
		{.addr = "0000:01:00.0", .modalias = "pci:v000010DEd00001B80sv00001462sd00003362bc03sc00i00"},
		{.addr = "0000:01:00.1", .modalias = "pci:v000010DEd000010F0sv00001462sd00003362bc04sc03i00"},
		{.addr = "0000:02:00.0", .modalias = NULL},
	};
	struct vp_kernel kernels[] = {
		{.version = "6.1.0-18-amd64"}, {.version = "6.8.0-45-generic"},
		/* no tree at all: no module can claim anything there */
		{.version = "9.9.9-gone"},
	};
	struct vp_system sys = {.fns = fns, .n_fns = 4, .kernels = kernels, .n_kernels = 3};
	size_t idx[] = {1, 2, 3};
	struct vp_root root = {0};
	char *msg = NULL;

	(void)state;
	assert_int_equal(vp_root_open(&root, tmp), 0);
	assert_int_equal(vp_probe_drivers(&root, &sys, idx, 3, &msg), 0);
	assert_null(msg);
	/* nvidia only in 6.1, nouveau only in 6.8: the union, sorted */
	assert_int_equal(fns[1].candidates.n, 2);
	assert_string_equal(fns[1].candidates.v[0], "nouveau");
	assert_string_equal(fns[1].candidates.v[1], "nvidia");
	/* the same driver in both kernels, once; its file is snd-hda-intel.ko */
	assert_int_equal(fns[2].candidates.n, 1);
	assert_string_equal(fns[2].candidates.v[0], "snd_hda_intel");
	/* not asked about, and no modalias */
	assert_int_equal(fns[0].candidates.n, 0);
	assert_int_equal(fns[3].candidates.n, 0);
	assert_int_equal(vp_probe_drivers(&root, &sys, (size_t[]){7}, 1, &msg), -EINVAL);
	free(msg);
	for (size_t i = 0; i < 4; i++)
		vp_strv_free(&fns[i].candidates);
	vp_root_close(&root);
}

#define OURS                                                                   \
	VP_MANAGED_HEADER "\n"                                                 \
	"# strategy: ids\n"                                                    \
	"options vfio-pci ids=10de:1b80,10de:10f0\n"                           \
	"softdep nouveau pre: vfio-pci\n"                                      \
	"softdep snd_hda_intel pre: vfio-pci\n"

static void verify_modprobe(const char *current, struct vp_verify_report *rep)
{
	struct vp_plan_file f = {.path = VP_MODPROBE_CONF, .content = OURS, .owned = true};
	struct vp_root root = {0};

	put(VP_MODPROBE_CONF, current);
	assert_int_equal(vp_root_open(&root, tmp), 0);
	assert_int_equal(vp_verify_modprobe(&root, &f, current, strlen(current), rep), 0);
	vp_root_close(&root);
}

static void test_verify_modprobe(void **state)
{
	struct vp_verify_report rep = {0};

	(void)state;
	verify_modprobe(OURS, &rep);
	assert_int_equal(rep.n, 0);
	vp_verify_report_free(&rep);

	/* a later file overrides our ids: modprobe would bind something else */
	put("/etc/modprobe.d/zz-old.conf", "options vfio_pci ids=1002:67df\nblacklist vfio-pci\n");
	verify_modprobe(OURS, &rep);
	assert_int_equal(rep.n_errors, 1);
	assert_int_equal(rep.n_warnings, 1);
	assert_string_equal(rep.lines[0].text,
			    "libkmod: vfio_pci gets ids=1002:67df from modprobe.d, not "
			    "ids=10de:1b80,10de:10f0 (another file overrides it?)");
	assert_string_equal(rep.lines[1].text, "libkmod: vfio_pci is blacklisted in modprobe.d");
	vp_verify_report_free(&rep);
	rm("/etc/modprobe.d/zz-old.conf");

	/* modprobe reads every configuration directory, not only /etc's */
	put("/usr/lib/modprobe.d/distro.conf", "blacklist vfio_pci\n");
	verify_modprobe(OURS, &rep);
	assert_int_equal(rep.n_errors, 0);
	assert_int_equal(rep.n_warnings, 1);
	assert_string_equal(rep.lines[0].text, "libkmod: vfio_pci is blacklisted in modprobe.d");
	vp_verify_report_free(&rep);
	rm("/usr/lib/modprobe.d/distro.conf");

	/* hand edits: a line we never write, a softdep gone, a broken ids list */
	verify_modprobe(VP_MANAGED_HEADER "\n"
			"options vfio-pci ids=10de:1b80,10de:10f0 disable_vga=1\n"
			"softdep nouveau pre: vfio-pci\n"
			"options vfio-pci ids=10de:1b8\n",
			&rep);
	assert_int_equal(rep.n_errors, 4);
	assert_string_equal(rep.lines[0].text,
			    "'/etc/modprobe.d/vfio.conf':2: malformed ids list "
			    "'10de:1b80,10de:10f0 disable_vga=1'");
	assert_string_equal(rep.lines[1].text,
			    "'/etc/modprobe.d/vfio.conf':4: malformed ids list '10de:1b8'");
	assert_string_equal(rep.lines[2].text,
			    "libkmod: vfio_pci gets ids=10de:1b8 from modprobe.d, not "
			    "ids=10de:1b80,10de:10f0 (another file overrides it?)");
	assert_string_equal(rep.lines[3].text,
			    "libkmod: no 'softdep snd_hda_intel pre: vfio-pci' in modprobe.d");
	vp_verify_report_free(&rep);

	verify_modprobe(OURS "alias foo bar\n", &rep);
	assert_int_equal(rep.n_errors, 1);
	assert_string_equal(rep.lines[0].text,
			    "'/etc/modprobe.d/vfio.conf':6: not a line vfio-provision writes: "
			    "'alias foo bar'");
	vp_verify_report_free(&rep);
	rm(VP_MODPROBE_CONF);
}

#define LINE "hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=993 0 0\n"
#define PLANNED "UUID=1 / ext4 defaults 0 1\n" LINE

static void verify_fstab(const char *current, struct vp_verify_report *rep)
{
	struct vp_plan_file f = {.path = VP_FSTAB, .content = PLANNED};
	struct vp_root root = {0};

	put(VP_FSTAB, current);
	assert_int_equal(vp_root_open(&root, tmp), 0);
	assert_int_equal(vp_verify_fstab(&root, &f, current, strlen(current), rep), 0);
	vp_root_close(&root);
}

static void test_verify_fstab(void **state)
{
	struct vp_verify_report rep = {0};
	char dir[128];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/dev", tmp);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/dev/hugepages1G", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	verify_fstab(PLANNED, &rep);
	assert_int_equal(rep.n, 0);
	vp_verify_report_free(&rep);

	verify_fstab("UUID=1 / ext4 defaults 0 1\n", &rep);
	assert_int_equal(rep.n_errors, 1);
	assert_string_equal(rep.lines[0].text,
			    "'/etc/fstab': no hugetlbfs entry for /dev/hugepages1G (run apply)");
	vp_verify_report_free(&rep);

	/* another distro's gid, no mode, tabs */
	verify_fstab("UUID=1 / ext4 defaults 0 1\n"
		     "hugetlbfs\t/dev/hugepages1G\thugetlbfs\tpagesize=1024M,gid=36\t0 0\n",
		     &rep);
	assert_int_equal(rep.n_errors, 2);
	assert_int_equal(rep.n_warnings, 1);
	assert_string_equal(rep.lines[0].text,
			    "'/etc/fstab':2: hugetlbfs entry lacks mode=1770");
	assert_string_equal(rep.lines[1].text,
			    "'/etc/fstab':2: hugetlbfs entry has gid=36, not 993");
	assert_non_null(strstr(rep.lines[2].text, "'/etc/fstab':2: hugetlbfs line differs"));
	vp_verify_report_free(&rep);

	/* a line libmount cannot read is reported with its number */
	verify_fstab(PLANNED "/dev/sdb1\n", &rep);
	assert_int_equal(rep.n_errors, 1);
	assert_int_equal(rep.n_warnings, 0);
	assert_string_equal(rep.lines[0].text, "'/etc/fstab':3: parse error");
	vp_verify_report_free(&rep);

	/* a second 1 GiB mount, and the mount point gone */
	rmdir(dir);
	verify_fstab(PLANNED "none /srv/hp hugetlbfs pagesize=1G 0 0\n", &rep);
	assert_int_equal(rep.n_errors, 0);
	assert_int_equal(rep.n_warnings, 2);
	assert_string_equal(rep.lines[0].text,
			    "'/etc/fstab':2: 2 hugetlbfs entries for 1 GiB pages; the first is "
			    "vfio-provision's");
	assert_string_equal(rep.lines[1].text,
			    "'/etc/fstab':2: mount point /dev/hugepages1G does not exist "
			    "(systemd creates it at boot; mount -a would fail)");
	vp_verify_report_free(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_drivers),
		cmocka_unit_test(test_verify_modprobe),
		cmocka_unit_test(test_verify_fstab),
	};

	return cmocka_run_group_tests_name("verify-files", tests, setup, teardown);
}
