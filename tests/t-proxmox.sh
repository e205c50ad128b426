#!/bin/bash
# Issue 15, Proxmox VE nodes, through the binary on two fixture roots:
#   pve-zfs-sdboot  ZFS root, systemd-boot on ESPs kept by proxmox-boot-tool
#   pve-lvm-grub    ext4 on LVM, GRUB from /boot/efi (no proxmox-boot-tool)
# and variants of them (GRUB on proxmox-boot-tool ESPs, an image without
# /proc, BIOS boot, a config naming /etc/pve). Golden detect (human and
# JSON), plan and written files (tests/expected/proxmox/); the regeneration
# commands (proxmox-boot-tool refresh, never kernel-install, update-grub
# only without proxmox-boot-tool), run for real chrooted with stand-in
# tools; the guest lines for /etc/pve/qemu-server/VMID.conf; apply, check 0
# after it, a second apply writes nothing, revert restores the tree; nothing
# is ever written under /etc/pve.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
FAKE=$BUILD/tests/shim/fake-tool

# files a fixture's apply writes (golden after apply)
written_files() {
	case $1 in
	pve-zfs-sdboot) echo /etc/kernel/cmdline /etc/initramfs-tools/modules /etc/fstab \
		/etc/modprobe.d/vfio.conf ;;
	pve-lvm-grub) echo /etc/default/grub.d/vfio-provision.cfg /etc/initramfs-tools/modules \
		/etc/modprobe.d/vfio.conf ;;
	esac
}

# the "to take effect" commands of an apply's output, one a line, root left out
commands() { sed -n 's|^  chroot [^ ]* ||p' <<<"$1"; }

