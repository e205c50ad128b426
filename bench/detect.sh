#!/bin/bash
# bench/detect.sh (run by `make bench`). First, the CPU time (user + sys)
# of `vfio-provision --root T detect` (and --json) against one
# `lspci -nnk -A linux-sysfs -O sysfs.path=T/sys/bus/pci` on the same tree,
# as a ratio measured here, in this run: on the example machine (`make
# example`'s tree) and on a synthetic tree of 1,000 functions. The two run
# in turn, CPU_RUNS times each; the ratio is the median of each run's
# against the lspci run right after it (cpu-time.c).
#
# Then it times `vfio-provision --root T detect --json` on synthetic trees of 10, 1,000 and 10,000 PCI functions
# against the shell loop people paste from the wikis, pointed at the same
# tree:
#
#   for d in T/sys/kernel/iommu_groups/*/devices/*; do n=${d#*/groups/*};
#     printf 'IOMMU Group %s ' "${n%%/*}";
#     lspci -O sysfs.path=T/sys/bus/pci -nns "${d##*/}"; done
#
# Each lspci there scans the whole bus, so the loop is quadratic: at 10,000
# functions it would run for many minutes, so it is timed on a sample of
# devices (each call still scans all 10,000) and extrapolated, and the
# output says so. Times are the best of a few runs. Trees go to /dev/shm
# when possible: sysfs lives in memory, a disk would measure the disk.
#
# Environment: VP (the binary), BUILD (build dir, for gen-tree), CPU_TIME
# (bench/cpu-time, built here when unset), SIZES (default "10 1000 10000"),
# RUNS (default 3), SAMPLE (default 200), CPU_RUNS (default 31).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
: "${BUILD:=$top/build/default}"
: "${VP:=$BUILD/vfio-provision}"
: "${SIZES:=10 1000 10000}"
: "${RUNS:=3}"
: "${SAMPLE:=200}"

if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=$BUILD/bench; mkdir -p "$base"; fi
work=$(mktemp -d "$base/vp-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { local t=$EPOCHREALTIME; echo "${t/[.,]/}"; }     # microseconds
secs() { awk -v u="$1" 'BEGIN { printf (u < 1e6 ? "%.4f s" : "%.2f s"), u / 1e6 }'; }

# best_of RUNS CMD...: prints the best wall time in microseconds; fails
# (printing the exit status) when CMD exits above 1 (1 is a verdict).
best_of() {
	local runs=$1 best="" i t0 t1 rc; shift
	for ((i = 0; i < runs; i++)); do
		t0=$(now); "$@" >/dev/null 2>"$work/err"; rc=$?; t1=$(now)
		[ $rc -le 1 ] || { echo "exit $rc"; return 1; }
		[ -z "$best" ] || [ $((t1 - t0)) -lt "$best" ] && best=$((t1 - t0))
	done
	echo "$best"
}

# loop T K: the shell loop over the first K group members of tree T.
loop() {
	local T=$1 k=$2 i=0 d n
	for d in "$T"/sys/kernel/iommu_groups/*/devices/*; do
		[ $i -lt "$k" ] || break
		i=$((i + 1))
		n=${d#*/groups/*}
		printf 'IOMMU Group %s ' "${n%%/*}"
		lspci -O sysfs.path="$T/sys/bus/pci" -nns "${d##*/}"
	done
}

have_vp=1
if [ ! -x "$VP" ]; then have_vp=0; echo "note: $VP not built: timing the shell loop only"; fi

: "${CPU_RUNS:=31}"
if [ -z "${CPU_TIME:-}" ]; then
	CPU_TIME=$work/cpu-time
	"${CC:-cc}" -std=gnu11 -O2 -o "$CPU_TIME" "$here/cpu-time.c" || exit 1
fi
ms() { awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / (b ? b : 1) }'; }

