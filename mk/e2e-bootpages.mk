# Issue 13's end-to-end test (tests/e2e/bootpages.sh): the default mode
# (kernel hugepages=N + the early program's guard) through the real dracut and
# the real initramfs-tools (mkinitramfs in a debootstrapped root, cached under
# $(E2E_CACHE)). One of check-e2e's suites (mk/e2e.mk), also runnable alone.

check-e2e-bootpages: all
	$(E2E_ENV) tests/e2e/bootpages.sh

.PHONY: check-e2e-bootpages

# Pages of the default mode / pages of the kernel's own hugepages=64, at 6, 8, 10 GiB.
bench-bootpages: all
	E2E_CACHE=$(E2E_CACHE) BUILD=$(abspath $(B)) tests/e2e/bench-bootpages.sh

BENCH_TARGETS += bench-bootpages
.PHONY: bench-bootpages

# Seconds from /init to the early program per initramfs generator (busybox,
# real dracut, real initramfs-tools, real mkinitcpio when MKINITCPIO_SRC
# names a checkout of archlinux/mkinitcpio, else "n/a"), over several boots,
# with the pages each image kept next to the kernel's own hugepages=N.
bench-generators: all
	$(E2E_ENV) tests/e2e/bench-generators.sh

BENCH_TARGETS += bench-generators
.PHONY: bench-generators
