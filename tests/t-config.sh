#!/bin/bash
# The config as the binary reads it: errors name file and line and exit 2,
# drop-ins override in lexical order, --config picks another main file
# (--config - reads it from standard input).
. "$(dirname "$0")/lib.sh"

fix=$(mkfix config-gtx1070) || { not_ok "config: fixture"; exit 0; }
t=$(tmpdir); trap 'rm -rf "$t"' EXIT
root=$t/root
cp -a "$fix" "$root"
conf=$root/etc/vfio-provision.conf
dropins=$root/etc/vfio-provision.conf.d
mkdir -p "$root/etc"

# run NAME: detect --json on the root; sets $out, $err, $rc
run() {
	out=$("$VP" --root "$root" "$@" --json detect 2>"$t/err"); rc=$?
	err=$(cat "$t/err")
}
verdict() { sed -n 's/.*"verdict": *"\([a-z-]*\)".*/\1/p' <<<"$out" | head -1; }
targets() { tr -d '\n\t ' <<<"$out" | sed -n 's/.*"targets":\[\([^]]*\)\].*/\1/p'; }

# expect_error NAME 'CONFIG TEXT' 'MESSAGE': exit 2 and exactly that message
expect_error() {
	printf '%b' "$2" >"$conf"
	run
	check_eq "config: $1: exit 2" 2 "$rc"
	check_eq "config: $1: message" "vfio-provision: $3" "$err"
}

run
check_eq "config: no config: exit 0" 0 "$rc"
check_eq "config: no config: auto selection" '"0000:01:00.0"' "$(targets)"

printf '[gpu]\nselect = 00:02.0\n' >"$conf"
run
check_eq "config: select the boot VGA: exit 1" 1 "$rc"
check_eq "config: select the boot VGA: verdict" boot-vga "$(verdict)"
check_eq "config: select the boot VGA: targets" '"0000:00:02.0"' "$(targets)"

# a drop-in replaces the main file's list; 20 comes after 10
mkdir -p "$dropins"
printf '[gpu]\nselect = 10de:1b81\n' >"$dropins/20-late.conf"
printf '[gpu]\nselect = 00:02.0\n' >"$dropins/10-early.conf"
printf '[gpu]\nselect = nonsense\n' >"$dropins/30-off.conf.disabled"
run
check_eq "config: drop-ins: exit 0" 0 "$rc"
check_eq "config: drop-ins: last one wins" '"0000:01:00.0"' "$(targets)"

printf '[gpu]\n\nstrategy = sometimes\n' >"$dropins/15-bad.conf"
run
check_eq "config: bad drop-in: exit 2" 2 "$rc"
check_eq "config: bad drop-in: message" \
	"vfio-provision: '/etc/vfio-provision.conf.d/15-bad.conf':3: bad value 'sometimes' for 'strategy' (allowed: auto, ids, override)" "$err"
rm -rf "$dropins"

# --config: another file inside the root; a missing one is an error
printf '[gpu]\nselect = 0000:00:02.0\n' >"$root/etc/alt.conf"
printf '[gpu]\nselect = auto\n' >"$conf"
run --config /etc/alt.conf
check_eq "config: --config: used instead of the main file" '"0000:00:02.0"' "$(targets)"
run --config /etc/missing.conf
check_eq "config: missing --config: exit 2" 2 "$rc"
check_eq "config: missing --config: message" \
	"vfio-provision: '/etc/missing.conf': No such file or directory" "$err"
rm -f "$root/etc/alt.conf"

# --config -: the config on standard input, nothing read from the main file
out=$(printf '[gpu]\nselect = 0000:00:02.0\n' | "$VP" --root "$root" --config - --json detect 2>"$t/err"); rc=$?
check_eq "config: --config - reads standard input" '1:"0000:00:02.0"' "$rc:$(targets)"
out=$(printf '[gpu]\n\nstrategy = sometimes\n' | "$VP" --root "$root" --config - --json detect 2>&1); rc=$?
check_eq "config: --config -: errors name <stdin> and the line" \
	"2:vfio-provision: '<stdin>':3: bad value 'sometimes' for 'strategy' (allowed: auto, ids, override)" "$rc:$out"

# the errors of issue 2, each with file, line and what is wrong
expect_error "unknown section" '[gpu]\nselect = auto\n[hugepage]\ncount = 4\n' \
	"'/etc/vfio-provision.conf':3: unknown section [hugepage] (known: gpu, hugepages, initramfs, bootloader, cmdline, apply, libvirt, handoff)"
expect_error "unknown key" '[hugepages]\ncuont = 4\n' \
	"'/etc/vfio-provision.conf':2: unknown key 'cuont' in section [hugepages] (known: count, size, node, mode, mount, group, host_min)"
expect_error "bad value" '[cmdline]\ntransparent_hugepage = off\n' \
	"'/etc/vfio-provision.conf':2: bad value 'off' for 'transparent_hugepage' (allowed: keep, never, madvise, always)"
expect_error "duplicate key" '[hugepages]\ncount = 4\nnode = 0\ncount = 8\n' \
	"'/etc/vfio-provision.conf':4: duplicate key 'count' in section [hugepages] (first set at line 2)"
expect_error "count and size" '[hugepages]\ncount = 4\nsize = 4G\n' \
	"'/etc/vfio-provision.conf':3: 'size' and 'count' are exclusive ('count' is set at line 2)"
expect_error "size not whole pages" '[hugepages]\nsize = 2560M\n' \
	"'/etc/vfio-provision.conf':2: 'size' 2560M is not a whole number of 1 GiB pages; write 2G or 3G"
expect_error "malformed line" '[gpu]\nselect auto\n' \
	"'/etc/vfio-provision.conf':2: malformed line, expected 'key = value', '[section]' or a comment"
long=$(printf 'a%.0s' $(seq 1 190))
expect_error "over-long line" "[libvirt]\n# fine\ndomains = $long\n" \
	"'/etc/vfio-provision.conf':3: line is 200 bytes long, at most 198 are allowed"

# a select entry that names no device
printf '[gpu]\nselect = 0000:09:00.0\n' >"$conf"
run
check_eq "config: select names no device: exit 2" 2 "$rc"
check_eq "config: select names no device: message" \
	"vfio-provision: [gpu] select: no PCI device at 0000:09:00.0" "$err"

# unreadable: a directory where the file is expected
rm -f "$conf"; mkdir "$conf"
run
check_eq "config: directory as config: exit 2" 2 "$rc"
check_eq "config: directory as config: message" \
	"vfio-provision: '/etc/vfio-provision.conf': not a regular file (a directory); not reading it" "$err"
rmdir "$conf"

# the shipped example is valid and changes nothing from the defaults
cp "$TOP/templates/vfio-provision.conf" "$conf"
run
check_eq "config: template parses" "0:" "$rc:$err"
check_eq "config: template keeps auto" '"0000:01:00.0"' "$(targets)"

# every key is documented with its default, and the defaults are valid values
# (size is the other spelling of count: one of them per file)
sed -E 's/^#([a-z_]+ = )/\1/; /^size = /d' "$TOP/templates/vfio-provision.conf" >"$conf"
run
check_eq "config: template defaults uncommented parse" "0:" "$rc:$err"
check_eq "config: template defaults keep auto" '"0000:01:00.0"' "$(targets)"
missing=
for k in select strategy count size node mode mount group host_min generator regenerate \
	 type iommu iommu_pt transparent_hugepage on_upgrade domains single_gpu stop unload; do
	grep -qE "^#$k =" "$TOP/templates/vfio-provision.conf" || missing="$missing $k"
done
check_eq "config: template documents every key" "" "$missing"
