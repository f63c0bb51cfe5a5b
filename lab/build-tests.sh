#!/usr/bin/env bash
# Build and install the kselftest suites of lab/suites from the assembled (patched) tree with the
# kselftest install target (FORCE_TARGETS=1: a suite that fails to build fails the step), statically,
# against the tree's own uapi headers (lab/headers.sh). The same binaries run on every kernel.
# Installs into $LAB_HOME/tests: <suite>/<program>, each suite's `settings` and TEST_FILES, and
# kselftest-list.txt ("suite:program" lines, in the order of lab/suites).
. "$(dirname "$0")/common.sh"
lab_lock
[ -f "$LAB_TREE/.rvfs-tree" ] || die "tree not assembled: run lab/assemble.sh"
"$LAB_REPO/lab/headers.sh"
targets=$(grep -vE '^\s*(#|$)' "$LAB_REPO/lab/suites" | tr '\n' ' ')
for t in $targets; do
	[ -f "$LAB_TREE/tools/testing/selftests/$t/Makefile" ] || die "no suite at tools/testing/selftests/$t"
done
tests=$LAB_HOME/tests
rm -rf "$tests.new" "$LAB_HOME/tests-build"
make -s -C "$LAB_TREE/tools/testing/selftests" TARGETS="$targets" FORCE_TARGETS=1 \
	CC="gcc -static" KHDR_INCLUDES="-isystem $LAB_TREE/_headers/usr/include" \
	O="$LAB_HOME/tests-build" INSTALL_PATH="$tests.new" install >"$LAB_HOME/tests-build.log" 2>&1 ||
	{ tail -40 "$LAB_HOME/tests-build.log" >&2; die "building the suites failed (see $LAB_HOME/tests-build.log)"; }
rm -rf "$tests"
mv "$tests.new" "$tests"
log "tests built: $(wc -l <"$tests/kselftest-list.txt") programs in $(echo "$targets" | wc -w) suites"
