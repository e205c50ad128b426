#!/bin/bash
# Faults: ENOSPC, EACCES, EROFS and EIO injected (tests/shim/faults.so) at
# open, write, fsync and rename of the files apply writes: a clear message
# naming the path, exit 2, the file wholly old, no temporary file left, and
# revert still restores the original tree exactly. Also faults in the
# ledger/blob writes and during revert itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

SHIM=$BUILD/tests/shim/faults.so
if [ ! -f "$SHIM" ] || [ ! -x "$TREELIST" ]; then not_ok "faults: $SHIM and $TREELIST built"; exit 0; fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"

t=$(fasttmp); trap 'rm -rf "$t"' EXIT
fresh engine-debian "$t/P" || { not_ok "fixture engine-debian"; exit 0; }
chown 0:4 "$t/P/etc/fstab"; chmod 0640 "$t/P/etc/fstab"
P=$(snapshot "$t/P")

declare -A text=([ENOSPC]="No space left on device" [EACCES]="Permission denied"
	[EROFS]="Read-only file system" [EIO]="Input/output error")
declare -A what=([open]="cannot create temporary file" [write]="cannot write"
	[fsync]="cannot sync" [rename]="cannot rename temporary file into place")

# fault NAME OP ERRNO MATCH PATH_IN_MESSAGE [ARGS...]: apply with the fault on
# a fresh copy; checks the exit, the message, the file, temporaries, revert.
fault() {
	local name=$1 op=$2 err=$3 match=$4 path=$5 out rc tmps
	shift 5
	rm -rf "$t/w"; cp -a "$t/P" "$t/w"
	out=$(VP_FAULT_ROOT=$t/w VP_FAULT_OP=$op VP_FAULT_ERRNO=$err VP_FAULT_MATCH=$match \
		LD_PRELOAD=$SHIM "$VP" --root "$t/w" "${@:-apply}" 2>&1); rc=$?
	check_eq "faults: $name: exit 2" 2 "$rc"
	check_match "faults: $name: message names the path and the error" \
		"^vfio-provision: '$path': .*${text[$err]}" "$out"
	check_eq "faults: $name: $path wholly old" \
		"$(grep -P "^${path#/}\t" <<<"$P")" "$(snapshot "$t/w" | grep -P "^${path#/}\t")"
	tmps=$(find "$t/w" \( -path "$t/w/sys" -o -path "$t/w/proc" \) -prune -o -name '*.vp-tmp' -print)
	check_eq "faults: $name: no temporary file left" "" "$tmps"
	"$VP" --root "$t/w" revert >/dev/null 2>&1
	check_eq "faults: $name: revert restores everything" "$P" "$(snapshot "$t/w")"
}

for op in open write fsync rename; do
	for err in ENOSPC EACCES EROFS EIO; do
		fault "$op $err on fstab" "$op" "$err" fstab /etc/fstab
	done
done
# a new file, the ledger and a blob
fault "write ENOSPC on vfio.conf" write ENOSPC vfio.conf /etc/modprobe.d/vfio.conf
fault "rename EIO on early.conf" rename EIO early.conf /etc/vfio-provision/early.conf
fault "write EIO on the ledger" write EIO ledger /var/lib/vfio-provision/ledger
fault "open EROFS on the ledger" open EROFS ledger /var/lib/vfio-provision/ledger
fault "fsync EIO on a blob" fsync EIO blobs /var/lib/vfio-provision/blobs/1
# the message says what failed
out=$(VP_FAULT_ROOT=$t/w VP_FAULT_OP=fsync VP_FAULT_ERRNO=EIO VP_FAULT_MATCH=fstab \
	LD_PRELOAD=$SHIM "$VP" --root "$t/w" apply 2>&1)
for op in open write fsync rename; do
	rm -rf "$t/w"; cp -a "$t/P" "$t/w"
	out=$(VP_FAULT_ROOT=$t/w VP_FAULT_OP=$op VP_FAULT_ERRNO=EIO VP_FAULT_MATCH=fstab \
		LD_PRELOAD=$SHIM "$VP" --root "$t/w" apply 2>&1)
	check_match "faults: $op: message says '${what[$op]}'" "'/etc/fstab': ${what[$op]}: " "$out"
done

# revert itself hits a fault: exit 2, ledger kept, a second revert finishes
rm -rf "$t/w"; cp -a "$t/P" "$t/w"
"$VP" --root "$t/w" apply >/dev/null 2>&1
out=$(VP_FAULT_ROOT=$t/w VP_FAULT_OP=rename VP_FAULT_ERRNO=EIO VP_FAULT_MATCH=fstab \
	LD_PRELOAD=$SHIM "$VP" --root "$t/w" revert 2>&1); rc=$?
check_eq "faults: revert with EIO on fstab: exit 2" 2 "$rc"
check_match "faults: revert with EIO: message" "^vfio-provision: '/etc/fstab': .*Input/output error" "$out"
check "faults: revert with EIO: ledger kept" test -f "$t/w/var/lib/vfio-provision/ledger"
"$VP" --root "$t/w" revert >/dev/null 2>&1
check_eq "faults: second revert restores everything" "$P" "$(snapshot "$t/w")"

# the same with the user's edits in the files after apply: every fault in
# revert (and in the apply of another config) leaves them, and a revert
# without the fault gives back exactly the user's files
cp -a "$t/P" "$t/PE"
echo '/dev/sdb1 /data ext4 defaults 0 2' >>"$t/PE/etc/fstab"
sed -i 's/^GRUB_CMDLINE_LINUX=""/GRUB_CMDLINE_LINUX="mitigations=off"/' "$t/PE/etc/default/grub"
PE=$(snapshot "$t/PE")
for op in open write fsync rename; do
	for verb in revert apply; do
		rm -rf "$t/w"; cp -a "$t/P" "$t/w"
		"$VP" --root "$t/w" apply >/dev/null 2>&1
		echo '/dev/sdb1 /data ext4 defaults 0 2' >>"$t/w/etc/fstab"
		sed -i 's/^GRUB_CMDLINE_LINUX=""/GRUB_CMDLINE_LINUX="mitigations=off"/' "$t/w/etc/default/grub"
		printf '[hugepages]\ncount = 2\nmount = /dev/hugepages-vm\n' >"$t/w/etc/vfio-b.conf"
		args=(revert); [ "$verb" = apply ] && args=(--config /etc/vfio-b.conf apply)
		out=$(VP_FAULT_ROOT=$t/w VP_FAULT_OP=$op VP_FAULT_ERRNO=EIO VP_FAULT_MATCH=fstab \
			LD_PRELOAD=$SHIM "$VP" --root "$t/w" "${args[@]}" 2>&1); rc=$?
		check_eq "faults, user edits: $verb with $op EIO on fstab: exit 2" 2 "$rc"
		check_match "faults, user edits: $verb with $op EIO: the user's line is there" \
			'^/dev/sdb1 /data ext4 defaults 0 2$' "$(cat "$t/w/etc/fstab")"
		rm -f "$t/w/etc/vfio-b.conf"
		"$VP" --root "$t/w" revert >/dev/null 2>&1
		check_eq "faults, user edits: $verb with $op EIO, then revert: the user's files" \
			"$PE" "$(snapshot "$t/w")"
	done
done

# A directory apply creates is swapped for a link to a host directory right
# after mkdirat (an attacker racing us in a tree someone else controls): the
# mode is set through the descriptor, the walk refuses the link, and neither
# the host directory's mode nor its content changes.
rm -rf "$t/w" "$t/host"; cp -a "$t/P" "$t/w"; mkdir -m 0700 "$t/host"
out=$(VP_FAULT_ROOT=$t/w VP_FAULT_SWAP_MKDIR="vfio-provision:$t/host" \
	LD_PRELOAD=$SHIM "$VP" --root "$t/w" apply 2>&1); rc=$?
check_eq "race: a link swapped in after mkdirat: apply fails" 2 "$rc"
check_match "race: says a link appeared" "symbolic link appeared" "$out"
check_eq "race: the host directory keeps its mode and stays empty" "700 " \
	"$(stat -c %a "$t/host") $(ls -A "$t/host")"
