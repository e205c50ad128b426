#!/bin/bash
# Our state directory /var/lib/vfio-provision: nothing in it is ever a link we
# follow (the directory, the ledger, blobs/, blobs/N, the lock), and a sweep
# deletes only names it wrote (blobs/N). A link there, to
# /etc of the root or to nothing, is refused with a message naming it and
# exit 2, and no file outside the state directory changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
fresh engine-debian "$t/orig" || { not_ok "fixture engine-debian"; exit 0; }
S=var/lib/vfio-provision
# applied: a ledger and blobs in place
"$VP" --root "$t/orig" apply >/dev/null 2>&1 || { not_ok "state: first apply"; exit 0; }
# and a config change pending, so that apply writes blobs and the ledger
sed -i 's/^count = 4$/count = 2/' "$t/orig/etc/vfio-provision.conf"

# etc_of ROOT: the root's /etc, every entry and its content
etc_of() { (cd "$1/etc" || exit 1; find . -printf '%y %p -> %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum); }

# linked NAME PATH TARGET VERB: PATH (in the state dir) replaced by a link to
# TARGET; VERB must fail naming the link, /etc untouched
n=0
linked() {
	local name=$1 path=$2 target=$3 verb=$4 r=$t/linked$((++n)) before out rc
	rm -rf "$r"; cp -a "$t/orig" "$r"
	rm -rf "${r:?}/$S${path:+/$path}"; ln -s "$target" "$r/$S${path:+/$path}"
	before=$(etc_of "$r")
	out=$("$VP" --root "$r" "$verb" 2>&1); rc=$?
	check_eq "state: $name: $verb exits 2" 2 "$rc"
	check_match "state: $name: the message names the link" \
		"'/$S${path:+/$path}': .*symbolic link.*state" "$out"
	check_eq "state: $name: /etc untouched" "$before" "$(etc_of "$r")"
}

linked "blobs a link to /etc" blobs /etc apply
linked "blobs a link to /etc, revert" blobs /etc revert
linked "state dir a link to /etc" "" /etc apply
linked "ledger a link to a copy" ledger /etc/ledger-copy check
linked "a blob a link to /etc/passwd" blobs/1 /etc/passwd revert
linked "the lock a link" lock /etc/group apply

# a dangling link as the state directory: revert must not say "nothing to revert"
r=$t/dangling; rm -rf "$r"; cp -a "$t/orig" "$r"
rm -rf "${r:?}/$S"; ln -s /var/lib/gone "$r/$S"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "state: dangling state dir: revert exits 2" 2 "$rc"
check_match "state: dangling state dir: the message names it" "'/$S': .*symbolic link" "$out"
check "state: dangling state dir: our files stay" test -f "$r/etc/modprobe.d/vfio.conf"

# a sweep deletes only the names it wrote
r=$t/sweep; rm -rf "$r"; cp -a "$t/orig" "$r"
echo mine >"$r/$S/blobs/notes.txt"
"$VP" --root "$r" apply >/dev/null 2>&1; rc=$?
check_eq "state: sweep: apply exit 0" 0 "$rc"
check_eq "state: sweep: a file we did not write stays in blobs/" mine "$(cat "$r/$S/blobs/notes.txt" 2>&1)"

# revert: a directory someone put in the state directory stays, and does not stop it
r=$t/userdir; rm -rf "$r"; cp -a "$t/orig" "$r"
mkdir -p "$r/$S/backups"; echo mine >"$r/$S/backups/README"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "state: a directory of the user's: revert exit 0" 0 "$rc"
check "state: a directory of the user's: our files reverted" test ! -e "$r/etc/modprobe.d/vfio.conf"
check_eq "state: a directory of the user's: stays" mine "$(cat "$r/$S/backups/README" 2>&1)"

# ---- the ledger's integrity: cut short, changed, blob numbers at the top ----
r=$t/cut; rm -rf "$r"; cp -a "$t/orig" "$r"
L=$r/$S/ledger
n=$(wc -l <"$L")
head -n $((n - 2)) "$L" >"$L.cut" && mv "$L.cut" "$L"    # cut at a line boundary
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "ledger cut at a line boundary: check exits 2" 2 "$rc"
check_match "ledger cut at a line boundary: says so" "'/$S/ledger':[0-9]+: no end line: .*cut short" "$out"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "ledger cut at a line boundary: revert exits 2" 2 "$rc"
check "ledger cut at a line boundary: revert left our files" grep -q 'hugepages=' "$r/etc/default/grub"

r=$t/changed; rm -rf "$r"; cp -a "$t/orig" "$r"
L=$r/$S/ledger
sed -i '2d' "$L"                                           # a line lost, the end line kept
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "ledger with a line lost: revert exits 2" 2 "$rc"
check_match "ledger with a line lost: says so" "'/$S/ledger':[0-9]+: (checksum mismatch|the end line counts)" "$out"

# a ledger naming blobs/18446744073709551615 (2^64-1): the next blob is not
# blobs/0 (which no ledger may name): apply, check and revert go on working
r=$t/top; rm -rf "$r"; cp -a "$t/orig" "$r"
L=$r/$S/ledger
top=18446744073709551615
last=$(grep -o 'blobs/[0-9]*' "$L" | sort -t/ -k2 -n | tail -n1)
mv "$r/$S/$last" "$r/$S/blobs/$top"
# as the previous release wrote it (no end line): the same entries, renamed
{ echo '# vfio-provision ledger 2'; sed -e '1d' -e '$d' -e "s#$last\\b#blobs/$top#g" "$L"; } >"$L.new" && mv "$L.new" "$L"
out=$("$VP" --root "$r" apply 2>&1); rc=$?
check_eq "blob 2^64-1: apply exits 0" "0" "$rc"
if grep -q 'blobs/0\b' "$L"; then not_ok "blob 2^64-1: no blobs/0 in the ledger" "$(cat "$L")"
else ok "blob 2^64-1: no blobs/0 in the ledger"; fi
out=$("$VP" --root "$r" check 2>&1); rc=$?
check_eq "blob 2^64-1: check afterwards exits 0" "0" "$rc"
out=$("$VP" --root "$r" revert 2>&1); rc=$?
check_eq "blob 2^64-1: revert exits 0" "0" "$rc"
fresh engine-debian "$t/pristine"; sed -i 's/^count = 4$/count = 2/' "$t/pristine/etc/vfio-provision.conf"
check_eq "blob 2^64-1: revert gives the files back" "$(listing "$t/pristine")" "$(listing "$r")"
