#!/bin/bash
# --regenerate when vfio-provision itself runs in a plain chroot, where '/'
# is not a mount point and cannot be made private: the tools still run, and
# nothing we mount for them ever reaches the mount table outside. The jail
# is a tmpfs made shared, so a mount that leaked would show up in this
# suite's namespace after the run; its sub/ is the chroot ('/' inside is
# not a mount point, as in a chroot of a debootstrapped directory).
#
# The jail is mounted in a namespace of this suite's own, below a mount made
# private there first: the one holding the scratch directory. Where that is
# a '/' that cannot be made private (this suite itself runs in a chroot with
# no mount of its own for /tmp), no test mount is safe: the suite skips.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
above=$(findmnt -n -o TARGET --target "$t" 2>/dev/null)
if [ -z "$above" ] || ! unshare -m --propagation unchanged mount --make-rprivate "$above" 2>/dev/null; then
	skip "regenerate in a chroot" "no mount above $t can be made private here"
	exit 0
fi
fresh engine-debian "$t/orig" || { not_ok "fixture engine-debian"; exit 0; }
FAKE=$BUILD/tests/shim/fake-tool
for tool in update-initramfs grub-mkconfig; do install -m 0755 "$FAKE" "$t/orig/usr/sbin/$tool"; done
: >"$t/orig/etc/fake-tool.env"

# jail BIND_TARGET: runs `apply --regenerate` chrooted in the jail on a copy of
# the fixture at /r (made a mount point first when BIND_TARGET is yes); prints
# its output, "rc=N", and then every mount left under /r in the jail.
jail() {
	unshare -m --propagation unchanged bash -s "$t/jail" "$t/orig" "$VP" "$1" "$above" <<'EOF'
set -e
j=$1 orig=$2 vp=$3 bind=$4 s=$1/sub
mount --make-rprivate "$5"
mkdir -p "$j"
mount -t tmpfs jail "$j"
mount --make-rshared "$j"
mkdir -p "$s/usr" "$s/etc" "$s/proc" "$s/dev" "$s/tmp" "$s$(dirname "$vp")"
for d in bin sbin lib lib32 lib64; do [ -e "/usr/$d" ] && ln -s "usr/$d" "$s/$d"; done
mount --rbind /usr "$s/usr"; mount --rbind /etc "$s/etc"; mount --rbind /dev "$s/dev"
mount -t proc proc "$s/proc"
mount --bind "$(dirname "$vp")" "$s$(dirname "$vp")"
cp -a "$orig" "$s/r"
[ "$bind" = yes ] && mount --bind "$s/r" "$s/r" && mount --make-shared "$s/r"
set +e
chroot "$s" "$vp" --root /r --regenerate apply 2>&1
echo "rc=$?"
echo "env: $(head -n1 "$s/r/etc/fake-tool.env")"
findmnt -rn -o TARGET | grep -F "$s/r/" | sed 's/^/left: /'
EOF
}

out=$(jail no)
check_match "chroot, '/' not a mount point: the tools run" "^fake-tool: update-initramfs -u -k all$" "$out"
check_match "chroot, '/' not a mount point: exit 0" "^rc=0$" "$out"
check_match "chroot, '/' not a mount point: says why nothing is mounted" \
	"note: '/' is not a mount point here \(a chroot\?\), nor is '/r'" "$out"
check_match "chroot, '/' not a mount point: the tool sees the root as it is" "^env: proc=no " "$out"
if grep -q '^left: ' <<<"$out"; then not_ok "chroot, '/' not a mount point: nothing mounted outside" "$out"
else ok "chroot, '/' not a mount point: nothing mounted outside"; fi

out=$(jail yes)
check_match "chroot, the root a mount point: the tools run" "^fake-tool: update-initramfs -u -k all$" "$out"
check_match "chroot, the root a mount point: exit 0" "^rc=0$" "$out"
check_match "chroot, the root a mount point: /proc and /dev for the tool" "^env: proc=yes dev=yes " "$out"
if grep -q '^left: ' <<<"$out"; then not_ok "chroot, the root a mount point: its mounts stay in its namespace" "$out"
else ok "chroot, the root a mount point: its mounts stay in its namespace"; fi
