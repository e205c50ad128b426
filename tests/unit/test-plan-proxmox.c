// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Proxmox VE on system literals: the guest lines (hostpciN per slot or per
 * function, x-vga only for the first VGA controller, hugepages: 1024, qm
 * set), nothing off Proxmox and no libvirt snippet on it; the bootloader
 * with proxmox-boot-tool (refresh once, never kernel-install or
 * update-grub); and the guard that keeps every path under /etc/pve out of
 * any plan.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"

static struct vp_pci_fn fn(unsigned bus, unsigned dev, unsigned func, uint32_t class)
{
	struct vp_pci_fn f = {.bus = bus, .dev = dev, .func = func, .class = class,
			      .numa_node = -1, .iommu_group = 1};

	snprintf(f.addr, sizeof(f.addr), "0000:%02x:%02x.%x", bus, dev, func);
	return f;
}

/* plan->hints joined; the caller frees */
static char *hints(const struct vp_plan *p)
{
	struct vp_buf b = {0};

	assert_int_equal(vp_buf_puts(&b, ""), 0);
	for (size_t i = 0; i < p->hints.n; i++)
		assert_int_equal(vp_buf_printf(&b, "%s\n", p->hints.v[i]), 0);
	return vp_buf_steal(&b);
}

static char *guest(struct vp_system *sys, size_t *sel_fns, size_t n, unsigned long pages)
{
	struct vp_config cfg = {.hp_count = pages, .hp_node = -1};
	struct vp_selection sel = {.fns = sel_fns, .n_fns = n};
	struct vp_plan p = {0};
	char *h;

	assert_int_equal(vp_plan_proxmox(&cfg, sys, &sel, &p, NULL), 0);
	h = hints(&p);
	vp_plan_free(&p);
	return h;
}

static void test_whole_slot(void **state)
{
	struct vp_pci_fn fns[] = {fn(1, 0, 0, 0x030000), fn(1, 0, 1, 0x040300)};
	struct vp_system sys = {.pve = true, .fns = fns, .n_fns = 2};
	size_t sel[] = {0, 1};
	char *h;

	(void)state;
	h = guest(&sys, sel, 2, 8);
	assert_non_null(strstr(h, "\nhostpci0: 0000:01:00,pcie=1,x-vga=1\nhugepages: 1024\n"));
	assert_non_null(strstr(h, "or run: qm set VMID --hostpci0 0000:01:00,pcie=1,x-vga=1 "
			       "--hugepages 1024\n"));
	assert_non_null(strstr(h, "at most 8192 MiB for the 8 pages"));
	assert_null(strstr(h, "hostpci1"));
	free(h);

	/* no pages: no hugepages line or option */
	h = guest(&sys, sel, 2, 0);
	assert_null(strstr(h, "hugepages"));
	assert_non_null(strstr(h, "or run: qm set VMID --hostpci0 0000:01:00,pcie=1,x-vga=1\n"));
	free(h);
}

static void test_partial_and_3d(void **state)
{
	/* a 3D controller alone in its slot; a VGA slot of which only .0 is selected */
	struct vp_pci_fn fns[] = {fn(1, 0, 0, 0x030000), fn(1, 0, 1, 0x040300),
				  fn(0x41, 0, 0, 0x030200)};
	struct vp_system sys = {.pve = true, .fns = fns, .n_fns = 3};
	size_t sel[] = {0, 2};
	char *h;

	(void)state;
	h = guest(&sys, sel, 2, 0);
	assert_non_null(strstr(h, "\nhostpci0: 0000:01:00.0,pcie=1,x-vga=1\n"
			       "hostpci1: 0000:41:00.0,pcie=1\n"));
	assert_non_null(strstr(h, "qm set VMID --hostpci0 0000:01:00.0,pcie=1,x-vga=1 "
			       "--hostpci1 0000:41:00.0,pcie=1\n"));
	free(h);
}

