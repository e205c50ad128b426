#!/bin/bash
# packaging/arch as far as a Debian host can check it (no pacman, no makepkg):
#  - the PKGBUILD and its install script parse with bash;
#  - its fields, read the way `makepkg --printsrcinfo` reads them (the
#    PKGBUILD sourced by bash in a subshell), are well formed by makepkg's
#    rules and are those of tests/expected/arch/SRCINFO;
#  - depends= names a package for every shared library the built binary links;
#  - package(), run as makepkg runs it (in a srcdir, with pkgdir set), installs
#    what `make install DESTDIR=` installs, byte for byte and mode for mode,
#    but for its two deliberate changes (no /etc/kernel, an empty config for
#    backup=()), and only under /usr and /etc outside Arch's symlinked dirs.
# Not checked: makepkg and pacman themselves, the source tarball, namcap,
# the build on Arch's toolchain (README says so).
. "$(dirname "$0")/lib.sh"

ARCH=$TOP/packaging/arch
t=$(tmpdir); trap 'rm -rf "$t"' EXIT

check "PKGBUILD: bash syntax" bash -n "$ARCH/PKGBUILD"
check "vfio-provision.install: bash syntax" bash -n "$ARCH/vfio-provision.install"

# srcinfo: the PKGBUILD's fields in the layout of makepkg --printsrcinfo
# (single-package PKGBUILD), or "ERROR ..." lines. Sourced in a subshell
# with nothing from this shell but the PKGBUILD's own directory.
srcinfo() {
	(cd "$ARCH" && env -i PATH=/usr/bin:/bin bash -c '
		set -u
		source ./PKGBUILD || { echo "ERROR: sourcing failed"; exit 1; }
		echo "pkgbase = $pkgname"
		for v in pkgdesc pkgver pkgrel epoch url install changelog arch groups license \
			checkdepends makedepends depends optdepends provides conflicts replaces \
			noextract options backup source validpgpkeys md5sums sha1sums sha224sums \
			sha256sums sha384sums sha512sums b2sums; do
			declare -p "$v" >/dev/null 2>&1 || continue
			eval "vals=(\"\${$v[@]}\")"
			for x in "${vals[@]}"; do printf "\t%s = %s\n" "$v" "$x"; done
		done
		printf "\npkgname = %s\n" "$pkgname"
		for f in build check package; do
			declare -F "$f" >/dev/null && echo "FUNCTION $f"
		done
	' 2>&1)
}
info=$(srcinfo)
golden "PKGBUILD: fields as makepkg --printsrcinfo lists them" arch/SRCINFO \
	"$(grep -v '^FUNCTION ' <<<"$info")"
field() { sed -n "s/^\t$1 = //p" <<<"$info"; }

# makepkg's lint rules (lint_pkgbuild) for the fields we use
check_match "PKGBUILD: pkgname is a valid package name" '^[a-z0-9@_+][a-z0-9@._+-]*$' "$(sed -n 's/^pkgname = //p' <<<"$info")"
check_eq "PKGBUILD: pkgver is the program's version" \
	"$("$VP" --version | awk '{print $2}')" "$(field pkgver)"
check_match "PKGBUILD: pkgrel is a number" '^[0-9]+(\.[0-9]+)?$' "$(field pkgrel)"
check_match "PKGBUILD: arch lists x86_64" '^x86_64$' "$(field arch)"
check_eq "PKGBUILD: one checksum per source" "$(field source | wc -l)" "$(field sha256sums | wc -l)"
check_eq "PKGBUILD: install= names a file beside it" "$ARCH/vfio-provision.install" \
	"$(f=$(field install); [ -f "$ARCH/$f" ] && echo "$ARCH/$f")"
check_eq "PKGBUILD: backup paths are relative" "" "$(field backup | grep '^/')"
check_eq "PKGBUILD: optdepends are 'name: why'" "" "$(field optdepends | grep -vE '^[a-z0-9@_+.-]+: .+')"
check_eq "PKGBUILD: build, check and package defined" "FUNCTION build
FUNCTION check
FUNCTION package" "$(grep '^FUNCTION ' <<<"$info")"

# Every library the binary links comes from a package in depends=.
declare -A PROVIDER=(
	[libc.so.6]=glibc [libpci.so.3]=pciutils [libkmod.so.2]=kmod
	[libblkid.so.1]=util-linux-libs [libmount.so.1]=util-linux-libs
	[libinih.so.1]=libinih [libxml2.so.2]=libxml2 [libz.so.1]=zlib
	[libvirt.so.0]=libvirt
)
depends=" $(field depends | tr '\n' ' ') "
missing=""
for so in $(readelf -d "$VP" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
	# the sanitizer runtime of `make check SANITIZE=1` is no release dependency
	case $so in libasan.so.* | libubsan.so.*) continue ;; esac
	p=${PROVIDER[$so]:-}
	if [ -z "$p" ]; then
		missing+=" $so (no Arch package known: add it to PROVIDER in ${0##*/})"
	elif [[ $depends != *" $p "* ]]; then
		missing+=" $p (for $so)"
	fi
done
check_eq "PKGBUILD: depends= covers every library the binary links" "" "${missing# }"

# package() as makepkg runs it: in $srcdir, with the sources unpacked
# there as $pkgname-$pkgver (this tree), pkgdir empty. The reference is
# `make install DESTDIR=` with the paths of Debian's package and README.
mkdir -p "$t/src" "$t/pkg"
ln -s "$TOP" "$t/src/vfio-provision-$(field pkgver)"
if (cd "$t/src" && export srcdir=$t/src pkgdir=$t/pkg SANITIZE="${SANITIZE:-}" &&
	bash -ec '. "$1"; package' _ "$ARCH/PKGBUILD") >"$t/package.log" 2>&1; then
	ok "PKGBUILD: package() runs"
else
	not_ok "PKGBUILD: package() runs" "$(tail -20 "$t/package.log")"
fi
if make -s -C "$TOP" install DESTDIR="$t/ref" PREFIX=/usr SYSCONFDIR=/etc \
	LIBEXECDIR=/usr/lib/vfio-provision SANITIZE="${SANITIZE:-}" >"$t/ref.log" 2>&1; then
	ok "make install DESTDIR= (the reference)"
else
	not_ok "make install DESTDIR= (the reference)" "$(tail -20 "$t/ref.log")"
fi
# the same tree as the reference but for etc/kernel (Arch has no
# postinst.d: the pacman hook does that job) and the config of backup=()
TREELIST=$BUILD/tests/shim/treelist
check_eq "PKGBUILD: package() installs what make install does, less etc/kernel" \
	"$("$TREELIST" "$t/ref" -x etc/kernel)" "$("$TREELIST" "$t/pkg" -x etc/vfio-provision.conf)"
check_match "PKGBUILD: package() adds an empty /etc/vfio-provision.conf, 0644" \
	'^etc/vfio-provision.conf	f 644 0:0 ' "$("$TREELIST" "$t/pkg" | grep '^etc/vfio-provision.conf	')"
check_eq "PKGBUILD: package() adds an empty /etc/vfio-provision.conf, 0644: empty" 0 \
	"$(stat -c %s "$t/pkg/etc/vfio-provision.conf" 2>&1)"
check_eq "PKGBUILD: nothing outside /usr and /etc, nothing in Arch's symlinked dirs" "" \
	"$(cd "$t/pkg" && find . -mindepth 1 -printf '%P\n' |
		grep -E '^(usr/sbin|usr/lib64|usr/local)(/|$)|^[^/]+$' | grep -vxE 'usr|etc')"
for b in $(field backup); do
	check "PKGBUILD: backup=($b) is a file of the package" test -f "$t/pkg/$b"
done
hook=$t/pkg/usr/share/libalpm/hooks/85-vfio-provision.hook
exe=$(sed -n 's/^Exec = \([^ ]*\).*/\1/p' "$hook" 2>/dev/null)
check "PKGBUILD: the pacman hook's Exec ($exe) is an executable of the package" \
	test -n "$exe" -a -x "$t/pkg$exe"
