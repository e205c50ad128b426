# QEMU end-to-end tests (tests/e2e/): real Debian kernel, real dracut.
# The kernel is cached under $(E2E_CACHE) (never in the repository).
E2E_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME)/vfio-provision-e2e,$(abspath build/e2e-cache))

check-e2e: all
	E2E_CACHE=$(E2E_CACHE) VP=$(abspath $(VP)) BUILD=$(abspath $(B)) tests/e2e/run.sh

.PHONY: check-e2e

# Figures from the same QEMU set-up (issue 6's benchmark).
bench-e2e: all
	E2E_CACHE=$(E2E_CACHE) BUILD=$(abspath $(B)) tests/e2e/bench.sh

BENCH_TARGETS += bench-e2e
.PHONY: bench-e2e
