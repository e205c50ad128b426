#!/bin/bash
# make check-e2e-rtdisk: issue 13's runtime reservation test on a guest with
# a real filesystem. An ext4 image is made here at test time (mkfs.ext4 -d
# from small files of fixed sizes and bytes) and attached as a virtio disk
# with snapshot=on, so every boot sees the same image. The busybox initramfs
# holds the real binary, its shared objects, the static fragmenter and the
# virtio/ext4 modules of the cached kernel. Four boots of the real Debian
# kernel (10 GiB), each: the same fragmentation (tests/e2e/guest/fragdisk.c:
# anonymous memory interleaved with reading and writing small files on the
# disk, then the anonymous memory freed), then ONE method:
#   naive    one write of N to nr_hugepages
#   recipe   the seed's: sync; echo 3 > drop_caches; echo 1 > compact_memory; write N
#   reserve  vfio-provision --root / hugepages reserve N --partial-ok
#   drop     the same with --drop-caches
# Prints the pages each got as a table and asserts reserve >= recipe and
# reserve --drop-caches >= recipe, that every boot's slab sits in the same
# GiBs (a per-GiB map from /proc/kpageflags), that the fragmentation left
# dirty data and that the methods which sync (recipe, reserve, drop) leave
# Dirty near 0, and that the naive write gets some pages but not all.
# Ends with "N passed, N failed, N skipped"; skips (exit 0) only when QEMU
# cannot run at all, and never under CI=true or VP_NO_SKIP=1 (exit 1).
# A boot takes 60-95 s on a loaded 2-core host (most of it the fragmenter).
: "${E2E_TIMEOUT:=300}"
. "$(dirname "$0")/suite.sh"
# Guest size and pages asked (more than fit). The fragmentation: files in
# the image, anonymous MiB cycled (32 MiB a round), files read and written
# a round, the seed of every size and byte. E2E_RTD_METHODS: the boots, in
# order (a method may repeat, to measure the spread by hand).
# The "mild" level: 4 GiB of anonymous memory interleaved with 16000 files
# read and 9600 written leaves slab in the lower GiBs and the guest 2 of
# its 6 free GiB-aligned blocks (measured, see README).
: "${E2E_RTD_MEM:=10G}" "${E2E_RTD_PAGES:=8}" "${E2E_RTD_FILES:=40000}"
: "${E2E_RTD_FILL:=4096}" "${E2E_RTD_READ:=125}" "${E2E_RTD_WRITE:=75}" "${E2E_RTD_SEED:=13}"
: "${E2E_RTD_METHODS:=naive recipe reserve drop}"
# Dirty kB that still counts as "synced" (a journal commit's worth).
: "${E2E_RTD_DIRTY_MAX:=4096}"
# One vCPU: with two, where the fragmenter's slab lands moved by up to a
# GiB from boot to boot (measured at 2 GiB of fill: naive 3 or 4 pages,
# --drop-caches 3 against the recipe's 4, from placement alone); with one
# the per-GiB slab counts agree to a few pages, so boots can be compared.
: "${E2E_RTD_SMP:=1}"
# For tuning: E2E_RTD_APPEND (more kernel cmdline), E2E_RTD_QEMU (more QEMU words).


e2e_start e2e-rtdisk check-e2e-rtdisk
command -v mkfs.ext4 >/dev/null || { t_bad "e2e rtdisk: mkfs.ext4 installed (e2fsprogs)"; finish; }

CC_STATIC=$(command -v musl-gcc || echo cc)
if ! "$CC_STATIC" -static -O2 -Wall -Wextra -Werror -o "$E2E_WORK/fragdisk" \
	"$E2E_DIR/guest/fragdisk.c" 2>"$E2E_WORK/cc.log"; then
	t_bad "e2e rtdisk: fragmenter built" "$(cat "$E2E_WORK/cc.log")"; finish
fi

# The disk: the read set, fixed by the seed, in an ext4 image with room for
# what the guest writes. Inode tables initialised now, so no ext4lazyinit
# thread writes during the boots.
mkdir "$E2E_WORK/fs"
if ! p=$("$E2E_WORK/fragdisk" populate "$E2E_WORK/fs" "$E2E_RTD_FILES" "$E2E_RTD_SEED" 2>&1); then
	t_bad "e2e rtdisk: read set written" "$p"; finish
fi
DISK=$E2E_WORK/disk.ext4
if ! mkfs.ext4 -q -F -L vp-rtdisk -N 200000 -E lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0 \
	-d "$E2E_WORK/fs" "$DISK" 3G >"$E2E_WORK/mkfs.log" 2>&1; then
	t_bad "e2e rtdisk: ext4 image made" "$(cat "$E2E_WORK/mkfs.log")"; finish
fi
rm -rf "$E2E_WORK/fs"
t_ok "e2e rtdisk: ext4 image with $E2E_RTD_FILES files made in $((SECONDS - t0)) s"

