#!/bin/bash
# Builds the Debian package from the working tree with dpkg-buildpackage,
# checks it with lintian (errors fail), installs it into a throw-away root
# with `dpkg --root` and runs the installed tool from there.
# Prints "ok"/"not ok" lines and "N passed, N failed" like tests/run.sh.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vp-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok $1"; shift; printf '    %s\n' "$@"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || { not_ok "tool $t present" "install dpkg-dev debhelper lintian"; finish; }
done

# Copy the tracked and untracked-not-ignored files: the build never touches the tree.
src=$work/vfio-provision-0.1.0
mkdir -p "$src"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src" 2>/dev/null) ||
	(cd "$top" && tar --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -)

if (cd "$src" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1); then
	ok "dpkg-buildpackage -us -uc -b"
else
	not_ok "dpkg-buildpackage -us -uc -b" "$(tail -25 "$work/build.log")"
	finish
fi
deb=$(ls "$work"/vfio-provision_*.deb | head -1)
changes=$(ls "$work"/vfio-provision_*.changes | head -1)

if lint=$(lintian --fail-on error --no-tag-display-limit "$changes" 2>&1); then
	ok "lintian: no error-level findings"
else
	not_ok "lintian: no error-level findings" "$(grep '^E:' <<<"$lint")"
fi
[ -n "$lint" ] && printf '    lintian: %s\n' "$(grep -c '^[WI]:' <<<"$lint") warnings/infos"

# Every conventional place is in the package.
list=$(dpkg-deb -c "$deb" | awk '{print $NF}')
for p in ./usr/bin/vfio-provision ./usr/lib/vfio-provision/kernel-hook \
	./usr/share/man/man8/vfio-provision.8.gz ./usr/share/man/man5/vfio-provision.conf.5.gz \
	./usr/share/bash-completion/completions/vfio-provision \
	./etc/kernel/postinst.d/50-vfio-provision; do
	if grep -qxF "$p" <<<"$list"; then ok "package ships $p"; else not_ok "package ships $p"; fi
done

# A throw-away root shaped like a Debian desktop with a GPU to pass through
# (the bundled example machine), plus dpkg's admin directory; maintainer
# scripts run outside a chroot with DPKG_ROOT set (the postinst honours it).
root=$work/root
if ! "$top/tests/mkroot.sh" "$top/tests/fixtures/skylake-gtx1070.spec" "$root" >"$work/mkroot.log" 2>&1; then
	not_ok "throw-away root" "$(tail -5 "$work/mkroot.log")"
	finish
fi
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
if dpkg --root="$root" --force-depends --force-script-chrootless \
	--log=/dev/null -i "$deb" >"$work/install.log" 2>&1; then
	ok "dpkg --root installs the package"
else
	not_ok "dpkg --root installs the package" "$(tail -15 "$work/install.log")"
	finish
fi
v=$("$root/usr/bin/vfio-provision" --version 2>&1)
if [ "$v" = "vfio-provision 0.1.0" ]; then ok "installed --version"; else not_ok "installed --version" "$v"; fi
out=$("$root/usr/bin/vfio-provision" --root "$root" check 2>&1); rc=$?
if [ "$rc" = 1 ] && grep -q '^pending: .*/etc/modprobe.d/vfio.conf' <<<"$out"; then
	ok "installed check --root: changes pending (exit 1)"
else
	not_ok "installed check --root: changes pending (exit 1)" "rc=$rc" "$out"
fi
if grep -q 'pending' "$work/install.log"; then
	ok "postinst ran check --post-install in the root"
else
	not_ok "postinst ran check --post-install in the root" "$(cat "$work/install.log")"
fi
if [ -f "$root/usr/lib/vfio-provision/vfio-provision-early" ] &&
	[ -d "$root/usr/lib/dracut/modules.d/90vfio-provision" ] &&
	[ -f "$root/usr/share/initramfs-tools/scripts/init-top/00-vfio-provision" ]; then
	ok "installed early program, dracut module and initramfs-tools script"
else
	not_ok "installed early program, dracut module and initramfs-tools script"
fi
if grep -q 'ii  vfio-provision' < <(dpkg --root="$root" -l vfio-provision 2>/dev/null); then
	ok "dpkg records the package as installed"
else
	not_ok "dpkg records the package as installed"
fi
finish
