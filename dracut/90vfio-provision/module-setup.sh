#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module of vfio-provision: the vfio modules, the static early program,
# its generated config, and what runs it first: a systemd unit ordered before
# udev (systemd initrds) or a cmdline hook (the shell init).
#
# Environment (for tests and packaging):
#   VFIO_PROVISION_EARLY  the program to install (default: the installed one)
#   VFIO_PROVISION_ROOT   where /etc/vfio-provision/early.conf and our
#                         modprobe.d file are taken from (default: the sysroot)

# Only when asked for: add_dracutmodules+=" vfio-provision " in our drop-in.
check() {
    return 255
}

depends() {
    return 0
}

installkernel() {
    # Whatever of these this kernel has as modules: vfio_virqfd is gone from
    # 6.2 and vfio_pci_core appeared in 5.15; built-ins need nothing.
    hostonly='' instmods vfio_pci vfio_pci_core vfio vfio_iommu_type1 vfio_virqfd
}

install() {
    local bin=${VFIO_PROVISION_EARLY:-@LIBEXECDIR@/vfio-provision-early}
    local src=${VFIO_PROVISION_ROOT:-$dracutsysrootdir}
    local f

    if [[ ! -x $bin ]]; then
        derror "vfio-provision: $bin not found or not executable"
        return 1
    fi
    # Not through dracutsysrootdir: the program comes from the build or the
    # installed package, the config from the root being provisioned.
    inst_simple "$bin" /usr/lib/vfio-provision/vfio-provision-early
    for f in /etc/vfio-provision/early.conf /etc/modprobe.d/vfio.conf; do
        # Ours, so needed in any image: modprobe.d is copied only when
        # host-only, and the ids strategy depends on it.
        if [[ -f $src$f ]]; then
            if [[ -n $VFIO_PROVISION_ROOT ]]; then
                DRACUT_RESOLVE_DEPS='' dracutsysrootdir='' inst_simple "$src$f" "$f"
            else
                inst_simple "$f"
            fi
        fi
    done
    # shellcheck disable=SC2154 # moddir, systemdsystemunitdir and SYSTEMCTL are dracut's
    if dracut_module_included "systemd"; then
        # A systemd initrd runs hooks from dracut-cmdline/-pre-udev.service,
        # seconds after /init; a unit without default dependencies, ordered
        # before them and before udev, runs as soon as systemd starts jobs.
        inst_simple "$moddir/vfio-provision-early.service" \
            "$systemdsystemunitdir/vfio-provision-early.service"
        $SYSTEMCTL -q --root "$initdir" add-wants sysinit.target vfio-provision-early.service
    else
        # The shell init: cmdline hooks are the first it runs after
        # mounting /proc, /sys and /dev, before pre-udev and udev.
        inst_hook cmdline 00 "$moddir/vfio-provision-early.sh"
    fi
}
