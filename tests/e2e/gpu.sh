#!/bin/bash
# make check-e2e-gpu: issue 21's end-to-end test of `gpu detach|reattach`.
# One boot of the real Debian kernel under QEMU (TCG) as a q35 machine with
# an emulated Intel IOMMU (intel-iommu, intel_iommu=on) and a bochs-display
# at 00:05.0, driven by the bochs DRM module with fbcon on its framebuffer:
# the guest's only GPU, so single-GPU mode. A busybox initramfs holds the
# real binary and its libraries, kmod's modprobe, faults.so, and a stand-in
# systemctl whose "display manager" holds /dev/dri/card0 (guest/gpu-init).
# Asserts: detach leaves the device on vfio-pci with /dev/vfio/N, reattach
# gives it back to bochs-drm with the console bound again; the uevents come
# from the kernel (netlink); 50 detach/reattach cycles leave no state behind;
# a process holding the DRM node makes detach refuse and name it; a SIGKILL
# during detach, then reattach, restores the driver; reattach --reset.
# Prints the detach and reattach times (make bench-gpu). Ends with
# "N passed, N failed, N skipped"; skips only when QEMU cannot run at all,
# never under CI=true or VP_NO_SKIP=1.
. "$(dirname "$0")/suite.sh"
# 50 cycles of a single-GPU handoff under TCG: a few minutes on a loaded host
: "${E2E_GPU_CYCLES:=50}" "${E2E_GPU_TIMEOUT:=900}"
FAULTS=$BUILD/tests/shim/faults.so

e2e_start e2e-gpu check-e2e-gpu
[ -f "$FAULTS" ] || { t_bad "e2e gpu: $FAULTS built"; finish; }
KMOD=$(command -v kmod) || { t_bad "e2e gpu: kmod installed (its modprobe runs in the guest)"; finish; }

# The image: the harness's busybox initramfs plus our init, the stand-in
# systemctl, the node holder (static), faults.so, kmod as modprobe, the tool,
# every shared object they need at the same path, and bochs with its modules.
CC_STATIC=$(command -v musl-gcc || echo cc)
if ! "$CC_STATIC" -static -Os -o "$E2E_WORK/drm-hold" "$E2E_DIR/guest/drm-hold.c" 2>"$E2E_WORK/cc.log"; then
	t_bad "e2e gpu: drm-hold built" "$(cat "$E2E_WORK/cc.log")"; finish
fi
extra="$E2E_DIR/guest/gpu-init:init $E2E_DIR/guest/systemctl:usr/bin/systemctl"
extra="$extra $E2E_WORK/drm-hold:usr/lib/vp-e2e/drm-hold $FAULTS:usr/lib/vp-e2e/faults.so"
extra="$extra $KMOD:usr/sbin/modprobe $VP:usr/bin/vfio-provision"
libs=$(e2e_libs "$VP" "$KMOD" "$FAULTS")
for l in $libs; do
	extra="$extra $l:${l#/}"
done
mods=$(modprobe -d "$KROOT" -S "$KVER" --show-depends bochs | awk '$1 == "insmod" {print $2}')
[ -n "$mods" ] || { t_bad "e2e gpu: the kernel has the bochs module"; finish; }
for m in $mods; do
	extra="$extra $m:${m#"$KROOT"/}"
done
if ! E2E_BB_EXTRA=$extra e2e_busybox_initrd "$E2E_WORK/gpu.img" >"$E2E_WORK/img.log" 2>&1; then
	t_bad "e2e gpu: busybox image built" "$(tail -20 "$E2E_WORK/img.log")"; finish
fi
t_ok "e2e gpu: image with the tool, kmod, faults.so and $(wc -w <<<"$mods") modules for bochs"

