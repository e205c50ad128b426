#!/bin/bash
# guest-xml and plan's <hostdev> hint: golden text and JSON for the example
# machine, a 4-function Turing card and two identical GPUs; every output
# validated against libvirt's own schema (virt-xml-validate, libvirt-clients)
# inside a minimal domain; jq checks of the JSON; exit codes.
. "$(dirname "$0")/lib.sh"
work=$(tmpdir); trap 'rm -rf "$work"' EXIT

have_validate=0
command -v virt-xml-validate >/dev/null && have_validate=1

# validate NAME XML_ELEMENTS: wrapped in a minimal q35 domain
validate() {
	local f=$work/domain.xml out
	{
		echo "<domain type='kvm'>"
		echo "  <name>vp-test</name>"
		echo "  <memory unit='KiB'>1048576</memory>"
		echo "  <os><type arch='x86_64' machine='q35'>hvm</type></os>"
		echo "  <devices>"
		printf '%s\n' "$2" | sed 's/^/    /'
		echo "  </devices>"
		echo "</domain>"
	} >"$f"
	if [ $have_validate = 0 ]; then echo "skip $1 (no virt-xml-validate: install libvirt-clients)"; return; fi
	if out=$(virt-xml-validate "$f" domain 2>&1); then ok "$1"; else not_ok "$1" "$out" "$(cat "$f")"; fi
}

# the check is not vacuous: libvirt's schema rejects a function number of 8
if [ $have_validate = 1 ]; then
	bad=$(sed 's/function="0x1"/function="0x8"/' "$EXPECTED/guest-xml/skylake-gtx1070.xml")
	validate "(self-test) a bad element" "$bad" >/dev/null
	if virt-xml-validate "$work/domain.xml" domain >/dev/null 2>&1; then
		not_ok "virt-xml-validate rejects function='0x8'"
	else
		ok "virt-xml-validate rejects function='0x8'"
	fi
fi

# FIXTURE EXIT FUNCTIONS(addresses) GUEST_ADDRESSES
cases() {
	cat <<'EOF2'
skylake-gtx1070 0 0000:01:00.0,0000:01:00.1 0000:10:00.0,0000:10:00.1
turing-4fn 0 0000:0a:00.0,0000:0a:00.1,0000:0a:00.2,0000:0a:00.3 0000:10:00.0,0000:10:00.1,0000:10:00.2,0000:10:00.3
two-identical-gpus 0 0000:0b:00.0,0000:0b:00.1 0000:10:00.0,0000:10:00.1
EOF2
}

while read -r name want_rc want_fns want_guest; do
	root=$(mkfix "$name")
	out=$("$VP" --root "$root" guest-xml 2>"$work/err"); rc=$?
	check_eq "$name: guest-xml exit" "$want_rc" "$rc"
	golden "$name: guest-xml golden" "guest-xml/$name.xml" "$out"
	validate "$name: libvirt's schema accepts the <hostdev> elements" "$out"
	json=$("$VP" --root "$root" --json guest-xml 2>/dev/null); rc=$?
	check_eq "$name: --json exit" "$want_rc" "$rc"
	golden "$name: guest-xml --json golden" "guest-xml/$name.json" "$json"
	check_eq "$name: --json functions" "$want_fns" "$(jq -r '[.functions[].address] | join(",")' <<<"$json" 2>&1)"
	check_eq "$name: --json guest addresses" "$want_guest" \
		"$(jq -r '[.functions[].guest_address] | join(",")' <<<"$json" 2>&1)"
	# each element's source address is the function's own
	bad=$(jq -r '.functions[] | select((.address | split(":") | "bus=\"0x\(.[1])\" slot=\"0x\(.[2] | split(".")[0])\" function=\"0x\(.[2] | split(".")[1])\"") as $a
		| (.xml | contains($a)) | not) | .address' <<<"$json" 2>&1)
	check_eq "$name: --json xml names its own function" "" "$bad"
	validate "$name: --json xml strings validate too" "$(jq -r '.functions[].xml' <<<"$json")"
	# plan prints the same elements as a hint, next to <memoryBacking>
	plan=$("$VP" --root "$root" plan 2>&1)
	check_match "$name: plan prints the hint" '^libvirt: to give a guest the selected functions, add inside <devices>' "$plan"
	# the hint: the lines after its header that are XML (elements, comments, indented)
	hint=$(awk '/^libvirt: to give a guest the selected functions/ {on = 1; next}
		on && /^(<| )/ {print; next} {on = 0}' <<<"$plan")
	check_eq "$name: plan's hint is guest-xml's output" "$out" "$hint"
done < <(cases)

# the multi-function note and the ROM note
out=$("$VP" --root "$(mkfix turing-4fn)" guest-xml 2>&1)
check_match "turing: one-card note" "0000:0a:00.3 are$" "$out"
check_eq "turing: multifunction='on' only on function 0" "1" "$(grep -c 'multifunction="on"' <<<"$out")"
out=$("$VP" --root "$(mkfix single-gpu)" guest-xml 2>"$work/err"); rc=$?
check_eq "single-gpu (boot VGA): exit 1, apply refuses" "1" "$rc"
check_match "single-gpu: ROM note, no guessed path" "<rom file='PATH'/>" "$out"
check_match "single-gpu: warns that apply refuses" "verdict boot-vga: apply refuses" "$(cat "$work/err")"
validate "single-gpu: libvirt's schema accepts the <hostdev> elements" "$out"
check_eq "skylake: no ROM note (the iGPU is the boot VGA)" "0" \
	"$("$VP" --root "$(mkfix skylake-gtx1070)" guest-xml 2>&1 | grep -c 'rom file')"

# nothing selected: a warning, exit 1, no elements
out=$("$VP" --root "$(mkfix iommu-off)" --json guest-xml 2>"$work/err"); rc=$?
check_eq "iommu-off: exit 1" "1" "$rc"
check_eq "iommu-off: apply_refuses in JSON" "true" "$(jq -r .apply_refuses <<<"$out" 2>&1)"
"$VP" --root "$(mkfix skylake-gtx1070)" guest-xml extra >/dev/null 2>"$work/err"; rc=$?
check_eq "guest-xml with an argument: exit 2" "2" "$rc"
