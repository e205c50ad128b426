#!/bin/bash
# Issue 11: owning our changes over time, through the binary on fixture
# roots, then the property test on the pure core (tests/prop/lifetime.c).
#  - a feature turned off is taken out again (check reports it first)
#  - revert undoes our items on the files as they are: the user's later
#    lines and tokens stay; an item of ours the user edited is left alone
#    (and said), --force takes it out; untouched files come back byte for byte
#  - first-wins options are replaced where the user wrote them (goldens)
#  - revert prints the rebuild commands; revert --regenerate runs them
#  - a second apply on an unchanged system writes nothing at all
#  - a journal (no release wrote one) is not read
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
SHIM=$BUILD/tests/shim/faults.so
FAKE=$BUILD/tests/shim/fake-tool
PROP=$BUILD/tests/prop/lifetime
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"

grub_line() { grep "^$2=" "$1/etc/default/grub"; }

# ---- turning hugepages off takes out what they put there ----
fresh engine-debian "$t/o" || { not_ok "fixture engine-debian"; exit 0; }
cp -a "$t/o" "$t/r"; r=$t/r
printf '[hugepages]\ncount = 8\n' >"$r/etc/vfio-provision.conf"
"$VP" --root "$r" apply >/dev/null 2>&1
check_match "count = 8: hugetlbfs line in fstab" '^hugetlbfs /dev/hugepages1G ' "$(cat "$r/etc/fstab")"
check_match "count = 8: 1 GiB pages on the command line" 'hugepagesz=1G .*default_hugepagesz=1G' \
	"$(grub_line "$r" GRUB_CMDLINE_LINUX_DEFAULT)"
printf '[hugepages]\ncount = 0\n' >"$r/etc/vfio-provision.conf"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "pages off: check says pending" 1 "$rc"
check_match "pending: the fstab line goes, with the reason" \
	"^pending: update /etc/fstab \(vfio-provision changed it earlier and the config no longer asks for that" "$out"
check_match "pending: the mount point we created goes" "^pending: rmdir /dev/hugepages1G " "$out"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "pages off: apply exit 0" 0 "$rc"
check_eq "pages off: fstab is back to the user's bytes" "$(cat "$t/o/etc/fstab")" "$(cat "$r/etc/fstab")"
if grep -q 'hugepagesz' "$r/etc/default/grub"; then
	not_ok "pages off: page sizes gone from the command line" "$(grub_line "$r" GRUB_CMDLINE_LINUX_DEFAULT)"
else ok "pages off: page sizes gone from the command line"; fi
check_match "pages off: the rest of ours stays" 'iommu=pt' "$(grub_line "$r" GRUB_CMDLINE_LINUX_DEFAULT)"
check "pages off: mount point removed" test ! -e "$r/dev/hugepages1G"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "pages off: then up to date" "0 up to date" "$rc $out"

# ---- a second apply on an unchanged system: no write, no rename at all ----
rm -f "$t/count"
VP_FAULT_ROOT=$r VP_FAULT_COUNT_FILE=$t/count LD_PRELOAD=$SHIM "$VP" --root "$r" apply >/dev/null 2>&1
check_eq "second apply: 0 file-changing calls" 0 "$(cat "$t/count" 2>/dev/null || echo 0)"

# ---- revert keeps what the user wrote after apply ----
rm -rf "$r"; cp -a "$t/o" "$r"
printf '[hugepages]\ncount = 8\n' >"$r/etc/vfio-provision.conf"
cp -a "$r" "$t/before"
"$VP" --root "$r" apply >/dev/null 2>&1
echo '/dev/sdb1 /data ext4 defaults 0 2' >>"$r/etc/fstab"
sed -i 's/^GRUB_CMDLINE_LINUX=""/GRUB_CMDLINE_LINUX="mitigations=off"/' "$r/etc/default/grub"
echo vhost_net >>"$r/etc/initramfs-tools/modules"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "revert after user edits: exit 0" 0 "$rc"
check_eq "revert: fstab is the user's, with their new line" \
	"$(cat "$t/before/etc/fstab"; echo '/dev/sdb1 /data ext4 defaults 0 2')" "$(cat "$r/etc/fstab")"
check_eq "revert: the user's mitigations=off stays" 'GRUB_CMDLINE_LINUX="mitigations=off"' \
	"$(grub_line "$r" GRUB_CMDLINE_LINUX)"
check_eq "revert: initramfs-tools modules: theirs stays, ours go" \
	"$(cat "$t/before/etc/initramfs-tools/modules"; echo vhost_net)" "$(cat "$r/etc/initramfs-tools/modules")"
check_eq "revert: GRUB's default line is the user's" "$(grub_line "$t/before" GRUB_CMDLINE_LINUX_DEFAULT)" \
	"$(grub_line "$r" GRUB_CMDLINE_LINUX_DEFAULT)"
check "revert: our state is gone" test ! -e "$r/var/lib/vfio-provision"
check_match "revert: prints the rebuild commands" "^  chroot $r update-initramfs -u -k all$" "$out"

