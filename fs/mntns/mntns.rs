// SPDX-License-Identifier: GPL-2.0

//! The mount-namespace paths of the VFS in Rust (`CONFIG_MNT_NAMESPACE_RUST`).
//!
//! Each module implements a feature that `fs/namespace.c` implements in C when the option is off,
//! and exports the function C calls at the feature's entry point instead:
//!
//! - [`empty`]: empty mount namespaces, `clone3(CLONE_EMPTY_MNTNS)` and
//!   `unshare(UNSHARE_EMPTY_MNTNS)`, for `copy_mnt_ns()`;
//! - [`create`]: mount namespaces made from a mount, `fsmount(FSMOUNT_NAMESPACE)` and
//!   `open_tree(OPEN_TREE_NAMESPACE)`, for `open_new_namespace()`;
//! - [`beneath`]: moving mounts (`MOVE_MOUNT_BENEATH` included) for `do_move_mount()`, and the
//!   transfer of `MNT_LOCKED` for `attach_recursive_mnt()` and `path_pivot_root()`.
//!
//! The code here makes its decisions on the abstractions of `kernel::fs::mnt_namespace`, which
//! enforce the locking and the rules for copies across user namespaces; it calls no C function
//! directly.

pub mod beneath;
pub mod create;
pub mod empty;
