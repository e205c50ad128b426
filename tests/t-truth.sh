#!/bin/bash
# Issue 19: never say "up to date" when the next boot will differ. Each case
# below failed on the main of 2026-12-05 (see the issue's numbering):
#  1 /etc/kernel/cmdline with a changed first word: revert takes ours out
#  2 the user's change to an item of ours: apply puts the config's value
#    back and names theirs; the original is never replaced by their value
#  3 a line added to a whole file of ours: apply names it as it drops it
#  4 a revert that leaves an edited file keeps it in the ledger; --force
#    takes it out
#  5 revert never puts back an older edit over the user's latest one
#  6 our own files are no evidence of a generator
#  7 the effective command line: a count of the user's read as 1 GiB pages,
#    an IOMMU turned off, boot pages on the GPU's node
#  9 proxmox-boot-tool reads the first line of /etc/kernel/cmdline only
# (8, GRUB assignments bash never runs, is in test-plan-bootloader.c.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT

# spec NAME DIR SED: fixture NAME with the sed script applied to its spec, built at DIR
spec() {
	sed "$3" "$FIXTURES/$1.spec" >"$t/$1.spec" && rm -rf "$2" &&
		"$TESTS/mkroot.sh" "$t/$1.spec" "$2" >/dev/null
}

# ---- 1: /etc/kernel/cmdline, the user prepends a word after apply ----
r=$t/k
spec boot-sdboot-cmdline "$r" 's/^iommu off$/iommu on/' || not_ok "fixture boot-sdboot-cmdline"
orig=$(cat "$r/etc/kernel/cmdline")
printf '[hugepages]\ncount = 4\n' >"$r/etc/vfio-provision.conf"
"$VP" --root "$r" apply >/dev/null 2>&1
check_match "1: apply put our tokens on the line" 'hugepagesz=1G hugepages=4' "$(cat "$r/etc/kernel/cmdline")"
sed -i 's/^/rd.luks.uuid=x /' "$r/etc/kernel/cmdline"
printf '[hugepages]\ncount = 0\n' >"$r/etc/vfio-provision.conf"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "1: pages off after the edit: check says pending" 1 "$rc"
"$VP" --root "$r" apply >/dev/null 2>&1
if grep -qE 'hugepages=|hugepagesz=' "$r/etc/kernel/cmdline"; then
	not_ok "1: pages off: apply takes hugepages= out of the edited line" "$(cat "$r/etc/kernel/cmdline")"
else ok "1: pages off: apply takes hugepages= out of the edited line"; fi
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "1: revert exits 0" 0 "$rc"
check_eq "1: revert takes every token of ours out, the user's word stays" \
	"rd.luks.uuid=x $orig" "$(cat "$r/etc/kernel/cmdline")"
# root= moved to the end of the line
spec boot-sdboot-cmdline "$r" 's/^iommu off$/iommu on/'
printf '[hugepages]\ncount = 4\n' >"$r/etc/vfio-provision.conf"
"$VP" --root "$r" apply >/dev/null 2>&1
line=$(cat "$r/etc/kernel/cmdline"); rootw=${line%% *}
printf '%s %s\n' "${line#* }" "$rootw" >"$r/etc/kernel/cmdline"
"$VP" --root "$r" revert >/dev/null 2>&1
if grep -qE 'hugepages|iommu=pt|intel_iommu' "$r/etc/kernel/cmdline"; then
	not_ok "1: root= moved to the end: revert still takes ours out" "$(cat "$r/etc/kernel/cmdline")"
else ok "1: root= moved to the end: revert still takes ours out"; fi

# ---- 2: the user changes one of our items ----
r=$t/e; fresh engine-debian "$r" || not_ok "fixture engine-debian"
orig_grub=$(cat "$r/etc/default/grub")
printf '[hugepages]\ncount = 2\n' >"$r/etc/vfio-provision.conf"
"$VP" --root "$r" apply >/dev/null 2>&1
sed -i 's/mode=1770/mode=1777/' "$r/etc/fstab"
sed -i 's/transparent_hugepage=never/transparent_hugepage=madvise/; s/iommu=pt/iommu=nopt/' "$r/etc/default/grub"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "2: check: an edited item of ours is pending" 1 "$rc"
check_match "2: check names the user's fstab value" "mode=1777" "$out"
check_match "2: check names the user's token" "transparent_hugepage=madvise" "$out"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "2: apply exits 0" 0 "$rc"
check_match "2: apply warns, naming the user's token it replaces" \
	"warning: .*'iommu=nopt'.*vfio-provision wrote 'iommu=pt'" "$out"
