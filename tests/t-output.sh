#!/bin/bash
# plan's human output does not contradict itself: with a refused plan the
# last line says that apply refuses and why (not "apply writes them"); a
# lone 3D controller is no boot-vga case. (Tokens already on the command
# line are not announced: t-json.sh, "token already present".)
. "$(dirname "$0")/lib.sh"

work=$(tmpdir)
trap 'rm -rf "$work"' EXIT

last_line() { # NAME FIXTURE REGEX: plan's last line, exit 1
	local R out rc
	R=$(mkfix "$2") || { not_ok "$1: fixture $2"; return; }
	out=$("$VP" --root "$R" plan 2>&1); rc=$?
	check_eq "$1: exit 1" 1 "$rc"
	check_match "$1: last line" "$3" "$(tail -n 1 <<<"$out")"
	if grep -q 'apply` writes' <<<"$out" && [[ "$3" == *refuses* ]]; then
		not_ok "$1: never says apply writes them" "$out"
	else
		ok "$1: never says apply writes them"
	fi
}

last_line "no GPU" no-gpu \
	'^3 changes pending, but `vfio-provision apply` refuses to write them: verdict no-gpu \(see above\); fix that first, or apply --force$'
last_line "no IOMMU" iommu-off \
	'^2 changes pending, but `vfio-provision apply` refuses to write them: verdict no-iommu \(see above\); fix that first, or apply --force$'
last_line "boot VGA only" single-gpu 'refuses to write them: verdict boot-vga'
last_line "ok" skylake-gtx1070 '^4 changes pending; `vfio-provision apply` writes them$'

# the reasons are printed above the last line
R=$(mkfix no-gpu)
check_match "no GPU: the reason is shown" '^  No display controller \(PCI class 0300, 0302 or 0380\) was found' \
	"$("$VP" --root "$R" plan 2>&1)"

# a file of ours that is not ours: refused for that
R=$work/unmanaged
cp -a "$(mkfix skylake-gtx1070)" "$R"
echo "options vfio-pci ids=10de:1b81" >"$R/etc/modprobe.d/vfio.conf"
out=$("$VP" --root "$R" plan 2>&1)
check_match "unmanaged file: last line" \
	'^4 changes pending, but `vfio-provision apply` refuses to write them because of a file it does not manage above; fix that first, or apply --force$' \
	"$(tail -n 1 <<<"$out")"
# and apply agrees: it refuses without --force
"$VP" --root "$R" apply >/dev/null 2>&1; rc=$?
check_eq "unmanaged file: apply refuses (exit 1, as for a verdict)" 1 "$rc"

# nothing pending but refused
R=$work/applied
cp -a "$(mkfix no-gpu)" "$R"
"$VP" --root "$R" --force apply >/dev/null 2>&1
out=$("$VP" --root "$R" plan 2>&1); rc=$?
check_eq "refused, nothing pending: exit 1" 1 "$rc"
check_eq "refused, nothing pending: last line" "nothing to do (and the plan is refused, see above)" \
	"$(tail -n 1 <<<"$out")"

# a 3D controller (class 0302) alone: it drives no display
R=$(mkfix compute-3d-only)
out=$("$VP" --root "$R" plan 2>&1)
check_match "3D controller alone: apply writes" 'changes? pending; `vfio-provision apply` writes' "$(tail -n 1 <<<"$out")"
if grep -q 'the host would lose its display' <<<"$out"; then
	not_ok "3D controller alone: no 'lose its display'" "$out"
else
	ok "3D controller alone: no 'lose its display'"
fi
check_match "3D controller alone: detect says why" 'is a 3D controller \(PCI class 0302\): it drives no display' \
	"$("$VP" --root "$R" detect 2>&1)"

# the man page's EXIT STATUS says what apply does on a refusal: exit 1
R=$work/refused
cp -a "$(mkfix iommu-off)" "$R"
"$VP" --root "$R" apply >/dev/null 2>&1; rc=$?
check_eq "verdict refusal: apply exits 1" 1 "$rc"
man=$(sed -n '/^# EXIT STATUS/,/^# FILES/p' "$TOP/man/vfio-provision.8.scd")
status_of() { awk -v want="*$1*" '$0 == want {on = 1; next} /^\*[0-9]\*$/ {on = 0} on' <<<"$man"; }
check_match "man page: exit 1 is apply's refusal" 'apply.*refus|refus.*apply' "$(status_of 1 | tr '\n\t' '  ')"
if grep -qi 'refus' <<<"$(status_of 2)"; then
	not_ok "man page: exit 2 does not list a refusal" "$(status_of 2)"
else
	ok "man page: exit 2 does not list a refusal"
fi
