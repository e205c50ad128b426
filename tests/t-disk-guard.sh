#!/bin/bash
# The libvirt hook's disk guard: on prepare, a guest whose <disk type='block'>
# source (a whole disk, a partition, a by-id/by-uuid link) or a partition of
# it is mounted read-write on the host is refused (exit 2, the mount named);
# read-only mounts and unmounted partitions are allowed. On a fixture root
# (sysfs, dev files and links, /proc/self/mountinfo for libmount), and with
# real loop devices where this machine allows it (else reported as a skip).
. "$(dirname "$0")/lib.sh"
work=$(tmpdir)
loopdev=""
cleanup() {
	mountpoint -q "$work/mnt" 2>/dev/null && umount "$work/mnt"
	[ -n "$loopdev" ] && losetup -d "$loopdev"
	rm -rf "$work"
}
trap cleanup EXIT

# domain XML NAME DISK-SOURCE
domain() {
	cat <<EOF2
<domain type='kvm'>
  <name>$1</name>
  <memory unit='GiB'>4</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/libvirt/images/$1.qcow2'/><target dev='vda'/></disk>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw'/>
      <source dev='$2'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF2
}

# --- fixture root ------------------------------------------------------------
R=$work/root
mkdir -p "$R/etc" "$R/dev/disk/by-id" "$R/dev/disk/by-uuid" "$R/proc/self"
printf '[libvirt]\ndomains = ours\n' >"$R/etc/vfio-provision.conf"
for d in sda:8:0 sdb:8:16; do
	n=${d%%:*}; mkdir -p "$R/sys/class/block/$n"; echo "${d#*:}" >"$R/sys/class/block/$n/dev"; : >"$R/dev/$n"
