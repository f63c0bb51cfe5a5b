// SPDX-License-Identifier: GPL-2.0

//! Moving mounts, `MOVE_MOUNT_BENEATH` included, and the transfer of `MNT_LOCKED`.
//!
//! `move_mount(2)` (and `mount(MS_MOVE)`) moves a mount, or attaches a detached tree, at a new
//! place; with `MOVE_MOUNT_BENEATH`, the place is beneath the topmost mount at the target, which
//! may be the caller's root: since nullfs is mount 1, `/` has a parent, so a process can put a new
//! root beneath its old one and unmount that (a root switch without `pivot_root(2)`).
//!
//! `MNT_LOCKED` marks a mount that hides what is under it from a less privileged user namespace
//! (its tree was copied across user namespaces). The mount placed beneath a locked mount takes the
//! lock over, so that the locked mount may go: nothing is revealed, as the new mount covers the
//! same place. `pivot_root(2)` hands the lock of the old root to the new one the same way. The
//! rules (7.2.13, with its fixes) are enforced here:
//!
//! - only the mount the caller placed takes the lock over; a propagated copy takes a lock, but the
//!   mount it covers keeps its own, as the copy goes away when the original is unmounted;
//! - a mount of a mount-namespace file cannot take a lock over: copies of the tree leave it out,
//!   with what it covers;
//! - copies propagated across user namespaces are locked: the owner compared is the target
//!   namespace's, or the caller's for an anonymous target.
//!
//! C keeps the syscalls, `do_lock_mount()`'s locking and retries, and `attach_recursive_mnt()` with
//! its propagation; it calls [`rust_do_move_mount`] for `do_move_mount()`,
//! [`rust_attach_mnt_locks`] for each mount `attach_recursive_mnt()` attaches, and
//! [`rust_transfer_mnt_lock`] from `path_pivot_root()`.

use core::ptr;
use kernel::{
    bindings,
    fs::{
        mnt_namespace::{
            lock_mount,
            MntNamespace,
            Mount,
            MountLocked,
            MountNs,
            Mountpoint,
            NsLocked, //
        },
        Path,
    },
    prelude::*,
    user_namespace::UserNamespace,
};

