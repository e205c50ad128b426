# `make example`: builds the bundled example machine (a Skylake desktop with an
# Intel iGPU as boot VGA and a GTX 1070 to pass through) and runs detect on it,
# so something meaningful shows even on a machine without a GPU or IOMMU.
EXAMPLE_SPEC ?= tests/fixtures/skylake-gtx1070.spec
EXAMPLE_ROOT := $(B)/example

example: $(VP)
	rm -rf $(EXAMPLE_ROOT)
	tests/mkroot.sh $(EXAMPLE_SPEC) $(EXAMPLE_ROOT) >/dev/null
	$(VP) --root $(EXAMPLE_ROOT) detect; test $$? -le 1

.PHONY: example
