#!/bin/bash
# make bench-bootpages (part of `make bench`): issue 13's figures on the QEMU
# set-up of check-e2e, on Debian 12's 6.1 and Debian 13's 6.12 kernels. Per
# kernel and guest size (6, 8, 10 GiB):
#   kernel   hugepagesz=1G hugepages=64 alone (more than fits: the physical limit)
#   default  the default mode as apply makes it on that guest: hugepages=N with
#            N = (MemTotal - host_min 2 GiB) / 1 GiB (MemTotal read from the
#            kernel boot), and the early program guarding it (mode=boot)
# and prints pages(default) / pages(kernel), target 1.00. The time from /init
# to the program, per generator and over several boots, is
# tests/e2e/bench-generators.sh.
# E2E_SIZES="6 8 10" picks the sizes, E2E_KERNELS="6.1 6.12" the kernels.
# One boot at a time.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=$TOP/build/default}"
export TOP BUILD
. "$TOP/tests/e2e/lib.sh"
: "${E2E_SIZES:=6 8 10}" "${E2E_KERNELS:=6.1 6.12}"

if ! e2e_can_run; then
	echo "SKIP bench-bootpages: QEMU cannot run here ($E2E_WHY)"; exit 0
fi
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vp-bench13.XXXXXX")
[ "${E2E_KEEP:-0}" = 1 ] || trap 'rm -rf "$E2E_WORK"' EXIT

declare -A K D N KV
for kern in $E2E_KERNELS; do
	E2E_KERNEL=$kern e2e_kernel || { echo "bench-bootpages: no $kern kernel" >&2; exit 1; }
	KV[$kern]=$KVER
	e2e_busybox_initrd "$E2E_WORK/none.img"
	for m in $E2E_SIZES; do
		k=$kern/$m
		e2e_boot "$E2E_WORK/k.log" "$E2E_WORK/none.img" "${m}G" "hugepagesz=1G hugepages=64"
		K[$k]=$(e2e_kv "$E2E_WORK/k.log" HP1G total)
		mem=$(e2e_kv "$E2E_WORK/k.log" MEM total_kb)
		N[$k]=$(( (${mem:-0} - 2048 * 1024) / 1048576 ))
		printf 'hugepages=%s\nnode=any\nhost_min_mib=2048\nmode=boot\n' "${N[$k]}" >"$E2E_WORK/d.conf"
		e2e_busybox_initrd "$E2E_WORK/d.img" "$E2E_WORK/d.conf"
		e2e_boot "$E2E_WORK/d.log" "$E2E_WORK/d.img" "${m}G" "hugepagesz=1G hugepages=${N[$k]}"
		D[$k]=$(e2e_kv "$E2E_WORK/d.log" HP1G total)
	done
done
e2e_accel
echo "== default mode (kernel hugepages=N sized by apply + the early program's guard) vs kernel hugepages=64"
echo "   (QEMU $E2E_ACCEL_ARGS, $(nproc) host CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
printf '%-22s %-6s %4s %8s %8s %6s\n' kernel guest N default kernel ratio
for kern in $E2E_KERNELS; do
	for m in $E2E_SIZES; do
		k=$kern/$m
		r=$(awk -v p="${D[$k]:-0}" -v q="${K[$k]:-0}" 'BEGIN { if (q > 0) printf "%.2f", p / q; else print "n/a" }')
		printf '%-22s %-6s %4s %8s %8s %6s\n' "${KV[$kern]}" "${m}G" "${N[$k]}" "${D[$k]:-?}" "${K[$k]:-?}" "$r"
	done
done
