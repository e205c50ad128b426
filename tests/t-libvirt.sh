#!/bin/bash
# The libvirt qemu hook: reserve on prepare, give back on release, only for
# configured domains, only what it added; malformed XML reserves nothing.
. "$(dirname "$0")/lib.sh"

shim=$BUILD/tests/shim/fakekernel.so
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
base=$(mkfix hugepages-2node) || { not_ok "fixture hugepages-2node"; exit 0; }
xml=$TESTS/libvirt
work=$(tmpdir); trap 'rm -rf "$work"' EXIT

fresh() {
	rm -rf "$work/root"; cp -a "$base" "$work/root"; root=$work/root
	printf '%s\n' "$@" >"$work/state"
	mkdir -p "$root/etc"
	printf '[libvirt]\ndomains = win11 odd plain broken\n' >"$root/etc/vfio-provision.conf"
}
hook() { LD_PRELOAD=$shim VP_FAKE_KERNEL_STATE=$work/state "$VP" --root "$root" libvirt-hook "$@"; }
nodepool() { cat "$root/sys/devices/system/node/node$1/hugepages/hugepages-1048576kB/nr_hugepages"; }
pool() { cat "$root/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"; }

fresh "avail 40"
out=$(hook win11 prepare begin - <"$xml/win11.xml" 2>&1); rc=$?
check_eq "prepare win11 (16 GiB, node 0): exit 0" 0 "$rc"
check_eq "prepare win11: 16 pages on node 0, none on node 1" "16 0" "$(nodepool 0) $(nodepool 1)"
check_eq "prepare win11: what was added is recorded" "16" "$(cat "$root/run/vfio-provision/libvirt/win11.pages" 2>&1)"
out=$(hook win11 started begin - <"$xml/win11.xml" 2>&1); rc=$?
check_eq "other operations do nothing" "0 16" "$rc $(nodepool 0)"
out=$(hook win11 release end - <"$xml/win11.xml" 2>&1); rc=$?
check_eq "release win11: the 16 pages go back" "0 0" "$rc $(nodepool 0)"
check "release win11: the record is removed" test ! -e "$root/run/vfio-provision/libvirt/win11.pages"

# pages reserved at boot are not taken away by a release
fresh "avail 40"
echo 4 >"$root/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
echo 4 >"$root/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"
hook odd prepare begin - <"$xml/gib-odd.xml" >/dev/null 2>&1
check_eq "prepare odd (12300 MiB -> 13 pages, 4 already free): pool 13" "13" "$(pool)"
hook odd release end - <"$xml/gib-odd.xml" >/dev/null 2>&1
check_eq "release odd: only the 9 added go back" "4" "$(pool)"

# too few pages: the domain must not start, and nothing stays held
fresh "avail 5"
out=$(hook win11 prepare begin - <"$xml/win11.xml" 2>&1); rc=$?
check_eq "prepare with 5 available of 16: exit 1" 1 "$rc"
check_eq "prepare short: the 5 taken are given back" "0" "$(nodepool 0)"
check_match "prepare short: says how many it needs" "domain 'win11' needs 16 free 1 GiB pages" "$out"

# not ours, or no hugepages backing: nothing happens
fresh "avail 40"
sed 's/<name>win11</<name>other</' "$xml/win11.xml" >"$work/other.xml"
out=$(hook other prepare begin - <"$work/other.xml" 2>&1); rc=$?
check_eq "a domain not in [libvirt] domains: exit 0, nothing reserved" "0 0" "$rc $(nodepool 0)"
out=$(hook plain prepare begin - <"$xml/no-hugepages.xml" 2>&1); rc=$?
check_eq "a domain without 1 GiB backing: exit 0, nothing reserved" "0 0 0" "$rc $(pool) $(nodepool 0)"
check_match "a domain without 1 GiB backing: says how to add it" "<page size='1' unit='GiB'/>" "$out"

# malformed XML
out=$(hook broken prepare begin - <"$xml/malformed.xml" 2>&1); rc=$?
check_eq "malformed XML: exit 2, nothing reserved" "2 0 0" "$rc $(pool) $(nodepool 0)"
check_match "malformed XML: names the line" "'<stdin>':4: malformed domain XML.*nothing reserved" "$out"
out=$(hook broken prepare begin - <"$xml/bad-unit.xml" 2>&1); rc=$?
check_eq "bad memory unit: exit 2" 2 "$rc"
out=$(hook broken prepare begin - <"$xml/not-domain.xml" 2>&1); rc=$?
check_match "not a domain: says so" "not a libvirt domain" "$out"
out=$(hook win11 2>&1); rc=$?
check_eq "too few arguments: exit 2" 2 "$rc"

# the installed hook script passes arguments and standard input through
d=$(tmpdir)
make -s -C "$TOP" install-libvirt DESTDIR="$d" PREFIX=/usr SANITIZE="${SANITIZE:-}" >/dev/null 2>&1
check_match "installed qemu hook execs the tool" '^exec /usr/bin/vfio-provision libvirt-hook "\$@"$' \
	"$(cat "$d/usr/share/vfio-provision/libvirt/qemu" 2>&1)"
