# Issue 21's end-to-end test (tests/e2e/gpu.sh): one QEMU boot with an
# emulated IOMMU and a bochs-display, `gpu detach|reattach` on the real
# kernel, 50 cycles. One of check-e2e's suites (mk/e2e.mk), also runnable
# alone; bench-gpu prints its detach and reattach times (make bench).

check-e2e-gpu: all $(B)/tests/shim/faults.so
	$(E2E_ENV) tests/e2e/gpu.sh

bench-gpu: all $(B)/tests/shim/faults.so
	@E2E_CACHE=$(E2E_CACHE) VP=$(abspath $(VP)) BUILD=$(abspath $(B)) E2E_GPU_CYCLES=20 \
		tests/e2e/gpu.sh | sed -n 's/^# e2e gpu: //p; /^not ok/p'

BENCH_TARGETS += bench-gpu
.PHONY: check-e2e-gpu bench-gpu
