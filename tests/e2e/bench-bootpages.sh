#!/bin/bash
# make bench-bootpages (part of `make bench`): issue 13's figures on the QEMU
# set-up of check-e2e. Per guest size (6, 8, 10 GiB):
#   kernel   hugepagesz=1G hugepages=64 alone (more than fits: the physical limit)
#   default  the default mode as apply makes it on that guest: hugepages=N with
#            N = (MemTotal - host_min 2 GiB) / 1 GiB (MemTotal read from the
#            kernel boot), and the early program guarding it (mode=boot)
# and prints pages(default) / pages(kernel), target 1.00. The time from /init
# to the program, per generator and over several boots, is
# tests/e2e/bench-generators.sh.
# E2E_SIZES="6 8 10" picks the sizes. One boot at a time.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=$TOP/build/default}"
export TOP BUILD
. "$TOP/tests/e2e/lib.sh"
: "${E2E_SIZES:=6 8 10}"

if ! e2e_can_run; then
	echo "SKIP bench-bootpages: QEMU cannot run here ($E2E_WHY)"; exit 0
fi
e2e_kernel || { echo "bench-bootpages: no kernel" >&2; exit 1; }
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vp-bench13.XXXXXX")
[ "${E2E_KEEP:-0}" = 1 ] || trap 'rm -rf "$E2E_WORK"' EXIT
e2e_busybox_initrd "$E2E_WORK/none.img"

declare -A K D N
for m in $E2E_SIZES; do
	e2e_boot "$E2E_WORK/k$m.log" "$E2E_WORK/none.img" ${m}G "hugepagesz=1G hugepages=64"
	K[$m]=$(e2e_kv "$E2E_WORK/k$m.log" HP1G total)
	mem=$(e2e_kv "$E2E_WORK/k$m.log" MEM total_kb)
	N[$m]=$(( (${mem:-0} - 2048 * 1024) / 1048576 ))
	printf 'hugepages=%s\nnode=any\nhost_min_mib=2048\nmode=boot\n' "${N[$m]}" >"$E2E_WORK/d$m.conf"
	e2e_busybox_initrd "$E2E_WORK/d$m.img" "$E2E_WORK/d$m.conf"
	e2e_boot "$E2E_WORK/d$m.log" "$E2E_WORK/d$m.img" ${m}G "hugepagesz=1G hugepages=${N[$m]}"
	D[$m]=$(e2e_kv "$E2E_WORK/d$m.log" HP1G total)
done
e2e_accel
echo "== default mode (kernel hugepages=N sized by apply + the early program's guard) vs kernel hugepages=64"
echo "   (kernel $KVER, QEMU $E2E_ACCEL_ARGS, $(nproc) host CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
printf '%-6s %4s %8s %8s %6s\n' guest N default kernel ratio
for m in $E2E_SIZES; do
	r=$(awk -v p="${D[$m]:-0}" -v k="${K[$m]:-0}" 'BEGIN { if (k > 0) printf "%.2f", p / k; else print "n/a" }')
	printf '%-6s %4s %8s %8s %6s\n' "${m}G" "${N[$m]}" "${D[$m]:-?}" "${K[$m]:-?}" "$r"
done