static void test_two_vga(void **state)
{
	/* two cards: x-vga on the first VGA entry only */
	struct vp_pci_fn fns[] = {fn(1, 0, 0, 0x030000), fn(1, 0, 1, 0x040300),
				  fn(2, 0, 0, 0x030000), fn(2, 0, 1, 0x040300)};
	struct vp_system sys = {.pve = true, .fns = fns, .n_fns = 4};
	size_t sel[] = {0, 1, 2, 3};
	char *h;

	(void)state;
	h = guest(&sys, sel, 4, 0);
	assert_non_null(strstr(h, "\nhostpci0: 0000:01:00,pcie=1,x-vga=1\n"
			       "hostpci1: 0000:02:00,pcie=1\n"));
	free(h);
}

static void test_not_proxmox(void **state)
{
	struct vp_pci_fn fns[] = {fn(1, 0, 0, 0x030000)};
	struct vp_system sys = {.fns = fns, .n_fns = 1};
	struct vp_config cfg = {.hp_count = 4, .hp_node = -1};
	struct vp_selection sel = {.fns = (size_t[]){0}, .n_fns = 1};
	struct vp_plan p = {0};
	char *h;

	(void)state;
	h = guest(&sys, (size_t[]){0}, 1, 4);
	assert_string_equal(h, "");
	free(h);
	/* on Proxmox, no libvirt snippet: its guests do not run under libvirt */
	sys.pve = true;
	assert_int_equal(vp_plan_libvirt(&cfg, &sys, &sel, &p, NULL), 0);
	assert_int_equal(p.hints.n, 0);
	vp_plan_free(&p);
}

static const char *command(const struct vp_plan *p, size_t i)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	for (char **a = p->commands[i].argv; *a && n < sizeof(buf); a++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "", *a);
	return buf;
}

static void tokens(struct vp_plan *p)
{
	assert_int_equal(vp_plan_add_token(p, "iommu", "iommu=pt", "r"), 0);
	assert_int_equal(vp_plan_add_token(p, "hugepagesz", "hugepagesz=1G", "r"), 0);
}

static void test_boot_sdboot(void **state)
{
	struct vp_file files[] = {
		{.path = "/etc/kernel/cmdline", .content = "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n",
		 .len = 36, .mode = 0644},
	};
	/* uki set on purpose: kernel-install must still never be planned */
	struct vp_system sys = {.bootloader = VP_BOOT_SYSTEMD_BOOT, .pve = true,
				.pve_boot_tool = true, .uki = true, .files = files, .n_files = 1,
				.kernels = (struct vp_kernel[]){{.version = "6.8.12-4-pve"}},
				.n_kernels = 1};
	struct vp_config cfg = {.bootloader_auto = true};
	struct vp_selection sel = {0};
	struct vp_plan p = {0};
	const struct vp_plan_file *f;
	char *msg = NULL;

	(void)state;
	tokens(&p);
	assert_int_equal(vp_plan_bootloader(&cfg, &sys, &sel, &p, &msg), 0);
	f = vp_plan_file(&p, "/etc/kernel/cmdline");
	assert_non_null(f);
	assert_string_equal(f->content, "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt hugepagesz=1G\n");
	assert_non_null(strstr(f->reason, "proxmox-boot-tool refresh"));
	assert_int_equal(p.n_files, 1);
	assert_int_equal(p.n_commands, 1);
	assert_string_equal(command(&p, 0), "proxmox-boot-tool refresh");
	for (size_t i = 0; i < p.n_msgs; i++)
		assert_null(strstr(p.msgs[i].text, "kernel-install"));
	vp_plan_free(&p);
}

