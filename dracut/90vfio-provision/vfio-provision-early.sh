#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut cmdline hook of the shell init (sourced): runs vfio-provision's early program. It
# always exits 0 and logs its one line to /dev/kmsg itself.
[ -x /usr/lib/vfio-provision/vfio-provision-early ] && /usr/lib/vfio-provision/vfio-provision-early
:
