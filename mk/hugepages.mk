# The fake-kernel shim for the `hugepages` fixture tests (never sanitized:
# it is preloaded into the tool).
FAKEKERNEL := $(B)/tests/shim/fakekernel.so

$(FAKEKERNEL): tests/shim/fakekernel.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl

CHECK_TARGETS += $(FAKEKERNEL)
