# vfio-provision — see README.md. GNU make.
#
# Parts of the build add themselves through mk/*.mk fragments (early program,
# man pages, e2e, bench, install of hooks) by appending to the *_TARGETS
# variables below, so that no part needs to edit this file.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
LIBEXECDIR ?= $(PREFIX)/lib/vfio-provision
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

CC       ?= cc
PKG_CONFIG ?= pkg-config
PKGS     := libpci libkmod inih zlib
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wno-missing-field-initializers
CPPFLAGS += -D_GNU_SOURCE -Iprovision
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS))
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS))
# Loaded with dlopen(): libvirt by guest-xml --domain alone (provision/virt-api.c),
# libxml2 by what reads or writes XML (provision/xml-api.c), libmount and
# libblkid by what reads fstab or block devices (provision/mnt-api.c): their
# headers at build time, not their libraries at link time.
DLOPEN_PKGS := libvirt libxml-2.0 mount blkid
ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags $(DLOPEN_PKGS))
# for the tests that call libxml2 themselves (XPath checks, fuzz error hooks)
XML_LIBS := $(shell $(PKG_CONFIG) --libs libxml-2.0)
LDLIBS   += -ldl

ifeq ($(SANITIZE),1)
B := build/san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
else
B := build/default
endif

CORE_SRCS := $(filter-out provision/main.c,$(wildcard provision/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)
VP        := $(B)/vfio-provision

# Appended to by mk/*.mk.
ALL_TARGETS     :=
CHECK_TARGETS   :=
BENCH_TARGETS   :=
INSTALL_TARGETS :=
UNINSTALL_TARGETS :=
CLEAN_FILES     :=

all: $(VP) all-extra

-include $(wildcard mk/*.mk)

all-extra: $(ALL_TARGETS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libcore.a: $(CORE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(VP): $(B)/provision/main.o $(B)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(B)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(XML_LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

$(B)/tests/unit/%.o: ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags cmocka)

# Unit tests, then the fixture/golden tests; cmocka prints its summary on
# stderr, so both streams are merged. tests/run.sh ends with "N passed, N failed, N skipped".
check: all $(UNIT_BINS) $(CHECK_TARGETS)
	@fail=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t 2>&1 || fail=1; done; \
	VP=$(abspath $(VP)) BUILD=$(abspath $(B)) SANITIZE=$(SANITIZE) tests/run.sh 2>&1 || fail=1; \
	exit $$fail

bench: all $(BENCH_TARGETS)

install: all $(INSTALL_TARGETS)
	install -Dm755 $(VP) $(DESTDIR)$(BINDIR)/vfio-provision

uninstall: $(UNINSTALL_TARGETS)
	rm -f $(DESTDIR)$(BINDIR)/vfio-provision

clean:
	rm -rf build $(CLEAN_FILES)

.PHONY: all all-extra check bench install uninstall clean
.SECONDARY:
# a recipe that fails (scdoc missing, say) leaves no empty target behind
.DELETE_ON_ERROR:

# -type f: fixture roots under build/ hold directories such as etc/modprobe.d;
# only $(B): the e2e caches under build/ hold whole Debian roots (invoke-rc.d)
-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)
