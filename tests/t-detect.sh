#!/bin/bash
# detect: golden human and JSON output for every fixture, the selection and
# verdict per fixture (checked with jq), and bad input: a clear message
# naming the path inside the root, exit 2, no crash (also run under the
# sanitizers by `make check SANITIZE=1`).
. "$(dirname "$0")/lib.sh"

# The fixtures of issue 2 (and detect's own): golden output and the expected
# selection, NAME VERDICT IDS (comma-separated, "-" for none). Every other
# fixture (written for other verbs) gets the checks without goldens.
expected_selection() {
	cat <<'EOF'
detect-base ok 10de:1b81,10de:10f0
skylake-gtx1070 ok 10de:1b81,10de:10f0
turing-4fn ok 10de:1e07,10de:10f7,10de:1ad6,10de:1ad7
two-identical-gpus identical-ids 10de:1b81,10de:10f0
amd-lumped-group not-isolated 1022:43d5,1022:43c8,10ec:8168,1002:67df,1002:aaf0
audio-own-group ok 10de:1b81,10de:10f0
single-gpu boot-vga 10de:2484,10de:228b
iommu-off no-iommu 10de:1b81,10de:10f0
domain0001-many-groups ok 10de:24b0,10de:228b
detect-domain1 ok 1002:73bf,1002:ab28
detect-iommu-off no-iommu 10de:2484,10de:228b
compute-3d-only ok 10de:1eb8
debian-dracut-core ok 10de:1b81,10de:10f0
EOF
}

golden_names=" $(expected_selection | cut -d' ' -f1 | tr '\n' ' ') "

