# The property test of ownership over time (tests/prop/lifetime.c, run by
# tests/t-lifetime.sh on fixture roots): the pure core, linked in-process.
PROP_BINS := $(B)/tests/prop/lifetime
CHECK_TARGETS += $(PROP_BINS)

$(B)/tests/prop/%: $(B)/tests/prop/%.o $(B)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
