#!/bin/bash
# mkroot.sh SPEC OUTDIR: builds a fake root filesystem (sysfs, procfs, module
# trees, /etc files) from a small text spec, for tests and benchmarks.
# The format is documented in tests/fixtures/README.md.
#
# The sysfs part mimics a real kernel's layout closely enough that lspci
# (-O sysfs.path=ROOT/sys/bus/pci), libpci, libkmod, depmod and modprobe -d
# work on it: devices live under sys/devices/pciDDDD:BB/..., and every link
# is relative to the common ancestor, as sysfs makes them.
#
# Mostly bash builtins: a fixture must build in well under a second.
set -euo pipefail
# Byte lengths (${#x}) and the ELF writer assume the C locale.
export LC_ALL=C

die() { echo "mkroot: ${spec:-?}:${lineno:-0}: $*" >&2; exit 1; }

[ $# -eq 2 ] || { echo "usage: mkroot.sh SPEC OUTDIR" >&2; exit 2; }
spec=$1
R=$2
[ -r "$spec" ] || die "cannot read spec"
mkdir -p "$R"
R=$(cd "$R" && pwd)

# ---------------------------------------------------------------- helpers

# rel FROMDIR TARGET: sets REL to the relative path from directory FROMDIR
# to TARGET (both relative to the root), through their common ancestor as
# sysfs makes its links. No subshell: fixtures must build fast.
rel() {
	local IFS=/ fa ta i=0 j
	read -ra fa <<<"$1"; read -ra ta <<<"$2"
	while [ $i -lt ${#fa[@]} ] && [ $i -lt ${#ta[@]} ] && [ "${fa[i]}" == "${ta[i]}" ]; do
		i=$((i + 1))
	done
	REL=""
	for ((j = i; j < ${#fa[@]}; j++)); do REL+="../"; done
	REL+="${ta[*]:i}"
}

# mkd DIR: mkdir -p ROOT/DIR, without a fork when it exists.
mkd() { [ -d "$R/$1" ] || mkdir -p "$R/$1"; }

# lnrel LINK TARGET (both relative to the root): queues a relative symlink;
# flush_links makes them all with one perl (perl-base is essential in
# Debian): one fork for all links instead of one each.
LQ=() LD=()
lnrel() {
	rel "${1%/*}" "$2"
	LD+=("$R/${1%/*}")
	LQ+=("$REL" "$R/$1")
}
flush_links() {
	[ ${#LQ[@]} -gt 0 ] || return 0
	mkdir -p "${LD[@]}"
	printf '%s\0' "${LQ[@]}" | perl -e '
		$/ = "\0";
		while (defined(my $t = <STDIN>)) {
			my $l = <STDIN>; chomp $t; chomp $l;
			unlink $l; symlink($t, $l) or die "mkroot: $l: $!\n";
		}' || die "cannot create links"
	LQ=() LD=()
}

# put PATH TEXT: writes TEXT and a newline to ROOT/PATH.
put() { mkd "${1%/*}"; printf '%s\n' "$2" >"$R/$1"; }

# kv ARGS...: parses key=value words into the associative array A; bare
# words go into the array W.
declare -A A
W=()
kv() {
	A=(); W=()
	local w
	for w in "$@"; do
		if [[ "$w" == *=* ]]; then A[${w%%=*}]=${w#*=}; else W+=("$w"); fi
	done
}

hex4() { [[ "$1" =~ ^[0-9a-fA-F]{4}$ ]] || die "bad hex id '$1'"; printf '%s' "${1,,}"; }

# verlt A B: true when kernel version A sorts before B (numeric fields).
verlt() {
	local IFS=.- va vb i
	read -ra va <<<"$1"; read -ra vb <<<"$2"
	for i in 0 1 2; do
		local x=${va[i]:-0} y=${vb[i]:-0}
		x=${x%%[!0-9]*}; y=${y%%[!0-9]*}
		(( ${x:-0} < ${y:-0} )) && return 0
		(( ${x:-0} > ${y:-0} )) && return 1
	done
	return 1
}

# ---------------------------------------------------------------- state

cpu_vendor="" cpu_1g=yes cpu_n=4
mem_total="" mem_free=""
iommu="" iommu_name=""
declare -a nodes=() pcis=() kernels=() hpsizes=()
declare -A node_mem node_hpnr node_hpfree
declare -A hp_nr hp_free hp_resv hp_surplus
declare -A p_dir p_class p_id p_sub p_rev p_group p_driver p_vga p_numa p_parent
declare -A k_running k_builtin k_missing k_loaded
declare -a mods=()            # "VER NAME" in order of definition
declare -A m_alias m_depends m_path m_softdep

# ---------------------------------------------------------------- parsing

pci_dir() {
	# Sets PDIR to the directory of a device under sys/devices: below its parent
	# bridge, or below the host bridge pciDDDD:BB of its domain and bus.
	local addr=$1 parent=${2:-}
	if [ -n "$parent" ]; then
		[ -n "${p_dir[$parent]:-}" ] || die "parent $parent must be defined before $addr"
		PDIR=${p_dir[$parent]}/$addr
	else
		PDIR=sys/devices/pci${addr:0:7}/$addr
	fi
}

lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	line=${line%$'\r'}
	[[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
	read -r cmd rest <<<"$line"
	case $cmd in
	cpu)
		# shellcheck disable=SC2086
		kv $rest
		cpu_vendor=${A[vendor]:-GenuineIntel}
		cpu_1g=${A[pdpe1gb]:-yes}
		cpu_n=${A[cpus]:-4}
		;;
	mem)
		# shellcheck disable=SC2086
		kv $rest
		mem_total=${A[total_kib]:?mem needs total_kib}
		mem_free=${A[free_kib]:-$((mem_total * 3 / 4))}
		;;
	node)
		# shellcheck disable=SC2086
		kv $rest
		id=${W[0]:-}
		[[ "$id" =~ ^[0-9]+$ ]] || die "node needs a numeric ID"
		nodes+=("$id")
		node_mem[$id]=${A[mem_kib]:-}
		node_hpnr[$id]=${A[hp1g_nr]:-0}
		node_hpfree[$id]=${A[hp1g_free]:-${A[hp1g_nr]:-0}}
		;;
	hugepages)
		# shellcheck disable=SC2086
		kv $rest
		case ${A[size]:-} in
		1G) s=1048576 ;; 2M) s=2048 ;; *) die "hugepages size must be 1G or 2M" ;;
		esac
		hpsizes+=("$s")
		hp_nr[$s]=${A[nr]:-0}
		hp_free[$s]=${A[free]:-${A[nr]:-0}}
		hp_resv[$s]=${A[resv]:-0}
		hp_surplus[$s]=${A[surplus]:-0}
		;;
	iommu)
		# shellcheck disable=SC2086
		kv $rest
		iommu=${W[0]:-}
		[[ "$iommu" == on || "$iommu" == off ]] || die "iommu on|off"
		iommu_name=${A[name]:-}
		;;
	pci)
		# shellcheck disable=SC2086
		kv $rest
		a=${W[0]:-}
		[[ "$a" =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]] || die "bad PCI address '$a'"
		[ -z "${p_dir[$a]:-}" ] || die "duplicate PCI address $a"
		[[ "${A[class]:-}" =~ ^[0-9a-fA-F]{6}$ ]] || die "pci $a needs class=HEX6"
		[[ "${A[id]:-}" =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$ ]] || die "pci $a needs id=VVVV:DDDD"
		pcis+=("$a")
		p_parent[$a]=${A[parent]:-}
		pci_dir "$a" "${A[parent]:-}"
		p_dir[$a]=$PDIR
		p_class[$a]=${A[class],,}
		p_id[$a]=${A[id],,}
		p_sub[$a]=${A[sub]:-0000:0000}; p_sub[$a]=${p_sub[$a],,}
		p_rev[$a]=${A[rev]:-00}; p_rev[$a]=${p_rev[$a],,}
		p_group[$a]=${A[group]:-}
		p_driver[$a]=${A[driver]:-}
		p_vga[$a]=${A[boot_vga]:-0}
		p_numa[$a]=${A[numa]:--1}
		;;
	kernel)
		# shellcheck disable=SC2086
		kv $rest
		v=${W[0]:-}
		[ -n "$v" ] || die "kernel needs a version"
		kernels+=("$v")
		k_running[$v]=0
		for w in "${W[@]:1}"; do
			case $w in running) k_running[$v]=1 ;; *) die "unknown kernel word '$w'" ;; esac
		done
		k_builtin[$v]=" ${A[builtin]:-} "; k_builtin[$v]=${k_builtin[$v]//,/ }
		k_missing[$v]=" ${A[missing]:-} "; k_missing[$v]=${k_missing[$v]//,/ }
		k_loaded[$v]=" ${A[loaded]:-} "; k_loaded[$v]=${k_loaded[$v]//,/ }
		;;
	module)
		# shellcheck disable=SC2086
		kv $rest
		v=${W[0]:-} n=${W[1]:-}
		[ -n "$v" ] && [ -n "$n" ] || die "module needs VER NAME"
		mods+=("$v $n")
		m_alias["$v $n"]=${A[alias]:-}
		m_depends["$v $n"]=${A[depends]:-}
		m_softdep["$v $n"]=${A[softdep]:-}
		m_path["$v $n"]=${A[path]:-}
		;;
	file)
		# shellcheck disable=SC2086
		kv $rest
		f=${W[0]:-}
		[ -n "$f" ] || die "file needs a path"
		f=${f#/}
		[[ "$f" != */* ]] || mkd "${f%/*}"
		: >"$R/$f"
		found=0
		while IFS= read -r l; do
			lineno=$((lineno + 1))
			[ "$l" == EOF ] && { found=1; break; }
			printf '%s\n' "$l" >>"$R/$f"
		done
		[ $found = 1 ] || die "file $f: no EOF line"
		[ -z "${A[mode]:-}" ] || chmod "${A[mode]}" "$R/$f"
		;;
	dir)
		p=${rest#/}
		mkdir -p "$R/$p"
		;;
	symlink)
		read -r p t <<<"$rest"
		[ -n "$t" ] || die "symlink PATH TARGET"
		p=${p#/}
		[[ "$p" != */* ]] || mkd "${p%/*}"
		ln -sfn "$t" "$R/$p"
		;;
	cmdline)
		put proc/cmdline "$rest"
		;;
	*)
		die "unknown directive '$cmd'"
		;;
	esac
