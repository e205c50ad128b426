# The README's test command on a freshly debootstrapped Debian 12 root, in a
# plain chroot (tests/fresh-root.sh). Not part of check-all: it runs check-all.
check-fresh-root:
	tests/fresh-root.sh

.PHONY: check-fresh-root
