#!/bin/bash
# Fetch and unpack a Debian kernel for the QEMU end-to-end tests, without
# installing it: download + dpkg -x + depmod into a cache directory.
# Prints "KROOT KVER" on stdout. The host's /boot, /lib/modules and apt
# configuration stay untouched.
#   6.1   Debian 12's linux-image-6.1.0-NN-amd64, through the host's apt
#   6.12  Debian 13 (trixie)'s linux-image-amd64, through apt with a private
#         sources list, state and cache under CACHE_DIR (the trixie archive
#         key is in Debian 12's debian-archive-keyring)
# Usage: fetch-kernel.sh CACHE_DIR [6.1|6.12]   (env E2E_KVER pins a version)
#        fetch-kernel.sh --mirror               (the Debian mirror in use)
set -euo pipefail

# The host's Debian mirror (deb822 or one-line sources), else deb.debian.org.
mirror() {
	local m
	m=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $0 ~ /debian\/? / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	echo "${m:-http://deb.debian.org/debian}"
}
if [ "${1:-}" = --mirror ]; then mirror; exit 0; fi

cache=${1:?usage: fetch-kernel.sh CACHE_DIR [6.1|6.12]}
series=${2:-6.1}
case $series in
6.1) glob='6.1.0-*' ;;
6.12) glob='6.12.*' ;;
*) echo "fetch-kernel: unknown kernel series '$series' (6.1 or 6.12)" >&2; exit 2 ;;
esac
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# suites run side by side (make -j): one fetch at a time per cache, the
# others then find the kernel unpacked
exec 9>"$cache/.fetch.lock"
flock 9

# A kernel of the series already unpacked in the cache wins: no network
# needed on re-runs.
pick_cached() {
	local d
	# shellcheck disable=SC2086 # the glob is the series'
	for d in "$cache"/linux-$glob/; do
		if [ -e "$d/.done" ]; then basename "$d"; fi
	done | sed 's/^linux-//' | sort -V | tail -n1
}

# trixie_apt ARGS...: apt-get or apt-cache (by $APT_TOOL) on trixie alone,
# every file it reads or writes but the keyring private to $cache/apt-trixie.
trixie_apt() {
	local a=$cache/apt-trixie
	mkdir -p "$a/lists/partial" "$a/archives/partial" "$a/parts" "$a/prefs"
	[ -e "$a/status" ] || : >"$a/status"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) trixie main" \
		>"$a/sources.list"
	"$APT_TOOL" -q -o Dir::Etc::sourcelist="$a/sources.list" -o Dir::Etc::sourceparts="$a/parts" \
		-o Dir::Etc::preferences="$a/prefs/none" -o Dir::Etc::preferencesparts="$a/prefs" \
		-o Dir::State="$a" -o Dir::State::lists="$a/lists" -o Dir::State::status="$a/status" \
		-o Dir::Cache="$a" -o Dir::Cache::archives="$a/archives" \
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Acquire::Languages=none \
		-o APT::Sandbox::User=root "$@"
}

kver=${E2E_KVER:-$(pick_cached)}
if [ -z "$kver" ] || [ ! -e "$cache/linux-$kver/.done" ]; then
	rm -rf "$cache/dl"
	mkdir -p "$cache/dl"
	if [ "$series" = 6.1 ]; then
		if [ -z "$kver" ]; then
			kver=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
			       awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1)
		fi
		[ -n "$kver" ] || { echo "fetch-kernel: no linux-image-6.1.0-*-amd64 in apt" >&2; exit 1; }
		(cd "$cache/dl" && apt-get download -q "linux-image-$kver" >&2)
	else
		APT_TOOL=apt-get trixie_apt update >&2
		if [ -z "$kver" ]; then
			# the flavour package linux-image-amd64 depends on names the kernel
			kver=$(APT_TOOL=apt-cache trixie_apt depends linux-image-amd64 |
			       sed -n 's/^ *Depends: linux-image-\(6\.12\.[^ ]*-amd64\)$/\1/p' | sort -V | tail -n1)
		fi
		[ -n "$kver" ] || { echo "fetch-kernel: trixie's linux-image-amd64 names no 6.12 kernel" >&2; exit 1; }
		(cd "$cache/dl" && APT_TOOL=apt-get trixie_apt download "linux-image-$kver" >&2)
		rm -rf "$cache/apt-trixie"
	fi
	dir=$cache/linux-$kver
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg -x "$cache"/dl/linux-image-"${kver}"_*.deb "$dir"
	# Debian 13 ships the modules under /usr/lib: one tree at lib/modules,
	# where every e2e helper looks, with no link that a copy could turn
	# into a loop inside a merged-/usr root.
	if [ ! -d "$dir/lib/modules/$kver" ] && [ -d "$dir/usr/lib/modules/$kver" ]; then
		mkdir -p "$dir/lib/modules"
		mv "$dir/usr/lib/modules/$kver" "$dir/lib/modules/$kver"
		rmdir -p "$dir/usr/lib/modules" 2>/dev/null || true
	fi
	# dpkg -x runs no postinst, so there is no modules.dep until depmod runs.
	depmod -b "$dir" "$kver"
	rm -rf "$cache/dl"
	touch "$dir/.done"
fi
echo "$cache/linux-$kver $kver"
