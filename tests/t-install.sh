#!/bin/bash
# make install lays out every file in its conventional place; man pages
# render; completions load; make uninstall removes what install put there.
. "$(dirname "$0")/lib.sh"

d=$(tmpdir); trap 'rm -rf "$d"' EXIT
if ! make -s -C "$TOP" install DESTDIR="$d" PREFIX=/usr SYSCONFDIR=/etc \
	LIBEXECDIR=/usr/lib/vfio-provision SANITIZE="${SANITIZE:-}" >"$d.log" 2>&1; then
	not_ok "make install" "$(tail -20 "$d.log")"; rm -f "$d.log"; exit 0
fi
rm -f "$d.log"
ok "make install"

for f in usr/bin/vfio-provision:755 \
	usr/share/man/man8/vfio-provision.8:644 \
	usr/share/man/man5/vfio-provision.conf.5:644 \
	usr/share/bash-completion/completions/vfio-provision:644 \
	usr/share/zsh/site-functions/_vfio-provision:644 \
	usr/share/vfio-provision/vfio-provision.conf.example:644 \
	usr/lib/vfio-provision/kernel-hook:755 \
	usr/share/libalpm/hooks/85-vfio-provision.hook:644 \
	etc/kernel/postinst.d/50-vfio-provision:755 \
	usr/lib/kernel/install.d/45-vfio-provision.install:755 \
	usr/share/vfio-provision/ansible/ansible_collections/vfio_provision/host/plugins/modules/vfio_provision.py:644 \
	usr/share/vfio-provision/ansible/ansible_collections/vfio_provision/host/galaxy.yml:644 \
	usr/share/vfio-provision/schemas/detect.schema.json:644 \
	usr/share/vfio-provision/schemas/plan.schema.json:644 \
	usr/share/vfio-provision/schemas/guest-xml.schema.json:644 \
	usr/share/vfio-provision/schemas/hugepages-status.schema.json:644; do
	p=${f%:*} m=${f##*:}
	if [ -f "$d/$p" ]; then
		check_eq "installed $p mode" "$m" "$(stat -c %a "$d/$p")"
	else
		not_ok "installed $p" "missing"
	fi
done

# Installed scripts name the installed paths, not placeholders.
check_eq "no @PLACEHOLDER@ left in installed files" "" \
	"$(grep -rl '@[A-Z]*DIR@' "$d" 2>/dev/null)"
check_match "pacman hook runs the installed kernel-hook" \
	'^Exec = /usr/lib/vfio-provision/kernel-hook$' \
	"$(cat "$d/usr/share/libalpm/hooks/85-vfio-provision.hook")"
check "installed binary runs" "$d/usr/bin/vfio-provision" --version

# Man pages render without warnings.
for m in usr/share/man/man8/vfio-provision.8 usr/share/man/man5/vfio-provision.conf.5; do
	out=$(MANWIDTH=80 man -l "$d/$m" 2>&1 >/dev/null)
	txt=$(MANWIDTH=80 man -l "$d/$m" 2>/dev/null)
	if [ -z "$out" ] && grep -q '^NAME' <<<"$txt" && grep -q 'vfio-provision' <<<"$txt"; then
		ok "man -l $(basename "$m") renders"
	else
		not_ok "man -l $(basename "$m") renders" "$out"
	fi
done

# The bash completion loads and completes verbs and hugepages sub-verbs.
comp=$(bash -c '
	source /usr/share/bash-completion/bash_completion 2>/dev/null || exit 3
	source "$1" || exit 4
	complete_line() {
		COMP_LINE=$1; COMP_POINT=${#1}; read -ra COMP_WORDS <<<"$1"
		[[ $1 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
		_vfio_provision; echo "${COMPREPLY[*]}"
	}
	complete_line "vfio-provision hu"
	complete_line "vfio-provision hugepages re"
	complete_line "vfio-provision --ro"
	complete_line "vfio-provision gue"
	complete_line "vfio-provision guest-xml --dom"
	complete_line "vfio-provision --connect test:///default guest-xml --domain "
	complete_line "vfio-provision gpu re"
' _ "$d/usr/share/bash-completion/completions/vfio-provision" 2>&1)
if command -v virsh >/dev/null; then test_domain=test; else test_domain=; fi
check_eq "bash completion loads and completes (guest-xml --domain: virsh's domains)" \
	$'hugepages\nreserve release\n--root\nguest-xml\n--domain\n'"$test_domain"$'\nreattach' "$comp"
if command -v zsh >/dev/null; then
	check "zsh completion parses" zsh -n "$d/usr/share/zsh/site-functions/_vfio-provision"
fi

# The kernel hook never fails a transaction, even when the tool errors out.
hook_out=$(VFIO_PROVISION=/bin/false DPKG_ROOT=/nonexistent "$d/usr/lib/vfio-provision/kernel-hook" 6.1.0-99 2>&1); rc=$?
check_eq "kernel-hook exits 0 even when the tool fails" 0 "$rc"

make -s -C "$TOP" uninstall DESTDIR="$d" PREFIX=/usr SYSCONFDIR=/etc \
	LIBEXECDIR=/usr/lib/vfio-provision SANITIZE="${SANITIZE:-}" >/dev/null 2>&1
left=$(cd "$d" && find . -type f | sort)
check_eq "make uninstall removes every installed file" "" "$left"
