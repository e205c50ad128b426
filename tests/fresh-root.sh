#!/bin/bash
# The README's test command on a freshly debootstrapped Debian 12 root, run in
# a plain chroot (no container engine needed): what a new user gets, with
# nothing a developer installed by hand. `make check-fresh-root` runs it.
#
#   tests/fresh-root.sh [DIR]      (default build/fresh-root; root only)
#
# 1. DIR/root: `debootstrap --variant=minbase bookworm` from the host's Debian
#    mirror (the tarball is cached in $XDG_CACHE_HOME/vfio-provision-e2e, so a
#    second run does not download the base system again). A root left by an
#    earlier run is removed first: every run starts from a fresh one.
# 2. DIR/root/src: a fresh `git clone` of this repository at HEAD (commit
#    first: what is not committed is not tested).
# 3. In a mount namespace of its own, private from the start (nothing is
#    mounted in the host's): /proc, /sys, /dev, /dev/pts, /dev/shm and a tmpfs
#    on /tmp are mounted in the root, as for any chroot; the root itself is
#    not a mount point, as in a chroot of a directory. Then, chrooted there:
#      apt-get update && apt-get install -y --no-install-recommends \
#        $(grep -v '^#' packages.txt) && make check-all
#    exactly the README's command, as root, with a clean environment. Set
#    CI=true in the environment to run it as .ci/run does (a skip fails).
# FRESH_ROOT_E2E_CACHE=DIR lends the chroot an e2e download cache (the Debian
# kernel and the debootstrapped initramfs-tools root of mk/e2e.mk) instead of
# downloading them again inside; by default nothing is lent.
# The log is DIR/check-all.log; the exit status is the command's.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${1:-$top/build/fresh-root}")
root=$dir/root
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vfio-provision-e2e
suite=bookworm

[ "$(id -u)" = 0 ] || { echo "fresh-root: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
# the host's Debian mirror (deb822 or one-line sources), else the CDN
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	grep -v security | head -n1 || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' \
	/etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

mkdir -p "$dir" "$cache"
tarball=$cache/fresh-root-$suite-minbase.tgz
if [ ! -s "$tarball" ]; then
	echo "fresh-root: downloading the base system into $tarball"
	rm -rf "$dir/tarball-work"
	debootstrap --variant=minbase --make-tarball="$tarball.part" "$suite" "$dir/tarball-work" "$mirror"
	mv "$tarball.part" "$tarball"
	rm -rf "$dir/tarball-work"
fi
if [ -e "$root" ]; then
	# an earlier run's root: nothing of it may still be mounted
	if findmnt -rn -o TARGET | grep -qF "$root/"; then
		echo "fresh-root: something is still mounted under $root; not removing it" >&2
		exit 2
	fi
	rm -rf "$root"
fi
echo "fresh-root: debootstrap $suite into $root ($mirror)"
debootstrap --variant=minbase --unpack-tarball="$tarball" "$suite" "$root" "$mirror"
cp /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q "$top" "$root/src"
echo "fresh-root: testing $(git -C "$root/src" log -1 --format='%h %s')"

# The README's command, verbatim from its "Run the tests" section.
cmd=$(awk '/^## Run the tests/ { s = 1 } s && /^```sh/ { getline; print; exit }' "$top/README.md")
case $cmd in *"make check-all"*) ;; *) echo "fresh-root: no test command in README.md" >&2; exit 2 ;; esac
echo "fresh-root: running: $cmd"

set +e
unshare -m --propagation private bash -s "$root" "$cmd" "${CI:-}" "${FRESH_ROOT_E2E_CACHE:-}" \
	>"$dir/check-all.log" 2>&1 <<'EOF'
set -e
r=$1 cmd=$2 ci=$3 e2e=$4
if [ -n "$e2e" ]; then
	mkdir -p "$r/root/.cache/vfio-provision-e2e"
	mount --bind "$e2e" "$r/root/.cache/vfio-provision-e2e"
fi
mount -t proc proc "$r/proc"
mount -t sysfs -o ro sysfs "$r/sys"
mount --rbind /dev "$r/dev"
mount -t tmpfs -o mode=1777 tmp "$r/tmp"
set +e
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive ${ci:+CI=$ci} \
	chroot "$r" /bin/bash -c "cd /src && $cmd"
EOF
rc=$?
set -e
grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$dir/check-all.log" || true
echo "fresh-root: exit $rc (log: $dir/check-all.log)"
exit "$rc"
