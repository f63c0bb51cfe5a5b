#!/usr/bin/env bash
# The lab's one build pipeline, used by `make test`, `make run`, `make bench` and the single steps:
#   lab/prepare.sh [KERNEL...]
# set-up (lab/setup.sh), the patched tree (lab/assemble.sh), each KERNEL (lab/build-kernel.sh; the
# kinds are in lab/common.sh), the suites (lab/build-tests.sh, skipped with LAB_TESTS=0) and the
# initramfs (lab/initramfs.sh). Each step is incremental.
. "$(dirname "$0")/common.sh"
lab_lock
"$LAB_REPO/lab/setup.sh" ${LAB_SETUP_ARGS:-}
"$LAB_REPO/lab/assemble.sh"
for k in "$@"; do "$LAB_REPO/lab/build-kernel.sh" "$k"; done
[ "${LAB_TESTS:-1}" = 0 ] || "$LAB_REPO/lab/build-tests.sh"
"$LAB_REPO/lab/initramfs.sh"