# --- every fixture: exit code, JSON schema; golden output for issue 2's ---------
for spec in "$FIXTURES"/*.spec; do
	name=$(basename "$spec" .spec)
	case $golden_names in *" $name "*) with_golden=1 ;; *) with_golden=0 ;; esac
	if ! root=$(mkfix "$name"); then
		not_ok "detect $name: build fixture"
		continue
	fi
	human=$("$VP" --root "$root" detect 2>&1); rc=$?
	if [ "$rc" -le 1 ]; then ok "detect $name: exit $rc"; else not_ok "detect $name: exit $rc" "$human"; fi
	[ "$with_golden" = 1 ] && golden "detect $name: human" "detect/$name.txt" "$human"
	json=$("$VP" --root "$root" --json detect 2>&1); jrc=$?
	check_eq "detect $name: same exit code with --json" "$rc" "$jrc"
	if jq -e . >/dev/null 2>&1 <<<"$json"; then ok "detect $name: valid JSON"; else not_ok "detect $name: valid JSON" "$json"; fi
	[ "$with_golden" = 1 ] && golden "detect $name: json" "detect/$name.json" "$json"
	# exit code follows the verdict
	verdict=$(jq -r .selection.verdict <<<"$json" 2>/dev/null)
	if [ "$verdict" = ok ]; then want=0; else want=1; fi
	check_eq "detect $name: exit code matches verdict $verdict" "$want" "$rc"
	# the schema's required keys (issue 2) are all there
	keys=$(jq -r '[(.iommu|has("enabled")), (.gpus|type=="array"), (.groups|type=="array"),
		(.selection|has("target") and has("functions") and has("ids") and has("verdict") and has("reasons")),
		(.cpu|has("vendor") and has("pdpe1gb")), (.memory|has("total_kib")),
		(.numa_nodes|type=="array"), (.kernels|type=="array"), has("initramfs"), has("bootloader"),
		(all(.gpus[]; has("address") and has("vendor") and has("device") and has("class") and has("name")
			and has("boot_vga") and has("driver") and has("iommu_group") and has("numa_node"))),
		(all(.groups[].devices[]; has("address") and has("vendor") and has("device") and has("class"))),
		(all(.kernels[]; has("version") and (.modules|length) == 5))] | all' <<<"$json" 2>&1)
	check_eq "detect $name: required JSON keys" true "$keys"
	# addresses DDDD:BB:DD.F, ids lower-case
	bad=$(jq -r '[.functions[].address, .groups[].devices[].address, .selection.functions[]]
		| map(select(test("^[0-9a-f]{4,}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]$") | not)) | join(" ")' <<<"$json" 2>&1)
	check_eq "detect $name: address format" "" "$bad"
	bad=$(jq -r '[.selection.ids[]] | map(select(test("^[0-9a-f]{4}:[0-9a-f]{4}$") | not)) | join(" ")' <<<"$json" 2>&1)
	check_eq "detect $name: id format" "" "$bad"
done

# --- selection and verdict per fixture ----------------------------------------
while read -r name verdict ids; do
	if [ ! -f "$FIXTURES/$name.spec" ]; then
		not_ok "selection $name" "no fixture $FIXTURES/$name.spec"
		continue
	fi
	root=$(mkfix "$name") || { not_ok "selection $name: build fixture"; continue; }
	json=$("$VP" --root "$root" --json detect 2>/dev/null)
	check_eq "selection $name: verdict" "$verdict" "$(jq -r .selection.verdict <<<"$json")"
	got=$(jq -r '.selection.ids | join(",")' <<<"$json")
	check_eq "selection $name: ids" "${ids/#-/}" "$got"
done < <(expected_selection)

# --- bad input -----------------------------------------------------------------
base=$(mkfix detect-base) || { not_ok "bad input: build detect-base"; exit 0; }
work=$(tmpdir); trap 'rm -rf "$work"' EXIT
D=sys/bus/pci/devices/0000:01:00.0

# bad NAME EXPECTED_PATH SHELL_SNIPPET [VP_ARGS...]: runs the snippet in a
# fresh copy of the base root, then detect; wants exit 2 and the path named
# in a "vfio-provision: '<path>'..." message, for both output modes. The
# last message stays in $bad_out for a closer look.
bad() {
	local name=$1 path=$2 snippet=$3 out rc mode
	shift 3
	rm -rf "$work/root"; cp -a "$base" "$work/root"
	(cd "$work/root" && eval "$snippet") || { not_ok "bad input: $name (setup)"; return; }
	for mode in "" --json; do
		out=$("$VP" --root "$work/root" $mode "$@" detect 2>&1 >/dev/null); rc=$?
		bad_out=$out
		if [ "$rc" -eq 2 ] && grep -qF "vfio-provision: '$path'" <<<"$out" &&
		   ! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' <<<"$out"; then
			ok "bad input: $name${mode:+ $mode}"
		else
			not_ok "bad input: $name${mode:+ $mode}" "exit $rc (want 2), want a message naming '$path':" "$out"
		fi
	done
}

bad "no /sys/bus/pci" /sys/bus/pci/devices 'rm -rf sys/bus/pci'
bad "empty root" /sys/bus/pci/devices 'rm -rf ./*'
# the ids and class come from the modalias (probe-pci.c); the vendor,
# device and class files are read, and checked, only where there is none
bad "garbage vendor, no modalias" /$D/vendor "rm $D/modalias; echo nonsense >$D/vendor"
bad "garbage class, no modalias" /$D/class "rm $D/modalias; echo 0x03zz00 >$D/class"
bad "missing vendor file, no modalias" /$D/vendor "rm $D/modalias $D/vendor"
bad "garbage modalias" /$D/modalias "echo 'pci:garbage' >$D/modalias"
# each field exactly its width of hex digits: no sign, space or "0x" (sscanf's %8X took them)
bad "modalias field with a sign" /$D/modalias \
	"echo 'pci:v+00010DEd00001B81sv00001462sd00003306bc03sc00i00' >$D/modalias"
bad "modalias field with a space" /$D/modalias \
	"echo 'pci:v000010DEd 0001B81sv00001462sd00003306bc03sc00i00' >$D/modalias"
rm -rf "$work/root"; cp -a "$base" "$work/root"
(cd "$work/root" && echo zzzz >$D/vendor && echo 0x1002 >$D/device && rm $D/class && mkfifo $D/class)
json=$("$VP" --root "$work/root" --json detect 2>&1)
check_eq "with a modalias the vendor, device and class files are not read: its ids are used" \
	"10de:1b81 030000" \
	"$(jq -r '.gpus[] | select(.address == "0000:01:00.0") | "\(.vendor):\(.device) \(.class_code)"' <<<"$json" 2>&1)"
bad "boot_vga out of range" /$D/boot_vga "echo 7 >$D/boot_vga"
bad "directory for boot_vga" /$D/boot_vga "rm $D/boot_vga; mkdir $D/boot_vga"
bad "directory for modalias" /$D/modalias "rm $D/modalias; mkdir $D/modalias"
# an attribute is stat'ed only when its one read is not a short one: these still are named
bad "a FIFO for modalias" /$D/modalias "rm $D/modalias; mkfifo $D/modalias"
check_match "bad input: a FIFO for modalias: says what it is" "'/$D/modalias': not a regular file \(a named pipe\)" "$bad_out"
bad "a FIFO for vendor, no modalias" /$D/vendor "rm $D/vendor $D/modalias; mkfifo $D/vendor"
check_match "bad input: a FIFO for vendor: says what it is" "'/$D/vendor': not a regular file \(a named pipe\)" "$bad_out"
bad "empty vendor, no modalias" /$D/vendor "rm $D/modalias; : >$D/vendor"
bad "empty modalias" /$D/modalias ": >$D/modalias"
bad "dangling device link" /sys/bus/pci/devices/0000:01:00.1 \
	'rm sys/bus/pci/devices/0000:01:00.1; ln -s ../../../devices/pci0000:00/gone sys/bus/pci/devices/0000:01:00.1'
bad "device entry not an address" /sys/bus/pci/devices/junk 'ln -s ../../../devices/pci0000:00 sys/bus/pci/devices/junk'
bad "dangling group member link" /sys/kernel/iommu_groups/1/devices/0000:01:00.0 \
	'rm sys/kernel/iommu_groups/1/devices/0000:01:00.0; ln -s ../../../../devices/pci0000:00/gone sys/kernel/iommu_groups/1/devices/0000:01:00.0'
bad "dangling iommu_group link" /sys/bus/pci/devices/0000:00:02.0/iommu_group 'rm -r sys/kernel/iommu_groups/2'
bad "iommu_group link to a name that is not a number" /$D/iommu_group \
	"rm $D/iommu_group; ln -s ../../../../kernel/iommu_groups/x1 $D/iommu_group"
check_match "bad input: iommu_group link not a number: says 'bad group link'" \
	"'/$D/iommu_group': bad group link '\.\./\.\./\.\./\.\./kernel/iommu_groups/x1'" "$bad_out"
bad "driver link with no name" /$D/driver "rm $D/driver; ln -s ../../../../bus/pci/drivers/ $D/driver"
check_match "bad input: driver link with no name: says 'bad driver link'" \
	"'/$D/driver': bad driver link '\.\./\.\./\.\./\.\./bus/pci/drivers/'" "$bad_out"
bad "group directory not a number" /sys/kernel/iommu_groups/abc 'mkdir -p sys/kernel/iommu_groups/abc/devices'
bad "group without devices dir" /sys/kernel/iommu_groups/1/devices 'rm -r sys/kernel/iommu_groups/1/devices'
bad "directory for /proc/meminfo" /proc/meminfo 'rm proc/meminfo; mkdir proc/meminfo'
bad "garbage MemTotal" /proc/meminfo 'echo "MemTotal: lots" >proc/meminfo'
bad "garbage nr_hugepages" /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages \
	'echo x >sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages'
bad "garbage node free_hugepages" /sys/devices/system/node/node0/hugepages/hugepages-1048576kB/free_hugepages \
	'echo -12abc >sys/devices/system/node/node0/hugepages/hugepages-1048576kB/free_hugepages'
bad "directory for pci.ids" /usr/share/misc/pci.ids 'mkdir -p usr/share/misc/pci.ids'
bad "directory for /etc/default/grub" /etc/default/grub 'rm etc/default/grub; mkdir etc/default/grub'
bad "a FIFO for /etc/fstab" /etc/fstab 'mkfifo etc/fstab'
bad "--kver not installed" /lib/modules/9.9.9 'true' --kver 9.9.9

# a dangling /etc/fstab link means "no fstab": not an error
rm -rf "$work/root"; cp -a "$base" "$work/root"; ln -sf /nonexistent "$work/root/etc/fstab"
out=$("$VP" --root "$work/root" detect 2>&1); rc=$?
if [ "$rc" -le 1 ]; then ok "dangling /etc/fstab link is an absent file"; else not_ok "dangling /etc/fstab link is an absent file" "$out"; fi

# --kver narrows the kernels to one
json=$("$VP" --root "$base" --kver 5.10.0-28-amd64 --json detect 2>/dev/null)
check_eq "--kver: one kernel" "5.10.0-28-amd64" "$(jq -r '[.kernels[].version] | join(" ")' <<<"$json")"
check_eq "--kver: builtin vfio" "builtin builtin module" \
	"$(jq -r '.kernels[0].modules | [.vfio, .vfio_iommu_type1, .vfio_pci] | join(" ")' <<<"$json")"

# lspci's address convention in the listing: domain kept outside 0000, groups numeric
root=$(mkfix detect-domain1)
out=$("$VP" --root "$root" detect 2>&1)
check_match "listing keeps domain 0001" '^IOMMU Group 31 0001:01:00\.0 VGA compatible controller \[0300\]: .* \[1002:73bf\] \(rev c1\)$' "$out"
check_eq "listing in numeric group order" "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 30 31 31" \
	"$(sed -n 's/^IOMMU Group \([0-9]*\) .*/\1/p' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
