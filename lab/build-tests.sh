#!/usr/bin/env bash
# Build the kselftest suites of lab/suites from the assembled (patched) tree, statically,
# against the tree's own uapi headers. The same binaries run on both kernels.
# Writes $LAB_HOME/tests/<suite>/<program> and $LAB_HOME/tests/list ("suite program" lines).
. "$(dirname "$0")/common.sh"
[ -f "$LAB_TREE/.rvfs-tree" ] || die "tree not assembled: run lab/assemble.sh"
hdr=$LAB_TREE/_headers
make -s -C "$LAB_TREE" O="$hdr" ARCH=x86_64 headers >/dev/null
tests=$LAB_HOME/tests
mkdir -p "$tests"
: >"$tests/list.new"
grep -vE '^\s*(#|$)' "$LAB_REPO/lab/suites" | while read -r suite; do
	dir=$LAB_TREE/tools/testing/selftests/$suite
	[ -f "$dir/Makefile" ] || die "no suite at tools/testing/selftests/$suite"
	out=$tests/$suite
	mkdir -p "$out"
	vars=(OUTPUT="$out" CC="gcc -static" KHDR_INCLUDES="-isystem $hdr/usr/include")
	make -s -C "$dir" "${vars[@]}" >&2 || die "building $suite failed"
	for p in $(make -s -C "$dir" "${vars[@]}" -f Makefile -f "$LAB_REPO/lab/print-progs.mk" print-progs); do
		case $p in
		"$out"/*) ;;
		*) cp "$dir/$p" "$out/$p"; p=$out/$p ;; # a script from the source dir
		esac
		[ -x "$p" ] || die "$suite: test program $p was not built"
		echo "$suite ${p#"$out"/}" >>"$tests/list.new"
	done
done
mv "$tests/list.new" "$tests/list"
log "tests built: $(wc -l <"$tests/list") programs"
