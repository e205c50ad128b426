#!/bin/bash
# Runs every tests/t-*.sh against the built binary ($VP) and counts the
# "ok NAME" / "not ok NAME" / "skip NAME (REASON)" lines they print. Ends
# with "N passed, N failed, N skipped" (CI parses that line: keep its shape).
# A suite that prints no check at all fails (a leftover early exit must not
# turn it green). Under CI=true or VP_NO_SKIP=1 every skip is also counted
# as a failure: the suites that must run there cannot pass by skipping.
# Usage: tests/run.sh [PATTERN]    (e.g. tests/run.sh detect)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
: "${BUILD:=$top/build/default}"
: "${VP:=$BUILD/vfio-provision}"
export VP BUILD TOP="$top" TESTS="$here"
. "$here/lib.sh"
pass=0 fail=0 skipped=0
for t in "$here"/t-*.sh; do
	name=$(basename "$t")
	case "$name" in *"${1:-}"*) ;; *) continue ;; esac
	out=$(bash "$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(grep -c '^ok ' <<<"$out")
	f=$(grep -c '^not ok ' <<<"$out")
	s=$(grep -c '^skip ' <<<"$out")
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
done
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
