#!/usr/bin/env bash
# The uapi headers of the assembled tree ($LAB_TREE/_headers/usr/include), which every guest
# program is compiled against: the suites, the demo and the benchmark.
. "$(dirname "$0")/common.sh"
lab_lock
[ -f "$LAB_TREE/.rvfs-tree" ] || die "tree not assembled: run lab/assemble.sh"
make -s -C "$LAB_TREE" O="$LAB_TREE/_headers" ARCH=x86_64 headers >/dev/null
