// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Binding by address: driver_override = vfio-pci for a function whose
 * vendor:device is still the configured one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpe.h"

static int read_hex_attr(const struct vpe_io *io, const char *root, const char *addr,
			 const char *attr, unsigned *ret)
{
	char path[512], buf[32];
	const char *p, *end;
	int r;

	r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/devices/%s/%s", addr, attr);
	if (r < 0)
		return r;
	r = io->read(io->ctx, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	p = vpe_strip(buf);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	r = vpe_parse_hex(p, 1, 8, ret, &end);
	if (r < 0 || *end)
		return -EINVAL;
	return 0;
}

int vpe_bind(const struct vpe_io *io, const char *root, const struct vpe_addr *a)
{
	char path[512], drv[64];
	unsigned vendor, device;
	int r;

	r = read_hex_attr(io, root, a->addr, "vendor", &vendor);
	if (r == 0)
		r = read_hex_attr(io, root, a->addr, "device", &device);
	if (r < 0) {
		vpe_log(io, VPE_WARN, "%s: no PCI function there (%s), not bound to vfio-pci",
			a->addr, strerror(-r));
		return r;
	}
	if (vendor != a->vendor || device != a->device) {
		/* A card was moved or replaced: binding blind could take the wrong one. */
		vpe_log(io, VPE_WARN, "%s: is %04x:%04x, configured %04x:%04x (card moved?), not bound to vfio-pci",
			a->addr, vendor, device, a->vendor, a->device);
		return -ENODEV;
	}

	r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/devices/%s/driver_override", a->addr);
	if (r < 0)
		return r;
	r = io->write(io->ctx, path, "vfio-pci");
	if (r < 0) {
		vpe_log(io, VPE_WARN, "%s: cannot write driver_override: %s", a->addr, strerror(-r));
		return r;
	}

	r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/devices/%s/driver", a->addr);
	if (r < 0)
		return r;
	r = io->readlink_name(io->ctx, path, drv, sizeof(drv));
	if (r >= 0 && strcmp(drv, "vfio-pci") == 0)
		return 0;
	if (r >= 0) {
		r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/devices/%s/driver/unbind", a->addr);
		if (r < 0)
			return r;
		r = io->write(io->ctx, path, a->addr);
		if (r < 0) {
			vpe_log(io, VPE_WARN, "%s: cannot unbind %s: %s", a->addr, drv, strerror(-r));
			return r;
		}
	}
	/*
	 * Probe even when nothing was bound: a built-in vfio-pci has already
	 * passed this device by and only a probe makes it look again. With
	 * vfio-pci still a module this is a no-op and it binds on load.
	 */
	r = vpe_path(path, sizeof(path), root, "/sys/bus/pci/drivers_probe");
	if (r < 0)
		return r;
	io->write(io->ctx, path, a->addr);
	return 0;
}
