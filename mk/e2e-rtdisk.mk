# Issue 13's runtime reservation test on a real filesystem (tests/e2e/rtdisk.sh):
# an ext4 image made at test time on a virtio disk, four boots (naive write,
# the seed's recipe, `reserve`, `reserve --drop-caches`) after the same
# fragmentation. An extra prerequisite of check-e2e, also runnable alone.
check-e2e: check-e2e-rtdisk

check-e2e-rtdisk: all
	E2E_CACHE=$(E2E_CACHE) VP=$(abspath $(VP)) BUILD=$(abspath $(B)) tests/e2e/rtdisk.sh

.PHONY: check-e2e-rtdisk
