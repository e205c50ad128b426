// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The config handler: defaults, every key, every error with its message,
 * the drop-in order and the size parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "size.h"

static struct vp_config cfg;
static char *msg;

static int setup(void **state)
{
	(void)state;
	vp_config_init(&cfg);
	msg = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vp_config_free(&cfg);
	free(msg);
	msg = NULL;
	return 0;
}

static int parse(const char *text)
{
	return vp_config_parse_string(&cfg, "t.conf", text, &msg);
}

/* Parses text into a fresh config and checks the one error message. */
static void expect_error(const char *text, const char *expected)
{
	struct vp_config c;
	char *m = NULL;

	vp_config_init(&c);
	assert_int_equal(vp_config_parse_string(&c, "t.conf", text, &m), -EINVAL);
	assert_non_null(m);
	assert_string_equal(m, expected);
	free(m);
	vp_config_free(&c);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_true(cfg.select_auto);
	assert_int_equal(cfg.select.n, 0);
	assert_int_equal(cfg.strategy, VP_STRATEGY_AUTO);
	assert_int_equal(cfg.hp_count, 0);
	assert_int_equal(cfg.hp_node, -1);
	/* the kernel reserves, the early program guards */
	assert_int_equal(cfg.hp_mode, VP_HP_BOOT);
	assert_string_equal(cfg.hp_mount, "/dev/hugepages1G");
	assert_string_equal(cfg.hp_group, "kvm");
	assert_int_equal(cfg.host_min_mib, 2048);
	assert_true(cfg.initramfs_auto);
	assert_false(cfg.regenerate);
	assert_true(cfg.bootloader_auto);
	assert_int_equal(cfg.iommu, VP_IOMMU_AUTO);
	assert_true(cfg.iommu_pt);
	assert_int_equal(cfg.thp, VP_THP_NEVER);
	assert_false(cfg.on_upgrade);
	assert_int_equal(cfg.libvirt_domains.n, 0);
	assert_false(cfg.single_gpu);
	assert_false(cfg.handoff_stop_set);
	assert_true(cfg.unload_auto);
	/* an empty text changes nothing */
	assert_int_equal(parse(""), 0);
	assert_true(cfg.select_auto);
	assert_string_equal(vp_strategy_name(cfg.strategy), "auto");
	assert_string_equal(vp_hp_mode_name(cfg.hp_mode), "boot");
}

static void test_every_key(void **state)
{
	(void)state;
	assert_int_equal(parse("# full example\n"
			       "[gpu]\n"
			       "select = 10DE:1B81, 01:00.1  0001:0a:1f.7,10de:1b81\n"
			       "strategy = override\n"
			       "\n"
			       "[hugepages]\n"
			       "size = 16G\n"
			       "node = 1\n"
			       "mode = cma\n"
			       "mount = /mnt/huge ; inline comment\n"
			       "group = libvirt-qemu\n"
			       "host_min = 1536M\n"
			       "[initramfs]\n"
			       "generator = dracut\n"
			       "regenerate = yes\n"
			       "[bootloader]\n"
			       "type = kernel-install\n"
			       "[cmdline]\n"
			       "iommu = keep\n"
			       "iommu_pt = false\n"
			       "transparent_hugepage = madvise\n"
			       "[apply]\n"
			       "on_upgrade = 1\n"
			       "[libvirt]\n"
			       "domains = win10, gaming  linux\n"), 0);
	assert_null(msg);
	assert_false(cfg.select_auto);
	/* normalised to lower case and full addresses, duplicates dropped */
	assert_int_equal(cfg.select.n, 3);
	assert_string_equal(cfg.select.v[0], "10de:1b81");
	assert_string_equal(cfg.select.v[1], "0000:01:00.1");
	assert_string_equal(cfg.select.v[2], "0001:0a:1f.7");
	assert_int_equal(cfg.strategy, VP_STRATEGY_OVERRIDE);
	assert_string_equal(vp_strategy_name(cfg.strategy), "override");
	assert_int_equal(cfg.hp_count, 16);
	assert_int_equal(cfg.hp_node, 1);
	assert_int_equal(cfg.hp_mode, VP_HP_CMA);
	assert_string_equal(vp_hp_mode_name(cfg.hp_mode), "cma");
	assert_string_equal(cfg.hp_mount, "/mnt/huge");
	assert_string_equal(cfg.hp_group, "libvirt-qemu");
	assert_int_equal(cfg.host_min_mib, 1536);
	assert_false(cfg.initramfs_auto);
	assert_int_equal(cfg.initramfs, VP_INITRAMFS_DRACUT);
	assert_true(cfg.regenerate);
	assert_false(cfg.bootloader_auto);
	assert_int_equal(cfg.bootloader, VP_BOOT_SYSTEMD_BOOT);
	assert_int_equal(cfg.iommu, VP_IOMMU_KEEP);
	assert_false(cfg.iommu_pt);
	assert_int_equal(cfg.thp, VP_THP_MADVISE);
	assert_true(cfg.on_upgrade);
	assert_int_equal(cfg.libvirt_domains.n, 3);
	assert_string_equal(cfg.libvirt_domains.v[0], "win10");
	assert_string_equal(cfg.libvirt_domains.v[2], "linux");
}

