#!/bin/bash
# The README's worked example is what a new user sees: `make example` (the
# real target, with the shipped example config) builds the example machine,
# then every command of the README's console blocks on it runs in a copy of
# the checkout's layout, and its output must match the README line for
# line; a line "..." stands for one or more lines left out. The config the
# README shows is the one `make example` ships.
. "$(dirname "$0")/lib.sh"
work=$(tmpdir); trap 'rm -rf "$work"' EXIT

# The README's checkout, where its absolute paths point
CHECKOUT=/src/vfio-provision
W=$(cd "$work" && pwd -P)/vfio-provision
mkdir -p "$W/build/default"
ln -s "$VP" "$W/build/default/vfio-provision"

example() {
	rm -rf "$W/build/default/example"
	make -s -C "$TOP" example EXAMPLE_ROOT="$W/build/default/example" SANITIZE="${SANITIZE:-}" \
		>"$work/make.log" 2>&1
}

# --- the config the README shows is the one make example ships ---------------
readme_ini=$(awk '/^```ini$/ {on = 1; next} on && /^```$/ {exit} on' "$TOP/README.md")  # the first ini block: the worked example
check_eq "README's example config is docs/example.conf" "$(cat "$TOP/docs/example.conf")" "$readme_ini"
if example; then ok "make example"; else not_ok "make example" "$(tail -20 "$work/make.log")"; exit 0; fi
check_eq "make example ships the config" "$(cat "$TOP/docs/example.conf")" \
	"$(cat "$W/build/default/example/etc/vfio-provision.conf" 2>&1)"
check_match "make example ends with detect's verdict" '^  Verdict:    ok$' "$(cat "$work/make.log")"

# matches EXPECTED ACTUAL: line for line, "..." standing for one or more lines
matches() {
	python3 - "$1" "$2" <<'EOF'
import sys
exp = sys.argv[1].split("\n")
act = sys.argv[2].split("\n")
segs, cur = [], []
for line in exp:
    if line == "...":
        segs.append(cur)
        cur = []
    else:
        cur.append(line)
segs.append(cur)

def at(i, seg):
    return act[i:i + len(seg)] == seg

def search(i, k):
    """segment k placed at act[i:] or later (after a gap of at least one line when k > 0)"""
    seg = segs[k]
    last = k == len(segs) - 1
    starts = [i] if k == 0 else range(i + 1, len(act) + 1)
    for s in starts:
        if not at(s, seg):
            continue
        end = s + len(seg)
        if last:
            if end == len(act):
                return True
            continue
        if search(end, k + 1):
            return True
    return False

if search(0, 0):
    sys.exit(0)
print("the README's lines are not what it prints ('...' stands for one or more lines)")
sys.exit(1)
EOF
}

# run_block NAME BLOCK: each "$ COMMAND" line is run by bash in $W, and its
# output (stdout and stderr, with $W written as the README's checkout) must
# match the lines up to the next command.
run_block() {
	local name=$1 cmd="" exp="" line n=0
	flush() {
		[ -n "$cmd" ] || return 0
		local out
		out=$(cd "$W" && bash -c "$cmd" 2>&1 | sed "s|$W|$CHECKOUT|g")
		n=$((n + 1))
		if msg=$(matches "${exp%$'\n'}" "$out"); then
			ok "$name: \$ $cmd"
		else
			not_ok "$name: \$ $cmd" "$msg" "--- the README:" "${exp%$'\n'}" "--- what it prints:" "$out"
		fi
	}
	while IFS= read -r line; do
		if [[ $line == '$ '* ]]; then
			flush
			cmd=${line#\$ } exp=""
		else
			exp+=$line$'\n'
		fi
	done <<<"${2%$'\n'}"
	flush
}

# the console blocks that run on the example machine, in the README's order
blocks=$(awk '/^```console$/ {on = 1; b = ""; next}
	on && /^```$/ {on = 0; if (b ~ /build\/default\/example/) printf "%s\036", b; next}
	on {b = b $0 "\n"}' "$TOP/README.md")
check_match "the README has the worked example" 'build/default/example plan' "$blocks"
i=0
while IFS= read -r -d $'\036' block; do
	i=$((i + 1))
	# each block starts from the example machine as make example leaves it
	example || { not_ok "make example (block $i)"; continue; }
	run_block "README example $i" "$block"
done <<<"$blocks"
