#!/bin/bash
# make bench-generators (part of `make bench`): issue 13's table of the time
# from /init to the early program, per initramfs generator, on the QEMU
# set-up of check-e2e (Debian's kernel, TCG). One guest size (6 GiB), the
# default mode as `apply` writes it for that guest (hugepages=N on the
# cmdline, N sized to what fits, and early.conf with mode=boot), 64 pages
# asked. Per generator, BENCH_BOOTS boots (default 3) of one image:
#   busybox          our minimal busybox /init (tests/e2e/guest/init): the
#                    stand-in for mkinitcpio's busybox init
#   dracut           the real dracut, systemd initrd (the module list of
#                    check-e2e), our dracut module from the applied root
#   initramfs-tools  the real mkinitramfs in a debootstrapped Debian root
#   mkinitcpio       the real mkinitcpio from MKINITCPIO_SRC (a checkout of
#                    archlinux/mkinitcpio; Debian has no package): Arch's
#                    fallback image with our hook; "n/a" without it
# plus BENCH_BOOTS boots of the kernel's own hugepages=N alone (busybox
# image without early.conf) for the pages each image kept next to them.
#
# Every figure is measured the same way, in the guest by
# tests/e2e/guest/report.sh (the same file in every image): from the
# timestamp of the kernel's "Run /init as init process" line to that of the
# first kmsg line the program writes ("vfio-provision: ..."), both read
# from dmesg. Prints median and min-max over the boots, the load and CPU
# count of this machine (TCG timings depend on them). Exits 1 when an image
# that must build does not, or a boot does not report.
# E2E_GUEST_MEM (default 6G), BENCH_BOOTS, E2E_KEEP=1 keep the work dir.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=$TOP/build/default}" "${VP:=$BUILD/vfio-provision}"
: "${E2E_TIMEOUT:=300}"
export TOP BUILD VP E2E_TIMEOUT
. "$TOP/tests/e2e/lib.sh"
: "${E2E_GUEST_MEM:=6G}" "${BENCH_BOOTS:=3}"

if ! e2e_can_run; then
	echo "SKIP bench-generators: QEMU cannot run here ($E2E_WHY)"; exit 0
fi
[ -x "$EARLY" ] || { echo "bench-generators: $EARLY not built" >&2; exit 1; }
e2e_kernel || { echo "bench-generators: no kernel" >&2; exit 1; }
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vp-bench-gen.XXXXXX")
[ "${E2E_KEEP:-0}" = 1 ] || trap 'rm -rf "$E2E_WORK"' EXIT
e2e_accel
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
FAILED=0
t0=$SECONDS

# root NAME GENERATOR: the guest's root (tests/e2e/roots/guest.spec; for
# mkinitcpio with Arch's default mkinitcpio.conf added), 64 pages asked in
# the default mode, apply --force. Prints nothing; the apply output is kept.
root() {
	local name=$1 gen=$2 r=$E2E_WORK/root$1
	cp "$E2E_DIR/roots/guest.spec" "$E2E_WORK/$name.spec"
	[ "$gen" = mkinitcpio ] && cat "$E2E_DIR/roots/mkinitcpio.spec" >>"$E2E_WORK/$name.spec"
	"$TOP/tests/mkroot.sh" "$E2E_WORK/$name.spec" "$r" >/dev/null || return 1
	mkdir -p "$r/etc/initramfs-tools" && : >"$r/etc/initramfs-tools/modules"
	printf '[gpu]\nselect = 1234:1111\nstrategy = ids\n[hugepages]\ncount = 64\n[initramfs]\ngenerator = %s\n' \
		"$gen" >"$r/etc/vfio-provision.conf"
	"$VP" --root "$r" --force apply >"$E2E_WORK/$name.apply" 2>&1
}
# the kernel cmdline apply wrote, less what the boot does not need
cmdline_of() {
	tr ' ' '\n' <"$E2E_WORK/root$1/etc/kernel/cmdline" |
		grep -vE '^(root=|ro$|rw$|quiet$|BOOT_IMAGE=|$)' | tr '\n' ' '
}
# secs LOG: seconds from "Run /init" to the program's first kmsg line
secs() {
	awk '/^TIMES/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["init"] != "" && v["early"] != "") printf "%.2f", v["early"] - v["init"]; exit }' "$1"
}
# stats "V ...": "median min-max" of numbers
stats() {
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "? ?"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f-%.1f\n", m, v[1], v[NR] }'
}
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }

declare -A WHY IMG CMDL TIMES PAGES
GENS="kernel busybox dracut initramfs-tools mkinitcpio"

# The images. The kernel's own reservation and the busybox stand-in use the
# dracut root's cmdline and early.conf (the same guest, the same N).
if ! root D dracut; then
	echo "bench-generators: apply failed:" >&2; cat "$E2E_WORK/D.apply" >&2; exit 1
fi
CMD=$(cmdline_of D)
e2e_busybox_initrd "$E2E_WORK/kernel.img" && IMG[kernel]=$E2E_WORK/kernel.img CMDL[kernel]=$CMD
e2e_busybox_initrd "$E2E_WORK/busybox.img" "$E2E_WORK/rootD/etc/vfio-provision/early.conf" &&
	IMG[busybox]=$E2E_WORK/busybox.img CMDL[busybox]=$CMD
