#!/bin/bash
# Crash consistency: apply (and revert) killed with SIGKILL just before each
# of their file-changing calls in turn (tests/shim/faults.so counts them),
# in six scenarios (two with the user's edits in the files after apply), at
# least 200 points in all. After every kill each file
# must be wholly old or wholly new; then both a new run of the same command
# and a revert must converge (same tree as an uninterrupted run; original
# tree, modes and owners after revert).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

SHIM=$BUILD/tests/shim/faults.so
if [ ! -f "$SHIM" ] || [ ! -x "$TREELIST" ]; then not_ok "crash: $SHIM and $TREELIST built"; exit 0; fi
# the shim is preloaded ahead of the sanitizer runtime
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"

t=$(fasttmp); trap 'rm -rf "$t"' EXIT
fresh engine-debian "$t/P" || { not_ok "fixture engine-debian"; exit 0; }
cat >"$t/P/etc/vfio-b.conf" <<'CONF'
[gpu]
# bind by address in the early program
strategy = override
[hugepages]
# two pages, another mount point
count = 2
mount = /dev/hugepages-vm
CONF
chown 0:4 "$t/P/etc/fstab"; chmod 0640 "$t/P/etc/fstab"
cp -a "$t/P" "$t/A"; "$VP" --root "$t/A" apply >/dev/null 2>&1
cp -a "$t/A" "$t/AB"; "$VP" --root "$t/AB" --config /etc/vfio-b.conf apply >/dev/null 2>&1
# the user's edits after apply: a line in fstab, a token on GRUB_CMDLINE_LINUX
useredit() {
	echo '/dev/sdb1 /data ext4 defaults 0 2' >>"$1/etc/fstab"
	sed -i 's/^GRUB_CMDLINE_LINUX=""/GRUB_CMDLINE_LINUX="mitigations=off"/' "$1/etc/default/grub"
}
cp -a "$t/A" "$t/AE"; useredit "$t/AE"
cp -a "$t/P" "$t/PE"; useredit "$t/PE"
cp -a "$t/P" "$t/U"; mkdir -p "$t/U/etc/modprobe.d"
printf 'options vfio-pci ids=1234:5678\n' >"$t/U/etc/modprobe.d/vfio.conf"

total=0

# sweep NAME PRISTINE BASE ARGS...: kill `vfio-provision --root BASE-copy ARGS`
# at each counted call; PRISTINE is what revert must give back.
sweep() {
	local name=$1 pristine=$2 base=$3; shift 3
	local T B P n k rc d out errs=()

	rm -rf "$t/T"; cp -a "$base" "$t/T"
	if ! "$VP" --root "$t/T" "$@" >/dev/null 2>&1; then not_ok "$name: uninterrupted run"; return; fi
	T=$(listing "$t/T"); B=$(listing "$base"); P=$(snapshot "$pristine")
	rm -rf "$t/c"; cp -a "$base" "$t/c"; rm -f "$t/count"
	VP_FAULT_ROOT=$t/c VP_FAULT_COUNT_FILE=$t/count LD_PRELOAD=$SHIM \
		"$VP" --root "$t/c" "$@" >/dev/null 2>&1
	n=$(cat "$t/count" 2>/dev/null || echo 0)
	if [ "$n" -lt 10 ]; then not_ok "$name: counted calls" "only $n"; return; fi
	for ((k = 1; k <= n; k++)); do
		rm -rf "$t/w" "$t/w2"; cp -a "$base" "$t/w"
		# (the group hides bash's "Killed" notice)
		{ VP_FAULT_ROOT=$t/w VP_FAULT_KILL_AT=$k LD_PRELOAD=$SHIM \
			"$VP" --root "$t/w" "$@" >/dev/null 2>&1; } 2>/dev/null; rc=$?
		if [ "$rc" -ne 137 ]; then errs+=("point $k: exit $rc, not killed"); continue; fi
		if ! d=$(old_or_new "$B" "$T" "$(listing "$t/w")"); then
			errs+=("point $k: not wholly old or new: $d"); continue
		fi
		cp -a "$t/w" "$t/w2"
		if ! out=$("$VP" --root "$t/w" "$@" 2>&1); then
			errs+=("point $k: re-run failed: $(tail -3 <<<"$out")"); continue
		fi
		if [ "$(listing "$t/w")" != "$T" ]; then
			errs+=("point $k: re-run differs: $(diff <(echo "$T") <(listing "$t/w") | head -5)"); continue
		fi
		if ! "$VP" --root "$t/w" revert >/dev/null 2>&1 || [ "$(snapshot "$t/w")" != "$P" ]; then
			errs+=("point $k: revert after the re-run differs"); continue
		fi
		if ! "$VP" --root "$t/w2" revert >/dev/null 2>&1 || [ "$(snapshot "$t/w2")" != "$P" ]; then
			errs+=("point $k: revert right after the kill: $(diff <(echo "$P") <(snapshot "$t/w2") | head -5)")
			continue
		fi
	done
	total=$((total + n))
	if [ ${#errs[@]} -eq 0 ]; then
		ok "crash: $name: killed at each of $n points, converges"
	else
		not_ok "crash: $name: ${#errs[@]} of $n points fail" "${errs[@]:0:10}"
	fi
}

sweep "apply on a fresh system" "$t/P" "$t/P" apply
sweep "apply of another config over the first" "$t/P" "$t/A" --config /etc/vfio-b.conf apply
sweep "revert after two applies" "$t/P" "$t/AB" revert
sweep "apply --force over an unmanaged vfio.conf" "$t/U" "$t/U" --force apply
# revert must give back the user's files, their later edits included
sweep "apply of another config over the user's edits" "$t/PE" "$t/AE" --config /etc/vfio-b.conf apply
sweep "revert over the user's edits" "$t/PE" "$t/AE" revert
if [ "$total" -ge 200 ]; then ok "crash: $total kill points in all"; else not_ok "crash: at least 200 kill points" "only $total"; fi
