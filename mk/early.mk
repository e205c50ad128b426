# The static early-boot program (early/).
#
# The program is built with its own compiler and flags: musl-gcc when Debian's
# musl-tools is there (a few KiB), else a static glibc build. Never sanitized
# (it is static), even under SANITIZE=1. Its files but main.c (one job each:
# num, io, conf, cmdline, guard, reserve, bind, run) also go into libcore.a so that
# the main tool's `hugepages reserve` and the unit tests use the same code.

EARLY_CC      ?= $(shell command -v musl-gcc 2>/dev/null || echo $(CC))
EARLY_CFLAGS  ?= -Os
EARLY_ALL_CFLAGS = -std=gnu11 $(WARN) $(EARLY_CFLAGS) -D_GNU_SOURCE -Iearly \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-unwind-tables
EARLY_LDFLAGS ?= -static -s -Wl,--gc-sections
EARLY_BIN     := $(B)/early/vfio-provision-early
EARLY_JOBS    := num io conf cmdline guard reserve bind run
EARLY_OBJS    := $(B)/early/static/main.o $(EARLY_JOBS:%=$(B)/early/static/%.o)
EARLY_MAX_SIZE := 65536

CPPFLAGS += -Iearly

$(B)/early/static/%.o: early/%.c early/vpe.h early/vpe-limits.h
	@mkdir -p $(@D)
	$(EARLY_CC) $(EARLY_ALL_CFLAGS) -c -o $@ $<

$(EARLY_BIN): $(EARLY_OBJS)
	$(EARLY_CC) $(EARLY_ALL_CFLAGS) $(EARLY_LDFLAGS) -o $@ $^
	@# The size target holds for musl; a static glibc fallback cannot meet it.
	@size=$$(stat -c %s $@); if [ $$size -gt $(EARLY_MAX_SIZE) ]; then \
		echo "$@: $$size bytes, over the $(EARLY_MAX_SIZE) byte target" >&2; \
		case "$(notdir $(EARLY_CC))" in musl-gcc) exit 1 ;; esac; fi

$(B)/libcore.a: $(EARLY_JOBS:%=$(B)/early/%.o)

ALL_TARGETS += $(EARLY_BIN)
BENCH_TARGETS += bench-early-size
INSTALL_TARGETS += install-early
UNINSTALL_TARGETS += uninstall-early

bench-early-size: $(EARLY_BIN)
	@echo "early program: $$(stat -c %s $(EARLY_BIN)) bytes stripped, static ($(notdir $(EARLY_CC))), target <= $(EARLY_MAX_SIZE)"

# The hooks themselves are installed by mk/install.mk (install-data).
install-early: $(EARLY_BIN)
	install -Dm755 $(EARLY_BIN) $(DESTDIR)$(LIBEXECDIR)/vfio-provision-early

uninstall-early:
	rm -f $(DESTDIR)$(LIBEXECDIR)/vfio-provision-early

.PHONY: bench-early-size install-early uninstall-early
