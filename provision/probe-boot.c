// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which initramfs generator and which bootloader this root uses, from the
 * files it holds. Everything found is recorded (initramfs_found[],
 * bootloader_found[]); the one "in use" is picked by the precedence below.
 * The config's [initramfs] generator and [bootloader] type override both.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "probe-internal.h"
#include "ledger.h"
#include "probe.h"

/* The places an ESP is mounted, in the order kernel-install looks. */
const char *const vp_esp_dirs[] = {"/efi", "/boot", "/boot/efi", NULL};

/*
 * The root as evidence. What vfio-provision created itself (a file that was
 * not there before it, a directory it made: the ledger says which) is no
 * evidence of what the system uses: a dracut drop-in of ours, written while
 * [initramfs] generator = dracut, must not make dracut the generator once
 * that setting is gone. The first file the probe could not look at goes to
 * broken: a dangling link (where the generator or the bootloader would read
 * a file, it finds none, and "no bootloader" would be a guess), a link
 * leaving the root, an error. The probe fails naming it.
 */
struct evidence {
	const struct vp_root *root;
	struct vp_strv ours;
	char *broken;
};

static void evidence_init(struct evidence *ev, const struct vp_root *root)
{
	struct vp_ledger l = {0};

	*ev = (struct evidence){.root = root};
	/* an unreadable ledger: then everything counts, as before any apply */
	if (vp_ledger_load(root, &l, NULL) < 0)
		return;
	for (size_t i = 0; i < l.n; i++)
		if (!l.f[i].base.exists && vp_strv_push(&ev->ours, l.f[i].path) < 0)
			break;
	for (size_t i = 0; i < l.dirs.n; i++)
		if (vp_strv_push(&ev->ours, l.dirs.v[i]) < 0)
			break;
	vp_ledger_free(&l);
}

static bool exists(struct evidence *ev, const char *path)
{
	_cleanup_free_ char *msg = NULL, *target = NULL;
	struct stat st;
	int r;

	if (vp_strv_contains(&ev->ours, path))
		return false;
	r = vp_root_stat(ev->root, path, &st, &msg);
	if (r == 0)
		return true;
	if (ev->broken)
		return false;
	if (r == -ENOENT && vp_root_readlink(ev->root, path, &target) == 0)
		ev->broken = vp_strdup_printf("'%s': a symbolic link to '%s', which does not exist",
					      path, target);
	else if (r != -ENOENT && r != -ENOTDIR)
		ev->broken = msg ? strdup(msg) : vp_strdup_printf("'%s': %s", path, strerror(-r));
	return false;
}

/* A program is only evidence: a dangling one (an alternative unset) is absent. */
static bool runs(const struct evidence *ev, const char *path)
{
	return !vp_strv_contains(&ev->ours, path) && vp_root_exists(ev->root, path);
}

/* A program in any of the usual bin directories (merged /usr or not). */
static bool have_program(const struct evidence *root, const char *name)
{
	static const char *const dirs[] = {"/usr/bin", "/usr/sbin", "/bin", "/sbin"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *p = vp_strdup_printf("%s/%s", dirs[i], name);

		if (p && runs(root, p))
			return true;
	}
	return false;
}

/* Any "*.conf" in a directory of the root. */
static bool have_conf_in(const struct evidence *ev, const char *dir)
{
	struct dirent *de;
	DIR *d;
	bool found = false;

	if (vp_root_opendir(ev->root, dir, &d, NULL) < 0)
		return false;
	while (!found && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		found = de->d_name[0] != '.' && l > 5 && strcmp(de->d_name + l - 5, ".conf") == 0;
	}
	closedir(d);
	return found;
}

/*
 * dpkg's record of a package: installed ("Status: ... installed"), or not.
 * status is the whole of /var/lib/dpkg/status; stanzas are separated by a
 * blank line, and Package: comes first in each.
 */
