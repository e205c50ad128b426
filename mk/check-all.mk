# The whole test suite, as README and .ci/run run it: unit and fixture tests,
# the same under ASan+UBSan, each libFuzzer target briefly over its corpus
# (mk/fuzz.mk), the QEMU end-to-end boots, and the Debian package.
#
# Each step keeps every CPU busy: builds run with -j$(NPROC), tests/run.sh
# runs that many suites at once, and the QEMU suites run side by side
# (-O: each suite's output whole when it ends; -k: every suite runs even
# when one fails). Each step's seconds are printed ("# check-all: STEP N s").
NPROC ?= $(shell nproc 2>/dev/null || echo 1)
CHECK_ALL_STEPS := check check-sanitize check-fuzz check-e2e check-deb

check-all:
	@set -e; t0=$$(date +%s); for step in $(CHECK_ALL_STEPS); do \
		s=$$(date +%s); \
		case $$step in \
		check-sanitize) $(MAKE) -j$(NPROC) check SANITIZE=1 ;; \
		check-e2e) $(MAKE) -j$(NPROC) -O -k check-e2e ;; \
		*) $(MAKE) -j$(NPROC) $$step ;; \
		esac; \
		echo "# check-all: $$step $$(( $$(date +%s) - s )) s"; \
	done; echo "# check-all: all $$(( $$(date +%s) - t0 )) s"

.PHONY: check-all
