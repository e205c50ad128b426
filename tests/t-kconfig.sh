#!/bin/bash
# The target kernels' build configs (/boot/config-VER, /lib/modules/VER/config,
# /proc/config.gz) against the planned cmdline: refusals per kernel in plan,
# apply and verify.
. "$(dirname "$0")/lib.sh"

base=$(mkfix distro-debian) || { not_ok "fixture distro-debian"; exit 0; }
work=$(tmpdir); trap 'rm -rf "$work"' EXIT
fresh() { rm -rf "$work/root"; cp -a "$base" "$work/root"; root=$work/root; }
conf() { { printf '[gpu]\nselect = 10de:1b81\n[hugepages]\n'; printf '%s\n' "$@"; } >"$root/etc/vfio-provision.conf"; }

# mode = cma on Debian's kernels: both lack CONFIG_CMA, each is named
fresh; conf "count = 4" "mode = cma"
out=$("$VP" --root "$root" plan 2>&1); rc=$?
check_eq "cma without CONFIG_CMA: plan exits 1" 1 "$rc"
check_match "cma: 6.1 refused, its config named" \
	"kernel 6.1.0-18-amd64: 'hugetlb_cma=4G' needs CONFIG_CMA, which '/boot/config-6.1.0-18-amd64' does not set" "$out"
check_match "cma: 6.7 refused too" "kernel 6.7.12\+bpo-amd64: 'hugetlb_cma=4G' needs CONFIG_CMA" "$out"
out=$("$VP" --root "$root" apply 2>&1); rc=$?
check_eq "cma: apply refuses without --force" 1 "$rc"
check_match "cma: apply says why" "needs CONFIG_CMA" "$out"
"$VP" --root "$root" --force apply >/dev/null 2>&1
out=$("$VP" --root "$root" verify 2>&1); rc=$?
check_match "cma: verify reports an [E] line per kernel" \
	"\[E\] kernel 6.1.0-18-amd64: 'hugetlb_cma=4G' needs CONFIG_CMA" "$out"
check_eq "cma: verify exits 1" 1 "$rc"

# the running kernel's /proc/config.gz, when /boot has no config: it has CMA
fresh; conf "count = 4" "mode = cma"
rm "$root/boot/config-6.1.0-18-amd64"
printf 'CONFIG_CMA=y\nCONFIG_HUGETLBFS=y\nCONFIG_HUGETLB_PAGE=y\n' | gzip >"$root/proc/config.gz"
out=$("$VP" --root "$root" plan 2>&1)
check "config.gz: the running kernel with CMA is not refused" \
	bash -c '! grep -q "kernel 6.1.0-18-amd64: .hugetlb_cma" <<<"$1"' _ "$out"
check_match "config.gz: the other kernel still is" "kernel 6.7.12\+bpo-amd64: 'hugetlb_cma=4G' needs CONFIG_CMA" "$out"
# /lib/modules/VER/config (Arch's place) is read as well
printf 'CONFIG_CMA=y\nCONFIG_HUGETLBFS=y\nCONFIG_HUGETLB_PAGE=y\n' >"$root/lib/modules/6.7.12+bpo-amd64/config"
rm "$root/boot/config-6.7.12+bpo-amd64"
out=$("$VP" --root "$root" plan 2>&1)
check "lib/modules/VER/config: read, CMA found" bash -c '! grep -q "needs CONFIG_CMA" <<<"$1"' _ "$out"
# a corrupt config.gz is an error naming the file, not a silent pass
echo garbage >"$root/proc/config.gz"
out=$("$VP" --root "$root" plan 2>&1); rc=$?
check_eq "corrupt config.gz: plan exits 2" 2 "$rc"
check_match "corrupt config.gz: names the file" "'/proc/config.gz'" "$out"

# the node syntax on a kernel older than 5.16
fresh; conf "count = 2" "node = 0" "mode = boot"
cp -a "$root/lib/modules/6.1.0-18-amd64" "$root/lib/modules/5.10.0-28-amd64"
printf 'CONFIG_HUGETLBFS=y\nCONFIG_HUGETLB_PAGE=y\n' >"$root/boot/config-5.10.0-28-amd64"
out=$("$VP" --root "$root" plan 2>&1)
check_match "node syntax on 5.10: refused, says why" \
	"kernel 5.10.0-28-amd64: 'hugepages=0:2' names a NUMA node, which kernels older than 5.16 do not understand \(they read the node number as the count\)" "$out"
check "node syntax: 6.1 is not refused" bash -c '! grep -q "kernel 6.1.0-18-amd64: .hugepages=0" <<<"$1"' _ "$out"

# a kernel without hugetlbfs has no pool at all, whatever the mode
fresh; conf "count = 2" "mode = runtime"
printf '# CONFIG_HUGETLBFS is not set\n# CONFIG_HUGETLB_PAGE is not set\n' >"$root/boot/config-6.7.12+bpo-amd64"
out=$("$VP" --root "$root" plan 2>&1)
check_match "no CONFIG_HUGETLBFS: refused for that kernel" \
	"kernel 6.7.12\+bpo-amd64: built without CONFIG_HUGETLBFS \('/boot/config-6.7.12\+bpo-amd64'\)" "$out"
# count = 0: nothing to refuse
conf "count = 0"
out=$("$VP" --root "$root" plan 2>&1)
check "count = 0: no kernel refusal" bash -c '! grep -q "CONFIG_" <<<"$1"' _ "$out"
