#!/bin/bash
# Golden trees: for Arch-, Fedora- and Debian-shaped roots, `plan` prints
# exactly the expected diff and `apply --root` on a copy produces exactly
# the expected files (tests/expected/trees/NAME/, with NAME.list naming
# every changed or new entry and its mode). Then the consumers read the
# result back: `verify` is clean, and `findmnt --verify` finds nothing in
# our fstab line and nothing new elsewhere. UPDATE_GOLDEN=1 rewrites.
. "$(dirname "$0")/lib.sh"

work=$(tmpdir)
trap 'rm -rf "$work"' EXIT

# changes FIXTURE ROOT OUT: copies every file that apply created or changed
# into OUT and prints "TYPE MODE PATH" for each changed entry, sorted.
changes() {
	local p
	(cd "$2" && find . \( -path ./proc -o -path ./sys -o -path ./var/lib/vfio-provision \) -prune \
		-o -printf '%P\n') | LC_ALL=C sort | while IFS= read -r p; do
		[ -n "$p" ] || continue
		if [ -L "$2/$p" ]; then
			[ "$(readlink "$2/$p")" == "$(readlink "$1/$p" 2>/dev/null)" ] ||
				echo "l $p -> $(readlink "$2/$p")"
		elif [ -d "$2/$p" ]; then
			[ -d "$1/$p" ] || echo "d $(stat -c %a "$2/$p") $p"
		elif ! cmp -s "$1/$p" "$2/$p" || [ "$(stat -c %a "$1/$p")" != "$(stat -c %a "$2/$p")" ]; then
			echo "f $(stat -c %a "$2/$p") $p"
			mkdir -p "$3/$(dirname "$p")"
			cp "$2/$p" "$3/$p"
		fi
	done
	(cd "$1" && find . \( -path ./proc -o -path ./sys \) -prune -o -printf '%P\n') |
		while IFS= read -r p; do
			[ -z "$p" ] || [ -e "$2/$p" ] || [ -L "$2/$p" ] || echo "removed $p"
		done
}

# findmnt_verify ROOT FSTAB: findmnt --verify on FSTAB, with ROOT's /dev
# (where apply made the mount point) in a private mount namespace.
findmnt_verify() {
	in_private_ns /dev sh -c 'mount --bind "$1/dev" /dev && exec findmnt --verify --verbose --tab-file "$2"' \
		sh "$1" "$2" 2>&1
}

for name in arch fedora debian; do
	fix=$(mkfix "plan-$name") || { not_ok "plan-files/$name: fixture"; continue; }
	root=$work/$name
	cp -a "$fix" "$root"

	out=$("$VP" --root "$root" plan 2>&1)
	check_eq "plan-files/$name: plan exits 1 (changes pending)" 1 $?
	golden "plan-files/$name: plan output" "trees/$name.plan" "$out"

	out=$("$VP" --root "$root" apply 2>&1)
	check_eq "plan-files/$name: apply exits 0" 0 $?

	tree=$work/$name.tree
	mkdir -p "$tree"
	list=$(changes "$fix" "$root" "$tree")
	golden "plan-files/$name: changed entries" "trees/$name.list" "$list"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		rm -rf "$EXPECTED/trees/$name"
		cp -a "$tree" "$EXPECTED/trees/$name"
		skip "plan-files/$name: files equal the golden tree" "golden updated"
	elif d=$(diff -r "$EXPECTED/trees/$name" "$tree" 2>&1); then
		ok "plan-files/$name: files equal the golden tree"
	else
		not_ok "plan-files/$name: files equal the golden tree" "$d"
	fi

	out=$("$VP" --root "$root" verify 2>&1)
	check_eq "plan-files/$name: verify exits 0" 0 $?
	check_match "plan-files/$name: verify finds nothing" ' 0 errors, 0 warnings$' "$out"

	if ! in_private_ns /dev true 2>/dev/null; then
		skip "plan-files/$name: findmnt --verify" "no mount namespaces here"
		continue
	fi
	before=$(findmnt_verify "$root" "$fix/etc/fstab")
	after=$(findmnt_verify "$root" "$root/etc/fstab")
	mount=$(awk '$3 == "hugetlbfs" { print $2 }' "$root/etc/fstab")
	# our entry's block: the target line and its indented findings
	ours=$(awk -v t="$mount" '/^[^ ]/ { in_ours = ($0 == t) } in_ours' <<<"$after")
	check_match "plan-files/$name: findmnt sees our entry" '^   \[ \] FS options: pagesize=1G,mode=1770,gid=[0-9]+$' "$ours"
	if grep -q '\[[EW]\]' <<<"$ours"; then
		not_ok "plan-files/$name: findmnt --verify clean for our entry" "$ours"
	else
		ok "plan-files/$name: findmnt --verify clean for our entry"
	fi
	# everything else as findmnt saw it before, and no parse errors
	others=$(awk -v t="$mount" '/^[^ ]/ { in_ours = ($0 == t) } !in_ours' <<<"$after" | grep -v ' parse errors, ')
	check_eq "plan-files/$name: findmnt --verify unchanged for the rest" \
		"$(grep -v ' parse errors, ' <<<"$before")" "$others"
	check_match "plan-files/$name: findmnt --verify: no parse errors" '^0 parse errors' "$after"
done
