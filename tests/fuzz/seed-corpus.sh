#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fills tests/fuzz/corpus/NAME/ from the fixture specs (the text between
# "file PATH" and "EOF"): a few distinct files per target, small. Run from
# the repository root; existing seeds are kept.
set -eu
out=tests/fuzz/corpus
max=${MAX_SEEDS:-8}

# extract PATH_REGEX TARGET
extract() {
	mkdir -p "$out/$2"
	for spec in tests/fixtures/*.spec; do
		awk -v re="$1" -v dir="$out/$2" -v base="$(basename "$spec" .spec)" '
			/^file / && !in_file { if ($2 ~ re) { in_file = 1; n++; f = dir "/" base "-" n; printf "" > f }; next }
			in_file && /^EOF$/ { close(f); in_file = 0; next }
			in_file { print >> f }' "$spec"
	done
	# keep at most $max distinct, small seeds
	(cd "$out/$2" && for f in *; do [ -f "$f" ] || continue
		[ "$(stat -c %s "$f")" -le 4096 ] || rm -f "$f"; done)
	(cd "$out/$2" && md5sum -- * 2>/dev/null | sort | awk 'seen[$1]++ { print $2 }' | xargs -r rm -f)
	(cd "$out/$2" && ls | tail -n +$((max + 1)) | xargs -r rm -f)
}

extract '^/etc/vfio-provision\\.conf$|^/etc/vfio-provision\\.conf\\.d/' config
extract '^/etc/default/grub$' grub
extract '^/boot/loader/entries/' bls
extract '^/boot/refind_linux\\.conf$' refind
extract '^/etc/kernel/cmdline$' kernel-cmdline
extract '^/etc/mkinitcpio\\.conf$' mkinitcpio
extract '^/etc/dracut\\.conf' dracut
extract '^/etc/default/grub$|^/etc/mkinitcpio\\.conf$|^/etc/dracut\\.conf' shell-lex
extract '^/etc/initramfs-tools/modules$' initramfs-tools
extract '^/etc/fstab$' fstab
extract '^/proc/cmdline$' cmdline
