# Installation of everything but the binaries' own rules: man pages,
# completions, the config example, the initramfs hooks, the kernel-update and
# package hooks, the Ansible collection (contrib/ansible: PKGDATADIR/ansible is
# a directory for ANSIBLE_COLLECTIONS_PATH). Every path honours DESTDIR and the
# *DIR variables.
MKINITCPIODIR  ?= $(PREFIX)/lib/initcpio
DRACUTDIR      ?= $(PREFIX)/lib/dracut/modules.d
INITRAMFSTOOLSDIR ?= $(DATADIR)/initramfs-tools
KERNELINSTALLDIR ?= $(PREFIX)/lib/kernel/install.d
ALPMHOOKDIR    ?= $(DATADIR)/libalpm/hooks
BASHCOMPDIR    ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR     ?= $(DATADIR)/zsh/site-functions
PKGDATADIR     ?= $(DATADIR)/vfio-provision
DOCDIR         ?= $(DATADIR)/doc/vfio-provision

# Hooks name the installed paths; substituted at install time.
SUBST = sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	    -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@PKGDATADIR@|$(PKGDATADIR)|g'

install-data: $(MAN_PAGES)
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m644 $(B)/man/vfio-provision.8 $(DESTDIR)$(MANDIR)/man8/
	install -m644 $(B)/man/vfio-provision.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -Dm644 completions/vfio-provision.bash $(DESTDIR)$(BASHCOMPDIR)/vfio-provision
	install -Dm644 completions/_vfio-provision $(DESTDIR)$(ZSHCOMPDIR)/_vfio-provision
	install -Dm644 templates/vfio-provision.conf $(DESTDIR)$(PKGDATADIR)/vfio-provision.conf.example
	install -d $(DESTDIR)$(LIBEXECDIR)
	$(SUBST) packaging/hooks/kernel-hook > $(DESTDIR)$(LIBEXECDIR)/kernel-hook
	chmod 755 $(DESTDIR)$(LIBEXECDIR)/kernel-hook
	install -d $(DESTDIR)$(ALPMHOOKDIR) $(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d $(DESTDIR)$(KERNELINSTALLDIR)
	$(SUBST) packaging/hooks/85-vfio-provision.hook > $(DESTDIR)$(ALPMHOOKDIR)/85-vfio-provision.hook
	$(SUBST) packaging/hooks/kernel-postinst > $(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/50-vfio-provision
	$(SUBST) packaging/hooks/kernel-install.install > $(DESTDIR)$(KERNELINSTALLDIR)/45-vfio-provision.install
	chmod 755 $(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/50-vfio-provision \
		$(DESTDIR)$(KERNELINSTALLDIR)/45-vfio-provision.install
	set -e; for f in mkinitcpio/install/vfio-provision mkinitcpio/hooks/vfio-provision; do \
		[ -f $$f ] || continue; \
		install -d $(DESTDIR)$(MKINITCPIODIR)/$$(dirname $${f#mkinitcpio/}); \
		$(SUBST) $$f > $(DESTDIR)$(MKINITCPIODIR)/$${f#mkinitcpio/}; \
		chmod 644 $(DESTDIR)$(MKINITCPIODIR)/$${f#mkinitcpio/}; done
	set -e; if [ -d dracut/90vfio-provision ]; then \
		install -d $(DESTDIR)$(DRACUTDIR)/90vfio-provision; \
		for f in dracut/90vfio-provision/*; do \
			$(SUBST) $$f > $(DESTDIR)$(DRACUTDIR)/90vfio-provision/$$(basename $$f); \
			case $$f in *.service) m=644 ;; *) m=755 ;; esac; \
			chmod $$m $(DESTDIR)$(DRACUTDIR)/90vfio-provision/$$(basename $$f); done; fi
	rm -f $(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top/vfio-provision
	set -e; for f in initramfs-tools/hooks/vfio-provision initramfs-tools/scripts/init-top/00-vfio-provision; do \
		[ -f $$f ] || continue; \
		install -d $(DESTDIR)$(INITRAMFSTOOLSDIR)/$$(dirname $${f#initramfs-tools/}); \
		$(SUBST) $$f > $(DESTDIR)$(INITRAMFSTOOLSDIR)/$${f#initramfs-tools/}; \
		chmod 755 $(DESTDIR)$(INITRAMFSTOOLSDIR)/$${f#initramfs-tools/}; done
	set -e; for f in $$(cd contrib/ansible && find ansible_collections -type f ! -name '*.pyc' | LC_ALL=C sort); do \
		install -Dm644 contrib/ansible/$$f $(DESTDIR)$(PKGDATADIR)/ansible/$$f; done
	set -e; for f in docs/*.md docs/*.json README.md; do [ -f $$f ] && install -Dm644 $$f $(DESTDIR)$(DOCDIR)/$$(basename $$f); done; true
	# the JSON Schemas of every --json document, for programs (a minimal
	# system may leave /usr/share/doc out)
	install -d $(DESTDIR)$(PKGDATADIR)/schemas
	install -m644 docs/*.schema.json $(DESTDIR)$(PKGDATADIR)/schemas/

uninstall-data:
	rm -f $(DESTDIR)$(MANDIR)/man8/vfio-provision.8 $(DESTDIR)$(MANDIR)/man5/vfio-provision.conf.5
	rm -f $(DESTDIR)$(BASHCOMPDIR)/vfio-provision $(DESTDIR)$(ZSHCOMPDIR)/_vfio-provision
	rm -f $(DESTDIR)$(PKGDATADIR)/vfio-provision.conf.example $(DESTDIR)$(LIBEXECDIR)/kernel-hook
	rm -f $(DESTDIR)$(ALPMHOOKDIR)/85-vfio-provision.hook
	rm -f $(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/50-vfio-provision
	rm -f $(DESTDIR)$(KERNELINSTALLDIR)/45-vfio-provision.install
	rm -f $(DESTDIR)$(MKINITCPIODIR)/install/vfio-provision $(DESTDIR)$(MKINITCPIODIR)/hooks/vfio-provision
	rm -rf $(DESTDIR)$(DRACUTDIR)/90vfio-provision $(DESTDIR)$(DOCDIR) $(DESTDIR)$(PKGDATADIR)/ansible
	rm -rf $(DESTDIR)$(PKGDATADIR)/schemas
	rm -f $(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks/vfio-provision
	rm -f $(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top/00-vfio-provision
	rm -f $(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top/vfio-provision
	-rmdir $(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

INSTALL_TARGETS += install-data
UNINSTALL_TARGETS += uninstall-data
.PHONY: install-data uninstall-data

install-libvirt:
	install -d $(DESTDIR)$(PKGDATADIR)/libvirt
	$(SUBST) libvirt/qemu > $(DESTDIR)$(PKGDATADIR)/libvirt/qemu
	chmod 755 $(DESTDIR)$(PKGDATADIR)/libvirt/qemu
	install -m644 templates/libvirt-hugepages.xml $(DESTDIR)$(PKGDATADIR)/libvirt/

uninstall-libvirt:
	rm -rf $(DESTDIR)$(PKGDATADIR)/libvirt

INSTALL_TARGETS += install-libvirt
UNINSTALL_TARGETS := uninstall-libvirt $(UNINSTALL_TARGETS)
.PHONY: install-libvirt uninstall-libvirt