static void test_other_values(void **state)
{
	(void)state;
	assert_int_equal(parse("[hugepages]\ncount = 8\nnode = auto\nmode = runtime\n"
			       "mount = none\ngroup = 36\nhost_min = 4G\n"
			       "[initramfs]\ngenerator = none\n"
			       "[bootloader]\ntype = none\n"
			       "[cmdline]\niommu = on\ntransparent_hugepage = keep\n"), 0);
	assert_int_equal(cfg.hp_count, 8);
	assert_int_equal(cfg.hp_node, -1);
	assert_int_equal(cfg.hp_mode, VP_HP_RUNTIME);
	assert_string_equal(cfg.hp_mount, "");
	assert_string_equal(cfg.hp_group, "36");
	assert_int_equal(cfg.host_min_mib, 4096);
	assert_false(cfg.initramfs_auto);
	assert_int_equal(cfg.initramfs, VP_INITRAMFS_NONE);
	assert_false(cfg.bootloader_auto);
	assert_int_equal(cfg.bootloader, VP_BOOT_NONE);
	assert_int_equal(cfg.iommu, VP_IOMMU_ON);
	assert_int_equal(cfg.thp, VP_THP_KEEP);
}

static void test_booleans(void **state)
{
	static const struct { const char *text; bool value; } cases[] = {
		{"yes", true}, {"no", false}, {"true", true}, {"false", false},
		{"1", true}, {"0", false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vp_config c;
		char *text = NULL, *m = NULL;

		vp_config_init(&c);
		c.regenerate = !cases[i].value;
		assert_true(asprintf(&text, "[initramfs]\nregenerate = %s\n", cases[i].text) > 0);
		assert_int_equal(vp_config_parse_string(&c, "t.conf", text, &m), 0);
		assert_int_equal(c.regenerate, cases[i].value);
		free(text);
		vp_config_free(&c);
	}
	expect_error("[initramfs]\nregenerate = Yes\n",
		     "'t.conf':2: bad value 'Yes' for 'regenerate' (allowed: no, yes, false, true, 0, 1)");
}

static void test_syntax_accepted(void **state)
{
	(void)state;
	/* BOM, CRLF, ';' and '#' comments, indented comments, colon separator */
	assert_int_equal(parse("\xEF\xBB\xBF[gpu]\r\n"
			       "; a comment\r\n"
			       "   # an indented comment\r\n"
			       "strategy: ids\r\n"
			       "[ hugepages ] ; trailing comment\r\n"
			       "count=2\r\n"), 0);
	assert_int_equal(cfg.strategy, VP_STRATEGY_IDS);
	assert_int_equal(cfg.hp_count, 2);
}

static void test_select_auto_and_lists(void **state)
{
	(void)state;
	assert_int_equal(parse("[gpu]\nselect = 01:00.0\n"), 0);
	assert_false(cfg.select_auto);
	/* another text (a drop-in) replaces the list instead of adding to it */
	assert_int_equal(parse("[gpu]\nselect = 02:00.0 02:00.1\n"), 0);
	assert_int_equal(cfg.select.n, 2);
	assert_string_equal(cfg.select.v[0], "0000:02:00.0");
	/* a VMD domain has 5 digits: as sysfs and the early program name it */
	assert_int_equal(parse("[gpu]\nselect = 10000:E1:00.0 0000:0A:00.1\n"), 0);
	assert_string_equal(cfg.select.v[0], "10000:e1:00.0");
	assert_string_equal(cfg.select.v[1], "0000:0a:00.1");
	assert_int_equal(parse("[gpu]\nselect = auto\n"), 0);
	assert_true(cfg.select_auto);
	assert_int_equal(cfg.select.n, 0);
}

static void test_line_lengths(void **state)
{
	char text[400];
	int n;

	(void)state;
	/* 198 bytes is the most inih reads as one line */
	n = snprintf(text, sizeof(text), "[libvirt]\ndomains = ");
	memset(text + n, 'a', 198 - 10);
	strcpy(text + n + 198 - 10, "\n");
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.libvirt_domains.n, 1);
	assert_int_equal(strlen(cfg.libvirt_domains.v[0]), 188);
	/* with CRLF too: the '\r' does not count */
	strcpy(text + n + 198 - 10, "\r\n");
	assert_int_equal(parse(text), 0);
	/* one more byte and inih would split it into two lines */
	memset(text + n, 'a', 199 - 10);
	strcpy(text + n + 199 - 10, "\n");
	expect_error(text, "'t.conf':2: line is 199 bytes long, at most 198 are allowed");
	/* also at the very end, without a newline */
	text[n + 199 - 10] = '\0';
	expect_error(text, "'t.conf':2: line is 199 bytes long, at most 198 are allowed");
	/* a long comment is still a long line */
	memset(text, '#', 300);
	text[300] = '\0';
	expect_error(text, "'t.conf':1: line is 300 bytes long, at most 198 are allowed");
}

