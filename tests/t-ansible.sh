#!/bin/bash
# Issue 15, the Ansible module (contrib/ansible, vfio_provision.host.vfio_provision)
# run by ansible-playbook -i localhost, -c local against fixture roots with the
# built binary: check mode writes nothing (and plans the would-be config), the
# first run is changed, the second not, a config change rewrites exactly the
# files it affects, state=reverted restores the original tree, refusals and a
# bad config fail the task with the binary's reasons and write nothing, and
# ansible-doc renders the module's documentation.
# Without ansible-core (Debian's package) this is a skip, a failure under CI=true.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

if ! command -v ansible-playbook >/dev/null || ! command -v ansible-doc >/dev/null; then
	if [ "${CI:-}" = true ]; then
		not_ok "ansible: ansible-playbook and ansible-doc (apt-get install ansible-core)"
	else
		echo "skip ansible: ansible-core is not installed (apt-get install ansible-core)"
	fi
	exit 0
fi

work=$(tmpdir); trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export ANSIBLE_HOME=$work/ansible-home ANSIBLE_LOCAL_TEMP=$work/ansible-tmp \
	ANSIBLE_REMOTE_TEMP=$work/ansible-tmp ANSIBLE_COLLECTIONS_PATH=$TOP/contrib/ansible \
	ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
	ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ANSIBLE_GATHERING=explicit \
	ANSIBLE_CONFIG=$work/ansible.cfg
: >"$ANSIBLE_CONFIG"   # no ansible.cfg of the working directory or the user
MOD=vfio_provision.host.vfio_provision

# play NAME [ansible-playbook options] < TASKS: runs the tasks (YAML, indented
# for a play's task list, each registering a variable named in $REG) and
# stores the registered results in $work/NAME.json (one object, by name)
play() {
	local name=$1 out rc
	shift
	{
		printf -- '- hosts: localhost\n  gather_facts: false\n  tasks:\n'
		cat
		printf -- '    - name: results\n      ansible.builtin.copy:\n'
		printf -- '        dest: %s\n' "$work/$name.json"
		printf -- '        content: "{{ {%s} | to_json }}"\n' \
			"$(for v in $REG; do printf "'%s': %s, " "$v" "$v"; done)"
		printf -- '      check_mode: false\n      diff: false\n      changed_when: false\n'
	} >"$work/$name.yml"
	out=$(ansible-playbook -i localhost, -c local "$@" "$work/$name.yml" 2>&1); rc=$?
	if [ "$rc" != 0 ] || [ ! -s "$work/$name.json" ]; then
		not_ok "ansible: playbook $name ran (exit $rc)" "$out"
		return 1
	fi
	printf '%s\n' "$out" >"$work/$name.out"
}

# q NAME FILTER: jq on a playbook's results
q() { jq -c "$2" "$work/$1.json" 2>&1; }
qr() { jq -r "$2" "$work/$1.json" 2>&1; }

R=$work/root
fresh engine-debian "$work/orig" || { not_ok "ansible: fixture engine-debian"; exit 0; }
# stand-ins for the regeneration tools (regenerate: true runs them chrooted)
FAKE=$BUILD/tests/shim/fake-tool
if [ -x "$FAKE" ]; then
	for tool in update-initramfs grub-mkconfig; do
		install -m 0755 "$FAKE" "$work/orig/usr/sbin/$tool"
	done
fi
cp -a "$work/orig" "$R"
task() { # task VAR [EXTRA YAML LINES...]: our module on $R with the built binary
	local v=$1
	shift
	printf '    - name: %s\n      %s:\n        binary: %s\n        root: %s\n' "$v" "$MOD" "$VP" "$R"
	printf '        %s\n' "$@"
	printf '      register: %s\n      ignore_errors: true\n' "$v"
}

