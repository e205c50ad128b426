#!/bin/bash
# make check-e2e: issue 6's scenarios 1-7 and issue 4's real-dracut test.
# Boots a real Debian kernel (E2E_KERNEL: 6.1, the default, or 6.12) under
# QEMU with initramfs images built by the real dracut (from the files apply
# writes) or by our busybox builder, and asserts on the "KEY k=v" lines the
# guest prints. E2E_ONLY="s1 s2" runs some scenarios (and builds only the
# images they boot). Ends with "N passed, N failed, N skipped". Skips
# (exit 0) only when QEMU cannot run at all, and never under CI=true or
# VP_NO_SKIP=1 (exit 1, see e2e_skip).
. "$(dirname "$0")/suite.sh"
: "${E2E_JOBS:=2}" "${E2E_ONLY:=s1 s2 s3 s4 s5 s6 s7}"
want() { [[ " $E2E_ONLY " == *" $1 "* ]]; }


e2e_start e2e check-e2e
# The dracut images are systemd initrds: dracut copies systemd from the host
# (Debian's dracut-core only recommends the systemd package).
command -v systemctl >/dev/null && [ -x /lib/systemd/systemd ] ||
	{ t_bad "e2e: the systemd package is needed for dracut's systemd initrd"; finish; }

# The files in the images are what `vfio-provision apply --root` writes for
# the guest (tests/e2e/roots/guest.spec, a fixture root shaped like the QEMU
# machine, with the booted kernel), and the kernel cmdline tokens it plans
# are on the guest's cmdline.
# apply_root NAME STRATEGY HUGEPAGES NODE(auto|N) [SPEC LINES...]
apply_root() {
	local name=$1 strategy=$2 hp=$3 node=$4 r=$E2E_WORK/root$1 out
	shift 4
	e2e_guest_root "$r" "$@" || return 1
	cat >"$r/etc/vfio-provision.conf" <<-CONF
	[gpu]
	select = 1234:1111
	strategy = $strategy
	[hugepages]
	; these scenarios test the program-only mode (bootpages.sh the default)
	mode = early
	count = $hp
	node = $node
	host_min = 2G
	[initramfs]
	generator = dracut
	CONF
	# --force: the fake GPU is the guest's only display (boot-vga verdict);
	# the serial console is all these guests need.
	if ! out=$("$VP" --root "$r" --force apply 2>&1); then
		printf '%s\n' "$out" >"$E2E_WORK/$name.apply"
		return 1
	fi
}
# The kernel cmdline apply planned, without what QEMU's -append already has.
apply_cmdline() {
	tr ' ' '\n' <"$E2E_WORK/root$1/etc/kernel/cmdline" |
		grep -vE '^(root=|ro$|rw$|quiet$|BOOT_IMAGE=|$)' | tr '\n' ' '
}

# shellcheck disable=SC2054 # QEMU's own comma-separated options
GPU=(-device intel-iommu,intremap=on -device VGA,addr=05.0,multifunction=on
     -device ich9-intel-hda,addr=05.1 -device edu,addr=06.0)
# shellcheck disable=SC2054
NUMA2=(-object memory-backend-ram,id=m0,size=4G -numa node,memdev=m0,nodeid=0
       -object memory-backend-ram,id=m1,size=4G -numa node,memdev=m1,nodeid=1)