done <"$spec"
lineno=0

# ---------------------------------------------------------------- cpu, memory

if [ -n "$cpu_vendor" ]; then
	if [ "$cpu_vendor" == AuthenticAMD ]; then
		virt=svm family=25 model=33 name="AMD Ryzen 7 5800X 8-Core Processor"
	else
		virt=vmx family=6 model=158 name="Intel(R) Core(TM) i7-7700K CPU @ 4.20GHz"
	fi
	flags="fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx"
	[ "$cpu_1g" == yes ] && flags+=" pdpe1gb"
	flags+=" rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid pni pclmulqdq $virt ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm abm"
	out=""
	for ((i = 0; i < cpu_n; i++)); do
		out+="processor	: $i
vendor_id	: $cpu_vendor
cpu family	: $family
model		: $model
model name	: $name
stepping	: 9
physical id	: 0
siblings	: $cpu_n
core id		: $i
cpu cores	: $cpu_n
flags		: $flags
address sizes	: 39 bits physical, 48 bits virtual

"
	done
	put proc/cpuinfo "${out%$'\n'}"
fi

# Default pool sizes: the 2 MiB pool always exists, the 1 GiB one when the
# CPU has pdpe1gb (as the kernel registers them).
for s in 2048 1048576; do
	[ -n "${hp_nr[$s]:-}" ] && continue
	[ $s = 1048576 ] && [ "$cpu_1g" != yes ] && continue
	hp_nr[$s]=0 hp_free[$s]=0 hp_resv[$s]=0 hp_surplus[$s]=0
