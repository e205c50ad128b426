#!/bin/bash
# packages.txt is the whole list a fresh Debian 12 gets before `make check-all`
# (README, .ci/run): every tool the build and the tests run must come from a
# package in it, from one of their dependencies, or from the base system
# (Essential or Priority required, which every debootstrap has). A tool that a
# developer installed by hand passes here and fails on a fresh root
# (virt-xml-validate runs xmllint, from libxml2-utils).
. "$(dirname "$0")/lib.sh"

# The commands the build, tests/ and tests/e2e/ run; xmllint is run by
# virt-xml-validate, never by us, which is how it was missed.
tools="xmllint virt-xml-validate strace jq qemu-system-x86_64 dracut lsinitrd debootstrap
musl-gcc zsh mkfs.ext4 bsdtar ansible-playbook ansible-doc scdoc lintian cpio depmod
modinfo clang fakeroot dpkg-buildpackage dpkg-deb lspci gzip pkg-config make cc git
busybox man systemd-tmpfiles sha256sum unshare chroot mountpoint python3 sed awk"

if ! command -v dpkg >/dev/null || ! command -v apt-cache >/dev/null; then
	skip "packages.txt provides every tool" "not a Debian system (no dpkg, apt-cache)"
	exit 0
fi

wanted=$(grep -v '^#' "$TOP/packages.txt" | grep -v '^$')
# what installing packages.txt brings, dependencies included (Recommends are
# not installed: README uses --no-install-recommends)
# shellcheck disable=SC2086
closure=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances $wanted 2>/dev/null | grep -v '^ ' | sort -u)

# owner PATH: the package that ships PATH (merged /usr: it may be listed without /usr)
owner() {
	local p
	for p in "$1" "${1#/usr}" "$(readlink -f "$1")"; do
		dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1 | grep . && return 0
	done
	return 1
}

for t in $tools; do
	name="packages.txt provides $t"
	# a Python from pyenv or a tool in /usr/local is not Debian's: look at the system's
	p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t") || { not_ok "$name" "$t is not installed"; continue; }
	pkg=$(owner "$p") || { not_ok "$name" "no package ships $p"; continue; }
	base=$(dpkg-query -W -f='${Essential} ${Priority}' "$pkg" 2>/dev/null)
	if grep -qx -- "$pkg" <<<"$closure" || [[ $base == yes* || $base == *required ]]; then
		ok "$name"
	else
		not_ok "$name" "$t comes from '$pkg', which packages.txt does not install"
	fi
done
