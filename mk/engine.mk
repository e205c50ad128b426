# The engine's test helpers, built for `make check`, never sanitized:
#  - tests/shim/faults.c: LD_PRELOAD library that kills or fails
#    file-changing calls (t-crash.sh, t-faults.sh); it is preloaded into the
#    maybe-sanitized binary.
#  - tests/shim/treelist.c: lists a tree with modes, owners and content
#    hashes in one process (the crash test compares trees thousands of times).
#  - tests/shim/fake-tool.c: a static stand-in for the regeneration tools,
#    run chrooted in fixture roots (apply --regenerate).
SHIM := $(B)/tests/shim/faults.so
TREELIST := $(B)/tests/shim/treelist
FAKE_TOOL := $(B)/tests/shim/fake-tool

$(SHIM): tests/shim/faults.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

$(TREELIST): tests/shim/treelist.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

$(FAKE_TOOL): tests/shim/fake-tool.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $<

CHECK_TARGETS += $(SHIM) $(TREELIST) $(FAKE_TOOL)