json=$("$VP" --root "$root" --json detect 2>/dev/null)
check_eq "gpu on NUMA node 1" "1" "$(jq -r '.gpus[] | select(.address == "0001:01:00.0") | .numa_node' <<<"$json")"
check_eq "per-node 1 GiB pools" "0/0 2/2" "$(jq -r '[.numa_nodes[] | "\(.hp1g_nr)/\(.hp1g_free)"] | join(" ")' <<<"$json")"
root=$(mkfix detect-iommu-off)
out=$("$VP" --root "$root" detect 2>&1)
check_match "IOMMU off: plain lspci lines" '^01:00\.1 Audio device \[0403\]: NVIDIA Corporation .* \[10de:228b\] \(rev a1\)$' "$out"
json=$("$VP" --root "$root" --json detect 2>/dev/null)
check_eq "IOMMU off: no groups, nulls" "false 0 null" "$(jq -r '"\(.iommu.enabled) \(.groups|length) \(.gpus[0].iommu_group)"' <<<"$json")"
check_eq "mkinitcpio + systemd-boot detected" "mkinitcpio systemd-boot bls,systemd-boot" \
	"$(jq -r '"\(.initramfs) \(.bootloader) \(.bootloader_found|sort|join(","))"' <<<"$json")"

# attributes are read relative to the device's directory: one that is a
# link is still resolved as the root sees it (inside it), never followed out
bad "modalias attribute linked out of the root" /$D/modalias \
	"rm $D/modalias; ln -s ../../../../../../../../../../../../../etc/passwd $D/modalias"
