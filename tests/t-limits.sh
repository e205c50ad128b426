#!/bin/bash
# Caps per kind of file (README, "Limits"): a file bigger than its kind's cap
# is refused by its size, before a byte is read, with a message naming it and
# the cap, exit 2, nothing written. Each command runs under `timeout 20`: a
# run that reads 20 GiB of holes fails as a hang (exit 124), which is the
# defect; the timeout is not a speed goal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
fresh engine-debian "$t/orig" || { not_ok "fixture engine-debian"; exit 0; }
S=var/lib/vfio-provision
cp -a "$t/orig" "$t/applied"
"$VP" --root "$t/applied" apply >/dev/null 2>&1 || { not_ok "limits: first apply"; exit 0; }

# big NAME BASE PATH SIZE VERB REGEX: PATH (inside a copy of BASE) made a
# sparse file of SIZE; VERB exits 2 with REGEX in its output and changes nothing
n=0
big() {
	local name=$1 base=$2 path=$3 size=$4 verb=$5 re=$6 r=$t/big$((++n)) before out rc
	rm -rf "$r"; cp -a "$base" "$r"
	mkdir -p "$(dirname "$r/$path")"; truncate -s "$size" "$r/$path"
	before=$(listing "$r")
	# shellcheck disable=SC2086  # a verb may be two words
	out=$(timeout 20 "$VP" --root "$r" $verb 2>&1 </dev/null); rc=$?
	check_eq "limits: $name: $verb exits 2" 2 "$rc"
	check_match "limits: $name: the message names the file and the cap" "$re" "$out"
	check_eq "limits: $name: nothing written" "$before" "$(listing "$r")"
	rm -rf "$r"
}

big "a 20 GiB /etc/default/grub" "$t/orig" etc/default/grub 20G plan \
	"'/etc/default/grub': 20 GiB, more than the 4 MiB a file of this kind may have"
big "a 5 MiB config" "$t/orig" etc/vfio-provision.conf 5M check \
	"'/etc/vfio-provision.conf': 5 MiB, more than the 4 MiB"
big "a 20 GiB ledger" "$t/applied" $S/ledger 20G revert \
	"'/$S/ledger': 20 GiB, more than the 4 MiB"
big "a 20 GiB blob" "$t/applied" $S/blobs/1 20G revert \
	"'/$S/blobs/1': 20 GiB, more than the 4 MiB"
big "a 1 GiB sysfs attribute" "$t/orig" sys/bus/pci/devices/0000:01:00.0/modalias 1G detect \
	"'/sys/bus/pci/devices/0000:01:00.0/modalias': 1 GiB, more than the 64 KiB"
big "a 1 GiB mount table" "$t/orig" proc/self/mountinfo 1G "hugepages status" \
	"'/proc/self/mountinfo': 1 GiB, more than the 16 MiB"

# 80 000 dir lines in the ledger (duplicates checked line against line took
# 15 s): refused at once, past the 4096 entries a ledger of ours can have
r=$t/many; rm -rf "$r"; cp -a "$t/applied" "$r"
{ echo '# vfio-provision ledger 2'; seq 80000 | awk '{ print "dir /d" $1 % 1000 }'; } >"$r/$S/ledger"
out=$(timeout 20 "$VP" --root "$r" check 2>&1); rc=$?
check_eq "limits: 80000 ledger lines: check exits 2" 2 "$rc"
check_match "limits: 80000 ledger lines: says why" "'/$S/ledger':4098: more than 4096 entries" "$out"