/// `do_move_mount()`: moves the mount at `old_path` (a mount of the caller's namespace, or the
/// root of a detached tree) to `new_path`, beneath the topmost mount there with `beneath`.
/// Returns 0 or a negative errno.
///
/// # Safety
///
/// `old_path` and `new_path` are valid paths, referenced for the duration of the call, and the
/// caller is in process context without `namespace_sem`.
#[export]
pub unsafe extern "C" fn rust_do_move_mount(
    old_path: *const bindings::path,
    new_path: *const bindings::path,
    beneath: bool,
) -> c_int {
    // SAFETY: The caller guarantees that both paths are valid and referenced during this call.
    let (old_path, new_path) = unsafe { (Path::from_raw(old_path), Path::from_raw(new_path)) };

    match do_move_mount(old_path, new_path, beneath) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

fn do_move_mount(old_path: &Path, new_path: &Path, beneath: bool) -> Result {
    let old = Mount::of(old_path.mnt());

    if !old_path.is_mount_root() {
        return Err(EINVAL);
    }
    if new_path.dentry().is_dir() != old_path.dentry().is_dir() {
        return Err(EINVAL);
    }

    let task = kernel::current!();
    let current = MntNamespace::current(task);
    lock_mount(new_path, beneath, |mp| {
        let parent = mp.parent();

        if old.is_in(mp, current) {
            // The source is in our namespace: it must be detachable from its parent, which must
            // not be shared, and the target must be in our namespace too.
            if !old.has_parent(mp) || old.is_locked() {
                return Err(EINVAL);
            }
            if old.parent(mp).is_shared(mp) {
                return Err(EINVAL);
            }
            if !parent.is_in(mp, current) {
                return Err(EINVAL);
            }
        } else {
            // Otherwise the source must be the root of an anonymous namespace, to be attached in
            // another namespace: ours, or an anonymous one that ours made.
            if !old.is_anon_ns_root(mp) {
                return Err(EINVAL);
            }
            if old.same_ns(mp, parent) {
                return Err(EINVAL);
            }
            if !parent.may_be_used(mp, current) {
                return Err(EINVAL);
            }
        }

        if beneath {
            let mut over = Mount::of(new_path.mnt());
            if !ptr::eq(parent, over.parent(mp)) {
                // The target was overmounted: beneath the topmost mount on the parent.
                over = parent.overmount(mp).ok_or(EINVAL)?;
            }
            can_move_mount_beneath(old, over, mp, current)?;
        }

        // No tree with unbindable mounts to a shared place.
        if parent.is_shared(mp) && old.tree(mp).any(|m| m.is_unbindable(mp)) {
            return Err(EINVAL);
        }
        // No references to earlier or the same mount namespaces in the tree: they could pin
        // namespaces in a cycle.
        if old.tree(mp).any(|m| m.is_mnt_ns_loop()) {
            return Err(ELOOP);
        }
        // Not below itself.
        if old.is_ancestor_of(mp, parent) {
            return Err(ELOOP);
        }

        // SAFETY: `old` is a mount of our namespace with a parent, or the root of an anonymous
        // namespace, other than the parent's, that may be attached here (checked above); the
        // parent is in our namespace or such an anonymous one; `old` is not the parent or one of
        // its ancestors, its tree has no mount of a mount-namespace file that could make a loop,
        // and with `beneath` `can_move_mount_beneath()` allowed the move. `old` is attached once.
        unsafe { mp.attach_recursive(old) }
    })
}

/// `can_move_mount_beneath()`: whether `from` may be mounted beneath `to`, the topmost mount at
/// the mountpoint `mp`.
fn can_move_mount_beneath(
    from: &Mount,
    to: &Mount,
    mp: &Mountpoint,
    current: &MntNamespace,
) -> Result {
    let parent_to = to.parent(mp);

    // `from` takes over the lock of `to`. Copies of the tree leave a mount of a mount-namespace
    // file out, with what is mounted on it, so it could not keep anything hidden.
    if to.is_locked() && from.is_mnt_ns_file() {
        return Err(EINVAL);
    }
    // Nothing may have been mounted on `from` before `namespace_sem` was taken: it would become a
    // pointless shadow mount.
    if from.overmount(mp).is_some() {
        return Err(EINVAL);
    }
    if to.is_ancestor_of(mp, from) {
        return Err(EINVAL);
    }
    // If the parent of `to` propagates to `to`, mounting `from` on the parent would propagate a
    // copy of `from` on top of `to`: the opposite of mounting beneath it.
    if mp.propagation_would_overmount(parent_to, to) {
        return Err(EINVAL);
    }
    // If it propagates to `from` (in our namespace), a copy of `from` would end up on `from`,
    // under `to`: `from` would not be beneath `to` either.
    if from.is_in(mp, current) && mp.propagation_would_overmount(parent_to, from) {
        return Err(EINVAL);
    }
    Ok(())
}

/// `attach_recursive_mnt()`, for each mount `child` it attaches (the tree `source` itself, or a
/// copy propagated from it) before it commits it, with `covered` the mount it goes beneath, if
/// any, and `dest_ns` the namespace of the destination of `source`: locks a copy propagated into
/// a namespace of another owner, and the lock transfer.
///
/// # Safety
///
/// `namespace_sem` and `mount_lock` are held for writing; `child` and `source` are mounts pinned
/// by them, `child` mounted on its parent, not yet committed; `covered` is NULL or the mount that
/// `child` is placed beneath; `dest_ns` is the namespace of the destination.
#[export]
pub unsafe extern "C" fn rust_attach_mnt_locks(
    child: *mut bindings::mount,
    source: *mut bindings::mount,
    covered: *mut bindings::mount,
    dest_ns: *mut bindings::mnt_namespace,
) {
    // SAFETY: The caller holds both locks for the duration of this call.
    let (held, locked) = unsafe { (NsLocked::assume_held(), MountLocked::assume_held()) };
    // SAFETY: The caller guarantees that these are mounts pinned by the locks, and the namespace
    // of the destination, which `namespace_sem` keeps from being freed.
    let (child, source, dest_ns) = unsafe {
        (
            Mount::from_raw(child),
            Mount::from_raw(source),
            MountNs::from_raw(dest_ns),
        )
    };
    let covered = if covered.is_null() {
        None
    } else {
        // SAFETY: The caller guarantees that `covered` is a mount pinned by the locks.
        Some(unsafe { Mount::from_raw(covered) })
    };

    attach_mnt_locks(held, locked, child, source, covered, dest_ns);
}

fn attach_mnt_locks(
    held: &NsLocked,
    locked: &MountLocked,
    child: &Mount,
    source: &Mount,
    covered: Option<&Mount>,
    dest_ns: &MountNs,
) {
    // A caller in a less privileged namespace may trigger an automount and propagate locked mounts
    // into more privileged namespaces: the owner that counts is the target namespace's. A
    // detached tree may have been handed over on purpose, so for an anonymous target the
    // attaching task's namespace is authoritative, not the creator of the tree. Propagating
    // across user namespaces: lock the copy.
    let owned_by_other = |owner: &UserNamespace| {
        child
            .parent(held)
            .ns(held)
            .is_some_and(|ns| ns.user_ns() != owner)
    };
    let across = if dest_ns.is_anon() {
        // The current task only here: finding it is a call.
        let task = kernel::current!();
        owned_by_other(MntNamespace::current(task).user_ns())
    } else {
        owned_by_other(dest_ns.user_ns())
    };
    if across {
        child.lock_tree(locked);
    }

    let Some(covered) = covered else {
        return;
    };
    if ptr::eq(child, source) {
        // The mount the caller placed takes the lock over: nothing another namespace does removes
        // it again.
        //
        // SAFETY: `child` is placed beneath `covered` and covers what it covered.
        unsafe { covered.hand_lock_to(child, locked) };
    } else if covered.is_locked() {
        // A propagated copy goes away when the mounter of the original unmounts it: it takes a
        // lock, and `covered` keeps its own.
        child.lock(locked);
    }
}

/// `path_pivot_root()`: `new_root` takes the place of `old_root`, which had the lock (if any) of
/// what the old root covered: `new_root` takes it over.
///
/// # Safety
///
/// `namespace_sem` and `mount_lock` are held for writing; `old_root` and `new_root` are mounts
/// pinned by them, and `new_root` now covers what `old_root` covered.
#[export]
pub unsafe extern "C" fn rust_transfer_mnt_lock(
    old_root: *mut bindings::mount,
    new_root: *mut bindings::mount,
) {
    // SAFETY: The caller holds `mount_lock` for writing for the duration of this call.
    let locked = unsafe { MountLocked::assume_held() };
    // SAFETY: The caller guarantees that these are mounts pinned by the locks.
    let (old_root, new_root) = unsafe { (Mount::from_raw(old_root), Mount::from_raw(new_root)) };

    // SAFETY: The caller guarantees that `new_root` covers what `old_root` covered.
    unsafe { old_root.hand_lock_to(new_root, locked) };
}
