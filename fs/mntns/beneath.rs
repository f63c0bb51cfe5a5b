// SPDX-License-Identifier: GPL-2.0

//! Moving mounts, `MOVE_MOUNT_BENEATH` included, and the transfer of `MNT_LOCKED`.
//!
//! `move_mount(2)` (and `mount(MS_MOVE)`) moves a mount, or attaches a detached tree, elsewhere;
//! with `MOVE_MOUNT_BENEATH`, beneath the topmost mount at the target, which may be the caller's
//! root: since nullfs is mount 1, `/` has a parent, so a task can put a new root beneath its old
//! one and unmount that (a root switch without `pivot_root(2)`).
//!
//! `MNT_LOCKED` marks a mount that hides what it covers from a less privileged user namespace.
//! The mount placed beneath a locked mount takes the lock over, so the locked mount may go:
//! nothing is revealed, as the new mount covers the same place. `pivot_root(2)` hands the lock of
//! the old root to the new one the same way. The rules:
//!
//! - only the mount the caller placed takes the lock over; a propagated copy takes a lock, and
//!   the mount it covers keeps its own, as the copy goes when the original is unmounted;
//! - a mount of a mount-namespace file cannot take a lock over: copies leave it out, with what it
//!   covers;
//! - a copy propagated into a namespace of another owner is locked: the owner compared is the
//!   target namespace's, or the caller's for an anonymous target. Where none is known, it is
//!   locked.
//!
//! C keeps the syscalls, `do_lock_mount()` and `attach_recursive_mnt()` with its propagation; it
//! calls [`rust_do_move_mount`] for `do_move_mount()`, [`rust_attach_mnt_locks`] for each mount
//! that `attach_recursive_mnt()` attaches, and [`rust_transfer_mnt_lock`] from
//! `path_pivot_root()`.

use crate::mnt_namespace::{
    assume_locked,
    lock_mount,
    warn_on_once,
    MntNamespace,
    Mount,
    MountLocked,
    MountNs,
    Mountpoint,
    NsLocked, //
};
use core::ptr;
use kernel::{
    bindings,
    fs::Path,
    prelude::*, //
};

/// `do_move_mount()`: moves the mount at `old_path` (of the caller's namespace, or the root of a
/// detached tree) to `new_path`, beneath the topmost mount there with `beneath`. Returns 0 or a
/// negative errno.
///
/// # Safety
///
/// Both paths are valid and referenced for the duration of the call, in process context, without
/// `namespace_sem`.
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
    let current = MntNamespace::current(task).ok_or(EINVAL)?;
    lock_mount(new_path, beneath, |mp| {
        let parent = mp.parent();

        if old.is_in(mp, current) {
            // The source is in our namespace: detachable from its parent, which is not shared, to
            // a target in our namespace.
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
            // Otherwise the root of an anonymous namespace, to another namespace: ours, or an
            // anonymous one that ours made.
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
        // No reference to an earlier or the same mount namespace: it could pin namespaces in a
        // loop.
        if old.tree(mp).any(|m| m.is_mnt_ns_loop()) {
            return Err(ELOOP);
        }
        // Not below itself.
        if old.is_ancestor_of(mp, parent) {
            return Err(ELOOP);
        }

        // SAFETY: Checked above: `old` is a mount of our namespace with a parent, or the root of
        // another anonymous namespace that may be attached here; the parent is in our namespace or
        // such an anonymous one; `old` is not an ancestor of the parent; its tree has no
        // mount-namespace file that could make a loop; with `beneath`, `can_move_mount_beneath()`
        // allowed it.
        unsafe { mp.attach_recursive(old) }
    })
}

