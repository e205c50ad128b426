#!/bin/bash
# The static early program on fake trees (real files, the real I/O paths and
# main.c), its size and static linking, and the initramfs hook scripts.
. "$(dirname "$0")/lib.sh"

EARLY=$BUILD/early/vfio-provision-early
if [ ! -x "$EARLY" ]; then
	not_ok "early program built" "$EARLY missing"; exit 0
fi

# Static, stripped, small.
if readelf -lW "$EARLY" | grep -q INTERP || readelf -dW "$EARLY" 2>/dev/null | grep -q NEEDED; then
	not_ok "early program is static" "$(readelf -lW "$EARLY" | grep -A1 INTERP)"
else
	ok "early program is static"
fi
size=$(stat -c %s "$EARLY")
check "early program <= 64 KiB stripped ($size bytes)" test "$size" -le 65536
check_eq "early program is stripped" "" "$(readelf -SW "$EARLY" | grep -o '\.symtab')"

d=$(tmpdir); trap 'rm -rf "$d"' EXIT

# mkroot DIR: 6 GiB machine with the 1 GiB hstate, one node, a VGA+audio
# pair at 0000:00:05.x (audio bound to snd_hda_intel) and a kmsg file.
mkroot() {
	local r=$1 hp=sys/kernel/mm/hugepages/hugepages-1048576kB
	mkdir -p "$r/$hp" "$r/proc/sys/vm" "$r/dev" "$r/etc/vfio-provision" \
		"$r/sys/devices/system/node/node0/hugepages/hugepages-1048576kB" \
		"$r/sys/bus/pci/drivers/snd_hda_intel"
	echo 0 >"$r/$hp/nr_hugepages"
	echo 0 >"$r/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages"
	: >"$r/proc/sys/vm/compact_memory"
	printf 'MemTotal:        6086044 kB\nMemFree:         5900000 kB\n' >"$r/proc/meminfo"
	echo "root=/dev/vda quiet" >"$r/proc/cmdline"
	: >"$r/dev/kmsg"
	: >"$r/sys/bus/pci/drivers_probe"
	: >"$r/sys/bus/pci/drivers/snd_hda_intel/unbind"
	local f
	for f in 0000:00:05.0:0x1234:0x1111 0000:00:05.1:0x8086:0x293e; do
		local a=${f%:0x*:0x*} ids=${f#????:??:??.?:}
		mkdir -p "$r/sys/bus/pci/devices/$a"
		echo "${ids%:*}" >"$r/sys/bus/pci/devices/$a/vendor"
		echo "${ids#*:}" >"$r/sys/bus/pci/devices/$a/device"
		: >"$r/sys/bus/pci/devices/$a/driver_override"
	done
	ln -s ../../drivers/snd_hda_intel "$r/sys/bus/pci/devices/0000:00:05.1/driver"
}

r=$d/root1
mkroot "$r"
cat >"$r/etc/vfio-provision/early.conf" <<'CONF'
# Managed by vfio-provision
hugepages=2
node=any
host_min_mib=2048
address 0000:00:05.0 1234:1111
address 0000:00:05.1 8086:293e
CONF
"$EARLY" --root "$r" >"$d/out" 2>&1; rc=$?
check_eq "early: exit status 0" 0 "$rc"
check_eq "early: nothing on stderr when kmsg works" "" "$(cat "$d/out")"
check_eq "early: pool written" 2 "$(cat "$r/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages")"
check_eq "early: driver_override of the VGA function" vfio-pci "$(cat "$r/sys/bus/pci/devices/0000:00:05.0/driver_override")"
check_eq "early: driver_override of the audio function" vfio-pci "$(cat "$r/sys/bus/pci/devices/0000:00:05.1/driver_override")"
check_eq "early: bound audio driver unbound" 0000:00:05.1 "$(cat "$r/sys/bus/pci/drivers/snd_hda_intel/unbind")"
check_match "early: re-probe asked" '0000:00:05\.[01]$' "$(cat "$r/sys/bus/pci/drivers_probe")"
kmsg=$(cat "$r/dev/kmsg")
check_match "early: kmsg line" '^<6>vfio-provision: reserved 2/2 1GiB pages in [0-9]+ ms$' "$kmsg"
check_match "early: kmsg binding line" '^<6>vfio-provision: 2/2 functions set to vfio-pci by address$' "$kmsg"
check_eq "early: compaction not needed" "" "$(cat "$r/proc/sys/vm/compact_memory")"

# One-boot opt-out: nothing written at all.
r=$d/root2
mkroot "$r"
printf 'hugepages=2\naddress 0000:00:05.0 1234:1111\n' >"$r/etc/vfio-provision/early.conf"
echo "root=/dev/vda vfio_provision=off" >"$r/proc/cmdline"
"$EARLY" --root "$r"; rc=$?
check_eq "early off: exit 0" 0 "$rc"
check_eq "early off: pool untouched" 0 "$(cat "$r/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages")"
check_eq "early off: no override" "" "$(cat "$r/sys/bus/pci/devices/0000:00:05.0/driver_override")"
check_match "early off: says so" 'disabled by vfio_provision=off' "$(cat "$r/dev/kmsg")"

# Capped: 16 asked on 6 GiB, host keeps 2 GiB -> 3.
r=$d/root3
mkroot "$r"
printf 'hugepages=16\nhost_min_mib=2048\nnode=0\n' >"$r/etc/vfio-provision/early.conf"
"$EARLY" --root "$r"; rc=$?
check_eq "early capped: exit 0" 0 "$rc"
check_eq "early capped: node pool" 3 "$(cat "$r/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages")"
check_match "early capped: warning" '^<4>vfio-provision: reserved 3/16 1GiB pages on node 0 in [0-9]+ ms: capped at 3 to leave the host 2048 MiB of 5943 MiB$' "$(cat "$r/dev/kmsg")"

# Things that would stop a lesser program: no hstate (no pdpe1gb), an
# unreadable config (a directory), no kmsg (stderr instead), a moved card.
r=$d/root4
mkroot "$r"
rm -rf "$r/sys/kernel/mm/hugepages" "$r/dev/kmsg"
printf 'hugepages=2\naddress 0000:00:05.0 10de:2204\n' >"$r/etc/vfio-provision/early.conf"
out=$("$EARLY" --root "$r" 2>&1); rc=$?
check_eq "early no-1G: exit 0" 0 "$rc"
check_match "early no-1G: warns on stderr without kmsg" 'reserved 0/2 1GiB pages in [0-9]+ ms: no 1GiB page support' "$out"
check_match "early moved card: warns" '0000:00:05.0: is 1234:1111, configured 10de:2204 \(card moved\?\), not bound' "$out"
check_eq "early moved card: not overridden" "" "$(cat "$r/sys/bus/pci/devices/0000:00:05.0/driver_override")"
rm -f "$r/etc/vfio-provision/early.conf"; mkdir "$r/etc/vfio-provision/early.conf"
out=$("$EARLY" --root "$r" 2>&1); rc=$?
check_eq "early unreadable config: exit 0" 0 "$rc"
check_match "early unreadable config: says why" "early.conf': Is a directory, nothing to do" "$out"
out=$("$EARLY" --root "$d/nonexistent" --bogus 2>&1); rc=$?
check_eq "early missing root, bad argument: exit 0" 0 "$rc"

# Hook scripts parse; the dracut module is only included on request.
check "mkinitcpio install hook parses" bash -n "$TOP/mkinitcpio/install/vfio-provision"
check "mkinitcpio runtime hook parses" sh -n "$TOP/mkinitcpio/hooks/vfio-provision"
check "dracut module-setup parses" bash -n "$TOP/dracut/90vfio-provision/module-setup.sh"
check "dracut hook parses" sh -n "$TOP/dracut/90vfio-provision/vfio-provision-early.sh"
check "initramfs-tools hook parses" sh -n "$TOP/initramfs-tools/hooks/vfio-provision"
check "initramfs-tools init-top parses" sh -n "$TOP/initramfs-tools/scripts/init-top/00-vfio-provision"
rc=$(bash -c '. "$1"; check; echo $?' _ "$TOP/dracut/90vfio-provision/module-setup.sh")
check_eq "dracut check() returns 255" 255 "$rc"
check_eq "initramfs-tools prereqs" "" "$(sh "$TOP/initramfs-tools/scripts/init-top/00-vfio-provision" prereqs)"
# mkinitramfs orders init-top as `get_prereq_pairs | tsort` (hook-functions):
# Debian's scripts (no prereqs), ours, and another package's that wants udev.
order=$({ for s in all_generic_ide blacklist keymap udev 00-vfio-provision; do echo "$s $s"; done
	  echo "zz-late zz-late"; echo "udev zz-late"; echo "a-plymouth a-plymouth"; } | tsort | tr '\n' ' ')
check_match "init-top order as tsort makes it: ours first, before udev" '^00-vfio-provision .*udev ' "$order"

# dracut install(): with stub inst_* functions, as dracut calls it: a unit
# ordered before udev in a systemd initrd, a cmdline hook in the shell init.
dracut_install() {
	VFIO_PROVISION_EARLY=$EARLY VFIO_PROVISION_ROOT=$d bash -c '
	inst_simple() { echo "inst_simple $*"; }
	inst_hook() { echo "inst_hook $*"; }
	derror() { echo "derror $*"; }
	dracut_module_included() { [ "$1" = systemd ] && [ "$WITH_SYSTEMD" = 1 ]; }
	SYSTEMCTL="echo systemctl" initdir=/img moddir=/mod systemdsystemunitdir=/usr/lib/systemd/system
	. "$1"; install' _ "$TOP/dracut/90vfio-provision/module-setup.sh"
}
calls=$(WITH_SYSTEMD=1 dracut_install)
check_match "dracut, systemd initrd: the unit is installed" \
	'^inst_simple /mod/vfio-provision-early.service /usr/lib/systemd/system/vfio-provision-early.service$' "$calls"
check_match "dracut, systemd initrd: wanted by sysinit.target" \
	'^systemctl -q --root /img add-wants sysinit.target vfio-provision-early.service$' "$calls"
check "dracut, systemd initrd: no hook as well" bash -c '! grep -q inst_hook <<<"$1"' _ "$calls"
calls=$(WITH_SYSTEMD=0 dracut_install)
check_match "dracut, shell init: a cmdline hook, first" '^inst_hook cmdline 00 /mod/vfio-provision-early.sh$' "$calls"
unit=$TOP/dracut/90vfio-provision/vfio-provision-early.service
check_match "dracut unit: no default dependencies" '^DefaultDependencies=no$' "$(cat "$unit")"
check_match "dracut unit: before udev and dracut's hooks" \
	'^Before=systemd-udevd.service systemd-udev-trigger.service dracut-cmdline.service$' "$(cat "$unit")"
check "dracut unit: no After= (nothing to wait for)" bash -c '! grep -q "^After=" "$1"' _ "$unit"

# mkinitcpio build(): with stub add_* functions, as mkinitcpio calls it.
calls=$(cd "$d" && mkdir -p etc && VFIO_PROVISION_EARLY=$EARLY bash -c '
	add_binary() { echo "add_binary $*"; }
	add_file() { echo "add_file $*"; }
	add_runscript() { echo add_runscript; }
	warning() { echo "warning $*"; }
	. "$1"; build' _ "$TOP/mkinitcpio/install/vfio-provision")
check_match "mkinitcpio build() adds the program" "^add_binary $EARLY /usr/lib/vfio-provision/vfio-provision-early$" "$calls"
check_match "mkinitcpio build() adds the runscript" '^add_runscript$' "$calls"
mkdir -p "$d/mkroot/etc/vfio-provision" && echo hugepages=1 >"$d/mkroot/etc/vfio-provision/early.conf"
calls=$(VFIO_PROVISION_EARLY=$EARLY VFIO_PROVISION_ROOT=$d/mkroot bash -c '
	add_binary() { echo "add_binary $*"; }
	add_file() { echo "add_file $*"; }
	add_runscript() { echo add_runscript; }
	warning() { echo "warning $*"; }
	. "$1"; build' _ "$TOP/mkinitcpio/install/vfio-provision")
check_match "mkinitcpio build(), VFIO_PROVISION_ROOT: early.conf from that root" \
	"^add_file $d/mkroot/etc/vfio-provision/early.conf /etc/vfio-provision/early.conf$" "$calls"

# initramfs-tools hook: always installed with the package, so it must pack
# nothing of ours while nothing is applied (after revert, and when the prerm
# rebuilds the images before the package goes). A stub hook-functions logs
# manual_add_modules; the image is a directory.
itr=$d/itools
mkdir -p "$itr/root/etc/modprobe.d" "$itr/root/etc/vfio-provision"
echo 'manual_add_modules() { echo "manual_add_modules $*" >>"$DESTDIR.log"; }' >"$itr/hook-functions"
# itools_run NAME: runs the hook into a fresh image $itr/NAME; prints what it added.
itools_run() {
	rm -rf "$itr/$1" "$itr/$1.log"; mkdir -p "$itr/$1"
	DESTDIR=$itr/$1 VFIO_PROVISION_ROOT=$itr/root VFIO_PROVISION_EARLY=$EARLY \
		VFIO_PROVISION_HOOK_FUNCTIONS=$itr/hook-functions \
		sh "$TOP/initramfs-tools/hooks/vfio-provision" >"$itr/$1.out" 2>&1
	echo "rc=$?"; cat "$itr/$1.log" "$itr/$1.out" 2>/dev/null; (cd "$itr/$1" && find . -type f | sort)
}
out=$(itools_run none)
check_eq "initramfs-tools hook, nothing applied: adds nothing" "rc=0" "$out"
printf '# my own\noptions vfio-pci ids=10de:1b81\n' >"$itr/root/etc/modprobe.d/vfio.conf"
out=$(itools_run foreign)
check_eq "initramfs-tools hook, the administrator's vfio.conf: adds nothing" "rc=0" "$out"
printf '# Managed by vfio-provision\noptions vfio-pci ids=10de:1b81\n' >"$itr/root/etc/modprobe.d/vfio.conf"
out=$(itools_run ours)
check_match "initramfs-tools hook, our vfio.conf: adds the vfio modules" "^manual_add_modules vfio_pci$" "$out"
if grep -q vfio-provision-early <<<"$out"; then
	not_ok "initramfs-tools hook, our vfio.conf without early.conf: no early program" "$out"
else
	ok "initramfs-tools hook, our vfio.conf without early.conf: no early program"
fi
echo 'hugepages=2' >"$itr/root/etc/vfio-provision/early.conf"
out=$(itools_run applied)
check_match "initramfs-tools hook, applied: adds the early program" "^\./usr/lib/vfio-provision/vfio-provision-early$" "$out"
check_match "initramfs-tools hook, applied: adds early.conf" "^\./etc/vfio-provision/early.conf$" "$out"
check_eq "initramfs-tools hook, applied: early.conf as written" "hugepages=2" "$(cat "$itr/applied/etc/vfio-provision/early.conf")"
check_match "initramfs-tools hook, applied: adds the vfio modules" "^manual_add_modules vfio_iommu_type1$" "$out"
