#!/bin/bash
# Fetch and unpack a Debian 6.1 kernel for the QEMU end-to-end tests, without
# installing it: apt-get download + dpkg -x + depmod into a cache directory.
# Prints "KROOT KVER" on stdout. The host's /boot and /lib/modules stay untouched.
# Usage: fetch-kernel.sh CACHE_DIR        (env E2E_KVER pins a version)
set -euo pipefail
cache=${1:?usage: fetch-kernel.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# A kernel already unpacked in the cache wins: no network needed on re-runs.
pick_cached() {
	local d
	for d in "$cache"/linux-*/; do
		if [ -e "$d/.done" ]; then basename "$d"; fi
	done | sed 's/^linux-//' | sort -V | tail -n1
}

kver=${E2E_KVER:-$(pick_cached)}
if [ -z "$kver" ] || [ ! -e "$cache/linux-$kver/.done" ]; then
	if [ -z "$kver" ]; then
		kver=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
		       awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1)
	fi
	[ -n "$kver" ] || { echo "fetch-kernel: no linux-image-6.1.0-*-amd64 in apt" >&2; exit 1; }
	dir=$cache/linux-$kver
	rm -rf "$dir" "$cache/dl"
	mkdir -p "$cache/dl" "$dir"
	(cd "$cache/dl" && apt-get download -q "linux-image-$kver" >&2)
	dpkg -x "$cache"/dl/linux-image-"${kver}"_*.deb "$dir"
	# The packaged layout may be /lib or /usr/lib; give both names one tree.
	if [ ! -d "$dir/lib/modules/$kver" ] && [ -d "$dir/usr/lib/modules/$kver" ]; then
		mkdir -p "$dir/lib/modules"
		ln -s "../../usr/lib/modules/$kver" "$dir/lib/modules/$kver"
	fi
	# dpkg -x runs no postinst, so there is no modules.dep until depmod runs.
	depmod -b "$dir" "$kver"
	rm -rf "$cache/dl"
	touch "$dir/.done"
fi
echo "$cache/linux-$kver $kver"