# --- check mode: nothing written, planned against the would-be config --------
before=$(snapshot "$R"); before_t=$(mtimes "$R")
REG="chk"
play check --check --diff < <(task chk 'config: {hugepages: {count: 2}}') || exit 0
check_eq "ansible: check mode writes nothing (tree)" "$before" "$(snapshot "$R")"
check_eq "ansible: check mode writes nothing (mtimes)" "$before_t" "$(mtimes "$R")"
check_eq "ansible: check mode: changed, config_changed, reboot_required, failed" \
	'[true,true,true,false]' "$(q check '.chk | [.changed, .config_changed, .reboot_required, .failed]')"
check_eq "ansible: check mode: the pending files" \
	'["/etc/modprobe.d/vfio.conf","/etc/vfio-provision/early.conf","/etc/fstab","/etc/initramfs-tools/modules","/etc/default/grub","/dev/hugepages1G"]' \
	"$(q check '[.chk.changes[].path]')"
check_match "ansible: check mode plans the would-be config (2 pages, the fixture's has 4)" \
	'^\+hugepages=2$' "$(jq -r '.chk.diff[].prepared // empty' "$work/check.json")"
check_eq "ansible: check mode diff: the config file's before and after" \
	'["/etc/vfio-provision.conf",true,true]' \
	"$(q check '.chk.diff[0] | [.after_header, (.before | test("count = 4")), (.after | test("\ncount = 2\n"))]')"
check_match "ansible: check mode diff: unified diffs in the output" \
	'^\+\+\+ b/etc/default/grub$' "$(cat "$work/check.out")"

# --- first run changed, second run not, check mode then not changed -----------
REG="a1 a2 a3"
play apply --diff < <(task a1 'config: {hugepages: {count: 2}}' 'gather: true'
	task a2 'config: {hugepages: {count: 2}}'
	task a3 'config: {hugepages: {count: 2}}'; echo '      check_mode: true') || exit 0
check_eq "ansible: first run: changed, config_changed, reboot_required" '[true,true,true]' \
	"$(q apply '.a1 | [.changed, .config_changed, .reboot_required]')"
check_eq "ansible: first run: verdict ok" '"ok"' "$(q apply .a1.verdict.name)"
check_eq "ansible: first run: what apply wrote" \
	'["/etc/modprobe.d/vfio.conf","/etc/vfio-provision/early.conf","/etc/fstab","/etc/initramfs-tools/modules","/etc/default/grub","/dev/hugepages1G"]' \
	"$(q apply '[.a1.document.written[].path]')"
check_eq "ansible: first run: the commands to run" '[["update-initramfs","-u","-k","all"],["grub-mkconfig","-o","/boot/grub/grub.cfg"]]' \
	"$(q apply '[.a1.commands[].argv]')"
check_eq "ansible: gather: detect --json as vfio_provision_facts" '[1,"0000:01:00.0","ok"]' \
	"$(q apply '.a1.vfio_provision_facts | [.schema, .selection.target, .selection.verdict]')"
check_eq "ansible: gather: also a fact" '"0000:01:00.0"' \
	"$(q apply '.a1.ansible_facts.vfio_provision_facts.selection.target')"
check_eq "ansible: second run: ok, not changed" '[false,false,false,false]' \
	"$(q apply '.a2 | [.changed, .config_changed, .reboot_required, .failed]')"
check_eq "ansible: check mode after apply: not changed" '[false,false]' \
	"$(q apply '.a3 | [.changed, .failed]')"
check_match "ansible: recap: 1 changed of 4 tasks" 'ok=4 +changed=1 ' "$(cat "$work/apply.out")"
"$VP" --root "$R" check >/dev/null 2>&1
check_eq "ansible: vfio-provision check after the play: up to date" 0 $?
check_eq "ansible: the config file as rendered" \
	"$(printf '%s\n' '# Written by Ansible (vfio_provision module): edits here are replaced on its next run.' '' \
		'[hugepages]' 'count = 2')" "$(cat "$R/etc/vfio-provision.conf")"

