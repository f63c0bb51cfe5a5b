#!/usr/bin/env bash
# Host-side checks of the patched build, as a KTAP suite: lab/checks.sh > FILE
# They count as cases of `make test` (suite host/checks).
. "$(dirname "$0")/common.sh"
out=$(kernel_out patched)
n=0
results=()
check() { # name command...
	local name=$1
	shift
	n=$((n + 1))
	if msg=$("$@" 2>&1); then
		results+=("ok $n $name")
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

# The Rust leaves: feature code that reaches C only through the abstractions.
LEAVES="fs/nullfs/nullfs.rs fs/empty_mntns.rs"

leaf_without_bindings() {
	local hits
	hits=$(cd "$LAB_REPO" && grep -n 'bindings::' $LEAVES || true)
	[ -z "$hits" ] || { echo "$hits"; return 1; }
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
	log=$(kmake "$LAB_TREE" "$dir" -s CLIPPY=1 olddefconfig ${LEAVES//.rs/.o} 2>&1) ||
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

check c_nullfs_absent c_nullfs_absent
check leaf_without_bindings leaf_without_bindings
check rustfmt_clean rustfmt_clean
check clippy_clean clippy_clean
check no_upstream_copies no_upstream_copies

echo "TAP version 13"
echo "1..$n"
printf '%s\n' "${results[@]}"