done
dirs=("$R/proc")
for s in "${!hp_nr[@]}"; do
	dirs+=("$R/sys/kernel/mm/hugepages/hugepages-${s}kB")
	for id in "${nodes[@]}"; do dirs+=("$R/sys/devices/system/node/node$id/hugepages/hugepages-${s}kB"); done
done
mkdir -p "${dirs[@]}"
for s in "${!hp_nr[@]}"; do
	d=sys/kernel/mm/hugepages/hugepages-${s}kB
	put $d/nr_hugepages "${hp_nr[$s]}"
	put $d/nr_hugepages_mempolicy "${hp_nr[$s]}"
	put $d/free_hugepages "${hp_free[$s]}"
	put $d/resv_hugepages "${hp_resv[$s]}"
	put $d/surplus_hugepages "${hp_surplus[$s]}"
	put $d/nr_overcommit_hugepages 0
done

if [ -n "$mem_total" ]; then
	h=2048
	hptotal=0
	for s in "${!hp_nr[@]}"; do hptotal=$((hptotal + hp_nr[$s] * s)); done
	printf -v out '%-16s%8s kB\n' \
		MemTotal: "$mem_total" MemFree: "$mem_free" \
		MemAvailable: "$((mem_free + (mem_total - mem_free) / 4))" \
		Buffers: 102400 Cached: 1048576 SwapCached: 0 \
		SwapTotal: 0 SwapFree: 0
	printf -v out2 '%-16s%8s\n' HugePages_Total: "${hp_nr[$h]}" HugePages_Free: "${hp_free[$h]}" \
		HugePages_Rsvd: "${hp_resv[$h]}" HugePages_Surp: "${hp_surplus[$h]}"
	printf -v out3 '%-16s%8s kB\n' Hugepagesize: 2048 Hugetlb: "$hptotal"
	put proc/meminfo "$out$out2${out3%$'\n'}"
