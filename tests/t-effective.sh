#!/bin/bash
# Issue 19: plan, check and verify agree with the judge (plan-effective.h) on
# every kind of machine in the repository: each fixture root, with 4 pages
# of 1 GiB asked. A plan that is not refused, once applied, leaves check up
# to date and verify without error; one that is refused, applied with
# --force, is never called up to date. In both cases verify's verdict on
# the next boot and check's agree.
. "$(dirname "$0")/lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
n=0
for spec in "$FIXTURES"/*.spec; do
	f=$(basename "$spec" .spec)
	src=$(mkfix "$f") || { not_ok "$f: fixture"; continue; }
	r=$t/$f; rm -rf "$r"; cp -a "$src" "$r"
	[ -e "$r/etc/vfio-provision.conf" ] ||
		{ mkdir -p "$r/etc"; printf '[hugepages]\ncount = 4\n' >"$r/etc/vfio-provision.conf"; }
	"$VP" --root "$r" plan >"$t/plan.out" 2>&1; prc=$?
	# a config or a file we refuse to edit: nothing to judge
	[ "$prc" -le 1 ] || continue
	refused=0; grep -q '^refused:' "$t/plan.out" && refused=1
	"$VP" --root "$r" --force apply >/dev/null 2>&1
	out=$("$VP" --root "$r" check 2>&1); crc=$?
	vout=$("$VP" --root "$r" verify 2>&1); vrc=$?
	boot_err=0; grep -q '^   \[E\] .*would\|turns the IOMMU off\|misread' <<<"$vout" && boot_err=1
	if [ "$refused" = 0 ]; then
		check_eq "$f: not refused: applied, check is up to date" "0 up to date" \
			"$crc $(grep -v '^warning: \|^note: \|^  ' <<<"$out")"
		check_eq "$f: not refused: verify finds the next boot as asked" 0 "$boot_err"
	else
		if grep -q '^up to date' <<<"$out"; then
			not_ok "$f: refused: check never says up to date" "$out"
		else ok "$f: refused: check never says up to date"; fi
	fi
	# check says the next boot differs exactly when verify does
	if grep -q '^pending: the next boot' <<<"$out"; then c=1; else c=0; fi
	check_eq "$f: check and verify agree on the next boot" "$boot_err" "$c"
	n=$((n + 1))
done
[ "$n" -ge 30 ] && ok "effective: $n fixtures judged" || not_ok "effective: only $n fixtures judged"