static void test_boot_grub(void **state)
{
	struct vp_file files[] = {
		{.path = "/etc/default/grub", .content = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
		 .len = 35, .mode = 0644},
	};
	struct vp_system sys = {.bootloader = VP_BOOT_GRUB, .pve = true, .pve_boot_tool = true,
				.grub_d = true, .have_update_grub = true,
				.grub_cfg = "/boot/grub/grub.cfg", .files = files, .n_files = 1};
	struct vp_config cfg = {.bootloader_auto = true};
	struct vp_selection sel = {0};
	struct vp_plan p = {0};
	char *msg = NULL;

	(void)state;
	tokens(&p);
	assert_int_equal(vp_plan_bootloader(&cfg, &sys, &sel, &p, &msg), 0);
	assert_non_null(vp_plan_file(&p, "/etc/default/grub.d/vfio-provision.cfg"));
	/* refresh runs update-grub on each ESP: once, and no update-grub of our own */
	assert_int_equal(p.n_commands, 1);
	assert_string_equal(command(&p, 0), "proxmox-boot-tool refresh");
	vp_plan_free(&p);

	/* without proxmox-boot-tool: Debian's update-grub */
	sys.pve_boot_tool = false;
	tokens(&p);
	assert_int_equal(vp_plan_bootloader(&cfg, &sys, &sel, &p, &msg), 0);
	assert_int_equal(p.n_commands, 1);
	assert_string_equal(command(&p, 0), "update-grub");
	vp_plan_free(&p);
}

static void test_boot_noroot(void **state)
{
	struct vp_file files[] = {
		{.path = "/etc/kernel/cmdline", .content = "boot=zfs\nroot=ZFS=x\n", .len = 20,
		 .mode = 0644},
	};
	struct vp_system sys = {.bootloader = VP_BOOT_SYSTEMD_BOOT, .pve_boot_tool = true,
				.files = files, .n_files = 1};
	struct vp_config cfg = {.bootloader_auto = true};
	struct vp_selection sel = {0};
	struct vp_plan p = {0};
	char *msg = NULL;
	bool warned = false;

	(void)state;
	tokens(&p);
	/* only the first line counts for proxmox-boot-tool */
	assert_int_equal(vp_plan_bootloader(&cfg, &sys, &sel, &p, &msg), 0);
	for (size_t i = 0; i < p.n_msgs; i++)
		warned |= p.msgs[i].level == VP_MSG_WARN && strstr(p.msgs[i].text, "no root=");
	assert_true(warned);
	vp_plan_free(&p);
}

static void test_forbidden(void **state)
{
	static const char *const bad[] = {
		"/etc/pve", "/etc/pve/", "/etc/pve/qemu-server/100.conf", "//etc//pve/x",
		"/etc/./pve/x", "/etc/pve/../pve/x", "/dev/../etc/pve/x", "/../etc/pve",
		"etc/pve/x",
	};
	static const char *const good[] = {
		"/etc/pvex", "/etc/pvex/y", "/etc/pv", "/etc/default/grub", "/etc/pve/../fstab",
		"/etc", "/", "", "/pve/etc", "/var/etc/pve",
	};
	struct vp_plan p = {0};
	char *msg = NULL;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_true(vp_plan_path_forbidden(bad[i]));
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_false(vp_plan_path_forbidden(good[i]));

	/* a planned file or directory there: -EPERM naming it */
	assert_int_equal(vp_plan_add_file(&p, "/etc/fstab", strdup("x\n"), 0644, false, "r"), 0);
	assert_int_equal(vp_plan_check_paths(&p, &msg), 0);
	assert_int_equal(vp_plan_add_dir(&p, "/etc/pve/hugepages"), 0);
	assert_int_equal(vp_plan_check_paths(&p, &msg), -EPERM);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "'/etc/pve/hugepages': under /etc/pve"));
	free(msg);
	msg = NULL;
	vp_plan_free(&p);
	assert_int_equal(vp_plan_add_file(&p, "/etc/pve/qemu-server/100.conf", strdup("x\n"),
					  0644, true, "r"), 0);
	assert_int_equal(vp_plan_check_paths(&p, &msg), -EPERM);
	assert_non_null(strstr(msg, "'/etc/pve/qemu-server/100.conf'"));
	free(msg);
	vp_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_slot),
		cmocka_unit_test(test_partial_and_3d),
		cmocka_unit_test(test_two_vga),
		cmocka_unit_test(test_not_proxmox),
		cmocka_unit_test(test_boot_sdboot),
		cmocka_unit_test(test_boot_grub),
		cmocka_unit_test(test_boot_noroot),
		cmocka_unit_test(test_forbidden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
