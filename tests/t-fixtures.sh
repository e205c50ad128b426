#!/bin/bash
# Tests of tests/mkroot.sh itself: the fake roots must look like a real
# machine to the real tools (lspci/libpci, depmod/modprobe/modinfo/libkmod),
# or every other test would be testing against a fiction.
. "$(dirname "$0")/lib.sh"

. "$FIXTURES/lspci-table.sh"

# The same table computed from the spec's pci lines.
spec_table() {
	awk '
		$1 == "iommu" { off = ($2 == "off") }
		$1 == "pci" {
			delete a
			for (i = 3; i <= NF; i++) { split($i, kv, "="); a[kv[1]] = kv[2] }
			split(a["id"], id, ":")
			sub_ = ("sub" in a) ? a["sub"] : "0000:0000"
			if (sub_ == "0000:0000") sub_ = "-"
			rev = ("rev" in a && a["rev"] != "00") ? a["rev"] : "-"
			grp = ("group" in a && !off) ? a["group"] : "-"
			drv = ("driver" in a) ? a["driver"] : "-"
			print $2, substr(a["class"], 1, 4), id[1], id[2], rev, sub_, drv, grp
		}' "$1" | sort
}

for spec in "$FIXTURES"/*.spec; do
	name=$(basename "$spec" .spec)
	if ! root=$(mkfix "$name"); then
		not_ok "mkroot $name" "$TESTS/mkroot.sh failed on $spec"
		continue
	fi
	ok "mkroot $name"

	# Every link resolves inside the root and is relative, as in sysfs.
	bad=$(cd "$root" && find sys -lname '/*' -printf 'absolute: %p -> %l\n' -o -xtype l -printf 'dangling: %p -> %l\n')
	check_eq "$name: sysfs links relative and resolving" "" "$bad"

	# lspci (libpci's sysfs method) sees every device with the spec's
	# ids, class, revision, subsystem, driver and IOMMU group.
	check_eq "$name: lspci sees the spec's devices" "$(spec_table "$spec")" "$(lspci_table "$root")"
done

sk=$(mkfix skylake-gtx1070) || exit 1
d=$sk/sys/bus/pci/devices

check_eq "link shape bus/pci/devices" "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0" "$(readlink "$d/0000:01:00.0")"
check_eq "link shape iommu_group" "../../../../kernel/iommu_groups/1" "$(readlink "$d/0000:01:00.0/iommu_group")"
check_eq "link shape driver" "../../../../bus/pci/drivers/nouveau" "$(readlink "$d/0000:01:00.0/driver")"
check_eq "link shape group member" "../../../../devices/pci0000:00/0000:00:01.0/0000:01:00.1" \
	"$(readlink "$sk/sys/kernel/iommu_groups/1/devices/0000:01:00.1")"
check_eq "driver back link" "$(cd "$d/0000:01:00.1" && pwd -P)" "$(cd "$sk/sys/bus/pci/drivers/snd_hda_intel/0000:01:00.1" && pwd -P)"
check_eq "group 1 members" "0000:00:01.0 0000:01:00.0 0000:01:00.1" "$(cd "$sk/sys/kernel/iommu_groups/1/devices" && echo *)"
check_eq "modalias format" "pci:v000010DEd00001B81sv00001462sd00003306bc03sc00i00" "$(cat "$d/0000:01:00.0/modalias")"
check_eq "attribute format" "0x10de 0x1b81 0x030000 0xa1 0x1462 0x3306 -1" \
	"$(cd "$d/0000:01:00.0" && cat vendor device class revision subsystem_vendor subsystem_device numa_node | xargs)"
check_eq "boot_vga only on VGA" "1 0 absent" \
	"$( (cat "$d/0000:00:02.0/boot_vga" "$d/0000:01:00.0/boot_vga"; [ -e "$d/0000:01:00.1/boot_vga" ] || echo absent) | xargs)"
check_eq "config is 64 bytes" 64 "$(stat -c %s "$d/0000:01:00.0/config")"
check_eq "config: header type 0x80 on function 0 of a multi-function device" "80 00" \
	"$(od -An -tx1 -j14 -N1 "$d/0000:01:00.0/config" | xargs) $(od -An -tx1 -j14 -N1 "$d/0000:01:00.1/config" | xargs)"
check_match "bridge header: bus numbers from its children" "primary=00, secondary=01, subordinate=01" \
	"$(fxlspci "$sk" -vv -s 00:01.0)"
check_eq "iommu class device" "../../devices/virtual/iommu/dmar0" "$(readlink "$sk/sys/class/iommu/dmar0")"
check_eq "running kernel" "6.1.0-18-amd64" "$(cat "$sk/proc/sys/kernel/osrelease")"
check_match "cpuinfo: vendor, vmx, pdpe1gb" "vendor_id	: GenuineIntel" "$(cat "$sk/proc/cpuinfo")"
check_eq "cpuinfo: 8 processors with pdpe1gb" 8 "$(grep -c '^flags.* pdpe1gb ' "$sk/proc/cpuinfo")"
check_match "meminfo MemTotal" "^MemTotal: +32780744 kB$" "$(cat "$sk/proc/meminfo")"
check_eq "hugepage pools" "0 0" "$(cat "$sk/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages" "$sk/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages" | xargs)"
check_eq "file directive: content" 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"' "$(grep CMDLINE_LINUX_DEFAULT "$sk/etc/default/grub")"
check_eq "file directive: mode" 755 "$(stat -c %a "$sk/usr/sbin/update-initramfs")"

# Modules: depmod-made indexes that modprobe -d resolves like a real tree.
mp() { local r=$1 v=$2; shift 2; modprobe -d "$r" -S "$v" "$@" 2>&1; }
insmods() { sed -n 's|^insmod .*/lib/modules/[^/]*/||p; s|^builtin |builtin |p' | xargs; }
check_eq "6.1: vfio_pci dependencies (with vfio_virqfd, vfio's softdep)" \
	"kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio_iommu_type1.ko kernel/virt/lib/irqbypass.ko kernel/drivers/vfio/vfio_virqfd.ko kernel/drivers/vfio/pci/vfio-pci-core.ko kernel/drivers/vfio/pci/vfio-pci.ko" \
	"$(mp "$sk" 6.1.0-18-amd64 --show-depends vfio_pci | insmods)"
