# The fake PCI core for the `gpu` fixture tests (tests/t-gpu.sh): an
# LD_PRELOAD shim that plays the kernel on a fixture root (never sanitized:
# it is preloaded into the tool). Its paths are fixture paths, far below
# PATH_MAX: a truncated one would only fail a test.
FAKEPCI := $(B)/tests/shim/fakepci.so

$(FAKEPCI): tests/shim/fakepci.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -Wno-format-truncation -O2 -fPIC -shared -o $@ $< -ldl

CHECK_TARGETS += $(FAKEPCI)
