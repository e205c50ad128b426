#!/bin/bash
# Runs every tests/t-*.sh against the built binary ($VP) and counts the
# "ok NAME" / "not ok NAME" / "skip NAME (REASON)" lines they print. Ends
# with "N passed, N failed, N skipped" (CI parses that line: keep its shape).
# A suite that prints no check at all fails (a leftover early exit must not
# turn it green). Under CI=true or VP_NO_SKIP=1 every skip is also counted
# as a failure: the suites that must run there cannot pass by skipping.
#
# The suites are independent (each works in its own mktemp directory), so
# TEST_JOBS of them (default: the number of CPUs) run at once, the longest
# of the last run first ($BUILD/tests/suite-times keeps each suite's
# seconds); each suite's output is printed whole when it ends.
# Usage: tests/run.sh [PATTERN]    (e.g. tests/run.sh detect)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
: "${BUILD:=$top/build/default}"
: "${VP:=$BUILD/vfio-provision}"
: "${TEST_JOBS:=$(nproc 2>/dev/null || echo 1)}"
export VP BUILD TOP="$top" TESTS="$here"
. "$here/lib.sh"

times=$BUILD/tests/suite-times
out=$(mktemp -d "${TMPDIR:-/tmp}/vp-run.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT

# the suites of PATTERN, longest first by the last run's times (new ones first)
order() {
	local t name
	for t in "$here"/t-*.sh; do
		name=$(basename "$t")
		case "$name" in *"${1:-}"*) ;; *) continue ;; esac
		printf '%s %s\n' "$(awk -v n="$name" '$2 == n { s = $1 } END { print s + 0 == s && s != "" ? s : 1e9 }' "$times" 2>/dev/null || echo 1e9)" "$name"
	done | sort -k1,1gr -k2,2 | cut -d' ' -f2
}

# one suite: its output, exit status and seconds in $out
suite() {
	local name=$1 t0=$EPOCHREALTIME rc
	bash "$here/$name" >"$out/$name.out" 2>&1; rc=$?
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }' >"$out/$name.secs"
	echo "$rc" >"$out/$name.rc"
}

pass=0 fail=0 skipped=0
# count NAME: print a finished suite and add its checks to the totals
count() {
	local name=$1 o rc p f s
	o=$(cat "$out/$name.out"); rc=$(cat "$out/$name.rc")
	printf '%s\n' "$o"
	p=$(grep -c '^ok ' <<<"$o")
	f=$(grep -c '^not ok ' <<<"$o")
	s=$(grep -c '^skip ' <<<"$o")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $name: exited $rc"
		f=1
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		echo "not ok $name: no check ran"
		f=1
	fi
	if no_skip && [ "$s" -gt 0 ]; then
		echo "not ok $name: $s check(s) skipped, and CI=true or VP_NO_SKIP=1 allows no skip"
		f=$((f + s))
	fi
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + s))
}

mapfile -t names < <(order "${1:-}")
declare -A done_=()
running=0
# print every suite that has ended since the last look
reap() {
	local n
	for n in "${names[@]}"; do
		[ -z "${done_[$n]:-}" ] && [ -e "$out/$n.rc" ] || continue
		count "$n"; done_[$n]=1; running=$((running - 1))
	done
}
for n in "${names[@]}"; do
	while [ "$running" -ge "$TEST_JOBS" ]; do wait -n; reap; done
	suite "$n" &
	running=$((running + 1))
done
wait; reap

# keep the times for the next run's order (a partial run keeps the others')
if mkdir -p "$(dirname "$times")" 2>/dev/null; then
	{
		for n in "${names[@]}"; do printf '%s %s\n' "$(cat "$out/$n.secs")" "$n"; done
		if [ -r "$times" ]; then grep -vFf <(printf ' %s\n' "${names[@]}") "$times"; fi
		true
	} >"$times.new" 2>/dev/null && mv -f "$times.new" "$times"
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