# --- a config change rewrites exactly the affected files ---------------------
l2=$(listing "$R")
REG="c1"
regen=false; [ -x "$FAKE" ] && regen=true
play change < <(task c1 'config: {hugepages: {count: 2}, cmdline: {transparent_hugepage: madvise, iommu_pt: true},' \
		'         gpu: {select: ["0000:01:00.0", "10de:10f0"]}}' \
	"regenerate: $regen") || exit 0
check_eq "ansible: config change: changed, config_changed, reboot_required" '[true,true,true]' \
	"$(q change '.c1 | [.changed, .config_changed, .reboot_required]')"
check_eq "ansible: config change: apply rewrote /etc/default/grub only" '["/etc/default/grub"]' \
	"$(q change '[.c1.document.written[].path]')"
check_eq "ansible: config change: the files that differ in the tree" \
	"etc/default/grub etc/vfio-provision.conf" \
	"$(diff <(printf '%s\n' "$l2") <(listing "$R") | sed -n 's/^> \([^	]*\)	.*/\1/p' | sort | xargs)"
if [ $regen = true ]; then
	check_eq "ansible: regenerate: the commands ran and succeeded" '[["update-initramfs","grub-mkconfig"],[0,0]]' \
		"$(q change '[[.c1.commands[].argv[0]], [.c1.commands[].exit_status]]')"
else
	echo "skip ansible: regenerate: $FAKE not built (make check builds it)"
fi
check_eq "ansible: config change: the config as rendered (sorted, yes/no, lists)" \
	"$(printf '%s\n' '# Written by Ansible (vfio_provision module): edits here are replaced on its next run.' '' \
		'[cmdline]' 'iommu_pt = yes' 'transparent_hugepage = madvise' '' \
		'[gpu]' 'select = 0000:01:00.0, 10de:10f0' '' '[hugepages]' 'count = 2')" \
	"$(cat "$R/etc/vfio-provision.conf")"
check_match "ansible: config change: the new token" 'transparent_hugepage=madvise' "$(cat "$R/etc/default/grub")"

# --- a rebuild that fails after apply wrote: failed, and changed all the same --
if [ $regen = true ]; then
	REG="g1"
	echo 3 >"$R/etc/fake-tool.status"
	play regenfail < <(task g1 'config: {hugepages: {count: 3}}' 'regenerate: true') || exit 0
	rm -f "$R/etc/fake-tool.status"
	check_eq "ansible: rebuild fails: failed, and changed (the files are written)" '[true,true]' \
		"$(q regenfail '.g1 | [.failed, .changed]')"
	check_eq "ansible: rebuild fails: the failing command's status, the rest not run" '[3,null]' \
		"$(q regenfail '[.g1.commands[].exit_status]')"
else
	echo "skip ansible: rebuild fails: $FAKE not built (make check builds it)"
fi

# --- state: reverted restores the original tree -----------------------------
REG="r1 r2"
play revert --diff < <(task r1 'state: reverted'; task r2 'state: reverted') || exit 0
check_eq "ansible: revert: changed, reboot_required" '[true,true]' "$(q revert '.r1 | [.changed, .reboot_required]')"
check_match "ansible: revert diff mode: the diff of /etc/default/grub" \
	'^\+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$(jq -r '.r1.diff[].prepared // empty' "$work/revert.json")"
check_eq "ansible: second revert: not changed" '[false,false]' "$(q revert '.r2 | [.changed, .failed]')"
# the config is the module's (revert leaves the config alone); all else as before
check_eq "ansible: revert restores the original tree (but the config)" \
	"$("$TREELIST" "$work/orig" -x var/lib/vfio-provision -x etc/vfio-provision.conf)" \
	"$("$TREELIST" "$R" -x var/lib/vfio-provision -x etc/vfio-provision.conf)"

# --- config_path is a path: ~ and $VARS expand as for every path option -------
REG="p1"
play cfgpath --check < <(task p1 "config_path: '\$VP_CONF'"
	printf '      environment:\n        VP_CONF: /etc/vfio-provision.conf\n') || exit 0
