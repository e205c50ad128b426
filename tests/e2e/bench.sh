#!/bin/bash
# make bench-e2e: figures for issue 6 on the same QEMU set-up as check-e2e.
#  1. the early program's own run time (its kmsg line, with the pool already
#     filled by the kernel so no page work is in it) and with page work;
#  2. pages reserved by the program vs the kernel's own hugepages=N on the
#     same guest at 6, 8 and 10 GiB (target ratio 1.00);
#  3. pages a naive runtime `echo N > nr_hugepages` gets after userspace
#     has fragmented memory, vs the early reservation on the same guest.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=$TOP/build/default}"
export TOP BUILD
. "$TOP/tests/e2e/lib.sh"
: "${E2E_JOBS:=2}"

if ! e2e_can_run; then
	echo "SKIP bench-e2e: QEMU cannot run here ($E2E_WHY)"; exit 0
fi
e2e_kernel || { echo "bench-e2e: no kernel" >&2; exit 1; }
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vp-bench.XXXXXX")
[ "${E2E_KEEP:-0}" = 1 ] || trap 'rm -rf "$E2E_WORK"' EXIT

CC_STATIC=$(command -v musl-gcc || echo cc)
"$CC_STATIC" -static -Os -o "$E2E_WORK/fragment" "$E2E_DIR/guest/fragment.c" || exit 1
export E2E_BB_EXTRA="$E2E_WORK/fragment:usr/lib/vp-e2e/fragment"

# Ask for more than any of these guests can give, and let the host keep
# nothing extra: the count is then the physical limit for both.
printf 'hugepages=16\nnode=any\nhost_min_mib=0\n' >"$E2E_WORK/max.conf"
printf 'hugepages=2\nnode=any\nhost_min_mib=0\n' >"$E2E_WORK/two.conf"
e2e_busybox_initrd "$E2E_WORK/max.img" "$E2E_WORK/max.conf"
e2e_busybox_initrd "$E2E_WORK/two.img" "$E2E_WORK/two.conf"

boot() {
	while [ "$(jobs -rp | wc -l)" -ge "$E2E_JOBS" ]; do wait -n; done
	e2e_boot "$E2E_WORK/$1.log" "$2" "$3" "$4" &
}
boot own "$E2E_WORK/two.img" 6G "hugepagesz=1G hugepages=2"
boot work "$E2E_WORK/two.img" 6G ""
for m in 6 8 10; do
	boot prog$m "$E2E_WORK/max.img" ${m}G ""
	boot kern$m "$E2E_WORK/max.img" ${m}G "hugepagesz=1G hugepages=16 vfio_provision=off"
done
boot naive "$E2E_WORK/max.img" 6G "vfio_provision=off vp_e2e.fragment=4096 vp_e2e.naive=2"
wait

ms() { sed -n 's/^KMSG reserved .* in \([0-9]*\) ms.*/\1/p' "$E2E_WORK/$1.log" | head -n1; }
e2e_accel
echo "== early program (kernel $KVER, QEMU $E2E_ACCEL_ARGS, $(nproc) host CPUs)"
echo "own run time, pool already full (no page work): $(ms own) ms"
echo "run time reserving 2 x 1GiB (init_on_alloc=0):   $(ms work) ms"
echo "== pages: early program vs kernel hugepages=16 (physical limit at boot)"
printf '%-6s %8s %8s %6s\n' guest program kernel ratio
for m in 6 8 10; do
	p=$(e2e_kv "$E2E_WORK/prog$m.log" HP1G total)
	k=$(e2e_kv "$E2E_WORK/kern$m.log" HP1G total)
	r=$(awk -v p="${p:-0}" -v k="${k:-0}" 'BEGIN { if (k > 0) printf "%.2f", p / k; else print "n/a" }')
	printf '%-6s %8s %8s %6s\n' "${m}G" "${p:-?}" "${k:-?}" "$r"
done
# Why the kernel can get one more: it takes its pages from memblock before
# the buddy allocator exists; by the time any initramfs program runs, boot's
# own unmovable allocations (slab, page tables) have landed in one more 1 GiB
# block, and compaction cannot move them. Boot with vp_e2e.debug=1 to see the
# RAM map and buddyinfo.
echo "== naive runtime reservation after fragmentation (6G guest)"
grep '^FRAGMENT' "$E2E_WORK/naive.log" | head -n1
echo "naive echo 2 > nr_hugepages: got $(e2e_kv "$E2E_WORK/naive.log" NAIVE got) (early program on the same guest: $(e2e_kv "$E2E_WORK/prog6.log" HP1G total))"