run_fixture() {
	local fx=$1 o=$t/$1.orig r=$t/$1 out rc f before snap
	fresh "$fx" "$o" || { not_ok "$fx: fixture"; return 1; }
	cp -a "$o" "$r"

	out=$("$VP" --root "$r" detect 2>&1); rc=$?
	check_eq "$fx: detect exits 0 (verdict ok)" 0 "$rc"
	golden "$fx: detect" "proxmox/$fx.detect.txt" "$out"
	out=$("$VP" --root "$r" --json detect 2>&1)
	golden "$fx: detect --json" "proxmox/$fx.detect.json" "$out"

	out=$("$VP" --root "$r" plan 2>&1; echo "exit $?")
	golden "$fx: plan" "proxmox/$fx.plan" "$out"
	same_tree "$fx: plan writes nothing" "$o" "$r"
	out=$("$VP" --root "$r" check 2>&1); rc=$?
	check_eq "$fx: check exits 1 before apply" 1 "$rc"

	out=$("$VP" --root "$r" apply 2>&1); rc=$?
	check_eq "$fx: apply exits 0" 0 "$rc"
	[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/    /'
	printf '%s\n' "$out" >"$t/$fx.apply"
	for f in $(written_files "$fx"); do
		if [ -f "$r$f" ]; then
			golden "$fx: $f" "proxmox/$fx$f" "$(cat "$r$f")"
		else
			not_ok "$fx: $f written" "absent after apply"
		fi
	done
	d=$(diff -r --no-dereference "$o/etc/pve" "$r/etc/pve" 2>&1)
	if [ -z "$d" ]; then ok "$fx: nothing written under /etc/pve"; else not_ok "$fx: nothing written under /etc/pve" "$d"; fi

	out=$("$VP" --root "$r" check 2>&1); rc=$?
	check_eq "$fx: check exits 0 after apply" 0 "$rc"
	before=$(mtimes "$r"); snap=$(snapshot "$r")
	clock_tick "$r" || not_ok "$fx: the file clock passed the applied files' mtimes"
	out=$("$VP" --root "$r" apply 2>&1); rc=$?
	check_eq "$fx: second apply: nothing to do" "0 nothing to do" "$rc $out"
	check_eq "$fx: second apply: no file replaced or rewritten (inodes, mtimes)" "$before" "$(mtimes "$r")"
	check_eq "$fx: second apply: no byte changed" "$snap" "$(snapshot "$r")"

	out=$("$VP" --root "$r" revert 2>&1); rc=$?
	check_eq "$fx: revert exits 0" 0 "$rc"
	same_tree "$fx: revert restores the tree, modes and owners" "$o" "$r"
	out=$("$VP" --root "$r" check 2>&1); rc=$?
	check_eq "$fx: check exits 1 after revert" 1 "$rc"
}

run_fixture pve-zfs-sdboot
run_fixture pve-lvm-grub

# ---- ZFS + systemd-boot: /etc/kernel/cmdline and proxmox-boot-tool refresh ----
a=$t/pve-zfs-sdboot
check_eq "zfs: commands: update-initramfs, then proxmox-boot-tool refresh" \
	"update-initramfs -u -k all
proxmox-boot-tool refresh" "$(commands "$(cat "$t/pve-zfs-sdboot.apply")")"
if grep -q kernel-install "$t/pve-zfs-sdboot.apply" "$EXPECTED/proxmox/pve-zfs-sdboot.plan"; then
	not_ok "zfs: never kernel-install"
else
	ok "zfs: never kernel-install"
fi
check_eq "zfs: /etc/kernel/cmdline keeps root=ZFS= and boot=zfs first, one line" \
	"root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt hugepagesz=1G hugepages=8 default_hugepagesz=1G transparent_hugepage=never" \
	"$(cat "$EXPECTED/proxmox/pve-zfs-sdboot/etc/kernel/cmdline")"
p=$(cat "$EXPECTED/proxmox/pve-zfs-sdboot.plan")
check_match "zfs: GRUB's files left alone (the ESPs do not read them)" '^[0-9]+ changes pending' "$p"
if grep -qE '^\+\+\+ b/(etc/default/grub|boot/)' <<<"$p"; then
	not_ok "zfs: no GRUB or /boot file planned" "$p"
else
	ok "zfs: no GRUB or /boot file planned"
fi
check_match "zfs: initramfs list without vfio_virqfd (both kernels >= 6.2)" '^\+vfio_iommu_type1$' "$p"
if grep -q vfio_virqfd <<<"$p"; then not_ok "zfs: no vfio_virqfd" "$p"; else ok "zfs: no vfio_virqfd"; fi

# the guest side: one entry for the whole two-function slot, x-vga for the VGA
check_match "zfs: hostpci0 for the whole slot, pcie, x-vga" '^hostpci0: 0000:01:00,pcie=1,x-vga=1$' "$p"
check_match "zfs: hugepages: 1024 (1 GiB pages)" '^hugepages: 1024$' "$p"
check_match "zfs: the qm set command" '^or run: qm set VMID --hostpci0 0000:01:00,pcie=1,x-vga=1 --hugepages 1024$' "$p"
check_match "zfs: says where the lines go and that /etc/pve is not written" \
	'^Proxmox VE: the guest side goes in /etc/pve/qemu-server/VMID.conf, the cluster filesystem, which vfio-provision never writes' "$p"
if grep -q '<memoryBacking>' <<<"$p"; then not_ok "zfs: no libvirt snippet on Proxmox" "$p"; else ok "zfs: no libvirt snippet on Proxmox"; fi

# --regenerate runs them for real, chrooted, in that order (stand-in tools)
if [ -x "$FAKE" ]; then
	r=$t/regen; rm -rf "$r"; cp -a "$t/pve-zfs-sdboot.orig" "$r"
	for tool in update-initramfs proxmox-boot-tool; do install -m 0755 "$FAKE" "$r/usr/sbin/$tool"; done
	out=$("$VP" --root "$r" --regenerate apply 2>&1); rc=$?
	check_eq "zfs: apply --regenerate exits 0" 0 "$rc"
	check_eq "zfs: apply --regenerate ran the tools in order" \
		"fake-tool: update-initramfs -u -k all
fake-tool: proxmox-boot-tool refresh" "$(grep '^fake-tool:' <<<"$out")"
else
	not_ok "zfs: apply --regenerate" "no $FAKE"
fi

# ---- ext4/LVM + GRUB: grub.d drop-in and update-grub ----
check_eq "lvm-grub: commands: update-initramfs, then update-grub" \
	"update-initramfs -u -k all
update-grub" "$(commands "$(cat "$t/pve-lvm-grub.apply")")"
p=$(cat "$EXPECTED/proxmox/pve-lvm-grub.plan")
check_match "lvm-grub: a single-function 3D controller: with its function, no x-vga" \
	'^hostpci0: 0000:41:00.0,pcie=1$' "$p"
check_match "lvm-grub: the qm set command" '^or run: qm set VMID --hostpci0 0000:41:00.0,pcie=1$' "$p"
if grep -q '^hugepages:' <<<"$p"; then not_ok "lvm-grub: no hugepages line without pages" "$p"; else ok "lvm-grub: no hugepages line without pages"; fi
# a 5.15 kernel (vfio_virqfd a module) beside 6.8 (none): not in the list
if grep -q vfio_virqfd "$EXPECTED/proxmox/pve-lvm-grub/etc/initramfs-tools/modules"; then
	not_ok "lvm-grub: vfio_virqfd not listed (missing on 6.8.12-4-pve)"
else
	ok "lvm-grub: vfio_virqfd not listed (missing on 6.8.12-4-pve)"
fi
check_match "lvm-grub: detect shows the 5.15 kernel's vfio_virqfd" \
	'^  5.15.158-2-pve: .*vfio_virqfd=module' "$(cat "$EXPECTED/proxmox/pve-lvm-grub.detect.txt")"
v=$(bash -c '. "$1/etc/default/grub"; for f in "$1"/etc/default/grub.d/*.cfg; do . "$f"; done
	printf %s "$GRUB_CMDLINE_LINUX_DEFAULT"' bash "$t/pve-lvm-grub.orig" 2>/dev/null)
check_eq "lvm-grub: before apply grub-mkconfig sees" "quiet" "$v"

# ---- GRUB on ESPs kept by proxmox-boot-tool (ZFS on BIOS, Secure Boot) ----
r=$t/grub-pbt; rm -rf "$r"; cp -a "$t/pve-lvm-grub.orig" "$r"
mkdir -p "$r/etc/kernel"; printf '4C1D-2E3F\n' >"$r/etc/kernel/proxmox-boot-uuids"
cp -a "$r" "$r.orig"
out=$("$VP" --root "$r" --json detect 2>&1)
check_eq "grub-pbt: detect: mode grub, one ESP" "grub grub 1" \
	"$(jq -r '"\(.bootloader) \(.proxmox.boot_tool.mode) \(.proxmox.boot_tool.esps)"' <<<"$out")"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "grub-pbt: apply exits 0" 0 "$rc"
check_eq "grub-pbt: proxmox-boot-tool refresh instead of update-grub (it runs update-grub on each ESP)" \
	"update-initramfs -u -k all
proxmox-boot-tool refresh" "$(commands "$out")"
check "grub-pbt: the same grub.d drop-in as without" \
	cmp "$EXPECTED/proxmox/pve-lvm-grub/etc/default/grub.d/vfio-provision.cfg" \
	"$r/etc/default/grub.d/vfio-provision.cfg"
"$VP" --root "$r" revert >/dev/null 2>&1
same_tree "grub-pbt: revert restores the tree" "$r.orig" "$r"

# ---- how proxmox-boot-tool's mode is told apart ----
# mode ROOT: "bootloader mode"
mode() { "$VP" --root "$1" --json detect 2>/dev/null | jq -r '"\(.bootloader) \(.proxmox.boot_tool.why)"'; }
r=$t/mode; rm -rf "$r"; cp -a "$t/pve-zfs-sdboot.orig" "$r"
check_match "mode: EFI, /etc/kernel/cmdline, no BOOT_IMAGE=: systemd-boot" '^systemd-boot ' "$(mode "$r")"
rm "$r/proc/cmdline"
check_match "mode: an image without /proc/cmdline: /etc/kernel/cmdline decides" \
	'^systemd-boot /etc/kernel/cmdline' "$(mode "$r")"
echo "BOOT_IMAGE=/vmlinuz-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs" >"$r/proc/cmdline"
check_match "mode: BOOT_IMAGE= (GRUB, e.g. Secure Boot): grub" '^grub BOOT_IMAGE=' "$(mode "$r")"
echo "root=ZFS=rpool/ROOT/pve-1 boot=zfs" >"$r/proc/cmdline"
rm -rf "$r/sys/firmware/efi"
check_match "mode: booted by BIOS: grub" '^grub no /sys/firmware/efi' "$(mode "$r")"
out=$(printf '[bootloader]\ntype = systemd-boot\n' >"$r/etc/vp-sd.conf"; \
	"$VP" --root "$r" --config /etc/vp-sd.conf apply 2>&1)
check_eq "mode: [bootloader] type = systemd-boot overrides, still refreshed" \
	"update-initramfs -u -k all
proxmox-boot-tool refresh" "$(commands "$out")"

# ---- /etc/kernel/cmdline without root=: refresh would refuse, say so ----
r=$t/noroot; rm -rf "$r"; cp -a "$t/pve-zfs-sdboot.orig" "$r"
echo "boot=zfs quiet" >"$r/etc/kernel/cmdline"
out=$("$VP" --root "$r" plan 2>&1)
check_match "noroot: warns that proxmox-boot-tool refresh needs root=" \
	"'/etc/kernel/cmdline':1: no root=: \`proxmox-boot-tool refresh\` refuses" "$out"

# ---- what makes a Proxmox VE node ----
r=$t/node; rm -rf "$r"; cp -a "$t/pve-lvm-grub.orig" "$r"
rm -rf "$r/etc/pve"
check_eq "node: without /etc/pve, the dpkg status still says so" \
	'true 8.2.7 ["pve-manager 8.2.7 installed","proxmox-ve 8.2.0 installed"]' \
	"$("$VP" --root "$r" --json detect 2>/dev/null | jq -c -r '"\(.proxmox.node) \(.proxmox.version) \(.proxmox.evidence)"')"
sed -i 's/^Status: install ok installed/Status: deinstall ok config-files/' "$r/var/lib/dpkg/status"
out=$("$VP" --root "$r" --json detect 2>/dev/null)
check_eq "node: removed packages (config-files) are no evidence: no proxmox key" false \
	"$(jq 'has("proxmox")' <<<"$out")"
out=$("$VP" --root "$r" plan 2>&1)
if grep -q '^hostpci0:' <<<"$out"; then not_ok "node: no hostpci lines on plain Debian" "$out"; else ok "node: no hostpci lines on plain Debian"; fi
out=$("$VP" --root "$(mkfix boot-debian-grubd)" --json detect 2>/dev/null)
check_eq "node: plain Debian has no proxmox key" false "$(jq 'has("proxmox")' <<<"$out")"

# ---- never a path under /etc/pve ----
r=$t/guard; rm -rf "$r"; cp -a "$t/pve-zfs-sdboot.orig" "$r"; cp -a "$r" "$r.orig"
# (config.c already refuses ".." in mount; the unit test covers it in the guard)
for m in /etc/pve/hugepages /etc//pve/./hugepages; do
	printf '[hugepages]\ncount = 2\nmount = %s\n' "$m" >"$r/etc/vp-guard.conf"
	cp "$r/etc/vp-guard.conf" "$r.orig/etc/vp-guard.conf"
	out=$("$VP" --root "$r" --config /etc/vp-guard.conf plan 2>&1); rc=$?
	check_eq "guard: mount = $m: plan exits 2" 2 "$rc"
	check_match "guard: mount = $m: says why" \
		"under /etc/pve, Proxmox's cluster filesystem \(pmxcfs\), which vfio-provision never writes" "$out"
	out=$("$VP" --root "$r" --config /etc/vp-guard.conf apply --force 2>&1); rc=$?
	check_eq "guard: mount = $m: apply --force exits 2" 2 "$rc"
	same_tree "guard: mount = $m: nothing written" "$r.orig" "$r"
done
printf '[hugepages]\ncount = 2\nmount = /etc/pvex/hugepages\n' >"$r/etc/vp-guard.conf"
out=$("$VP" --root "$r" --config /etc/vp-guard.conf plan 2>&1); rc=$?
check_eq "guard: /etc/pvex is not /etc/pve" "1 yes" "$rc $(grep -q '^mkdir /etc/pvex/hugepages$' <<<"$out" && echo yes)"
