#!/bin/bash
# guest-xml --domain NAME [--define] [--connect URI] against libvirt's test
# driver (no daemon): a custom driver file test:///FILE holds the domains,
# and each connection starts from that file, so the second run reads a file
# made from what the first one defined. The diff, the placement on the
# domain's pcie-root-ports, the pages, libvirt's schema (virt-xml-validate)
# on what is defined, the second run that changes nothing, the refusals.
. "$(dirname "$0")/lib.sh"
work=$(tmpdir); trap 'rm -rf "$work"' EXIT

if ! command -v virt-xml-validate >/dev/null; then
	if no_skip; then not_ok "guest-domain: virt-xml-validate (apt-get install libvirt-clients)"
	else skip "guest-domain" "no virt-xml-validate: install libvirt-clients"; fi
	exit 0
fi

# domain NAME MACHINE DEVICES...: a shut-off domain as libvirt writes it
domain() {
	local name=$1 machine=$2
	shift 2
	cat <<EOF2
<domain type='test'>
  <name>$name</name>
  <uuid>c7a5fdbd-cdaf-9455-926a-$(printf '%s' "$name" | md5sum | cut -c1-12)</uuid>
  <memory unit='KiB'>8388608</memory>
  <currentMemory unit='KiB'>8388608</currentMemory>
  <vcpu placement='static'>4</vcpu>
  <os>
    <type arch='x86_64' machine='$machine'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/$name.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </disk>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'/>
EOF2
	printf '%s\n' "$@"
	printf '  </devices>\n</domain>\n'
}

# xmlvalid NAME FILE: libvirt's own schema accepts the domain
xmlvalid() {
	local out
	if out=$(virt-xml-validate "$2" domain 2>&1); then ok "$1"; else not_ok "$1" "$out" "$(cat "$2")"; fi
}

domain win11 pc-q35-7.2 >"$work/win11.xml"
domain legacy pc-i440fx-7.2 >"$work/legacy.xml"
domain half pc-q35-7.2 "    <hostdev mode='subsystem' type='pci' managed='yes'>" \
	"      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/></source>" \
	"    </hostdev>" >"$work/half.xml"
libvirt_test_node "$work/node.xml" "$work/win11.xml" "$work/legacy.xml" "$work/half.xml"
URI=test://$work/node.xml
R=$work/root
cp -a "$(mkfix skylake-gtx1070)" "$R"
printf '[hugepages]\ncount = 8\n' >"$R/etc/vfio-provision.conf"
gx() { "$VP" --root "$R" --connect "$URI" guest-xml "$@"; }

# --- the preview: a diff, exit 1, nothing defined ----------------------------
out=$(gx --domain win11 2>"$work/err"); rc=$?
check_eq "preview: exit 1 (changes pending)" 1 "$rc"
check_eq "preview: nothing on stderr" "" "$(cat "$work/err")"
golden "preview: the diff, the changes and the command" guest-xml/domain-win11.txt \
	"$(sed "s|$work|WORK|g" <<<"$out")"
json=$(gx --domain win11 --json 2>/dev/null); rc=$?
printf '%s\n' "$json" >"$work/doc-preview.json"
check_eq "preview --json: exit 1" 1 "$rc"
check_eq "preview --json: name, uri, changed, defined" "[\"win11\",\"$URI\",true,false]" \
	"$(jq -c '.domain | [.name, .uri, .changed, .defined]' <<<"$json")"
# port 1 holds the disk: a new pcie-root-port 2 takes the card
check_eq "preview --json: the card on a new root port, its functions kept" \
	'[["0000:01:00.0","0000:02:00.0"],["0000:01:00.1","0000:02:00.1"]]' \
	"$(jq -c '[.functions[] | [.address, .guest_address]]' <<<"$json")"
check_eq "preview --json: the diff is the text one" "$(sed -n '/^--- a/,/^ <\/domain>$/p' <<<"$out")" \
	"$(jq -r .domain.diff <<<"$json")"
jq -r .domain.xml <<<"$json" >"$work/preview.xml"
xmlvalid "preview: libvirt's schema accepts the edited domain" "$work/preview.xml"
# every line of the domain is still there, in order: only lines were added
check_eq "preview: nothing of the domain is taken out" "" \
	"$(jq -r .domain.diff <<<"$json" | grep -E '^-' | grep -v '^--- ')"

# the check is not vacuous: libvirt's schema rejects a function number of 9
sed 's/function="0x1"\/>/function="0x9"\/>/' "$work/preview.xml" >"$work/bad.xml"
if virt-xml-validate "$work/bad.xml" domain >/dev/null 2>&1; then
	not_ok "(self-test) virt-xml-validate rejects function 0x9"
else
	ok "(self-test) virt-xml-validate rejects function 0x9"
fi

