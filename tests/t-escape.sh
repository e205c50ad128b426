#!/bin/bash
# Text from outside reaches a terminal escaped: control bytes and escape
# sequences in pci.ids names, kernel directory names and config values are
# shown as \xHH in human output and messages, never written raw (a name
# could clear the screen, retitle the terminal or hide a line with CR).
# --json keeps the value, escaped by JSON's own rules.
. "$(dirname "$0")/lib.sh"

t=$(tmpdir); trap 'rm -rf "$t"' EXIT
base=$(mkfix plan-debian) || { not_ok "fixture plan-debian"; exit 0; }
root=$t/root; cp -a "$base" "$root"
esc=$'\033'
# raw TEXT: TEXT has a raw control byte (newlines and tabs aside)
raw() { LC_ALL=C grep -q $'[\001-\010\013-\037\177]' <<<"$1"; }

mkdir -p "$root/usr/share/misc"
printf '10de  NVIDIA \033]0;owned\007Corporation\n\t21c4  TU116 \033[2J\bGTX\n' >"$root/usr/share/misc/pci.ids"
out=$("$VP" --root "$root" detect 2>&1)
if raw "$out"; then not_ok "detect: no raw control byte from pci.ids" "$(cat -v <<<"$out")"
else ok "detect: no raw control byte from pci.ids"; fi
check_match "detect: the name escaped" 'NVIDIA \\x1b\]0;owned\\x07Corporation' "$out"
check_match "detect: backspace escaped" 'TU116 \\x1b\[2J\\x08GTX' "$out"
out=$("$VP" --root "$root" --json detect 2>/dev/null)
check_eq "detect --json: the value kept, JSON-escaped" 'NVIDIA \u001b]0;owned\u0007Corporation' \
	"$(jq -r '[.. | .vendor_name? // empty] | first' <<<"$out" | sed 's/\x1b/\\u001b/; s/\x07/\\u0007/')"

k=$(ls "$root/lib/modules")
mv "$root/lib/modules/$k" "$root/lib/modules/$k${esc}[31mred"
out=$("$VP" --root "$root" detect 2>&1)
if raw "$out"; then not_ok "detect: no raw control byte from a kernel directory name" "$(cat -v <<<"$out")"
else ok "detect: no raw control byte from a kernel directory name"; fi
check_match "detect: the kernel's name escaped" "$k\\\\x1b\\[31mred" "$out"
out=$("$VP" --root "$root" plan 2>&1)
if raw "$out"; then not_ok "plan: no raw control byte from a kernel directory name" "$(cat -v <<<"$out")"
else ok "plan: no raw control byte from a kernel directory name"; fi
mv "$root/lib/modules/$k${esc}[31mred" "$root/lib/modules/$k"

printf '[gpu]\nselect = 10de:\033[8mhidden\n' >"$root/etc/vfio-provision.conf"
out=$("$VP" --root "$root" plan 2>&1); rc=$?
check_eq "a config value with an escape: refused" 2 "$rc"
if raw "$out"; then not_ok "config value: no raw control byte in the message" "$(cat -v <<<"$out")"
else ok "config value: no raw control byte in the message"; fi
check_match "config value: shown escaped" '\\x1b\[8mhidden' "$out"