done
for p in sda/sda2:8:2 sdb/sdb1:8:17 sdb/sdb2:8:18; do
	rel=${p%%:*}; n=${rel#*/}
	mkdir -p "$R/sys/class/block/$rel"; echo "${p#*:}" >"$R/sys/class/block/$rel/dev"
	echo 1 >"$R/sys/class/block/$rel/partition"; ln -s "$rel" "$R/sys/class/block/$n"; : >"$R/dev/$n"
done
ln -s ../../sdb "$R/dev/disk/by-id/ata-WDC_WD40EFRX_WD-1234"
ln -s ../../sdb2 "$R/dev/disk/by-uuid/7e2a91c4-0b1d-4c5e-9f00-1a2b3c4d5e6f"
rootline='21 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw'
mounts() { printf '%s\n' "$rootline" "$@" >"$R/proc/self/mountinfo"; }
hook() { "$VP" --root "$R" libvirt-hook "$1" "$2" begin - < <(domain "$1" "$3"); }

mounts '30 21 8:17 / /mnt/data rw,relatime shared:2 - ext4 /dev/sdb1 rw'
out=$(hook ours prepare /dev/disk/by-id/ata-WDC_WD40EFRX_WD-1234 2>&1); rc=$?
check_eq "by-id link to a disk whose partition is mounted rw: refused (exit 2)" 2 "$rc"
check_match "the message names the disk, the partition and the mount point" \
	"domain 'ours': disk '/dev/disk/by-id/ata-WDC_WD40EFRX_WD-1234' \(/dev/sdb\): /dev/sdb1 is mounted read-write on /mnt/data" "$out"
check_match "the message says the guest is not started" "domain 'ours' not started" "$out"
out=$(hook theirs prepare /dev/sdb 2>&1); rc=$?
check_eq "a domain not in [libvirt] domains is guarded too" 2 "$rc"
out=$(hook ours prepare /dev/sdb1 2>&1); rc=$?
check_eq "the mounted partition itself: refused" 2 "$rc"
out=$(hook ours prepare /dev/disk/by-uuid/7e2a91c4-0b1d-4c5e-9f00-1a2b3c4d5e6f 2>&1); rc=$?
check_eq "by-uuid link to the other, unmounted partition: allowed" 0 "$rc"
out=$(hook ours release /dev/sdb 2>&1); rc=$?
check_eq "release is not guarded" 0 "$rc"
mounts
printf 'Filename\tType\tSize\tUsed\tPriority\n/dev/sdb2 partition\t8388604\t0\t-2\n' >"$R/proc/swaps"
out=$(hook ours prepare /dev/sdb 2>&1); rc=$?
check_eq "a partition in use as swap: refused" 2 "$rc"
check_match "... the remedy is swapoff, not unmount" \
	"disk '/dev/sdb' \(/dev/sdb\): /dev/sdb2 is in use as swap; turn it off \(swapoff /dev/sdb2\) before starting the guest" "$out"
if grep -q unmount <<<"$out"; then not_ok "... and it does not say unmount" "$out"; else ok "... and it does not say unmount"; fi
rm "$R/proc/swaps"
mounts '30 21 8:17 / /mnt/data ro,relatime shared:2 - ext4 /dev/sdb1 ro'
out=$(hook ours prepare /dev/sdb 2>&1); rc=$?
check_eq "partition mounted read-only: allowed" 0 "$rc"
mounts
out=$(hook ours prepare /dev/disk/by-id/ata-WDC_WD40EFRX_WD-1234 2>&1); rc=$?
check_eq "nothing mounted: allowed" 0 "$rc"
out=$(hook ours prepare /dev/disk/by-id/gone 2>&1); rc=$?
check_eq "a source that does not exist: allowed (libvirt reports it)" 0 "$rc"
check_match "... with a warning naming it" "disk '/dev/disk/by-id/gone' does not exist: not checked" "$out"
# the disk's sysfs entry cannot be read (a link leaving the root, a file in
# its place): its partitions are unknown, so the guest is refused, never let
# through as a disk without partitions
mounts '30 21 8:17 / /mnt/data rw,relatime shared:2 - ext4 /dev/sdb1 rw'
mv "$R/sys/class/block/sdb" "$R/sys/class/block/sdb.real"
ln -s ../../../../../../../../../../../tmp "$R/sys/class/block/sdb"
out=$(hook ours prepare /dev/sdb 2>&1); rc=$?
check_eq "sysfs entry of the disk a link leaving the root: refused (fails closed)" 2 "$rc"
check_match "... naming it" "'/sys/class/block/sdb': the symbolic link .* leads outside the root .*; cannot tell what uses the disk" "$out"
rm "$R/sys/class/block/sdb"; : >"$R/sys/class/block/sdb"
out=$(hook ours prepare /dev/sdb 2>&1); rc=$?
check_eq "sysfs entry of the disk a file: refused (fails closed)" 2 "$rc"
rm "$R/sys/class/block/sdb"; mv "$R/sys/class/block/sdb.real" "$R/sys/class/block/sdb"
mounts
rm "$R/proc/self/mountinfo"
out=$(hook ours prepare /dev/sdb 2>&1); rc=$?
check_eq "no mount table: refused (cannot tell)" 2 "$rc"
check_match "... naming the missing file" "'/proc/self/mountinfo': missing" "$out"

# --- real loop devices ----------------------------------------------------------
skip() { echo "skip loop devices: $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root"
for t in losetup partx mkfs.ext4 mount umount mountpoint; do command -v $t >/dev/null || skip "no $t"; done
img=$work/disk.img
truncate -s 64M "$img" || skip "truncate failed"
# an MBR with two Linux partitions: sectors 2048+32768 and 34816+96256
printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x80\x00\x00' |
	dd of="$img" bs=1 seek=446 conv=notrunc status=none
printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x88\x00\x00\x00\x78\x01\x00' |
	dd of="$img" bs=1 seek=462 conv=notrunc status=none
printf '\x55\xaa' | dd of="$img" bs=1 seek=510 conv=notrunc status=none
loopdev=$(losetup -P -f --show "$img" 2>"$work/err") || { loopdev=""; skip "losetup refused: $(head -c 200 "$work/err")"; }
[ -b "${loopdev}p1" ] || partx -a "$loopdev" 2>/dev/null
[ -b "${loopdev}p1" ] || skip "no partition devices for $loopdev"
mkfs.ext4 -q "${loopdev}p1" 2>/dev/null || skip "mkfs.ext4 failed"
mkdir -p "$work/mnt"
mount "${loopdev}p1" "$work/mnt" 2>"$work/err" || skip "mount refused: $(head -c 200 "$work/err")"
lhook() { "$VP" libvirt-hook loopguest "$1" begin - < <(domain loopguest "$2"); }
out=$(lhook prepare "$loopdev" 2>&1); rc=$?
check_eq "loop: whole disk with p1 mounted rw: refused" 2 "$rc"
check_match "loop: names ${loopdev}p1 and the mount point" "\($loopdev\): ${loopdev}p1 is mounted read-write on $work/mnt" "$out"
out=$(lhook prepare "${loopdev}p2" 2>&1); rc=$?
check_eq "loop: the unmounted p2: allowed" 0 "$rc"
mount -o remount,ro "$work/mnt"
out=$(lhook prepare "$loopdev" 2>&1); rc=$?
check_eq "loop: p1 remounted read-only: allowed" 0 "$rc"
umount "$work/mnt"
out=$(lhook prepare "$loopdev" 2>&1); rc=$?
check_eq "loop: p1 unmounted: allowed" 0 "$rc"
