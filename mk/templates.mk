# Text templates (templates/*.xml) compiled into the binary as C strings, so
# the tool never depends on files installed elsewhere. @NAME@ placeholders are
# filled in by the code that uses them (provision/template.c).
TEMPLATE_SRCS := $(wildcard templates/*.xml)
TEMPLATE_C    := $(B)/gen/templates.c

$(TEMPLATE_C): $(TEMPLATE_SRCS) mk/templates.mk
	@mkdir -p $(@D)
	@{ echo '/* Generated from templates/ by mk/templates.mk: do not edit. */'; \
	  echo '#include "template.h"'; \
	  echo 'const struct vp_template vp_templates[] = {'; \
	  for f in $(TEMPLATE_SRCS); do \
		printf '\t{"%s",\n' "$$(basename $$f)"; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t "/' -e 's/$$/\\n"/' $$f; \
		printf '\t},\n'; \
	  done; \
	  echo '	{0},'; echo '};'; } > $@

$(B)/gen/templates.o: $(TEMPLATE_C)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

CORE_OBJS += $(B)/gen/templates.o