check_match "bad input: attribute link out of the root: says so" "leads outside the root" "$bad_out"
rm -rf "$work/root"; cp -a "$base" "$work/root"
(cd "$work/root" && mkdir -p etc/ids && cp $D/modalias etc/ids/modalias && rm $D/modalias &&
	ln -s /etc/ids/modalias $D/modalias && cp $D/revision $D/revision.real && rm $D/revision &&
	ln -s revision.real $D/revision)
json=$("$VP" --root "$work/root" --json detect 2>&1)
check_eq "attribute links resolved inside the root (absolute and relative)" "10de:1b81 030000 a1" \
	"$(jq -r '.gpus[] | select(.address == "0000:01:00.0") | "\(.vendor):\(.device) \(.class_code) \(.revision)"' <<<"$json" 2>&1)"

# with few descriptors the resolver keeps few directories (root-cache.c):
# the same answer, walking from the root where none is kept
root=$(mkfix detect-domain1)
want=$("$VP" --root "$root" --json detect 2>&1)
got=$(ulimit -n 24; "$VP" --root "$root" --json detect 2>&1)
check_eq "detect with 24 descriptors: the same model" "$want" "$got"

# names come from the lines of pci.ids the functions need (probe-pci-names.c):
# comments, other vendors, subsystems and upper-case ids around them
rm -rf "$work/root"; cp -a "$base" "$work/root"; mkdir -p "$work/root/usr/share/misc"
printf '%b\n' '# comment' '1002  Other Vendor' '\t1b81  Not This One' '10DE  Fake Vendor Inc.' \
	'# inside' '\t1b80  Fake Card 8000' '\t\t10de 1b81  Not A Device' '\t1B81  Fake Card 9000' \
	'\t\t1458 3702  Fake Subsystem' '8087  After' 'C 03  Display controller' \
	'\t00  VGA compatible controller' '\t\t00  VGA controller' >"$work/root/usr/share/misc/pci.ids"
out=$("$VP" --root "$work/root" detect 2>&1)
check_match "pci.ids cut to what is needed: names as libpci reads the whole file" \
	'^IOMMU Group 1 01:00.0 VGA compatible controller \[0300\]: Fake Vendor Inc\. Fake Card 9000 \[10de:1b81\] \(rev a1\)$' "$out"