check_match "2: apply warns, naming the user's fstab line" "warning: .*mode=1777" "$out"
check_match "2: the config's values are back" 'iommu=pt .*transparent_hugepage=never' \
	"$(grep ^GRUB_CMDLINE_LINUX_DEFAULT "$r/etc/default/grub")"
check_match "2: our fstab line is back" 'mode=1770' "$(grep hugetlbfs "$r/etc/fstab")"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "2: then up to date" "0 up to date" "$rc $out"
"$VP" --root "$r" revert --force >/dev/null 2>&1
check_eq "2: revert --force gives the original back, never the user's nopt" "$orig_grub" \
	"$(cat "$r/etc/default/grub")"

# ---- 3: a line added to a whole file of ours ----
r=$t/w; fresh engine-debian "$r"
"$VP" --root "$r" apply >/dev/null 2>&1
check_match "3: our file says what happens to edits" "replaced by the next .vfio-provision apply" \
	"$(sed -n 2,3p "$r/etc/modprobe.d/vfio.conf")"
echo 'options vfio-pci disable_vga=1' >>"$r/etc/modprobe.d/vfio.conf"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "3: check: the added line is pending" 1 "$rc"
check_match "3: check names the line" "disable_vga=1" "$out"
out=$("$VP" --root "$r" apply 2>&1)
check_match "3: apply warns, naming the line it drops" "warning: .*vfio.conf.*options vfio-pci disable_vga=1" "$out"
if grep -q disable_vga "$r/etc/modprobe.d/vfio.conf"; then
	not_ok "3: the file is ours again"
else ok "3: the file is ours again"; fi

# ---- 4: revert leaves an edited file of ours: the ledger keeps it ----
echo 'options vfio-pci disable_vga=1' >>"$r/etc/modprobe.d/vfio.conf"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "4: revert exits 0" 0 "$rc"
check_match "4: revert says what it leaves" "vfio.conf.*left" "$out"
check "4: the edited file is still there" test -e "$r/etc/modprobe.d/vfio.conf"
check "4: the ledger keeps it" grep -q '/etc/modprobe.d/vfio.conf' "$r/var/lib/vfio-provision/ledger"
out=$("$VP" --root "$r" revert --force 2>&1); rc=$?
check_eq "4: revert --force exits 0" 0 "$rc"
check "4: revert --force removes it" test ! -e "$r/etc/modprobe.d/vfio.conf"
check "4: and then the state is gone" test ! -e "$r/var/lib/vfio-provision"
same_tree "4: the root is as before apply" "$FIXROOTS/engine-debian" "$r"

# ---- 5: revert keeps the user's latest edit of our fstab line ----
r=$t/f; fresh engine-debian "$r"
printf '[hugepages]\ncount = 2\n' >"$r/etc/vfio-provision.conf"
"$VP" --root "$r" apply >/dev/null 2>&1
sed -i 's/mode=1770/mode=1777/' "$r/etc/fstab"
printf '[hugepages]\ncount = 2\nmount = /dev/hugepages-vm\n' >"$r/etc/vfio-provision.conf"
"$VP" --root "$r" apply >/dev/null 2>&1
sed -i 's|^hugetlbfs /dev/hugepages-vm hugetlbfs pagesize=1G,mode=1770|hugetlbfs /dev/hugepages-vm hugetlbfs pagesize=1G,mode=1700|' "$r/etc/fstab"
"$VP" --root "$r" revert >/dev/null 2>&1
check_eq "5: after revert the only hugetlbfs line is the user's latest" \
	"hugetlbfs /dev/hugepages-vm hugetlbfs pagesize=1G,mode=1700,gid=993 0 0" \
	"$(grep hugetlbfs "$r/etc/fstab")"

# ---- 6: our own files are no evidence of a generator ----
r=$t/g; fresh engine-debian "$r"
# initramfs-tools known by its config file alone, as our dracut drop-in would be
rm "$r/usr/sbin/update-initramfs"
printf '[initramfs]\ngenerator = dracut\n' >"$r/etc/vfio-provision.conf"
"$VP" --root "$r" apply >/dev/null 2>&1
check "6: generator = dracut: our dracut drop-in" test -e "$r/etc/dracut.conf.d/vfio-provision.conf"
: >"$r/etc/vfio-provision.conf"
out=$("$VP" --root "$r" detect 2>&1)
check_match "6: back to auto: detect sees initramfs-tools" "^Initramfs: +initramfs-tools" \
	"$(grep -i '^ *initramfs' <<<"$out")"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "6: check says pending" 1 "$rc"
"$VP" --root "$r" apply >/dev/null 2>&1
check_match "6: apply writes the initramfs-tools block" "BEGIN vfio-provision" \
	"$(cat "$r/etc/initramfs-tools/modules")"
