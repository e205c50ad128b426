#!/bin/bash
# Runs every tests/t-*.sh against the built binary ($VP) and counts the
# "ok NAME" / "not ok NAME" lines they print. Ends with "N passed, N failed".
# Usage: tests/run.sh [PATTERN]    (e.g. tests/run.sh detect)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
: "${BUILD:=$top/build/default}"
: "${VP:=$BUILD/vfio-provision}"
export VP BUILD TOP="$top" TESTS="$here"
pass=0 fail=0
for t in "$here"/t-*.sh; do
	case "$(basename "$t")" in *"${1:-}"*) ;; *) continue ;; esac
	out=$(bash "$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(grep -c '^ok ' <<<"$out")
	f=$(grep -c '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $(basename "$t"): exited $rc"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
