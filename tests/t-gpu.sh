#!/bin/bash
# `gpu detach|reattach|status` on fixture roots. The kernel's PCI core is
# played by tests/shim/fakepci.so: each sysfs write does what the kernel
# does, and is logged, in order, in ROOT/etc/fake-tool.log, where
# tests/shim/fake-tool (systemctl, modprobe) logs the commands too; the
# tool waits on the uevents the shim sends, never on time. Every step is
# checked as a write in that log, the undo as the same in reverse.
. "$(dirname "$0")/lib.sh"

shim=$BUILD/tests/shim/fakepci.so faults=$BUILD/tests/shim/faults.so
FAKE=$BUILD/tests/shim/fake-tool
for f in "$shim" "$faults" "$FAKE"; do
	[ -f "$f" ] || { not_ok "gpu: test helper built" "$f missing"; exit 0; }
done
# The shims are not instrumented; ASan only needs to tolerate them being first.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
work=$(tmpdir); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/docs"
# keep: the --json document just printed, for the schema check at the end
keep() { printf '%s\n' "$json" >"$work/docs/$(ls "$work/docs" | wc -l).json"; }

# fresh NAME: a private copy of the fixture with what the kernel has
# everywhere (bind/unbind of each driver, remove of each device,
# drivers_probe, rescan), fake systemctl and modprobe, an empty log.
fresh() {
	local base d
	base=$(mkfix "$1") || { not_ok "gpu: fixture $1"; exit 0; }
	root=$work/root
	rm -rf "$root"; cp -a "$base" "$root"
	for d in "$root"/sys/bus/pci/drivers/*/; do : >"$d/bind"; : >"$d/unbind"; done
	for d in "$root"/sys/bus/pci/devices/*; do : >"$d/remove"; done
	: >"$root/sys/bus/pci/drivers_probe"; : >"$root/sys/bus/pci/rescan"
	mkdir -p "$root/etc" "$root/dev" "$root/usr/bin" "$root/usr/sbin"
	install -m 0755 "$FAKE" "$root/usr/bin/systemctl"
	install -m 0755 "$FAKE" "$root/usr/sbin/modprobe"
	: >"$root/etc/fake-tool.log"
	native="0000:01:00.0=nouveau 0000:01:00.1=snd_hda_intel"
	if [ "$1" = handoff-single ]; then
		native="0000:2d:00.0=nvidia 0000:2d:00.1=snd_hda_intel"
		printf '%s\n' "0x00000000fb000000 0x00000000fbffffff 0x0000000000040200" \
			"0x00000000e0000000 0x00000000efffffff 0x000000000014220c" \
			>"$root/sys/bus/pci/devices/0000:2d:00.0/resource"
	fi
	before=$(state)
}
# vp ARGS...: the tool on the root, the shim playing its kernel
vp() {
	LD_PRELOAD="${PRELOAD:-}${PRELOAD:+ }$shim" VP_FAKE_PCI_ROOT=$root \
	VP_FAKE_PCI_LOG=$root/etc/fake-tool.log VP_FAKE_PCI_NATIVE=$native \
	VP_FAKE_PCI_UNITS="display-manager.service=4242" "$VP" --root "$root" "$@"
}
run() { out=$(vp "$@" 2>&1); rc=$?; }
log() { cat "$root/etc/fake-tool.log"; }
clearlog() { : >"$root/etc/fake-tool.log"; }
# what a handoff changes: drivers, overrides, consoles, firmware framebuffer,
# vfio nodes, processes, the record (few forks: the crash sweep calls it often)
state() {
	(cd "$root/sys/devices" && find . -name driver -printf '%h %l\n' &&
	 grep -r --include=driver_override --include=bind . ) | sort
	find "$root/dev/vfio" "$root/run/vfio-provision" -type f 2>/dev/null
	echo "$root"/proc/[0-9]*
}
conf() { printf '%s\n' "$@" >"$root/etc/vfio-provision.conf"; }

# ================================================================ two GPUs
fresh handoff-multi
run gpu status
check_eq "status: exit 0" 0 "$rc"
check_match "status: the GTX on nouveau, its nodes" \
	'^0000:01:00.0: driver nouveau, IOMMU group 1$' "$out"
check_match "status: its render node" '^  /dev/dri/renderD129$' "$out"
check_match "status: its audio on snd_hda_intel" '^0000:01:00.1: driver snd_hda_intel, IOMMU group 1$' "$out"
check_match "status: nothing recorded" '^handoff: none recorded$' "$out"

run gpu detach
check_eq "detach: exit 0" 0 "$rc"
check_eq "detach: each function: override, unbind, probe, in address order" \
"override 0000:01:00.0 vfio-pci
unbind 0000:01:00.0 nouveau
probe 0000:01:00.0
override 0000:01:00.1 vfio-pci
unbind 0000:01:00.1 snd_hda_intel
probe 0000:01:00.1" "$(log)"
check_eq "detach: both on vfio-pci, /dev/vfio/1 there" \
	"vfio-pci vfio-pci 1" "$(basename "$(readlink "$root/sys/bus/pci/devices/0000:01:00.0/driver")") $(basename "$(readlink "$root/sys/bus/pci/devices/0000:01:00.1/driver")") $(ls "$root/dev/vfio")"
check_match "detach: says what moved" '^0000:01:00.0: nouveau -> vfio-pci$' "$out"
check_eq "detach: the record, written before each step" \
"move 0000:01:00.0 nouveau nouveau
move 0000:01:00.1 snd_hda_intel snd_hda_intel
detached" "$(grep -v '^#' "$root/run/vfio-provision/gpu-handoff")"
clearlog
run gpu detach
check_eq "second detach: a no-op (exit 0, nothing written)" "0:" "$rc:$(log)"
check_match "second detach: says so" '^already detached' "$out"
json=$(vp --json gpu status 2>/dev/null)
keep
check_eq "status --json: driver now, driver to return to" \
	"0000:01:00.0 vfio-pci nouveau,0000:01:00.1 vfio-pci snd_hda_intel" \
	"$(jq -r '[.functions[] | "\(.address) \(.driver) \(.return_to)"] | join(",")' <<<"$json")"
check_eq "status --json: the record" "detached 2" "$(jq -r '"\(.record) \(.steps | length)"' <<<"$json")"
check_eq "status --json: the vfio node" "/dev/vfio/1" "$(jq -r '.functions[0].nodes[0]' <<<"$json")"

clearlog
run gpu reattach
check_eq "reattach: exit 0" 0 "$rc"
check_eq "reattach: the same writes in reverse" \
"unbind 0000:01:00.1 vfio-pci
override 0000:01:00.1 (clear)
probe 0000:01:00.1
unbind 0000:01:00.0 vfio-pci
override 0000:01:00.0 (clear)
probe 0000:01:00.0" "$(log)"
check_eq "reattach: everything as before, no record, no /dev/vfio/1" "$before" "$(state)"
check_match "reattach: says what moved" '^0000:01:00.0: vfio-pci -> nouveau$' "$out"
run gpu reattach
check_eq "second reattach: nothing to do" "0 nothing to reattach: no detach is recorded" "$rc $out"

# 10 cycles: no state left behind (the QEMU test does 50 on a real kernel)
fails=0
for i in $(seq 10); do
	vp gpu detach >/dev/null 2>&1 || fails=$((fails + 1))
	vp gpu reattach >/dev/null 2>&1 || fails=$((fails + 1))
done
check_eq "10 detach/reattach cycles: no failure, no state left" "0
$before" "$fails
$(state)"

# --json documents
json=$(vp --json gpu detach 2>/dev/null); rc=$?
keep
check_eq "detach --json: result and steps" "0 detached true move:0000:01:00.0:nouveau,move:0000:01:00.1:snd_hda_intel" \
	"$rc $(jq -r '"\(.result) \(.changed) " + ([.steps[] | "\(.step):\(.address):\(.driver)"] | join(","))' <<<"$json")"
json=$(vp --json gpu reattach 2>/dev/null); rc=$?
keep
check_eq "reattach --json: result" "0 reattached 2" "$rc $(jq -r '"\(.result) \(.steps | length)"' <<<"$json")"
check "gpu --json documents validate as JSON" jq -e . <<<"$json"

# --- refusals name what blocks, and nothing is written ----------------------
mkdir -p "$root/proc/4711/fd"; echo blender >"$root/proc/4711/comm"
ln -s /dev/dri/renderD129 "$root/proc/4711/fd/9"
clearlog
run gpu detach
check_eq "in use: exit 1, nothing written, no record" "1:" "$rc:$(log)$(ls "$root/run/vfio-provision" 2>/dev/null)"
check_match "in use: names the process, its PID and the node" \
	'refused: process 4711 \(blender\) has /dev/dri/renderD129 of 0000:01:00.0 open' "$out"
json=$(vp --json gpu detach 2>/dev/null)
keep
check_eq "in use --json: refused, the blocker" "refused process 4711 (blender) has /dev/dri/renderD129 of 0000:01:00.0 open" \
	"$(jq -r '"\(.result) \(.blockers[0])"' <<<"$json")"
rm -rf "$root/proc/4711"
echo "root=/dev/sda1 fbcon=map:1" >"$root/proc/cmdline"
run gpu detach
check_match "console on its framebuffer (fbcon=map:1): named" \
	'refused: the framebuffer console \(vtcon1, \(M\) frame buffer device\) draws on fb1 of 0000:01:00.0' "$out"
check_eq "console: exit 1, nothing written" "1:" "$rc:$(log)"
echo "root=/dev/sda1" >"$root/proc/cmdline"
# the boot VGA in a host with another GPU: apply's refusal, and --force does not
# make Xorg's card free
conf "[gpu]" "select = 0000:00:02.0"
run gpu detach
check_eq "boot VGA: exit 1, nothing written" "1:" "$rc:$(log)"
check_match "boot VGA: the verdict" 'refused: verdict boot-vga' "$out"
run --force gpu detach
check_match "boot VGA --force: still refused, Xorg and the console named" \
	'refused: process 1234 \(Xorg\) has /dev/dri/card0 of 0000:00:02.0 open' "$out"
check_match "boot VGA --force: the console on fb0 named" 'draws on fb0 of 0000:00:02.0' "$out"
check_eq "boot VGA --force: exit 1, nothing written" "1:" "$rc:$(log)"
rm -f "$root/etc/vfio-provision.conf"

# no IOMMU: vfio-pci would find no group; --force cannot help
fresh iommu-off
run --force gpu detach
check_eq "no IOMMU, even with --force: exit 1, nothing written" "1:" "$rc:$(log)"
check_match "no IOMMU: the verdict" "not detaching: the selection's verdict is 'no-iommu'\$" "$out"

# --- a driver that does not let go: a timeout, and what was done is undone --
fresh handoff-multi
out=$(VP_FAKE_PCI_STUCK=0000:01:00.1 vp --timeout 1 gpu detach 2>&1); rc=$?
check_eq "stuck unbind: exit 2" 2 "$rc"
check_match "stuck unbind: says which and what it waited for" \
	'0000:01:00.1: the driver to let go: not so after 1 s; what was done is undone' "$out"
check_eq "stuck unbind: the first function back on nouveau, no record" "$before" "$(state)"
check_eq "stuck unbind: the writes, then their undo" \
"override 0000:01:00.0 vfio-pci
unbind 0000:01:00.0 nouveau
probe 0000:01:00.0
override 0000:01:00.1 vfio-pci
unbind 0000:01:00.1 snd_hda_intel
override 0000:01:00.1 (clear)
unbind 0000:01:00.0 vfio-pci
override 0000:01:00.0 (clear)
probe 0000:01:00.0" "$(log)"
fresh handoff-multi
out=$(VP_FAKE_PCI_REFUSE=vfio-pci vp --timeout 1 gpu detach 2>&1); rc=$?
check_match "vfio-pci refuses the device: said, undone" \
	'0000:01:00.0: vfio-pci to take it: not so after 1 s; what was done is undone' "$out"
check_eq "vfio-pci refuses: exit 2, as before" "2
$before" "$rc
$(state)"

# --- a guest holds the vfio node: reattach refuses (vfio-pci would wait) ----
fresh handoff-multi
vp gpu detach >/dev/null 2>&1
detached=$(state)
mkdir -p "$root/proc/7777/fd"; echo qemu-system-x86 >"$root/proc/7777/comm"
ln -s /dev/vfio/1 "$root/proc/7777/fd/30"
clearlog
run gpu reattach
check_eq "guest running: reattach exit 1, nothing written" "1:" "$rc:$(log)"
check_match "guest running: names QEMU" \
	'refused: process 7777 \(qemu-system-x86\) has /dev/vfio/1 of 0000:01:00.0 open: stop the guest first' "$out"
rm -rf "$root/proc/7777"
check_eq "guest running: still detached" "$detached" "$(state)"

# --- reattach --reset: remove and rescan ------------------------------------
clearlog
run --reset gpu reattach
check_eq "reattach --reset: exit 0, as before" "0
$before" "$rc
$(state)"
check_eq "reattach --reset: off vfio-pci, removed, one rescan, the drivers back" \
"unbind 0000:01:00.1 vfio-pci
override 0000:01:00.1 (clear)
unbind 0000:01:00.0 vfio-pci
override 0000:01:00.0 (clear)
remove 0000:01:00.0
remove 0000:01:00.1
rescan" "$(log)"
run --reset gpu detach
check_eq "--reset with detach: exit 2" 2 "$rc"
check_match "--reset with detach: says why" 'gpu detach: --reset goes with reattach' "$out"

# --- a damaged record: named, nothing done -----------------------------------
mkdir -p "$root/run/vfio-provision"
printf 'move 0000:01:00.0 nouveau nouveau\nreboot now\n' >"$root/run/vfio-provision/gpu-handoff"
clearlog
run gpu reattach
check_eq "damaged record: exit 2, nothing written" "2:" "$rc:$(log)"
check_match "damaged record: file and line" \
	"'/run/vfio-provision/gpu-handoff':2: unknown step 'reboot'" "$out"
rm -f "$root/run/vfio-provision/gpu-handoff"

# --- the libvirt hook: prepare detaches, release reattaches -------------------
fresh handoff-multi
xml() {  # NAME [BUS]: a domain, with the GTX's function 0 as a hostdev when BUS is given
	printf "<domain type='kvm'><name>%s</name><memory unit='GiB'>8</memory><devices>" "$1"
	[ -n "${2:-}" ] && printf "<hostdev mode='subsystem' type='pci' managed='yes'><source>%s</source></hostdev>" \
		"<address domain='0x0000' bus='$2' slot='0x00' function='0x0'/>"
	printf '</devices></domain>\n'
}
out=$(xml plain | vp libvirt-hook plain prepare begin - 2>&1); rc=$?
check_eq "hook: a guest without the GPU: exit 0, nothing written" "0:" "$rc:$(log)"
out=$(xml win11 0x01 | vp libvirt-hook win11 prepare begin - 2>&1); rc=$?
check_eq "hook prepare: exit 0" 0 "$rc"
check_match "hook prepare: the selection detached (both functions)" \
	'^libvirt-hook: detached' "$out"
check_eq "hook prepare: both functions on vfio-pci" "vfio-pci vfio-pci" \
	"$(basename "$(readlink "$root/sys/bus/pci/devices/0000:01:00.0/driver")") $(basename "$(readlink "$root/sys/bus/pci/devices/0000:01:00.1/driver")")"
clearlog
out=$(xml win11 0x01 | vp libvirt-hook win11 release end - 2>&1); rc=$?
check_eq "hook release: exit 0, as before" "0
$before" "$rc
$(state)"
mkdir -p "$root/proc/4711/fd"; echo blender >"$root/proc/4711/comm"
ln -s /dev/dri/renderD129 "$root/proc/4711/fd/9"
before=$(state)
clearlog
out=$(xml win11 0x01 | vp libvirt-hook win11 prepare begin - 2>&1); rc=$?
check_eq "hook prepare, the card in use: exit 1 (the guest does not start), nothing written" \
	"1:" "$rc:$(log)"
check_match "hook prepare, the card in use: names it" \
	'libvirt-hook: refused: process 4711 \(blender\) has /dev/dri/renderD129' "$out"

# --- SIGKILL anywhere in a detach: reattach restores, detach completes -------
# faults.so kills the tool before its N-th file-changing call under the root
# (the record's temporary file, write, fsync, rename; each sysfs attribute's
# open and write), for every N up to the last one; a detach run again after
# the kill finishes the job (every third N: each costs four runs).
crash_sweep() {
	local name=$1 total k bad=0 bad2=0 orig
	fresh "$name"; orig=$before
	PRELOAD=$faults VP_FAULT_ROOT=$root VP_FAULT_COUNT_FILE=$work/count vp gpu detach >/dev/null 2>&1
	total=$(cat "$work/count")
	for ((k = 1; k <= total; k++)); do
		fresh "$name"
		PRELOAD=$faults VP_FAULT_ROOT=$root VP_FAULT_KILL_AT=$k vp gpu detach >/dev/null 2>&1
		if ((k % 3 == 0)); then
			vp gpu detach >/dev/null 2>&1 && [ -e "$root/dev/vfio/${2:-1}" ] || bad2=$((bad2 + 1))
		fi
		vp gpu reattach >"$work/out" 2>&1 || { bad=$((bad + 1)); echo "# k=$k: $(cat "$work/out")"; }
		[ "$(state)" == "$orig" ] || { bad=$((bad + 1)); echo "# k=$k: state differs: $(diff <(echo "$orig") <(state) | tr "\n" " ")"; }
	done
	check_eq "$name: SIGKILL at each of the $total changes of a detach, then reattach: as before" 0 "$bad"
	check_eq "$name: SIGKILL at one change in three, then detach: on vfio-pci" 0 "$bad2"
	[ "$total" -gt 10 ] && ok "$name: the sweep covered the detach ($total changes)" ||
		not_ok "$name: the sweep covered the detach" "only $total changes counted"
}
crash_sweep handoff-multi

# a link loop where driver_override belongs: detach stops and undoes, its one
# message says why (the resolver's, handed back by the core, not printed by it)
fresh handoff-multi
o=$root/sys/bus/pci/devices/0000:01:00.0/driver_override
rm -f "$o"; ln -s driver_override "$o"
run gpu detach
check_eq "a link loop as driver_override: detach exit 2" 2 "$rc"
check_match "a link loop as driver_override: the error says why" \
	"writing 'vfio-pci' to [^ ]*/driver_override: '[^']*/driver_override': too many levels of symbolic links; what was done is undone" "$out"