if e2e_dracut_initrd "$E2E_WORK/dracut.img" "$E2E_WORK/rootD" >"$E2E_WORK/dracut.build" 2>&1; then
	IMG[dracut]=$E2E_WORK/dracut.img CMDL[dracut]=$CMD
else
	WHY[dracut]="image did not build"; FAILED=1; tail -20 "$E2E_WORK/dracut.build" >&2
fi
if ! root I initramfs-tools; then
	WHY[initramfs-tools]="apply failed"; FAILED=1; cat "$E2E_WORK/I.apply" >&2
elif ! e2e_itools_root; then
	WHY[initramfs-tools]="n/a ($E2E_WHY)"
elif e2e_itools_initrd "$E2E_WORK/initramfs-tools.img" "$E2E_WORK/rootI" >"$E2E_WORK/itools.build" 2>&1; then
	IMG[initramfs-tools]=$E2E_WORK/initramfs-tools.img CMDL[initramfs-tools]=$(cmdline_of I)
else
	WHY[initramfs-tools]="image did not build"; FAILED=1; tail -20 "$E2E_WORK/itools.build" >&2
fi
if ! root M mkinitcpio; then
	WHY[mkinitcpio]="apply failed"; FAILED=1; cat "$E2E_WORK/M.apply" >&2
elif ! e2e_mkinitcpio_setup; then
	WHY[mkinitcpio]="n/a ($E2E_WHY)"
elif e2e_mkinitcpio_initrd "$E2E_WORK/mkinitcpio.img" "$E2E_WORK/rootM" >"$E2E_WORK/mkinitcpio.build" 2>&1; then
	IMG[mkinitcpio]=$E2E_WORK/mkinitcpio.img CMDL[mkinitcpio]=$(cmdline_of M)
else
	WHY[mkinitcpio]="image did not build"; FAILED=1; tail -20 "$E2E_WORK/mkinitcpio.build" >&2
fi

# The boots, one at a time, the generators interleaved round by round so
# that a change in this machine's load spreads over all of them.
for i in $(seq 1 "$BENCH_BOOTS"); do
	for g in $GENS; do
		[ -n "${IMG[$g]:-}" ] || continue
		log=$E2E_WORK/$g.$i.log
		# a boot counts when it reported, and (but for the kernel's own)
		# when both lines of the time were there
		if e2e_boot "$log" "${IMG[$g]}" "$E2E_GUEST_MEM" "${CMDL[$g]}" &&
			{ [ "$g" = kernel ] || [ -n "$(secs "$log")" ]; }; then
			PAGES[$g]="${PAGES[$g]:-} $(e2e_kv "$log" HP1G total)"
			[ "$g" = kernel ] || TIMES[$g]="${TIMES[$g]:-} $(secs "$log")"
		else
			PAGES[$g]="${PAGES[$g]:-} x"; FAILED=1
			echo "bench-generators: $g boot $i did not report; its log ends:" >&2
			grep -v '^\s*$' "$log" | tail -15 >&2
		fi
	done
done

# mean "V ...": the mean of the whole numbers among them ("x" is a failed boot)
mean() { tr ' ' '\n' <<<"$1" | awk '$1 ~ /^[0-9]+$/ { s += $1; n++ } END { if (n) printf "%.4f", s / n; else print "" }'; }
KMEAN=$(mean "${PAGES[kernel]:-}")
echo "== /init -> the early program's log line, per initramfs generator (default mode)"
echo "   guest $E2E_GUEST_MEM, 2 vCPUs, kernel $KVER, cmdline: $CMD"
echo "   QEMU $E2E_ACCEL_ARGS on $(nproc) host CPUs, load $LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after;" \
	"$BENCH_BOOTS boots each, $((SECONDS - t0)) s in all"
echo "   kernel hugepages=N alone, pages per boot:${PAGES[kernel]:- n/a}"
printf '%-16s %7s %8s %11s %-12s %6s\n' generator 'image' 'median' 'min-max' 'pages/boot' ratio
for g in busybox dracut initramfs-tools mkinitcpio; do
	if [ -z "${IMG[$g]:-}" ]; then
		printf '%-16s %s\n' "$g" "${WHY[$g]:-n/a}"; continue
	fi
	read -r med range <<<"$(stats "${TIMES[$g]:-}")"
	pm=$(mean "${PAGES[$g]:-}")
	r=$(awk -v p="$pm" -v k="$KMEAN" 'BEGIN { if (p != "" && k > 0) printf "%.2f", p / k; else print "n/a" }')
	printf '%-16s %5sMB %7ss %10ss %-12s %6s\n' "$g" "$(size_mb "${IMG[$g]}")" "$med" "$range" \
		"$(sed 's/^ //; s/ /,/g' <<<"${PAGES[$g]:-}")" "$r"
done
for g in initramfs-tools mkinitcpio; do
	[ -n "${CMDL[$g]:-}" ] && [ "${CMDL[$g]}" != "$CMD" ] && echo "   $g cmdline (from apply): ${CMDL[$g]}"
done
echo "   (median and min-max seconds from the kernel's \"Run /init as init process\" to the program's first"
echo "    \"vfio-provision:\" kmsg line; ratio: mean pages kept / mean pages of the kernel's hugepages=N alone)"
[ -n "${MKCPIO_VERSION:-}" ] && echo "   mkinitcpio $MKCPIO_VERSION from $MKINITCPIO_SRC"
exit "$FAILED"
