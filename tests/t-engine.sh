#!/bin/bash
# The engine: plan writes nothing, apply is idempotent (content and mtime),
# check's exit codes, revert restores exact bytes, modes and owners after
# one and after two applies with different configs, the lock, unmanaged
# files, symlinks that leave the root, odd files in the way.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
fresh engine-debian "$t/orig" || { not_ok "fixture engine-debian"; exit 0; }
# a second config (other mount point, other strategy) and an edited file
# with an unusual mode and group, which apply must keep and revert restore
cat >"$t/orig/etc/vfio-b.conf" <<'CONF'
[gpu]
# bind by address in the early program
strategy = override
[hugepages]
# two pages, another mount point
count = 2
mount = /dev/hugepages-vm
CONF
chown 0:4 "$t/orig/etc/fstab"; chmod 0640 "$t/orig/etc/fstab"
r=$t/r; cp -a "$t/orig" "$r"

# ---- plan ----
out=$("$VP" --root "$r" plan 2>&1); rc=$?
check_eq "plan: exit 1 with changes pending" 1 "$rc"
check_match "plan: diff of vfio.conf" '^\+\+\+ b/etc/modprobe.d/vfio.conf$' "$out"
check_match "plan: fstab hunk adds the hugetlbfs line" '^\+hugetlbfs /dev/hugepages1G hugetlbfs pagesize=1G,mode=1770,gid=993 0 0$' "$out"
check_match "plan: fstab hunk header" '^@@ -1,3 \+1,4 @@$' "$out"
check_match "plan: one line per change" '^update /etc/fstab' "$out"
check_match "plan: mkdir of the mount point" '^mkdir /dev/hugepages1G$' "$out"
check_match "plan: summary" '^[0-9]+ changes pending; `vfio-provision apply` writes them$' "$out"
same_tree "plan writes nothing" "$t/orig" "$r"
out=$(NO_COLOR=1 "$VP" --root "$r" --dry-run 2>&1)
if grep -q $'\033' <<<"$out"; then not_ok "plan: no colour when piped"; else ok "plan: no colour when piped"; fi
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "check: exit 1 before apply" 1 "$rc"
check_match "check lists pending changes" '^pending: create /etc/modprobe.d/vfio.conf' "$out"

# ---- apply ----
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "apply: exit 0" 0 "$rc"
for l in "created /etc/modprobe.d/vfio.conf" "created /etc/vfio-provision/early.conf" \
	"updated /etc/fstab" "created directory /dev/hugepages1G"; do
	check "apply: says '$l'" grep -qxF "$l" <<<"$out"
done
check_eq "apply: fstab keeps its mode and group" "640 0:4" "$(stat -c '%a %u:%g' "$r/etc/fstab")"
check_eq "apply: new file mode 0644" "644" "$(stat -c '%a' "$r/etc/modprobe.d/vfio.conf")"
check_eq "apply: other fstab lines kept byte for byte" "$(cat "$t/orig/etc/fstab")" "$(head -n -1 "$r/etc/fstab")"
check "apply: mount point created" test -d "$r/dev/hugepages1G"
check "apply: vfio.conf starts with the header" grep -qx '# Managed by vfio-provision' <(head -1 "$r/etc/modprobe.d/vfio.conf")
if ls -A "$r/etc" "$r/etc/modprobe.d" | grep -q 'vp-tmp'; then not_ok "apply: no temporary file left"; else ok "apply: no temporary file left"; fi
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "check: exit 0 after apply" "0 up to date" "$rc $out"
out=$("$VP" --root "$r" plan 2>&1); rc=$?
check_eq "plan: nothing to do after apply" "0 nothing to do" "$rc $(tail -1 <<<"$out")"
if grep -qE '^(---|\+\+\+|@@) ' <<<"$out"; then not_ok "plan: no diff after apply" "$out"; else ok "plan: no diff after apply"; fi
out=$("$VP" --root "$r" verify 2>&1); rc=$?
check_eq "verify: clean after apply" 0 "$rc"
check_match "verify: summary" '^[0-9]+ files checked, 0 errors, 0 warnings$' "$out"