fi

if [ ${#nodes[@]} -gt 0 ]; then
	nn=${#nodes[@]}
	list=$(IFS=,; echo "${nodes[*]}")
	for f in online possible has_memory has_normal_memory has_cpu; do
		put sys/devices/system/node/$f "$list"
	done
	per=$((cpu_n / nn)); [ $per -gt 0 ] || per=1
	for id in "${nodes[@]}"; do
		d=sys/devices/system/node/node$id
		m=${node_mem[$id]:-$(( ${mem_total:-16777216} / nn ))}
		printf -v out 'Node %s %-15s %8s kB\n' "$id" MemTotal: "$m" "$id" MemFree: "$((m / 2))" "$id" MemUsed: "$((m - m / 2))"
		printf -v out2 'Node %s %-15s %5s\n' "$id" HugePages_Total: 0 "$id" HugePages_Free: 0 "$id" HugePages_Surp: 0
		put $d/meminfo "$out${out2%$'\n'}"
		first=$((id * per))
		put $d/cpulist "$first-$((first + per - 1))"
		for s in "${!hp_nr[@]}"; do
			hd=$d/hugepages/hugepages-${s}kB
			if [ $s = 1048576 ]; then
				put $hd/nr_hugepages "${node_hpnr[$id]}"
				put $hd/free_hugepages "${node_hpfree[$id]}"
			else
				put $hd/nr_hugepages 0
				put $hd/free_hugepages 0
			fi
			put $hd/surplus_hugepages 0
		done
	done
fi

# ---------------------------------------------------------------- PCI

mkdir -p "$R/sys/bus/pci/devices" "$R/sys/bus/pci/drivers" "$R/sys/kernel/iommu_groups"
if [ "$iommu" == on ]; then
	name=dmar0; [ "$cpu_vendor" != AuthenticAMD ] || name=ivhd0; name=${iommu_name:-$name}
	mkdir -p "$R/sys/devices/virtual/iommu/$name/devices"
	lnrel "sys/class/iommu/$name" "sys/devices/virtual/iommu/$name"
fi

# Bus numbers below each bridge, for the type 1 header.
declare -A br_sec br_sub
for a in "${pcis[@]}"; do
	b=$((16#${a:5:2}))
	p=${p_parent[$a]}
	while [ -n "$p" ]; do
		[ -z "${br_sec[$p]:-}" ] || [ "$b" -lt "${br_sec[$p]}" ] && br_sec[$p]=$b
		[ -z "${br_sub[$p]:-}" ] || [ "$b" -gt "${br_sub[$p]}" ] && br_sub[$p]=$b
		p=${p_parent[$p]}
	done
done
declare -A gseen
# Functions of a multi-function device (header type bit 7 on function 0).
declare -A slot_n
for a in "${pcis[@]}"; do slot_n[${a%.*}]=$(( ${slot_n[${a%.*}]:-0} + 1 )); done

# le16 HEX4: the \x escapes of a 16-bit value, little endian, in LE.
le16() { LE="\\x${1:2:2}\\x${1:0:2}"; }

dirs=()
for a in "${pcis[@]}"; do
	dirs+=("$R/${p_dir[$a]}")
	[ -z "${p_group[$a]}" ] || [ "$iommu" == off ] || dirs+=("$R/sys/kernel/iommu_groups/${p_group[$a]}/devices")
	[ -z "${p_driver[$a]}" ] || dirs+=("$R/sys/bus/pci/drivers/${p_driver[$a]}")
done
[ ${#dirs[@]} -eq 0 ] || mkdir -p "${dirs[@]}"
for a in "${pcis[@]}"; do
	d=${p_dir[$a]}
	ven=${p_id[$a]%:*} dev=${p_id[$a]#*:}
	sven=${p_sub[$a]%:*} sdev=${p_sub[$a]#*:}
	hex4 "$ven" >/dev/null; hex4 "$dev" >/dev/null; hex4 "$sven" >/dev/null; hex4 "$sdev" >/dev/null
	cls=${p_class[$a]} rev=${p_rev[$a]}
	bridge=0; [ "${cls:0:4}" == 0604 ] && bridge=1
	printf '0x%s\n' "$ven" >"$R/$d/vendor"
	printf '0x%s\n' "$dev" >"$R/$d/device"
	printf '0x%s\n' "$sven" >"$R/$d/subsystem_vendor"
	printf '0x%s\n' "$sdev" >"$R/$d/subsystem_device"
	printf '0x%s\n' "$cls" >"$R/$d/class"
	printf '0x%s\n' "$rev" >"$R/$d/revision"
	cu=${cls^^}
	printf -v ma 'pci:v0000%sd0000%ssv0000%ssd0000%sbc%ssc%si%s' \
		"${ven^^}" "${dev^^}" "${sven^^}" "${sdev^^}" "${cu:0:2}" "${cu:2:2}" "${cu:4:2}"
	printf '%s\n' "$ma" >"$R/$d/modalias"
	printf '%s\n' "${p_numa[$a]}" >"$R/$d/numa_node"
	printf '0\n' >"$R/$d/irq"
	printf '(null)\n' >"$R/$d/driver_override"
	printf '1\n' >"$R/$d/enable"
	[ "${cls:0:4}" == 0300 ] && printf '%s\n' "${p_vga[$a]}" >"$R/$d/boot_vga"
	nres=7; [ $bridge = 1 ] && nres=13
	z=0x0000000000000000
	: >"$R/$d/resource"
	for ((i = 0; i < nres; i++)); do printf '%s %s %s\n' $z $z $z >>"$R/$d/resource"; done
	{
		[ -z "${p_driver[$a]}" ] || printf 'DRIVER=%s\n' "${p_driver[$a]}"
		printf 'PCI_CLASS=%X\n' "$((16#$cls))"
		printf 'PCI_ID=%s:%s\n' "${ven^^}" "${dev^^}"
		printf 'PCI_SUBSYS_ID=%s:%s\n' "${sven^^}" "${sdev^^}"
		printf 'PCI_SLOT_NAME=%s\n' "$a"
		printf 'MODALIAS=%s\n' "$ma"
	} >"$R/$d/uevent"

	# 64 bytes of config space: ids, command/status, rev, class, header
	# type, then the type 0 (subsystem ids) or type 1 (bus numbers) part.
	ht=00; [ $bridge = 1 ] && ht=01
	[ "${slot_n[${a%.*}]}" -gt 1 ] && [ "${a##*.}" = 0 ] && ht=8${ht:1}
	z4='\x00\x00\x00\x00'
	le16 "$ven"; cfg=$LE; le16 "$dev"; cfg+=$LE
	cfg+="\\x07\\x04\\x00\\x00"
	cfg+="\\x$rev\\x${cls:4:2}\\x${cls:2:2}\\x${cls:0:2}\\x00\\x00\\x$ht\\x00"
	if [ $bridge = 1 ]; then
		# 0x10 BARs, 0x18 bus numbers, 0x1c.. windows closed as the
		# kernel leaves them (base above limit), 0x3c INTA.
		printf -v bn '\\x%02x\\x%02x\\x%02x\\x00' "$((16#${a:5:2}))" "${br_sec[$a]:-0}" "${br_sub[$a]:-0}"
		cfg+="$z4$z4$bn"'\xf0\x00\x00\x00\xf0\xff\x00\x00\xf1\xff\x01\x00'
		cfg+="$z4$z4$z4$z4$z4"'\x00\x01\x00\x00'
	else
		# 0x10 BARs and CardBus CIS, 0x2c subsystem ids, 0x3c INTA.
		le16 "$sven"; cfg+="$z4$z4$z4$z4$z4$z4$z4$LE"; le16 "$sdev"; cfg+=$LE
		cfg+="$z4$z4$z4"'\x00\x01\x00\x00'
	fi
	printf '%b' "$cfg" >"$R/$d/config"

	lnrel "$d/subsystem" sys/bus/pci
	lnrel "sys/bus/pci/devices/$a" "$d"
	drv=${p_driver[$a]}
	if [ -n "$drv" ]; then
		lnrel "$d/driver" "sys/bus/pci/drivers/$drv"
		lnrel "sys/bus/pci/drivers/$drv/$a" "$d"
	fi
	g=${p_group[$a]}
	if [ -n "$g" ] && [ "$iommu" != off ]; then
		gd=sys/kernel/iommu_groups/$g
		[ -n "${gseen[$g]:-}" ] || { gseen[$g]=1; printf 'DMA-FQ\n' >"$R/$gd/type"; }
		lnrel "$gd/devices/$a" "$d"
		lnrel "$d/iommu_group" "$gd"
		if [ "$iommu" == on ]; then
			lnrel "sys/devices/virtual/iommu/$name/devices/$a" "$d"
			lnrel "$d/iommu" "sys/devices/virtual/iommu/$name"
		fi
	fi
done

flush_links

# ---------------------------------------------------------------- modules

# The vfio modules as a real kernel ships them: name, path, aliases, depends.
# vfio_virqfd was merged into vfio in 6.2; vfio_pci_core split out in 5.15.
add_vfio_modules() {
	local v=$1 core=vfio
	mods=("$v irqbypass" "$v vfio" "$v vfio_iommu_type1" "${mods[@]}")
	m_path["$v irqbypass"]=kernel/virt/lib/irqbypass.ko
	m_path["$v vfio"]=kernel/drivers/vfio/vfio.ko
	m_softdep["$v vfio"]="post: vfio_iommu_type1 vfio_iommu_spapr_tce"
	m_alias["$v vfio"]="char-major-10-196,devname:vfio/vfio"
	m_path["$v vfio_iommu_type1"]=kernel/drivers/vfio/vfio_iommu_type1.ko
	m_depends["$v vfio_iommu_type1"]=vfio
	local pcideps=vfio,irqbypass
	if verlt "$v" 6.2; then
		mods+=("$v vfio_virqfd")
		m_path["$v vfio_virqfd"]=kernel/drivers/vfio/vfio_virqfd.ko
		m_depends["$v vfio_virqfd"]=vfio
		pcideps+=,vfio_virqfd
	fi
	if ! verlt "$v" 5.15; then
		mods+=("$v vfio_pci_core")
		m_path["$v vfio_pci_core"]=kernel/drivers/vfio/pci/vfio-pci-core.ko
		m_depends["$v vfio_pci_core"]=$pcideps
		core=vfio_pci_core
	else
		core=$pcideps
	fi
	mods+=("$v vfio_pci")
	m_path["$v vfio_pci"]=kernel/drivers/vfio/pci/vfio-pci.ko
	m_alias["$v vfio_pci"]="vfio_pci:v*d*sv*sd*bc*sc*i*"
	m_depends["$v vfio_pci"]=$core
}

# Where well-known drivers live in a kernel tree (sets DPATH).
default_path() {
	case $1 in
	nvidia*) DPATH="kernel/drivers/video/$1.ko" ;;
	nouveau) DPATH=kernel/drivers/gpu/drm/nouveau/nouveau.ko ;;
	amdgpu) DPATH=kernel/drivers/gpu/drm/amd/amdgpu/amdgpu.ko ;;
	radeon) DPATH=kernel/drivers/gpu/drm/radeon/radeon.ko ;;
	i915) DPATH=kernel/drivers/gpu/drm/i915/i915.ko ;;
	snd_hda_intel) DPATH=kernel/sound/pci/hda/snd-hda-intel.ko ;;
	xhci_pci) DPATH=kernel/drivers/usb/host/xhci-pci.ko ;;
	i2c_nvidia_gpu) DPATH=kernel/drivers/i2c/busses/i2c-nvidia-gpu.ko ;;
	drm|drm_kms_helper) DPATH="kernel/drivers/gpu/drm/$1.ko" ;;
	ttm) DPATH=kernel/drivers/gpu/drm/ttm/ttm.ko ;;
	snd_hda_codec|snd_hda_core) DPATH="kernel/sound/pci/hda/${1//_/-}.ko" ;;
	xhci_hcd) DPATH=kernel/drivers/usb/host/xhci-hcd.ko ;;
	ahci) DPATH=kernel/drivers/ata/ahci.ko ;;
	e1000e) DPATH=kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko ;;
	r8169) DPATH=kernel/drivers/net/ethernet/realtek/r8169.ko ;;
	nvme) DPATH=kernel/drivers/nvme/host/nvme.ko ;;
	ucsi_ccg) DPATH=kernel/drivers/usb/typec/ucsi/ucsi_ccg.ko ;;
	*) DPATH="kernel/drivers/misc/${1//_/-}.ko" ;;
	esac
}