# --- --define, then a second run on what was defined -------------------------
json=$(gx --domain win11 --define --json 2>"$work/err"); rc=$?
printf '%s\n' "$json" >"$work/doc-define.json"
check_eq "--define: exit 0" 0 "$rc"
check_eq "--define: changed and defined" '[true,true]' "$(jq -c '.domain | [.changed, .defined]' <<<"$json")"
jq -r .domain.xml <<<"$json" >"$work/defined.xml"
xmlvalid "--define: libvirt's schema accepts what was defined" "$work/defined.xml"
check_eq "--define: two hostdevs, a root port, 1 GiB pages" "2 1 1" \
	"$(grep -c '<hostdev ' "$work/defined.xml") $(grep -c 'index="2" model="pcie-root-port"' "$work/defined.xml") $(grep -c '<page size="1" unit="GiB"/>' "$work/defined.xml")"
out=$(gx --domain win11 --define 2>&1); rc=$?
check_match "--define (text): says so, with the URI" "^defined domain 'win11' on test://.*: 4 changes$" "$out"

libvirt_test_node "$work/node2.xml" "$work/defined.xml"
out=$("$VP" --root "$R" --connect "test://$work/node2.xml" guest-xml --domain win11 --define 2>&1); rc=$?
check_eq "second run: exit 0" 0 "$rc"
check_eq "second run: nothing to do" "domain 'win11' already has the selection and the 1 GiB pages: nothing to do" "$out"
json=$("$VP" --root "$R" --connect "test://$work/node2.xml" --json guest-xml --domain win11 2>/dev/null); rc=$?
printf '%s\n' "$json" >"$work/doc-again.json"
check_eq "second run --json: exit 0, not changed, no diff, no change" '0 [false,false,null,[]]' \
	"$rc $(jq -c '.domain | [.changed, .defined, .diff, .changes]' <<<"$json")"
check_eq "second run --json: the functions where the domain has them" '["0000:02:00.0","0000:02:00.1"]' \
	"$(jq -c '[.functions[].guest_address]' <<<"$json")"

# --- refusals: exit 2, nothing defined -----------------------------------------
out=$(gx --domain legacy --define 2>&1); rc=$?
check_eq "i440fx: refused (exit 2)" 2 "$rc"
check_match "i440fx: says why" "domain 'legacy' has machine type 'pc-i440fx-7.2', not q35" "$out"
out=$(gx --domain half --define 2>&1); rc=$?
check_eq "one function already there: refused (exit 2)" 2 "$rc"
check_match "one function already there: names both" \
	"domain 'half' already has 0000:01:00.1 of the selection but not 0000:01:00.0" "$out"
out=$("$VP" --root "$R" --connect test:///default guest-xml --domain test --define 2>&1); rc=$?
check_eq "running domain: refused (exit 2)" 2 "$rc"
check_match "running domain: says so" "domain 'test' is running: shut it down first" "$out"
out=$(gx --domain nosuch 2>&1); rc=$?
check_eq "no such domain: exit 2" 2 "$rc"
check_match "no such domain: names it" "domain 'nosuch' on test://" "$out"
out=$("$VP" --root "$R" --connect "test://$work/missing.xml" guest-xml --domain win11 2>&1); rc=$?
check_eq "a driver file that is not there: exit 2" 2 "$rc"
check_match "... libvirt's reason" "cannot connect to libvirt at test://$work/missing.xml: " "$out"
out=$("$VP" --root "$R" --connect "$URI" --json guest-xml --domain legacy 2>/dev/null); rc=$?
check_eq "--json with a refusal: exit 2, no document" "2 " "$rc $out"

# --- a selection apply refuses is shown, not defined, unless --force ---------
B=$work/boot-vga
cp -a "$(mkfix single-gpu)" "$B"
out=$("$VP" --root "$B" --connect "$URI" guest-xml --domain win11 --define 2>&1); rc=$?
check_eq "boot VGA selected: --define refuses (exit 1)" 1 "$rc"
check_match "boot VGA selected: says why" "not defining domain 'win11': apply refuses the selection \(verdict boot-vga" "$out"
check_match "boot VGA selected: still shows the diff and the ROM note" "^note: .* is the boot VGA" "$out"
json=$("$VP" --root "$B" --connect "$URI" --json guest-xml --domain win11 --define 2>/dev/null); rc=$?
printf '%s\n' "$json" >"$work/doc-refused.json"
check_eq "boot VGA selected --json: a document, not defined" '1 [true,false]' \
	"$rc $(jq -c '.domain | [.changed, .defined]' <<<"$json")"
json_schema "guest-xml --domain --json: the schema accepts every document" guest-xml "$work"/doc-*.json
out=$("$VP" --root "$B" --connect "$URI" --force guest-xml --domain win11 --define 2>&1); rc=$?
check_match "boot VGA selected, --force: defined" "^defined domain 'win11'" "$out"

# --- the command line -----------------------------------------------------------
for args in "guest-xml --define" "guest-xml --connect test:///default" "plan --domain win11" \
	"apply --domain win11 --define"; do
	# shellcheck disable=SC2086
	out=$("$VP" --root "$R" $args 2>&1); rc=$?
	check_eq "cli $args: exit 2" 2 "$rc"
	check_match "cli $args: says what goes with what" "needs --domain|go with guest-xml" "$out"
done
