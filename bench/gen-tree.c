/* gen-tree N OUTDIR: a synthetic sysfs with N PCI functions for `make bench`.
 *
 * Same layout as tests/mkroot.sh (devices under sys/devices/pciDDDD:BB,
 * relative links from sys/bus/pci/devices and sys/kernel/iommu_groups, the
 * attribute files libpci and the probe read), written with plain syscalls:
 * a bash loop would take minutes for 10,000 functions.
 *
 * Topology: 4 functions a slot, 32 slots a bus, each bus behind its own host
 * bridge (as on multi-root servers), 256 buses a domain. Every slot is one
 * IOMMU group. Slot 0 function 0 is the boot VGA; two slots in three are a
 * GPU-like card (VGA, audio, USB, serial bus), the third a NIC/NVMe/USB/DMA
 * card, with the VGA ids varied per slot so that selection does not trip
 * over identical ids everywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *out;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "gen-tree: '%s': %s: %s\n", path, what, strerror(errno));
	exit(1);
}

static void mkdirs(const char *rel)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", out, rel);
	for (char *s = p + strlen(out) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die("mkdir", p);
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("mkdir", p);
}

static void put(const char *dir, const char *name, const void *buf, size_t len)
{
	char p[4096];
	int fd;
	snprintf(p, sizeof(p), "%s/%s/%s", out, dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("open", p);
	if (write(fd, buf, len) != (ssize_t)len)
		die("write", p);
	close(fd);
}

static void __attribute__((format(printf, 3, 4))) putf(const char *dir, const char *name, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(dir, name, buf, (size_t)n);
}

/* link LINKDIR/NAME -> TARGET, both relative to the root, made relative
 * through their common ancestor as sysfs does. */
static void lnrel(const char *linkdir, const char *name, const char *target)
{
	char rel[4096], p[4096];
	size_t i = 0, common = 0, n = 0;
	const char *s;

	while (linkdir[i] && target[i] && linkdir[i] == target[i]) {
		if (linkdir[i] == '/')
			common = i + 1;
		i++;
	}
	if (!linkdir[i] && (target[i] == '/' || !target[i]))
		common = i + (target[i] == '/');
	rel[0] = '\0';
	for (s = linkdir + common; *s; s++)
		if (*s == '/')
			n++;
	if (linkdir[common])
		n++;
	for (i = 0; i < n; i++)
		strcat(rel, "../");
	strcat(rel, target + common);
	snprintf(p, sizeof(p), "%s/%s/%s", out, linkdir, name);
	if (symlink(rel, p) < 0 && errno != EEXIST)
		die("symlink", p);
}

struct kind {
	unsigned cls, ven, dev;
};

int main(int argc, char **argv)
{
	static const struct kind gpu[4] = {
		{ 0x030000, 0x10de, 0x1b00 }, { 0x040300, 0x10de, 0x10f0 },
		{ 0x0c0330, 0x10de, 0x1ad6 }, { 0x0c8000, 0x10de, 0x1ad7 },
	};
	static const struct kind other[4] = {
		{ 0x020000, 0x8086, 0x1500 }, { 0x010802, 0x144d, 0xa800 },
		{ 0x0c0330, 0x1022, 0x4300 }, { 0x088000, 0x8086, 0x2021 },
	};
	char dir[512], addr[16], grp[64], tgt[600];
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: gen-tree N OUTDIR\n");
		return 2;
	}
	n = strtol(argv[1], NULL, 10);
	out = argv[2];
	if (n < 1 || n > 4L * 32 * 256 * 16) {
		fprintf(stderr, "gen-tree: N out of range\n");
		return 2;
	}
	if (mkdir(out, 0755) < 0 && errno != EEXIST)
		die("mkdir", out);
	mkdirs("sys/bus/pci/devices");
	mkdirs("sys/bus/pci/drivers");
	mkdirs("sys/kernel/iommu_groups");
	mkdirs("sys/devices/virtual/iommu/dmar0");
	mkdirs("sys/class/iommu");
	lnrel("sys/class/iommu", "dmar0", "sys/devices/virtual/iommu/dmar0");

	for (long i = 0; i < n; i++) {
		unsigned fn = i % 4, slot = (i / 4) % 32, bus = (i / 128) % 256, dom = i / 32768;
		long card = i / 4;
		int isgpu = card % 3 != 2, multi = n - (i - fn) > 1;
		const struct kind *k = isgpu ? &gpu[fn] : &other[fn];
		unsigned dev = k->dev + (unsigned)(isgpu && fn == 0 ? card % 200 : 0);
		unsigned char cfg[64] = { 0 };

		snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%u", dom, bus, slot, fn);
		snprintf(dir, sizeof(dir), "sys/devices/pci%04x:%02x/%s", dom, bus, addr);
		mkdirs(dir);
		putf(dir, "vendor", "0x%04x\n", k->ven);
		putf(dir, "device", "0x%04x\n", dev);
		putf(dir, "subsystem_vendor", "0x%04x\n", 0x1462);
		putf(dir, "subsystem_device", "0x%04x\n", (unsigned)(0x3000 + card % 0x1000));
		putf(dir, "class", "0x%06x\n", k->cls);
		putf(dir, "revision", "0xa1\n");
		putf(dir, "modalias", "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", k->ven, dev, 0x1462,
		     (unsigned)(0x3000 + card % 0x1000), k->cls >> 16, (k->cls >> 8) & 0xff, k->cls & 0xff);
		putf(dir, "numa_node", "-1\n");
		putf(dir, "irq", "0\n");
		putf(dir, "enable", "1\n");
		putf(dir, "driver_override", "(null)\n");
		putf(dir, "resource", "%s", "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			"0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
		if ((k->cls >> 8) == 0x0300)
			putf(dir, "boot_vga", "%d\n", i == 0);
		cfg[0] = k->ven & 0xff, cfg[1] = k->ven >> 8;
		cfg[2] = dev & 0xff, cfg[3] = dev >> 8;
		cfg[4] = 0x07, cfg[5] = 0x04;
		cfg[8] = 0xa1, cfg[9] = k->cls & 0xff, cfg[10] = (k->cls >> 8) & 0xff, cfg[11] = k->cls >> 16;
		cfg[14] = fn == 0 && multi ? 0x80 : 0x00;
		cfg[0x2c] = 0x62, cfg[0x2d] = 0x14;
		cfg[0x2e] = (0x3000 + card % 0x1000) & 0xff, cfg[0x2f] = (0x3000 + card % 0x1000) >> 8;
		cfg[0x3d] = 1;
		put(dir, "config", cfg, sizeof(cfg));

		lnrel(dir, "subsystem", "sys/bus/pci");
		lnrel("sys/bus/pci/devices", addr, dir);
		snprintf(grp, sizeof(grp), "sys/kernel/iommu_groups/%ld", card);
		if (fn == 0) {
			snprintf(tgt, sizeof(tgt), "%s/devices", grp);
			mkdirs(tgt);
			putf(grp, "type", "DMA-FQ\n");
		}
		snprintf(tgt, sizeof(tgt), "%s/devices", grp);
		lnrel(tgt, addr, dir);
		lnrel(dir, "iommu_group", grp);
	}
	return 0;
}
