#!/bin/bash
# Builds the Debian package from the working tree with dpkg-buildpackage,
# checks it with lintian (errors fail), installs it into a throw-away root
# with `dpkg --root` and runs the installed tool from there.
# Then the package lifecycle in that root: apply with the example machine
# config, `dpkg --remove` (the prerm reverts and rebuilds), `dpkg --purge`,
# and the same with a revert that fails.
# Prints "ok"/"not ok" lines and "N passed, N failed, N skipped" like tests/run.sh.
# FAKE_TOOL: the static stand-in for the regeneration tools (mk/engine.mk).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vp-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0 skipped=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok $1"; shift; printf '    %s\n' "$@"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed, $skipped skipped"; [ "$fail" -eq 0 ]; exit; }
# skip NAME REASON: counted apart; a failure where every check must run (CI=true, VP_NO_SKIP=1)
skip() {
	if [ "${CI:-}" = true ] || [ "${VP_NO_SKIP:-0}" = 1 ]; then not_ok "$1" "skipped: $2"; return; fi
	echo "skip $1 ($2)"; skipped=$((skipped + 1))
}
# check NAME COMMAND...: ok when the command exits 0.
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n" "failed: $*"; fi; }

for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || { not_ok "tool $t present" "install dpkg-dev debhelper lintian"; finish; }
done

# Copy the tracked and untracked-not-ignored files: the build never touches the tree.
src=$work/vfio-provision-0.1.0
mkdir -p "$src"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src" 2>/dev/null) ||
	(cd "$top" && tar --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -)

if (cd "$src" && dpkg-buildpackage -us -uc -b -Jauto >"$work/build.log" 2>&1); then
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
	./usr/share/vfio-provision/schemas/detect.schema.json \
	./usr/share/vfio-provision/schemas/guest-xml.schema.json \
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
# libvirt is loaded for guest-xml --domain only: suggested, not a dependency
fields=$(dpkg-deb -f "$deb" Depends Suggests)
if ! grep -q '^Depends:.*libvirt' <<<"$fields" && grep -q '^Suggests:.*libvirt0' <<<"$fields"; then
	ok "libvirt0 is suggested, not a dependency (dlopen for guest-xml --domain)"
else
	not_ok "libvirt0 is suggested, not a dependency (dlopen for guest-xml --domain)" "$fields"
fi
# libxml2, libmount and libblkid are loaded with dlopen() too, but always
# needed: named by hand
for p in libxml2 libmount1 libblkid1; do
	if grep -q "^Depends:.*$p" <<<"$fields"; then
		ok "$p is a dependency (dlopen'ed, named in debian/control)"
	else
		not_ok "$p is a dependency (dlopen'ed, named in debian/control)" "$fields"
	fi
