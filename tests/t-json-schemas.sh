#!/bin/bash
# Every verb's --json output on every fixture root validates against its
# shipped JSON Schema (docs/*.schema.json): detect, plan, check, verify,
# guest-xml, hugepages status and revert --dry-run on the root as it is;
# apply, apply again, check, verify, revert --dry-run, revert and revert
# again on a copy of a dozen of them. (guest-xml --domain: t-guest-domain.sh.) A run that fails (exit 2) prints no document; any other
# prints exactly one. Also: every schema rejects a document that breaks it.
. "$(dirname "$0")/lib.sh"
work=$(tmpdir); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/detect" "$work/plan" "$work/guest-xml" "$work/hugepages-status"

n=0 bad=""
# doc SCHEMA NAME ROOT ARGS...: runs --json, keeps the document for SCHEMA
doc() {
	local schema=$1 name=$2 root=$3 out rc
	shift 3
	out=$work/$schema/$name.json
	"$VP" --root "$root" --json "$@" >"$out" 2>/dev/null </dev/null; rc=$?
	n=$((n + 1))
	if [ "$rc" = 2 ] && [ -s "$out" ] && [ "$*" != "apply --regenerate" ]; then
		bad="$bad $name(exit 2 with a document)"
	elif [ "$rc" = 2 ]; then
		rm -f "$out"
	elif [ ! -s "$out" ]; then
		bad="$bad $name(exit $rc, no document)"
		rm -f "$out"
	fi
}

WRITE_ON="skylake-gtx1070 engine-debian plan-arch plan-fedora boot-fedora-bls boot-refind
	boot-sdboot-cmdline pve-zfs-sdboot iommu-off no-gpu hugepages-2node two-identical-gpus"
for spec in "$FIXTURES"/*.spec; do
	f=$(basename "$spec" .spec)
	R=$(mkfix "$f") || { not_ok "fixture $f"; continue; }
	doc detect "$f-detect" "$R" detect
	doc plan "$f-plan" "$R" plan
	doc plan "$f-check" "$R" check
	doc plan "$f-verify" "$R" verify
	doc plan "$f-revert-dry" "$R" revert --dry-run
	doc guest-xml "$f-guest-xml" "$R" guest-xml
	doc hugepages-status "$f-hugepages" "$R" hugepages status
	# the writing verbs on a copy of roots that cover the generators,
	# bootloaders, Proxmox VE, refusals and pages (--force: apply writes)
	case " $WRITE_ON " in *" $f "*) ;; *) continue ;; esac
	C=$work/root
	rm -rf "$C"
	cp -a "$R" "$C"
	doc plan "$f-apply" "$C" --force apply
	doc plan "$f-apply-again" "$C" --force apply
	doc plan "$f-check-after" "$C" check
	doc plan "$f-verify-after" "$C" verify
	doc plan "$f-revert-dry-after" "$C" revert --dry-run
	doc plan "$f-revert" "$C" revert
	doc plan "$f-revert-again" "$C" revert
done
rm -rf "$work/root"
check_eq "every run gave one document, or exit 2 and none ($n runs)" "" "$bad"
for s in detect plan guest-xml hugepages-status; do
	set -- "$work/$s"/*.json
	json_schema "$s.schema.json accepts all $# documents" "$s" "$@"
done
# the documents cover what the schemas allow to vary
check_eq "documents with each plan verb" "apply check plan revert verify" \
	"$(jq -r '.verb' "$work"/plan/*.json | sort -u | xargs)"
check_match "a refused plan is among them" true "$(jq -r '.refused' "$work"/plan/*-plan.json | sort -u | xargs)"
check_match "a Proxmox VE node is among the detect documents" '"node":true' \
	"$(jq -c '.proxmox // empty' "$work"/detect/*.json)"

# --- the schemas are not vacuous: a broken document of each is rejected -------
broken() { # NAME SCHEMA JQ_FILTER FILE: the document made wrong by the filter is refused
	local out
	jq "$3" "$4" >"$work/broken.json"
	if out=$("$TESTS/validate-json.py" "$TOP/docs/$2.schema.json" "$work/broken.json" 2>&1); then
		not_ok "$1" "accepted: $(jq -c "$3" "$4" | head -c 300)"
	else
		ok "$1"
	fi
}
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	broken "detect: a missing key is refused" detect 'del(.selection)' "$work/detect/skylake-gtx1070-detect.json"
	broken "detect: a bad address is refused" detect '.gpus[0].address = "1:0.0"' "$work/detect/skylake-gtx1070-detect.json"
	broken "plan: an unknown verb is refused" plan '.verb = "frob"' "$work/plan/skylake-gtx1070-plan.json"
	broken "plan: an unknown key is refused" plan '.extra = 1' "$work/plan/skylake-gtx1070-plan.json"
	broken "guest-xml: a domain without its keys is refused" guest-xml '.domain = {"name": "x"}' \
		"$work/guest-xml/skylake-gtx1070-guest-xml.json"
	broken "hugepages-status: a negative count is refused" hugepages-status '.pools[0].total = -1' \
		"$work/hugepages-status/hugepages-2node-hugepages.json"
	printf '{}\n{}\n' >"$work/two.json"
	if "$TESTS/validate-json.py" "$TOP/docs/plan.schema.json" "$work/two.json" >/dev/null 2>&1; then
		not_ok "validate-json.py refuses two documents in one output"
	else
		ok "validate-json.py refuses two documents in one output"
	fi
fi
