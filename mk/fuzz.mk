# In-process, coverage-guided fuzzing with libFuzzer (clang from Debian).
#
# Every parser of outside text has a target tests/fuzz/fuzz-NAME.c that
# asserts the parser's own invariants; the core is rebuilt with clang under
# ASan+UBSan and coverage into build/fuzz/ (its own libcore.a), each target
# links it with -fsanitize=fuzzer. Seed corpora: tests/fuzz/corpus/NAME/.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_ONLY="cmdline merge3"]
#       runs each target for FUZZ_SECONDS, one after the other, and prints the
#       executions per target and in all; new inputs go to build/fuzz/corpus/,
#       a finding to build/fuzz/crash-NAME-* (and make fails).
#   make check-fuzz
#       the regression run CI does: each target over its seed corpus, then
#       FUZZ_CHECK_RUNS mutations from a fixed seed, so that every run tries
#       the same inputs (a finding fails CI the same way each time, never by
#       chance; new inputs go to a scratch directory: libFuzzer writes into
#       the first corpus directory it is given).

FUZZ_B       := build/fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_RUNS ?= 20000
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_ONLY    ?= $(FUZZ_TARGETS)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz-%)
FUZZ_FLAGS   := -print_final_stats=1 -rss_limit_mb=2048 -timeout=10
export FUZZ_B

# The sub-make that builds build/fuzz/libcore.a includes this file again:
# only the outer make has the fuzz rules.
ifneq ($(B),$(FUZZ_B))

$(FUZZ_B)/libcore.a: FORCE
	@$(MAKE) --no-print-directory CC=$(FUZZ_CC) B=$(FUZZ_B) SANITIZE= \
		CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Wno-incompatible-function-pointer-types" $@

$(FUZZ_B)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h tests/fuzz/fuzz-plan.h $(FUZZ_B)/libcore.a
	$(FUZZ_CC) -std=gnu11 $(WARN) $(CPPFLAGS) -Itests/fuzz -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer \
		$(shell $(PKG_CONFIG) --cflags $(PKGS) $(DLOPEN_PKGS)) -o $@ $< $(FUZZ_B)/libcore.a \
		$(LDLIBS) $(XML_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@total=0; found=; for t in $(FUZZ_ONLY); do \
		mkdir -p $(FUZZ_B)/corpus/$$t; log=$(FUZZ_B)/fuzz-$$t.log; \
		$(FUZZ_B)/fuzz-$$t $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=$(FUZZ_B)/crash-$$t- \
			$(FUZZ_B)/corpus/$$t tests/fuzz/corpus/$$t >$$log 2>&1 || found="$$found $$t"; \
		n=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
		cov=$$(grep -o 'cov: [0-9]*' $$log | tail -n 1); \
		echo "fuzz-$$t: $${n:-0} executions in $(FUZZ_SECONDS)s, $$cov"; \
		total=$$((total + $${n:-0})); \
	done; echo "fuzz: $$total executions in all"; \
	if [ -n "$$found" ]; then echo "FINDING in:$$found (logs: $(FUZZ_B)/fuzz-NAME.log)"; exit 1; fi; \
	echo "fuzz: no finding"

check-fuzz: $(FUZZ_BINS)
	@fail=0; for t in $(FUZZ_TARGETS); do \
		log=$(FUZZ_B)/check-fuzz-$$t.log; scratch=$(FUZZ_B)/check-corpus/$$t; \
		rm -rf $$scratch; mkdir -p $$scratch; \
		if $(FUZZ_B)/fuzz-$$t $(FUZZ_FLAGS) -seed=1 -runs=$(FUZZ_CHECK_RUNS) \
			-artifact_prefix=$(FUZZ_B)/crash-$$t- $$scratch tests/fuzz/corpus/$$t >$$log 2>&1; then \
			echo "ok fuzz-$$t ($$(sed -n 's/^stat::number_of_executed_units: *//p' $$log) executions)"; \
		else tail -n 40 $$log; echo "FAIL fuzz-$$t (log: $$log)"; fail=1; fi; \
	done; exit $$fail

endif

FORCE:
.PHONY: fuzz fuzz-build check-fuzz FORCE