# Images: A = ids strategy, B = override strategy (dracut, from the apply
# files); N1 = node 1, BB = global (busybox, no generator). Each one only
# where a scenario of E2E_ONLY boots it.
declare -A NEED=()
for a in s1:A s2:B s3:A s4:A s5:B s6:N1 s7:BB; do
	want "${a%%:*}" && NEED[${a#*:}]=1
done
for a in "A ids 2 auto" "B override 2 auto" "N1 ids 2 1 node_0 node_1" "BB ids 2 auto"; do
	# shellcheck disable=SC2086 # the words are the fields
	set -- $a
	n=$1 spec=("${@:5}")
	[ -n "${NEED[$n]:-}" ] || continue
	if apply_root "$1" "$2" "$3" "$4" "${spec[@]//_/ }"; then
		t_ok "apply --root wrote the files for image $n"
	else
		t_bad "apply --root wrote the files for image $n" "$(cat "$E2E_WORK/$n.apply" 2>/dev/null)"
		finish
	fi
done
CMD_A="" CMD_B=""
[ -n "${NEED[A]:-}" ] && CMD_A=$(apply_cmdline A) && echo "# e2e: cmdline from apply: $CMD_A"
[ -n "${NEED[B]:-}" ] && CMD_B=$(apply_cmdline B)

build_failed=0 builds=()
for n in A B; do
	[ -n "${NEED[$n]:-}" ] || continue
	e2e_dracut_initrd "$E2E_WORK/$n.img" "$E2E_WORK/root$n" >"$E2E_WORK/$n.build" 2>&1 &
	builds+=("$n:$!")
done
for n in N1 BB; do
	[ -n "${NEED[$n]:-}" ] || continue
	if e2e_busybox_initrd "$E2E_WORK/$n.img" "$E2E_WORK/root$n/etc/vfio-provision/early.conf"; then
		t_ok "busybox image $n built"
	else
		t_bad "busybox image $n built"; build_failed=1
	fi
done
for p in "${builds[@]}"; do
	if wait "${p#*:}"; then
		t_ok "dracut image ${p%%:*} built by the real dracut"
	else
		t_bad "dracut image ${p%%:*} built by the real dracut" "$(tail -20 "$E2E_WORK/${p%%:*}.build")"
		build_failed=1
	fi
done
echo "# e2e: images built in $((SECONDS - t0)) s"
if [ $build_failed = 1 ]; then
	finish
fi

# Issue 4: what the real dracut put in the image from our drop-in and module.
if [ -n "${NEED[A]:-}" ]; then
list=$(lsinitrd "$E2E_WORK/A.img" 2>/dev/null)
for f in 'drivers/vfio/pci/vfio-pci\.ko' 'drivers/vfio/vfio\.ko' 'drivers/vfio/vfio_iommu_type1\.ko' \
	 'usr/lib/systemd/system/vfio-provision-early\.service' \
	 'usr/lib/vfio-provision/vfio-provision-early' 'etc/vfio-provision/early\.conf' \
	 'etc/modprobe\.d/vfio\.conf'; do
	if grep -qE -- "[ /]$f(\.[xg]z|\.zst)?\$" <<<"$list"; then
		t_ok "lsinitrd A: ${f//\\/}"
	else
		t_bad "lsinitrd A: ${f//\\/}" "$(grep -E 'vfio|pre-udev' <<<"$list")"
	fi
done
t_match "lsinitrd A: the early program's unit is wanted by sysinit.target" \
	' etc/systemd/system/sysinit\.target\.wants/vfio-provision-early\.service -> ' "$list"
t_match "lsinitrd A: force_drivers as rd.driver.pre" 'rd.driver.pre=vfio_pci' \
	"$(lsinitrd -f etc/cmdline.d/20-force_drivers.conf "$E2E_WORK/A.img" 2>/dev/null)"
t_match "lsinitrd A: apply's ids reach the image (not host-only)" '^options vfio-pci ids=1234:1111,8086:293e$' \
	"$(lsinitrd -f etc/modprobe.d/vfio.conf "$E2E_WORK/A.img" 2>/dev/null)"
t_eq "lsinitrd A: early.conf is apply's" "$(cat "$E2E_WORK/rootA/etc/vfio-provision/early.conf")" \
	"$(lsinitrd -f etc/vfio-provision/early.conf "$E2E_WORK/A.img" 2>/dev/null)"
fi

# Boots, E2E_JOBS at a time: boot NAME IMG MEM APPEND [qemu args]
declare -A CPUOF=()
boot() {
	local name=$1 img=$2 mem=$3 app=$4
	shift 4
	want "${name%%-*}" || return 0
	while [ "$(jobs -rp | wc -l)" -ge "$E2E_JOBS" ]; do wait -n; done
	CPU=${CPUOF[$name]:-} e2e_boot "$E2E_WORK/$name.log" "$img" "$mem" "$app" "$@" &
}
boot s1-ids "$E2E_WORK/A.img" 6G "$CMD_A" "${GPU[@]}"
boot s2-override "$E2E_WORK/B.img" 6G "$CMD_B" "${GPU[@]}"
boot s3-capped "$E2E_WORK/A.img" 6G "$CMD_A vfio_provision.hugepages=16"
CPUOF[s4-nopdpe1gb]=qemu64
boot s4-nopdpe1gb "$E2E_WORK/A.img" 6G "$CMD_A"
boot s5-off "$E2E_WORK/B.img" 6G "$CMD_B vfio_provision=off" "${GPU[@]}"
boot s6-node1 "$E2E_WORK/N1.img" 8G "" "${NUMA2[@]}"
boot s7-busybox "$E2E_WORK/BB.img" 6G ""
wait
echo "# e2e: boots done at $((SECONDS - t0)) s"

# done NAME: the scenario is wanted and its guest reported; otherwise (when
# wanted) show the end of its console.
done_ok() {
	want "${1%%-*}" || return 1
	if grep -q '^E2E_DONE' "$E2E_WORK/$1.log"; then
		t_ok "$1: guest booted and reported"; return 0
	fi
	t_bad "$1: guest booted and reported" "$(grep -v '^\s*$' "$E2E_WORK/$1.log" | tail -25)"
	return 1
}
drv() { e2e_kv "$E2E_WORK/$1.log" PCI driver "addr=$2 "; }

# 1. 6 GiB, 2 pages -> 2, the kmsg line, vfio_pci loaded (dracut, ids).
L=$E2E_WORK/s1-ids.log
if done_ok s1-ids; then
	t_eq "s1: 2 of 2 pages reserved" 2 "$(e2e_kv "$L" HP1G total)"
	t_match "s1: kmsg line" '^KMSG reserved 2/2 1GiB pages in [0-9]+ ms$' "$(grep '^KMSG' "$L")"
	t_eq "s1: vfio_pci loaded" 1 "$(e2e_kv "$L" MODULES vfio_pci)"
	# 2 (ids): both functions of the fake GPU on vfio-pci, edu left alone.
	t_eq "s2 ids: VGA 05.0 bound to vfio-pci" vfio-pci "$(drv s1-ids 0000:00:05.0)"
	t_eq "s2 ids: audio 05.1 bound to vfio-pci" vfio-pci "$(drv s1-ids 0000:00:05.1)"
	t_eq "s2 ids: edu 06.0 not bound" none "$(drv s1-ids 0000:00:06.0)"
	t_eq "s2 ids: GPU functions share an IOMMU group" \
		"$(e2e_kv "$L" PCI group "addr=0000:00:05.0 ")" "$(e2e_kv "$L" PCI group "addr=0000:00:05.1 ")"
	t_match "s2 ids: /dev/vfio group node" "^VFIODEV .*$(e2e_kv "$L" PCI group "addr=0000:00:05.0 ")" "$(e2e_line "$L" VFIODEV)"
fi

# 2 (override): early program's driver_override, no ids anywhere.
L=$E2E_WORK/s2-override.log
if done_ok s2-override; then
	t_eq "s2 override: VGA 05.0 bound to vfio-pci" vfio-pci "$(drv s2-override 0000:00:05.0)"
	t_eq "s2 override: audio 05.1 bound to vfio-pci" vfio-pci "$(drv s2-override 0000:00:05.1)"
	t_eq "s2 override: driver_override set" vfio-pci "$(e2e_kv "$L" PCI override "addr=0000:00:05.0 ")"
	t_eq "s2 override: edu 06.0 not bound" none "$(drv s2-override 0000:00:06.0)"
	t_match "s2 override: kmsg binding line" '^KMSG 2/2 functions set to vfio-pci by address$' "$(grep '^KMSG' "$L")"
	t_eq "s2 override: pages too" 2 "$(e2e_kv "$L" HP1G total)"
fi

# 3. 16 requested (cmdline override) on 6 GiB: boots, capped, warning.
L=$E2E_WORK/s3-capped.log
if done_ok s3-capped; then
	got=$(e2e_kv "$L" HP1G total)
	if [ -n "$got" ] && [ "$got" -lt 16 ] && [ "$got" -ge 1 ]; then
		t_ok "s3: fewer than 16 reserved ($got)"
	else
		t_bad "s3: fewer than 16 reserved" "got '$got'"
	fi
	t_match "s3: capped warning in kmsg" "^KMSG reserved $got/16 1GiB pages in [0-9]+ ms: capped at [0-9]+ to leave the host 2048 MiB" "$(grep '^KMSG' "$L")"
fi

# 4. No pdpe1gb: boots, warning, nothing reserved.
L=$E2E_WORK/s4-nopdpe1gb.log
if done_ok s4-nopdpe1gb; then
	t_eq "s4: no 1 GiB hstate, nothing reserved" "0 none" "$(e2e_kv "$L" HP1G total) $(e2e_kv "$L" HP1G hstate)"
	t_match "s4: warning in kmsg" '^KMSG reserved 0/2 1GiB pages in [0-9]+ ms: no 1GiB page support' "$(grep '^KMSG' "$L")"
	t_eq "s4: vfio_pci still loaded" 1 "$(e2e_kv "$L" MODULES vfio_pci)"
fi

# 5. vfio_provision=off: nothing reserved, nothing bound.
L=$E2E_WORK/s5-off.log
if done_ok s5-off; then
	t_eq "s5: nothing reserved" 0 "$(e2e_kv "$L" HP1G total)"
	t_eq "s5: VGA not bound" none "$(drv s5-off 0000:00:05.0)"
	t_eq "s5: audio not bound" none "$(drv s5-off 0000:00:05.1)"
	t_match "s5: says it is off" '^KMSG disabled by vfio_provision=off' "$(grep '^KMSG' "$L")"
fi

# 6. Two nodes, node 1 configured: the pages are on node 1.
L=$E2E_WORK/s6-node1.log
if done_ok s6-node1; then
	t_eq "s6: two nodes" 2 "$(e2e_kv "$L" MEM nodes)"
	t_eq "s6: 2 pages on node 1, none on node 0" "2 0" "$(e2e_kv "$L" HP1G node1) $(e2e_kv "$L" HP1G node0)"
	t_match "s6: kmsg line names node 1" '^KMSG reserved 2/2 1GiB pages on node 1 in [0-9]+ ms$' "$(grep '^KMSG' "$L")"
fi

# 7. The program alone in a busybox initramfs.
L=$E2E_WORK/s7-busybox.log
if done_ok s7-busybox; then
	t_eq "s7: early program exit status" 0 "$(e2e_kv "$L" EARLY_RC rc)"
	t_eq "s7: 2 of 2 pages reserved" 2 "$(e2e_kv "$L" HP1G total)"
	t_match "s7: kmsg line" '^KMSG reserved 2/2 1GiB pages in [0-9]+ ms$' "$(grep '^KMSG' "$L")"
fi

echo "# e2e: $((SECONDS - t0)) s in all"
finish
