# Issue 25: the QEMU suites on Debian 13's 6.12 kernel as well (no
# vfio_virqfd, vfio_pci_core a module, xz-compressed modules), fetched by
# tests/e2e/fetch-kernel.sh through apt with a private trixie sources list
# into $(E2E_CACHE). Only the scenarios where the kernel makes a difference
# (the rest test the early program, which is the same on both):
#   run.sh       s1 (dracut, ids: modules load, the GPU binds)
#                s2 (dracut, driver_override by address)
#   bootpages.sh K D I M (the kernel's own pages; dracut, initramfs-tools and
#                mkinitcpio images: module lists, loading, binding, pages)
#                T (hugepages=1:N in a two-node guest)
# One of check-e2e's suites (mk/e2e.mk), also runnable alone.
E2E_612_RUN       ?= s1 s2
E2E_612_BOOTPAGES ?= K D I M T


check-e2e-6.12: check-e2e-6.12-boot check-e2e-6.12-bootpages

check-e2e-6.12-boot: all
	E2E_KERNEL=6.12 E2E_ONLY="$(E2E_612_RUN)" $(E2E_ENV) tests/e2e/run.sh

check-e2e-6.12-bootpages: all
	E2E_KERNEL=6.12 E2E_ONLY="$(E2E_612_BOOTPAGES)" $(E2E_ENV) tests/e2e/bootpages.sh

.PHONY: check-e2e-6.12 check-e2e-6.12-boot check-e2e-6.12-bootpages
