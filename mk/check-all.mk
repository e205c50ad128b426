# The whole test suite, as README and .ci/run run it: unit and fixture tests,
# the same under ASan+UBSan, each libFuzzer target briefly over its corpus
# (mk/fuzz.mk), the QEMU end-to-end boots, and the Debian package.
check-all:
	$(MAKE) check
	$(MAKE) check SANITIZE=1
	$(MAKE) check-fuzz
	$(MAKE) check-e2e
	$(MAKE) check-deb

.PHONY: check-all