# ---- an item of ours the user edited: left alone and said; --force takes it ----
rm -rf "$r"; cp -a "$t/before" "$r"
"$VP" --root "$r" apply >/dev/null 2>&1
sed -i 's/mode=1770/mode=1777/' "$r/etc/fstab"
cp -a "$r" "$t/edited"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "edited item: revert still exit 0" 0 "$rc"
check_match "edited item: says it was left alone" "'/etc/fstab': line [0-9]+: line 'hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1777[^']*' \\(vfio-provision wrote 'hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770[^']*'\\): changed since vfio-provision wrote it: left alone \\(revert --force takes it out\\)" "$out"
check_match "edited item: the user's version stays" 'mode=1777' "$(cat "$r/etc/fstab")"
rm -rf "$r"; cp -a "$t/edited" "$r"
"$VP" --root "$r" --force revert >/dev/null 2>&1
check_eq "edited item: revert --force takes it out" "$(cat "$t/before/etc/fstab")" "$(cat "$r/etc/fstab")"
same_tree "edited item: revert --force gives back the tree" "$t/before" "$r"

# ---- revert --regenerate runs what apply would ----
rm -rf "$r"; cp -a "$t/before" "$r"
"$VP" --root "$r" apply >/dev/null 2>&1
for tool in update-initramfs grub-mkconfig; do install -m 0755 "$FAKE" "$r/usr/sbin/$tool"; done
out=$("$VP" --root "$r" --regenerate revert 2>&1); rc=$?
check_eq "revert --regenerate: exit 0" 0 "$rc"
check_match "revert --regenerate: ran update-initramfs" "^fake-tool: update-initramfs -u -k all$" "$out"
check_match "revert --regenerate: and grub-mkconfig" "^fake-tool: grub-mkconfig -o /boot/grub/grub.cfg$" "$out"

# ---- first-wins options: replaced where the user wrote them ----
fresh boot-arch-grub "$t/fw" || { not_ok "fixture boot-arch-grub"; exit 0; }
sed -i 's/^GRUB_CMDLINE_LINUX=""/GRUB_CMDLINE_LINUX="default_hugepagesz=2M ro"/' "$t/fw/etc/default/grub"
cp -a "$t/fw" "$t/fw0"
out=$("$VP" --root "$t/fw" plan 2>&1 | sed "s|$t/fw|ROOT|g"); 
golden "first-wins: plan" lifetime/first-wins.plan "$out"
"$VP" --root "$t/fw" --force apply >/dev/null 2>&1
golden "first-wins: /etc/default/grub after apply" lifetime/first-wins.grub "$(cat "$t/fw/etc/default/grub")"
lin=$(bash -c '. "$1/etc/default/grub"; echo "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT"' bash "$t/fw")
check_eq "first-wins: the kernel sees one default_hugepagesz, ours" 1G \
	"$(grep -o 'default_hugepagesz=[^ ]*' <<<"$lin" | cut -d= -f2 | tr '\n' ' ' | sed 's/ $//')"
cp -a "$t/fw" "$t/fw1"
"$VP" --root "$t/fw" revert >/dev/null 2>&1
same_tree "first-wins: revert of an untouched file gives back every byte" "$t/fw0" "$t/fw"
sed -i 's/^GRUB_CMDLINE_LINUX="\(.*\)"/GRUB_CMDLINE_LINUX="\1 mitigations=off"/' "$t/fw1/etc/default/grub"
"$VP" --root "$t/fw1" revert >/dev/null 2>&1
golden "first-wins: revert after a user edit restores 2M, keeps theirs" lifetime/first-wins.reverted \
	"$(cat "$t/fw1/etc/default/grub")"

# ---- a journal is not read: no release wrote one (issue 22) ----
rm -rf "$r"; cp -a "$t/o" "$r"
mkdir -p "$r/var/lib/vfio-provision/backups"
cp -p "$r/etc/fstab" "$r/var/lib/vfio-provision/backups/1"
echo 'tmpfs /scratch tmpfs defaults 0 0' >>"$r/etc/fstab"
printf '# vfio-provision journal 1\nfile /etc/fstab 0644 0 0 backups/1\n' >"$r/var/lib/vfio-provision/journal"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "journal: revert exit 0" 0 "$rc"
check_match "journal: nothing to revert" "nothing to revert" "$out"
check_eq "journal: fstab as the user left it" \
	"$(cat "$t/o/etc/fstab"; echo 'tmpfs /scratch tmpfs defaults 0 0')" "$(cat "$r/etc/fstab")"

# ---- the property test: random sequences on every kind of target ----
if [ ! -x "$PROP" ]; then not_ok "lifetime: $PROP built"; exit 0; fi
# 10 kinds of target x 500 = 5,000 sequences (issue 19); VP_PROP_SEED=N repeats a run
seed=${VP_PROP_SEED:-20261205}
echo "# lifetime: seed $seed, ${VP_PROP_RUNS:-500} sequences per fixture"
for f in boot-arch-grub boot-debian-grubd boot-sdboot-cmdline boot-sdboot-nocmdline \
	boot-fedora-bls boot-refind plan-arch distro-fedora engine-debian pve-zfs-sdboot; do
	root=$(mkfix "$f") || { not_ok "fixture $f"; continue; }
	"$PROP" "$root" "${VP_PROP_RUNS:-500}" "$seed"
done
