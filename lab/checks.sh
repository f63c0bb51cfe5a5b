#!/usr/bin/env bash
# Host-side checks of the patched build, as a KTAP suite: lab/checks.sh > FILE
# They count as cases of `make test` (suite host/checks).
. "$(dirname "$0")/common.sh"
out=$(kernel_out patched)
n=0
results=()
check() { # name command...   (CHECKS="name ..." runs only those)
	local name=$1
	shift
	[ -z "${CHECKS:-}" ] || [[ " $CHECKS " == *" $name "* ]] || return 0
	n=$((n + 1))
	local rc=0
	msg=$("$@" 2>&1) || rc=$?
	if [ $rc -eq 0 ]; then
		results+=("ok $n $name")
	elif [ $rc -eq 4 ]; then
		results+=("ok $n $name # SKIP $msg")
	else
		results+=("$(printf '%s\n' "$msg" | sed 's/^/# /')" "not ok $n $name")
	fi
}

# The C nullfs is gone: no object, none of its symbols; nullfs_fs_type comes from the Rust crate.
c_nullfs_absent() {
	[ ! -e "$out/fs/nullfs.o" ] || { echo "fs/nullfs.o was built"; return 1; }
	local syms
	syms=$(nm "$out/vmlinux" | grep -E ' (nullfs_dir_llseek|nullfs_dir_readdir|nullfs_nolock|nullfs_fs_fill_super|nullfs_fs_get_tree|nullfs_init_fs_context|nullfs_super_operations|nullfs_dir_operations|nullfs_fs_context_ops)$' || true)
	[ -z "$syms" ] || { echo "C nullfs symbols in vmlinux: $syms"; return 1; }
	nm "$out/fs/nullfs/nullfs.o" | grep -q ' [DdB] nullfs_fs_type$' ||
		{ echo "nullfs_fs_type is not defined by fs/nullfs/nullfs.o"; return 1; }
}

# The Rust leaves: feature code that reaches C only through the abstractions (the kernel crate's,
# and fs/mntns/mnt_namespace.rs, the VFS-private ones). The only place a leaf may name bindings::
# is the signature of an #[export] function, which C calls: those types are checked against the C
# declaration by #[export]. No call of a binding, anywhere.
LEAVES="fs/nullfs/nullfs.rs fs/mntns/mntns.rs fs/mntns/empty.rs fs/mntns/create.rs fs/mntns/beneath.rs"
LEAF_OBJS="fs/nullfs/nullfs.o fs/mntns/mntns.o"

leaf_without_bindings() {
	(cd "$LAB_TREE" && python3 - $LEAVES) <<'PY'
import re, sys
bad = []
for f in sys.argv[1:]:
    sig = False
    for n, line in enumerate(open(f), 1):
        code = line.split('//', 1)[0]
        if code.strip().startswith('#[export]'):
            sig = True
        if 'bindings::' in code and not sig:
            bad.append(f'{f}:{n}: {line.rstrip()}')
        if sig and '{' in code:
            sig = False
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}

