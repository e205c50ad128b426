# `make bench`: detect --json against the lspci shell loop on synthetic
# trees of 10, 1,000 and 10,000 PCI functions (bench/detect.sh).
GEN_TREE := $(B)/bench/gen-tree

$(GEN_TREE): bench/gen-tree.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

bench-detect: $(VP) $(GEN_TREE)
	VP=$(abspath $(VP)) BUILD=$(abspath $(B)) GEN_TREE=$(abspath $(GEN_TREE)) bench/detect.sh

BENCH_TARGETS += bench-detect
.PHONY: bench-detect
