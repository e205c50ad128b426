#!/bin/sh
# In-guest reporter for the e2e tests: prints machine-readable "KEY k=v" lines
# on the console (the host matches them), then powers the guest off.
# Runs under busybox (our minimal init) and in a dracut systemd initrd.
exec >/dev/console 2>&1
say() { echo "$@"; }

# Wait for udev (dracut) and for vfio_pci to be loaded, at most ~20 s.
command -v udevadm >/dev/null 2>&1 && udevadm settle -t 20 >/dev/null 2>&1
i=0
while [ ! -d /sys/module/vfio_pci ] && [ $i -lt 40 ] && [ -n "${VP_E2E_WAIT_VFIO:-1}" ]; do
	sleep 0.5; i=$((i + 1))
done

say "E2E_START"
hp=/sys/kernel/mm/hugepages/hugepages-1048576kB
if [ -d $hp ]; then
	line="HP1G total=$(cat $hp/nr_hugepages) free=$(cat $hp/free_hugepages)"
	for n in /sys/devices/system/node/node*; do
		[ -d "$n" ] || continue
		f=$n/hugepages/hugepages-1048576kB/nr_hugepages
		[ -r "$f" ] && line="$line ${n##*/}=$(cat "$f")"
	done
	say "$line"
else
	say "HP1G total=0 free=0 hstate=none"
fi
say "MEM total_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) nodes=$(ls -d /sys/devices/system/node/node* 2>/dev/null | wc -l)"
# Our kmsg lines, whatever their level ("quiet" hides some on the console).
dmesg | sed -n 's/^\[[^]]*\] *//; s/^vfio-provision: /KMSG /p'
for d in /sys/bus/pci/devices/*; do
	drv=none; grp=none
	[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	[ -e "$d/iommu_group" ] && grp=$(basename "$(readlink "$d/iommu_group")")
	say "PCI addr=${d##*/} id=$(sed 's/^0x//' "$d/vendor"):$(sed 's/^0x//' "$d/device") driver=$drv group=$grp override=$(cat "$d/driver_override" 2>/dev/null | tr -d '()')"
done
m=""
for mod in vfio vfio_pci vfio_iommu_type1; do
	[ -d /sys/module/$mod ] && m="$m $mod=1" || m="$m $mod=0"
done
say "MODULES$m"
# Every loaded module, in /proc/modules' order.
say "LSMOD $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
# vp_e2e.debug=1: where RAM is and what the kernel put in it early.
if grep -q 'vp_e2e.debug=1' /proc/cmdline; then
	grep 'System RAM' /proc/iomem | sed 's/^ */IOMEM /'
	dmesg | grep -iE 'software IO TLB|initrd|hugetlb|crashkernel|RAMDISK' | sed 's/^\[[^]]*\] */DMESG /'
	sed 's/^/BUDDY /' /proc/buddyinfo
fi
# Seconds from the kernel's "Run /init" to the early program's first log
# line, and to the vfio module's load (its version line).
say "TIMES init=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' | head -n1) early=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] vfio-provision: .*/\1/p' | head -n1) vfio=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] VFIO - User Level meta-driver.*/\1/p' | head -n1)"
say "VFIODEV $(ls /dev/vfio 2>/dev/null | tr '\n' ' ')"
say "E2E_DONE"
sync
echo o >/proc/sysrq-trigger
sleep 10
