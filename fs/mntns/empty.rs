// SPDX-License-Identifier: GPL-2.0

//! Empty mount namespaces: `clone3(CLONE_EMPTY_MNTNS)` and `unshare(UNSHARE_EMPTY_MNTNS)`.
//!
//! An empty mount namespace holds a single mount: a copy of the root mount of the namespace it
//! is made from (nullfs, in the initial namespace), none of the mounts on top of it. The task's
//! root and working directory are reset to its root, so the task starts from an empty, immutable
//! directory and mounts what it needs on top.
//!
//! `copy_mnt_ns()`, inline in `<linux/mnt_namespace.h>`, calls [`rust_copy_empty_mnt_ns`] for
//! `CLONE_EMPTY_MNTNS` (and `fs/namespace.c` for the rest); the flag plumbing and the permission
//! checks stay in C (`kernel/fork.c`, `kernel/nsproxy.c`).

use kernel::{
    bindings,
    fs::mnt_namespace::{
        FsStruct,
        MntNamespace,
        NamespaceExcl,
        NewMntNamespace, //
    },
    prelude::*,
    sync::aref::ARef,
    user_namespace::UserNamespace,
};

/// `copy_mnt_ns()` for `CLONE_EMPTY_MNTNS`: a new namespace for `user_ns` that holds a copy of
/// the root mount of `ns`, with the root and working directory of `new_fs` (if not NULL) reset to
/// it. Returns the namespace, with a reference for the caller, or an `ERR_PTR()`.
///
/// # Safety
///
/// The arguments are those of `copy_mnt_ns()`: for the duration of the call, `ns` is a mount
/// namespace the caller holds a reference on, `user_ns` a referenced user namespace, and `new_fs`
/// NULL or an `fs_struct` that no other thread uses (`copy_fs_struct()`'s, not yet installed).
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
    let new_fs = if new_fs.is_null() {
        None
    } else {
        // SAFETY: The caller guarantees that `new_fs` is valid and ours alone during this call.
        Some(unsafe { FsStruct::from_raw(new_fs) })
    };

    match copy_empty_mnt_ns(ns, user_ns, new_fs) {
        Ok(new_ns) => ARef::into_raw(new_ns).as_ptr().cast(),
        Err(e) => e.to_ptr(),
    }
}

/// Makes a mount namespace for `user_ns` that holds only a copy of the root mount of `ns`, and
/// resets the root and working directory of `new_fs` to it.
fn copy_empty_mnt_ns(
    ns: &MntNamespace,
    user_ns: &UserNamespace,
    new_fs: Option<&FsStruct>,
) -> Result<ARef<MntNamespace>> {
    let new_ns = NewMntNamespace::alloc(user_ns, ns)?;
    let excl = NamespaceExcl::lock();

    // A slave copy, locked when published, if `user_ns` is not the owner of `ns`.
    let root = new_ns.clone_ns_root(&excl, ns)?;
    let root = new_ns.publish(root)?.root();

    let old_paths = new_fs.map(|fs| {
        (
            fs.replace_root(root.root_path()),
            fs.replace_pwd(root.root_path()),
        )
    });

    let new_ns_ref = excl.unlock().ok_or(EINVAL);
    // The previous root and working directory, and an unpublished namespace, go after
    // `namespace_sem`, as in C.
    drop(old_paths);
    drop(new_ns);
    new_ns_ref
}

#[kunit_tests(rust_fs_mntns)]
mod tests {
    use super::*;
    use kernel::fs::mnt_namespace::flags::MNT_LOCK_ATIME;

    #[test]
    fn empty_namespace_holds_a_copy_of_the_root() -> Result {
        let task = kernel::current!();
        let ns = MntNamespace::current(task);
        let user_ns = UserNamespace::current(task);

        let new_ns = copy_empty_mnt_ns(ns, user_ns, None)?;
        assert_eq!(new_ns.nr_mounts(), 1);
        assert!(new_ns.user_ns() == user_ns);
        // A copy, of the same superblock and root.
        assert!(!core::ptr::eq(new_ns.root(), ns.root()));
        assert!(core::ptr::eq(new_ns.root().root(), ns.root().root()));
        // Same owner: not locked.
        assert_eq!(new_ns.root().flags() & MNT_LOCK_ATIME, 0);
        Ok(())
    }

    #[test]
    fn foreign_owner_locks_the_copy() -> Result {
        let task = kernel::current!();
        let ns = MntNamespace::current(task);
        let child = UserNamespace::new_child_of_current()?;

        let new_ns = copy_empty_mnt_ns(ns, &child, None)?;
        assert!(new_ns.user_ns() == &*child);
        assert_eq!(new_ns.nr_mounts(), 1);
        // `lock_mnt_tree()` locks the flags of the root of the tree.
        assert_ne!(new_ns.root().flags() & MNT_LOCK_ATIME, 0);
        Ok(())
    }

    #[test]
    fn unpublished_copies_unwind() -> Result {
        let task = kernel::current!();
        let ns = MntNamespace::current(task);
        let user_ns = UserNamespace::current(task);

        // Each round leaves nothing behind: the copies torn down, the namespaces freed, the
        // semaphore released (the next round takes it again).
        for _ in 0..2 {
            let a = NewMntNamespace::alloc(user_ns, ns)?;
            let b = NewMntNamespace::alloc(user_ns, ns)?;
            let excl = NamespaceExcl::lock();

            // Dropped: torn down at once.
            drop(a.clone_ns_root(&excl, ns)?);
            // Leaked: torn down by the guard before it releases the semaphore.
            core::mem::forget(a.clone_ns_root(&excl, ns)?);
            // A tree made for another namespace is refused, and torn down.
            assert_eq!(b.publish(a.clone_ns_root(&excl, ns)?).err(), Some(EINVAL));
            // One namespace per guard: the second is refused.
            b.publish(b.clone_ns_root(&excl, ns)?)?;
            assert_eq!(a.publish(a.clone_ns_root(&excl, ns)?).err(), Some(EBUSY));

            // The guard hands out `b`, with its one mount.
            let published = excl.unlock().ok_or(EINVAL)?;
            assert!(!core::ptr::eq(&*published, ns));
            assert_eq!(published.nr_mounts(), 1);
            drop(a);
            drop(b);
        }
        Ok(())
    }

    #[test]
    fn tree_slots_are_given_back_and_bounded() -> Result {
        // The number of trees under construction a guard keeps (`MAX_NEW_TREES`).
        const SLOTS: usize = 4;
        let task = kernel::current!();
        let ns = MntNamespace::current(task);
        let user_ns = UserNamespace::current(task);
        let a = NewMntNamespace::alloc(user_ns, ns)?;

        for _ in 0..2 {
            let excl = NamespaceExcl::lock();
            // A dropped tree gives its slot back: more trees than slots, one after the other.
            for _ in 0..2 * SLOTS {
                drop(a.clone_ns_root(&excl, ns)?);
            }
            // A leaked tree keeps its slot until the guard goes: the slots run out, and the next
            // tree is refused (and torn down).
            let mut leaked = 0;
            let refused = loop {
                match a.clone_ns_root(&excl, ns) {
                    Ok(root) => core::mem::forget(root),
                    Err(e) => break e,
                }
                leaked += 1;
                if leaked > SLOTS {
                    break EINVAL;
                }
            };
            assert_eq!(refused, EBUSY);
            assert_eq!(leaked, SLOTS);
            // The guard tears the leaked trees down: the next round has every slot again.
            assert!(excl.unlock().is_none());
        }
        Ok(())
    }
}