check_eq "a link loop as driver_override: said once" 1 "$(grep -c 'too many levels' <<<"$out")"

# nvidia's minor read by the one integer parser: beyond 32 bits, or with junk
# after it, it is no minor (sscanf's %u made /dev/nvidia0 of both)
fresh handoff-single
for m in 4294967296 0x; do
	printf 'Device Minor: \t %s\n' "$m" >"$root/proc/driver/nvidia/gpus/0000:2d:00.0/information"
	run --force gpu detach
	check_eq "Device Minor '$m': no /dev/nvidia node, the card's card0 still named" "0:1" \
		"$(grep -c 'has /dev/nvidia0 of' <<<"$out"):$(grep -c 'has /dev/dri/card0 of 0000:2d:00.0' <<<"$out")"
done

# ================================================================ one GPU
fresh handoff-single
run gpu detach
check_eq "single GPU without [handoff]: exit 1, nothing written" "1:" "$rc:$(log)"
check_match "single GPU without [handoff]: the verdict and the way out" \
	'\[handoff\] single_gpu = yes' "$out"
# --force past the verdict: what uses the card, each named
run --force gpu detach
check_eq "single GPU --force without [handoff]: exit 1, nothing written" "1:" "$rc:$(log)"
check_match "--force without [handoff]: gdm's Xorg named" \
	'refused: process 4242 \(Xorg\) has /dev/nvidia0 of 0000:2d:00.0 open' "$out"
