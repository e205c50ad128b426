# `make bench`: CPU time (user + sys) of `check` on an applied fixture root
# (bench/check.sh), the path a package or kernel hook takes.
bench-check: $(VP)
	VP=$(abspath $(VP)) BUILD=$(abspath $(B)) bench/check.sh

BENCH_TARGETS += bench-check
.PHONY: bench-check
