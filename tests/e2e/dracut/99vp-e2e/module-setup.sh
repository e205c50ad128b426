#!/bin/bash
# Test-only dracut module: runs the e2e reporter once udev has settled, in a
# systemd initrd, and powers the guest off (also on emergency). Never installed.
check() { return 255; }
depends() { echo systemd; return 0; }
install() {
    local u
    inst_multiple dmesg sed basename readlink ls tr wc sleep cat sync head cut
    inst_simple "$moddir/report.sh" /usr/lib/vp-e2e/report.sh
    inst_simple "$moddir/vp-e2e-report.service" "$systemdsystemunitdir/vp-e2e-report.service"
    for u in emergency.service dracut-emergency.service rescue.service; do
        inst_simple "$moddir/emergency-poweroff.conf" "$systemdsystemunitdir/$u.d/e2e-poweroff.conf"
    done
    $SYSTEMCTL -q --root "$initdir" add-wants sysinit.target vp-e2e-report.service
}
