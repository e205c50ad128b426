# shellcheck shell=bash
# The QEMU end-to-end harness, sourced by tests/e2e/run.sh and the benches
# (and reusable by other e2e suites): fetch a real Debian kernel, build
# initramfs images (busybox, or the real dracut with our module), boot them
# under QEMU and read back the "KEY k=v" lines the guest prints.
#
# Environment: E2E_CACHE (kernel cache; default $XDG_CACHE_HOME/vfio-provision-e2e
# or build/e2e-cache), E2E_ACCEL (auto|tcg|kvm), E2E_TIMEOUT (s per boot),
# E2E_KEEP=1 keeps the work directory.

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=$TOP/build/default}"
E2E_DIR=$TOP/tests/e2e
: "${E2E_CACHE:=${XDG_CACHE_HOME:+$XDG_CACHE_HOME/vfio-provision-e2e}}"
: "${E2E_CACHE:=$TOP/build/e2e-cache}"
: "${E2E_ACCEL:=auto}" "${E2E_TIMEOUT:=150}"
EARLY=${EARLY:-$BUILD/early/vfio-provision-early}

# The suites' checks (ok/not_ok/skip/no_skip come from tests/lib.sh), counted
# for the summary line finish prints: "N passed, N failed, N skipped".
PASS=0 FAIL=0 SKIP=0
t_ok() { ok "$1"; PASS=$((PASS + 1)); }
t_bad() { not_ok "$@"; FAIL=$((FAIL + 1)); }
# a skip is a skip; where every check must run (CI, VP_NO_SKIP=1) it fails
t_skip() {
	if no_skip; then t_bad "$1" "skipped: $2"; return; fi
	skip "$1" "$2"; SKIP=$((SKIP + 1))
}
t_eq() { if [ "$2" == "$3" ]; then t_ok "$1"; else t_bad "$1" "expected: $2" "actual:   $3"; fi; }
t_match() { if grep -qE -- "$2" <<<"$3"; then t_ok "$1"; else t_bad "$1" "no match for /$2/ in:" "$3"; fi; }
finish() { echo "$PASS passed, $FAIL failed, $SKIP skipped"; [ "$FAIL" -eq 0 ]; exit; }

# e2e_start NAME TARGET: every suite's start. QEMU able to run (else a skip of
# make TARGET, a failure where no skip is allowed), the tool and the early
# program built, the kernel; then E2E_WORK (removed at exit unless
# E2E_KEEP=1) and t0 for the suite's timings.
e2e_start() {
	local name=$1 target=$2 f
	e2e_can_run || e2e_skip "$target" "QEMU cannot run here: $E2E_WHY"
	for f in "$VP" "$EARLY"; do
		[ -x "$f" ] || { t_bad "$name: $f built"; finish; }
	done
	e2e_kernel || { t_bad "$name: kernel (fetch-kernel.sh failed)"; finish; }
	E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vp-$name.XXXXXX")
	[ "${E2E_KEEP:-0}" = 1 ] || trap 'rm -rf "$E2E_WORK"' EXIT
	echo "# $name: kernel $KVER, work $E2E_WORK"
	t0=$SECONDS E2E_NAME=$name
}

# e2e_note MSG: "# SUITE: N s: MSG", N seconds since e2e_start (where a
# suite's time goes, on a loaded host).
e2e_note() { echo "# ${E2E_NAME:-e2e}: $((SECONDS - ${t0:-0})) s: $*"; }

# e2e_can_run: QEMU present and able to start a machine at all; else the
# reason is in E2E_WHY (for the caller's skip message).
# shellcheck disable=SC2034
e2e_can_run() {
	command -v qemu-system-x86_64 >/dev/null || { E2E_WHY="qemu-system-x86_64 not installed"; return 1; }
	# Still running after 2 s (killed by timeout: 124) means it could start.
	timeout 2 qemu-system-x86_64 -accel tcg -machine q35 -nodefaults -display none \
		-S -monitor none -serial none </dev/null >/dev/null 2>&1
	[ $? -eq 124 ] && return 0
	E2E_WHY="qemu-system-x86_64 cannot start a q35 machine"
	return 1
}

# e2e_skip SUITE REASON: QEMU cannot run here. A skip, reported as one with
# the summary line of the suites ("0 passed, 0 failed, 1 skipped"); where a
# skip must fail (CI=true or VP_NO_SKIP=1, see tests/lib.sh) it is also a
# failure and the suite exits 1, so CI never passes without booting.
e2e_skip() {
	skip "$1" "$2"
	if no_skip; then
		not_ok "$1: skipped, and CI=true or VP_NO_SKIP=1 allows no skip"
		echo "0 passed, 1 failed, 1 skipped"
		exit 1
	fi
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
}

