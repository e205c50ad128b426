#!/bin/bash
# libkmod and libpci open paths themselves: they must see exactly what our
# resolver sees. A root whose modprobe.d entry and PCI device are absolute
# links: the root has the targets under the same names, and so does the
# host side ($H, outside the root) with other content. The libraries must
# get the root's (resolved inside the root), never the host's, and strace
# shows that no file outside the root is opened during detect, plan, apply
# and verify, except the private view they are given ($TMPDIR) and, by
# libkmod 30 itself in kmod_new() whatever the paths, /proc/cmdline (see
# kmod-root.h).
. "$(dirname "$0")/lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
base=$(mkfix plan-debian) || { not_ok "fixture plan-debian"; exit 0; }
root=$t/root H=$t/host
cp -a "$base" "$root"
mkdir -p "$H" "$root$H" "$t/tmp"

# rootA: the second GPU's device link made absolute: in the root the same
# device, on the host side ($H) a device with other ids
rootA=$t/rootA; cp -a "$root" "$rootA"
dev=0000:02:00.0
real=$(cd "$rootA/sys/bus/pci/devices" && readlink "$dev")
cp -a "$rootA/sys/bus/pci/devices/$real" "$rootA$H/$dev"
cp -a "$rootA/sys/bus/pci/devices/$real" "$H/$dev"
echo 0x1234 >"$H/$dev/vendor"; echo 0x5678 >"$H/$dev/device"
# (the ids are read from the modalias: the host side's says the other ids too)
sed -i 's/^pci:v[0-9A-F]*d[0-9A-F]*/pci:v00001234d00005678/' "$H/$dev/modalias"
ln -sfn "$H/$dev" "$rootA/sys/bus/pci/devices/$dev"
# names from the root's own pci.ids (a root without one gets the host's, on purpose)
mkdir -p "$rootA/usr/share/misc"
printf '10de  NVIDIA Corporation\n\t21c4  TU116 [GeForce GTX 1660 SUPER]\n' >"$rootA/usr/share/misc/pci.ids"

# rootB: modprobe.d/leak.conf -> $H/leak.conf: in the root a harmless
# option, on the host side a blacklist of vfio_pci that verify would report
rootB=$t/rootB; cp -a "$root" "$rootB"
echo "options snd_hda_intel power_save=0" >"$rootB$H/leak.conf"
echo "blacklist vfio_pci" >"$H/leak.conf"
ln -s "$H/leak.conf" "$rootB/etc/modprobe.d/leak.conf"
mkdir -p "$rootB/usr/share"; cp -a "$rootA/usr/share/misc" "$rootB/usr/share/"

out=$(TMPDIR=$t/tmp "$VP" --root "$rootA" detect 2>&1)
check_match "detect: libpci reads the root's device behind the absolute link" \
	"02:00.0.*10de:21c4" "$out"
if grep -q '1234' <<<"$out"; then not_ok "detect: never the host side's ids" "$out"
else ok "detect: never the host side's ids"; fi
check_match "detect: names from the root's pci.ids" "GTX 1660 SUPER" "$out"

# libxml2 (and the ICU and libstdc++ it needs), libmount and libblkid (and
# libselinux, libpcre2) are loaded with dlopen() by what uses them
# (provision/xml-api.c, mnt-api.c), never by detect
for lib in libxml2 libmount libblkid; do
	if readelf -d "$VP" | grep -q "NEEDED.*$lib"; then
		not_ok "the binary does not link $lib" "$(readelf -d "$VP" | grep NEEDED)"
	else
		ok "the binary does not link $lib"
	fi
done
out=$(LD_DEBUG=files TMPDIR=$t/tmp "$VP" --root "$rootA" detect 2>&1 >/dev/null)
if grep -qE 'file=lib(xml2|mount|blkid)' <<<"$out"; then
	not_ok "detect loads none of libxml2, libmount, libblkid" "$(grep -E 'file=lib(xml2|mount|blkid)' <<<"$out")"
else
	ok "detect loads none of libxml2, libmount, libblkid"
fi
out=$(LD_DEBUG=files TMPDIR=$t/tmp "$VP" --root "$rootA" guest-xml 2>&1 >/dev/null)
check_match "guest-xml loads libxml2 (dlopen)" 'file=libxml2\.so\.2 .*dynamically loaded' "$out"
out=$(LD_DEBUG=files TMPDIR=$t/tmp "$VP" --root "$rootA" plan 2>&1 >/dev/null)
check_match "plan loads libmount (dlopen)" 'file=libmount\.so\.1 .*dynamically loaded' "$out"