L=$E2E_WORK/gpu.log
E2E_TIMEOUT=$E2E_GPU_TIMEOUT e2e_boot "$L" "$E2E_WORK/gpu.img" 1G \
	"intel_iommu=on vp_e2e.cycles=$E2E_GPU_CYCLES" \
	-device intel-iommu,intremap=on -device bochs-display,addr=05.0
echo "# e2e gpu: boot done in $((SECONDS - t0)) s"
e2e_reported gpu "$L" 40
same() {
	if [ "$(kv SAME same "step=$2 ")" = 1 ]; then t_ok "$1"; else
		t_bad "$1" "$(sed -n "s/^SNAP_$2 //p" "$L")"; fi
}
G=$(kv DEV group)
DM=$(kv DM pid)

t_eq "guest: bochs-drm drives 00:05.0, fbcon draws on its fb0" "bochs-drm 0000:00:05.0" \
	"$(kv DEV driver) $(kv DEV fb0)"
t_match "guest: the IOMMU put it in a group" '^[0-9]+$' "$G"
t_match "guest: the framebuffer console is bound" '^SNAP0 vtcon[0-9]+ \(M\) frame buffer device bind 1$' "$(cat "$L")"

s=$(out STATUS)
t_eq "status: exit 0" 0 "$(rc STATUS)"
t_match "status: the driver and the group" "^0000:00:05.0: driver bochs-drm, IOMMU group $G\$" "$s"
t_match "status: the display manager's hold on the card" "^used by process $DM \\(drm-hold\\): /dev/dri/card0 of 0000:00:05.0\$" "$s"
t_eq "status --json: bochs module, no record" "bochs none" \
	"$(out STATUSJSON | jq -r '"\(.functions[0].module) \(.record)"' 2>&1)"

# refusals
t_eq "only GPU without [handoff]: exit 1" 1 "$(rc PLAIN)"
t_match "only GPU without [handoff]: the verdict, and single_gpu offered" 'only GPU' "$(out PLAIN)"
t_match "only GPU without [handoff]: single_gpu offered" '\[handoff\] single_gpu = yes' "$(out PLAIN)"
t_eq "--force, the card in use: exit 1" 1 "$(rc FORCED)"
t_match "--force, the card in use: the process holding the DRM node, by PID and command" \
	"refused: process $DM \\(drm-hold\\) has /dev/dri/card0 of 0000:00:05.0 open" "$(out FORCED)"
t_match "--force, the card in use: the console on its framebuffer" \
	'refused: the framebuffer console \(vtcon[0-9]+, \(M\) frame buffer device\) draws on fb0 of 0000:00:05.0' "$(out FORCED)"
same "refusals: nothing changed" REFUSED

# one detach and reattach in detail
d=$(out DETACH)
t_eq "detach: exit 0" 0 "$(rc DETACH)"
t_eq "detach: on vfio-pci, /dev/vfio/$G there, the display manager stopped" \
	"vfio-pci vfio-pci $G stopped" "$(kv AFTER driver) $(kv AFTER override) $(kv AFTER vfio) $(kv AFTER dm)"
t_match "detach: the steps, in order" "$(printf '%s' 'stopped fake-dm.service.*unbound the framebuffer console vtcon[0-9]+.*unloaded module bochs.*0000:00:05.0: no driver -> vfio-pci')" "$(tr '\n' ' ' <<<"$d")"
t_match "detach: the kernel's unbind uevent (netlink)" '^uevent: unbind /devices/pci0000:00/0000:00:05.0$' "$d"
t_match "detach: the kernel's bind uevent, vfio-pci" '^uevent: bind /devices/pci0000:00/0000:00:05.0 vfio-pci$' "$d"
t_eq "detach: the record" "unit fake-dm.service|vtcon vtcon1|unload bochs|move 0000:00:05.0 bochs-drm bochs|detached" \
	"$(out RECORD | grep -v '^#' | paste -sd'|')"
t_eq "second detach: exit 0, a no-op" "0 already detached: every selected function is on vfio-pci" \
	"$(rc DETACH2) $(out DETACH2)"
