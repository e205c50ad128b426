# `make bench`: detect's CPU time against one `lspci -nnk` on the example
# machine and a 1,000-function tree, then detect --json against the lspci
# shell loop on synthetic trees of 10, 1,000 and 10,000 PCI functions
# (bench/detect.sh).
GEN_TREE := $(B)/bench/gen-tree
CPU_TIME := $(B)/bench/cpu-time

$(GEN_TREE) $(CPU_TIME): $(B)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

bench-detect: $(VP) $(GEN_TREE) $(CPU_TIME)
	VP=$(abspath $(VP)) BUILD=$(abspath $(B)) GEN_TREE=$(abspath $(GEN_TREE)) \
		CPU_TIME=$(abspath $(CPU_TIME)) bench/detect.sh

BENCH_TARGETS += bench-detect
.PHONY: bench-detect