# ---- idempotency ----
before=$(mtimes "$r"); snap=$(snapshot "$r")
clock_tick "$r" || not_ok "the file clock passed the applied files' mtimes"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "second apply: nothing to do" "0 nothing to do" "$rc $out"
check_eq "second apply: no file replaced or rewritten (inodes, mtimes)" "$before" "$(mtimes "$r")"
check_eq "second apply: no byte changed" "$snap" "$(snapshot "$r")"

# ---- revert after one apply ----
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "revert: exit 0" 0 "$rc"
check_match "revert: restored fstab" '^restored /etc/fstab$' "$out"
check_match "revert: removed vfio.conf" '^removed /etc/modprobe.d/vfio.conf$' "$out"
same_tree "revert after one apply: identical tree, modes, owners" "$t/orig" "$r"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "revert again: nothing to revert" "0 nothing to revert" "$rc $out"
same_tree "revert with nothing journaled creates nothing" "$t/orig" "$r"

# ---- two applies with different configs, then revert ----
"$VP" --root "$r" apply >/dev/null 2>&1
out=$("$VP" --root "$r" --config /etc/vfio-b.conf apply 2>&1); rc=$?
check_eq "apply with a second config: exit 0" 0 "$rc"
check_match "second config moved the mount point" 'hugetlbfs /dev/hugepages-vm ' "$(cat "$r/etc/fstab")"
check "second config: the ledger keeps fstab's mode and owner" grep -qE '^file /etc/fstab shared 0640:0:4:blobs/[0-9]+ blobs/[0-9]+$' "$r/var/lib/vfio-provision/ledger"
"$VP" --root "$r" revert >/dev/null 2>&1
same_tree "revert after two applies with different configs" "$t/orig" "$r"

# ---- unmanaged file of the same name ----
rm -rf "$r"; cp -a "$t/orig" "$r"
mkdir -p "$r/etc/modprobe.d"; printf 'options vfio-pci ids=1234:5678\n' >"$r/etc/modprobe.d/vfio.conf"
cp -a "$r" "$t/unmanaged"
out=$("$VP" --root "$r" plan 2>&1)
check_match "plan shows the unmanaged file" "^refused: '/etc/modprobe.d/vfio.conf' exists and is not managed" "$out"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "apply over an unmanaged file: refused, exit 1 (as for a verdict)" 1 "$rc"
check_match "apply over an unmanaged file: message names it" "'/etc/modprobe.d/vfio.conf' exists and is not managed by vfio-provision .*--force" "$out"
same_tree "apply over an unmanaged file changes nothing" "$t/unmanaged" "$r"
out=$("$VP" --root "$r" --force apply 2>&1); rc=$?
check_eq "apply --force replaces it" "0 # Managed by vfio-provision" "$rc $(head -1 "$r/etc/modprobe.d/vfio.conf")"
"$VP" --root "$r" revert >/dev/null 2>&1
same_tree "revert brings the unmanaged file back" "$t/unmanaged" "$r"

# ---- symlinks ----
rm -rf "$r"; cp -a "$t/orig" "$r"
outside=$t/outside; mkdir -p "$outside"
ln -s "../../../../../../../../../../..$outside" "$r/etc/modprobe.d"
cp -a "$r" "$t/escape"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "symlink leaving the root: exit 2" 2 "$rc"
check_match "symlink leaving the root: message names the link" "'/etc/modprobe.d[^']*': the symbolic link '/etc/modprobe.d' -> '[^']*' leads outside the root" "$out"
check_eq "symlink leaving the root: nothing written outside" "" "$(ls -A "$outside")"
same_tree "symlink leaving the root: nothing changed inside" "$t/escape" "$r"
rm -rf "$r"; cp -a "$t/orig" "$r"
mkdir -p "$r/usr/lib/modprobe.d"; ln -s /usr/lib/modprobe.d "$r/etc/modprobe.d"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "absolute symlink inside the root: followed within the root" "0 yes" \
	"$rc $(test -f "$r/usr/lib/modprobe.d/vfio.conf" && echo yes)"
