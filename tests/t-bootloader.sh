#!/bin/bash
# Issue 5 through the binary, on fixture roots (tests/fixtures/boot-*.spec):
# for each bootloader target the `plan` output and the written boot files are
# golden (tests/expected/boot/), GRUB's files are sourced with bash as
# grub-mkconfig does, lines outside the edited ones compare equal, a second
# apply writes nothing and revert restores the tree byte for byte. Then bad
# input (exit 2, file:line, nothing written) and root= for a new
# /etc/kernel/cmdline from fstab and libblkid.
#
# The fixtures have the IOMMU off on an Intel CPU (so intel_iommu=on is
# planned): the selection's verdict is then no-iommu and apply needs --force.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
ROOTUUID=5c1d6a3e-2f4b-4f7a-9d51-0e8c3b7a9f10
OURS="intel_iommu=on iommu=pt hugepagesz=1G default_hugepagesz=1G hugepages=4 transparent_hugepage=never"

# boot files a fixture's target writes (golden after apply)
boot_files() {
	case $1 in
	boot-arch-grub) echo /etc/default/grub ;;
	boot-debian-grubd) echo /etc/default/grub /etc/default/grub.d/50-local.cfg \
		/etc/default/grub.d/60-nvidia.cfg /etc/default/grub.d/init-select.cfg \
		/etc/default/grub.d/vfio-provision.cfg \
		/etc/default/grub.d/zz-console.cfg ;;
	boot-fedora-bls) echo /etc/default/grub \
		/boot/loader/entries/8e2b1c4d5f6a47b8a9c0d1e2f3a4b5c6-6.9.9-200.fc40.x86_64.conf \
		/boot/loader/entries/8e2b1c4d5f6a47b8a9c0d1e2f3a4b5c6-6.8.11-300.fc40.x86_64.conf \
		/boot/loader/entries/8e2b1c4d5f6a47b8a9c0d1e2f3a4b5c6-6.7.5-200.fc39.x86_64.conf ;;
	boot-sdboot-cmdline | boot-sdboot-nocmdline) echo /etc/kernel/cmdline \
		/boot/loader/entries/8e2b1c4d5f6a47b8a9c0d1e2f3a4b5c6-6.9.7-arch1-1.conf ;;
	boot-sdboot-noroot) echo /etc/kernel/cmdline ;;
	boot-refind) echo /boot/refind_linux.conf ;;
	boot-kernelstub) echo /etc/kernelstub/configuration /etc/kernel/cmdline ;;
	boot-rpm-ostree) echo /boot/loader/entries/ostree-1-fedora.conf /etc/kernel/cmdline ;;
	esac
}

# lines a target may change in an existing file (extended regex)
edited_lines() {
	case $1 in
	*/grub | */grub.d/*) echo '^GRUB_CMDLINE_LINUX_DEFAULT=' ;;
	*/loader/entries/*) echo '^options[[:blank:]]' ;;
	*/refind_linux.conf) echo '^"' ;;
	*) echo '' ;;      # a one-line file: the line itself
	esac
}

# plan output without anything that depends on where the root is
plan_text() { "$VP" --root "$1" plan 2>&1; echo "exit $?"; }