# The image: our init, the fragmenter, the tool and its shared objects at
# their paths, a config whose host_min keeps the cap out of the way, and
# the virtio and ext4 modules with their dependencies, in insmod order.
printf '[hugepages]\nhost_min = 1G\n' >"$E2E_WORK/vfio-provision.conf"
extra="$E2E_DIR/guest/rtdisk-init:init $E2E_WORK/fragdisk:usr/lib/vp-e2e/fragdisk"
extra="$extra $VP:usr/bin/vfio-provision $E2E_WORK/vfio-provision.conf:etc/vfio-provision.conf"
libs=$(e2e_libs "$VP")
[ -n "$libs" ] || { t_bad "e2e rtdisk: the tool's libraries listed" "$(ldd "$VP" 2>&1)"; finish; }
for l in $libs; do
	extra="$extra $l:${l#/}"
done
: >"$E2E_WORK/modules"
for m in crc32c_generic virtio_pci virtio_blk ext4; do
	modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
	echo "${ko#"$KROOT"/}" >>"$E2E_WORK/modules"
done
for m in virtio_blk ext4; do
	grep -q "/$m\.ko" "$E2E_WORK/modules" || { t_bad "e2e rtdisk: $m.ko of $KVER found" "$(cat "$E2E_WORK/modules")"; finish; }
done
while read -r ko; do
	extra="$extra $KROOT/$ko:$ko"
done <"$E2E_WORK/modules"
extra="$extra $E2E_WORK/modules:etc/vp-e2e/modules"
if ! E2E_BB_EXTRA=$extra e2e_busybox_initrd "$E2E_WORK/rtd.img" >"$E2E_WORK/img.log" 2>&1; then
	t_bad "e2e rtdisk: busybox image built" "$(tail -20 "$E2E_WORK/img.log")"; finish
fi
t_ok "e2e rtdisk: image with the real binary and $(wc -l <"$E2E_WORK/modules") modules"

