#!/bin/bash
# gen-tree.sh N OUTDIR: a synthetic root with N PCI functions (one IOMMU
# group a slot, see gen-tree.c) plus a CPU, memory and one kernel with the
# vfio modules (by tests/mkroot.sh), for `make bench`.
# The C generator is $GEN_TREE if set (make builds it), else compiled here.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: gen-tree.sh N OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
n=$1 dir=$2

gen=${GEN_TREE:-}
if [ -z "$gen" ]; then
	gen=$(mktemp "${TMPDIR:-/tmp}/gen-tree.XXXXXX")
	trap 'rm -f "$gen" "$spec"' EXIT
	"${CC:-cc}" -std=gnu11 -O2 -o "$gen" "$here/gen-tree.c"
fi
spec=$(mktemp "${TMPDIR:-/tmp}/gen-tree-spec.XXXXXX")
[ -n "${GEN_TREE:-}" ] && trap 'rm -f "$spec"' EXIT

rm -rf "$dir"
"$gen" "$n" "$dir"
cat >"$spec" <<EOF
cpu vendor=GenuineIntel pdpe1gb=yes cpus=16
mem total_kib=65842628
node 0
kernel 6.8.0-45-generic running
cmdline BOOT_IMAGE=/boot/vmlinuz-6.8.0-45-generic root=UUID=0c9d1b7e-2f4a-4e3b-9a61-7d5c3e2b1a09 ro quiet intel_iommu=on
EOF
"$here/../tests/mkroot.sh" "$spec" "$dir"
