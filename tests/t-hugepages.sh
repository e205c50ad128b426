#!/bin/bash
# `hugepages status|reserve|release` on fake sysfs trees. The kernel's
# allocator is played by tests/shim/fakekernel.so: a write to nr_hugepages
# gets at most the "available" gigantic blocks, compaction and dropping
# caches make more available, and the test sets how many.
. "$(dirname "$0")/lib.sh"

shim=$BUILD/tests/shim/fakekernel.so
[ -f "$shim" ] || { not_ok "fake kernel shim built" "$shim missing"; exit 0; }
# The shim is not instrumented; ASan only needs to tolerate it being first.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

base=$(mkfix hugepages-2node) || { not_ok "fixture hugepages-2node"; exit 0; }
work=$(tmpdir); trap 'rm -rf "$work"' EXIT

# fresh ROOT STATE...: a private copy of the fixture and a kernel state file
fresh() {
	rm -rf "$work/root"; cp -a "$base" "$work/root"; root=$work/root
	printf '%s\n' "$@" >"$work/state"
}
vp() { LD_PRELOAD=$shim VP_FAKE_KERNEL_STATE=$work/state "$VP" --root "$root" "$@"; }
pool() { cat "$root/sys/kernel/mm/hugepages/hugepages-1048576kB/$1"; }
nodepool() { cat "$root/sys/devices/system/node/node$1/hugepages/hugepages-1048576kB/$2"; }
writes() { awk '$1=="writes"{print $2}' "$work/state"; }

# --- status -----------------------------------------------------------------
root=$base
out=$("$VP" --root "$root" hugepages status 2>&1); rc=$?
check_eq "status exits 0" 0 "$rc"
golden "status human view" hugepages/status-2node.txt "$out"
json=$("$VP" --root "$root" hugepages status --json 2>&1)
check_eq "status --json: 1 GiB pool per node" "0 1" \
	"$(jq -r '[.pools[] | select(.size_kib==1048576 and .node!=null) | .node] | join(" ")' <<<"$json")"
check_eq "status --json: 2 MiB global pool counts" "512 256 10 0" \
	"$(jq -r '.pools[] | select(.size_kib==2048 and .node==null) | "\(.total) \(.free) \(.reserved) \(.surplus)"' <<<"$json")"
check_eq "status --json: hugetlbfs mounts with page sizes" "/dev/hugepages:2048 /dev/hugepages1G:1048576" \
	"$(jq -r '[.mounts[] | "\(.target):\(.pagesize_kib)"] | join(" ")' <<<"$json")"
check_eq "status --json: contiguous estimate from buddyinfo" "8 8" \
	"$(jq -r '[.contiguous[].max_1g_pages] | join(" ")' <<<"$json")"
check_eq "status --json: hugetlb_cma inactive" "false" "$(jq -r '.hugetlb_cma.active' <<<"$json")"
check_eq "status --json: schema 1, 1 GiB pages" "1 true" "$(jq -r '"\(.schema) \(.pages_1g)"' <<<"$json")"
# hugetlb_cma on the cmdline is reported
fresh "avail 0"
echo "root=/dev/sda1 hugetlb_cma=16G" >"$root/proc/cmdline"
check_match "status reports hugetlb_cma" 'hugetlb_cma: active \(hugetlb_cma=16G' \
	"$("$VP" --root "$root" hugepages status 2>&1)"

# --- reserve ----------------------------------------------------------------
fresh "avail 8"
out=$(vp hugepages reserve 4 2>&1); rc=$?
check_eq "reserve 4 with room: exit 0" 0 "$rc"
check_eq "reserve 4: pool holds 4 free pages" "4 4" "$(pool nr_hugepages) $(pool free_hugepages)"
check_match "reserve 4: says what it did" '^4 free 1 GiB pages \(pool 0 -> 4' "$out"

# already free pages count: nothing is written
out=$(vp hugepages reserve 3 2>&1); rc=$?
check_eq "reserve 3 with 4 already free: exit 0, no write" "0 1" "$rc $(writes)"

# a size rounds up to whole pages: 5G + 1 byte -> 6 pages wanted, 2 more
fresh "avail 8"
vp hugepages reserve 5368709121 >/dev/null 2>&1
check_eq "reserve a byte count without unit means pages" "8" "$(pool nr_hugepages)"
fresh "avail 8"
vp hugepages reserve 5G >/dev/null 2>&1
check_eq "reserve 5G means 5 pages" "5" "$(pool nr_hugepages)"