# without libmount (a broken installation) a verb that needs it says so and
# stops before reading anything (main.c); detect, which needs none, runs
mkdir -p "$t/nolib"; : >"$t/nolib/libmount.so.1"
out=$(LD_LIBRARY_PATH=$t/nolib TMPDIR=$t/tmp "$VP" --root "$rootA" check 2>&1); rc=$?
check_eq "no usable libmount: check exits 2" 2 "$rc"
check_match "no usable libmount: says what to install" "install libmount1 and libblkid1" "$out"
out=$(LD_LIBRARY_PATH=$t/nolib TMPDIR=$t/tmp "$VP" --root "$rootA" detect 2>&1 >/dev/null); rc=$?
if [ "$rc" -le 1 ] && grep -q '02:00.0' <<<"$(LD_LIBRARY_PATH=$t/nolib "$VP" --root "$rootA" detect 2>/dev/null)"; then
	ok "no usable libmount: detect still runs (exit $rc)"
else
	not_ok "no usable libmount: detect still runs" "exit $rc" "$out"
fi

out=$(TMPDIR=$t/tmp "$VP" --root "$rootB" --force apply 2>&1); rc=$?
check_eq "apply: exit 0" 0 "$rc"
out=$(TMPDIR=$t/tmp "$VP" --root "$rootB" verify 2>&1)
if grep -q 'blacklisted' <<<"$out"; then not_ok "verify: libkmod reads the root's modprobe.d entry, not the host side's" "$out"
else ok "verify: libkmod reads the root's modprobe.d entry, not the host side's"; fi
check_eq "the private views are gone afterwards" "" "$(ls -A "$t/tmp")"

# libkmod adds the running kernel's /proc/cmdline to what it read: verify
# leaves it out (it is this boot's, not the root's modprobe.d). Shown with a
# /proc/cmdline of our own, bound in a private mount namespace.
echo "BOOT_IMAGE=/vmlinuz vfio_pci.ids=dead:beef modprobe.blacklist=vfio_pci quiet" >"$t/cmdline"
if in_private_ns /proc/cmdline true 2>/dev/null; then
	out=$(in_private_ns /proc/cmdline sh -c 'mount --bind "$1" /proc/cmdline && shift && exec "$@"' \
		_ "$t/cmdline" env TMPDIR="$t/tmp" "$VP" --root "$rootB" verify 2>&1)
	if grep -qE 'dead:beef|blacklisted' <<<"$out"; then
		not_ok "verify: the running kernel's command line is not modprobe.d" "$out"
	else
		ok "verify: the running kernel's command line is not modprobe.d"
	fi
else
	skip "verify: the running kernel's command line is not modprobe.d" "no private mount namespace here"
fi

if ! command -v strace >/dev/null; then
	skip "strace: nothing opened outside the root" "no strace (packages.txt has it)"
	exit 0
fi
# opened ROOT VERB...: what every file opened after the root was first looked
# at (before that: the dynamic loader and the libraries' constructors) really
# is, as the kernel resolved it (strace -y), minus what is in the root, the
# views in $t/tmp, and libkmod's /proc/cmdline
opened() {
	local r=$1; shift
	TMPDIR=$t/tmp strace -f -qq -y -e trace=open,openat,openat2,creat -e signal=none \
		-o "$t/strace" "$VP" --root "$r" "$@" >/dev/null 2>&1
	awk -v root="$r" 'index($0, root) { seen = 1 } seen' "$t/strace" |
		grep -oE '= [0-9]+<[^>]*>$' | sed -E 's/^= [0-9]+<//; s/>$//' |
		grep -vE "^($r|$t/tmp)(/|\$)" | grep -vx '/proc/cmdline' |
		{ if [ -n "${SANITIZE:-}" ]; then grep -vE '^/proc/self/|^/dev/'; else cat; fi; } | sort -u
}
# without $TMPDIR the views go to /dev/shm (a tmpfs: no inodes made on a disk)
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	env -u TMPDIR strace -f -qq -e trace=mkdir -e signal=none -o "$t/strace-shm" \
		"$VP" --root "$rootA" detect >/dev/null 2>&1
	check_match "no \$TMPDIR: the private view is made in /dev/shm" \
		'^[0-9]+ +mkdir\("/dev/shm/vfio-provision\.[^/"]+", 0700\) = 0' "$(cat "$t/strace-shm")"
else
	skip "no \$TMPDIR: the private view is made in /dev/shm" "no writable /dev/shm here"
fi
for verb in detect plan apply verify; do
	for r in "$rootA" "$rootB"; do
		rm -rf "$r"/var/lib/vfio-provision
		[ "$verb" = apply ] && set -- --force apply || set -- "$verb"
		out=$(opened "$r" "$@")
		check_eq "strace: $verb opens nothing outside the root ($(basename "$r"))" "" "$out"
	done
done
