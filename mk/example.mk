# `make example`: builds the bundled example machine (a Skylake desktop with an
# Intel iGPU as boot VGA and a GTX 1070 to pass through) with the README's
# example config as its /etc/vfio-provision.conf, and runs detect on it, so
# something meaningful shows even on a machine without a GPU or IOMMU; the
# README's worked example is what plan, apply, ... then print there
# (tests/t-readme.sh compares them).
EXAMPLE_SPEC ?= tests/fixtures/skylake-gtx1070.spec
EXAMPLE_CONF ?= docs/example.conf
EXAMPLE_ROOT := $(B)/example

example: $(VP)
	rm -rf $(EXAMPLE_ROOT)
	tests/mkroot.sh $(EXAMPLE_SPEC) $(EXAMPLE_ROOT) >/dev/null
	install -m644 $(EXAMPLE_CONF) $(EXAMPLE_ROOT)/etc/vfio-provision.conf
	$(VP) --root $(EXAMPLE_ROOT) detect; test $$? -le 1

.PHONY: example