r=$(out REATTACH)
t_eq "reattach: exit 0" 0 "$(rc REATTACH)"
t_match "reattach: the steps, in reverse" "$(printf '%s' 'loaded module bochs.*0000:00:05.0: vfio-pci -> bochs-drm.*framebuffer console vtcon[0-9]+ is bound again.*started fake-dm.service')" "$(tr '\n' ' ' <<<"$r")"
t_match "reattach: the kernel's bind uevent, bochs-drm" '^uevent: bind /devices/pci0000:00/0000:00:05.0 bochs-drm$' "$r"
same "reattach: bochs-drm, the console bound again on its fb0, the display manager back, no record" REATTACH

# the cycles
n=$(grep -c '^CYCLE ' "$L")
bad=$(grep '^CYCLE ' "$L" | grep -vc 'detach_rc=0 reattach_rc=0 on_vfio=1 same=1')
t_eq "$E2E_GPU_CYCLES detach/reattach cycles in one boot" "$E2E_GPU_CYCLES" "$n"
t_eq "every cycle: on vfio-pci, back on bochs-drm, no state left" 0 "$bad" 
[ "$bad" = 0 ] || t_bad "cycles: what differed" "$(grep -E '^(SNAP|OUT)_CYCLE' "$L" | head -30)"

# a process holding the DRM node
h=$(kv HOLDER pid)
t_eq "held: exit 1" 1 "$(rc HELD)"
t_match "held: names the process, its PID and command" \
	"refused: process $h \\(drm-hold\\) has /dev/dri/card0 of 0000:00:05.0 open" "$(out HELD)"
same "held: what was stopped comes back (display manager, console), nothing else changed" HELD

# SIGKILL during detach
for k in 1 3 5; do
	t_eq "SIGKILL before write $k of a detach: killed" 137 "$(kv KILL rc "k=$k ")"
	t_eq "SIGKILL before write $k, then reattach: exit 0" 0 "$(rc KILLRE$k)"
	same "SIGKILL before write $k, then reattach: as before the detach" KILL$k
done
t_eq "SIGKILL before drivers_probe: it had no driver, the override set" "override=vfio-pci" \
	"$(e2e_line "$L" KILL k=5 | grep -o 'override=[^ ]*')"

# --reset
t_eq "reattach --reset: exit 0" 0 "$(rc RESET)"
t_match "reattach --reset: removed and rescanned" \
	"$(printf '%s' 'removed 0000:00:05.0.*0000:00:05.0 is back after a rescan.*vfio-pci -> bochs-drm')" "$(out RESET | tr '\n' ' ')"
same "reattach --reset: as before the detach" RESET

# the move alone
mbad=$(grep '^MOVE ' "$L" | grep -vc 'detach_rc=0 reattach_rc=0 on_vfio=1 driver=bochs-drm')
t_eq "10 moves without single-GPU steps: each on vfio-pci and back" "10 0" "$(grep -c '^MOVE ' "$L") $mbad"
same "after the moves: as before" MOVES

# timings (centiseconds from /proc/uptime in the guest)
stats() {  # KEY FIELD: median (min-max) in seconds
	grep "^$1 " "$L" | tr ' ' '\n' | sed -n "s/^$2=//p" | sort -n |
		awk '{v[NR]=$1} END {if (NR) printf "%.2f s (%.2f-%.2f, %d runs)", v[int((NR+1)/2)]/100, v[1]/100, v[NR]/100, NR}'
}
echo "# e2e gpu: single-GPU detach $(stats CYCLE detach_cs), reattach $(stats CYCLE reattach_cs)"
echo "# e2e gpu: move only (vfio-pci <-> bochs-drm) detach $(stats MOVE detach_cs), reattach $(stats MOVE reattach_cs)"
echo "# e2e gpu: $((SECONDS - t0)) s in all"
finish
