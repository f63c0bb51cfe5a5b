// SPDX-License-Identifier: GPL-2.0

//! Mount namespaces made from a mount: `fsmount(FSMOUNT_NAMESPACE)` and
//! `open_tree(OPEN_TREE_NAMESPACE)`.
//!
//! The new namespace holds a copy of the real root of the caller's namespace (nullfs, mount 1, in
//! the initial namespace) with a copy of the given mount on top of it: the new mount of an
//! `fsmount()`, or the tree at an `open_tree()` path (recursively with `AT_RECURSIVE`). Its owner
//! is the caller's user namespace; if that is not the owner of the caller's mount namespace, the
//! copies are slaves and the whole tree is locked, so that nothing they cover is revealed to it.
//!
//! `open_new_namespace()` (`fs/namespace.c`) calls [`rust_create_new_namespace`] where it called
//! `create_new_namespace()`; the syscalls, their flag checks, the permission check and the file
//! descriptor stay in C.

use kernel::{
    bindings,
    fs::{
        mnt_namespace::{
            copy_flags::{
                MOUNT_COPY_NEW,
                MOUNT_COPY_RECURSIVE, //
            },
            MntNamespace,
            Mount,
            NewMntNamespace, //
        },
        Path,
    },
    prelude::*,
    sync::aref::ARef,
    user_namespace::UserNamespace,
};

/// `create_new_namespace()`: a new mount namespace, owned by the caller's user namespace, made of
/// a copy of the real root of the caller's mount namespace and, on top of it, a copy of the mount
/// at `path` (`flags`: `MOUNT_COPY_NEW`, `MOUNT_COPY_RECURSIVE`). Returns the namespace, with a
/// reference for the caller, or an `ERR_PTR()`.
///
/// # Safety
///
/// `path` is a valid path, whose mount and dentry are referenced for the duration of the call,
/// and the caller is in process context.
#[export]
pub unsafe extern "C" fn rust_create_new_namespace(
    path: *mut bindings::path,
    flags: bindings::mount_copy_flags_t,
) -> *mut bindings::mnt_namespace {
    // SAFETY: The caller guarantees that `path` is valid and referenced during this call.
    let path = unsafe { Path::from_raw(path) };

    match create_new_namespace(path, flags) {
        Ok(new_ns) => ARef::into_raw(new_ns).as_ptr().cast(),
        Err(e) => e.to_ptr(),
    }
}

fn create_new_namespace(path: &Path, flags: u32) -> Result<ARef<MntNamespace>> {
    if !path.dentry().can_lookup() {
        return Err(ENOTDIR);
    }

    let task = kernel::current!();
    let ns = MntNamespace::current(task);
    // Slave copies and a locked tree if the caller's user namespace does not own `ns`.
    let new_ns = NewMntNamespace::alloc(UserNamespace::current(task), ns)?;
    let recursive = flags & MOUNT_COPY_RECURSIVE != 0;

    let res = new_ns.with_copy_of_root(ns, |mp, root| {
        // If anything in the stack of mounts on the real root is locked, what it covers must stay
        // covered in the new namespace too: lock the new mount on top.
        let locked = ns.root().overmounts(mp).any(|m| m.is_locked());

        let copy = if flags & MOUNT_COPY_NEW != 0 {
            new_ns.clone_path(mp, path)?
        } else if new_ns.is_foreign()
            && !recursive
            && Mount::of(path.mnt()).has_children_under(mp, path.dentry())
        {
            // Without privilege over `ns`, no mount below the path may be left out: it would
            // reveal what it covers (`unshare()` gives such a caller all of them as well).
            return Err(EINVAL);
        } else {
            new_ns.loopback(mp, path, recursive)?
        };

        root.attach(copy, mp, locked)?;
        new_ns.publish(root)?;
        Ok(())
    });
    // An unpublished namespace goes after `namespace_sem`, as in C.
    drop(new_ns);
    res
}
