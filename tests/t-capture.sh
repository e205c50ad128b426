#!/bin/bash
# tests/capture-sysfs.sh: a captured machine, rebuilt by mkroot.sh, must look
# the same to lspci and modprobe as the original. Checked on this machine
# (read-only) and as a round trip on fixtures, which have what a test VM
# often lacks (IOMMU groups, bridges, GPUs, kernels with modules).
. "$(dirname "$0")/lib.sh"
. "$FIXTURES/lspci-table.sh"

t=$(tmpdir)
trap 'rm -rf "$t"' EXIT

# --- this machine
if "$TESTS/capture-sysfs.sh" "$t/real.spec" 2>"$t/err"; then
	ok "capture: this machine"
	if "$TESTS/mkroot.sh" "$t/real.spec" "$t/real" 2>"$t/err"; then
		ok "capture: mkroot on the captured spec"
		if [ -n "$(ls -A /sys/bus/pci/devices 2>/dev/null)" ]; then
			check_eq "capture: lspci -n identical" "$(lspci -n 2>/dev/null)" "$(fxlspci "$t/real" -n)"
			check_eq "capture: drivers and groups identical" "$(lspci_table /)" "$(lspci_table "$t/real")"
		else
			skip "capture: lspci -n, drivers and groups identical" "this machine has no PCI devices"
		fi
		check_eq "capture: cpu vendor" "$(awk -F': ' '/^vendor_id/ { print $2; exit }' /proc/cpuinfo)" \
			"$(awk -F': ' '/^vendor_id/ { print $2; exit }' "$t/real/proc/cpuinfo")"
		check_eq "capture: MemTotal" "$(grep MemTotal: /proc/meminfo | tr -s ' ')" "$(grep MemTotal: "$t/real/proc/meminfo" | tr -s ' ')"
		check_eq "capture: cmdline" "$(cat /proc/cmdline)" "$(cat "$t/real/proc/cmdline")"
	else
		not_ok "capture: mkroot on the captured spec" "$(cat "$t/err")"
	fi
else
	not_ok "capture: this machine" "$(cat "$t/err")"
fi

# --- round trips: fixture -> capture -> mkroot -> same view
mp() { local r=$1 v=$2; shift 2; modprobe -d "$r" -S "$v" "$@" 2>&1 | sed "s|$r||g"; }
for name in skylake-gtx1070 turing-4fn single-gpu domain0001-many-groups distro-arch; do
	src=$(mkfix "$name") || { not_ok "round trip $name: mkfix"; continue; }
	if ! "$TESTS/capture-sysfs.sh" -r "$src" "$t/$name.spec" 2>"$t/err" ||
		! "$TESTS/mkroot.sh" "$t/$name.spec" "$t/$name" 2>"$t/err"; then
		not_ok "round trip $name" "$(cat "$t/err")"
		continue
	fi
	dst=$t/$name
	check_eq "round trip $name: PCI functions" "$(lspci_table "$src")" "$(lspci_table "$dst")"
	check_eq "round trip $name: IOMMU" "$(ls "$src/sys/class/iommu" 2>/dev/null)" "$(ls "$dst/sys/class/iommu" 2>/dev/null)"
	check_eq "round trip $name: hugepages" \
		"$(cd "$src/sys/kernel/mm/hugepages" && grep -r . | sort)" "$(cd "$dst/sys/kernel/mm/hugepages" && grep -r . | sort)"
	check_eq "round trip $name: nodes" "$(cd "$src/sys/devices/system/node" && ls -d node*)" "$(cd "$dst/sys/devices/system/node" && ls -d node*)"
	check_eq "round trip $name: cmdline" "$(cat "$src/proc/cmdline")" "$(cat "$dst/proc/cmdline")"
	# Kernels: vfio module states and what the modaliases of the
	# functions that matter here (display, audio, USB/serial bus) resolve to.
	for kd in "$src"/lib/modules/*; do
		v=${kd##*/}
		check_eq "round trip $name $v: vfio_pci" "$(mp "$src" "$v" --show-depends vfio_pci)" "$(mp "$dst" "$v" --show-depends vfio_pci)"
		a="" b=""
		while read -r m; do
			a+="$(mp "$src" "$v" -R "$m" | sort -u | xargs);"
			b+="$(mp "$dst" "$v" -R "$m" | sort -u | xargs);"
		done < <(cat "$src"/sys/bus/pci/devices/*/modalias | grep -E 'bc(03|04|0C)' | sort -u)
		check_eq "round trip $name $v: modalias resolution" "$a" "$b"
	done
done
