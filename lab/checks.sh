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

# The Rust leaves: feature code that reaches C only through the abstractions. The only place a
# leaf may name bindings:: is the signature of an #[export] function, which C calls: those types
# are checked against the C declaration by #[export]. No call of a binding, anywhere.
LEAVES="fs/nullfs/nullfs.rs fs/mntns/*.rs"
LEAF_OBJS="fs/nullfs/nullfs.o fs/mntns/mntns.o"

leaf_without_bindings() {
	(cd "$LAB_REPO" && python3 - $LEAVES) <<'PY'
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

# The VFS-private primitives (the mntns_* wrappers of fs/namespace.c, and create_user_ns() for the
# KUnit tests) are reached from the leaves only: the kernel crate, whose every global symbol is
# exported to Rust modules
# (rust/exports_kernel_generated.h), must not reference them, and no symbol of them or of the
# leaves' entry points may be exported.
private_primitives_not_exported() {
	local prims syms refs exported bad=0
	prims=$( (grep -ho 'bindings::mntns_[a-z_]*' "$LAB_REPO"/rust/kernel/fs/mnt_namespace.rs | sed 's/bindings:://'; echo create_user_ns) | sort -u)
	[ -n "$prims" ] || { echo "no mntns_* primitive found in rust/kernel/fs/mnt_namespace.rs"; return 1; }
	syms=$(nm "$out/vmlinux")
	grep -q ' T mntns_clone_mnt$' <<<"$syms" || { echo "mntns_clone_mnt is not in vmlinux: is CONFIG_MNT_NAMESPACE_RUST on?"; return 1; }
	refs=$(nm -u "$out/rust/kernel.o" | awk '{print $2}' | grep -xF "$prims" || true)
	[ -z "$refs" ] || { echo "rust/kernel.o calls VFS-private primitives: $refs"; bad=1; }
	exported=$(awk '$3 ~ /^__ksymtab_/ {sub(/^__ksymtab_/, "", $3); print $3}' <<<"$syms" |
		grep -E "^($(echo "$prims" | paste -sd'|')|rust_copy_empty_mnt_ns|rust_[a-z_]*mnt[a-z_]*)$" || true)
	[ -z "$exported" ] || { echo "exported to modules: $exported"; bad=1; }
	if grep -q 'mnt_namespace' "$out/rust/exports_kernel_generated.h"; then
		echo "the kernel crate exports symbols of fs::mnt_namespace:"
		grep 'mnt_namespace' "$out/rust/exports_kernel_generated.h" | head
		bad=1
	fi
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

check c_nullfs_absent c_nullfs_absent
check leaf_without_bindings leaf_without_bindings
check private_primitives_not_exported private_primitives_not_exported
check rustfmt_clean rustfmt_clean
check clippy_clean clippy_clean
check no_upstream_copies no_upstream_copies

echo "TAP version 13"
echo "1..$n"
printf '%s\n' "${results[@]}"