static void test_errors(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{"[gpu]\n[gpus]\n",
		 "'t.conf':2: unknown section [gpus] (known: gpu, hugepages, initramfs, bootloader, cmdline, apply, libvirt, handoff)"},
		{"[gpu]\nselct = auto\n",
		 "'t.conf':2: unknown key 'selct' in section [gpu] (known: select, strategy)"},
		{"[cmdline]\nselect = auto\n",
		 "'t.conf':2: unknown key 'select' in section [cmdline] (known: iommu, iommu_pt, transparent_hugepage)"},
		{"[GPU]\n",
		 "'t.conf':1: unknown section [GPU] (known: gpu, hugepages, initramfs, bootloader, cmdline, apply, libvirt, handoff)"},
		{"select = auto\n",
		 "'t.conf':1: key 'select' is outside of any section"},
		{"[gpu]\n= auto\n",
		 "'t.conf':2: missing key name before '='"},
		{"[gpu]\nstrategy = fast\n",
		 "'t.conf':2: bad value 'fast' for 'strategy' (allowed: auto, ids, override)"},
		{"[gpu]\nstrategy = ids\n\nstrategy = override\n",
		 "'t.conf':4: duplicate key 'strategy' in section [gpu] (first set at line 2)"},
		{"[gpu]\nstrategy = ids\n[hugepages]\ncount = 1\n[gpu]\nselect = auto\n",
		 "'t.conf':5: section [gpu] appears twice (first at line 1); keep its keys in one place"},
		{"[gpu]\nstrategy\n",
		 "'t.conf':2: malformed line, expected 'key = value', '[section]' or a comment"},
		{"[gpu\nstrategy = ids\n",
		 "'t.conf':1: malformed section header, expected '[name]'"},
		{"[gpu] strategy = ids\n",
		 "'t.conf':1: unexpected text after section header: 'strategy = ids'"},
		{"[gpu]\nselect = auto\n  strategy = ids\n",
		 "'t.conf':3: line starts with white space (it would continue the previous value); remove the indentation"},
		{"[gpu]\nselect = auto, 01:00.0\n",
		 "'t.conf':2: 'auto' cannot be combined with ids or addresses in 'select'"},
		{"[gpu]\nselect = nvidia\n",
		 "'t.conf':2: bad entry 'nvidia' in 'select' (allowed: auto, or a list of vendor:device ids like 10de:1b81 and PCI addresses like 0000:01:00.0 or 01:00.0)"},
		{"[gpu]\nselect = 01:20.0\n",
		 "'t.conf':2: bad PCI address '01:20.0' in 'select' (DDDD:BB:DD.F or BB:DD.F, a domain of 4 to 8 hex digits, device 00-1f, function 0-7)"},
		{"[gpu]\nselect = 0000:01:00.8\n",
		 "'t.conf':2: bad PCI address '0000:01:00.8' in 'select' (DDDD:BB:DD.F or BB:DD.F, a domain of 4 to 8 hex digits, device 00-1f, function 0-7)"},
		{"[gpu]\nselect = 123456789:01:00.0\n",
		 "'t.conf':2: bad entry '123456789:01:00.0' in 'select' (allowed: auto, or a list of vendor:device ids like 10de:1b81 and PCI addresses like 0000:01:00.0 or 01:00.0)"},
		{"[gpu]\nselect = 00g00:01:00.0\n",
		 "'t.conf':2: bad PCI address '00g00:01:00.0' in 'select' (DDDD:BB:DD.F or BB:DD.F, a domain of 4 to 8 hex digits, device 00-1f, function 0-7)"},
		{"[gpu]\nselect = 10de:1b8g\n",
		 "'t.conf':2: bad entry '10de:1b8g' in 'select' (allowed: auto, or a list of vendor:device ids like 10de:1b81 and PCI addresses like 0000:01:00.0 or 01:00.0)"},
		{"[gpu]\nselect =\n",
		 "'t.conf':2: empty value for 'select' (allowed: auto, or a list of ids and addresses)"},
		{"[gpu]\nselect = , ,\n",
		 "'t.conf':2: empty value for 'select' (allowed: auto, or a list of ids and addresses)"},
		{"[hugepages]\ncount = 4\nsize = 4G\n",
		 "'t.conf':3: 'size' and 'count' are exclusive ('count' is set at line 2)"},
		{"[hugepages]\nsize = 4G\ncount = 4\n",
		 "'t.conf':3: 'count' and 'size' are exclusive ('size' is set at line 2)"},
		{"[hugepages]\ncount = -1\n",
		 "'t.conf':2: bad value '-1' for 'count' (a number of 1 GiB pages, 0 for none)"},
		{"[hugepages]\ncount = 4 pages\n",
		 "'t.conf':2: bad value '4 pages' for 'count' (a number of 1 GiB pages, 0 for none)"},
		{"[hugepages]\ncount = 65537\n",
		 "'t.conf':2: 'count' 65537 is too large (at most 65536 pages)"},
		{"[hugepages]\ncount = 99999999999999999999999\n",
		 "'t.conf':2: 'count' 99999999999999999999999 is too large (at most 65536 pages)"},
		{"[hugepages]\nsize = 16\n",
		 "'t.conf':2: bad value '16' for 'size' (a size with a unit, like 16G or 16384M)"},
		{"[hugepages]\nsize = 16GB\n",
		 "'t.conf':2: bad value '16GB' for 'size' (a size with a unit, like 16G or 16384M)"},
		{"[hugepages]\nsize = 1536M\n",
		 "'t.conf':2: 'size' 1536M is not a whole number of 1 GiB pages; write 1G or 2G"},
		{"[hugepages]\nhost_min = 65T\n",
		 "'t.conf':2: 'host_min' 65T is too large (at most 64T)"},
		{"[hugepages]\nhost_min = 99999999999999999999T\n",
		 "'t.conf':2: 'host_min' 99999999999999999999T is too large (at most 64T)"},
		{"[hugepages]\nsize = 65T\n",
		 "'t.conf':2: 'size' 65T is too large (at most 64T)"},
		{"[hugepages]\nsize = 99999999999T\n",
		 "'t.conf':2: 'size' 99999999999T is too large (at most 64T)"},
		{"[hugepages]\nnode = first\n",
		 "'t.conf':2: bad value 'first' for 'node' (allowed: auto, or a NUMA node number 0-1023)"},
		{"[hugepages]\nnode = 1024\n",
		 "'t.conf':2: bad value '1024' for 'node' (allowed: auto, or a NUMA node number 0-1023)"},
		{"[hugepages]\nmode = grub\n",
		 "'t.conf':2: bad value 'grub' for 'mode' (allowed: early, boot, cma, runtime)"},
		{"[hugepages]\nmount = dev/hugepages\n",
		 "'t.conf':2: bad value 'dev/hugepages' for 'mount' (allowed: none, or an absolute path without spaces, backslashes or '..')"},
		{"[hugepages]\nmount = /mnt/huge pages\n",
		 "'t.conf':2: bad value '/mnt/huge pages' for 'mount' (allowed: none, or an absolute path without spaces, backslashes or '..')"},
		{"[hugepages]\nmount = /mnt/../etc\n",
		 "'t.conf':2: bad value '/mnt/../etc' for 'mount' (allowed: none, or an absolute path without spaces, backslashes or '..')"},
		{"[hugepages]\ngroup = -kvm\n",
		 "'t.conf':2: bad value '-kvm' for 'group' (a group name like kvm, or a numeric gid)"},
		{"[hugepages]\ngroup = k:vm\n",
		 "'t.conf':2: bad value 'k:vm' for 'group' (a group name like kvm, or a numeric gid)"},
		{"[hugepages]\nhost_min = 2048\n",
		 "'t.conf':2: bad value '2048' for 'host_min' (a size with a unit, in whole MiB, like 2G or 1536M)"},
		{"[hugepages]\nhost_min = 100K\n",
		 "'t.conf':2: bad value '100K' for 'host_min' (a size with a unit, in whole MiB, like 2G or 1536M)"},
		{"[initramfs]\ngenerator = mkinitramfs\n",
		 "'t.conf':2: bad value 'mkinitramfs' for 'generator' (allowed: auto, mkinitcpio, dracut, initramfs-tools, none)"},
		{"[bootloader]\ntype = lilo\n",
		 "'t.conf':2: bad value 'lilo' for 'type' (allowed: auto, grub, systemd-boot, kernel-install, uki, bls, refind, kernelstub, rpm-ostree, grubby, none)"},
		{"[cmdline]\niommu = off\n",
		 "'t.conf':2: bad value 'off' for 'iommu' (allowed: auto, on, keep)"},
		{"[cmdline]\niommu_pt = maybe\n",
		 "'t.conf':2: bad value 'maybe' for 'iommu_pt' (allowed: no, yes, false, true, 0, 1)"},
		{"[cmdline]\ntransparent_hugepage = sometimes\n",
		 "'t.conf':2: bad value 'sometimes' for 'transparent_hugepage' (allowed: keep, never, madvise, always)"},
		{"[apply]\non_upgrade = always\n",
		 "'t.conf':2: bad value 'always' for 'on_upgrade' (allowed: no, yes, false, true, 0, 1)"},
		{"[libvirt]\ndomains = ok ../evil\n",
		 "'t.conf':2: bad domain name '../evil' in 'domains' (no '/' allowed)"},
		{"[handoff]\nsingle_gpu = sure\n",
		 "'t.conf':2: bad value 'sure' for 'single_gpu' (allowed: no, yes, false, true, 0, 1)"},
		/* argv words: never an option, never two words */
		{"[handoff]\nstop = gdm.service --force\n",
		 "'t.conf':2: bad unit name '--force' in 'stop' (letters, digits and ':_.@\\-', not starting with '-')"},
		{"[handoff]\nstop = gdm;reboot\n",
		 "'t.conf':2: bad unit name 'gdm;reboot' in 'stop' (letters, digits and ':_.@\\-', not starting with '-')"},
		{"[handoff]\nunload = nvidia -r\n",
		 "'t.conf':2: bad module name '-r' in 'unload' (letters, digits, '_' and '-', not starting with '-')"},
		{"[handoff]\nunload = ../nvidia\n",
		 "'t.conf':2: bad module name '../nvidia' in 'unload' (letters, digits, '_' and '-', not starting with '-')"},
		/* only ';' starts an inline comment in inih: '#' stays in the value */
		{"[gpu]\nstrategy = ids # bind by id\n",
		 "'t.conf':2: bad value 'ids # bind by id' for 'strategy' (allowed: auto, ids, override)"},
		/* the first error is reported, whether inih or we found it */
		{"[gpu]\nnonsense\nstrategy = bad\n",
		 "'t.conf':2: malformed line, expected 'key = value', '[section]' or a comment"},
		{"[gpu]\nstrategy = bad\nnonsense\n",
		 "'t.conf':2: bad value 'bad' for 'strategy' (allowed: auto, ids, override)"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		expect_error(cases[i].text, cases[i].msg);
}

static void test_handoff(void **state)
{
	(void)state;
	assert_int_equal(parse("[handoff]\nsingle_gpu = yes\n"
			       "stop = gdm.service, nvidia-persistenced.service user@1000.service\n"
			       "unload = nvidia_drm nvidia_modeset nvidia-uvm nvidia\n"), 0);
	assert_true(cfg.single_gpu);
	assert_true(cfg.handoff_stop_set);
	assert_int_equal(cfg.handoff_stop.n, 3);
	assert_string_equal(cfg.handoff_stop.v[2], "user@1000.service");
	assert_false(cfg.unload_auto);
	assert_int_equal(cfg.unload.n, 4);
	assert_string_equal(cfg.unload.v[0], "nvidia_drm");
	/* none: nothing to stop or unload; auto: back to the drivers' modules */
	vp_config_free(&cfg);
	vp_config_init(&cfg);
	assert_int_equal(parse("[handoff]\nstop = none\nunload = none\n"), 0);
	assert_true(cfg.handoff_stop_set);
	assert_int_equal(cfg.handoff_stop.n, 0);
	assert_false(cfg.unload_auto);
	assert_int_equal(cfg.unload.n, 0);
	vp_config_free(&cfg);
	vp_config_init(&cfg);
	assert_int_equal(parse("[handoff]\nunload = auto\n"), 0);
	assert_true(cfg.unload_auto);
}

static void test_parse_size(void **state)
{
	static const struct { const char *s; int r; uint64_t bytes; bool unit; } cases[] = {
		{"0", 0, 0, false},
		{"4096", 0, 4096, false},
		{"16G", 0, UINT64_C(16) << 30, true},
		{"16g", 0, UINT64_C(16) << 30, true},
		{"16GiB", 0, UINT64_C(16) << 30, true},
		{"1536M", 0, UINT64_C(1536) << 20, true},
		{"3k", 0, 3072, true},
		{"2T", 0, UINT64_C(2) << 40, true},
		{"16777215T", 0, UINT64_C(16777215) << 40, true},
		{"16777216T", -ERANGE, 0, false},
		{"18446744073709551616", -ERANGE, 0, false},
		{"", -EINVAL, 0, false},
		{"G", -EINVAL, 0, false},
		{"-1G", -EINVAL, 0, false},
		{" 1G", -EINVAL, 0, false},
		{"1 G", -EINVAL, 0, false},
		{"1.5G", -EINVAL, 0, false},
		{"16GB", -EINVAL, 0, false},
		{"16Gi", -EINVAL, 0, false},
		{"16P", -EINVAL, 0, false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t bytes = 12345;
		bool unit = !cases[i].unit;
		int r = vp_parse_size(cases[i].s, &bytes, &unit);

		if (r != cases[i].r)
			fail_msg("vp_parse_size(\"%s\") = %d, expected %d", cases[i].s, r, cases[i].r);
		if (r == 0) {
			assert_true(bytes == cases[i].bytes);
			assert_int_equal(unit, cases[i].unit);
		}
	}
}

static void test_parse_ulong(void **state)
{
	unsigned long v = 0;

	(void)state;
	assert_int_equal(vp_parse_ulong("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vp_parse_ulong("10", 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(vp_parse_ulong("11", 10, &v), -ERANGE);
	assert_int_equal(vp_parse_ulong("18446744073709551615", ULONG_MAX, &v), 0);
	assert_true(v == ULONG_MAX);
	assert_int_equal(vp_parse_ulong("18446744073709551616", ULONG_MAX, &v), -ERANGE);
	assert_int_equal(vp_parse_ulong("", 10, &v), -EINVAL);
	assert_int_equal(vp_parse_ulong("+1", 10, &v), -EINVAL);
	assert_int_equal(vp_parse_ulong("1x", 10, &v), -EINVAL);
}

/* ---- loading from a root ------------------------------------------------ */

static char tmp[64];
static struct vp_root root = {.fd = -1};

static void put(const char *path, const char *text)
{
	char full[256];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", tmp, path);
	f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void mkdir_in(const char *path)
{
	char full[256];

	snprintf(full, sizeof(full), "%s%s", tmp, path);
	assert_int_equal(mkdir(full, 0755), 0);
}

static int setup_root(void **state)
{
	setup(state);
	strcpy(tmp, "/tmp/vp-test-config.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	mkdir_in("/etc");
	assert_int_equal(vp_root_open(&root, tmp), 0);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int teardown_root(void **state)
{
	vp_root_close(&root);
	assert_int_equal(nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	return teardown(state);
}

static void test_load_nothing(void **state)
{
	(void)state;
	/* no main file, no drop-in directory: the defaults */
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), 0);
	assert_null(msg);
	assert_true(cfg.select_auto);
}

static void test_load_dropin_order(void **state)
{
	(void)state;
	put("/etc/vfio-provision.conf",
	    "[gpu]\nselect = 01:00.0 01:00.1\nstrategy = ids\n[hugepages]\nsize = 8G\n");
	mkdir_in("/etc/vfio-provision.conf.d");
	put("/etc/vfio-provision.conf.d/20-b.conf", "[hugepages]\ncount = 6\n[gpu]\nselect = 03:00.0\n");
	put("/etc/vfio-provision.conf.d/10-a.conf", "[hugepages]\ncount = 4\nnode = 1\n");
	put("/etc/vfio-provision.conf.d/30-c.conf", "[hugepages]\nnode = 0\n");
	/* ignored: not *.conf, or hidden */
	put("/etc/vfio-provision.conf.d/99-z.conf.dpkg-old", "[bogus]\n");
	put("/etc/vfio-provision.conf.d/.hidden.conf", "[bogus]\n");
	put("/etc/vfio-provision.conf.d/README", "[bogus]\n");
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), 0);
	assert_null(msg);
	assert_int_equal(cfg.strategy, VP_STRATEGY_IDS);
	/* count in a drop-in overrides size in the main file; 20-b after 10-a */
	assert_int_equal(cfg.hp_count, 6);
	assert_int_equal(cfg.hp_node, 0);
	/* the list was replaced, not extended */
	assert_int_equal(cfg.select.n, 1);
	assert_string_equal(cfg.select.v[0], "0000:03:00.0");
}

static void test_load_dropin_error_names_file(void **state)
{
	(void)state;
	put("/etc/vfio-provision.conf", "[gpu]\nstrategy = ids\n");
	mkdir_in("/etc/vfio-provision.conf.d");
	put("/etc/vfio-provision.conf.d/50-x.conf", "[gpu]\n\nstrategy = idz\n");
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), -EINVAL);
	assert_string_equal(msg, "'/etc/vfio-provision.conf.d/50-x.conf':3: bad value 'idz' for "
			    "'strategy' (allowed: auto, ids, override)");
}

static void test_load_main_error(void **state)
{
	(void)state;
	put("/etc/vfio-provision.conf", "[gpu]\nstrategy = ids\nstrategy = ids\n");
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), -EINVAL);
	assert_string_equal(msg, "'/etc/vfio-provision.conf':3: duplicate key 'strategy' in "
			    "section [gpu] (first set at line 2)");
}