check_eq "vfio_iommu_type1 depends on vfio" "kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio_iommu_type1.ko" \
	"$(mp "$sk" 6.1.0-17-amd64 --show-depends vfio_iommu_type1 | insmods | xargs -n1 | sort -u | xargs)"
check_eq "resolve GPU modalias" nouveau "$(mp "$sk" 6.1.0-18-amd64 -R "$(cat "$d/0000:01:00.0/modalias")")"
# Two of snd_hda_intel's aliases match (vendor and class): modprobe lists both.
check_eq "resolve audio modalias" snd_hda_intel "$(mp "$sk" 6.1.0-18-amd64 -R "$(cat "$d/0000:01:00.1/modalias")" | sort -u)"
check_eq "resolve vfio_pci driver_override alias" vfio_pci \
	"$(mp "$sk" 6.1.0-18-amd64 -R "vfio_pci:v000010DEd00001B81sv00001462sd00003306bc03sc00i00")"
check_eq "modinfo depends" "vfio_pci_core" "$(modinfo -b "$sk" -k 6.1.0-18-amd64 -F depends vfio_pci 2>&1)"

tu=$(mkfix turing-4fn) || exit 1
check_eq "6.8: no vfio_virqfd" "" "$(find "$tu/lib/modules/6.8.0-45-generic" -name '*virqfd*')"
check_eq "6.8: vfio_pci dependencies" \
	"kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio_iommu_type1.ko kernel/virt/lib/irqbypass.ko kernel/drivers/vfio/pci/vfio-pci-core.ko kernel/drivers/vfio/pci/vfio-pci.ko" \
	"$(mp "$tu" 6.8.0-45-generic --show-depends vfio_pci | insmods)"
check_eq "module path= (DKMS)" updates/dkms/nvidia.ko \
	"$(modinfo -b "$tu" -k 6.8.0-45-generic -F filename nvidia | sed 's|.*/6.8.0-45-generic/||')"
check_eq "resolve UCSI modalias" i2c_nvidia_gpu \
	"$(mp "$tu" 6.8.0-45-generic -R "$(cat "$tu/sys/bus/pci/devices/0000:0a:00.3/modalias")")"
check_eq "AMD CPU: ivhd0, svm" "ivhd0 16" "$(ls "$tu/sys/class/iommu") $(grep -c ' svm ' "$tu/proc/cpuinfo")"

sg=$(mkfix single-gpu) || exit 1
check_eq "builtin vfio_pci" "builtin vfio_pci" "$(mp "$sg" 6.6.30-custom --show-depends vfio_pci)"
check_eq "builtin modinfo" "(builtin)" "$(modinfo -b "$sg" -k 6.6.30-custom -F filename vfio_pci 2>&1)"
check_eq "builtin: no .ko files" "" "$(find "$sg/lib/modules/6.6.30-custom" -name 'vfio*.ko')"