check "absolute symlink inside the root: link kept" test -L "$r/etc/modprobe.d"
ln -s fstab.real "$r/etc/fstab.lnk" 2>/dev/null
"$VP" --root "$r" revert >/dev/null 2>&1
check "revert through the in-root symlink" test ! -e "$r/usr/lib/modprobe.d/vfio.conf"

# ---- things in the way ----
rm -rf "$r"; cp -a "$t/orig" "$r"
mkdir -p "$r/etc/modprobe.d/vfio.conf"
cp -a "$r" "$t/dir"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "a directory where vfio.conf belongs: exit 2" 2 "$rc"
check_match "a directory where vfio.conf belongs: message" "'/etc/modprobe.d/vfio.conf': (cannot read: Is a directory|not a regular file)" "$out"
same_tree "a directory where vfio.conf belongs: nothing changed" "$t/dir" "$r"
rm -rf "$r"; cp -a "$t/orig" "$r"
mkdir -p "$r/etc/modprobe.d"; ln -s nowhere "$r/etc/modprobe.d/vfio.conf"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "dangling symlink as vfio.conf: created at its target inside the root" "0 yes" \
	"$rc $(test -f "$r/etc/modprobe.d/nowhere" && echo yes)"
"$VP" --root "$r" revert >/dev/null 2>&1
check "dangling symlink: revert removes the target, keeps the link" \
	test -L "$r/etc/modprobe.d/vfio.conf" -a ! -e "$r/etc/modprobe.d/nowhere"

# ---- a corrupt ledger ----
rm -rf "$r"; cp -a "$t/orig" "$r"
"$VP" --root "$r" apply >/dev/null 2>&1
cp "$r/var/lib/vfio-provision/ledger" "$t/ledger"
printf 'garbage\n' >>"$r/var/lib/vfio-provision/ledger"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "corrupt ledger: revert exit 2" 2 "$rc"
check_match "corrupt ledger: message names line" "'/var/lib/vfio-provision/ledger':[0-9]+: no end line: the ledger was cut short or damaged" "$out"
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "corrupt ledger: check exit 2" 2 "$rc"
cp "$t/ledger" "$r/var/lib/vfio-provision/ledger"
"$VP" --root "$r" revert >/dev/null 2>&1
same_tree "ledger repaired: revert restores" "$t/orig" "$r"

# ---- the lock: a second apply waits ----
# Synchronised on the lock itself, never on time: the holder says through a
# FIFO that it has the lock; apply is then seen blocked on it in the
# kernel's lock table (/proc/locks lists a waiter as "-> FLOCK ... PID").
# The timeouts only bound a failure; a pass never depends on them.
rm -rf "$r"; cp -a "$t/orig" "$r"
lock=$r/var/lib/vfio-provision/lock
mkdir -p "$r/var/lib/vfio-provision"; : >"$lock"
mkfifo "$t/held" "$t/release"
flock -x "$lock" -c "echo held >'$t/held'; read -r _ <'$t/release'" &
holder=$!
if ! timeout 10 head -n1 "$t/held" >/dev/null; then
	not_ok "lock holder took the lock"
fi
"$VP" --root "$r" apply >"$t/apply.out" 2>&1 &
applier=$!
ino=$(stat -c %i "$lock")
# shellcheck disable=SC2016
if timeout 10 bash -c 'until grep -qE "^[0-9]+: -> FLOCK +ADVISORY +WRITE +$1 +[0-9a-f]+:[0-9a-f]+:$2 " /proc/locks; do
		kill -0 "$1" 2>/dev/null || exit 1; done' _ "$applier" "$ino" &&
	! grep -q hugetlbfs "$r/etc/fstab"; then
	ok "apply waits while another holds the lock"
else
	not_ok "apply waits while another holds the lock" "$(cat "$t/apply.out")" "$(cat /proc/locks)"