# fragmented: 2 now, compaction frees 3 then 2 then nothing: 7 of 8
fresh "avail 2" "compact 3 2 0 0 0 0 0 0 0 0"
out=$(vp hugepages reserve 8 2>&1); rc=$?
check_eq "fragmented: exit 1 when short" 1 "$rc"
check_eq "fragmented: retried while progress was made (7 in the pool)" 7 "$(pool nr_hugepages)"
check_match "fragmented: says how many and why" '^7 of 8 wanted 1 GiB pages are free \(pool 0 -> 7\): memory is fragmented' "$out"
check_match "fragmented: says runtime reservation is luck" 'long-running host, runtime reservation is luck' "$out"
check_match "fragmented: the boot default is the answer" 'The answer is the boot default \(\[hugepages\] mode = boot\)' "$out"
check "fragmented: no hugetlb_cma offered without a kernel config saying CMA" \
	bash -c '! grep -q hugetlb_cma <<<"$1"' _ "$out"
check_match "fragmented: says how to give the pages back" 'hugepages release 7' "$out"

# the order of operations, as the fake kernel saw them: the seed's recipe first
ops() { tr '\n' ' ' <"$work/state.ops" | sed 's/ $//'; }
fresh "avail 0" "drop 8"; rm -f "$work/state.ops"
vp hugepages reserve 8 --drop-caches >/dev/null 2>&1; rc=$?
check_eq "--drop-caches: sync, drop, compact, then one write gets all 8" "0 8 sync drop compact write" \
	"$rc $(pool nr_hugepages) $(ops)"
fresh "avail 2" "compact 1 0 0 0 0 0 0 0"; rm -f "$work/state.ops"
vp hugepages reserve 8 >/dev/null 2>&1
check_match "without --drop-caches: sync and compact before the first write, no drop" \
	'^sync compact write( (compact|write))*$' "$(ops)"
check_eq "without --drop-caches: stops after the round that gained nothing (3 pages)" 3 "$(pool nr_hugepages)"
# one page: no "1 pages"
fresh "avail 0"; rm -f "$work/state.ops"
out=$(vp hugepages reserve 1 2>&1)
check_match "one page: singular" '^0 of 1 wanted 1 GiB page is free' "$out"
fresh "avail 1"
out=$(vp hugepages reserve 2 2>&1)
check_match "one page stays: singular" '1 page stays reserved: `vfio-provision hugepages release 1` gives it back' "$out"
# a running kernel whose config has CMA: hugetlb_cma is offered
fresh "avail 0"
mkdir -p "$root/boot" "$root/proc/sys/kernel"; echo 6.8.0-test >"$root/proc/sys/kernel/osrelease"
printf 'CONFIG_CMA=y\nCONFIG_HUGETLBFS=y\n' >"$root/boot/config-6.8.0-test"
check_match "CMA in the running kernel's config: hugetlb_cma offered" 'This kernel has CONFIG_CMA: hugetlb_cma=' \
	"$(vp hugepages reserve 2 2>&1)"
printf '# CONFIG_CMA is not set\n' >"$root/boot/config-6.8.0-test"
check "no CMA in the running kernel's config: not offered" bash -c '! grep -q hugetlb_cma <<<"$1"' _ \
	"$(vp hugepages reserve 2 2>&1)"

# --partial-ok accepts fewer
fresh "avail 2" "compact 1"
vp hugepages reserve 8 --partial-ok >/dev/null 2>&1; rc=$?
check_eq "--partial-ok: exit 0 with 3 of 8" "0 3" "$rc $(pool nr_hugepages)"

# --drop-caches frees what compaction could not
fresh "avail 2" "compact 1" "drop 5"
vp hugepages reserve 8 >/dev/null 2>&1; rc=$?
check_eq "without --drop-caches caches are kept (3 pages, exit 1)" "1 3" "$rc $(pool nr_hugepages)"
fresh "avail 2" "compact 1" "drop 5"
vp hugepages reserve 8 --drop-caches >/dev/null 2>&1; rc=$?
check_eq "--drop-caches: the full 8 (exit 0)" "0 8" "$rc $(pool nr_hugepages)"

# the host minimum caps the pool: 64 GiB total, host_min 60G -> at most 2
fresh "avail 16"
mkdir -p "$root/etc"; printf '[hugepages]\nhost_min = 60G\n' >"$root/etc/vfio-provision.conf"
out=$(vp hugepages reserve 4 2>&1); rc=$?
check_eq "host_min caps the reservation (exit 1, 2 pages)" "1 2" "$rc $(pool nr_hugepages)"
check_match "capped: explains the cap" "host's minimum memory.*at most 2 pages" "$(tr '\n' ' ' <<<"$out")"

