# Shared by t-engine.sh, t-crash.sh and t-faults.sh (source after lib.sh).

# snapshot ROOT: every entry of the root (except the generated sys, proc and
# module trees) with its type, mode, owner and, for files, a checksum; symlinks
# with their target. Two equal snapshots mean the same tree, modes and owners.
snapshot() {
	(cd "$1" && find . \( -path ./sys -o -path ./proc -o -path ./lib/modules \) -prune -o \
		-printf '%y %m %U:%G %p -> %l\n' | sort
	 find . \( -path ./sys -o -path ./proc -o -path ./lib/modules \) -prune -o \
		-type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# mtimes ROOT: modification times of every regular file and directory (for
# "writes nothing").
mtimes() {
	(cd "$1" && find . \( -path ./sys -o -path ./proc -o -path ./lib/modules \) -prune -o \
		-printf '%T@ %p\n' | sort -k2)
}

# same_tree NAME A B: snapshot equal and `diff -r` clean
same_tree() {
	local d
	if ! d=$(diff -u <(snapshot "$2") <(snapshot "$3")); then
		not_ok "$1" "$d"; return
	fi
	if ! d=$(diff -r --no-dereference -x sys -x proc "$2" "$3" 2>&1); then
		not_ok "$1" "$d"; return
	fi
	ok "$1"
}

# fresh NAME DIR: a private copy of fixture NAME at DIR
fresh() {
	local src
	src=$(mkfix "$1") || { echo "mkfix $1 failed" >&2; return 1; }
	rm -rf "$2"; cp -a "$src" "$2"
}
