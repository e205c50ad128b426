#!/bin/bash
# The bad-input catalogue (tests/bad-input/*.case, format in its README):
# every case gets its message, its exit code, and an untouched root.
. "$(dirname "$0")/lib.sh"

work=$(tmpdir)
trap 'rm -rf "$work"' EXIT

# snapshot DIR: one line per entry (type, mode, link target, content hash).
snapshot() {
	(cd "$1" && find . -path ./proc -prune -o -path ./sys -prune -o \
		-printf '%y %m %p -> %l\n' | LC_ALL=C sort &&
		find . -path ./proc -prune -o -path ./sys -prune -o -type f -print0 |
		LC_ALL=C sort -z | xargs -0r sha256sum)
}

# overlay CASE ROOT: applies the file/rm/dir/symlink/chmod directives.
overlay() {
	local l p t in_file=0 f=""
	while IFS= read -r l; do
		if [ $in_file = 1 ]; then
			if [ "$l" == EOF ]; then in_file=0; else printf '%s\n' "$l" >>"$2/$f"; fi
			continue
		fi
		case $l in
		'#'* | '') ;;
		file\ *) f=${l#file }; f=${f#/}; mkdir -p "$2/$(dirname "$f")"; rm -rf "${2:?}/$f"; : >"$2/$f"; in_file=1 ;;
		rm\ *) p=${l#rm }; rm -rf "${2:?}/${p#/}" ;;
		dir\ *) p=${l#dir }; mkdir -p "$2/${p#/}" ;;
		symlink\ *) read -r _ p t <<<"$l"; p=${p#/}; mkdir -p "$2/$(dirname "$p")"; rm -rf "${2:?}/$p"; ln -s "$t" "$2/$p" ;;
		chmod\ *) read -r _ t p <<<"$l"; chmod "$t" "$2/${p#/}" ;;
		nul\ *) read -r _ p t <<<"$l"; p=$2/${p#/}
			{ head -c "$t" "$p"; printf '\0'; tail -c +"$((t + 1))" "$p"; } >"$p.nul" &&
				chmod --reference="$p" "$p.nul" && mv "$p.nul" "$p" ;;
		fifo\ *) p=${l#fifo }; p=${p#/}; mkdir -p "$2/$(dirname "$p")"; rm -rf "${2:?}/$p"; mkfifo "$2/$p" ;;
		*) echo "bad directive: $l" >&2; return 1 ;;
		esac
	done <"$1"
}

for c in "$TESTS"/bad-input/*.case; do
	name=bad-input/$(basename "$c" .case)
	base=$(sed -n 's/^#: base //p' "$c")
	run=$(sed -n 's/^#: run //p' "$c")
	want_rc=$(sed -n 's/^#: rc //p' "$c")
	changes=$(sed -n 's/^#: changes //p' "$c")
	fix=$(mkfix "$base") || { not_ok "$name" "cannot build fixture $base"; continue; }
	root=$work/$(basename "$c" .case)
	cp -a "$fix" "$root"
	overlay "$c" "$root" || { not_ok "$name" "bad case file"; continue; }
	before=$(snapshot "$root")
	# shellcheck disable=SC2086
	# a hang (a FIFO read without O_NONBLOCK) fails the case, exit 124
	out=$(timeout 10 "$VP" --root "$root" $run 2>&1 </dev/null)
	rc=$?
	fails=()
	[ "$rc" == "$want_rc" ] || fails+=("exit code $rc, expected $want_rc")
	while IFS= read -r re; do
		grep -qE -- "$re" <<<"$out" || fails+=("no match for /$re/")
	done < <(sed -n 's/^#: msg //p' "$c")
	while IFS= read -r re; do
		! grep -qE -- "$re" <<<"$out" || fails+=("a match for /$re/, which must not be there")
	done < <(sed -n 's/^#: nomsg //p' "$c")
	if [ "$changes" != yes ]; then
		d=$(diff <(echo "$before") <(snapshot "$root")) || fails+=("the root changed:" "$d")
	fi
	if [ ${#fails[@]} -eq 0 ]; then ok "$name"; else not_ok "$name" "${fails[@]}" "output:" "$out"; fi
	rm -rf "$root"
done