fresh "avail 40"
sed "s|/usr/bin/vfio-provision|env LD_PRELOAD=$shim VP_FAKE_KERNEL_STATE=$work/state $VP --root $root|" \
	"$d/usr/share/vfio-provision/libvirt/qemu" >"$work/qemu"
sh "$work/qemu" win11 prepare begin - <"$xml/win11.xml" >/dev/null 2>&1
check_eq "the hook script reserves through the tool" "16" "$(nodepool 0)"
rm -rf "$d"

# a named pipe where the record belongs: neither verb blocks on it
fresh "avail 40"
mkdir -p "$root/run/vfio-provision/libvirt"; mkfifo "$root/run/vfio-provision/libvirt/win11.pages"
timeout 10 bash -c "$(declare -f hook); $(declare -p shim work root VP); hook win11 release end - <'$xml/win11.xml'" >/dev/null 2>&1
check_eq "release with a FIFO as the record: returns, gives back nothing" "0 0" "$? $(nodepool 0)"
mkfifo "$root/run/vfio-provision/libvirt/win11.pages" 2>/dev/null
out=$(timeout 10 bash -c "$(declare -f hook); $(declare -p shim work root VP); hook win11 prepare begin - <'$xml/win11.xml'" 2>&1); rc=$?
# pages nobody could record would stay reserved for good: none are taken
check_match "prepare with a FIFO as the record: exit 2, says why" \
	"^2 .*domain 'win11': cannot record its pages: .*named pipe.*nothing reserved" "$rc $out"
check_eq "prepare with a FIFO as the record: nothing reserved" "0 0" "$(pool) $(nodepool 0)"

# the record's directory a link leaving the root: nothing is written outside
fresh "avail 40"
outside=$work/outside; rm -rf "$outside"; mkdir -p "$outside"
mkdir -p "$root/run"; ln -s "../../../../../../../../../..$outside" "$root/run/vfio-provision"
out=$(hook win11 prepare begin - <"$xml/win11.xml" 2>&1); rc=$?
check_eq "record directory leaving the root: nothing written outside" "" "$(ls -A "$outside")"
check_match "record directory leaving the root: exit 2, naming the link" \
	"^2 .*'/run/vfio-provision': a symbolic link .* not following it" "$rc $out"
check_eq "record directory leaving the root: nothing reserved" "0 0" "$(pool) $(nodepool 0)"

# the record cannot be written after the pages were taken (the disk is full:
# tests/shim/faults.c fails its write): the pages added are given back
fresh "avail 40"
out=$(LD_PRELOAD="$shim $BUILD/tests/shim/faults.so" VP_FAULT_ROOT=$root VP_FAULT_OP=write \
	VP_FAULT_ERRNO=ENOSPC VP_FAULT_MATCH=win11.pages VP_FAKE_KERNEL_STATE=$work/state \
	"$VP" --root "$root" libvirt-hook win11 prepare begin - <"$xml/win11.xml" 2>&1); rc=$?
check_match "record not writable: exit 2, says the pages go back" \
	"^2 .*could not record the pages added for 'win11'.*the 16 added are given back" "$rc $out"
check_eq "record not writable: the pages went back" "0 0" "$(pool) $(nodepool 0)"

# a <name> other than the domain libvirt names: nothing reserved (the record
# would be filed under one name and looked for under the other)
fresh "avail 40"
sed 's/<name>win11</<name>other</' "$xml/win11.xml" >"$work/other.xml"
out=$(hook win11 prepare begin - <"$work/other.xml" 2>&1); rc=$?
check_eq "<name> not the domain's: exit 2, nothing reserved" "2 0 0" "$rc $(pool) $(nodepool 0)"
check_match "<name> not the domain's: says so" "called for 'win11' with the XML of 'other'" "$out"
out=$(hook win11 release end - <"$work/other.xml" 2>&1); rc=$?
check_eq "<name> not the domain's: release exits 2" 2 "$rc"

# a DOCTYPE (entities: a few bytes that expand to gigabytes): refused, at once
fresh "avail 40"
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE domain [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">]>'
	printf '<domain type="kvm"><name>win11'
	for _ in $(seq 5000); do printf '&a;'; done
	echo '</name><memory unit="GiB">16</memory></domain>'
} >"$work/entities.xml"
out=$(timeout 20 bash -c "$(declare -f hook); $(declare -p shim work root VP); hook win11 prepare begin - <'$work/entities.xml'" 2>&1); rc=$?
check_eq "a DOCTYPE: exit 2, nothing reserved" "2 0" "$rc $(pool)"
check_match "a DOCTYPE: says why, naming the line" "'<stdin>':2: a <!DOCTYPE> in the domain XML" "$out"
# more than a domain ever is: refused by its size
head -c $((2 << 20)) /dev/zero | tr '\0' ' ' >"$work/big.xml"
out=$(hook win11 prepare begin - <"$work/big.xml" 2>&1); rc=$?
check_eq "an XML of 2 MiB: exit 2, nothing reserved" "2 0" "$rc $(pool)"
