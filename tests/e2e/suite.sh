# shellcheck shell=bash
# The start of every e2e suite (sourced first): the tree, the build and the
# binary under test, the check helpers (tests/lib.sh) and the QEMU harness
# (tests/e2e/lib.sh).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=$TOP/build/default}" "${VP:=$BUILD/vfio-provision}"
export TOP BUILD VP
. "$TOP/tests/lib.sh"
. "$TOP/tests/e2e/lib.sh"