static bool dpkg_installed(const char *status, const char *pkg)
{
	_cleanup_free_ char *needle = vp_strdup_printf("Package: %s\n", pkg);
	const char *p = status;

	while (needle && (p = strstr(p, needle))) {
		const char *end = strstr(p, "\n\n"), *st;

		if (p == status || p[-1] == '\n') {
			st = strstr(p, "\nStatus: ");
			if (st && (!end || st < end)) {
				const char *eol = strchr(st + 1, '\n');
				size_t l = eol ? (size_t)(eol - st) : strlen(st);

				return l > 10 && memcmp(st + l - 10, " installed", 10) == 0;
			}
		}
		p += strlen(needle);
	}
	return false;
}

/*
 * Debian and Ubuntu allow dracut or initramfs-tools to build the images,
 * never both (they conflict), but the dracut program alone comes with
 * dracut-core, which builds nothing on a kernel update: the generator is
 * the package installed as such (dpkg's status), else the one whose
 * kernel postinst hook is there. Called only when both have traces.
 * Returns the generator, NONE when it cannot tell (with the note saying so).
 */
static enum vp_initramfs debian_generator(struct evidence *root, struct vp_system *sys)
{
	_cleanup_free_ char *status = NULL;
	bool d = false, it = false, dc = false, hd, hit;
	size_t len;

	if (vp_root_read(root->root, "/var/lib/dpkg/status", &status, &len) == 0 && status) {
		d = dpkg_installed(status, "dracut");
		it = dpkg_installed(status, "initramfs-tools");
		dc = dpkg_installed(status, "dracut-core");
	}
	if (d != it) {
		sys->initramfs_note = vp_strdup_printf(
			"dpkg: %s is installed%s, %s is not", d ? "dracut" : "initramfs-tools",
			!d && dc ? " (dracut-core too: the dracut program, which builds no "
				   "images on its own)" : "",
			d ? "initramfs-tools" : "dracut (the package with the kernel hook)");
		return d ? VP_INITRAMFS_DRACUT : VP_INITRAMFS_INITRAMFS_TOOLS;
	}
	hd = exists(root, "/etc/kernel/postinst.d/dracut");
	hit = exists(root, "/etc/kernel/postinst.d/initramfs-tools");
	if (hd != hit) {
		sys->initramfs_note = vp_strdup_printf(
			"/etc/kernel/postinst.d/%s builds the images on kernel updates",
			hd ? "dracut" : "initramfs-tools");
		return hd ? VP_INITRAMFS_DRACUT : VP_INITRAMFS_INITRAMFS_TOOLS;
	}
	sys->initramfs_unsure = true;
	sys->initramfs_note = vp_strdup_printf(
		"both dracut and initramfs-tools are here, and neither dpkg (%s) nor "
		"/etc/kernel/postinst.d tells which one builds the images; set "
		"[initramfs] generator", d ? "both installed" : "neither installed");
	return VP_INITRAMFS_NONE;
}

/*
 * Initramfs: the generator's own program is strong evidence, its config
 * file alone weak (left behind after a switch). The strongest wins; among
 * equals, mkinitcpio, then dracut, then initramfs-tools (Arch may carry
 * dracut beside its default mkinitcpio). dracut beside initramfs-tools is
 * Debian's case: debian_generator decides.
 */
static void probe_initramfs(struct evidence *root, struct vp_system *sys)
{
	int score[VP_INITRAMFS_COUNT] = {0}, best = 0;

	score[VP_INITRAMFS_MKINITCPIO] = have_program(root, "mkinitcpio") ? 2 :
					 exists(root, "/etc/mkinitcpio.conf") ? 1 : 0;
	score[VP_INITRAMFS_DRACUT] = have_program(root, "dracut") ? 2 :
				     (exists(root, "/etc/dracut.conf") ||
				      exists(root, "/etc/dracut.conf.d")) ? 1 : 0;
	score[VP_INITRAMFS_INITRAMFS_TOOLS] =
		have_program(root, "update-initramfs") ? 2 :
		exists(root, "/etc/initramfs-tools/initramfs.conf") ? 1 : 0;
	if (score[VP_INITRAMFS_DRACUT] && score[VP_INITRAMFS_INITRAMFS_TOOLS] &&
	    score[VP_INITRAMFS_MKINITCPIO] < 2) {
		enum vp_initramfs g = debian_generator(root, sys);

		if (g != VP_INITRAMFS_NONE)
			score[g] = 3;
	}
	sys->initramfs = VP_INITRAMFS_NONE;
	for (int g = 1; g < VP_INITRAMFS_COUNT; g++) {
		sys->initramfs_found[g] = score[g] > 0;
		if (score[g] > best) {
			best = score[g];
			sys->initramfs = (enum vp_initramfs)g;
		}
	}
}

