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

# Each tool's path as the system has it, and the packages that ship those
# paths from one dpkg -S (each run reads every package's file list): merged
# /usr lists a file with or without /usr, or by its link's target.
declare -A where=() own=()
cands=()
for t in $tools; do
	# a Python from pyenv or a tool in /usr/local is not Debian's: look at the system's
	p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t") || continue
	where[$t]=$p
	cands+=("$p" "${p#/usr}" "$(readlink -f "$p")")
done
while IFS= read -r l; do
	[[ $l == *": /"* ]] || continue          # "diversion by ..." and the like
	pkg=${l%%: /*} pkg=${pkg%%,*}
	own[/${l#*: /}]=${pkg%%:*}                 # "pkg:amd64" is pkg
done < <(dpkg -S "${cands[@]}" 2>/dev/null)

# owner TOOL: the package that ships the tool's path
owner() {
	local p=${where[$1]}
	for p in "$p" "${p#/usr}" "$(readlink -f "$p")"; do
		[ -n "${own[$p]:-}" ] && { echo "${own[$p]}"; return 0; }
	done
	return 1
}

for t in $tools; do
	name="packages.txt provides $t"
	# a Python from pyenv or a tool in /usr/local is not Debian's: look at the system's
	p=${where[$t]:-}
	[ -n "$p" ] || { not_ok "$name" "$t is not installed"; continue; }
	pkg=$(owner "$t") || { not_ok "$name" "no package ships $p"; continue; }
	base=$(dpkg-query -W -f='${Essential} ${Priority}' "$pkg" 2>/dev/null)
	if grep -qx -- "$pkg" <<<"$closure" || [[ $base == yes* || $base == *required ]]; then
		ok "$name"
	else
		not_ok "$name" "$t comes from '$pkg', which packages.txt does not install"
	fi
done