# GRUB_CMDLINE_LINUX and _DEFAULT as grub-mkconfig computes them: source
# /etc/default/grub, then (Debian's update-grub) /etc/default/grub.d/*.cfg.
grub_vars() {
	bash -c '
		. "$1/etc/default/grub"
		for f in "$1"/etc/default/grub.d/*.cfg; do [ -e "$f" ] && . "$f"; done
		printf "LINUX=%s\nDEFAULT=%s\n" "$GRUB_CMDLINE_LINUX" "$GRUB_CMDLINE_LINUX_DEFAULT"
	' bash "$1" 2>/dev/null
}

# count WORD LINE: how often the word (or key= for KEY=) appears
count_key() { tr ' ' '\n' <<<"$2" | grep -c -- "^$1\(=\|$\)"; }

# assert_cmdline NAME LINE: each of our tokens once, our keys only as ours,
# the user's words kept
assert_cmdline() {
	local n=$1 line=$2 tok bad=
	for tok in $OURS; do
		[ "$(count_key "${tok%%=*}" "$line")" = 1 ] || bad+=" ${tok%%=*}x$(count_key "${tok%%=*}" "$line")"
		grep -qw -- "$tok" <<<"$line" || bad+=" missing:$tok"
	done
	grep -q 'iommu=soft' <<<"$line" && bad+=" iommu=soft-kept"
	if [ -z "$bad" ]; then ok "$n"; else not_ok "$n" "$bad" "$line"; fi
}

# only the edited lines differ between orig and new (a file we created: skip)
unrelated_equal() {
	local n=$1 o=$2 nw=$3 pat=$4 d
	[ -f "$o" ] || return 0
	cmp -s "$o" "$nw" && return 0
	if [ -z "$pat" ]; then
		check_eq "$n: one line" 1 "$(wc -l <"$nw")"; return
	fi
	if d=$(diff <(grep -vE -- "$pat" "$o") <(grep -vE -- "$pat" "$nw")); then
		ok "$n"
	else
		not_ok "$n" "$d"
	fi
}

run_fixture() {
	local fx=$1 o=$t/$1.orig r=$t/$1 out rc f before snap
	fresh "$fx" "$o" || { not_ok "$fx: fixture"; return; }
	cp -a "$o" "$r"

	out=$(plan_text "$r")
	golden "$fx: plan" "boot/$fx.plan" "$out"
	same_tree "$fx: plan writes nothing" "$o" "$r"

	out=$("$VP" --root "$r" apply --force 2>&1); rc=$?
	check_eq "$fx: apply --force exits 0" 0 "$rc"
	[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/    /'
	for f in $(boot_files "$fx"); do
		if [ -f "$r$f" ]; then
			golden "$fx: $f" "boot/$fx$f" "$(cat "$r$f")"
			unrelated_equal "$fx: $f: only the command line changed" "$o$f" "$r$f" \
				"$(edited_lines "$f")"
		else
			golden "$fx: $f" "boot/$fx$f" "(absent)"
		fi
	done

	before=$(mtimes "$r"); snap=$(snapshot "$r")
	clock_tick "$r" || not_ok "$fx: the file clock passed the applied files' mtimes"
	out=$("$VP" --root "$r" apply --force 2>&1); rc=$?
	check_eq "$fx: second apply exits 0" 0 "$rc"
	check_match "$fx: second apply: nothing to do" '^nothing to do$' "$out"
	check_eq "$fx: second apply: no file replaced or rewritten (inodes, mtimes)" "$before" "$(mtimes "$r")"
	check_eq "$fx: second apply: no byte changed" "$snap" "$(snapshot "$r")"

	out=$("$VP" --root "$r" revert 2>&1); rc=$?
	check_eq "$fx: revert exits 0" 0 "$rc"
	same_tree "$fx: revert restores the tree, modes and owners" "$o" "$r"
	# keep the applied state for the target checks below
	"$VP" --root "$r" apply --force >/dev/null 2>&1
}

for fx in boot-arch-grub boot-debian-grubd boot-fedora-bls boot-sdboot-cmdline \
	boot-sdboot-nocmdline boot-sdboot-noroot boot-refind boot-kernelstub boot-rpm-ostree; do
	run_fixture "$fx"
done

# ---- GRUB: what grub-mkconfig sees ----
v=$(grub_vars "$t/boot-arch-grub")
check_eq "arch-grub: sourced GRUB_CMDLINE_LINUX" "LINUX=" "$(sed -n 1p <<<"$v")"
check_eq "arch-grub: sourced GRUB_CMDLINE_LINUX_DEFAULT" \
	'DEFAULT=loglevel=3 quiet splash foo="a b" iommu=pt transparent_hugepage=never intel_iommu=on hugepagesz=1G hugepages=4 default_hugepagesz=1G' \
	"$(sed -n 2p <<<"$v")"
assert_cmdline "arch-grub: our tokens once each" "$(sed -n 2p <<<"$v")"
check_eq "arch-grub: the commented-out copy stays" 1 \
	"$(grep -cx '#GRUB_CMDLINE_LINUX_DEFAULT="quiet"' "$t/boot-arch-grub/etc/default/grub")"

v=$(grub_vars "$t/boot-debian-grubd")
assert_cmdline "debian-grubd: sourced value: our tokens once each" "$(sed -n 2p <<<"$v")"
check_match "debian-grubd: user words kept in order" \
	'^DEFAULT=quiet splash foo="a b" +mitigations=auto .*nvidia-drm.modeset=1 .*console=tty0$' "$(sed -n 2p <<<"$v")"
check_match "debian-grubd: the main file keeps its single quotes" \
	"^GRUB_CMDLINE_LINUX_DEFAULT='quiet splash foo=\"a b\"'\$" \
	"$(cat "$t/boot-debian-grubd/etc/default/grub")"

v=$(grub_vars "$t/boot-fedora-bls")
check_eq "fedora-bls: GRUB_CMDLINE_LINUX kept" "LINUX=rhgb quiet" "$(sed -n 1p <<<"$v")"
assert_cmdline "fedora-bls: GRUB_CMDLINE_LINUX_DEFAULT" "$(sed -n 2p <<<"$v")"

# ---- BLS: each installed kernel's entry, not the foreign one ----
e=$t/boot-fedora-bls/boot/loader/entries/8e2b1c4d5f6a47b8a9c0d1e2f3a4b5c6
for k in 6.9.9-200.fc40.x86_64 6.8.11-300.fc40.x86_64; do
	assert_cmdline "fedora-bls: $k entry options" "$(sed -n 's/^options //p' "$e-$k.conf")"
done
check "fedora-bls: entry of the kernel not installed untouched" \
	cmp "$t/boot-fedora-bls.orig/boot/loader/entries/8e2b1c4d5f6a47b8a9c0d1e2f3a4b5c6-6.7.5-200.fc39.x86_64.conf" \
	"$e-6.7.5-200.fc39.x86_64.conf"
check_match "fedora-bls: plan says why it is left alone" \
	"6.7.5-200.fc39.x86_64 is not installed: entry left alone" "$(cat "$EXPECTED/boot/boot-fedora-bls.plan")"

# ---- /etc/kernel/cmdline ----
kc=$(cat "$t/boot-sdboot-cmdline/etc/kernel/cmdline")
assert_cmdline "sdboot-cmdline: edited" "$kc"
check_match "sdboot-cmdline: user words kept" "^root=UUID=$ROOTUUID rw quiet splash foo=\"a b\" " "$kc"
kc=$(cat "$t/boot-sdboot-nocmdline/etc/kernel/cmdline")
assert_cmdline "sdboot-nocmdline: created with our tokens" "$kc"
check_match "sdboot-nocmdline: created with root=" "^root=UUID=$ROOTUUID " "$kc"
if grep -qE 'BOOT_IMAGE=|initrd=' <<<"$kc"; then
	not_ok "sdboot-nocmdline: no BOOT_IMAGE= or initrd=" "$kc"
else
	ok "sdboot-nocmdline: no BOOT_IMAGE= or initrd="
fi
check_eq "sdboot-nocmdline: created 0644" 644 "$(stat -c %a "$t/boot-sdboot-nocmdline/etc/kernel/cmdline")"

# ---- rEFInd: every option line ----
n=0
while IFS= read -r l; do
	assert_cmdline "refind: line $((++n))" "$(sed -E 's/^"[^"]*"[[:blank:]]+"([^"]*)".*/\1/' <<<"$l")"
done < <(grep '^"' "$t/boot-refind/boot/refind_linux.conf")
check_eq "refind: three option lines" 3 "$n"

# ---- tools that own the command line: exact command, nothing written ----
check_match "kernelstub: the exact command" \
	"run: kernelstub -a '$OURS'" "$(cat "$EXPECTED/boot/boot-kernelstub.plan")"
check_match "rpm-ostree: the exact command" \
	'run: rpm-ostree kargs --append-if-missing=rd.driver.pre=vfio_pci --append-if-missing=intel_iommu=on --append-if-missing=iommu=pt --append-if-missing=hugepagesz=1G --append-if-missing=default_hugepagesz=1G --append-if-missing=hugepages=4 --delete-if-present=hugetlb_cma --append-if-missing=transparent_hugepage=never$' \
	"$(cat "$EXPECTED/boot/boot-rpm-ostree.plan")"
for fx in boot-kernelstub boot-rpm-ostree; do
	d=$(diff -r --no-dereference "$t/$fx.orig/boot" "$t/$fx/boot" 2>&1; \
	    [ ! -d "$t/$fx.orig/etc/kernelstub" ] ||
	    diff -r --no-dereference "$t/$fx.orig/etc/kernelstub" "$t/$fx/etc/kernelstub" 2>&1; \
	    [ -e "$t/$fx/etc/kernel/cmdline" ] && echo "created /etc/kernel/cmdline")
	if [ -z "$d" ]; then ok "$fx: no boot file written"; else not_ok "$fx: no boot file written" "$d"; fi
done

# ---- bad input: exit 2, the file and line, nothing written ----
# bad_grub NAME EXPECTED_MESSAGE_REGEX: /etc/default/grub from stdin
bad_grub() {
	local n=$1 re=$2 o=$t/bad.orig r=$t/bad out rc
	fresh boot-arch-grub "$o" || { not_ok "$n: fixture"; return; }
	cat >"$o/etc/default/grub"
	rm -rf "$r"; cp -a "$o" "$r"
	out=$("$VP" --root "$r" plan 2>&1); rc=$?
	check_eq "$n: plan exits 2" 2 "$rc"
	check_match "$n: plan names the file and line" "$re" "$out"
	out=$("$VP" --root "$r" apply --force 2>&1); rc=$?
	check_eq "$n: apply --force exits 2" 2 "$rc"
	check_match "$n: apply names the file and line" "$re" "$out"
	same_tree "$n: nothing written" "$o" "$r"
}

bad_grub "bad: unterminated quote at the end" \
	"^vfio-provision: '/etc/default/grub':3: unterminated \" quote" <<'G'
GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX=""
GRUB_CMDLINE_LINUX_DEFAULT="quiet splash
G
bad_grub "bad: quote the kernel would misparse" \
	"^vfio-provision: '/etc/default/grub':2: unterminated quote" <<'G'
GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT='quiet foo="a b splash'
GRUB_CMDLINE_LINUX=""
G
bad_grub "bad: value split with a backslash" \
	"^vfio-provision: '/etc/default/grub':2: value split over lines" <<'G'
GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet \
 splash"
GRUB_CMDLINE_LINUX=""
G
bad_grub "bad: value built from \$OTHER" \
	"^vfio-provision: '/etc/default/grub':3: value built from other variables" <<'G'
GRUB_DEFAULT=0
OTHER="quiet splash"
GRUB_CMDLINE_LINUX_DEFAULT="$OTHER iommu=soft"
GRUB_CMDLINE_LINUX=""
G
# " " (the empty GRUB_CMDLINE_LINUX before it) + 1998 bytes of the
# user's + our 99 (" hugepages=4" of the default mode included) + NUL = 2099:
# 51 over the x86 limit of 2048
long=$(printf 'x%.0s' $(seq 1 1990))
bad_grub "bad: over the 2048-byte limit" \
	"^vfio-provision: '/etc/default/grub':2: kernel command line is 2099 bytes .*, 51 over the limit of 2048" <<G
GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet a=$long"
GRUB_CMDLINE_LINUX=""
G

# With grub.d (Debian) our tokens go into a drop-in: the line grub-mkconfig
# builds from the main file and ours must fit all the same.
o=$t/bad.orig r=$t/bad
if fresh boot-debian-grubd "$o"; then
	sed -i "s/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX=\"a=$long\"/" "$o/etc/default/grub"
	rm -rf "$r"; cp -a "$o" "$r"
	out=$("$VP" --root "$r" apply --force 2>&1); rc=$?
	check_eq "bad: grub.d drop-in over the limit: apply --force exits 2" 2 "$rc"
	check_match "bad: grub.d drop-in over the limit: says by how much" \
		"'/etc/default/grub':[0-9]+: kernel command line is .* over the limit of 2048" "$out"
	same_tree "bad: grub.d drop-in over the limit: nothing written" "$o" "$r"
else
	not_ok "bad: grub.d drop-in over the limit: fixture"
fi

# ---- root= for a new /etc/kernel/cmdline (probe-blkid.c) ----
kc=$(cat "$t/boot-sdboot-noroot/etc/kernel/cmdline")
check_match "noroot: root= from fstab's UUID=" "^root=UUID=$ROOTUUID rw quiet splash iommu=pt " "$kc"

# root_case NAME: fstab's / is /dev/sda2; prints the planned /etc/kernel/cmdline
root_case() {
	local r=$t/$1
	fresh boot-sdboot-noroot "$r" || return 1
	sed -i "s|^UUID=$ROOTUUID\t/ |/dev/sda2\t/ |" "$r/etc/fstab"
	grep -q '^/dev/sda2' "$r/etc/fstab" || { echo "fstab edit failed" >&2; return 1; }
}
if root_case devroot; then
	mkdir -p "$t/devroot/dev"
	# a filesystem image where the root's /dev/sda2 is: libblkid reads its UUID
	truncate -s 4M "$t/devroot/dev/sda2"
	if mkfs.ext4 -q -F -U 0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6 "$t/devroot/dev/sda2" >/dev/null 2>&1; then
		out=$("$VP" --root "$t/devroot" plan 2>&1)
		check_match "device path: root= is the UUID libblkid reads" \
			'^\+root=UUID=0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6 rw quiet splash ' "$out"
	else
		not_ok "device path: mkfs.ext4 on an image" "mkfs.ext4 failed"
	fi
fi
if root_case devpath; then
	out=$("$VP" --root "$t/devpath" plan 2>&1)
	check_match "device path without a filesystem: root= keeps the path" \
		'^\+root=/dev/sda2 rw quiet splash ' "$out"
fi
if fresh boot-sdboot-noroot "$t/nofstab"; then
	sed -i '/\t\/ /d' "$t/nofstab/etc/fstab"
	cp -a "$t/nofstab" "$t/nofstab.orig"
	out=$("$VP" --root "$t/nofstab" apply --force 2>&1); rc=$?
	check_eq "no root anywhere: apply exits 2" 2 "$rc"
	check_match "no root anywhere: says so" \
		"'/etc/kernel/cmdline': would be created without root=" "$out"
	same_tree "no root anywhere: nothing written" "$t/nofstab.orig" "$t/nofstab"
fi
