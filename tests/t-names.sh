#!/bin/bash
# Device names (pci.ids) are looked up only where they are printed: detect,
# and the selection's reasons when the verdict is not ok. check, plan,
# apply and verify of an ok selection never read pci.ids (most of their CPU
# time before), and the probe reads the iommu_group and driver links itself
# (libpci resolved each with realpath(): a readlink per path component).
. "$(dirname "$0")/lib.sh"
work=$(tmpdir); trap 'rm -rf "$work"' EXIT

ids='10de  Fake Vendor Inc.
	1b81  Fake Card 9000
'
# A root with its own pci.ids, or with a directory there (reading it is an error).
with_ids() { # FIXTURE DIR KIND
	rm -rf "$2"; cp -a "$(mkfix "$1")" "$2"; mkdir -p "$2/usr/share/misc"
	rm -rf "$2/usr/share/misc/pci.ids"
	if [ "$3" = dir ]; then mkdir "$2/usr/share/misc/pci.ids"; else printf '%s' "$ids" >"$2/usr/share/misc/pci.ids"; fi
}

# ok verdict: a broken pci.ids does not matter to plan, apply, check, verify
R=$work/ok
with_ids skylake-gtx1070 "$R" dir
for verb in plan apply check verify; do
	out=$("$VP" --root "$R" $verb 2>&1); rc=$?
	if [ $rc -le 1 ]; then ok "ok verdict: $verb never reads pci.ids"; else not_ok "ok verdict: $verb never reads pci.ids" "exit $rc" "$out"; fi
done
out=$("$VP" --root "$R" check 2>&1); rc=$?
check_eq "ok verdict: check after apply is clean" "0" "$rc"
out=$("$VP" --root "$R" detect 2>&1); rc=$?
check_eq "detect still reads pci.ids (a directory there is an error)" "2" "$rc"
check_match "detect names the bad pci.ids" "'/usr/share/misc/pci.ids'" "$out"

# not-ok verdict: the reasons name the devices from the root's pci.ids
R=$work/ident
with_ids two-identical-gpus "$R" file
out=$("$VP" --root "$R" plan 2>&1)
check_match "identical-ids: reasons name the devices from pci.ids" \
	'0000:0b:00\.0 Fake Vendor Inc\. Fake Card 9000 \[10de:1b81\]' "$out"
out=$("$VP" --root "$R" check 2>&1)
check_match "identical-ids: check names them too" 'Fake Vendor Inc\. Fake Card 9000' "$out"
with_ids two-identical-gpus "$R" dir
out=$("$VP" --root "$R" plan 2>&1); rc=$?
check_eq "identical-ids, pci.ids a directory: plan exits 2" "2" "$rc"
check_match "identical-ids, pci.ids a directory: names it" "'/usr/share/misc/pci.ids'" "$out"

# the probe's links: read once each, no realpath() walk (needs strace)
R=$(mkfix turing-4fn)
if command -v strace >/dev/null; then
	n=$(strace -f -e trace=readlink,readlinkat -o "$work/st" "$VP" --root "$R" check >/dev/null 2>&1
	    grep -c "$R/sys.*= -1 E" "$work/st")
	fns=$(ls "$R/sys/bus/pci/devices" | wc -l)
	if [ "$n" -lt "$fns" ]; then
		ok "check: fewer failing readlinks under sys than functions ($n < $fns)"
	else
		not_ok "check: fewer failing readlinks under sys than functions" "$n failing readlink calls for $fns functions"
	fi
else
	echo "skip check: failing readlinks (no strace)"
fi
