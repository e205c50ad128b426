#!/bin/bash
# The harness itself (tests/run.sh and lib.sh's skip/golden): a skip is
# reported and counted as a skip, never as an "ok"; under CI=true or
# VP_NO_SKIP=1 a skip fails; a suite that runs no check fails; and
# UPDATE_GOLDEN=1 makes a golden a skip, not a pass. Runs copies of run.sh
# and lib.sh on small made-up suites in a scratch tree.
. "$(dirname "$0")/lib.sh"

w=$(tmpdir); trap 'rm -rf "$w"' EXIT
mkdir -p "$w/tests/expected"
cp "$TESTS/run.sh" "$TESTS/lib.sh" "$w/tests/"

# suite NAME BODY: one made-up tests/t-NAME.sh (lib.sh sourced), alone in the tree
# shellcheck disable=SC2016  # the suite expands $0 itself
suite() {
	rm -f "$w"/tests/t-*.sh
	printf '. "$(dirname "$0")/lib.sh"\n%s\n' "$2" >"$w/tests/t-$1.sh"
}
# harness [VAR=VALUE...]: run.sh on the scratch tree with exactly that
# environment for CI, VP_NO_SKIP and UPDATE_GOLDEN; sets $out, $rc, $last
harness() {
	out=$(env -u CI -u VP_NO_SKIP -u UPDATE_GOLDEN "$@" VP=/bin/true BUILD="$w" \
		bash "$w/tests/run.sh" 2>&1); rc=$?
	last=$(tail -n1 <<<"$out")
}

suite pass 'ok "a check"'
harness
check_eq "harness: passes are counted" "0 1 passed, 0 failed, 0 skipped" "$rc $last"

suite skip 'ok "a check"; skip "another" "no such thing here"'
harness
check_match "harness: a skip prints 'skip NAME (reason)'" '^skip another \(no such thing here\)$' "$out"
check_eq "harness: a skip is counted apart, not as a pass" "0 1 passed, 0 failed, 1 skipped" "$rc $last"
harness CI=true
check_eq "harness: CI=true: a skip fails" "1 1 passed, 1 failed, 1 skipped" "$rc $last"
harness VP_NO_SKIP=1
check_eq "harness: VP_NO_SKIP=1: a skip fails" "1 1 passed, 1 failed, 1 skipped" "$rc $last"
harness CI=false
check_eq "harness: CI=false is not CI" "0 1 passed, 0 failed, 1 skipped" "$rc $last"

suite empty 'exit 0'
harness
check_eq "harness: a suite with no check fails" "1 0 passed, 1 failed, 0 skipped" "$rc $last"
check_match "harness: ... and says so" '^not ok t-empty\.sh: no check ran$' "$out"

suite exits 'ok "a check"; exit 3'
harness
check_eq "harness: a suite that exits non-zero fails" "1 1 passed, 1 failed, 0 skipped" "$rc $last"

printf 'old\n' >"$w/tests/expected/g.txt"
suite golden 'golden "a golden" g.txt "new"'
harness
check_eq "harness: a golden that differs fails" "1 0 passed, 1 failed, 0 skipped" "$rc $last"
harness UPDATE_GOLDEN=1
check_eq "harness: UPDATE_GOLDEN=1 is a skip, not a pass" "0 0 passed, 0 failed, 1 skipped" "$rc $last"
check_match "harness: UPDATE_GOLDEN=1 says so" '^skip a golden \(golden updated\)$' "$out"
check_eq "harness: UPDATE_GOLDEN=1 wrote the file" new "$(cat "$w/tests/expected/g.txt")"
harness UPDATE_GOLDEN=1 CI=true
check_eq "harness: UPDATE_GOLDEN=1 under CI fails" "1 0 passed, 1 failed, 1 skipped" "$rc $last"

# The QEMU suites where QEMU cannot start: a counted skip (exit 0) locally,
# a failure under CI. A stand-in qemu-system-x86_64 that exits at once; each
# suite stops at its start, before any download or boot.
mkdir -p "$w/noqemu"
printf '#!/bin/sh\nexit 1\n' >"$w/noqemu/qemu-system-x86_64"
chmod +x "$w/noqemu/qemu-system-x86_64"
for s in run runtime rtdisk bootpages; do
	for ci in "" true; do
		out=$(env -u VP_NO_SKIP CI=$ci PATH="$w/noqemu:$PATH" E2E_CACHE="$w/e2e-cache" \
			bash "$TESTS/e2e/$s.sh" 2>&1); rc=$?
		want="0 0 passed, 0 failed, 1 skipped"
		[ -n "$ci" ] && want="1 0 passed, 1 failed, 1 skipped"
		check_eq "harness: e2e $s.sh without QEMU${ci:+, CI=true}: $( [ -n "$ci" ] && echo fails || echo a counted skip)" \
			"$want" "$rc $(tail -n1 <<<"$out")"
	done
done
