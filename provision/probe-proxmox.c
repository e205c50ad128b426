// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Proxmox VE, and the ESPs proxmox-boot-tool keeps. Read-only.
 *
 * A node is Proxmox VE when it has /etc/pve (the mount point of the cluster
 * filesystem, there even while pmxcfs is stopped) or when pve-manager or
 * proxmox-ve is installed according to the dpkg status.
 *
 * /etc/kernel/proxmox-boot-uuids lists the ESPs proxmox-boot-tool copies
 * kernels to (ZFS root; also GRUB with Secure Boot, and Proxmox Backup
 * Server). Those ESPs are not mounted, so the mode they boot in is not
 * visible in the root; `proxmox-boot-tool refresh` decides per ESP: GRUB
 * when grubx64.efi is on it or the machine booted by BIOS, else
 * systemd-boot with entries built from the first line of
 * /etc/kernel/cmdline. We decide in that spirit, first match wins:
 *   1. /proc/cmdline has BOOT_IMAGE=: GRUB booted this kernel (systemd-boot
 *      never sets it)
 *   2. /proc/cmdline exists (a running system) but /sys/firmware/efi does
 *      not: BIOS boot, and proxmox-boot-tool installs GRUB there
 *   3. /etc/kernel/cmdline exists: systemd-boot (the installer writes it for
 *      systemd-boot; GRUB mode does not read it)
 *   4. else GRUB.
 * [bootloader] type overrides the result, as everywhere.
 */
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "probe-internal.h"
#include "probe.h"

#define PVE_DIR "/etc/pve"
#define DPKG_STATUS "/var/lib/dpkg/status"
#define PBT_UUIDS "/etc/kernel/proxmox-boot-uuids"

/* The value of "Field: value" at the start of line l (length len), or NULL. */
static const char *field(const char *l, size_t len, const char *name, size_t *ret_len)
{
	size_t n = strlen(name);

	if (len <= n + 1 || strncmp(l, name, n) != 0 || l[n] != ':')
		return NULL;
	l += n + 1;
	len -= n + 1;
	while (len && (*l == ' ' || *l == '\t')) {
		l++;
		len--;
	}
	while (len && (l[len - 1] == ' ' || l[len - 1] == '\t' || l[len - 1] == '\r'))
		len--;
	*ret_len = len;
	return l;
}

/* "install ok installed" (or "hold ok installed"): the last word is the state. */
static bool status_installed(const char *s, size_t len)
{
	return len >= 10 && strncmp(s + len - 10, " installed", 10) == 0;
}

struct stanza {
	const char *pkg, *ver;
	size_t pkg_len, ver_len;
	bool installed;
};

static const char *const pve_packages[] = {"pve-manager", "proxmox-ve"};

/* At the end of a stanza: a package that makes a Proxmox VE node is evidence. */
static int end_stanza(struct stanza *st, struct vp_system *sys)
{
	int r = 0;

	for (size_t i = 0; st->pkg && st->installed && i < ARRAY_SIZE(pve_packages); i++) {
		if (st->pkg_len != strlen(pve_packages[i]) ||
		    strncmp(st->pkg, pve_packages[i], st->pkg_len) != 0)
			continue;
		r = vp_strv_push_take(&sys->pve_evidence,
				      vp_strdup_printf("%s %.*s installed", pve_packages[i],
						       (int)st->ver_len, st->ver ? st->ver : "?"));
		if (r >= 0 && i == 0 && st->ver && !sys->pve_version) {
			sys->pve_version = strndup(st->ver, st->ver_len);
			if (!sys->pve_version)
				r = -ENOMEM;
		}
	}
	*st = (struct stanza){0};
	return r;
}

/* The dpkg status, stanza by stanza (a blank line ends one). */
static int scan_dpkg(const char *text, size_t text_len, struct vp_system *sys)
{
	struct stanza st = {0};
	int r = 0;

	for (size_t off = 0; off < text_len && r >= 0;) {
		const char *l = text + off, *nl = memchr(l, '\n', text_len - off), *v;
		size_t len = nl ? (size_t)(nl - l) : text_len - off, vl;

		if (len == 0 || (len == 1 && l[0] == '\r')) {
			r = end_stanza(&st, sys);
		} else if ((v = field(l, len, "Package", &vl))) {
			st.pkg = v;
			st.pkg_len = vl;
		} else if ((v = field(l, len, "Version", &vl))) {
			st.ver = v;
			st.ver_len = vl;
		} else if ((v = field(l, len, "Status", &vl))) {
			st.installed = status_installed(v, vl);
		}
		off += len + 1;
	}
	return r < 0 ? r : end_stanza(&st, sys);
}

/* Non-empty, non-comment lines of the UUID list. */
static size_t count_esps(const char *text)
{
	size_t n = 0;

	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l), i = 0;

		while (i < len && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r'))
			i++;
		if (i < len && l[i] != '#')
			n++;
		l = nl ? nl + 1 : NULL;
	}
	return n;
}

static bool has_word(const char *cmdline, const char *key)
{
	struct vp_cmdline c = {0};
	bool found = false;

	if (!cmdline || vp_cmdline_split(cmdline, &c, NULL) < 0)
		return false;
	for (size_t i = 0; i < c.n_params && !found; i++)
		found = vp_cmdline_key_eq(c.w[i].key, c.w[i].key_len, key, strlen(key));
	vp_cmdline_free(&c);
	return found;
}

static void boot_mode(const struct vp_root *root, struct vp_system *sys)
{
	bool grub;

	if (has_word(sys->proc_cmdline, "BOOT_IMAGE")) {
		grub = true;
		sys->pve_boot_why = "BOOT_IMAGE= on /proc/cmdline: GRUB booted this kernel";
	} else if (sys->proc_cmdline && !vp_root_exists(root, "/sys/firmware/efi")) {
		grub = true;
		sys->pve_boot_why = "no /sys/firmware/efi: booted by BIOS, where the ESPs carry GRUB";
	} else if (vp_root_exists(root, "/etc/kernel/cmdline")) {
		grub = false;
		sys->pve_boot_why = "/etc/kernel/cmdline and no BOOT_IMAGE= on /proc/cmdline: "
				    "systemd-boot entries";
	} else {
		grub = true;
		sys->pve_boot_why = "no /etc/kernel/cmdline: the ESPs carry GRUB";
	}
	sys->bootloader = grub ? VP_BOOT_GRUB : VP_BOOT_SYSTEMD_BOOT;
	sys->bootloader_found[sys->bootloader] = true;
}

int vp_probe_proxmox(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	_cleanup_free_ char *status = NULL, *uuids = NULL;
	size_t status_len = 0;
	int r;

	if (vp_root_exists(root, PVE_DIR)) {
		r = vp_strv_push(&sys->pve_evidence, PVE_DIR);
		if (r < 0)
			return r;
	}
	r = vp_root_read(root, DPKG_STATUS, &status, &status_len);
	if (r < 0 && r != -ENOENT)
		return vp_fail(ret_msg, r, "'" DPKG_STATUS "': %s", strerror(-r));
	if (r >= 0) {
		r = scan_dpkg(status, status_len, sys);
		if (r < 0)
			return r;
	}
	sys->pve = sys->pve_evidence.n > 0;

	r = vp_root_read(root, PBT_UUIDS, &uuids, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return vp_fail(ret_msg, r, "'" PBT_UUIDS "': %s", strerror(-r));
	sys->pve_boot_tool = true;
	sys->pve_n_esps = count_esps(uuids);
	boot_mode(root, sys);
	return 0;
}