/// `can_move_mount_beneath()`: whether `from` may be mounted beneath `to`, the topmost mount at
/// `mp`.
fn can_move_mount_beneath(
    from: &Mount,
    to: &Mount,
    mp: &Mountpoint<'_>,
    current: &MntNamespace,
) -> Result {
    let parent_to = to.parent(mp);

    // `from` takes over the lock of `to`; copies of the tree leave a mount-namespace file out,
    // with what is mounted on it, so it could not keep anything hidden.
    if to.is_locked() && from.is_mnt_ns_file() {
        return Err(EINVAL);
    }
    // Nothing mounted on `from` before `namespace_sem` was taken: a pointless shadow mount.
    if from.overmount(mp).is_some() {
        return Err(EINVAL);
    }
    if to.is_ancestor_of(mp, from) {
        return Err(EINVAL);
    }
    // The parent of `to` propagating to `to` would put a copy of `from` on top of `to`.
    if mp.propagation_would_overmount(parent_to, to) {
        return Err(EINVAL);
    }
    // Propagating to `from` (in our namespace) would put a copy of `from` on `from`, under `to`.
    if from.is_in(mp, current) && mp.propagation_would_overmount(parent_to, from) {
        return Err(EINVAL);
    }
    Ok(())
}

/// The lock decisions of `attach_recursive_mnt()` for `child`, the tree `source` itself or a copy
/// propagated from it, before it is committed: `covered` is the mount it goes beneath, if any,
/// and `dest_ns` the namespace of the destination of `source`.
///
/// # Safety
///
/// `namespace_sem` and `mount_lock` are held for writing; `child` and `source` are mounts, `child`
/// mounted on its parent; `covered` is NULL or the mount that `child` goes beneath; `dest_ns` is
/// the `mnt_ns` of the destination.
#[export]
pub unsafe extern "C" fn rust_attach_mnt_locks(
    child: *mut bindings::mount,
    source: *mut bindings::mount,
    covered: *mut bindings::mount,
    dest_ns: *mut bindings::mnt_namespace,
) {
    // SAFETY: The caller holds both locks for writing during this call.
    let (held, locked) = unsafe { assume_locked() };
    // SAFETY: The caller guarantees that these are mounts, pinned by the locks, and `dest_ns` the
    // namespace of one, or an invalid one (NULL, `MNT_NS_INTERNAL`), which `namespace_sem` keeps.
    let (child, source, covered, dest_ns) = unsafe {
        (
            Mount::from_raw(child),
            Mount::from_raw(source),
            ptr::NonNull::new(covered).map(|m| Mount::from_raw(m.as_ptr())),
            MountNs::from_ptr(dest_ns),
        )
    };
    attach_mnt_locks(held, locked, child, source, covered, dest_ns);
}

fn attach_mnt_locks(
    held: &NsLocked,
    locked: &MountLocked,
    child: &Mount,
    source: &Mount,
    covered: Option<&Mount>,
    dest_ns: Option<&MountNs>,
) {
    // A caller in a less privileged namespace may trigger an automount and propagate locked mounts
    // into more privileged ones: the owner that counts is the target namespace's. A detached tree
    // may have been handed over on purpose: for an anonymous target, the attaching task's.
    let task = kernel::current!();
    let owner = match dest_ns {
        Some(ns) if !ns.is_anon() => Some(ns.user_ns()),
        Some(_) => MntNamespace::current(task).map(|ns| ns.user_ns()),
        None => None,
    };
    // Propagating across user namespaces: lock the copy. Without an owner or a namespace to compare
    // (C would oops), lock it too.
    let across = match (owner, child.parent(held).ns(held)) {
        (Some(owner), Some(ns)) => ns.user_ns() != owner,
        _ => {
            warn_on_once!(true);
            true
        }
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
        // SAFETY: `child` goes beneath `covered` and covers what it covered.
        unsafe { covered.hand_lock_to(child, locked) };
    } else if covered.is_locked() {
        // A propagated copy goes when the original is unmounted: it takes a lock, and `covered`
        // keeps its own.
        child.lock(locked);
    }
}

/// `path_pivot_root()`: `new_root` takes the place of `old_root`, and its lock.
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
    // SAFETY: The caller holds both locks for writing during this call.
    let (_, locked) = unsafe { assume_locked() };
    // SAFETY: The caller guarantees that these are mounts pinned by the locks.
    let (old_root, new_root) = unsafe { (Mount::from_raw(old_root), Mount::from_raw(new_root)) };
    // SAFETY: The caller guarantees that `new_root` covers what `old_root` covered.
    unsafe { old_root.hand_lock_to(new_root, locked) };
}
