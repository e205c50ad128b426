# `make check-deb`: build the .deb, lintian it, install it into a throw-away
# root, apply there, then remove and purge it. The static fake regeneration
# tool (mk/engine.mk; named by path: engine.mk is read after this file)
# stands in for update-initramfs and update-grub inside that root.
check-deb: $(B)/tests/shim/fake-tool
	FAKE_TOOL=$(abspath $(B))/tests/shim/fake-tool tests/deb/check-deb.sh

.PHONY: check-deb