# The fake modules are ELF64 relocatable objects written here byte by byte
# (one `as` a module would cost a fork each): sections .modinfo (NUL-
# separated key=value), __ksymtab_strings (the exported symbol: libkmod's
# export list when there are no __crc_ symbols) and .symtab with one
# undefined symbol for each dependency's export, from which depmod computes
# modules.dep exactly as for real modules.

# le VALUE BYTES: appends VALUE little endian, as \x escapes, to E.
le() {
	local v=$1 i h b=()
	if [ "$v" = 0 ]; then E+=${ZEROS:0:4*$2}; return; fi
	for ((i = 0; i < $2; i++)); do b+=($(((v >> (8 * i)) & 255))); done
	printf -v h '\\x%02x' "${b[@]}"
	E+=$h
}
ZEROS='\x00\x00\x00\x00\x00\x00\x00\x00'
ZEROS+=$ZEROS$ZEROS$ZEROS    # 32 bytes: the longest run le is asked for is 24
# str TEXT: appends TEXT and a NUL to E (backslashes escaped for %b).
str() { E+="${1//\\/\\\\}\\x00"; }
pad8() { while (($1 % 8)); do E+='\x00'; set -- $(($1 + 1)); done; }

# shdr NAME TYPE FLAGS OFFSET SIZE LINK INFO ALIGN ENTSIZE
shdr() { le "$1" 4; le "$2" 4; le "$3" 8; le 0 8; le "$4" 8; le "$5" 8; le "$6" 4; le "$7" 4; le "$8" 8; le "$9" 8; }

