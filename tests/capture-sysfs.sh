#!/bin/bash
# capture-sysfs.sh [-r ROOT] OUT.spec: describes this machine (or the tree at
# ROOT, e.g. a fixture) as a tests/mkroot.sh spec, so that a real machine
# can become a fixture. Read-only: it writes nothing but OUT.spec.
#
# What it records: CPU vendor and pdpe1gb, memory, NUMA nodes, hugepage
# pools, the IOMMU state, every PCI function (ids, class, revision,
# subsystem, IOMMU group, driver, boot_vga, NUMA node, parent bridge), each
# kernel under lib/modules with the state of the vfio modules, the modules
# that claim the machine's PCI functions (with only the aliases that match
# them), and the kernel command line. No /etc files: those are personal;
# add them to the spec by hand if the test needs them.
set -euo pipefail

root=/
if [ "${1:-}" = -r ]; then root=${2:?-r needs a directory}; shift 2; fi
[ $# -eq 1 ] || { echo "usage: capture-sysfs.sh [-r ROOT] OUT.spec" >&2; exit 2; }
out=$1
R=${root%/}

rd() { local v; { IFS= read -r v <"$1"; } 2>/dev/null || return 1; printf '%s' "$v"; }

vfio_mods="irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio_pci_core vfio_pci"

{
	printf '# Captured by tests/capture-sysfs.sh from %s on %s.\n' \
		"$( [ "$root" = / ] && uname -n || echo "$root")" "$(date -u +%Y-%m-%d)"

	# --- CPU and memory
	if [ -r "$R/proc/cpuinfo" ]; then
		vendor=$(awk -F': ' '/^vendor_id/ { print $2; exit }' "$R/proc/cpuinfo")
		n=$(grep -c '^processor' "$R/proc/cpuinfo" || true)
		g=no; grep -q '^flags.* pdpe1gb' "$R/proc/cpuinfo" && g=yes
		echo "cpu vendor=$vendor pdpe1gb=$g cpus=$n"
	fi
	if [ -r "$R/proc/meminfo" ]; then
		awk '/^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 } END { print "mem total_kib=" t " free_kib=" f }' "$R/proc/meminfo"
	fi
	for nd in "$R"/sys/devices/system/node/node[0-9]*; do
		[ -d "$nd" ] || continue
		id=${nd##*node}
		m=$(awk '/MemTotal:/ { print $4 }' "$nd/meminfo" 2>/dev/null || true)
		h=$nd/hugepages/hugepages-1048576kB
		line="node $id${m:+ mem_kib=$m}"
		if [ -d "$h" ]; then line+=" hp1g_nr=$(rd "$h/nr_hugepages") hp1g_free=$(rd "$h/free_hugepages")"; fi
		echo "$line"
	done
	for h in "$R"/sys/kernel/mm/hugepages/hugepages-*kB; do
		[ -d "$h" ] || continue
		case ${h##*/} in
		hugepages-1048576kB) s=1G ;; hugepages-2048kB) s=2M ;; *) continue ;;
		esac
		echo "hugepages size=$s nr=$(rd "$h/nr_hugepages") free=$(rd "$h/free_hugepages") resv=$(rd "$h/resv_hugepages") surplus=$(rd "$h/surplus_hugepages")"
	done

	# --- IOMMU
	iommu=off
	for i in "$R"/sys/class/iommu/*; do [ -e "$i" ] && { iommu="on name=${i##*/}"; break; }; done
	if [ "$iommu" = off ] && [ -n "$(ls -A "$R/sys/kernel/iommu_groups" 2>/dev/null)" ]; then iommu=on; fi
	echo "iommu $iommu"

	# --- PCI: parents before children (sorted by depth of the real path).
	declare -A isdev=()
	list=()
	for l in "$R"/sys/bus/pci/devices/*; do
		[ -e "$l" ] || continue
		p=$(cd "$l" && pwd -P)
		isdev[${p##*/}]=1
		list+=("$(tr -cd / <<<"$p" | wc -c) $p")
	done
	modaliases=()
	if [ ${#list[@]} -gt 0 ]; then
		while read -r _ p; do
			a=${p##*/}
			par=${p%/*}; par=${par##*/}
			cls=$(rd "$p/class"); cls=${cls#0x}
			line="pci $a class=$cls id=$(rd "$p/vendor" | sed 's/^0x//'):$(rd "$p/device" | sed 's/^0x//')"
			sv=$(rd "$p/subsystem_vendor" || echo 0x0000); sd=$(rd "$p/subsystem_device" || echo 0x0000)
			[ "$sv$sd" = 0x00000x0000 ] || line+=" sub=${sv#0x}:${sd#0x}"
			rev=$(rd "$p/revision" || echo 0x00); rev=${rev#0x}
			[ "$rev" = 00 ] || line+=" rev=$rev"
			[ -L "$p/iommu_group" ] && line+=" group=$(basename "$(readlink "$p/iommu_group")")"
			[ -L "$p/driver" ] && line+=" driver=$(basename "$(readlink "$p/driver")")"
			[ -r "$p/boot_vga" ] && line+=" boot_vga=$(rd "$p/boot_vga")"
			nn=$(rd "$p/numa_node" || echo -1)
			[ "$nn" = -1 ] || line+=" numa=$nn"
			[ -n "${isdev[$par]:-}" ] && line+=" parent=$par"
			echo "$line"
			m=$(rd "$p/modalias" || true)
			[ -z "$m" ] || modaliases+=("$m")
		done < <(printf '%s\n' "${list[@]}" | sort -n -k1,1 -k2)
	fi

	# --- kernels and modules
	running=$(rd "$R/proc/sys/kernel/osrelease" || true)
	for kd in "$R"/lib/modules/*; do
		[ -f "$kd/modules.dep" ] || continue
		v=${kd##*/}
		line="kernel $v"
		if [ "$v" = "$running" ]; then
			line+=" running"
			# Which vfio modules are loaded now.
			ld=$(awk -v mods=" $vfio_mods " 'index(mods, " " $1 " ") { l = l (l == "" ? "" : ",") $1 } END { print l }' \
				"$R/proc/modules" 2>/dev/null || true)
			[ -z "$ld" ] || line+=" loaded=$ld"
		fi
		# The vfio modules' states from depmod's own indexes: built in
		# (modules.builtin) or a module (modules.dep). vfio_virqfd is
		# gone from 6.2 and vfio_pci_core new in 5.15: mkroot.sh knows,
		# so only the unexpected absences are recorded.
		line+=$(awk -v mods="$vfio_mods" '
			function name(p) { sub(/.*\//, "", p); sub(/\.ko.*$/, "", p); gsub(/-/, "_", p); return p }
			FILENAME ~ /modules\.builtin$/ { b[name($1)] = 1; next }
			{ sub(/:.*/, ""); m[name($0)] = 1 }
			END {
				n = split(mods, l, " ")
				for (i = 1; i <= n; i++) {
					if (l[i] in b) bl = bl (bl == "" ? "" : ",") l[i]
					else if (!(l[i] in m) && l[i] != "vfio_virqfd" && l[i] != "vfio_pci_core")
						ms = ms (ms == "" ? "" : ",") l[i]
				}
				if (bl != "") printf " builtin=%s", bl
				if (ms != "") printf " missing=%s", ms
			}' "$kd/modules.builtin" "$kd/modules.dep" 2>/dev/null || true)
		echo "$line"

		# The modules that would claim this machine's functions (from
		# modules.alias), each with only the aliases that match one of
		# them, its path and dependencies (from modules.dep).
		[ ${#modaliases[@]} -gt 0 ] && [ -f "$kd/modules.alias" ] || continue
		printf '%s\n' "${modaliases[@]}" | awk -v v="$v" -v mods="$vfio_mods" '
			function name(p) { sub(/.*\//, "", p); sub(/\.ko.*$/, "", p); gsub(/-/, "_", p); return p }
			function glob2re(g,   r) {
				r = g
				gsub(/[.+^$(){}|\\]/, "\\\\&", r)
				gsub(/\*/, ".*", r); gsub(/\?/, ".", r)
				return "^" r "$"
			}
			FILENAME == "-" { dev[++nd] = $0; next }
			FILENAME ~ /modules\.dep$/ {
				p = $1; sub(/:$/, "", p); path[name(p)] = p
				d = ""; for (i = 2; i <= NF; i++) d = d (d == "" ? "" : ",") name($i)
				deps[name(p)] = d
				next
			}
			$1 == "alias" && $2 ~ /^pci:/ {
				re = glob2re($2)
				for (i = 1; i <= nd; i++) if (dev[i] ~ re) {
					if (!($3 in al)) order[++no] = $3
					al[$3] = al[$3] (al[$3] == "" ? "" : ",") $2
					break
				}
			}
			END {
				split(mods, l, " "); for (i in l) skip[l[i]] = 1
				for (i = 1; i <= no; i++) {
					m = order[i]
					if (m in skip || !(m in path)) continue
					printf "module %s %s path=%s alias=%s", v, m, path[m], al[m]
					if (deps[m] != "") printf " depends=%s", deps[m]
					printf "\n"
				}
			}' - "$kd/modules.dep" "$kd/modules.alias"
	done

	c=$(rd "$R/proc/cmdline" || true)
	[ -z "$c" ] || echo "cmdline $c"
} >"$out.tmp"
mv "$out.tmp" "$out"
