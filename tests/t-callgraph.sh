#!/bin/bash
# Issue 22: no circle of calls between files, in provision/ and early/ (the
# planners below the plan's builder, verify's checks above its report, the
# early program's jobs in one direction). tests/callgraph.py reads the
# objects' symbols with nm. First it is shown a circle, to prove it sees one.
. "$(dirname "$0")/lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
cg=$TESTS/callgraph.py

printf 'int b(void);\nint a(void) { return b(); }\n' >"$t/a.c"
printf 'int a(void);\nint b(void) { return a() + 1; }\nint c(void) { return 0; }\n' >"$t/b.c"
printf 'int c(void);\nint d(void) { return c(); }\n' >"$t/d.c"
for f in a b d; do cc -c -o "$t/$f.o" "$t/$f.c" || not_ok "callgraph: compile $f.c"; done
out=$(python3 "$cg" "$t/a.o" "$t/b.o" "$t/d.o"); rc=$?
check_eq "callgraph: a circle a <-> b fails the check" 1 "$rc"
check_match "callgraph: and is named with its edges" "^circle: a b$" "$out"
out=$(python3 "$cg" "$t/b.o" "$t/d.o"); rc=$?
check_eq "callgraph: d -> b alone is no circle" "0 2 files, 1 edges, 0 circles" "$rc $out"

objs=("$BUILD"/provision/*.o "$BUILD"/early/*.o)
if [ ! -e "${objs[0]}" ]; then not_ok "callgraph: objects under $BUILD"; exit 0; fi
out=$(python3 "$cg" "${objs[@]}"); rc=$?
if [ "$rc" = 0 ]; then ok "callgraph: no circle among provision/ and early/ files ($(tail -1 <<<"$out"))"
else not_ok "callgraph: no circle among provision/ and early/ files" "$out"; fi