# a pci.ids big enough to be bisected (probe-pci-names.c): 3,000 vendors with
# a long block among them, the one we name sorted in, at the start, out of
# order, in upper case, or after the class list; libpci finds it in each
ids_file() { # WHERE: sorted | first | unsorted | upper | classes-first
	awk -v where="$1" 'BEGIN {
		line = "10de  Fake Vendor Inc."; dev = "\t1b81  Fake Card 9000"
		if (where == "upper") { line = "10DE  Fake Vendor Inc."; dev = "\t1B81  Fake Card 9000" }
		classes = "C 03  Display controller\n\t00  VGA compatible controller"
		if (where == "classes-first") print classes
		if (where == "first") print line "\n" dev
		for (v = 4096; v < 7096; v++) {
			if (v == 4318) {        # 0x10de
				if (where == "sorted" || where == "upper" || where == "classes-first")
					print line "\n\t1b80  Fake Card 8000\n" dev "\n\t\t1458 3702  Fake Subsystem"
				continue
			}
			printf "%04x  Vendor %d\n\t%04x  Card of %d\n", v, v, v + 1, v
			# one long block: a bisection probe that lands in it finds no vendor near
			if (v == 6144)  # 0x1800
				for (d = 0; d < 600; d++) printf "\t%04x  Long %d\n\t\t1111 2222  Sub\n", d, d
		}
		if (where == "unsorted") print line "\n" dev
		if (where != "classes-first") print classes
	}'
}
for where in sorted first unsorted upper classes-first; do
	rm -rf "$work/root"; cp -a "$base" "$work/root"; mkdir -p "$work/root/usr/share/misc"
	ids_file $where >"$work/root/usr/share/misc/pci.ids"
	out=$("$VP" --root "$work/root" detect 2>&1)
	check_match "pci.ids of 3,000 vendors, ours $where: named" \
		'^IOMMU Group 1 01:00.0 VGA compatible controller \[0300\]: Fake Vendor Inc\. Fake Card 9000 \[10de:1b81\] \(rev a1\)$' "$out"
done
check_match "pci.ids of 3,000 vendors: a vendor not listed is shown by number" \
	'^IOMMU Group 2 00:02.0 .*: Vendor 8086 Device 1912 \[8086:1912\]' "$out"

# the root's own pci.ids wins over the host's
rm -rf "$work/root"; cp -a "$base" "$work/root"; mkdir -p "$work/root/usr/share/misc"
printf '10de  Fake Vendor Inc.\n\t1b81  Fake Card 9000\n' >"$work/root/usr/share/misc/pci.ids"
out=$("$VP" --root "$work/root" detect 2>&1)
check_match "pci.ids from the root" '^IOMMU Group 1 01:00.0 .*: Fake Vendor Inc\. Fake Card 9000 \[10de:1b81\] \(rev a1\)$' "$out"
check_match "unknown names shown numerically" '^IOMMU Group 2 00:02.0 .*: Vendor 8086 Device 1912 \[8086:1912\]' "$out"

# boot setup precedence (probe-boot.c): SNIPPET -> "initramfs bootloader"
boot_case() {
	local want=$1 snippet=$2 json
	rm -rf "$work/root"; cp -a "$base" "$work/root"
	(cd "$work/root" && eval "$snippet")
	json=$("$VP" --root "$work/root" --json detect 2>&1)
	check_eq "boot setup: $snippet" "$want" "$(jq -r '"\(.initramfs) \(.bootloader)"' <<<"$json" 2>&1)"
}
boot_case "initramfs-tools grub" 'true'
boot_case "initramfs-tools rpm-ostree" 'mkdir -p run && touch run/ostree-booted'
boot_case "initramfs-tools kernelstub" 'mkdir -p etc/kernelstub && touch etc/kernelstub/configuration'
boot_case "initramfs-tools refind" 'touch boot/refind_linux.conf'
boot_case "initramfs-tools systemd-boot" 'mkdir -p efi/loader && touch efi/loader/loader.conf'
boot_case "initramfs-tools grub" 'mkdir -p etc/kernel && echo root=x >etc/kernel/cmdline'
boot_case "initramfs-tools systemd-boot" 'rm boot/grub/grub.cfg; mkdir -p etc/kernel && echo root=x >etc/kernel/cmdline'
boot_case "initramfs-tools bls" 'rm boot/grub/grub.cfg; mkdir -p boot/loader/entries && touch boot/loader/entries/a.conf'
boot_case "initramfs-tools grubby" 'rm boot/grub/grub.cfg; mkdir -p usr/sbin && touch usr/sbin/grubby'
boot_case "initramfs-tools grub" 'mkdir -p usr/sbin boot/grub2 && touch usr/sbin/grubby && mv boot/grub/grub.cfg boot/grub2/'
boot_case "dracut grub" 'rm usr/sbin/update-initramfs; mkdir -p usr/bin && touch usr/bin/dracut'
boot_case "mkinitcpio grub" 'mkdir -p usr/bin && touch usr/bin/mkinitcpio usr/bin/dracut'
boot_case "null null" 'rm -r usr/sbin/update-initramfs etc/initramfs-tools etc/default/grub'