check_match "--force without [handoff]: the firmware framebuffer named" \
	'refused: the firmware framebuffer efi-framebuffer.0 \(driver efi-framebuffer\) is in the memory of 0000:2d:00.0 \(e0000000-e07fffff\)' "$out"
check_match "--force without [handoff]: the modules holding nvidia named" \
	'refused: module nvidia \(driver nvidia of 0000:2d:00.0\) is held by nvidia_modeset, nvidia_uvm' "$out"
conf "[handoff]" "single_gpu = yes"
run gpu status
check_match "status: the firmware framebuffer in its memory" \
	'^the firmware framebuffer efi-framebuffer.0 \(efi-framebuffer\) is in the memory of 0000:2d:00.0$' "$out"
check_match "status: who holds nvidia" '^module nvidia: refcount 2, held by nvidia_modeset, nvidia_uvm$' "$out"
check_match "status: Xorg uses the card" '^used by process 4242 \(Xorg\): /dev/nvidia0 of 0000:2d:00.0$' "$out"
run gpu detach
check_eq "single GPU: exit 0" 0 "$rc"
check_eq "single GPU: display manager, console, firmware framebuffer, modules (holders first), then the moves" \
"fake-tool: systemctl is-active --quiet display-manager.service
fake-tool: systemctl stop display-manager.service
vtcon vtcon1 0
platform-unbind efi-framebuffer efi-framebuffer.0
fake-tool: modprobe -r nvidia_drm
fake-tool: modprobe -r nvidia_modeset
fake-tool: modprobe -r nvidia_uvm
fake-tool: modprobe -r nvidia
fake-tool: modprobe -r snd_hda_intel
override 0000:2d:00.0 vfio-pci
unbind 0000:2d:00.0 nvidia
probe 0000:2d:00.0
override 0000:2d:00.1 vfio-pci
unbind 0000:2d:00.1 snd_hda_intel
probe 0000:2d:00.1" "$(log)"
check_match "single GPU: says what it stopped" '^stopped display-manager.service$' "$out"
clearlog
run gpu reattach
check_eq "single GPU reattach: exit 0" 0 "$rc"
check_eq "single GPU reattach: every step undone in reverse order" \
"unbind 0000:2d:00.1 vfio-pci
override 0000:2d:00.1 (clear)
probe 0000:2d:00.1
unbind 0000:2d:00.0 vfio-pci
override 0000:2d:00.0 (clear)
probe 0000:2d:00.0
fake-tool: modprobe snd_hda_intel
fake-tool: modprobe nvidia
fake-tool: modprobe nvidia_uvm
fake-tool: modprobe nvidia_modeset
fake-tool: modprobe nvidia_drm
platform-bind efi-framebuffer efi-framebuffer.0
vtcon vtcon1 1
fake-tool: systemctl start display-manager.service" "$(log)"
check_eq "single GPU reattach: everything as before (Xorg back too)" "$before" "$(state)"