fi
timeout 10 bash -c 'echo >"$1"' _ "$t/release"; wait "$holder"
wait "$applier"; rc=$?
check_eq "apply proceeds once the lock is free" "0 yes" "$rc $(grep -q hugetlbfs "$r/etc/fstab" && echo yes)"

# ---- --regenerate: the plan's commands, chrooted in the root ----
FAKE=$BUILD/tests/shim/fake-tool
rm -rf "$r"; cp -a "$t/orig" "$r"
for tool in update-initramfs grub-mkconfig; do install -m 0755 "$FAKE" "$r/usr/sbin/$tool"; done
out=$("$VP" --root "$r" --regenerate apply 2>&1); rc=$?
check_eq "apply --regenerate: exit 0 when the tools succeed" 0 "$rc"
check_match "apply --regenerate: header names the command" "^==> chroot $r update-initramfs -u -k all \(" "$out"
check_match "apply --regenerate: the tool ran with its argv" "^fake-tool: update-initramfs -u -k all$" "$out"
check_match "apply --regenerate: every command ran" "^fake-tool: grub-mkconfig " "$out"
# as arch-chroot does: /proc and /dev there, a clean environment, no mount left behind
rm -rf "$r"; cp -a "$t/orig" "$r"
for tool in update-initramfs grub-mkconfig; do install -m 0755 "$FAKE" "$r/usr/sbin/$tool"; done
: >"$r/etc/fake-tool.env"
out=$(VP_TEST_MARKER=leaked "$VP" --root "$r" --regenerate apply 2>&1)
if unshare -m --propagation private true 2>/dev/null; then
	check_match "apply --regenerate: the tool sees /proc and /dev, a clean environment" \
		"^proc=yes dev=yes env=[0-9] PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin VP_TEST_MARKER=unset$" \
		"$(head -1 "$r/etc/fake-tool.env")"
else
	# this suite runs in a plain chroot: '/' cannot be made private (t-chroot.sh)
	check_match "apply --regenerate in a chroot: the tool sees the root as it is, a clean environment" \
		"^proc=no dev=(yes|no) env=[0-9] PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin VP_TEST_MARKER=unset$" \
		"$(head -1 "$r/etc/fake-tool.env")"
	check_match "apply --regenerate in a chroot: says why nothing is mounted" "note: '/' is not a mount point here" "$out"
fi
check_eq "apply --regenerate: nothing stays mounted in the root" "" "$(findmnt -rn -o TARGET | grep -F "$r" || true)"
rm -f "$r/etc/fake-tool.env"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "apply without --regenerate: nothing to do, no tool run" "0 nothing to do" "$rc $out"
echo 3 >"$r/etc/fake-tool.status"
out=$("$VP" --root "$r" --regenerate apply 2>&1); rc=$?
check_eq "apply --regenerate, tool fails: exit 2" 2 "$rc"
check_match "apply --regenerate, tool fails: status and the command to re-run" \
	"'update-initramfs' failed with exit status 3; .*re-run: chroot $r update-initramfs -u -k all$" "$out"
if grep -q "grub-mkconfig" <<<"$out"; then not_ok "apply --regenerate: stops at the first failure" "$out"; else ok "apply --regenerate: stops at the first failure"; fi

# ---- a verdict that is not ok: apply refuses unless --force ----
if fresh iommu-off "$t/noiommu"; then
	cp -a "$t/noiommu" "$t/noiommu.orig"
	out=$("$VP" --root "$t/noiommu" apply 2>&1); rc=$?
	check_eq "verdict no-iommu: apply exits 1" 1 "$rc"
	check_match "verdict no-iommu: says why" "verdict is 'no-iommu'" "$out"
	check_match "verdict no-iommu: says how to go on" "not applying: .*--force" "$out"
	same_tree "verdict no-iommu: nothing written" "$t/noiommu.orig" "$t/noiommu"
	out=$("$VP" --root "$t/noiommu" --force apply 2>&1); rc=$?
	check_eq "verdict no-iommu: apply --force writes" "0 yes" "$rc $(grep -q '^created ' <<<"$out" && echo yes)"
else
	not_ok "fixture iommu-off"
fi