static void test_load_explicit(void **state)
{
	(void)state;
	put("/etc/vfio-provision.conf", "[gpu]\nstrategy = ids\n");
	put("/etc/other.conf", "[gpu]\nstrategy = override\n");
	assert_int_equal(vp_config_load(&cfg, &root, "/etc/other.conf", &msg), 0);
	assert_int_equal(cfg.strategy, VP_STRATEGY_OVERRIDE);
}

static void test_load_explicit_missing(void **state)
{
	(void)state;
	assert_int_equal(vp_config_load(&cfg, &root, "/etc/nope.conf", &msg), -ENOENT);
	assert_string_equal(msg, "'/etc/nope.conf': No such file or directory");
}

static void test_load_explicit_relative_with_root(void **state)
{
	(void)state;
	assert_int_equal(vp_config_load(&cfg, &root, "my.conf", &msg), -EINVAL);
	assert_string_equal(msg, "'my.conf': --config needs an absolute path inside the root "
			    "with --root");
}

static void test_load_unreadable(void **state)
{
	char link[256];

	(void)state;
	/* tests run as root: a directory where a file is expected */
	mkdir_in("/etc/vfio-provision.conf");
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), -EISDIR);
	assert_string_equal(msg, "'/etc/vfio-provision.conf': not a regular file (a directory); not reading it");
	free(msg);
	msg = NULL;
	/* a dangling drop-in symlink is an error, not silently skipped */
	assert_int_equal(rmdir(strcat(strcpy(link, tmp), "/etc/vfio-provision.conf")), 0);
	mkdir_in("/etc/vfio-provision.conf.d");
	snprintf(link, sizeof(link), "%s/etc/vfio-provision.conf.d/10-gone.conf", tmp);
	assert_int_equal(symlink("/nowhere/10-gone.conf", link), 0);
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), -ENOENT);
	assert_string_equal(msg, "'/etc/vfio-provision.conf.d/10-gone.conf': a symlink to '/nowhere/10-gone.conf', which does not exist");
}

