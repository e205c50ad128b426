# Issue 13's runtime reservation test on a real filesystem (tests/e2e/rtdisk.sh):
# an ext4 image made at test time on a virtio disk, four boots (naive write,
# the seed's recipe, `reserve`, `reserve --drop-caches`) after the same
# fragmentation. One of check-e2e's suites (mk/e2e.mk), also runnable alone.

check-e2e-rtdisk: all
	$(E2E_ENV) tests/e2e/rtdisk.sh

.PHONY: check-e2e-rtdisk
