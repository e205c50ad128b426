#!/bin/bash
# check --post-install (package and kernel hooks): reports, applies only with
# [apply] on_upgrade = yes, warns about a new kernel without vfio_pci, and
# never fails.
. "$(dirname "$0")/lib.sh"

base=$(mkfix skylake-gtx1070) || { not_ok "fixture skylake-gtx1070"; exit 0; }
work=$(tmpdir); trap 'rm -rf "$work"' EXIT
fresh() { rm -rf "$work/root"; cp -a "$base" "$work/root"; root=$work/root; mkdir -p "$root/etc"; }
snap() { (cd "$root" && find etc boot -type f 2>/dev/null | sort | xargs -r md5sum); }

fresh
printf '[gpu]\nselect = auto\n' >"$root/etc/vfio-provision.conf"
before=$(snap)
out=$("$VP" --root "$root" --post-install check 2>&1); rc=$?
check_eq "post-install without on_upgrade: exit 0" 0 "$rc"
check_match "post-install without on_upgrade: lists what is pending" 'pending: .*/etc/modprobe.d/vfio.conf' "$out"
check_match "post-install without on_upgrade: says how to apply" 'on_upgrade = yes' "$out"
check_eq "post-install without on_upgrade: nothing written" "$before" "$(snap)"

printf '[gpu]\nselect = auto\n[apply]\non_upgrade = yes\n' >"$root/etc/vfio-provision.conf"
out=$("$VP" --root "$root" --post-install check 2>&1); rc=$?
check_eq "post-install with on_upgrade: exit 0" 0 "$rc"
check "post-install with on_upgrade: applied" test -f "$root/etc/modprobe.d/vfio.conf"
out=$("$VP" --root "$root" check 2>&1); rc=$?
check_eq "post-install with on_upgrade: check is clean afterwards" 0 "$rc"
out=$("$VP" --root "$root" --post-install check 2>&1); rc=$?
check_match "post-install again: up to date" 'up to date' "$out"

# a newly installed kernel without vfio_pci: loud warning, still exit 0
fresh
printf '[gpu]\nselect = auto\n' >"$root/etc/vfio-provision.conf"
kv=$(ls "$root/lib/modules" | head -1)
cp -a "$root/lib/modules/$kv" "$root/lib/modules/9.9.9-novfio"
find "$root/lib/modules/9.9.9-novfio" -name 'vfio-pci.ko*' -o -name 'vfio_pci.ko*' | xargs -r rm -f
depmod -b "$root" 9.9.9-novfio 2>/dev/null
out=$("$VP" --root "$root" --post-install --kver 9.9.9-novfio check 2>&1); rc=$?
check_eq "new kernel without vfio_pci: exit 0 all the same" 0 "$rc"
check_match "new kernel without vfio_pci: the warning names it" '9\.9\.9-novfio' "$out"

# a broken config never fails the hook
fresh
printf '[gpu]\nbogus = 1\n' >"$root/etc/vfio-provision.conf"
out=$("$VP" --root "$root" --post-install check 2>&1); rc=$?
check_eq "broken config: post-install still exits 0" 0 "$rc"
check_match "broken config: the error is shown" "vfio-provision.conf':2" "$out"

# an image build (debootstrap, mmdebstrap): no /sys, no config, nothing of
# ours yet: the hook has nothing to plan and says nothing
rm -rf "$work/image"; mkdir -p "$work/image/etc" "$work/image/usr/bin" "$work/image/var/lib"
out=$("$VP" --root "$work/image" --post-install check 2>&1); rc=$?
check_eq "image build, no config: post-install says nothing, exit 0" "0 ''" "$rc '$out'"
# with a config the same root is reported on, and the hook still exits 0
printf '[gpu]\nselect = auto\n' >"$work/image/etc/vfio-provision.conf"
out=$("$VP" --root "$work/image" --post-install check 2>&1); rc=$?
check_eq "image build with a config: exit 0" 0 "$rc"
check_match "image build with a config: why it cannot plan" "'/sys/bus/pci/devices'" "$out"
# no config but a ledger (applied before, config removed since): reported on
rm "$work/image/etc/vfio-provision.conf"
mkdir -p "$work/image/var/lib/vfio-provision"; printf '# vfio-provision ledger 2\n' >"$work/image/var/lib/vfio-provision/ledger"
out=$("$VP" --root "$work/image" --post-install check 2>&1); rc=$?
check_match "no config but a ledger: post-install still looks" "'/sys/bus/pci/devices'" "$out"
