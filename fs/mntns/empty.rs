// SPDX-License-Identifier: GPL-2.0

//! Empty mount namespaces: `clone3(CLONE_EMPTY_MNTNS)` and `unshare(UNSHARE_EMPTY_MNTNS)`.
//!
//! An empty mount namespace holds one mount, a copy of the root mount of the namespace it is made
//! from (nullfs, in the initial namespace), and the task's root and working directory are reset
//! to it. `copy_mnt_ns()` calls [`rust_copy_empty_mnt_ns`] for `CLONE_EMPTY_MNTNS`; the flags and
//! the permission checks stay in C.

use crate::mnt_namespace::{
    FsStruct,
    MntNamespace,
    NewMntNamespace, //
};
use kernel::{bindings, prelude::*, sync::aref::ARef, user_namespace::UserNamespace};

/// `copy_mnt_ns()` for `CLONE_EMPTY_MNTNS`: a namespace for `user_ns` that holds a copy of the
/// root mount of `ns`, with the root and working directory of `new_fs` (if not NULL) reset to it.
/// Returns it with a reference, or an `ERR_PTR()`.
///
/// # Safety
///
/// As for `copy_mnt_ns()`: `ns` and `user_ns` are referenced for the duration of the call, and
/// `new_fs` is NULL or an `fs_struct` of `copy_fs_struct()` that no task uses yet.
#[export]
pub unsafe extern "C" fn rust_copy_empty_mnt_ns(
    ns: *mut bindings::mnt_namespace,
    user_ns: *mut bindings::user_namespace,
    new_fs: *mut bindings::fs_struct,
) -> *mut bindings::mnt_namespace {
    // SAFETY: The caller holds a reference on `ns` for the duration of this call.
    let ns = unsafe { MntNamespace::from_raw(ns) };
    // SAFETY: The caller holds a reference on `user_ns` for the duration of this call.
    let user_ns = unsafe { UserNamespace::from_raw(user_ns) };

    let new_ns = match NewMntNamespace::alloc(user_ns, ns).and_then(|n| n.with_root_alone()) {
        Ok(new_ns) => new_ns,
        Err(e) => return e.to_ptr(),
    };
    if !new_fs.is_null() {
        // SAFETY: The caller guarantees that `new_fs` is ours alone during this call.
        let fs = unsafe { FsStruct::from_raw(new_fs) };
        // The previous root and working directory are released after `namespace_sem`, as in C.
        drop(fs.reset_to(new_ns.root().vfsmount()));
    }
    ARef::into_raw(new_ns).as_ptr().cast()
}
