# Issue 7's end-to-end test (tests/e2e/runtime.sh): one QEMU boot comparing a
# naive nr_hugepages write with `hugepages reserve` on fragmented memory.
# One of check-e2e's suites (mk/e2e.mk), also runnable alone.
# E2E_CACHE comes from mk/e2e.mk (recipes expand late, so order is no matter).

check-e2e-runtime: all
	$(E2E_ENV) tests/e2e/runtime.sh

.PHONY: check-e2e-runtime
