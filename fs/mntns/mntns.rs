// SPDX-License-Identifier: GPL-2.0

//! The mount-namespace paths of the VFS in Rust (`CONFIG_MNT_NAMESPACE_RUST`).
//!
//! Each module implements what `fs/namespace.c` implements in C without the option, and exports
//! the function that C calls instead at the entry point of the feature:
//!
//! - [`empty`]: empty mount namespaces (`CLONE_EMPTY_MNTNS`, `UNSHARE_EMPTY_MNTNS`);
//! - [`create`]: mount namespaces made from a mount (`FSMOUNT_NAMESPACE`,
//!   `OPEN_TREE_NAMESPACE`);
//! - [`beneath`]: `move_mount(2)`, `MOVE_MOUNT_BENEATH` included, and the transfer of
//!   `MNT_LOCKED`.
//!
//! They are written on [`mnt_namespace`], the VFS-private abstractions, which only this crate
//! can name.

pub mod beneath;
pub mod create;
pub mod empty;
mod mnt_namespace;
