#!/bin/bash
# make check-e2e-runtime: issue 7's end-to-end test. One boot of the real
# Debian kernel under QEMU (10 GiB, about 6 one-GiB pages possible) with a
# busybox initramfs holding the real vfio-provision binary and its shared
# libraries. In the guest (tests/e2e/guest/runtime-init): fragment memory,
# then a naive single write to nr_hugepages, then `hugepages reserve
# --partial-ok`, then the same with --drop-caches, each given back before the
# next. Asserts ours gets at least as many pages as the naive write and
# reports both; checks `hugepages status` and `release all` against the real
# kernel. Ends with "N passed, N failed, N skipped"; skips (exit 0) only when
# QEMU cannot run at all, and never under CI=true or VP_NO_SKIP=1 (exit 1).
. "$(dirname "$0")/suite.sh"
# Guest size, pages asked for (more than the guest can give, below the cap
# host_min leaves) and how much anonymous memory the fragmenter cycles.
: "${E2E_RT_MEM:=10G}" "${E2E_RT_PAGES:=8}" "${E2E_RT_FRAGMENT:=2048}"


e2e_start e2e-runtime check-e2e-runtime

# The image: the harness's busybox initramfs plus, as extra files, our init,
# the fragmenter (static), the tool and every shared object it needs (e2e_libs) at the
# same path (the loader included), and a config whose host_min keeps the
# cap above what the guest can physically give, so the cap never decides.
CC_STATIC=$(command -v musl-gcc || echo cc)
if ! "$CC_STATIC" -static -Os -o "$E2E_WORK/fragment" "$E2E_DIR/guest/fragment.c" 2>"$E2E_WORK/cc.log"; then
	t_bad "e2e runtime: fragmenter built" "$(cat "$E2E_WORK/cc.log")"; finish
fi
printf '[hugepages]\nhost_min = 1G\n' >"$E2E_WORK/vfio-provision.conf"
extra="$E2E_DIR/guest/runtime-init:init $E2E_WORK/fragment:usr/lib/vp-e2e/fragment"
extra="$extra $VP:usr/bin/vfio-provision $E2E_WORK/vfio-provision.conf:etc/vfio-provision.conf"
libs=$(e2e_libs "$VP")
if [ -z "$libs" ]; then
	t_bad "e2e runtime: the tool's libraries listed" "$(ldd "$VP" 2>&1)"; finish
fi
for l in $libs; do
	extra="$extra $l:${l#/}"
done
if ! E2E_BB_EXTRA=$extra e2e_busybox_initrd "$E2E_WORK/rt.img" >"$E2E_WORK/img.log" 2>&1; then
	t_bad "e2e runtime: busybox image built" "$(tail -20 "$E2E_WORK/img.log")"; finish
fi
t_ok "e2e runtime: image with the real binary and $(wc -w <<<"$libs") shared objects"

L=$E2E_WORK/rt.log
e2e_boot "$L" "$E2E_WORK/rt.img" "$E2E_RT_MEM" \
	"vp_e2e.pages=$E2E_RT_PAGES vp_e2e.fragment=$E2E_RT_FRAGMENT"
echo "# e2e runtime: boot done in $((SECONDS - t0)) s"
e2e_reported runtime "$L" 30

# The binary runs at all in the guest (its libraries and loader are there).
t_match "runtime: the dynamic binary runs in the guest" '^vfio-provision [0-9]' "$(out VERSION)"

