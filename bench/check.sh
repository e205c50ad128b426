#!/bin/bash
# bench/check.sh (run by `make bench`): the CPU time (user + sys) of
# `vfio-provision --root T check` on an applied fixture root, the path a
# package or kernel hook takes on every upgrade. Runs check N times and
# reports the mean per run; the figure is CPU time, so a loaded machine
# changes it less than wall time.
#
# Environment: VP (the binary), SPEC (default the example machine,
# tests/fixtures/skylake-gtx1070.spec), N (default 200).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
: "${BUILD:=$top/build/default}"
: "${VP:=$BUILD/vfio-provision}"
: "${SPEC:=$top/tests/fixtures/skylake-gtx1070.spec}"
: "${N:=200}"

if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=$BUILD/bench; mkdir -p "$base"; fi
work=$(mktemp -d "$base/vp-bench-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
T=$work/root

"$top/tests/mkroot.sh" "$SPEC" "$T" >/dev/null || { echo "mkroot $SPEC failed"; exit 1; }
"$VP" --root "$T" apply >/dev/null || { echo "apply on $SPEC failed"; exit 1; }
"$VP" --root "$T" check >/dev/null
rc=$?
[ $rc -eq 0 ] || { echo "check after apply exits $rc, not 0"; exit 1; }

# The children's CPU time, from bash's `times` (second line: children's
# user and system time as XmY.ZZZs), in a subshell that runs only check.
cpu=$( (
	for ((i = 0; i < N; i++)); do "$VP" --root "$T" check >/dev/null || exit 1; done
	times
) | awk 'NR == 2 {
	split($1, u, /[ms]/); split($2, s, /[ms]/)
	printf "%.0f", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1e6 }')
[ -n "$cpu" ] || { echo "check failed during the runs"; exit 1; }
awk -v c="$cpu" -v n="$N" -v spec="$(basename "$SPEC")" 'BEGIN {
	printf "check on an applied %s root: %.2f ms CPU (user+sys) per run, mean of %d runs\n",
		spec, c / n / 1000, n }'