/*
 * Bootloader precedence, most specific first:
 *   1. rpm-ostree  /run/ostree-booted: kernel args belong to `rpm-ostree kargs`
 *   2. kernelstub  /etc/kernelstub/configuration (Pop!_OS drives systemd-boot)
 *   3. systemd-boot  loader/loader.conf on an ESP
 *   4. refind      /boot/refind_linux.conf (written on purpose by refind-install;
 *                  a grub.cfg beside it is often a leftover)
 *   5. grub        /etc/default/grub and a grub.cfg (boot/grub or boot/grub2)
 *   6. bls         /boot/loader/entries/ *.conf without any of the above
 *   7. systemd-boot  /etc/kernel/cmdline alone (kernel-install, UKIs)
 *   8. grubby      the program without grub's files
 */
static void probe_bootloader(struct evidence *root, struct vp_system *sys)
{
	static const enum vp_bootloader order[] = {
		VP_BOOT_RPM_OSTREE, VP_BOOT_KERNELSTUB, VP_BOOT_SYSTEMD_BOOT, VP_BOOT_REFIND,
		VP_BOOT_GRUB, VP_BOOT_BLS,
	};
	bool *f = sys->bootloader_found;
	bool loader_conf = false, grub;

	for (size_t i = 0; vp_esp_dirs[i]; i++) {
		_cleanup_free_ char *p = vp_strdup_printf("%s/loader/loader.conf", vp_esp_dirs[i]);

		if (p && exists(root, p))
			loader_conf = true;
	}
	grub = exists(root, "/etc/default/grub") &&
	       (exists(root, "/boot/grub/grub.cfg") || exists(root, "/boot/grub2/grub.cfg"));
	f[VP_BOOT_RPM_OSTREE] = exists(root, "/run/ostree-booted");
	f[VP_BOOT_KERNELSTUB] = exists(root, "/etc/kernelstub/configuration");
	f[VP_BOOT_SYSTEMD_BOOT] = loader_conf || exists(root, "/etc/kernel/cmdline");
	f[VP_BOOT_REFIND] = exists(root, "/boot/refind_linux.conf");
	f[VP_BOOT_GRUB] = grub;
	f[VP_BOOT_BLS] = have_conf_in(root, "/boot/loader/entries");
	f[VP_BOOT_GRUBBY] = !grub && have_program(root, "grubby");

	sys->bootloader = VP_BOOT_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		enum vp_bootloader b = order[i];

		/* /etc/kernel/cmdline alone ranks below grub and BLS (rule 7) */
		if (b == VP_BOOT_SYSTEMD_BOOT && !loader_conf)
			continue;
		if (f[b]) {
			sys->bootloader = b;
			return;
		}
	}
	if (f[VP_BOOT_SYSTEMD_BOOT])
		sys->bootloader = VP_BOOT_SYSTEMD_BOOT;
	else if (f[VP_BOOT_GRUBBY])
		sys->bootloader = VP_BOOT_GRUBBY;
}

int vp_probe_boot(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	struct evidence ev;
	int r;

	evidence_init(&ev, root);
	probe_initramfs(&ev, sys);
	probe_bootloader(&ev, sys);
	vp_strv_free(&ev.ours);
	if (ev.broken) {
		r = vp_fail(ret_msg, -ENOENT, "%s; cannot tell the initramfs generator and the "
			    "bootloader", ev.broken);
		free(ev.broken);
		return r;
	}
	if (!sys->proc_cmdline) {
		r = vp_probe_attr(root, "/proc/cmdline", &sys->proc_cmdline, ret_msg);
		if (r < 0)
			return r;
		if (sys->proc_cmdline)
			vp_strstrip(sys->proc_cmdline);
	}
	/* after /proc/cmdline: the mode of proxmox-boot-tool's ESPs depends on it */
	return vp_probe_proxmox(root, sys, ret_msg);
}
