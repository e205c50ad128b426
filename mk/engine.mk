# The engine's test helpers, built for `make check`, never sanitized:
#  - tests/shim/faults.c: LD_PRELOAD library that kills or fails
#    file-changing calls (t-crash.sh, t-faults.sh); it is preloaded into the
#    maybe-sanitized binary.
#  - tests/shim/treelist.c: lists a tree with modes, owners and content
#    hashes in one process (the crash test compares trees thousands of times).
SHIM := $(B)/tests/shim/faults.so
TREELIST := $(B)/tests/shim/treelist

$(SHIM): tests/shim/faults.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

$(TREELIST): tests/shim/treelist.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

CHECK_TARGETS += $(SHIM) $(TREELIST)