# something outside the stopped units still uses the card: refused after
# the display manager stopped, and the desktop comes back
mkdir -p "$root/proc/5151/fd"; echo obs >"$root/proc/5151/comm"
ln -s /dev/dri/renderD128 "$root/proc/5151/fd/21"
before=$(state)
clearlog
run gpu detach
check_eq "single GPU, in use: exit 1" 1 "$rc"
check_match "single GPU, in use: names it" \
	'refused: process 5151 \(obs\) has /dev/dri/renderD128 of 0000:2d:00.0 open' "$out"
check_eq "single GPU, in use: what was stopped and unbound comes back, in reverse" \
"fake-tool: systemctl is-active --quiet display-manager.service
fake-tool: systemctl stop display-manager.service
vtcon vtcon1 0
platform-unbind efi-framebuffer efi-framebuffer.0
platform-bind efi-framebuffer efi-framebuffer.0
vtcon vtcon1 1
fake-tool: systemctl start display-manager.service" "$(log)"
check_eq "single GPU, in use: everything as before" "$before" "$(state)"
rm -rf "$root/proc/5151"
# a module to unload that something else still uses
echo 1 >"$root/sys/module/nvidia_drm/refcnt"
before=$(state)
run gpu detach
check_match "single GPU, module in use: named" \
	'refused: module nvidia_drm is in use \(refcount 1, 0 of it from modules unloaded before it\)' "$out"
check_eq "single GPU, module in use: exit 1, undone" "1
$before" "$rc
$(state)"

# every document above, detach, reattach, status and refusals, against the schema
set -- "$work/docs"/*.json
json_schema "gpu.schema.json accepts all $# documents" gpu "$@"
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	jq '.result = "maybe"' "$1" >"$work/broken.json"
	if "$TESTS/validate-json.py" "$TOP/docs/gpu.schema.json" "$work/broken.json" >/dev/null 2>&1; then
		not_ok "gpu.schema.json refuses an unknown result"
	else
		ok "gpu.schema.json refuses an unknown result"
	fi
fi