check_eq "ansible: config_path '\$VP_CONF' expands (type: path)" '[false,"ok"]' \
	"$(q cfgpath '.p1 | [.failed, .verdict.name]')"
check_eq "ansible-doc: config_path is type path" '"path"' \
	"$(ansible-doc --json -t module "$MOD" 2>/dev/null | jq -c ".\"$MOD\".doc.options.config_path.type")"

# --- refusals and a bad config fail the task, and write nothing -------------
B=$work/boot-vga S=$work/single I=$work/iommu-off
cp -a "$work/orig" "$B"
fresh single-gpu "$S" && fresh iommu-off "$I" || { not_ok "ansible: fixtures single-gpu, iommu-off"; exit 0; }
sb=$(snapshot "$B"); ss=$(snapshot "$S"); si=$(snapshot "$I")
REG="f1 f2 f3 f4 f5 f6"
play refuse < <(R=$B task f1 'config: {gpu: {select: "0000:00:02.0"}}'
	R=$B task f2 'config: {gpu: {select: "0000:00:02.0"}}'; echo '      check_mode: true'
	R=$S task f3
	R=$I task f4 'state: applied'
	R=$B task f5 'config: {hugepages: {count: lots}}'
	R=$B task f6 'config_path: etc/vfio-provision.conf') || exit 0
check_eq "ansible: boot VGA selected: failed, verdict, nothing changed" '[true,"boot-vga",false,false]' \
	"$(q refuse '.f1 | [.failed, .verdict.name, .changed, .config_changed]')"
check_match "ansible: boot VGA selected: the reason in the message" \
	'^vfio-provision refuses to apply .*boot-vga: 0000:00:02.0 .* is the boot VGA device' "$(qr refuse .f1.msg)"
check_eq "ansible: boot VGA selected in check mode: failed too" '[true,"boot-vga"]' \
	"$(q refuse '.f2 | [.failed, .verdict.name]')"
check_eq "ansible: single-gpu: failed with the verdict's reasons" '[true,"boot-vga",1]' \
	"$(q refuse '.f3 | [.failed, .refusals[0].verdict, (.refusals[0].reasons | length)]')"
check_match "ansible: iommu-off: failed, no-iommu and why" \
	'no-iommu: The IOMMU is off' "$(qr refuse .f4.msg)"
check_match "ansible: bad config value: failed with the binary's message" \
	"'<stdin>':[0-9]+: bad value 'lots' for 'count'" "$(qr refuse .f5.msg)"
check_match "ansible: config_path must be absolute" 'an absolute path inside the root' "$(qr refuse .f6.msg)"
check_match "ansible: recap: 6 failed tasks, ignored" 'failed=0 .*ignored=6' "$(cat "$work/refuse.out")"
check_eq "ansible: refused and bad configs wrote nothing (boot VGA root)" "$sb" "$(snapshot "$B")"
check_eq "ansible: refused: nothing written (single-gpu)" "$ss" "$(snapshot "$S")"
check_eq "ansible: refused: nothing written (iommu-off)" "$si" "$(snapshot "$I")"

# --- the README's playbook, as written, on a fixture root -------------------
# Only module_defaults are added (root and binary: a fixture root, the built
# binary); become is the connection's business (-e ansible_become=false) and
# the reboot task is skipped by its tag.
if [ -x "$FAKE" ]; then
	X=$work/readme-root
	cp -a "$work/orig" "$X"
	sed -n '/^### Ansible$/,/^### /p' "$TOP/README.md" | sed -n '/^```yaml$/,/^```$/{/^```/d;p}' |
		sed "s|^  become: true\$|&\n  module_defaults:\n    $MOD: {root: '$X', binary: '$VP'}|" >"$work/vfio.yml"
	printf '[gpu_hosts]\nlocalhost ansible_connection=local\n' >"$work/hosts"
	readme() { ansible-playbook -i "$work/hosts" "$work/vfio.yml" -e ansible_become=false --skip-tags reboot "$@" 2>&1; }
	before=$(snapshot "$X")
	out=$(readme --check --diff)
	check_match "README playbook: --check --diff shows the diffs" '^\+hugepages=8$' "$out"
	check_eq "README playbook: --check writes nothing" "$before" "$(snapshot "$X")"
	out=$(readme)
	check_match "README playbook: first run changed" 'ok=1 +changed=1 +unreachable=0 +failed=0 +skipped=0' "$out"
	"$VP" --root "$X" check >/dev/null 2>&1
	check_eq "README playbook: the host is up to date after it" 0 $?
	out=$(readme)
	check_match "README playbook: second run ok, not changed" 'ok=1 +changed=0 +unreachable=0 +failed=0 +skipped=0' "$out"
