// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bootloader targets on system literals: GRUB in place (then sourced
 * with bash, as grub-mkconfig does) and with grub.d, /etc/kernel/cmdline
 * edited and created, BLS entries, rEFInd, tools we only instruct, and
 * input we refuse to edit.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "plan.h"

#define FILE_(p, c) {.path = (char *)(p), .content = (char *)(c), .len = sizeof(c) - 1, .mode = 0644}

static struct vp_config cfg_auto(void)
{
	return (struct vp_config){.bootloader_auto = true};
}

static void tokens(struct vp_plan *p)
{
	assert_int_equal(vp_plan_add_token(p, "intel_iommu", "intel_iommu=on", "r"), 0);
	assert_int_equal(vp_plan_add_token(p, "iommu", "iommu=pt", "r"), 0);
	assert_int_equal(vp_plan_add_token(p, "hugetlb_cma", NULL, "r"), 0);
}

static int boot(const struct vp_system *sys, struct vp_plan *p, char **msg)
{
	struct vp_config cfg = cfg_auto();
	struct vp_selection sel = {0};

	*msg = NULL;
	return vp_plan_bootloader(&cfg, sys, &sel, p, msg);
}

static const char *content(const struct vp_plan *p, const char *path)
{
	const struct vp_plan_file *f = vp_plan_file(p, path);

	return f ? f->content : NULL;
}