# a node
fresh "avail 8"
vp hugepages reserve 2 --node 1 >/dev/null 2>&1; rc=$?
check_eq "--node 1: pages land on node 1 only" "0 2 0" "$rc $(nodepool 1 nr_hugepages) $(nodepool 0 nr_hugepages)"
out=$(vp hugepages reserve 2 --node 7 2>&1); rc=$?
check_eq "--node 7 (absent): exit 1" 1 "$rc"
check_match "--node 7: says the node does not exist" 'NUMA node does not exist' "$out"

# no pdpe1gb: no 1 GiB pool at all
fresh "avail 8"
rm -rf "$root/sys/kernel/mm/hugepages/hugepages-1048576kB" "$root"/sys/devices/system/node/node*/hugepages/hugepages-1048576kB
out=$(vp hugepages reserve 2 2>&1); rc=$?
check_eq "no 1 GiB hstate: exit 1" 1 "$rc"
check_match "no 1 GiB hstate: names pdpe1gb" 'pdpe1gb' "$out"
# status offers no 1 GiB pages the CPU cannot have (buddyinfo still lists 4 MiB blocks)
out=$("$VP" --root "$root" hugepages status 2>&1); rc=$?
check_eq "no 1 GiB hstate: status exits 0" 0 "$rc"
if grep -qE 'at most [0-9]+ more 1 GiB' <<<"$out"; then
	not_ok "no 1 GiB hstate: status offers no 1 GiB pages" "$out"
else
	ok "no 1 GiB hstate: status offers no 1 GiB pages"
fi
check_match "no 1 GiB hstate: status says why there are none" \
	'^No 1 GiB pages: the kernel has no 1 GiB page pool \(the CPU lacks pdpe1gb, or hugetlbfs is off\)$' "$out"
json=$("$VP" --root "$root" hugepages status --json 2>&1)
check_eq "no 1 GiB hstate: --json pages_1g false, max_1g_pages null" 'false [null,null]' \
	"$(jq -c '.pages_1g, [.contiguous[].max_1g_pages]' <<<"$json" | xargs)"
printf '%s\n' "$json" >"$work/status-no1g.json"
"$VP" --root "$base" hugepages status --json >"$work/status-2node.json" 2>/dev/null
json_schema "status --json: the schema accepts both documents" hugepages-status "$work"/status-*.json

# bad arguments
fresh "avail 8"
out=$(vp hugepages reserve lots 2>&1); rc=$?
check_eq "reserve lots: exit 2" 2 "$rc"
check_match "reserve lots: says what is expected" "expected a page count or a size such as 16G \(got 'lots'\)" "$out"
out=$(vp hugepages reserve 2 --node x 2>&1); rc=$?
check_eq "--node x: exit 2" 2 "$rc"
out=$(vp hugepages frobnicate 2>&1); rc=$?
check_eq "unknown sub-command: exit 2" 2 "$rc"

# --- release ----------------------------------------------------------------
fresh "avail 0"
echo 6 >"$root/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
echo 4 >"$root/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"
out=$(vp hugepages release 1 2>&1); rc=$?
check_eq "release 1: exit 0, pool 5" "0 5" "$rc $(pool nr_hugepages)"
out=$(vp hugepages release all 2>&1); rc=$?
check_eq "release all: only the free pages go (2 in use stay)" "0 2" "$rc $(pool nr_hugepages)"
check_match "release all: reports pages in use" '2 pages in use stay reserved' "$out"

# --- the root boundary ------------------------------------------------------
# An untrusted tree whose sysfs leads out of the root: every path goes
# through the root's resolver, so nothing outside is read or written.
fresh "avail 8"
outside=$work/outside; rm -rf "$outside"; mkdir -p "$outside"
mv "$root/sys/kernel/mm/hugepages" "$outside/hugepages"
ln -s "../../../../../../../../../../..$outside/hugepages" "$root/sys/kernel/mm/hugepages"
before=$(cat "$outside/hugepages/hugepages-1048576kB/nr_hugepages")
out=$(vp hugepages reserve 2 2>&1); rc=$?
check "sysfs link leaving the root: reserve fails" test "$rc" -ne 0
check_match "sysfs link leaving the root: the link is named" \
	"the symbolic link '/sys/kernel/mm/hugepages' -> '[^']*' leads outside the root" "$out"
check_eq "sysfs link leaving the root: nothing written outside" "$before none" \
	"$(cat "$outside/hugepages/hugepages-1048576kB/nr_hugepages") $(writes | grep . || echo none)"
out=$(vp hugepages release all 2>&1); rc=$?
check_eq "sysfs link leaving the root: release writes nothing outside" "$before none" \
	"$(cat "$outside/hugepages/hugepages-1048576kB/nr_hugepages") $(writes | grep . || echo none)"