rounds=$((E2E_RTD_FILL / 32))
frag="$E2E_RTD_FILL,$E2E_RTD_READ,$E2E_RTD_WRITE,$E2E_RTD_SEED"
int() { [[ ${1:-} =~ ^[0-9]+$ ]]; }
declare -A GOT DIRTY0 DIRTY1 SECS
SLAB_GIBS='' i=0
for m in $E2E_RTD_METHODS; do
	i=$((i + 1))
	L=$E2E_WORK/$i-$m.log
	b0=$SECONDS
	# shellcheck disable=SC2086 # E2E_RTD_QEMU: extra QEMU words
	e2e_boot "$L" "$E2E_WORK/rtd.img" "$E2E_RTD_MEM" \
		"vp_e2e.method=$m vp_e2e.pages=$E2E_RTD_PAGES vp_e2e.frag=$frag vp_e2e.map=1 ${E2E_RTD_APPEND:-}" \
		-drive "file=$DISK,if=none,id=d0,format=raw,snapshot=on" -device virtio-blk-pci,drive=d0 \
		-smp "$E2E_RTD_SMP" ${E2E_RTD_QEMU:-}
	echo "# e2e rtdisk: boot $i ($m) done in $((SECONDS - b0)) s: $(e2e_line "$L" FRAGDISK)"
	if [ -z "$(e2e_line "$L" GOT)" ]; then
		t_bad "$m (boot $i): guest booted, fragmented and reported" "$(grep -v '^\s*$' "$L" | tail -30)"
		continue
	fi
	t_ok "$m (boot $i): guest booted, fragmented and reported"
	kv() { e2e_kv "$L" "$@"; }
	t_eq "$m (boot $i): ext4 on the virtio disk mounted" ext4 "$(kv DISK fs)"
	t_eq "$m (boot $i): the same fragmentation (files read, files written)" \
		"$((rounds * E2E_RTD_READ)) $((rounds * E2E_RTD_WRITE))" \
		"$(kv FRAGDISK read) $(kv FRAGDISK written)"
	t_eq "$m (boot $i): $E2E_RTD_SMP vCPU" "$E2E_RTD_SMP" "$(kv MEM cpus)"
	g=$(kv GOT got) d0=$(kv MEMINFO dirty_kb step=frag) d1=$(kv MEMINFO dirty_kb step=after)
	GOT[$m]="${GOT[$m]:+${GOT[$m]}, }$g"
	DIRTY0[$m]="${DIRTY0[$m]:+${DIRTY0[$m]}, }$d0"
	DIRTY1[$m]="${DIRTY1[$m]:+${DIRTY1[$m]}, }$d1"
	SECS[$m]="${SECS[$m]:+${SECS[$m]}, }$(awk -v a="$(kv GOT t0)" -v b="$(kv GOT t1)" 'BEGIN {printf "%.1f", b - a}')"
	echo "# e2e rtdisk: $m: $(e2e_line "$L" MEMINFO step=frag)"
	echo "# e2e rtdisk: $m: $(e2e_line "$L" MEMINFO step=after)"
	for st in frag after; do
		echo "# e2e rtdisk: $m: slab/lru pages per GiB, $st:" \
			"$(sed -n "s/^MAP step=$st gib=\([0-9]*\) slab=\([0-9]*\) lru=\([0-9]*\) .*/\1:\2\/\3/p" "$L" | tr '\n' ' ')"
	done
	# Which GiBs hold slab after fragmenting: the same in every boot, or
	# comparing boots would compare fragmentations, not methods.
	gibs=$(sed -n 's/^MAP step=frag gib=\([0-9]*\) slab=[1-9][0-9]* .*/\1/p' "$L" | tr '\n' ' ')
	if [ -z "$SLAB_GIBS" ]; then
		SLAB_GIBS=$gibs
		t_match "$m (boot $i): the per-GiB map read (GiBs with slab: $gibs)" '[0-9]' "$gibs"
	else
		t_eq "$m (boot $i): slab in the same GiBs as in boot 1" "$SLAB_GIBS" "$gibs"
	fi
	# The fragmentation left dirty data, so "synced" below means something.
	if int "$d0" && [ "$d0" -gt $((E2E_RTD_DIRTY_MAX * 4)) ]; then
		t_ok "$m (boot $i): the fragmentation left dirty data ($d0 kB)"
	else
		t_bad "$m (boot $i): the fragmentation left dirty data" "Dirty '$d0' kB"
	fi
	case $m in
	recipe | reserve | drop)
		if int "$d1" && [ "$d1" -le "$E2E_RTD_DIRTY_MAX" ]; then
			t_ok "$m (boot $i): synced first (Dirty $d0 -> $d1 kB)"
		else
			t_bad "$m (boot $i): synced first" "Dirty '$d0' -> '$d1' kB, more than $E2E_RTD_DIRTY_MAX"
		fi
		;;
	naive)
		if int "$g" && [ "$g" -ge 1 ] && [ "$g" -lt "$E2E_RTD_PAGES" ]; then
			t_ok "naive (boot $i): the fragmentation is mild (some pages, not all: $g)"
		else
			t_bad "naive (boot $i): the fragmentation is mild (some pages, not all)" "naive got '$g'"
		fi
		;;
	esac
	case $m in
	reserve | drop)
		t_eq "$m (boot $i): exit 0 (--partial-ok)" 0 "$(kv RC rc step=reserve)"
		sed -n 's/^OUT_RESERVE /# e2e rtdisk:   /p' "$L" | head -n1
		if [ -n "$g" ] && [ "$g" -lt "$E2E_RTD_PAGES" ]; then
			t_match "$m (boot $i): says how many it got and why" \
				"^$g of $E2E_RTD_PAGES wanted 1 GiB pages are free \\(pool 0 -> $g\\): memory is fragmented" \
				"$(sed -n 's/^OUT_RESERVE //p' "$L")"
		fi
		;;
	esac
done

echo "# e2e rtdisk: $E2E_RTD_MEM guest, $E2E_RTD_PAGES pages asked, fill $E2E_RTD_FILL MiB," \
	"$E2E_RTD_READ read + $E2E_RTD_WRITE written files a round of 32 MiB, $E2E_RTD_FILES files on disk"
echo "# | method | 1 GiB pages | Dirty after fragmenting, kB | Dirty after the method, kB | seconds |"
echo "# |---|---|---|---|---|"
for m in $(tr ' ' '\n' <<<"$E2E_RTD_METHODS" | awk 'NF && !seen[$0]++'); do
	echo "# | $m | ${GOT[$m]:-?} | ${DIRTY0[$m]:-?} | ${DIRTY1[$m]:-?} | ${SECS[$m]:-?} |"
done

# The claim: ours never gets fewer than the seed's recipe. Against every
# recipe boot when a method repeats: min(ours) >= max(recipe).
least() { tr -d ' ' <<<"$1" | tr ',' '\n' | sort -n | head -n1; }
most() { tr -d ' ' <<<"$1" | tr ',' '\n' | sort -n | tail -n1; }
if [ -n "${GOT[recipe]:-}" ]; then
	rec=$(most "${GOT[recipe]}")
	for m in reserve drop; do
		[ -n "${GOT[$m]:-}" ] || continue
		g=$(least "${GOT[$m]}")
		if int "$rec" && int "$g" && [ "$g" -ge "$rec" ]; then
			t_ok "$m got at least as many pages as the seed's recipe ($g >= $rec)"
		else
			t_bad "$m got at least as many pages as the seed's recipe" "recipe '${GOT[recipe]}', $m '${GOT[$m]}'"
		fi
	done
fi

echo "# e2e rtdisk: $((SECONDS - t0)) s in all"
finish
