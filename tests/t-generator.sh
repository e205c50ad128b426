#!/bin/bash
# Which initramfs generator builds this system's images when dracut and
# initramfs-tools both leave traces (Debian as the README sets it up:
# dracut-core beside initramfs-tools): dpkg's status first, then the kernel
# postinst hooks, else a warning; and [initramfs] generator always wins.
. "$(dirname "$0")/lib.sh"

work=$(tmpdir)
trap 'rm -rf "$work"' EXIT

src=$(mkfix debian-dracut-core) || { not_ok "fixture debian-dracut-core"; exit 0; }

# variant NAME: a fresh copy of the fixture, path on stdout
variant() { rm -rf "${work:?}/$1"; cp -a "$src" "$work/$1"; echo "$work/$1"; }

# expect NAME ROOT GENERATOR: detect, the generator file planned, the regeneration command
expect() {
	local name=$1 R=$2 gen=$3 json plan
	json=$("$VP" --root "$R" --json detect 2>&1)
	check_eq "$name: detect says $gen" "$gen" "$(jq -r .initramfs <<<"$json")"
	plan=$("$VP" --root "$R" --json plan 2>&1)
	if [ "$gen" = dracut ]; then
		check_eq "$name: plan writes dracut's drop-in" '["/etc/dracut.conf.d/vfio-provision.conf"]' \
			"$(jq -c '[.changes[].path | select(startswith("/etc/dracut") or startswith("/etc/initramfs-tools"))]' <<<"$plan")"
		check_match "$name: regenerates with dracut" '"dracut"' "$(jq -c '[.commands[].argv[0]]' <<<"$plan")"
	else
		check_eq "$name: plan writes initramfs-tools' modules" '["/etc/initramfs-tools/modules"]' \
			"$(jq -c '[.changes[].path | select(startswith("/etc/dracut") or startswith("/etc/initramfs-tools"))]' <<<"$plan")"
		check_eq "$name: regenerates with update-initramfs" '["update-initramfs","-u","-k","all"]' \
			"$(jq -c '.commands[0].argv' <<<"$plan")"
	fi
}

# 1. the README's Debian: initramfs-tools installed, dracut-core beside it
R=$(variant readme)
expect "dracut-core + initramfs-tools" "$R" initramfs-tools
# (detect's whole output for this fixture is a golden of t-detect.sh)
json=$("$VP" --root "$R" --json detect)
check_eq "dracut-core + initramfs-tools: both found, sure" '[["dracut","initramfs-tools"],false,null]' \
	"$(jq -c '[.initramfs_found, .initramfs_unsure, .initramfs_configured]' <<<"$json")"
check_match "dracut-core + initramfs-tools: the note names dpkg" '^dpkg: initramfs-tools is installed' \
	"$(jq -r .initramfs_note <<<"$json")"
check_eq "dracut-core + initramfs-tools: no warning in the plan" '[]' \
	"$("$VP" --root "$R" --json plan | jq -c '[.messages[] | select(.text | test("generator"))]')"

# 2. the dracut package installed instead (initramfs-tools removed, its config left)
R=$(variant dracut)
sed -i '/^Package: dracut$/,/^$/ s/^Status: .*/Status: install ok installed/;
	/^Package: initramfs-tools$/,/^$/ s/^Status: .*/Status: deinstall ok config-files/' "$R/var/lib/dpkg/status"
rm -f "$R/etc/kernel/postinst.d/initramfs-tools"
: >"$R/etc/kernel/postinst.d/dracut"
expect "dracut package installed" "$R" dracut

# 3. no dpkg status: the kernel postinst hook decides
R=$(variant hook-it)
rm -f "$R/var/lib/dpkg/status"
expect "no dpkg, initramfs-tools' hook" "$R" initramfs-tools
R=$(variant hook-dracut)
rm -f "$R/var/lib/dpkg/status" "$R/etc/kernel/postinst.d/initramfs-tools"
: >"$R/etc/kernel/postinst.d/dracut"
expect "no dpkg, dracut's hook" "$R" dracut
check_eq "no dpkg, dracut's hook: the note names it" \
	"/etc/kernel/postinst.d/dracut builds the images on kernel updates" \
	"$("$VP" --root "$R" --json detect | jq -r .initramfs_note)"

# 4. nothing tells them apart: a warning, in detect and in the plan
R=$(variant unsure)
rm -f "$R/var/lib/dpkg/status" "$R/etc/kernel/postinst.d/initramfs-tools"
json=$("$VP" --root "$R" --json detect)
check_eq "cannot tell: unsure" true "$(jq -r .initramfs_unsure <<<"$json")"
check_eq "cannot tell: the note" "both dracut and initramfs-tools are here, and neither dpkg \
(neither installed) nor /etc/kernel/postinst.d tells which one builds the images; set \
[initramfs] generator" "$(jq -r .initramfs_note <<<"$json")"
human=$("$VP" --root "$R" detect 2>&1)
check_match "cannot tell: detect warns" 'warning: both dracut and initramfs-tools are here.*set \[initramfs\] generator' "$human"
plan=$("$VP" --root "$R" plan 2>&1)
check_match "cannot tell: plan warns and names its guess" \
	'^warning: initramfs generator: both dracut and initramfs-tools .*; planning for dracut$' "$plan"

# 5. [initramfs] generator wins over what dpkg says
R=$(variant override)
printf '[initramfs]\ngenerator = dracut\n' >"$R/etc/vfio-provision.conf"
json=$("$VP" --root "$R" --json detect)
check_eq "override: detect shows both" '["initramfs-tools","dracut"]' \
	"$(jq -c '[.initramfs, .initramfs_configured]' <<<"$json")"
check_match "override: detect's summary says the config wins" \
	'\[initramfs\] generator = dracut in the config: plan and apply use it' "$("$VP" --root "$R" detect)"
plan=$("$VP" --root "$R" --json plan)
check_eq "override: plan writes dracut's drop-in" '["/etc/dracut.conf.d/vfio-provision.conf"]' \
	"$(jq -c '[.changes[].path | select(startswith("/etc/dracut") or startswith("/etc/initramfs-tools"))]' <<<"$plan")"
printf '[initramfs]\ngenerator = none\n' >"$R/etc/vfio-provision.conf"
plan=$("$VP" --root "$R" --json plan)
check_eq "override none: no initramfs file" '[]' \
	"$(jq -c '[.changes[].path | select(startswith("/etc/dracut") or startswith("/etc/initramfs-tools"))]' <<<"$plan")"
