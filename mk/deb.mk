# `make check-deb`: build the .deb, lintian it, install it into a throw-away root.
check-deb:
	tests/deb/check-deb.sh

.PHONY: check-deb