# cpu_vs_lspci NAME T: detect's and detect --json's CPU against lspci -nnk's
# on T; the ratios are the median of each run's against the lspci run next to it
cpu_vs_lspci() {
	local name=$1 T=$2 lspci t h j l l2 rh rj
	lspci=(lspci -nnk -A linux-sysfs -O "sysfs.path=$T/sys/bus/pci")
	t=$("$CPU_TIME" "$CPU_RUNS" "$VP" --root "$T" detect -- "${lspci[@]}") || return 1
	read -r h l rh <<<"$t"
	t=$("$CPU_TIME" "$CPU_RUNS" "$VP" --root "$T" --json detect -- "${lspci[@]}") || return 1
	read -r j l2 rj <<<"$t"
	l=$(( (l + l2) / 2 ))
	printf '%-22s %-12s %-12s %-12s %-10s %s\n' "$name" "$(ms "$h")" "$(ms "$j")" \
		"$(ms "$l")" "$(ratio "$rh" 1000)" "$(ratio "$rj" 1000)"
}

if [ $have_vp = 1 ] && command -v lspci >/dev/null; then
	echo "detect's CPU (user + sys) against one lspci -nnk on the same tree ($CPU_RUNS runs each, in turn: medians, and the median of the pairs' ratios)"
	printf '%-22s %-12s %-12s %-12s %-10s %s\n' tree detect "detect --json" "lspci -nnk" \
		ratio "ratio --json"
	ex=$work/example
	if "$top/tests/mkroot.sh" "$top/tests/fixtures/skylake-gtx1070.spec" "$ex" >/dev/null &&
	   install -m644 "$top/docs/example.conf" "$ex/etc/vfio-provision.conf"; then
		n=$(ls "$ex/sys/bus/pci/devices" | wc -l)
		cpu_vs_lspci "example ($n functions)" "$ex" || echo "example: failed"
	else
		echo "example machine: mkroot failed"
	fi
	rm -rf "$ex"
	if GEN_TREE=${GEN_TREE:-} "$here/gen-tree.sh" 1000 "$work/cpu-1000" >/dev/null 2>"$work/gen.err"; then
		cpu_vs_lspci "synthetic 1,000" "$work/cpu-1000" || echo "1,000 functions: failed"
	else
		echo "gen-tree 1000 failed:"; cat "$work/gen.err"
	fi
	rm -rf "$work/cpu-1000"
	echo
fi

echo "detect --json vs the lspci loop, synthetic trees under $base (best of $RUNS)"
printf '%-8s %-16s %-34s %s\n' functions "detect --json" "shell loop" ratio
declare -A tvp
for n in $SIZES; do
	T=$work/tree-$n
	if ! GEN_TREE=${GEN_TREE:-} "$here/gen-tree.sh" "$n" "$T" >/dev/null 2>"$work/gen.err"; then
		echo "gen-tree $n failed:"; cat "$work/gen.err"; exit 1
	fi
	vp="-" ; ok=0
	if [ $have_vp = 1 ]; then
		if r=$(best_of "$RUNS" "$VP" --root "$T" detect --json); then
			tvp[$n]=$r; vp=$(secs "$r"); ok=1
		else
			vp="failed ($r)"
			echo "detect on $n functions: $(head -c 300 "$work/err")" >&2
		fi
	fi
	total=$(find "$T/sys/kernel/iommu_groups" -mindepth 3 -maxdepth 3 | wc -l)
	k=$total note=""
	if [ "$total" -gt "$SAMPLE" ] && [ "$n" -gt 1000 ]; then k=$SAMPLE; fi
	lruns=$RUNS; [ "$k" -gt 100 ] && lruns=1
	l=$(best_of "$lruns" loop "$T" "$k")
	if [ "$k" -lt "$total" ]; then
		l=$((l * total / k))
		note=" (extrapolated from $k of $total)"
	fi
	ratio="-"
	[ $ok = 1 ] && ratio=$(awk -v a="$l" -v b="${tvp[$n]}" 'BEGIN { printf "%.0fx", a / (b ? b : 1) }')
	printf '%-8s %-16s %-34s %s\n' "$n" "$vp" "$(secs "$l")$note" "$ratio"
	rm -rf "$T"
done

if [ -n "${tvp[1000]:-}" ] && [ -n "${tvp[10000]:-}" ]; then
	awk -v a="${tvp[1000]}" -v b="${tvp[10000]}" \
		'BEGIN { printf "detect growth from 1,000 to 10,000 functions: %.1fx (linear = 10x)\n", b / a }'
fi
exit 0
