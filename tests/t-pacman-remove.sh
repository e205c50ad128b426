#!/bin/bash
# The pacman install script's pre_remove on a fixture root: it reverts what
# apply changed (revert --regenerate) and never fails the transaction; on
# error it says what to run by hand. pacman runs it chrooted in its root; a
# `vfio-provision` on PATH that runs the tool with --root stands in for that.
# (That the rebuild commands ran is checked by `make check-deb` for the
# Debian prerm, which calls the same revert --regenerate.)
. "$(dirname "$0")/lib.sh"
. "$TESTS/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
INSTALL=$TOP/packaging/arch/vfio-provision.install
fresh engine-debian "$t/orig" || { not_ok "fixture engine-debian"; exit 0; }
mkdir -p "$t/bin"
cat >"$t/bin/vfio-provision" <<WRAP
#!/bin/sh
echo "\$*" >>"$t/argv"
exec "$VP" --root "$t/r" "\$@"
WRAP
chmod 755 "$t/bin/vfio-provision"
# pre_remove [SHELL_FLAGS]: as pacman calls it; prints the output, then rc=N.
pre_remove() {
	local out rc
	out=$(PATH=$t/bin:$PATH bash ${1:+"$1"} -c '. "$1"; pre_remove 0.1.0-1' _ "$INSTALL" 2>&1); rc=$?
	printf '%s\nrc=%s\n' "$out" "$rc"
}

# the rebuild tools revert --regenerate runs, chrooted in the root
for tool in update-initramfs grub-mkconfig; do install -m 0755 "$BUILD/tests/shim/fake-tool" "$t/orig/usr/sbin/$tool"; done
cp -a "$t/orig" "$t/r"
"$VP" --root "$t/r" apply >/dev/null 2>&1
check "apply wrote vfio.conf" test -f "$t/r/etc/modprobe.d/vfio.conf"
out=$(pre_remove)
check_match "pre_remove: exit 0" '^rc=0$' "$out"
check_eq "pre_remove: runs revert --regenerate" "revert --regenerate" "$(cat "$t/argv")"
same_tree "pre_remove: the root is as before apply" "$t/orig" "$t/r"
if grep -q 'could not undo' <<<"$out"; then
	not_ok "pre_remove: no manual steps when the revert worked" "$out"
else
	ok "pre_remove: no manual steps when the revert worked"
fi

# A revert that fails (a broken ledger), also under `set -e`.
for flags in "" -e; do
	how="bash ${flags:-without -e}"
	rm -rf "$t/r"; cp -a "$t/orig" "$t/r"
	"$VP" --root "$t/r" apply >/dev/null 2>&1
	echo 'this is not a ledger' >"$t/r/var/lib/vfio-provision/ledger"
	out=$(pre_remove "$flags")
	check_match "pre_remove, revert fails ($how): exit 0" '^rc=0$' "$out"
	check_match "pre_remove, revert fails ($how): the tool's error" 'not a vfio-provision ledger' "$out"
	check_match "pre_remove, revert fails ($how): what to run by hand" \
		'^       vfio-provision revert --regenerate$' "$out"
	check_match "pre_remove, revert fails ($how): the rebuild commands" '^       mkinitcpio -P' "$out"
	check "pre_remove, revert fails ($how): the undo data stays" \
		test -f "$t/r/var/lib/vfio-provision/ledger"
done
# The tool itself missing (a half-removed package).
if PATH=/usr/bin:/bin command -v vfio-provision >/dev/null; then
	echo "# skip pre_remove, no tool: vfio-provision is installed on this machine"
else
	out=$(PATH=/usr/bin:/bin bash -c '. "$1"; pre_remove 0.1.0-1' _ "$INSTALL" 2>&1); rc=$?
	check_eq "pre_remove, no tool: exit 0" 0 "$rc"
	check_match "pre_remove, no tool: what to run by hand" 'vfio-provision revert --regenerate' "$out"
fi
