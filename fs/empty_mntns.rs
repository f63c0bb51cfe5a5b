// SPDX-License-Identifier: GPL-2.0

//! Empty mount namespaces: `clone3(CLONE_EMPTY_MNTNS)` and `unshare(UNSHARE_EMPTY_MNTNS)`.
//!
//! An empty mount namespace holds a single mount: a copy of the root mount of the namespace it
//! is made from (nullfs, in the initial namespace), none of the mounts on top of it. The task's
//! root and working directory are reset to its root, so the task starts from an empty, immutable
//! directory and mounts what it needs on top.
//!
//! `copy_mnt_ns()` (`fs/namespace.c`) calls [`copy_empty_mnt_ns`] for `CLONE_EMPTY_MNTNS`; the
//! flag plumbing and the permission checks stay in C (`kernel/fork.c`, `kernel/nsproxy.c`).

use kernel::{
    fs::mnt_namespace::{
        clone_flags::CL_SLAVE,
        FsStruct,
        MntNamespace,
        MountWriter,
        NewMntNamespace,
        OwnedMntNamespace,
        Path,
        UserNamespace, //
    },
    prelude::*,
};

kernel::export_copy_mnt_ns! {
    /// Called by `copy_mnt_ns()` for `CLONE_EMPTY_MNTNS`.
    rust_copy_empty_mnt_ns => copy_empty_mnt_ns
}

/// Makes a mount namespace for `user_ns` that holds only a copy of the root mount of `ns`, and
/// resets the root and working directory of `new_fs` to it.
fn copy_empty_mnt_ns(
    ns: &MntNamespace,
    user_ns: &UserNamespace,
    new_fs: Option<&FsStruct>,
) -> Result<OwnedMntNamespace> {
    let old = ns.root();
    let crosses_userns = user_ns != ns.user_ns();

    // The root and working directory that `new_fs` had. Declared before `new_ns`, they are
    // released (`path_put()`) after it, that is after `namespace_sem`, like the `__free(path_put)`
    // paths of C.
    let _old_root: Path;
    let _old_pwd: Path;

    // Holds `namespace_sem` from here on. Dropped on an error, it hands the namespace to
    // `namespace_unlock()`, which frees it.
    let new_ns = NewMntNamespace::alloc(user_ns)?;

    let flags = if crosses_userns { CL_SLAVE } else { 0 };
    let new = new_ns.clone_mnt(old, old.root(), flags)?;
    if crosses_userns {
        // The less privileged user namespace may not change the flags of the mount.
        let writer = MountWriter::lock();
        new.lock_tree(&writer);
    }
    let root = new_ns.set_root(new);

    if let Some(fs) = new_fs {
        _old_root = fs.replace_root(root.root_path());
        _old_pwd = fs.replace_pwd(root.root_path());
    }

    // Adds the root mount to the namespace, then releases `namespace_sem`.
    new_ns.publish()
}
