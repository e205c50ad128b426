# QEMU end-to-end tests (tests/e2e/): real Debian kernels, real dracut,
# initramfs-tools and a mkinitcpio-shaped image. The kernels are cached under
# $(E2E_CACHE) (never in the repository).
#
# check-e2e is the sum of the suites, each its own target (mk/e2e-*.mk add
# theirs), so `make -j2 check-e2e` (what check-all runs) boots two suites at
# once: QEMU's TCG keeps one core busy per guest. The suites share only the
# cache, and whatever fills it or builds in it takes its lock
# (tests/e2e/lib.sh e2e_locked, fetch-kernel.sh).
E2E_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME)/vfio-provision-e2e,$(abspath build/e2e-cache))
E2E_ENV = E2E_CACHE=$(E2E_CACHE) VP=$(abspath $(VP)) BUILD=$(abspath $(B))

# The suites, longest first: make -j starts them in this order.
E2E_SUITES := check-e2e-bootpages check-e2e-6.12-bootpages check-e2e-gpu check-e2e-boot \
	check-e2e-rtdisk check-e2e-6.12-boot check-e2e-runtime
check-e2e: $(E2E_SUITES)

# issue 6's scenarios 1-7 and the real dracut (tests/e2e/run.sh)
check-e2e-boot: all
	$(E2E_ENV) tests/e2e/run.sh

.PHONY: check-e2e check-e2e-boot

# Figures from the same QEMU set-up (issue 6's benchmark).
bench-e2e: all
	E2E_CACHE=$(E2E_CACHE) BUILD=$(abspath $(B)) tests/e2e/bench.sh

BENCH_TARGETS += bench-e2e
.PHONY: bench-e2e