# e2e_kernel: sets KROOT, KVER, VMLINUZ for the kernel the suite boots,
# E2E_KERNEL: 6.1 (Debian 12's, the default) or 6.12 (Debian 13's), see
# fetch-kernel.sh (downloads once into the cache). KROOTS[KVER]=KROOT
# holds every kernel fetched (e2e_kernel_also adds more).
declare -A KROOTS=()
e2e_kernel() {
	local out
	out=$("$E2E_DIR/fetch-kernel.sh" "$E2E_CACHE" "${E2E_KERNEL:-6.1}") || return 1
	read -r KROOT KVER <<<"$out"
	KROOTS[$KVER]=$KROOT
	VMLINUZ=$KROOT/boot/vmlinuz-$KVER
	[ -r "$VMLINUZ" ]
}

# e2e_kernel_also SERIES: fetches that kernel too (into KROOTS), for roots
# that have several kernels installed; KVER stays the booted one.
e2e_kernel_also() {
	local out r v
	out=$("$E2E_DIR/fetch-kernel.sh" "$E2E_CACHE" "$1") || return 1
	read -r r v <<<"$out"
	KROOTS[$v]=$r
}

# e2e_guest_root DIR [SPEC LINES...]: the QEMU guest as vfio-provision sees
# it (tests/e2e/roots/guest.spec, then the lines given) built by
# tests/mkroot.sh at DIR, with every kernel of KROOTS installed (the booted
# $KVER running) and each one's real build config in /boot.
e2e_guest_root() {
	local dir=$1 spec k
	shift
	spec=$(mktemp "$E2E_WORK/spec.XXXXXX")
	{ sed "s/6\.1\.0-0-amd64/$KVER/g" "$E2E_DIR/roots/guest.spec"
	  for k in "${!KROOTS[@]}"; do
		[ "$k" = "$KVER" ] && continue
		grep -E '^(kernel|module) ' "$E2E_DIR/roots/guest.spec" |
			sed -e "s/6\.1\.0-0-amd64/$k/g" -e '/^kernel /s/ running//'
	  done
	  printf '%s\n' "$@"; } >"$spec"
	"$TOP/tests/mkroot.sh" "$spec" "$dir" >/dev/null || return 1
	mkdir -p "$dir/boot"
	for k in "${!KROOTS[@]}"; do cp "${KROOTS[$k]}/boot/config-$k" "$dir/boot/"; done
}