/* bash -c '. FILE; printf %s "$VAR"' with the file as an argument */
static char *bash_source(const char *text, const char *var)
{
	char path[] = "/tmp/vp-grub-XXXXXX", out[4096];
	int fd = mkstemp(path), pfd[2];
	size_t n = 0;
	ssize_t k;
	pid_t pid;
	int st;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execlp("bash", "bash", "-c", ". \"$1\"; printf %s \"${!2}\"", "bash", path, var,
		       (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while ((k = read(pfd[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)k;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	unlink(path);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	out[n] = '\0';
	return strdup(out);
}

static const char arch_grub[] =
	"# GRUB boot loader configuration\n"
	"GRUB_DEFAULT=0\n"
	"GRUB_TIMEOUT=5\n"
	"GRUB_CMDLINE_LINUX_DEFAULT=\"loglevel=3 quiet iommu=soft foo=\\\"a b\\\"\"  # keep me\n"
	"GRUB_CMDLINE_LINUX=\"\"\n"
	"# GRUB_CMDLINE_LINUX_DEFAULT=\"commented out\"\n";

static void test_grub_inplace(void **state)
{
	struct vp_file files[] = {FILE_("/etc/default/grub", arch_grub)};
	struct vp_system sys = {.bootloader = VP_BOOT_GRUB, .files = files, .n_files = 1,
				.grub_cfg = "/boot/grub/grub.cfg"};
	struct vp_plan p = {0};
	char *msg, *v;
	const char *c;

	(void)state;
	tokens(&p);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	c = content(&p, "/etc/default/grub");
	assert_non_null(c);
	assert_string_equal(c,
		"# GRUB boot loader configuration\n"
		"GRUB_DEFAULT=0\n"
		"GRUB_TIMEOUT=5\n"
		"GRUB_CMDLINE_LINUX_DEFAULT=\"loglevel=3 quiet iommu=pt foo=\\\"a b\\\" intel_iommu=on\"  # keep me\n"
		"GRUB_CMDLINE_LINUX=\"\"\n"
		"# GRUB_CMDLINE_LINUX_DEFAULT=\"commented out\"\n");
	/* what grub-mkconfig will see */
	v = bash_source(c, "GRUB_CMDLINE_LINUX_DEFAULT");
	assert_string_equal(v, "loglevel=3 quiet iommu=pt foo=\"a b\" intel_iommu=on");
	free(v);
	v = bash_source(c, "GRUB_TIMEOUT");
	assert_string_equal(v, "5");
	free(v);
	assert_int_equal(p.n_commands, 1);
	assert_string_equal(p.commands[0].argv[0], "grub-mkconfig");
	assert_string_equal(p.commands[0].argv[2], "/boot/grub/grub.cfg");
	vp_plan_free(&p);
}

static void test_grub_quoting_styles(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"GRUB_CMDLINE_LINUX_DEFAULT='quiet'\n",
		 "GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=on iommu=pt'\n"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=quiet\n",
		 "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"},
		{"  export GRUB_CMDLINE_LINUX_DEFAULT=\"\"\n",
		 "  export GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n"},
		/* absent: appended */
		{"GRUB_TIMEOUT=5", "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n"},
		/*
		 * Read as bash reads them (the shared shell lexer); the old GRUB
		 * scanner got each wrong: a line inside another variable's quoted
		 * value is no assignment; a comment's final backslash continues
		 * nothing; after ';' comes the assignment the shell keeps; a line
		 * appended after a final backslash must not join the one before.
		 */
		{"GRUB_X=\"one\nGRUB_CMDLINE_LINUX_DEFAULT=inside\"\nGRUB_CMDLINE_LINUX_DEFAULT=quiet\n",
		 "GRUB_X=\"one\nGRUB_CMDLINE_LINUX_DEFAULT=inside\"\n"
		 "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"},
		{"# see \\\nGRUB_CMDLINE_LINUX_DEFAULT=quiet\n",
		 "# see \\\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=a; GRUB_CMDLINE_LINUX_DEFAULT='quiet'\n",
		 "GRUB_CMDLINE_LINUX_DEFAULT=a; GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=on iommu=pt'\n"},
		{"true \\", "true \\\n\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n"},
		{"true \\\n", "true \\\n\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vp_file f = {.path = "/etc/default/grub", .content = (char *)cases[i].in,
				    .len = strlen(cases[i].in)};
		struct vp_system sys = {.bootloader = VP_BOOT_GRUB, .files = &f, .n_files = 1,
					.have_update_grub = true};
		struct vp_plan p = {0};
		char *msg, *v;

		tokens(&p);
		assert_int_equal(boot(&sys, &p, &msg), 0);
		assert_string_equal(content(&p, "/etc/default/grub"), cases[i].out);
		v = bash_source(cases[i].out, "GRUB_CMDLINE_LINUX_DEFAULT");
		assert_non_null(strstr(v, "intel_iommu=on iommu=pt"));
		free(v);
		assert_string_equal(p.commands[0].argv[0], "update-grub");
		vp_plan_free(&p);
	}
}

static void test_grub_bad_input(void **state)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{"A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet $EXTRA\"\n", "':2: value built from other variables"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \\\n splash\"\n", "':1: value split over lines"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\nsplash\"\n", "':1: value split over lines"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet", "':1: unterminated \" quote"},
		{"GRUB_CMDLINE_LINUX_DEFAULT+=\" x\"\n", "':1: value built with +="},
		{"GRUB_CMDLINE_LINUX_DEFAULT=`cat /x`\n", "':1: value built from other"},
		/* quotes the kernel would misparse */
		{"GRUB_CMDLINE_LINUX_DEFAULT='quiet foo=\"a b'\n", "':1: unterminated quote in kernel"},
		/* seen whole by the shared lexer (an array was read as the word "(quiet") */
		{"A=1\nGRUB_CMDLINE_LINUX_DEFAULT=(quiet splash)\n", "':2: value is an array"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=\"$(cat /x)\"\n", "':1: value built from other"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=quiet\necho \"oops\n", "':2: unterminated \" quote"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=quiet\nX=$(date\n", "':2: unterminated $("},
		{"GRUB_TIMEOUT=5\ncat <<EOF\n", "':2: unterminated here-document"},
		/* issue 19: assignments grub-mkconfig's shell never keeps */
		{"GRUB_CMDLINE_LINUX_DEFAULT=quiet\nf() {\n GRUB_CMDLINE_LINUX_DEFAULT=\"x\"\n}\n",
		 "':3: GRUB_CMDLINE_LINUX_DEFAULT is assigned here, but it is inside a function's body"},
		{"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" true\n",
		 "':1: GRUB_CMDLINE_LINUX_DEFAULT is assigned here, but it is the prefix of a command"},
		{"GRUB_CMDLINE_LINUX=\"a\" env\nGRUB_CMDLINE_LINUX_DEFAULT=quiet\n",
		 "':1: GRUB_CMDLINE_LINUX is assigned here, but it is the prefix of a command"},
		{"if [ -e /x ]; then\n GRUB_CMDLINE_LINUX_DEFAULT=quiet\nfi\n",
		 "':2: GRUB_CMDLINE_LINUX_DEFAULT is assigned here, but it is inside a condition"},
		{"true && GRUB_CMDLINE_LINUX_DEFAULT=quiet\n", "inside a condition"},
		{"(GRUB_CMDLINE_LINUX_DEFAULT=quiet)\n", "it runs in a subshell"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vp_file f = {.path = "/etc/default/grub", .content = (char *)cases[i].in,
				    .len = strlen(cases[i].in)};
		struct vp_system sys = {.bootloader = VP_BOOT_GRUB, .files = &f, .n_files = 1};
		struct vp_plan p = {0};
		char *msg;

		tokens(&p);
		assert_int_equal(boot(&sys, &p, &msg), -EINVAL);
		assert_non_null(msg);
		if (!strstr(msg, cases[i].err) || !vp_startswith(msg, "'/etc/default/grub'"))
			fail_msg("case %zu: '%s'", i, msg);
		assert_null(vp_plan_file(&p, "/etc/default/grub"));
		free(msg);
		vp_plan_free(&p);
	}
}

static void test_grub_dropin(void **state)
{
	struct vp_file files[] = {
		FILE_("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n"),
		FILE_("/etc/default/grub.d/50-cloudimg-settings.cfg",
		      "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 intel_iommu=off\"\n"),
	};
	struct vp_system sys = {.bootloader = VP_BOOT_GRUB, .files = files, .n_files = 2,
				.grub_d = true, .have_update_grub = true};
	struct vp_plan p = {0};
	char *msg, *v;
	const char *c;
	struct vp_buf all = {0};

	(void)state;
	tokens(&p);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	/* the main file has none of our keys: left alone */
	assert_null(vp_plan_file(&p, "/etc/default/grub"));
	c = content(&p, "/etc/default/grub.d/50-cloudimg-settings.cfg");
	assert_string_equal(c, "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1\"\n");
	c = content(&p, "/etc/default/grub.d/vfio-provision.cfg");
	assert_non_null(c);
	assert_true(vp_startswith(c, VP_MANAGED_HEADER "\n"));
	assert_true(vp_plan_file(&p, "/etc/default/grub.d/vfio-provision.cfg")->owned);
	/* sourced in grub-mkconfig's order */
	vp_buf_printf(&all, "%s%s%s", files[0].content,
		      content(&p, "/etc/default/grub.d/50-cloudimg-settings.cfg"), c);
	v = bash_source(all.s, "GRUB_CMDLINE_LINUX_DEFAULT");
	assert_string_equal(v, "console=tty1 intel_iommu=on iommu=pt");
	free(v);
	vp_buf_free(&all);
	vp_plan_free(&p);
}

static void test_kernel_cmdline(void **state)
{
	struct vp_file files[] = {FILE_("/etc/kernel/cmdline", "root=UUID=1234 rw  quiet\n")};
	struct vp_kernel k[] = {{.version = "6.8.1-arch1-1"}};
	struct vp_system sys = {.bootloader = VP_BOOT_SYSTEMD_BOOT, .files = files, .n_files = 1,
				.kernels = k, .n_kernels = 1, .uki = true};
	struct vp_plan p = {0};
	char *msg;

	(void)state;
	tokens(&p);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	assert_string_equal(content(&p, "/etc/kernel/cmdline"),
			    "root=UUID=1234 rw  quiet intel_iommu=on iommu=pt\n");
	assert_int_equal(p.n_commands, 1);
	assert_string_equal(p.commands[0].argv[0], "kernel-install");
	assert_string_equal(p.commands[0].argv[2], "6.8.1-arch1-1");
	assert_true(p.n_msgs >= 1 && strstr(p.msgs[0].text, "UKI"));
	vp_plan_free(&p);

	/* absent: created from /proc/cmdline, root= from fstab via blkid */
	sys.n_files = 0;
	sys.uki = false;
	sys.proc_cmdline = "initrd=\\initramfs-linux.img BOOT_IMAGE=/vmlinuz rw quiet";
	sys.root_spec = "UUID=abcd";
	tokens(&p);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	assert_string_equal(content(&p, "/etc/kernel/cmdline"),
			    "root=UUID=abcd rw quiet intel_iommu=on iommu=pt\n");
	vp_plan_free(&p);

	/* no root anywhere: an error, nothing written */
	sys.root_spec = NULL;
	tokens(&p);
	assert_int_equal(boot(&sys, &p, &msg), -EINVAL);
	assert_non_null(strstr(msg, "root="));
	free(msg);
	vp_plan_free(&p);
}

static void test_bls(void **state)
{
	struct vp_file files[] = {
		FILE_("/boot/loader/entries/abc-6.8.5-301.fc40.x86_64.conf",
		      "title Fedora Linux (6.8.5-301.fc40.x86_64) 40\n"
		      "version 6.8.5-301.fc40.x86_64\n"
		      "linux /vmlinuz-6.8.5-301.fc40.x86_64\n"
		      "options root=UUID=77 ro rhgb quiet iommu=soft\n"
		      "grub_users $grub_users\n"),
		FILE_("/boot/loader/entries/abc-6.5.0-1.fc39.x86_64.conf",
		      "title old\nversion 6.5.0-1.fc39.x86_64\noptions root=UUID=77 ro\n"),
		FILE_("/boot/loader/entries/arch.conf",
		      "title Arch\nlinux /vmlinuz-linux\ninitrd /initramfs-linux.img\n"
		      "options root=PARTUUID=9 rw\n"),
	};
	struct vp_kernel k[] = {{.version = "6.8.5-301.fc40.x86_64"}};
	struct vp_system sys = {.bootloader = VP_BOOT_BLS, .files = files, .n_files = 3,
				.kernels = k, .n_kernels = 1};
	struct vp_plan p = {0};
	char *msg;

	(void)state;
	tokens(&p);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	assert_string_equal(content(&p, files[0].path),
			    "title Fedora Linux (6.8.5-301.fc40.x86_64) 40\n"
			    "version 6.8.5-301.fc40.x86_64\n"
			    "linux /vmlinuz-6.8.5-301.fc40.x86_64\n"
			    "options root=UUID=77 ro rhgb quiet iommu=pt intel_iommu=on\n"
			    "grub_users $grub_users\n");
	/* kernels that are not installed are left alone */
	assert_null(vp_plan_file(&p, files[1].path));
	assert_null(vp_plan_file(&p, files[2].path));
	vp_plan_free(&p);
}

static void test_refind(void **state)
{
	struct vp_file files[] = {FILE_("/boot/refind_linux.conf",
		"# comment\n"
		"\"Boot with standard options\"  \"root=UUID=5 rw quiet\"\n"
		"\n"
		"\"Boot to single-user mode\"    \"root=UUID=5 rw single intel_iommu=off\"\n")};
	struct vp_system sys = {.bootloader = VP_BOOT_REFIND, .files = files, .n_files = 1};
	struct vp_plan p = {0};
	char *msg;

	(void)state;
	tokens(&p);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	assert_string_equal(content(&p, "/boot/refind_linux.conf"),
		"# comment\n"
		"\"Boot with standard options\"  \"root=UUID=5 rw quiet intel_iommu=on iommu=pt\"\n"
		"\n"
		"\"Boot to single-user mode\"    \"root=UUID=5 rw single intel_iommu=on iommu=pt\"\n");
	vp_plan_free(&p);

	files[0].content = "\"Boot\" \"root=UUID=5 rw\n";
	files[0].len = strlen(files[0].content);
	tokens(&p);
	assert_int_equal(boot(&sys, &p, &msg), -EINVAL);
	assert_non_null(strstr(msg, "'/boot/refind_linux.conf':1: unterminated quote"));
	free(msg);
	vp_plan_free(&p);
}

static void test_tools(void **state)
{
	static const struct {
		enum vp_bootloader bl;
		const char *cmd;
	} cases[] = {
		{VP_BOOT_KERNELSTUB, "kernelstub -a 'intel_iommu=on iommu=pt'"},
		{VP_BOOT_RPM_OSTREE, "rpm-ostree kargs --append-if-missing=intel_iommu=on "
				     "--append-if-missing=iommu=pt --delete-if-present=hugetlb_cma"},
		{VP_BOOT_GRUBBY, "grubby --update-kernel=ALL --args='intel_iommu=on iommu=pt' "
				 "--remove-args=hugetlb_cma"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vp_system sys = {.bootloader = cases[i].bl};
		struct vp_plan p = {0};
		char *msg;

		tokens(&p);
		assert_int_equal(boot(&sys, &p, &msg), 0);
		assert_int_equal(p.n_files, 0);
		assert_int_equal(p.n_msgs, 1);
		assert_int_equal(p.msgs[0].level, VP_MSG_WARN);
		if (!strstr(p.msgs[0].text, cases[i].cmd))
			fail_msg("'%s' lacks '%s'", p.msgs[0].text, cases[i].cmd);
		vp_plan_free(&p);
	}
}

/* A token with the shell's own characters: sourced, it is the same bytes. */
static void test_grub_dropin_hostile(void **state)
{
	struct vp_file files[] = {
		FILE_("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"),
	};
	struct vp_system sys = {.bootloader = VP_BOOT_GRUB, .files = files, .n_files = 1,
				.grub_d = true, .have_update_grub = true};
	static const char tok[] = "x=\"a $(id) `id` \\\" b\"";
	struct vp_plan p = {0};
	struct vp_buf all = {0};
	char *msg, *v;
	const char *c;

	(void)state;
	assert_int_equal(vp_plan_add_token(&p, "x", tok, "r"), 0);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	c = content(&p, "/etc/default/grub.d/vfio-provision.cfg");
	assert_non_null(c);
	vp_buf_printf(&all, "%s%s", files[0].content, c);
	v = bash_source(all.s, "GRUB_CMDLINE_LINUX_DEFAULT");
	assert_string_equal(v, "quiet x=\"a $(id) `id` \\\" b\"");
	free(v);
	vp_buf_free(&all);
	vp_plan_free(&p);
}

/* A newline in a token would end the assignment: refused, nothing written. */
static void test_token_control_refused(void **state)
{
	struct vp_file files[] = {
		FILE_("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"),
	};
	struct vp_system sys = {.bootloader = VP_BOOT_GRUB, .files = files, .n_files = 1,
				.grub_d = true, .have_update_grub = true};
	struct vp_plan p = {0};
	char *msg;

	(void)state;
	assert_int_equal(vp_plan_add_token(&p, "x", "x=1\nGRUB_INIT_TUNE=1", "r"), 0);
	assert_int_equal(boot(&sys, &p, &msg), -EINVAL);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "x=1\\nGRUB_INIT_TUNE=1"));
	assert_int_equal(p.n_files, 0);
	free(msg);
	vp_plan_free(&p);
}

/* The printed commands quote like spawn.c's: a quote in a token is escaped. */
static void test_tools_hostile(void **state)
{
	struct vp_system sys = {.bootloader = VP_BOOT_KERNELSTUB};
	struct vp_plan p = {0};
	char *msg;

	(void)state;
	assert_int_equal(vp_plan_add_token(&p, "a", "a='b c'", "r"), 0);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	assert_int_equal(p.n_msgs, 1);
	if (!strstr(p.msgs[0].text, "run: kernelstub -a 'a='\\''b c'\\'''"))
		fail_msg("'%s'", p.msgs[0].text);
	vp_plan_free(&p);
	sys.bootloader = VP_BOOT_GRUBBY;
	assert_int_equal(vp_plan_add_token(&p, "a", "a='b c'", "r"), 0);
	assert_int_equal(boot(&sys, &p, &msg), 0);
	if (!strstr(p.msgs[0].text, "--args='a='\\''b c'\\'''"))
		fail_msg("'%s'", p.msgs[0].text);
	vp_plan_free(&p);
}

static void test_too_long(void **state)
{
	char big[2100];
	struct vp_file f = {.path = "/etc/kernel/cmdline", .content = big};
	struct vp_system sys = {.bootloader = VP_BOOT_SYSTEMD_BOOT, .files = &f, .n_files = 1};
	struct vp_plan p = {0};
	char *msg;

	(void)state;
	memset(big, 'x', 2040);
	memcpy(big, "a=", 2);
	big[2040] = '\0';
	f.len = 2040;
	tokens(&p);
	/* an error, not a refusal: --force must not write it */
	assert_int_equal(boot(&sys, &p, &msg), -E2BIG);
	/* 2040 + " intel_iommu=on iommu=pt" (24) + NUL = 2065: 17 over */
	assert_true(vp_startswith(msg, "'/etc/kernel/cmdline':1: "));
	assert_non_null(strstr(msg, "17 over the limit of 2048"));
	assert_null(vp_plan_file(&p, "/etc/kernel/cmdline"));
	free(msg);
	vp_plan_free(&p);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub_inplace),
		cmocka_unit_test(test_grub_quoting_styles),
		cmocka_unit_test(test_grub_bad_input),
		cmocka_unit_test(test_grub_dropin),
		cmocka_unit_test(test_grub_dropin_hostile),
		cmocka_unit_test(test_token_control_refused),
		cmocka_unit_test(test_tools_hostile),
		cmocka_unit_test(test_kernel_cmdline),
		cmocka_unit_test(test_bls),
		cmocka_unit_test(test_refind),
		cmocka_unit_test(test_tools),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