done
out=$("$root/usr/bin/vfio-provision" --root "$root" --connect test:///default guest-xml --domain test 2>&1); rc=$?
if [ "$rc" = 2 ] && grep -q "domain 'test' is running" <<<"$out"; then
	ok "installed guest-xml --domain reads a domain through libvirt (test:///default)"
else
	not_ok "installed guest-xml --domain reads a domain through libvirt (test:///default)" "rc=$rc" "$out"
fi
out=$("$root/usr/bin/vfio-provision" --root "$root" check 2>&1); rc=$?
if [ "$rc" = 1 ] && grep -q '^pending: .*/etc/modprobe.d/vfio.conf' <<<"$out"; then
	ok "installed check --root: changes pending (exit 1)"
else
	not_ok "installed check --root: changes pending (exit 1)" "rc=$rc" "$out"
fi
# no configuration yet and nothing of ours: the postinst has nothing to say
if ! grep -qE '^(vfio-provision:|pending|warning|refused)' "$work/install.log"; then
	ok "postinst without a configuration says nothing"
else
	not_ok "postinst without a configuration says nothing" "$(cat "$work/install.log")"
fi
# with one, configuring again (dpkg's postinst configure) reports what is pending
printf '[gpu]\nselect = auto\n' >"$root/etc/vfio-provision.conf"
out=$(DPKG_ROOT=$root sh "$root/var/lib/dpkg/info/vfio-provision.postinst" configure 0.1.0 2>&1); rc=$?
if [ "$rc" = 0 ] && grep -q 'pending' <<<"$out"; then
	ok "postinst with a configuration ran check --post-install in the root"
else
	not_ok "postinst with a configuration ran check --post-install in the root" "rc=$rc" "$out"
fi
rm -f "$root/etc/vfio-provision.conf"
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

# ---- lifecycle: apply, remove, purge ----
# The maintainer scripts run chrootless (DPKG_ROOT set), so the installed
# tool runs from the root with this machine's libraries; the regeneration
# tools it spawns are chrooted into the root (provision/spawn.c), where only
# a static program runs: the fake tool, which logs its argv to
# /etc/fake-tool.log.
if [ ! -x "${FAKE_TOOL:-}" ]; then
	not_ok "fake regeneration tool present" "FAKE_TOOL='${FAKE_TOOL:-}': run through 'make check-deb'"
	finish
fi
dpkg_root() { dpkg --root="$root" --force-depends --force-script-chrootless --log=/dev/null "$@"; }
vp_root() { "$root/usr/bin/vfio-provision" --root "$root" "$@"; }
# setup_tools: the fake tools in the root and an empty log.
setup_tools() {
	for t in update-initramfs update-grub grub-mkconfig; do install -m 0755 "$FAKE_TOOL" "$root/usr/sbin/$t"; done
	: >"$root/etc/fake-tool.log"
}
# ran ARGV: the fake tool logged exactly this command line.
ran() { grep -qxF "fake-tool: $*" "$root/etc/fake-tool.log"; }
absent() { [ ! -e "$root/$1" ]; }
same() { cmp -s "$work/before/$(basename "$1")" "$root/$1"; }

setup_tools
mkdir -p "$work/before"
for f in etc/fstab etc/initramfs-tools/modules etc/default/grub; do cp -p "$root/$f" "$work/before/"; done
# The example machine with 1 GiB pages: every kind of change apply makes.
printf '[hugepages]\ncount = 4\n' >"$root/etc/vfio-provision.conf"
out=$(vp_root --regenerate apply 2>&1); rc=$?
if [ "$rc" = 0 ] && [ -f "$root/etc/modprobe.d/vfio.conf" ] && [ -f "$root/etc/vfio-provision/early.conf" ] &&
	[ -f "$root/etc/default/grub.d/vfio-provision.cfg" ] && grep -q hugetlbfs "$root/etc/fstab" &&
	grep -q '^# BEGIN vfio-provision' "$root/etc/initramfs-tools/modules"; then
	ok "apply in the root: vfio.conf, early.conf, grub drop-in, fstab line, initramfs-tools block"
else
	not_ok "apply in the root: vfio.conf, early.conf, grub drop-in, fstab line, initramfs-tools block" "rc=$rc" "$out"
	finish
fi
# The fake tools do run chrooted in this root: a missing run below is real.
check "apply --regenerate ran the fake update-initramfs and update-grub in the root" \
	eval 'ran update-initramfs -u -k all && ran update-grub'
: >"$root/etc/fake-tool.log"

dpkg_root --remove vfio-provision >"$work/remove.log" 2>&1; rc=$?
check "dpkg --remove exits 0" [ "$rc" = 0 ]
check "remove: package files gone" absent usr/bin/vfio-provision
check "remove: modprobe.d/vfio.conf gone" absent etc/modprobe.d/vfio.conf
check "remove: early.conf gone" absent etc/vfio-provision/early.conf
check "remove: grub drop-in gone" absent etc/default/grub.d/vfio-provision.cfg
check "remove: fstab byte-identical to before apply" same etc/fstab
check "remove: initramfs-tools/modules byte-identical to before apply" same etc/initramfs-tools/modules
check "remove: /etc/default/grub byte-identical to before apply" same etc/default/grub
if grep -q 'could not undo' "$work/remove.log"; then
	not_ok "remove: revert succeeded, no manual steps printed" "$(cat "$work/remove.log")"
else
	ok "remove: revert succeeded, no manual steps printed"
fi
# revert --regenerate runs the same rebuild commands apply would
check "remove: the prerm ran update-initramfs -u -k all in the root" ran update-initramfs -u -k all
check "remove: the prerm ran update-grub in the root" ran update-grub
# A conffile: it stays until purge, and must not fail kernel installs then.
pi=$root/etc/kernel/postinst.d/50-vfio-provision
if [ -e /usr/lib/vfio-provision/kernel-hook ]; then
	skip "remove: kernel postinst.d script is a no-op without the package" \
		"this machine has /usr/lib/vfio-provision/kernel-hook"
elif [ -f "$pi" ] && out=$(sh "$pi" 6.1.0-99-amd64 2>&1); then
	ok "remove: kernel postinst.d script is a no-op without the package"
else
	not_ok "remove: kernel postinst.d script is a no-op without the package" "$out"
fi

# Today's revert removes the state directory and early.conf itself; the
# postrm must not depend on that (a stale lock, an early.conf revert left
# because it was edited by hand): leave both for purge to find.
mkdir -p "$root/var/lib/vfio-provision" "$root/etc/vfio-provision"
: >"$root/var/lib/vfio-provision/lock"
printf '# Managed by vfio-provision\n# edited by hand\nhugepages=4\n' >"$root/etc/vfio-provision/early.conf"
dpkg_root --purge vfio-provision >"$work/purge.log" 2>&1; rc=$?
check "dpkg --purge exits 0" [ "$rc" = 0 ]
check "purge: /var/lib/vfio-provision gone" absent var/lib/vfio-provision
check "purge: /etc/vfio-provision.conf gone" absent etc/vfio-provision.conf
check "purge: /etc/vfio-provision gone" absent etc/vfio-provision
check "purge: kernel postinst.d conffile gone" absent etc/kernel/postinst.d/50-vfio-provision
if dpkg --root="$root" -s vfio-provision >/dev/null 2>&1; then
	not_ok "purge: dpkg no longer knows the package" "$(dpkg --root="$root" -s vfio-provision 2>&1)"
else
	ok "purge: dpkg no longer knows the package"
fi

# ---- lifecycle: the revert fails (a broken ledger) ----
if ! dpkg_root -i "$deb" >"$work/install2.log" 2>&1; then
	not_ok "dpkg --root installs the package again" "$(tail -15 "$work/install2.log")"
	finish
fi
printf '[hugepages]\ncount = 4\n' >"$root/etc/vfio-provision.conf"
out=$(vp_root apply 2>&1) || { not_ok "apply again" "$out"; finish; }
echo 'this is not a ledger' >"$root/var/lib/vfio-provision/ledger"
dpkg_root --remove vfio-provision >"$work/remove2.log" 2>&1; rc=$?
check "revert fails: dpkg --remove still exits 0" [ "$rc" = 0 ]
check "revert fails: the package is removed anyway" absent usr/bin/vfio-provision
if grep -qF 'vfio-provision revert --regenerate' "$work/remove2.log" &&
	grep -qF 'update-initramfs -u -k all' "$work/remove2.log" && grep -qF 'update-grub' "$work/remove2.log" &&
	grep -qF 'not a vfio-provision ledger' "$work/remove2.log"; then
	ok "revert fails: the error and the commands to run by hand are printed"
else
	not_ok "revert fails: the error and the commands to run by hand are printed" "$(cat "$work/remove2.log")"
fi
check "revert fails: the changes are still there (nothing half-undone by the scripts)" \
	test -f "$root/etc/modprobe.d/vfio.conf"
dpkg_root --purge vfio-provision >"$work/purge2.log" 2>&1; rc=$?
check "revert fails: dpkg --purge exits 0" [ "$rc" = 0 ]
check "revert fails: purge keeps the undo data" test -f "$root/var/lib/vfio-provision/ledger"
check "revert fails: purge removes the config" absent etc/vfio-provision.conf
if grep -q 'keeping /var/lib/vfio-provision' "$work/purge2.log"; then
	ok "revert fails: purge says it keeps the undo data"
else
	not_ok "revert fails: purge says it keeps the undo data" "$(cat "$work/purge2.log")"
fi
# ---- lifecycle: an item of ours changed by hand (issue 19) ----
# the root as before the first apply (the broken ledger above undid nothing)
rm -rf "$root/var/lib/vfio-provision" "$root/etc/vfio-provision"
rm -f "$root/etc/modprobe.d/vfio.conf" "$root/etc/default/grub.d/vfio-provision.cfg"
for f in etc/fstab etc/initramfs-tools/modules etc/default/grub; do cp -p "$work/before/$(basename "$f")" "$root/$f"; done
if ! dpkg_root -i "$deb" >"$work/install3.log" 2>&1; then
	not_ok "dpkg --root installs the package a third time" "$(tail -15 "$work/install3.log")"
	finish
fi
printf '[hugepages]\ncount = 4\n' >"$root/etc/vfio-provision.conf"
out=$(vp_root apply 2>&1) || { not_ok "apply a third time" "$out"; finish; }
echo 'options vfio-pci disable_vga=1' >>"$root/etc/modprobe.d/vfio.conf"
dpkg_root --remove vfio-provision >"$work/remove3.log" 2>&1; rc=$?
check "edited by hand: dpkg --remove exits 0" [ "$rc" = 0 ]
if grep -q "vfio.conf.*disable_vga=1" "$work/remove3.log" &&
	grep -q 'changed by hand are left in place' "$work/remove3.log"; then
	ok "edited by hand: the prerm says what is left and how to take it out"
else
	not_ok "edited by hand: the prerm says what is left and how to take it out" "$(cat "$work/remove3.log")"
fi
check "edited by hand: the edited file stays" test -f "$root/etc/modprobe.d/vfio.conf"
check "edited by hand: the rest is reverted" same etc/fstab
check "edited by hand: the ledger keeps the file" \
	grep -q /etc/modprobe.d/vfio.conf "$root/var/lib/vfio-provision/ledger"
dpkg_root --purge vfio-provision >"$work/purge3.log" 2>&1; rc=$?
check "edited by hand: dpkg --purge exits 0" [ "$rc" = 0 ]
check "edited by hand: purge keeps the undo data" test -f "$root/var/lib/vfio-provision/ledger"
finish