static void test_load_dropin_dir_is_file(void **state)
{
	(void)state;
	put("/etc/vfio-provision.conf.d", "oops\n");
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), -ENOTDIR);
	assert_string_equal(msg, "'/etc/vfio-provision.conf.d': Not a directory");
}

static void test_load_symlink_stays_in_root(void **state)
{
	char link[256];

	(void)state;
	/* an absolute symlink resolves inside the root, not on this machine */
	put("/etc/real.conf", "[gpu]\nstrategy = override\n");
	snprintf(link, sizeof(link), "%s/etc/vfio-provision.conf", tmp);
	assert_int_equal(symlink("/etc/real.conf", link), 0);
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), 0);
	assert_int_equal(cfg.strategy, VP_STRATEGY_OVERRIDE);
}

static void test_load_nul_byte(void **state)
{
	char full[256];
	int fd;

	(void)state;
	snprintf(full, sizeof(full), "%s/etc/vfio-provision.conf", tmp);
	fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[gpu]\nstrategy = ids\0\n", 22), 22);
	close(fd);
	assert_int_equal(vp_config_load(&cfg, &root, NULL, &msg), -EINVAL);
	assert_string_equal(msg, "'/etc/vfio-provision.conf': byte offset 20: NUL byte in a text file; not editing it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define R(f) cmocka_unit_test_setup_teardown(f, setup_root, teardown_root)
		T(test_defaults),
		T(test_every_key),
		T(test_other_values),
		T(test_booleans),
		T(test_syntax_accepted),
		T(test_select_auto_and_lists),
		T(test_line_lengths),
		T(test_errors),
		T(test_handoff),
		T(test_parse_size),
		T(test_parse_ulong),
		R(test_load_nothing),
		R(test_load_dropin_order),
		R(test_load_dropin_error_names_file),
		R(test_load_main_error),
		R(test_load_explicit),
		R(test_load_explicit_missing),
		R(test_load_explicit_relative_with_root),
		R(test_load_unreadable),
		R(test_load_dropin_dir_is_file),
		R(test_load_symlink_stays_in_root),
		R(test_load_nul_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