# mkko FILE EXPORT "UNDEF..." MODINFO...
mkko() {
	local f=$1 exp=$2 und=$3 x a=0 c=1 nsym=1 o1 o2 o3 o4 o5 sh body
	shift 3
	E=""
	for x in "$@"; do str "$x"; a=$((a + ${#x} + 1)); done
	str "$exp"
	o1=64; o2=$((o1 + a)); o3=$(((o2 + ${#exp} + 1 + 7) / 8 * 8))
	pad8 $((o2 + ${#exp} + 1))
	# .symtab: the null symbol, then one global undefined symbol each.
	le 0 24
	for x in $und; do
		le $c 4; le $((0x10)) 1; le 0 1; le 0 2; le 0 8; le 0 8
		c=$((c + ${#x} + 1)); nsym=$((nsym + 1))
	done
	o4=$((o3 + 24 * nsym))
	E+='\x00'; for x in $und; do str "$x"; done
	o5=$((o4 + c))
	E+='\x00.modinfo\x00__ksymtab_strings\x00.symtab\x00.strtab\x00.shstrtab\x00'
	sh=$(((o5 + 54 + 7) / 8 * 8))
	pad8 $((o5 + 54))
	shdr 0 0 0 0 0 0 0 0 0
	shdr 1 1 2 $o1 $a 0 0 1 0
	shdr 10 1 2 $o2 $((${#exp} + 1)) 0 0 1 0
	shdr 28 2 0 $o3 $((24 * nsym)) 4 1 8 24
	shdr 36 3 0 $o4 $c 0 0 1 0
	shdr 44 3 0 $o5 54 0 0 1 0
	body=$E
	# The ELF header: ELFCLASS64, little endian, ET_REL, EM_X86_64,
	# section headers at sh, 6 of them, names in section 5.
	E='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	le 1 2; le 62 2; le 1 4; le 0 8; le 0 8; le $sh 8; le 0 4
	le 64 2; le 0 2; le 0 2; le 64 2; le 6 2; le 5 2
	printf '%b' "$E$body" >"$f"
}

if [ ${#kernels[@]} -gt 0 ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
fi
for v in "${kernels[@]}"; do
	add_vfio_modules "$v"
done

# Dependencies that are not defined anywhere become plain modules, so that
# depmod finds every symbol.
for key in "${mods[@]}"; do
	v=${key%% *}
	dl=${m_depends[$key]:-}; for dep in ${dl//,/ }; do
		if [ -z "${m_path["$v $dep"]+x}" ]; then
			mods+=("$v $dep"); m_path["$v $dep"]=""
		fi
	done
done

# Every module's path, and all their directories made at once.
dirs=()
for key in "${mods[@]}"; do
	[ -n "${m_path[$key]:-}" ] || { default_path "${key#* }"; m_path[$key]=$DPATH; }
	dirs+=("$R/lib/modules/${key%% *}/${m_path[$key]%/*}")
done
[ ${#dirs[@]} -eq 0 ] || mkdir -p "${dirs[@]}"

for v in "${kernels[@]}"; do
	kd=lib/modules/$v
	: >"$R/$kd/modules.builtin"
	: >"$R/$kd/modules.builtin.modinfo"
	: >"$R/$kd/modules.order"
	declare -A seen=()
	for key in "${mods[@]}"; do
		[ "${key%% *}" == "$v" ] || continue
		n=${key#* }
		[ -z "${seen[$n]:-}" ] || continue
		seen[$n]=1
		case ${k_missing[$v]} in *" $n "*) continue ;; esac
		p=${m_path[$key]}
		deps="" refs=""
		dl=${m_depends[$key]:-}; for dep in ${dl//,/ }; do
			# Built-in or absent dependencies are not module dependencies.
			case "${k_builtin[$v]}${k_missing[$v]}" in *" $dep "*) continue ;; esac
			deps+=${deps:+,}$dep
			refs+="${dep}_export "
		done
		info=("license=GPL")
		IFS=, read -ra al <<<"${m_alias[$key]:-}"
		for x in "${al[@]}"; do [ -n "$x" ] && info+=("alias=$x"); done
		[ -n "${m_softdep[$key]:-}" ] && info+=("softdep=${m_softdep[$key]:-}")
		case ${k_builtin[$v]} in
		*" $n "*)
			printf '%s\n' "$p" >>"$R/$kd/modules.builtin"
			for x in "${info[@]}"; do printf '%s.%s\0' "$n" "$x" >>"$R/$kd/modules.builtin.modinfo"; done
			continue
			;;
		esac
		info+=("depends=$deps" "name=$n" "vermagic=$v SMP preempt mod_unload modversions")
		# shellcheck disable=SC2086
		mkko "$R/$kd/$p" "${n}_export" "$refs" "${info[@]}"
		printf '%s\n' "$p" >>"$R/$kd/modules.order"
	done
	unset seen
	depmod -b "$R" "$v" 2>"$tmp/depmod.err" || { cat "$tmp/depmod.err" >&2; die "depmod failed for $v"; }
	if grep -v 'could not open modules' "$tmp/depmod.err" | grep -q .; then
		cat "$tmp/depmod.err" >&2
		! grep -q ERROR "$tmp/depmod.err" || die "depmod failed for $v"
	fi

	if [ "${k_running[$v]}" = 1 ]; then
		mkd proc/sys/kernel
		put proc/sys/kernel/osrelease "$v"
		: >"$R/proc/modules"
		for n in ${k_loaded[$v]}; do
			case ${k_builtin[$v]} in
			*" $n "*) mkdir -p "$R/sys/module/$n" ;;
			*)
				put sys/module/$n/initstate live
				printf '%s 16384 0 - Live 0x0000000000000000\n' "$n" >>"$R/proc/modules"
				;;
			esac
		done
		# Built-in modules with parameters show in /sys/module too.
		for n in ${k_builtin[$v]}; do mkdir -p "$R/sys/module/$n"; done
	fi
done
flush_links
exit 0