# status against the real kernel, before anything is reserved.
s=$(out STATUS0)
t_eq "status: exit 0" 0 "$(rc STATUS0)"
t_match "status: the 1 GiB pool, empty" '^  all +0 +0 +0 +0$' "$(grep -A2 '^1 GiB pages' <<<"$s")"
t_match "status: the 2 MiB pool is the default size" '^2 MiB pages \(default size\):' "$s"
t_match "status: lists the guest's 1G hugetlbfs mount" '^  /dev/hugepages1G +pagesize 1 GiB$' "$s"
t_match "status: reads the real /proc/buddyinfo" '^  node 0: [0-9.]+ GiB of [0-9.]+ GiB free is in 4 MiB blocks' "$s"
t_match "status: hugetlb_cma not active" '^hugetlb_cma: not active$' "$s"
j=$(out STATUSJSON)
t_eq "status --json: exit 0" 0 "$(rc STATUSJSON)"
t_eq "status --json: 1 GiB pools, all and node 0, empty" "all:0:0 0:0:0" \
	"$(jq -r '[.pools[] | select(.size_kib == 1048576) | "\(.node // "all"):\(.total):\(.free)"] | join(" ")' <<<"$j")"
t_eq "status --json: the hugetlbfs mount and its page size" "/dev/hugepages1G:1048576" \
	"$(jq -r '[.mounts[] | "\(.target):\(.pagesize_kib)"] | join(" ")' <<<"$j")"
t_eq "status --json: MemTotal is the guest's" "$(kv MEM total_kb)" "$(jq -r '.mem_total_kib' <<<"$j")"
t_eq "status --json: buddyinfo of node 0, order 10 the largest" "0:10" \
	"$(jq -r '[.contiguous[] | "\(.node):\(.max_order)"] | join(" ")' <<<"$j")"

# The comparison: naive single write vs ours, on the same fragmented memory.
naive=$(kv NAIVE got) ours=$(kv OURS got) drop=$(kv DROP got)
echo "# e2e runtime: $(e2e_line "$L" FRAGMENT); buddyinfo bound after it (no compaction):" \
	"$(out STATUSFRAG | jq -r '[.contiguous[].max_1g_pages] | add' 2>/dev/null) pages"
echo "# e2e runtime: ${E2E_RT_MEM} guest, $E2E_RT_PAGES pages asked: naive write got ${naive:-?}," \
	"hugepages reserve got ${ours:-?}, with --drop-caches ${drop:-?}"
t_eq "runtime: fragmenter ran" "$E2E_RT_FRAGMENT" "$(kv FRAGMENT fill_mib)"
t_eq "naive: pool back to 0 after writing 0" 0 "$(kv NAIVE after_release)"
t_eq "reserve --partial-ok: exit 0" 0 "$(rc RESERVE)"
if [ -n "$naive" ] && [ -n "$ours" ] && [ "$ours" -ge "$naive" ]; then
	t_ok "reserve got at least as many pages as the naive write ($ours >= $naive)"
else
	t_bad "reserve got at least as many pages as the naive write" "naive '$naive', ours '$ours'" "$(out RESERVE)"
fi
if [ -n "$ours" ] && [ "$ours" -ge 1 ]; then
	t_ok "reserve got some pages on a fragmented 10 GiB guest ($ours)"
else
	t_bad "reserve got some pages on a fragmented 10 GiB guest" "got '$ours'" "$(out RESERVE)"
fi
# Short of the count: it says how many and why, and how to give them back.
if [ -n "$ours" ] && [ "$ours" -lt "$E2E_RT_PAGES" ]; then
	t_match "reserve: says how many it got and why" \
		"^$ours of $E2E_RT_PAGES wanted 1 GiB pages are free \\(pool 0 -> $ours\\): memory is fragmented" "$(out RESERVE)"
	t_match "reserve: says how to give them back" "hugepages release $ours\` gives (it|them) back" "$(out RESERVE)"
fi
t_eq "reserve: the pages are free (none in use)" "$ours" "$(kv OURS free)"
t_match "status after reserve: the pool holds them" "^  all +$ours +$ours +0 +0\$" "$(out STATUS1 | grep -A2 '^1 GiB pages')"
t_eq "release all: exit 0" 0 "$(rc RELEASE)"
t_match "release all: says how many" "^released $ours 1 GiB pages? \\(pool $ours -> 0\\)\$" "$(out RELEASE)"
t_eq "release all: pool back to 0" 0 "$(kv RELEASED nr)"
t_eq "reserve --drop-caches: exit 0" 0 "$(rc DROP)"
if [ -n "$drop" ] && [ -n "$naive" ] && [ "$drop" -ge "$naive" ]; then
	t_ok "reserve --drop-caches got at least as many as the naive write ($drop >= $naive)"
else
	t_bad "reserve --drop-caches got at least as many as the naive write" "naive '$naive', drop '$drop'" "$(out DROP)"
fi
t_eq "release all after --drop-caches: pool back to 0" 0 "$(kv RELEASED2 nr)"

echo "# e2e runtime: $((SECONDS - t0)) s in all"
finish