else
	echo "skip README playbook: $FAKE not built (make check builds it)"
fi

# --- domain: guest-xml --domain on libvirt's test driver (no daemon) ---------
D=$work/dom-root
cp -a "$work/orig" "$D"
cat >"$work/win11.xml" <<'EOF2'
<domain type='test'>
  <name>win11</name>
  <uuid>5a0e8c1e-2b7d-4f43-9c3e-6f1d2a9b8c70</uuid>
  <memory unit='GiB'>2</memory>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
  <devices>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'/>
  </devices>
</domain>
EOF2
libvirt_test_node "$work/node.xml" "$work/win11.xml"
dtask() { # dtask VAR URI: the module with domain win11 on the test driver at URI
	R=$D task "$1" 'config: {hugepages: {count: 2}}' 'domain: win11' "connect: 'test://$2'"
}
before=$(snapshot "$D")
REG="d1"
play domcheck --check --diff < <(dtask d1 "$work/node.xml") || exit 0
check_eq "ansible domain, check mode: changed, the domain would change, not defined" '[true,true,false]' \
	"$(q domcheck '.d1 | [.changed, .domain.changed, .domain.defined]')"
check_match "ansible domain, diff mode: the domain's diff" '^\+    <hostdev mode="subsystem"' \
	"$(jq -r '.d1.diff[].prepared // empty' "$work/domcheck.json")"
check_eq "ansible domain, check mode: nothing written" "$before" "$(snapshot "$D")"
REG="d2"
play domapply < <(dtask d2 "$work/node.xml") || exit 0
check_eq "ansible domain: changed, defined" '[true,true,true]' \
	"$(q domapply '.d2 | [.changed, .domain.changed, .domain.defined]')"
check_eq "ansible domain: the card on the free root port" '["0000:01:00.0","0000:01:00.0"]' \
	"$(q domapply '[.d2.domain.functions[0] | .address, .guest_address]')"
# the next run reads a driver file made from what was defined
jq -r .d2.domain.xml "$work/domapply.json" >"$work/win11-defined.xml"
libvirt_test_node "$work/node2.xml" "$work/win11-defined.xml"
REG="d3 d4"
play domagain < <(dtask d3 "$work/node2.xml"; R=$D task d4 'domain: test' "connect: 'test:///default'") || exit 0
check_eq "ansible domain, second run: not changed, nothing defined" '[false,false,false]' \
	"$(q domagain '.d3 | [.changed, .domain.changed, .domain.defined]')"
check_eq "ansible domain: a running domain fails the task" '[true,false]' "$(q domagain '.d4 | [.failed, .changed]')"
check_match "ansible domain: ... with the reason" "domain 'test' is running" "$(qr domagain .d4.msg)"

# --- ansible-doc renders the documentation ----------------------------------
doc=$(ansible-doc -t module "$MOD" 2>&1); rc=$?
check_eq "ansible-doc: exit 0" 0 "$rc"
missing=
for o in binary config config_path state regenerate force root gather domain connect reboot_required vfio_provision_facts; do
	grep -q -- "- $o\$" <<<"$doc" || missing="$missing $o"
done
check_eq "ansible-doc: every option and the main results documented" "" "$missing"