# The VFS-private primitives (the mntns_* wrappers of fs/namespace.c, declared in fs/mount.h) are
# called from fs/mntns/ only: no other Rust object of the build references one, and neither they
# nor the rust_* entry points of fs/mntns/ are exported.
mntns_primitives_private() {
	local prims syms o src refs bad=0
	prims=$(grep -o '\bmntns_[a-z_]*(' "$LAB_TREE/fs/mount.h" | tr -d '(' | sort -u)
	[ -n "$prims" ] || { echo "no mntns_* primitive declared in fs/mount.h"; return 1; }
	syms=$(nm "$out/vmlinux")
	grep -q ' T mntns_clone_mnt$' <<<"$syms" || { echo "mntns_clone_mnt is not in vmlinux: is CONFIG_MNT_NAMESPACE_RUST on?"; return 1; }
	# Every object built from Rust: a .o whose source is a .rs file.
	while read -r o; do
		src=${o#"$out"/}
		[ -f "$LAB_TREE/${src%.o}.rs" ] || continue
		[ "$src" = fs/mntns/mntns.o ] && continue
		refs=$(nm -u "$o" 2>/dev/null | awk '{print $2}' | grep -xF "$prims" || true)
		[ -z "$refs" ] || { echo "$src calls VFS-private primitives: $refs"; bad=1; }
	done < <(find "$out/rust" "$out/fs" "$out/drivers" "$out/samples" -name '*.o' 2>/dev/null)
	nm -u "$out/fs/mntns/mntns.o" | grep -q ' U mntns_clone_mnt$' ||
		{ echo "fs/mntns/mntns.o does not call mntns_clone_mnt: the check sees nothing"; bad=1; }
	exported=$(awk '$3 ~ /^__ksymtab_/ {sub(/^__ksymtab_/, "", $3); print $3}' <<<"$syms" |
		grep -E "^($(echo "$prims" | paste -sd'|')|rust_[a-z_]*mnt[a-z_]*|rust_do_move_mount|rust_create_new_namespace)$" || true)
	[ -z "$exported" ] || { echo "exported to modules: $exported"; bad=1; }
	return $bad
}

# No Rust crate but fs/mntns can name the VFS-private abstractions: a throwaway crate, compiled
# with the command line of fs/mntns/mntns.o (type-checked only), fails to resolve each way of
# reaching them, while a control that uses the kernel crate's file system types compiles.
mntns_not_nameable() {
	local cmd dir rc bad=0 name
	cmd=$(sed -n 's/^savedcmd_fs\/mntns\/mntns.o := //p' "$out/fs/mntns/.mntns.o.cmd")
	[ -n "$cmd" ] || { echo "no command line for fs/mntns/mntns.o"; return 1; }
	# The rustc part only (with inline helpers the command goes on with llvm-link and clang).
	cmd=${cmd%%;*}
	dir=$(mktemp -d)
	probe() { # name expected-status source
		printf '%s\n' "$3" >"$dir/$1.rs"
		local c=${cmd//..\/fs\/mntns\/mntns.rs/$dir/$1.rs}
		c=${c//--crate-name mntns/--crate-name $1}
		c=$(sed -E "s@--emit=[^ ]+@@g; s@--out-dir [^ ]+@--out-dir $dir --emit=metadata=$dir/$1.rmeta@" <<<"$c")
		(cd "$out" && export RUSTC_BOOTSTRAP=1 && eval "$c") >"$dir/$1.log" 2>&1
		rc=$?
		if [ "$2" = ok ] && [ $rc -ne 0 ]; then
			echo "control probe $1 does not build:"; head -20 "$dir/$1.log"; bad=1
		elif [ "$2" = unresolved ] && ! grep -qE 'error\[E04(32|33)\]' "$dir/$1.log"; then
			echo "probe $1 was not refused as unresolved (status $rc):"; head -20 "$dir/$1.log"; bad=1
		fi
	}
	local head='// SPDX-License-Identifier: GPL-2.0
#![allow(unused)]
use kernel::prelude::*;'
	probe control ok "$head
fn f(p: &kernel::fs::Path) -> bool { p.dentry().is_dir() }"
	probe kernel_module unresolved "$head
fn f() { let _ = kernel::fs::mnt_namespace::NamespaceExcl::lock(); }"
	probe mntns_crate unresolved "$head
fn f(m: &mntns::mnt_namespace::Mount) {}"
	rm -rf "$dir"
	return $bad
}

# With RUST=n the kernel is upstream's C: the preprocessed C of fs/ that the series touches
# (fs/namespace.c and every file that includes fs/mount.h) equals that of the base with only the
# preparation patches that change it on purpose ($NORUST_PREP), each of which says why in its
# message. Compared in the norust build, with its own compiler command lines.
NORUST_PREP="0006 0007"
norust_is_upstream() {
	local nr=$(kernel_out norust) scratch f o cmd c bad=0 n=0 p
	# __LINE__ differs wherever the series adds lines, inside #ifdef blocks that RUST=n drops too.
	local same_lines='-Wno-builtin-macro-redefined -D__LINE__=0'
	# Built by make test unless KERNELS leaves norust out.
	[ -f "$nr/vmlinux" ] || { echo "no norust kernel built"; return 4; }
	scratch=$(mktemp -d)
	mkdir -p "$scratch/fs"
	cp -a "$LAB_PRISTINE/fs/." "$scratch/fs/"
	for p in $NORUST_PREP; do
		patch -s -d "$scratch" -p1 -F0 <"$LAB_REPO"/patches/$p-*.patch || { echo "prep patch $p does not apply"; bad=1; }
	done
	for f in $(cd "$LAB_TREE" && { echo fs/namespace.c; grep -rlE '#include "(\.\./)*mount\.h"' --include='*.c' fs; } | sort -u); do
		o=$nr/${f%.c}.o
		[ -f "$o" ] || continue
		cmd=$(sed -n "s@^savedcmd_${f%.c}.o := @@p" "$(dirname "$o")/.$(basename "$o").cmd")
		[ -n "$cmd" ] || { echo "no command line for $f"; bad=1; continue; }
		# The compiler alone (objtool follows after a ';'), without its dependency file and output.
		c=$(sed -E 's@;.*$@@; s@-Wp,-MMD,[^ ]+@@; s@ -c -o [^ ]+ [^ ]+ *$@@; s@^ccache @@' <<<"$cmd")
		(cd "$nr" && eval "$c $same_lines -E -P -o $scratch/patched.i ../$f" && eval "$c $same_lines -fmacro-prefix-map=$scratch/= -E -P -o $scratch/upstream.i $scratch/$f") ||
			{ echo "cannot preprocess $f"; bad=1; continue; }
		n=$((n + 1))
		if ! cmp -s "$scratch/patched.i" "$scratch/upstream.i"; then
			echo "$f with RUST=n differs from upstream + $NORUST_PREP:"
			diff -u "$scratch/upstream.i" "$scratch/patched.i" | head -30
			bad=1
		fi
	done
	rm -rf "$scratch"
	[ $n -gt 0 ] || { echo "no file compared"; return 1; }
	return $bad
}

# One LLVM for C and Rust (CONFIG_RUST_INLINE_HELPERS): the C helpers of rust/helpers/ are
# inlined into the Rust objects, none of which calls one (with the option off, each is a call).
helpers_inlined() {
	grep -q '^CONFIG_RUST_INLINE_HELPERS=y$' "$out/.config" || { echo "CONFIG_RUST_INLINE_HELPERS is off"; return 1; }
	local o calls bad=0
	for o in rust/kernel.o $LEAF_OBJS; do
		calls=$(nm -u "$out/$o" | awk '$2 ~ /^rust_helper_/ {print $2}')
		[ -z "$calls" ] || { echo "$o calls helpers:" $calls; bad=1; }
	done
	# The helpers the mount-namespace code uses are there to be inlined: a call of the C
	# function one wraps would show as an undefined symbol too.
	nm -u "$out/fs/mntns/mntns.o" | grep -qwE 'next_mnt|is_mounted|get_mnt_ns|d_is_dir|dget' &&
		{ echo "fs/mntns/mntns.o references an inline of fs/mount.h or dcache.h by name"; bad=1; }
	return $bad
}

rustfmt_clean() {
	kmake "$LAB_TREE" "$out" -s rustfmtcheck
}

# Clippy, as the kernel runs it (CLIPPY=1), on the kernel crate and the Rust leaves, in a build
# directory of its own so that the main build is not rebuilt.
clippy_clean() {
	local dir=$LAB_TREE/_clippy log
	mkdir -p "$dir"
	cmp -s "$out/.config" "$dir/.config" || cp "$out/.config" "$dir/.config"
	log=$(kmake "$LAB_TREE" "$dir" -s CLIPPY=1 olddefconfig $LEAF_OBJS 2>&1) ||
		{ echo "$log"; return 1; }
	if grep -E '^(warning|error)' <<<"$log"; then return 1; fi
}

# The repo holds no copy of an upstream file.
no_upstream_copies() {
	local f bad=0
	cd "$LAB_REPO"
	while read -r f; do
		if [ -f "$LAB_PRISTINE/$f" ] && cmp -s "$f" "$LAB_PRISTINE/$f"; then
			echo "$f is a copy of the upstream file"
			bad=1
		fi
	done < <(git ls-files -co --exclude-standard)
	return $bad
}

# Every patch of the series is clean for checkpatch.pl --strict, but for the exceptions the cover
# letter names (make check-series does this too, and builds after each patch; CI runs this part).
series_checkpatch() {
	local p bad=0 msgs
	for p in $(patch_files); do
		msgs=$("$LAB_REPO/lab/checkpatch-patch.sh" "$LAB_TREE" "$p") || { echo "$(basename "$p"):"; echo "$msgs"; bad=1; }
	done
	return $bad
}

check c_nullfs_absent c_nullfs_absent
check leaf_without_bindings leaf_without_bindings
check mntns_primitives_private mntns_primitives_private
check mntns_not_nameable mntns_not_nameable
check norust_is_upstream norust_is_upstream
check helpers_inlined helpers_inlined
check rustfmt_clean rustfmt_clean
check clippy_clean clippy_clean
check no_upstream_copies no_upstream_copies
check series_checkpatch series_checkpatch

echo "TAP version 13"
echo "1..$n"
printf '%s\n' "${results[@]}"