# e2e_busybox_initrd OUT [CONF_FILE]: busybox-static, the early program (and
# its early.conf), our guest init and reporter, and the vfio modules of $KVER.
e2e_busybox_initrd() {
	local out=$1 conf=${2:-} t m
	t=$(mktemp -d "$E2E_WORK/bb.XXXXXX")
	mkdir -p "$t"/bin "$t"/proc "$t"/sys "$t"/dev "$t"/usr/lib/vfio-provision \
		"$t"/usr/lib/vp-e2e "$t"/etc/vfio-provision "$t/lib/modules/$KVER"
	cp /bin/busybox "$t/bin/busybox"
	for m in $("$t/bin/busybox" --list); do
		[ "$m" = busybox ] || ln -s busybox "$t/bin/$m"
	done
	ln -s bin "$t/sbin"
	install -m755 "$E2E_DIR/guest/init" "$t/init"
	install -m755 "$E2E_DIR/guest/report.sh" "$t/usr/lib/vp-e2e/report.sh"
	install -m755 "$EARLY" "$t/usr/lib/vfio-provision/vfio-provision-early"
	[ -n "$conf" ] && cp "$conf" "$t/etc/vfio-provision/early.conf"
	# E2E_BB_EXTRA="SRC:DEST ...": more files (bench helpers).
	for m in ${E2E_BB_EXTRA:-}; do
		mkdir -p "$t/$(dirname "${m#*:}")"
		cp "${m%%:*}" "$t/${m#*:}"
	done
	e2e_initrd_modules "$t" vfio-pci vfio_iommu_type1 >/dev/null
	e2e_initrd_pack "$t" "$out"
}

# e2e_initrd_modules DIR NAME...: copies each module of $KVER into the image
# tree DIR with its dependencies (kmod's modprobe --show-depends, as
# mkinitcpio, dracut and initramfs-tools resolve them). A NAME ending in "?"
# is optional (mkinitcpio's syntax): one that $KVER lacks is left out;
# otherwise that is an error. Prints the NAMEs that are loadable modules of
# $KVER (not built in), one a line, "-" as "_".
e2e_initrd_modules() {
	local t=$1 m name deps ko rel
	shift
	mkdir -p "$t/lib/modules/$KVER"
	for m in "$@"; do
		name=${m%\?} name=${name//-/_}
		if ! deps=$(modprobe -d "$KROOT" -S "$KVER" --show-depends "$name" 2>/dev/null); then
			[ "$m" != "$name" ] && continue
			echo "e2e: module $name not found in $KVER" >&2
			return 1
		fi
		for ko in $(awk '$1 == "insmod" {print $2}' <<<"$deps"); do
			rel=${ko#"$KROOT"/}
			mkdir -p "$t/$(dirname "$rel")"
			cp "$ko" "$t/$rel"
		done
		# the last line is the module itself: "insmod PATH" or "builtin NAME"
		if [ "$(tail -n1 <<<"$deps" | cut -d' ' -f1)" = insmod ]; then echo "$name"; fi
	done
}

# e2e_initrd_pack DIR OUT [bin-only]: depmod for the modules in DIR (what
# the generators run), then DIR as a gzip'd newc cpio at OUT; DIR is
# removed. bin-only keeps the binary indexes, devname and softdep and
# deletes the text ones, as mkinitcpio does (busybox's modprobe, which
# reads modules.dep, cannot load a module there; kmod's can).
e2e_initrd_pack() {
	local t=$1 out=$2 f
	mkdir -p "$t/lib/modules/$KVER"
	cp "$KROOT/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$t/lib/modules/$KVER/"
	depmod -b "$t" "$KVER"
	if [ "${3:-}" = bin-only ]; then
		for f in "$t/lib/modules/$KVER"/modules.*; do
			case ${f##*/} in *.bin | modules.devname | modules.softdep) ;; *) rm "$f" ;; esac
		done
	fi
	(cd "$t" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$t"
}

# e2e_busybox_dyn: sets BUSYBOX_DYN to Debian's dynamically linked busybox
# (the busybox package, unpacked once into $E2E_CACHE with apt-get download
# and dpkg -x; busybox-static stays this host's /bin/busybox). Its ash runs
# commands from PATH, as the busybox of Arch's mkinitcpio images does;
# busybox-static's ash runs its own applet for any name it has, so an
# image's `modprobe` would be busybox's whatever /usr/bin/modprobe is, and
# busybox's modprobe reads only the text modules.dep, which mkinitcpio
# deletes. E2E_WHY says why when it cannot.
e2e_busybox_dyn() {
	local d=$E2E_CACHE/busybox-dyn
	BUSYBOX_DYN=$d/bin/busybox
	[ -e "$d/.done" ] && return 0
	E2E_WHY=$(e2e_locked busybox e2e_busybox_unpack "$d") || return 1
}
e2e_busybox_unpack() {
	local d=$1
	[ -e "$d/.done" ] && return 0
	rm -rf "$d" "$d.dl"
	mkdir -p "$d.dl"
	if ! (cd "$d.dl" && apt-get download -q busybox) >&2 || ! dpkg -x "$d.dl"/busybox_*.deb "$d"; then
		echo "apt-get download busybox failed"
		return 1
	fi
	rm -rf "$d.dl"
	touch "$d/.done"
}

# e2e_locked NAME CMD...: CMD in a subshell holding $E2E_CACHE/.NAME.lock:
# the suites run side by side (make -j) and share the cache, so whatever
# fills it or builds in it goes one at a time.
e2e_locked() {
	local name=$1
	shift
	mkdir -p "$E2E_CACHE" || return 1
	( flock 9 && "$@" ) 9>"$E2E_CACHE/.$name.lock"
}

# e2e_mkcpio_initrd OUT ROOT: an image laid out the way mkinitcpio lays one
# out, built by hand (Debian has no mkinitcpio; e2e_mkinitcpio_initrd is the
# real one from a source checkout): the MODULES and HOOKS of ROOT's
# mkinitcpio.conf and drop-ins, sourced by bash as mkinitcpio sources them.
# Per hook, in HOOKS order: base puts a busybox whose shell runs commands
# from PATH (e2e_busybox_dyn) and its applets in /usr/bin, kmod with its
# modprobe and libraries over the module applets (as mkinitcpio's base hook
# does), and the /init of tests/e2e/guest/mkinitcpio-init; modconf copies ROOT's
# modprobe.d; vfio-provision runs our install hook's build() with
# add_binary, add_file and add_runscript as mkinitcpio defines them; every
# other hook (udev, autodetect, kms, ...) is left out and named on stderr.
# The e2e reporter comes last (mkinitcpio -A). MODULES with their
# dependencies ("name?" optional: dropped where $KVER lacks it), only the
# binary module indexes, and /config as mkinitcpio writes it: MODULES
# (those that are modules of $KVER), EARLYHOOKS and HOOKS (by the run_*
# functions of each runtime script).
e2e_mkcpio_initrd() {
	local out=$1 root=$2 t lists h a mods
	e2e_busybox_dyn || { echo "mkcpio: $E2E_WHY" >&2; return 1; }
	t=$(mktemp -d "$E2E_WORK/mkcpio.XXXXXX")
	lists=$(bash -c '
		. "$1/etc/mkinitcpio.conf" || exit 1
		for f in "$1"/etc/mkinitcpio.conf.d/*.conf; do [ -e "$f" ] && { . "$f" || exit 1; }; done
		[[ ${MODULES@a} == *a* ]] || read -ra MODULES <<<"${MODULES-}"
		[[ ${HOOKS@a} == *a* ]] || read -ra HOOKS <<<"${HOOKS-}"
		printf "%s\n" "${MODULES[*]}" "${HOOKS[*]}"' _ "$root") || return 1
	mkdir -p "$t"/usr/bin "$t"/usr/lib "$t"/dev "$t"/proc "$t"/sys "$t"/run "$t"/hooks \
		"$t"/etc/modprobe.d "$t"/new_root "$t"/tmp
	ln -s usr/bin "$t/bin"; ln -s usr/bin "$t/sbin"; ln -s bin "$t/usr/sbin"
	ln -s usr/lib "$t/lib"; ln -s usr/lib "$t/lib64"
	: >"$t/.hooks"
	# shellcheck disable=SC2086 # a word list
	for h in $(sed -n 2p <<<"$lists") vp-e2e; do
		case $h in
		base)
			e2e_initrd_elf "$t" "$BUSYBOX_DYN" /usr/bin/busybox || return 1
			for a in $("$BUSYBOX_DYN" --list); do
				[ "$a" = busybox ] || ln -sf busybox "$t/usr/bin/$a"
			done
			e2e_initrd_elf "$t" "$(command -v kmod)" /usr/bin/kmod || return 1
			for a in depmod insmod rmmod lsmod modprobe modinfo; do
				ln -sf kmod "$t/usr/bin/$a"
			done
			install -m755 "$E2E_DIR/guest/mkinitcpio-init" "$t/init" ;;
		modconf)
			for a in "$root"/etc/modprobe.d/*.conf; do
				[ -e "$a" ] && cp "$a" "$t/etc/modprobe.d/"
			done ;;
		vfio-provision)
			(add_binary() { e2e_initrd_elf "$t" "$1" "${2:-$1}"; }
			 add_file() { mkdir -p "$t/$(dirname "$2")"; install -m"${3:-644}" "$1" "$t/$2"; }
			 warning() { echo "mkcpio: WARNING: $*" >&2; }
			 add_runscript() { e2e_mkcpio_runscript "$t" "$TOP/mkinitcpio/hooks/$h"; }
			 export VFIO_PROVISION_EARLY=$EARLY VFIO_PROVISION_ROOT=$root
			 # shellcheck disable=SC1091
			 . "$TOP/mkinitcpio/install/vfio-provision" && build) || return 1 ;;
		vp-e2e)
			install -Dm755 "$E2E_DIR/guest/report.sh" "$t/usr/lib/vp-e2e/report.sh"
			printf '%s\n' 'run_hook() {' "    VP_E2E_WAIT_VFIO='' /bin/sh /usr/lib/vp-e2e/report.sh" '}' \
				>"$t/vp-e2e.hook"
			e2e_mkcpio_runscript "$t" "$t/vp-e2e.hook" vp-e2e
			rm "$t/vp-e2e.hook" ;;
		*) echo "mkcpio: hook $h left out of the hand-built image" >&2 ;;
		esac
	done
	# shellcheck disable=SC2046 # a word list
	mods=$(e2e_initrd_modules "$t" $(sed -n 1p <<<"$lists")) || return 1
	{ [ -n "$mods" ] && echo "MODULES=\"$(paste -sd' ' <<<"$mods")\""
	  echo "EARLYHOOKS=\"$(awk '$1 == "early" {printf "%s%s", s, $2; s = " "}' "$t/.hooks")\""
	  echo "HOOKS=\"$(awk '$1 == "hook" {printf "%s%s", s, $2; s = " "}' "$t/.hooks")\""
	} >"$t/config"
	rm "$t/.hooks"
	e2e_initrd_pack "$t" "$out" bin-only
}

# e2e_mkcpio_runscript DIR SCRIPT [NAME]: mkinitcpio's add_runscript: the
# script as /hooks/NAME, listed as an early hook, a hook or both by the
# run_earlyhook and run_hook functions it defines.
e2e_mkcpio_runscript() {
	local t=$1 s=$2 n=${3:-${2##*/}}
	install -m755 "$s" "$t/hooks/$n"
	grep -q '^run_earlyhook()' "$s" && echo "early $n" >>"$t/.hooks"
	grep -q '^run_hook()' "$s" && echo "hook $n" >>"$t/.hooks"
	return 0
}

# e2e_libs BIN...: every shared object the BINs need, one path a line: what
# ldd lists, and the libraries the tool loads on first use with dlopen
# (libmount, libblkid, libxml2: the sonames in the binary) with theirs;
# libvirt (guest-xml --domain only, which no guest runs) left out.
e2e_libs() {
	local so paths=()
	for so in $(strings -a "$@" | grep -xE 'lib[a-z0-9_+-]+\.so\.[0-9]+' | grep -v '^libvirt' | sort -u); do
		so=$(ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ {print $NF; exit}')
		[ -n "$so" ] && paths+=("$so")
	done
	{ ldd "$@" "${paths[@]}" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}'
	  printf '%s\n' "${paths[@]}"; } | sort -u
}

# e2e_initrd_elf DIR BIN DEST: BIN at DEST in the image tree DIR with the
# shared libraries it needs (ldd), at the paths the loader looks them up.
e2e_initrd_elf() {
	local t=$1 bin=$2 dest=$3 lib
	mkdir -p "$t/$(dirname "$dest")"
	install -m755 "$bin" "$t/$dest" || return 1
	for lib in $(ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+'); do
		[ -e "$t$lib" ] && continue
		mkdir -p "$t$(dirname "$lib")"
		cp -L "$lib" "$t$lib"
	done
}

# e2e_dracut_basedir: a private copy of /usr/lib/dracut with our module and
# the test reporter, so nothing under /usr or /etc changes. Once per run.
e2e_dracut_basedir() {
	[ -n "${E2E_DRACUTDIR:-}" ] && return 0
	E2E_DRACUTDIR=$E2E_WORK/dracut
	# A real copy: cp -as symlinks would leak into the image as absolute links.
	cp -a /usr/lib/dracut "$E2E_DRACUTDIR"
	cp -r "$TOP/dracut/90vfio-provision" "$E2E_DRACUTDIR/modules.d/"
	cp -r "$E2E_DIR/dracut/99vp-e2e" "$E2E_DRACUTDIR/modules.d/"
	cp "$E2E_DIR/guest/report.sh" "$E2E_DRACUTDIR/modules.d/99vp-e2e/"
}

# e2e_dracut_initrd OUT ROOT [dracut args...]: the real dracut, configured
# only by ROOT/etc/dracut.conf.d (what apply wrote), our module's files from
# ROOT, the extracted kernel's modules. A trimmed systemd initrd.
e2e_dracut_initrd() {
	local out=$1 root=$2
	shift 2
	e2e_dracut_basedir
	dracutbasedir=$E2E_DRACUTDIR VFIO_PROVISION_EARLY=$EARLY VFIO_PROVISION_ROOT=$root \
	dracut --force --quiet --conf /dev/null --confdir "$root/etc/dracut.conf.d" \
		--kver "$KVER" --kmoddir "$KROOT/lib/modules/$KVER" \
		--no-hostonly --no-early-microcode --compress gzip --tmpdir "$E2E_WORK" \
		-m "systemd systemd-initrd dracut-systemd udev-rules base fs-lib shutdown" \
		-a vp-e2e "$@" "$out"
}

# e2e_accel: sets E2E_ACCEL_ARGS and the default CPU. KVM only where the host
# has hardware KVM (a paravirtual /dev/kvm cannot run a stock kernel).
e2e_accel() {
	local a=$E2E_ACCEL
	if [ "$a" = auto ]; then
		if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
			a=kvm
		else
			a=tcg
		fi
	fi
	case $a in
	kvm) E2E_ACCEL_ARGS="-accel kvm" E2E_CPU=host ;;
	*) E2E_ACCEL_ARGS="-accel tcg,thread=multi" E2E_CPU=max ;;
	esac
}

# e2e_boot LOG INITRD MEM "APPEND" [qemu args...]: boots $VMLINUZ, the serial
# console (escape codes stripped) into LOG. CPU=... overrides -cpu.
# no_timer_check: under a loaded TCG host the IO-APIC timer check can fail
# and panic with interrupt remapping on; it is not what these tests test.
# Returns 0 when the guest got to E2E_DONE.
e2e_boot() {
	local log=$1 initrd=$2 mem=$3 append=$4
	shift 4
	[ -n "${E2E_ACCEL_ARGS:-}" ] || e2e_accel
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$E2E_TIMEOUT" \
		qemu-system-x86_64 $E2E_ACCEL_ARGS -cpu "${CPU:-$E2E_CPU}" -machine q35 \
		-m "$mem" -smp 2 -nographic -no-reboot -nodefaults -serial stdio -display none \
		-kernel "$VMLINUZ" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 nokaslr init_on_alloc=0 no_timer_check $append" "$@" \
		</dev/null 2>&1 |
		sed -u -E 's/\x1b(\[[0-9;?]*[a-zA-Z]|c)//g; s/\r$//; s/^(Booting from ROM\.+)(.)/\1\n\2/' >"$log"
	grep -q '^E2E_DONE' "$log"
}

# e2e_reported NAME LOG LINES: the guest of a one-boot suite got to E2E_DONE
# (else its log's last LINES fail the suite, which ends); kv, out and rc then
# read that log's "KEY k=v", "OUT_STEP text" and "RC step=S rc=N" lines.
e2e_reported() {
	E2E_LOG=$2
	if ! grep -q '^E2E_DONE' "$2"; then
		t_bad "$1: guest booted and reported" "$(grep -v '^\s*$' "$2" | tail -n "$3")"; finish
	fi
	t_ok "$1: guest booted and reported"
}
kv() { e2e_kv "$E2E_LOG" "$@"; }
out() { sed -n "s/^OUT_$1 //p" "$E2E_LOG"; }
rc() { kv RC rc "step=$1 "; }

# e2e_line LOG KEY [MATCH]: the first line "KEY ..." (containing MATCH).
e2e_line() { grep -E "^$2( |$)" "$1" | grep -F -- "${3:-}" | head -n1; }
# e2e_kv LOG KEY FIELD [MATCH]: the value of FIELD=... on that line.
e2e_kv() { e2e_line "$1" "$2" "${4:-}" | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n1; }

# e2e_itools_root: a throw-away Debian root with the real initramfs-tools
# (debootstrap minbase, about 3 min once), cached as $E2E_CACHE/itools-root;
# sets ITOOLS_ROOT. mkinitramfs runs in it under chroot, so this machine's
# /boot, /etc and /usr stay untouched. E2E_WHY says why when it fails.
e2e_itools_root() {
	ITOOLS_ROOT=$E2E_CACHE/itools-root
	[ -e "$ITOOLS_ROOT/.done" ] && return 0
	command -v debootstrap >/dev/null || { E2E_WHY="debootstrap not installed"; return 1; }
	E2E_WHY=$(e2e_locked itools e2e_itools_debootstrap) || return 1
}
e2e_itools_debootstrap() {
	local mirror
	[ -e "$ITOOLS_ROOT/.done" ] && return 0
	mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	rm -rf "$ITOOLS_ROOT"
	if ! debootstrap --variant=minbase --include=initramfs-tools,busybox,kmod,zstd bookworm \
		"$ITOOLS_ROOT" "${mirror:-http://deb.debian.org/debian}" >"$E2E_CACHE/itools.log" 2>&1; then
		echo "debootstrap failed (see $E2E_CACHE/itools.log)"
		return 1
	fi
	touch "$ITOOLS_ROOT/.done"
}

# e2e_itools_initrd OUT ROOT: the real mkinitramfs of the cached root, with
# our hook and init-top script installed as `make install` puts them, the
# extracted kernel's modules, the files apply wrote under ROOT (modprobe.d,
# early.conf, initramfs-tools/modules), and the e2e reporter as an
# init-premount script (it powers the guest off before a root is needed).
# The cached root is shared by the suites: one image at a time in it.
e2e_itools_initrd() {
	e2e_itools_root || return 1
	e2e_locked itools e2e_itools_build "$@"
}
e2e_itools_build() {
	local out=$1 root=$2 r f
	r=$ITOOLS_ROOT
	mkdir -p "$r/usr/lib/vfio-provision" "$r/etc/vfio-provision" "$r/usr/lib/vp-e2e" \
		"$r/etc/initramfs-tools/scripts/init-premount" "$r/etc/initramfs-tools/hooks" \
		"$r/lib/modules" "$r/boot"
	install -m755 "$EARLY" "$r/usr/lib/vfio-provision/vfio-provision-early"
	sed 's|@LIBEXECDIR@|/usr/lib/vfio-provision|g' "$TOP/initramfs-tools/hooks/vfio-provision" \
		>"$r/usr/share/initramfs-tools/hooks/vfio-provision"
	chmod 755 "$r/usr/share/initramfs-tools/hooks/vfio-provision"
	rm -f "$r/usr/share/initramfs-tools/scripts/init-top/vfio-provision"
	install -m755 "$TOP/initramfs-tools/scripts/init-top/00-vfio-provision" \
		"$r/usr/share/initramfs-tools/scripts/init-top/00-vfio-provision"
	[ -d "$r/lib/modules/$KVER" ] || cp -a "$KROOT/lib/modules/$KVER" "$r/lib/modules/"
	cp "$KROOT/boot/config-$KVER" "$r/boot/"
	for f in /etc/modprobe.d/vfio.conf /etc/vfio-provision/early.conf /etc/initramfs-tools/modules; do
		if [ -f "$root$f" ]; then cp "$root$f" "$r$f"; else rm -f "$r$f"; fi
	done
	install -m755 "$E2E_DIR/guest/report.sh" "$r/usr/lib/vp-e2e/report.sh"
	cat >"$r/etc/initramfs-tools/hooks/vp-e2e" <<-'HOOK'
	#!/bin/sh
	[ "$1" = prereqs ] && exit 0
	mkdir -p "$DESTDIR/usr/lib/vp-e2e" && cp -p /usr/lib/vp-e2e/report.sh "$DESTDIR/usr/lib/vp-e2e/"
	HOOK
	cat >"$r/etc/initramfs-tools/scripts/init-premount/vp-e2e" <<-'SCRIPT'
	#!/bin/sh
	[ "$1" = prereqs ] && exit 0
	VP_E2E_WAIT_VFIO='' /bin/sh /usr/lib/vp-e2e/report.sh
	SCRIPT
	chmod 755 "$r/etc/initramfs-tools/hooks/vp-e2e" "$r/etc/initramfs-tools/scripts/init-premount/vp-e2e"
	# gzip: the host reads the image back with zcat and cpio
	sed -i 's/^COMPRESS=.*/COMPRESS=gzip/' "$r/etc/initramfs-tools/initramfs.conf"
	chroot "$r" mkinitramfs -o /tmp/vp-e2e.img "$KVER" || return 1
	mv "$r/tmp/vp-e2e.img" "$out"
}

# e2e_itools_order IMG: the image's scripts/init-top/ORDER, one script a line.
e2e_itools_order() {
	zcat "$1" | cpio -i --quiet --to-stdout scripts/init-top/ORDER 2>/dev/null |
		sed -n 's|^/scripts/init-top/\([^ ]*\) .*|\1|p'
}

# e2e_mkinitcpio_setup: mkinitcpio from the source tree MKINITCPIO_SRC (a
# checkout of github.com/archlinux/mkinitcpio; Debian does not package it),
# configured the way its meson build does into $E2E_WORK/mkinitcpio (the
# @VAR@ substitutions), with our hook and the e2e reporter beside Arch's.
# Two changes to Arch's files, both for building on a Debian host: the base
# hook takes Debian's dynamic busybox (e2e_busybox_dyn: its shell, like
# Arch's, runs kmod's modprobe from PATH; busybox-static's would run its own)
# instead of /usr/lib/initcpio/busybox, and modconf reads modprobe.d from the
# provisioned root (VFIO_PROVISION_ROOT) instead of this host's /etc.
# Sets MKCPIO and MKCPIO_VERSION; E2E_WHY says why when it cannot.
# shellcheck disable=SC2034
e2e_mkinitcpio_setup() {
	local src=${MKINITCPIO_SRC:-} m udevd='' tmpfiles f libkmod=''
	[ -n "${MKCPIO:-}" ] && return 0
	[ -n "$src" ] || { E2E_WHY="set MKINITCPIO_SRC=<a checkout of archlinux/mkinitcpio>"; return 1; }
	for f in mkinitcpio functions init init_functions install/base hooks/udev; do
		[ -f "$src/$f" ] || { E2E_WHY="MKINITCPIO_SRC=$src has no $f"; return 1; }
	done
	command -v bsdtar >/dev/null || { E2E_WHY="bsdtar not installed (libarchive-tools)"; return 1; }
	e2e_busybox_dyn || return 1
	for f in /usr/lib/systemd/systemd-udevd /lib/systemd/systemd-udevd; do
		[ -x "$f" ] && { udevd=$f; break; }
	done
	[ -n "$udevd" ] || { E2E_WHY="no systemd-udevd"; return 1; }
	tmpfiles=$(command -v systemd-tmpfiles || true)
	MKCPIO_VERSION=$(git -C "$src" describe --abbrev=7 2>/dev/null | sed 's/-/./g; s/^v//')
	[ -n "$MKCPIO_VERSION" ] || MKCPIO_VERSION=$(sed -n 's/^CHANGES WITH v\([0-9.]*\).*/\1/p' "$src/CHANGELOG" 2>/dev/null | head -n1)
	m=$E2E_WORK/mkinitcpio
	mkdir -p "$m/lib" "$m/etc/initcpio/hooks" "$m/etc/initcpio/install" "$m/post" "$m/presets"
	cp -r "$src/hooks" "$src/install" "$m/lib/"
	cp "$src/mkinitcpio" "$src/functions" "$src/init" "$src/init_functions" "$m/lib/"
	for f in "$m"/lib/mkinitcpio "$m"/lib/functions "$m"/lib/init "$m"/lib/init_functions "$m"/lib/hooks/* "$m"/lib/install/*; do
		sed -i -e "s|@VERSION@|${MKCPIO_VERSION:-unknown}|g; s|@BINDIR@|/usr/bin|g" \
			-e "s|@SYSCONFDIR@|$m/etc|g; s|@INITCPIO_LIBDIR@|$m/lib|g" \
			-e "s|@INITCPIO_SYSCONFDIR@|$m/etc/initcpio|g; s|@VCONSOLE_CONF@|/etc/vconsole.conf|g" \
			-e "s|@UDEVD_PATH@|$udevd|g; s|@TMPFILES_PATH@|$tmpfiles|g" "$f"
	done
	# Debian keeps blkid, switch_root, modinfo in /usr/sbin (Arch has one bin)
	sed -i 's|^export PATH="/usr/bin:/bin"|export PATH="/usr/bin:/usr/sbin:/bin"|' "$m/lib/mkinitcpio"
	# Arch's busybox has no module applets: kmod's modprobe must win
	# shellcheck disable=SC2016 # $applet is for the hook, not here
	sed -i -e "s|/usr/lib/initcpio/busybox|$BUSYBOX_DYN|g" \
		-e '/for applet in .*busybox --list/a\        case $applet in depmod|insmod|rmmod|lsmod|modprobe|modinfo) continue ;; esac' \
		"$m/lib/install/base"
	# Debian's multiarch libkmod (udevd links it anyway); no /etc/udev/hwdb.bin
	for f in /usr/lib/*/libkmod.so.2; do [ -e "$f" ] && libkmod=$f; done
	sed -i -e "s|'/usr/lib/libkmod.so.2'|'${libkmod:-/usr/lib/libkmod.so.2}'|" \
		-e '/^ *\/etc\/udev\/hwdb.bin$/d; s|/usr/lib/udev/hwdb.bin \\$|/usr/lib/udev/hwdb.bin|' "$m/lib/install/udev"
	# shellcheck disable=SC2016 # expanded by mkinitcpio
	sed -i 's|add_full_dir /etc/modprobe.d|add_full_dir "${VFIO_PROVISION_ROOT:-}/etc/modprobe.d" "*.conf" "${VFIO_PROVISION_ROOT:-}" #|' \
		"$m/lib/install/modconf"
	install -m644 "$TOP/mkinitcpio/hooks/vfio-provision" "$m/etc/initcpio/hooks/vfio-provision"
	install -m644 "$TOP/mkinitcpio/install/vfio-provision" "$m/etc/initcpio/install/vfio-provision"
	cat >"$m/etc/initcpio/install/vp-e2e" <<-'HOOK'
	#!/bin/bash
	build() {
	    add_file "$VP_E2E_REPORT" /usr/lib/vp-e2e/report.sh 755
	    add_runscript
	}
	HOOK
	cat >"$m/etc/initcpio/hooks/vp-e2e" <<-'HOOK'
	#!/usr/bin/ash
	# after udev's run_hook (trigger, settle) and the MODULES: report, power off
	run_hook() {
	    VP_E2E_WAIT_VFIO='' /bin/sh /usr/lib/vp-e2e/report.sh
	}
	HOOK
	MKCPIO=$m
}

# e2e_mkinitcpio_initrd OUT ROOT: the real mkinitcpio (from MKINITCPIO_SRC)
# with ROOT's /etc/mkinitcpio.conf and the drop-in apply wrote in
# ROOT/etc/mkinitcpio.conf.d, the extracted kernel's modules, HOOKS as the
# config says less autodetect (Arch's fallback image: autodetect would read
# this host's hardware) and less keymap and consolefont (they need kbd's
# loadkeys and setfont; console set-up, run after the early hooks), plus the
# e2e reporter as the last hook.
e2e_mkinitcpio_initrd() {
	local out=$1 root=$2
	e2e_mkinitcpio_setup || return 1
	# MKINITCPIO_CONF, not -c: -c skips the drop-ins in mkinitcpio.conf.d
	TMPDIR=$E2E_WORK MKINITCPIO_LIBRARY=$MKCPIO/lib \
	MKINITCPIO_HOOKS=$MKCPIO/etc/initcpio/hooks:$MKCPIO/lib/hooks \
	MKINITCPIO_INSTALL=$MKCPIO/etc/initcpio/install:$MKCPIO/lib/install \
	MKINITCPIO_POST_HOOKS=$MKCPIO/post MKINITCPIO_PRESETS=$MKCPIO/presets \
	VFIO_PROVISION_EARLY=$EARLY VFIO_PROVISION_ROOT=$root VP_E2E_REPORT=$E2E_DIR/guest/report.sh \
		MKINITCPIO_CONF=$root/etc/mkinitcpio.conf \
		bash "$MKCPIO/lib/mkinitcpio" -k "$KVER" -r "$KROOT" \
		-S autodetect,keymap,consolefont -A vp-e2e -g "$out"
}