check "6: and takes our dracut drop-in out" test ! -e "$r/etc/dracut.conf.d/vfio-provision.conf"

# ---- 7: the effective command line ----
r=$t/d; fresh boot-debian-grubd "$r"
sed -i 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="hugepages=6 default_hugepagesz=2M"/' "$r/etc/default/grub"
printf '[hugepages]\ncount = 4\n' >"$r/etc/vfio-provision.conf"
out=$("$VP" --root "$r" plan 2>&1); rc=$?
check_match "7: plan refuses: six 1 GiB pages from the user's count, named" \
	"refused: .*reserve 6 pages of 1 GiB \(hugepages=6\), not 4" "$out"
check_match "7: and says how to keep it a 2 MiB count" "write hugepagesz=2M before it" "$out"
out=$("$VP" --root "$r" apply --force 2>&1); rc=$?
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "7: check after a forced apply: not up to date" 1 "$rc"
check_match "7: check: pending, the kernel would read 6" "pending: .*6 pages of 1 GiB" "$out"
out=$("$VP" --root "$r" --json check 2>/dev/null); rc=$?
check_eq "7: check --json: exit 1" 1 "$rc"
check_match "7: check --json: next_boot names it" '"next_boot":\["[^"]*6 pages of 1 GiB \(hugepages=6\)' "$(jq -c . <<<"$out")"
out=$("$VP" --root "$r" verify 2>&1); rc=$?
check_match "7: verify: an error" "\[E\] .*6 pages of 1 GiB" "$out"
check_eq "7: verify exits 1" 1 "$rc"

# a setting of the user's that turns the IOMMU off is not ours to take out
r=$t/o; fresh engine-debian "$r"
sed -i 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="iommu=off"/' "$r/etc/default/grub"
printf '[cmdline]\niommu_pt = no\n' >"$r/etc/vfio-provision.conf"
out=$("$VP" --root "$r" plan 2>&1); rc=$?
check_match "7: iommu=off on the line: refused, named" "refused: .*'iommu=off' turns the IOMMU off" "$out"
check_eq "7: iommu=off: plan exits 1 (refused)" 1 "$rc"
sed -i 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX=""/; s/^GRUB_CMDLINE_LINUX_DEFAULT="\(.*\)"/GRUB_CMDLINE_LINUX_DEFAULT="\1 intel_iommu=off"/' \
	"$r/etc/default/grub"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_match "7: intel_iommu=off after the user's =on: check refuses, named" \
	"refused: .*'intel_iommu=off' turns the IOMMU off" "$out"
out=$("$VP" --root "$r" verify 2>&1); rc=$?
check_match "7: and verify says the next boot has it off" "\[E\] .*'intel_iommu=off' turns the IOMMU off" "$out"

r=$t/n; spec engine-debian "$r" 's/^node 0$/node 0 mem_kib=16000000\nnode 1 mem_kib=16000000/; s/^\(pci 0000:01:00.[01] .*\)$/\1 numa=1/'
printf '[hugepages]\ncount = 4\n' >"$r/etc/vfio-provision.conf"
"$VP" --root "$r" apply >/dev/null 2>&1
check_match "7: node = auto on two nodes: the GPU's node on the command line" \
	'hugepages=1:4' "$(grep ^GRUB_CMDLINE_LINUX_DEFAULT "$r/etc/default/grub")"
check_match "7: early.conf guards the same node" '^node=1$' "$(cat "$r/etc/vfio-provision/early.conf")"

# ---- 9: proxmox-boot-tool reads the first line only ----
r=$t/p; fresh pve-zfs-sdboot "$r"
printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs\nquiet\n' >"$r/etc/kernel/cmdline"
"$VP" --root "$r" apply >/dev/null 2>&1
check_match "9: our tokens on the first line" '^root=ZFS=rpool/ROOT/pve-1 boot=zfs .*iommu=pt' \
	"$(head -n1 "$r/etc/kernel/cmdline")"
check_eq "9: the second line as it was" "quiet" "$(sed -n 2p "$r/etc/kernel/cmdline")"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "9: then up to date" "0 up to date" "$rc $out"
# the user moves ours to a second line: check sees the boot would lose them
printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs\n%s\n' "$(head -n1 "$r/etc/kernel/cmdline" | cut -d' ' -f3-)" \
	>"$r/etc/kernel/cmdline"
out=$("$VP" --root "$r" verify 2>&1); rc=$?
check_match "9: verify: the first line lacks iommu=pt" "\[E\] '/etc/kernel/cmdline':1 .*iommu=pt" "$out"
