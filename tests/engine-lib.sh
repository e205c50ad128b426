# Shared by t-engine.sh, t-crash.sh and t-faults.sh (source after lib.sh).

TREELIST=$BUILD/tests/shim/treelist

# snapshot ROOT: every entry of the root (except the generated sys, proc and
# module trees) with its type, mode, owner and content hash; symlinks with
# their target. Two equal snapshots mean the same tree, modes and owners.
snapshot() { "$TREELIST" "$1"; }

# listing ROOT: the same without our state directory /var/lib/vfio-provision.
listing() { "$TREELIST" "$1" -x var/lib/vfio-provision; }

# mtimes ROOT: inode number and modification time (in nanoseconds) of every
# regular file and directory (for "writes nothing"). A rewrite through a
# temporary file and rename() shows as a new inode whenever it happens; an
# in-place write shows as a later mtime once clock_tick ROOT has returned.
mtimes() {
	(cd "$1" && find . \( -path ./sys -o -path ./proc -o -path ./lib/modules \) -prune -o \
		-printf '%i %T@ %p\n' | sort -k3)
}

# clock_tick ROOT: returns once the file clock has moved past the newest
# mtime in ROOT (as mtimes lists it), so that any write there from now on
# gets a later mtime. File times come from a coarse clock: a write in the
# same tick would keep the old time. Waits for that event (a stamp file
# beside ROOT turning newer), never for a fixed time; fails if the clock
# does not get there (a file dated in the future).
clock_tick() {
	local newest stamp i=0
	newest=$(cd "$1" && find . \( -path ./sys -o -path ./proc -o -path ./lib/modules \) -prune -o \
		-printf '%T@ %p\n' | sort -g | tail -n1 | cut -d' ' -f2-)
	stamp=$(mktemp "${1%/}.tick.XXXXXX") || return 1
	until [ "$stamp" -nt "$1/$newest" ]; do
		i=$((i + 1))
		[ "$i" -le 100000 ] && touch "$stamp" || { rm -f "$stamp"; return 1; }
	done
	rm -f "$stamp"
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

# old_or_new OLD NEW NOW: every path of NOW's listing is as in OLD or as in
# NEW (absent counts), ignoring our ".NAME.vp-tmp" leftovers. Prints the
# offending paths; returns 1 if any.
old_or_new() {
	awk -F'\t' '
		FILENAME == ARGV[1] { o[$1] = $2; all[$1] = 1; next }
		FILENAME == ARGV[2] { n[$1] = $2; all[$1] = 1; next }
		{ w[$1] = $2; all[$1] = 1 }
		END {
			bad = 0
			for (p in all) {
				if (p ~ /\.vp-tmp$/) continue
				cur = (p in w) ? w[p] : "absent"
				old = (p in o) ? o[p] : "absent"
				new = (p in n) ? n[p] : "absent"
				if (cur != old && cur != new) { print p ": " cur " (old " old ", new " new ")"; bad = 1 }
			}
			exit bad
		}' <(printf '%s\n' "$1") <(printf '%s\n' "$2") <(printf '%s\n' "$3")
}

# fasttmp: a scratch directory on tmpfs where there is one: the crash and
# fault tests run apply hundreds of times, and its fsync()s are slow on disk
# (fsync does not matter for SIGKILL, only for power loss).
fasttmp() {
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm tmpdir; else tmpdir; fi
}
