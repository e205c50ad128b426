# Unit tests that need more than the common link rule of the Makefile.

# test-ledger fails realloc on demand (an entry that cannot be made)
$(B)/tests/unit/test-ledger: LDFLAGS += -Wl,--wrap=realloc
