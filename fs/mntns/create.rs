// SPDX-License-Identifier: GPL-2.0

//! Mount namespaces made from a mount: `fsmount(FSMOUNT_NAMESPACE)` and
//! `open_tree(OPEN_TREE_NAMESPACE)`.
//!
//! The new namespace, owned by the caller's user namespace, holds a copy of the real root of the
//! caller's mount namespace and on it a copy of the new mount of `fsmount()`, or of the tree at
//! the path of `open_tree()` (with the mounts below it for `AT_RECURSIVE`).
//! `open_new_namespace()` calls [`rust_create_new_namespace`]; the syscalls, their checks and the
//! file descriptor stay in C.

use crate::mnt_namespace::{
    MntNamespace,
    NewMntNamespace,
    Source, //
};
use kernel::{bindings, fs::Path, prelude::*, sync::aref::ARef, user_namespace::UserNamespace};

/// `create_new_namespace()`: the namespace of a copy of the mount at `path` (`flags`:
/// `MOUNT_COPY_NEW`, `MOUNT_COPY_RECURSIVE`). Returns it with a reference, or an `ERR_PTR()`.
///
/// # Safety
///
/// `path` is a valid path, referenced for the duration of the call, in process context.
#[export]
pub unsafe extern "C" fn rust_create_new_namespace(
    path: *mut bindings::path,
    flags: bindings::mount_copy_flags_t,
) -> *mut bindings::mnt_namespace {
    // SAFETY: The caller guarantees that `path` is valid and referenced during this call.
    let path = unsafe { Path::from_raw(path) };

    match create_new_namespace(path, flags) {
        Ok(ns) => ARef::into_raw(ns).as_ptr().cast(),
        Err(e) => e.to_ptr(),
    }
}

fn create_new_namespace(path: &Path, flags: u32) -> Result<ARef<MntNamespace>> {
    if !path.dentry().can_lookup() {
        return Err(ENOTDIR);
    }
    let source = Source::of(path, flags);
    let task = kernel::current!();
    let ns = MntNamespace::current(task).ok_or(EINVAL)?;
    let new_ns = NewMntNamespace::alloc(UserNamespace::current(task), ns)?;
    new_ns.with_copy_on_root(task, source)
}