off=$(mkfix iommu-off) || exit 1
check_eq "iommu off: empty iommu_groups, no links, no iommu class" "0 0 absent" \
	"$(ls "$off/sys/kernel/iommu_groups" | wc -l) $(find "$off/sys/devices" -name iommu_group | wc -l) $([ -e "$off/sys/class/iommu" ] && echo present || echo absent)"

dom=$(mkfix domain0001-many-groups) || exit 1
# A root port on its own root bus hangs off its own host bridge, as on
# Skylake-SP (pci0000:17, pci0000:64...).
check_eq "root bus host bridge directory" "../../../devices/pci0001:64/0001:64:00.0/0001:65:00.0" \
	"$(readlink "$dom/sys/bus/pci/devices/0001:65:00.0")"
check_eq "more than 20 groups" 26 "$(ls "$dom/sys/kernel/iommu_groups" | wc -l)"
check_eq "numa nodes" "online=0-1 node1=65865728" \
	"online=$(tr , - <"$dom/sys/devices/system/node/online") node1=$(awk '/MemTotal/ {print $4}' "$dom/sys/devices/system/node/node1/meminfo")"
check_eq "numa_node attribute" 1 "$(cat "$dom/sys/bus/pci/devices/0001:65:00.0/numa_node")"

ar=$(mkfix distro-arch) || exit 1
check_eq "merged /usr: modules under usr/lib" "6.6.36-1-lts 6.9.7-arch1-1" "$(cd "$ar/usr/lib/modules" && echo *)"
check_eq "merged /usr: modprobe through the lib link" vfio_pci \
	"$(mp "$ar" 6.9.7-arch1-1 -R "vfio_pci:v000010DEd00001B81sv00001462sd00003306bc03sc00i00")"

# Bad specs fail with the spec's name and line.
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
printf 'cpu vendor=GenuineIntel\npci 0000:00:02.0 class=zz id=8086:1912\n' >"$t/bad.spec"
out=$("$TESTS/mkroot.sh" "$t/bad.spec" "$t/bad" 2>&1); rc=$?
check_eq "bad spec: exit status" 1 "$rc"
check_match "bad spec: names file and line" "bad.spec:2: pci 0000:00:02.0 needs class=HEX6" "$out"
printf 'pci 0000:01:00.0 class=030000 id=10de:1b81 parent=0000:00:01.0\n' >"$t/order.spec"
check_match "parent must come first" "order.spec:1: parent 0000:00:01.0 must be defined before" \
	"$("$TESTS/mkroot.sh" "$t/order.spec" "$t/order" 2>&1)"
printf 'file /etc/x\nabc\n' >"$t/eof.spec"
check_match "file without EOF" "file etc/x: no EOF line" "$("$TESTS/mkroot.sh" "$t/eof.spec" "$t/eof" 2>&1)"
printf 'frobnicate 1\n' >"$t/unk.spec"
check_match "unknown directive" "unk.spec:1: unknown directive 'frobnicate'" "$("$TESTS/mkroot.sh" "$t/unk.spec" "$t/unk" 2>&1)"

# bench/gen-tree.sh: the synthetic trees have the same shape.
g=$t/gen
if "$TOP/bench/gen-tree.sh" 40 "$g" >/dev/null 2>"$t/gen.err"; then
	ok "gen-tree: 40 functions"
	check_eq "gen-tree: lspci sees 40 functions" 40 "$(fxlspci "$g" -n | wc -l)"
	check_eq "gen-tree: 10 groups of 4" "10 4" \
		"$(find "$g/sys/kernel/iommu_groups" -mindepth 1 -maxdepth 1 | wc -l) $(find "$g/sys/kernel/iommu_groups/3/devices" -mindepth 1 | wc -l)"
	check_eq "gen-tree: links relative and resolving" "" \
		"$(cd "$g" && find sys -lname '/*' -printf 'absolute: %p\n' -o -xtype l -printf 'dangling: %p\n')"
	check_eq "gen-tree: group link" "../../../kernel/iommu_groups/9" "$(readlink "$g/sys/bus/pci/devices/0000:00:09.3/iommu_group")"
	check_eq "gen-tree: one boot VGA" 1 "$(cat "$g"/sys/bus/pci/devices/*/boot_vga | grep -c 1)"
	check_eq "gen-tree: kernel with vfio_pci" vfio_pci \
		"$(modprobe -d "$g" -S 6.8.0-45-generic -R vfio_pci:v000010DEd00001B81sv00001462sd00003306bc03sc00i00 2>&1)"
else
	not_ok "gen-tree: 40 functions" "$(cat "$t/gen.err")"
fi
