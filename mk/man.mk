# Man pages are written in scdoc (Debian package scdoc) and built by `make`.
SCDOC ?= scdoc
MAN_SRCS  := $(wildcard man/*.scd)
MAN_PAGES := $(MAN_SRCS:man/%.scd=$(B)/man/%)

$(B)/man/%: man/%.scd
	@mkdir -p $(@D)
	$(SCDOC) < $< > $@

ALL_TARGETS += $(MAN_PAGES)
