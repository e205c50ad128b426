# Sourced by tests/t-*.sh. Each check prints "ok NAME", "not ok NAME"
# (with the detail indented below) or "skip NAME (REASON)" when it could
# not run here; tests/run.sh counts the three apart. A skip is never an
# "ok": under CI=true or VP_NO_SKIP=1, run.sh counts every skip as a
# failure too.
set -u
: "${VP:?VP must point at the vfio-provision binary}"
: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${BUILD:=$TOP/build/default}"
TESTS=$TOP/tests
FIXTURES=$TESTS/fixtures
EXPECTED=$TESTS/expected
# Fixture roots are generated from tests/fixtures/*.spec into the build tree.
FIXROOTS=$BUILD/fixtures

ok() { echo "ok $1"; }
# skip NAME REASON: the check could not run here (no pass, no failure)
skip() { echo "skip $1 ($2)"; }
# no_skip: true where a skip must count as a failure (CI sets CI=true).
no_skip() { [ "${CI:-}" = true ] || [ "${VP_NO_SKIP:-0}" = 1 ]; }
not_ok() { echo "not ok $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /'; return 0; }

# check NAME COMMAND...: ok when the command exits 0
check() { local n=$1; shift; if "$@" >/dev/null 2>&1; then ok "$n"; else not_ok "$n" "failed: $*"; fi; }

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# check_match NAME REGEX TEXT (grep -E on the text)
check_match() {
	if grep -qE -- "$2" <<<"$3"; then ok "$1"; else not_ok "$1" "no match for /$2/ in:" "$3"; fi
}

# golden NAME FILE ACTUAL_TEXT: compares with tests/expected/FILE.
# UPDATE_GOLDEN=1 rewrites the expected file instead: that compared
# nothing, so it is a skip (and a failure in CI), never an "ok".
golden() {
	local exp=$EXPECTED/$2
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$(dirname "$exp")"; printf '%s\n' "$3" >"$exp"; skip "$1" "golden updated"; return
	fi
	if [ ! -f "$exp" ]; then not_ok "$1" "missing golden file $exp"; return; fi
	local d
	if d=$(diff -u "$exp" - <<<"$3"); then ok "$1"; else not_ok "$1" "$d"; fi
}

# mkfix NAME: builds the fixture root (once per run) and prints its path.
# Suites run side by side (tests/run.sh): the first to need a fixture builds
# it under a lock, the others wait for it and then read it.
mkfix() {
	local out=$FIXROOTS/$1
	mkfix_fresh() { [ -e "$out/.built" ] && ! [ "$FIXTURES/$1.spec" -nt "$out/.built" ]; }
	if ! mkfix_fresh "$1"; then
		mkdir -p "$FIXROOTS" || return 1
		( flock 9 || exit 1
		  mkfix_fresh "$1" && exit 0
		  rm -rf "$out"
		  "$TESTS/mkroot.sh" "$FIXTURES/$1.spec" "$out" >/dev/null || exit 1
		  touch "$out/.built" ) 9>"$FIXROOTS/.$1.lock" || return 1
	fi
	echo "$out"
}

# tmpdir: a fresh directory removed at exit.
tmpdir() { local d; d=$(mktemp -d "${TMPDIR:-/tmp}/vp-test.XXXXXX"); echo "$d"; }

# libvirt_test_node FILE DOMAIN_XML...: a file for libvirt's test driver
# (test:///FILE, no daemon) holding the domains, each marked shut off (the
# driver runs the domains of its file unless told). Each connection reads
# the file afresh: what one defines, the next does not see.
libvirt_test_node() {
	local out=$1 d
	shift
	{
		echo "<node>"
		for d in "$@"; do
			sed -e 's|^<domain type=.test.|& xmlns:test="http://libvirt.org/schemas/domain/test/1.0"|' \
			    -e 's|^</domain>|  <test:runstate>5</test:runstate>\n&|' "$d"
		done
		echo "</node>"
	} >"$out"
}

# in_private_ns PATH CMD...: runs CMD in a mount namespace of its own where
# the mount holding PATH is private, so a mount made on PATH never shows
# outside. Not `unshare --propagation private`: that makes '/' private, which
# fails in a plain chroot ('/' is not a mount point there); only the mount
# above PATH is needed. Exit 125 when that cannot be done.
in_private_ns() {
	local above
	above=$(findmnt -n -o TARGET --target "$1" 2>/dev/null) || return 125
	shift
	unshare -m --propagation unchanged sh -c 'mount --make-rprivate "$1" || exit 125; shift; exec "$@"' \
		_ "$above" "$@"
}

# json_schema NAME SCHEMA FILE...: each file is one JSON document that
# docs/SCHEMA.schema.json accepts (python3-jsonschema; one process for all).
json_schema() {
	local name=$1 schema=$TOP/docs/$2.schema.json out
	shift 2
	if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
		skip "$name" "python3-jsonschema is not installed"
		return
	fi
	if out=$("$TESTS/validate-json.py" "$schema" "$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}
