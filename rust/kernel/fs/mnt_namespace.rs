// SPDX-License-Identifier: GPL-2.0

//! Mount namespaces, for the VFS itself.
//!
//! This module wraps the VFS-private mount structures, `struct mount` and `struct mnt_namespace`,
//! and the primitives of `fs/namespace.c` that mount namespaces are built and changed with. It is
//! for the Rust code of the VFS under `fs/` (`CONFIG_MNT_NAMESPACE_RUST`), not for file systems or
//! modules: every function here that reaches a private primitive (the `mntns_*` wrappers of
//! `fs/namespace.c`) is `#[inline]`, so that it is compiled into its caller and the kernel crate,
//! whose symbols are exported to Rust modules, emits none that takes `namespace_sem` or builds a
//! namespace (`lab/checks.sh` checks that `rust/kernel.o` does not reference the primitives).
//!
//! The rules are those of `fs/namespace.c`: `namespace_sem` serialises the changes of the mount
//! trees, `mount_lock` is taken inside it. What is read or changed under a lock takes the proof
//! that it is held: [`NsLocked`] and [`NsWrite`] for `namespace_sem`, [`MountLocked`] for
//! `mount_lock`, handed out by the guards ([`NamespaceExcl`], [`Mountpoint`], [`MountWriter`])
//! for as long as they hold the lock. The types enforce the rules that C leaves to each caller:
//!
//! - A mount tree made for a namespace under construction ([`NewMount`]) borrows the lock it was
//!   made under, so it cannot outlive `namespace_sem`. If it is neither published nor attached, it
//!   is torn down as C's error paths do (`umount_tree()` under `mount_lock`), which takes its
//!   copies off the propagation lists of the mounts they were copied from: when it is dropped, or
//!   at the latest when the lock is released (a tree that was leaked with `mem::forget()`).
//! - A namespace built for a user namespace other than the owner of the namespace it is copied
//!   from (a less privileged one) gets slave copies that leave out no unbindable mount, and its
//!   tree is locked when it is published (`lock_mnt_tree()`): [`NewMntNamespace`] decides it, and
//!   only takes trees that it made itself.
//! - A namespace published under `namespace_sem` is handed out only after the semaphore is
//!   released, so that its last reference is not dropped (`put_mnt_ns()` takes the semaphore)
//!   while it is held; dropping another reference under it is caught by lockdep.
//! - The namespace a mount is in is borrowed as a [`MountNs`], which cannot be turned into a
//!   counted reference: under `namespace_sem` it may be dying, or anonymous.
//!
//! C headers: [`fs/mount.h`](srctree/fs/mount.h), [`fs/pnode.h`](srctree/fs/pnode.h) and
//! [`include/linux/fs_struct.h`](srctree/include/linux/fs_struct.h)

use crate::{
    bindings,
    error::{
        from_err_ptr,
        to_result, //
    },
    fs::{
        c_layout::assert_c_offsets,
        dentry::Dentry,
        mount::VfsMount,
        path::Path, //
    },
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    task::CurrentTask,
    types::{
        NotThreadSafe,
        Opaque, //
    },
    user_namespace::UserNamespace,
};
use core::{
    cell::Cell,
    mem::{
        ManuallyDrop,
        MaybeUninit, //
    },
    ops::Deref,
    ptr::{
        self,
        NonNull, //
    },
};

// The private structs of `fs/mount.h` are `__randomize_layout`: check bindgen's layout of every
// field read or written here against C's.
assert_c_offsets!(mount {
    mnt,
    mnt_parent,
    mnt_ns,
    mnt_mounts,
    mnt_child,
    mnt_t_flags,
    overmount,
});
assert_c_offsets!(mnt_namespace {
    root,
    user_ns,
    nr_mounts,
    is_anon,
});
assert_c_offsets!(fs_struct { root, pwd });

/// What `open_tree()` and `fsmount()` ask to copy into a namespace made from a mount
/// (`enum mount_copy_flags_t`).
pub mod copy_flags {
    /// Copy the tree at the path with the mounts below it (`AT_RECURSIVE`).
    pub const MOUNT_COPY_RECURSIVE: u32 = crate::bindings::mount_copy_flags_t_MOUNT_COPY_RECURSIVE;

    /// The mount is new (`fsmount()`): copy it alone.
    pub const MOUNT_COPY_NEW: u32 = crate::bindings::mount_copy_flags_t_MOUNT_COPY_NEW;
}

/// Mount flags (`MNT_*`), as in [`Mount::flags`].
pub mod flags {
    use crate::{
        bindings,
        ffi::c_int, //
    };

    /// The atime flags of the mount cannot be changed (a copy for a less privileged user
    /// namespace).
    pub const MNT_LOCK_ATIME: c_int = bindings::mount_flags_MNT_LOCK_ATIME as c_int;

    /// The mount cannot be unmounted or moved away from what it covers (a copy for a less
    /// privileged user namespace, or a mount that took the lock over).
    pub const MNT_LOCKED: c_int = bindings::mount_flags_MNT_LOCKED as c_int;
}

/// Wraps the kernel's `struct mount`: the VFS-private part of a mount, around its [`VfsMount`].
///
/// # Invariants
///
/// A `&Mount` is only created while the mount is referenced (its count is positive) or pinned by
/// `namespace_sem`, for the lifetime of the reference. `mnt.mnt_root` and `mnt.mnt_sb` are set and
/// do not change.
#[repr(transparent)]
pub struct Mount {
    inner: Opaque<bindings::mount>,
}

impl Mount {
    /// Creates a reference to a [`Mount`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct mount` that stays referenced, or pinned by
    /// `namespace_sem`, for the duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::mount) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the mount alive for `'a`.
        // The cast is okay because `Mount` is `repr(transparent)` over `struct mount`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::mount {
        self.inner.get()
    }

    /// Returns the [`Mount`] that `mnt` is embedded in (`real_mount()`).
    #[inline]
    pub fn of(mnt: &VfsMount) -> &Self {
        // SAFETY: Every `struct vfsmount` is the `mnt` field of a `struct mount`, alive as long as
        // the `vfsmount` is.
        unsafe { Self::from_raw(crate::container_of!(mnt.as_raw(), bindings::mount, mnt)) }
    }

    /// Returns the [`VfsMount`] embedded in the mount (`mnt`).
    #[inline]
    pub fn vfsmount(&self) -> &VfsMount {
        // SAFETY: `self.as_raw()` is valid, so is the address of its field `mnt`, the
        // `struct vfsmount` of this mount, alive as long as `self` is (type invariants).
        unsafe { VfsMount::from_raw(ptr::addr_of!((*self.as_raw()).mnt)) }
    }

    /// Returns the root of the mount (`mnt.mnt_root`).
    #[inline]
    pub fn root(&self) -> &Dentry {
        self.vfsmount().root()
    }

    /// Returns the flags of the mount (`mnt.mnt_flags`, see [`flags`]).
    ///
    /// They are changed under `mount_lock`; without it, the value may be stale when it is used.
    #[inline]
    pub fn flags(&self) -> c_int {
        // This `read_volatile` is intended to correspond to a READ_ONCE call: the flags may be
        // changed concurrently under `mount_lock`.
        //
        // SAFETY: `self.as_raw()` is valid (type invariants).
        unsafe { ptr::addr_of!((*self.as_raw()).mnt.mnt_flags).read_volatile() }
    }

    /// Returns whether the mount is locked (`IS_MNT_LOCKED()`): it cannot be unmounted or moved
    /// away from what it covers.
    #[inline]
    pub fn is_locked(&self) -> bool {
        self.flags() & flags::MNT_LOCKED != 0
    }

    /// Returns a new [`Path`] to the root of the mount, with a reference on each
    /// (`mntget()` and `dget()`).
    #[inline]
    pub fn root_path(&self) -> Path {
        Path::new(self.vfsmount().into(), self.root().into())
    }

    /// Returns the mount this one is mounted on (`mnt_parent`): itself for the root of a tree.
    #[inline]
    pub fn parent<'a>(&'a self, _held: &'a NsLocked) -> &'a Self {
        // SAFETY: `self.as_raw()` is valid; `mnt_parent` is set, and changes under
        // `namespace_sem`, which is held (`_held`) and pins the parent.
        unsafe { Self::from_raw((*self.as_raw()).mnt_parent) }
    }

    /// Returns whether the mount is mounted on another one (`mnt_has_parent()`).
    #[inline]
    pub fn has_parent(&self, held: &NsLocked) -> bool {
        !ptr::eq(self.parent(held), self)
    }

    /// The namespace of the mount (`mnt_ns`): NULL for a detached mount, `MNT_NS_INTERNAL` (an
    /// error pointer) for a kernel-internal one.
    #[inline]
    fn raw_ns(&self, _held: &NsLocked) -> *mut bindings::mnt_namespace {
        // SAFETY: `self.as_raw()` is valid; `mnt_ns` changes under `namespace_sem`, which is held
        // (`_held`).
        unsafe { (*self.as_raw()).mnt_ns }
    }

    /// Returns the namespace the mount is in (`mnt_ns`), if any (`is_mounted()`).
    #[inline]
    pub fn ns<'a>(&'a self, held: &'a NsLocked) -> Option<&'a MountNs> {
        let ns = self.raw_ns(held);
        if ns.is_null() || ns as usize >= (bindings::MAX_ERRNO as usize).wrapping_neg() {
            None
        } else {
            // SAFETY: The namespace of a mount is freed only after `namespace_sem` is released
            // (`namespace_unlock()`), and it is held for `'a`.
            Some(unsafe { MountNs::from_raw(ns) })
        }
    }

    /// Returns whether this mount and `other` are in the same namespace, or both in none
    /// (`a->mnt_ns == b->mnt_ns`).
    #[inline]
    pub fn same_ns(&self, held: &NsLocked, other: &Self) -> bool {
        self.raw_ns(held) == other.raw_ns(held)
    }

    /// Returns whether the mount is in the namespace `ns` (`check_mnt()` for the caller's).
    #[inline]
    pub fn is_in(&self, held: &NsLocked, ns: &MntNamespace) -> bool {
        self.raw_ns(held) == ns.as_raw()
    }

    /// Returns whether the mount is the root of an anonymous namespace (`anon_ns_root()`): of a
    /// detached tree, from `open_tree(OPEN_TREE_CLONE)` or `fsmount()`.
    #[inline]
    pub fn is_anon_ns_root(&self, held: &NsLocked) -> bool {
        self.ns(held)
            .is_some_and(|ns| ns.is_anon() && ns.root_raw() == self.as_raw())
    }

    /// Returns whether the caller may attach mounts to this mount (`may_use_mount()`): it is in
    /// the caller's namespace `current`, or in an anonymous namespace made from it
    /// (`check_anonymous_mnt()`).
    #[inline]
    pub fn may_be_used(&self, held: &NsLocked, current: &MntNamespace) -> bool {
        if self.is_in(held, current) {
            return true;
        }
        // Not unmounted, nor something purely kernel internal.
        // SAFETY: `self.as_raw()` is valid; `namespace_sem` is held (`held`), under which
        // `check_anonymous_mnt()` reads the namespace of the mount.
        self.ns(held).is_some() && unsafe { bindings::mntns_check_anonymous_mnt(self.as_raw()) }
    }

    /// Returns the `namespace_sem`-protected flags of the mount (`mnt_t_flags`, `T_*`).
    #[inline]
    fn t_flags(&self, _held: &NsLocked) -> c_int {
        // SAFETY: `self.as_raw()` is valid; `mnt_t_flags` changes under `namespace_sem`, which is
        // held (`_held`).
        unsafe { (*self.as_raw()).mnt_t_flags }
    }

    /// Returns whether the mount is shared (`IS_MNT_SHARED()`): it propagates to its peers.
    #[inline]
    pub fn is_shared(&self, held: &NsLocked) -> bool {
        self.t_flags(held) & bindings::T_SHARED as c_int != 0
    }

    /// Returns whether the mount is unbindable (`IS_MNT_UNBINDABLE()`).
    #[inline]
    pub fn is_unbindable(&self, held: &NsLocked) -> bool {
        self.t_flags(held) & bindings::T_UNBINDABLE as c_int != 0
    }

    /// Returns the mount on top of the root of this one (`overmount`), if any.
    #[inline]
    pub fn overmount<'a>(&'a self, _held: &'a NsLocked) -> Option<&'a Self> {
        // SAFETY: `self.as_raw()` is valid; `overmount` changes under `namespace_sem`, which is
        // held (`_held`).
        let over = unsafe { (*self.as_raw()).overmount };
        if over.is_null() {
            None
        } else {
            // SAFETY: A mount on top of another is pinned by `namespace_sem`, held for `'a`.
            Some(unsafe { Self::from_raw(over) })
        }
    }

    /// Returns the stack of mounts on top of the root of this one, bottom first.
    #[inline]
    pub fn overmounts<'a>(&'a self, held: &'a NsLocked) -> impl Iterator<Item = &'a Self> + 'a {
        core::iter::successors(self.overmount(held), move |m| m.overmount(held))
    }

    /// Returns the mounts of the tree whose root is this mount, the root first (`next_mnt()`).
    #[inline]
    pub fn tree<'a>(&'a self, held: &'a NsLocked) -> impl Iterator<Item = &'a Self> + 'a {
        core::iter::successors(Some(self), move |p| self.next_in_tree(held, p))
    }

    /// Returns the mount after `p` in a walk of the tree whose root is this mount, depth first
    /// (`next_mnt()`): its first child, or else the next sibling of it or of the nearest of its
    /// parents below this mount that has one; `None` after the last.
    #[inline]
    fn next_in_tree<'a>(&'a self, held: &'a NsLocked, mut p: &'a Self) -> Option<&'a Self> {
        // SAFETY: `p` is a mount of the tree, and the mounts of a tree, their `mnt_parent` and the
        // lists of their children (`mnt_mounts`, linked by `mnt_child`) change only under
        // `namespace_sem`, which is held (`held`) and pins them. An empty list points to itself;
        // an entry of a list of children is the `mnt_child` of a mount of the tree.
        unsafe {
            let mut next = (*p.as_raw()).mnt_mounts.next;
            if !p.has_children(held) {
                loop {
                    if ptr::eq(p, self) {
                        return None;
                    }
                    let parent = (*p.as_raw()).mnt_parent;
                    next = (*p.as_raw()).mnt_child.next;
                    if next != ptr::addr_of_mut!((*parent).mnt_mounts) {
                        break;
                    }
                    p = Self::from_raw(parent);
                }
            }
            Some(Self::from_raw(crate::container_of!(
                next,
                bindings::mount,
                mnt_child
            )))
        }
    }

    /// Returns whether anything is mounted on this mount (`!list_empty(&mnt_mounts)`).
    #[inline]
    pub fn has_children(&self, _held: &NsLocked) -> bool {
        // SAFETY: `self.as_raw()` is valid; the list of children changes under `namespace_sem`,
        // which is held (`_held`). An empty list points to itself.
        unsafe {
            let head = ptr::addr_of_mut!((*self.as_raw()).mnt_mounts);
            (*head).next != head
        }
    }

    /// Returns whether this mount is `other` or one of the mounts `other` is mounted on, down to
    /// the root of its tree (`mount_is_ancestor()`).
    #[inline]
    pub fn is_ancestor_of(&self, held: &NsLocked, other: &Self) -> bool {
        let mut m = other;
        while !ptr::eq(m, self) && m.has_parent(held) {
            m = m.parent(held);
        }
        ptr::eq(m, self)
    }

    /// Returns whether something is mounted on `dentry` or below it, within this mount
    /// (`__has_children()`).
    #[inline]
    pub fn has_children_under(&self, _held: &NsLocked, dentry: &Dentry) -> bool {
        // SAFETY: `self` and `dentry` are valid; the list of children is protected by
        // `namespace_sem`, which is held (`_held`).
        unsafe { bindings::mntns_has_children(self.as_raw(), dentry.as_raw()) }
    }

    /// Returns whether the root of the mount is the file of a mount namespace (an nsfs dentry,
    /// `is_mnt_ns_file()`): such mounts are left out of copies of the tree.
    #[inline]
    pub fn is_mnt_ns_file(&self) -> bool {
        // The files of nsfs are regular files: the root of a mount that is a directory, the
        // common case, is none, without the call.
        //
        // SAFETY: The root of a live mount is a valid, referenced dentry.
        !self.root().is_dir() && unsafe { bindings::mntns_is_mnt_ns_file(self.root().as_raw()) }
    }

    /// Returns whether the root of the mount is the file of a mount namespace that attaching it
    /// in the caller's namespace could make a loop of references with: one not newer than the
    /// caller's (`mnt_ns_loop()`).
    #[inline]
    pub fn is_mnt_ns_loop(&self) -> bool {
        // Only a file of nsfs, a regular file, may be one (see `is_mnt_ns_file()`).
        //
        // SAFETY: The root of a live mount is a valid, referenced dentry.
        !self.root().is_dir() && unsafe { bindings::mntns_mnt_ns_loop(self.root().as_raw()) }
    }

    /// Locks the mount (`MNT_LOCKED`): it can no longer be unmounted, or moved away, to reveal
    /// what it covers.
    #[inline]
    pub fn lock(&self, _locked: &MountLocked) {
        // SAFETY: `self.as_raw()` is valid; its flags are protected by `mount_lock`, which is held
        // for writing (`_locked`).
        unsafe { (*self.as_raw()).mnt.mnt_flags |= flags::MNT_LOCKED };
    }

    /// Locks the tree whose root is this mount against a less privileged user namespace
    /// (`lock_mnt_tree()`): the flags of its mounts can no longer be changed, and its mounts but
    /// the root (and those that may expire) are locked.
    #[inline]
    pub fn lock_tree(&self, _locked: &MountLocked) {
        // SAFETY: `self.as_raw()` is valid; the flags of the tree, and the tree, are protected by
        // `mount_lock`, which is held for writing (`_locked`).
        unsafe { bindings::mntns_lock_mnt_tree(self.as_raw()) };
    }

    /// Hands the lock of this mount over to `beneath`: if this mount is locked, `beneath` is
    /// locked and this mount no longer is.
    ///
    /// # Safety
    ///
    /// `beneath` must now cover everything this mount covered (it was mounted beneath it, or took
    /// its place), so that unmounting this mount reveals nothing that it hid.
    #[inline]
    pub unsafe fn hand_lock_to(&self, beneath: &Self, locked: &MountLocked) {
        if self.is_locked() {
            beneath.lock(locked);
            // SAFETY: `self.as_raw()` is valid; its flags are protected by `mount_lock`, held for
            // writing (`locked`). The caller guarantees that `beneath`, locked just above, hides
            // what `self` hid.
            unsafe { (*self.as_raw()).mnt.mnt_flags &= !flags::MNT_LOCKED };
        }
    }
}

/// Wraps the kernel's `struct mnt_namespace`, with a reference held.
///
/// # Invariants
///
/// Instances of this type are always reference-counted (`ns_ref` of the embedded `ns_common`:
/// `get_mnt_ns()` and `put_mnt_ns()`, which tears the namespace down when the last reference
/// goes): a `&MntNamespace` is only created while a reference is held for its lifetime, and
/// `ARef<MntNamespace>` owns one. Meanwhile its `root` and `user_ns` are set, referenced by the
/// namespace, and do not change.
#[repr(transparent)]
pub struct MntNamespace {
    inner: Opaque<bindings::mnt_namespace>,
}

// SAFETY: A mount namespace is not tied to a thread: its reference may be dropped on any thread
// (from process context, without `namespace_sem`; `put_mnt_ns()` may sleep and take it).
unsafe impl Send for MntNamespace {}

// SAFETY: The methods of `MntNamespace` only read fields that do not change while it is
// referenced, or read them with `READ_ONCE()` semantics.
unsafe impl Sync for MntNamespace {}

// SAFETY: The type invariants guarantee that `MntNamespace` is always reference-counted.
unsafe impl AlwaysRefCounted for MntNamespace {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the reference count is positive.
        unsafe { bindings::mntns_get_mnt_ns(self.as_raw()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller passes us ownership of a reference. The cast is okay since
        // `MntNamespace` has the same representation as `struct mnt_namespace`. The wrapper of
        // `put_mnt_ns()` asserts that `namespace_sem`, which it may take, is not held.
        unsafe { bindings::mntns_put_mnt_ns(obj.cast().as_ptr()) }
    }
}

impl MntNamespace {
    /// Creates a reference to a [`MntNamespace`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct mnt_namespace` on which a reference is held for the
    /// duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::mnt_namespace) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the namespace referenced for
        // `'a`. The cast is okay because `MntNamespace` is `repr(transparent)` over
        // `struct mnt_namespace`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::mnt_namespace {
        self.inner.get()
    }

    /// Returns the mount namespace of the current task (`current->nsproxy->mnt_ns`).
    #[inline]
    pub fn current(_task: &CurrentTask) -> &Self {
        // SAFETY: The task's `nsproxy` holds a reference on its mount namespace, and only the task
        // itself replaces its `nsproxy` (`setns()`, `unshare()`), which the kernel crate offers no
        // way to do; `&CurrentTask` does not leave the current task's scope, so the namespace
        // stays referenced for the returned lifetime.
        unsafe { Self::from_raw(bindings::mntns_current_mnt_ns()) }
    }

    /// Returns the root mount of the namespace (`root`).
    #[inline]
    pub fn root(&self) -> &Mount {
        // SAFETY: By the type invariants, `root` is set and referenced, and does not change, while
        // the namespace is referenced, so for the lifetime of `self`.
        unsafe { Mount::from_raw((*self.as_raw()).root) }
    }

    /// Returns the user namespace that owns the namespace (`user_ns`).
    #[inline]
    pub fn user_ns(&self) -> &UserNamespace {
        // SAFETY: By the type invariants, `user_ns` is set and referenced, and does not change,
        // while the namespace is referenced, so for the lifetime of `self`.
        unsafe { UserNamespace::from_raw((*self.as_raw()).user_ns) }
    }

    /// Returns the number of mounts in the namespace (`nr_mounts`).
    ///
    /// It changes under `namespace_sem`; without it, the value may be stale when it is used.
    #[inline]
    pub fn nr_mounts(&self) -> u32 {
        // This `read_volatile` is intended to correspond to a READ_ONCE call.
        //
        // SAFETY: `self.as_raw()` is valid (type invariants).
        unsafe { ptr::addr_of!((*self.as_raw()).nr_mounts).read_volatile() }
    }
}

/// The namespace a mount is in ([`Mount::ns`]), borrowed under `namespace_sem`.
///
/// It may be dying (its last reference dropped, waiting for the semaphore to be torn down) or
/// anonymous (freed with its detached tree, whatever its count), so, unlike [`MntNamespace`], it
/// cannot be turned into a counted reference.
///
/// # Invariants
///
/// A `&MountNs` is only created for the namespace of a mount while `namespace_sem` is held, for
/// its lifetime: the namespace is not freed, and its `user_ns`, `is_anon` and `root` (set before
/// any mount is added to it) do not change.
#[repr(transparent)]
pub struct MountNs {
    inner: Opaque<bindings::mnt_namespace>,
}

impl MountNs {
    /// Creates a reference to a [`MountNs`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to the namespace of a mount, and `namespace_sem` be held, for the
    /// duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::mnt_namespace) -> &'a Self {
        // SAFETY: The caller guarantees that the namespace is valid for `'a`. The cast is okay
        // because `MountNs` is `repr(transparent)` over `struct mnt_namespace`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::mnt_namespace {
        self.inner.get()
    }

    /// Returns whether this is the namespace `ns`.
    #[inline]
    pub fn is(&self, ns: &MntNamespace) -> bool {
        self.as_raw() == ns.as_raw()
    }

    /// Returns whether the namespace is anonymous (`is_anon_ns()`): the namespace of a detached
    /// tree.
    #[inline]
    pub fn is_anon(&self) -> bool {
        // SAFETY: `self.as_raw()` is valid (type invariants); `is_anon` does not change.
        unsafe { (*self.as_raw()).is_anon }
    }

    /// Returns the user namespace that owns the namespace (`user_ns`).
    #[inline]
    pub fn user_ns(&self) -> &UserNamespace {
        // SAFETY: `user_ns` is set and referenced by the namespace until it is freed, which it is
        // not for the lifetime of `self` (type invariants).
        unsafe { UserNamespace::from_raw((*self.as_raw()).user_ns) }
    }

    /// The root mount of the namespace (`root`), for comparisons.
    #[inline]
    fn root_raw(&self) -> *mut bindings::mount {
        // SAFETY: `self.as_raw()` is valid (type invariants).
        unsafe { (*self.as_raw()).root }
    }
}

/// Proof that the current task holds `namespace_sem`, for reading or writing: the mount trees do
/// not change, and no mount or namespace of them goes away, while it is held.
///
/// The topology of the mount trees (parents, overmounts, namespaces, propagation flags) is only
/// read with a `&NsLocked`, for its lifetime.
///
/// # Invariants
///
/// The current task holds `namespace_sem` for the lifetime of any `&NsLocked`.
pub struct NsLocked {
    _not_send: NotThreadSafe,
}

impl NsLocked {
    /// Returns the proof that the current task holds `namespace_sem`, for a C caller that holds
    /// it.
    ///
    /// # Safety
    ///
    /// The current task must hold `namespace_sem`, for reading or writing, for the duration of
    /// `'a`.
    #[inline]
    pub unsafe fn assume_held<'a>() -> &'a Self {
        // SAFETY: `NsLocked` is a zero-sized type: a dangling, aligned pointer is a valid
        // reference to it.
        //
        // INVARIANT: The caller holds the semaphore for `'a`.
        unsafe { NonNull::<Self>::dangling().as_ref() }
    }
}

/// The number of mount trees that may be under construction at once under one guard of
/// `namespace_sem` ([`NewMount`]).
const MAX_NEW_TREES: usize = 4;
// A bit of `NsWrite::used` for each.
const _: () = assert!(MAX_NEW_TREES <= u8::BITS as usize);

/// Proof that the current task holds `namespace_sem` for writing, handed out by its guards
/// ([`NamespaceExcl`], [`Mountpoint`]) for as long as they hold it. It dereferences to
/// [`NsLocked`].
///
/// It also keeps what must outlive the trees made under the semaphore: the namespace published
/// under it ([`NewMntNamespace::publish`]), which the guard hands out once the semaphore is
/// released, and the trees under construction ([`NewMount`]), which the guard tears down before
/// it releases the semaphore if they were leaked. A tree takes a slot of `trees` and the bit of
/// the slot in `used`, so that making, consuming and checking for leaked trees costs a few
/// instructions, not a scan of the slots.
///
/// # Invariants
///
/// The current task holds `namespace_sem` for writing while an `NsWrite` is borrowed. `published`
/// is NULL or a namespace published under it, whose initial reference it owns. For each bit `i`
/// set in `used`, `trees[i]` is initialized, a tree in no namespace made under it, neither
/// published nor attached, whose reference it owns; the other entries of `trees` mean nothing.
pub struct NsWrite {
    published: Cell<*mut bindings::mnt_namespace>,
    used: Cell<u8>,
    trees: [Cell<MaybeUninit<*mut bindings::mount>>; MAX_NEW_TREES],
    held: NsLocked,
}

impl NsWrite {
    /// # Safety
    ///
    /// The current task must hold `namespace_sem` for writing while the result is borrowed.
    #[inline]
    unsafe fn new() -> Self {
        // INVARIANT: The caller holds the semaphore; nothing is published or under construction.
        Self {
            published: Cell::new(ptr::null_mut()),
            used: Cell::new(0),
            trees: [const { Cell::new(MaybeUninit::uninit()) }; MAX_NEW_TREES],
            held: NsLocked {
                _not_send: NotThreadSafe,
            },
        }
    }

    /// Records `mnt` as a tree under construction, taking over its reference, and returns its
    /// slot, or `None` if there is no room.
    ///
    /// # Safety
    ///
    /// `mnt` must be a tree in no namespace made under the semaphore, whose reference the caller
    /// gives up.
    #[inline]
    unsafe fn track(&self, mnt: *mut bindings::mount) -> Option<u8> {
        let used = self.used.get();
        let slot = (!used).trailing_zeros();
        let t = self.trees.get(slot as usize)?;

        t.set(MaybeUninit::new(mnt));
        // INVARIANT: `trees[slot]` is a tree as the invariants require, whose reference the caller
        // gave us.
        self.used.set(used | 1 << slot);
        // `slot` < `MAX_NEW_TREES`, which fits in `u8`.
        Some(slot as u8)
    }

    /// Forgets the tree in `slot` (from [`NsWrite::track`]) as a tree under construction, and
    /// gives its reference to the caller: it is being published, attached or torn down.
    #[inline]
    fn untrack(&self, slot: u8) {
        self.used.set(self.used.get() & !(1 << slot));
    }

    /// Tears down the trees under construction that were leaked instead of dropped; called by
    /// the guards right before they release the semaphore.
    #[inline]
    fn tear_down_leaked_trees(&self) {
        let mut used = self.used.replace(0);
        while used != 0 {
            let slot = used.trailing_zeros() as usize;
            used &= used - 1;
            // SAFETY: By the type invariants, the bit of `slot` was set: `trees[slot]` is
            // initialized, a tree in no namespace whose reference we own (no longer tracked), and
            // the semaphore is still held.
            unsafe { tear_down(self.trees[slot].get().assume_init()) };
        }
    }

    /// Returns the namespace published under the semaphore, if any, with its reference.
    ///
    /// # Safety
    ///
    /// The semaphore must have been released (`namespace_unlock()`): the reference is only safe to
    /// drop without it.
    #[inline]
    unsafe fn take_published(&self) -> Option<ARef<MntNamespace>> {
        let ns = NonNull::new(self.published.replace(ptr::null_mut()))?;

        // SAFETY: By the type invariants, `published` owned the initial reference of a published
        // namespace, which we hand over.
        Some(unsafe { ARef::from_raw(ns.cast()) })
    }
}

impl Deref for NsWrite {
    type Target = NsLocked;

    #[inline]
    fn deref(&self) -> &NsLocked {
        &self.held
    }
}

/// Tears down the tree `mnt` (`umount_tree(…, UMOUNT_SYNC)` under `mount_lock`, as
/// `copy_tree()` does on failure); `namespace_unlock()` frees its mounts.
///
/// # Safety
///
/// `mnt` must be a tree in no namespace whose reference the caller owns and gives up, and the
/// current task must hold `namespace_sem` for writing.
#[inline]
unsafe fn tear_down(mnt: *mut bindings::mount) {
    let _writer = MountWriter::lock();
    // SAFETY: The caller guarantees that `mnt` is a tree in no namespace, ours, and that
    // `namespace_sem` is held for writing; `mount_lock` is held for writing as `umount_tree()`
    // requires.
    unsafe { bindings::mntns_umount_detached_tree(mnt) };
}

/// `namespace_sem` held for writing: the guard `namespace_excl` of `fs/namespace.c`. It
/// dereferences to [`NsWrite`].
///
/// Releasing it calls `namespace_unlock()`, which releases the semaphore and then frees what was
/// given up under it, e.g. the mounts of a tree torn down by dropping a [`NewMount`].
///
/// # Invariants
///
/// The current task holds `namespace_sem` for writing until the guard is dropped or unlocked; the
/// guard is not `Send`: the task that took the semaphore releases it.
pub struct NamespaceExcl {
    w: NsWrite,
}

impl NamespaceExcl {
    /// Takes `namespace_sem` for writing (`namespace_lock()`), sleeping until it is free.
    ///
    /// A task that holds it already deadlocks.
    #[inline]
    pub fn lock() -> Self {
        // SAFETY: Always safe to call from process context.
        unsafe { bindings::mntns_namespace_lock() };

        // INVARIANT: We took `namespace_sem` for writing just above.
        Self {
            // SAFETY: We hold the semaphore until `Self` is dropped or unlocked, after which
            // nothing borrows `w`.
            w: unsafe { NsWrite::new() },
        }
    }

    /// Releases `namespace_sem` (`namespace_unlock()`), and returns the namespace published under
    /// it, if any ([`NewMntNamespace::publish`]), with the reference to it.
    #[inline]
    pub fn unlock(self) -> Option<ARef<MntNamespace>> {
        // SAFETY: `self` is forgotten right after, not dropped: the semaphore is released once.
        let published = unsafe { self.release() };
        core::mem::forget(self);
        published
    }

    /// Tears the leaked trees down, releases `namespace_sem`, and returns the namespace published
    /// under it, if any.
    ///
    /// # Safety
    ///
    /// Called once, as the guard goes: nothing may use it afterwards.
    #[inline]
    unsafe fn release(&self) -> Option<ARef<MntNamespace>> {
        self.w.tear_down_leaked_trees();

        // SAFETY: By the type invariants, the current task holds `namespace_sem` for writing,
        // which it gives up here, once (the caller's guarantee).
        unsafe { bindings::mntns_namespace_unlock() };

        // SAFETY: The semaphore is released.
        unsafe { self.w.take_published() }
    }
}

impl Deref for NamespaceExcl {
    type Target = NsWrite;

    #[inline]
    fn deref(&self) -> &NsWrite {
        &self.w
    }
}

impl Drop for NamespaceExcl {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: The guard goes. A published namespace nobody took may go too: the semaphore is
        // released.
        drop(unsafe { self.release() });
    }
}

/// Proof that the current task holds `mount_lock` for writing: mount flags and the mount hash
/// may be changed.
///
/// # Invariants
///
/// The current task holds `mount_lock` for writing for the lifetime of any `&MountLocked`.
pub struct MountLocked {
    _not_send: NotThreadSafe,
}

impl MountLocked {
    /// Returns the proof that the current task holds `mount_lock` for writing, for a C caller that
    /// holds it.
    ///
    /// # Safety
    ///
    /// The current task must hold `mount_lock` for writing (`lock_mount_hash()`) for the duration
    /// of `'a`.
    #[inline]
    pub unsafe fn assume_held<'a>() -> &'a Self {
        // SAFETY: `MountLocked` is a zero-sized type: a dangling, aligned pointer is a valid
        // reference to it.
        //
        // INVARIANT: The caller holds the lock for `'a`.
        unsafe { NonNull::<Self>::dangling().as_ref() }
    }
}

/// `mount_lock` held for writing: the guard `mount_writer` of `fs/mount.h`
/// (`lock_mount_hash()`). It dereferences to [`MountLocked`].
///
/// It is a spinning lock: the holder must not sleep. It nests inside `namespace_sem`.
///
/// # Invariants
///
/// The current task holds `mount_lock` for writing as long as the guard lives; the guard is not
/// `Send`.
pub struct MountWriter {
    held: MountLocked,
}

impl MountWriter {
    /// Takes `mount_lock` for writing (`lock_mount_hash()`).
    #[inline]
    pub fn lock() -> Self {
        // SAFETY: Always safe to call; a task that holds `mount_lock` already would deadlock.
        unsafe { bindings::mntns_lock_mount_hash() };

        // INVARIANT: We took `mount_lock` for writing just above.
        Self {
            held: MountLocked {
                _not_send: NotThreadSafe,
            },
        }
    }
}

impl Deref for MountWriter {
    type Target = MountLocked;

    #[inline]
    fn deref(&self) -> &MountLocked {
        &self.held
    }
}

impl Drop for MountWriter {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariants, the current task holds `mount_lock` for writing.
        unsafe { bindings::mntns_unlock_mount_hash() };
    }
}

/// A new mount namespace being built, not visible to anyone yet.
///
/// Made by [`NewMntNamespace::alloc`] for an owning user namespace, from an existing namespace that
/// its mounts are copied from; filled, under `namespace_sem`, with mount trees made by its methods
/// ([`NewMount`]); made visible by [`NewMntNamespace::publish`]. Dropped unpublished, on an error
/// path, it is freed (`free_mnt_ns()`), as C's error paths do: without `namespace_sem`, which the
/// wrapper of `free_mnt_ns()` asserts.
///
/// If the owner is not the owner of the namespace the mounts come from (the caller created a user
/// namespace, which is less privileged), the copies are slaves that leave out no unbindable mount
/// (`CL_SLAVE | CL_COPY_UNBINDABLE`), and the tree is locked when the namespace is published
/// (`lock_mnt_tree()`): its flags cannot be changed and what its mounts cover cannot be revealed
/// by the new owner.
///
/// # Invariants
///
/// `ns` is a namespace that `alloc_mnt_ns()` made. Until `published`, this object owns its only
/// reference and it is not in the namespace tree: no one else can see it, no mount is in it and
/// its `root` is NULL. Once `published`, the guard of `namespace_sem` it was published under owns
/// that reference. `foreign` says whether its owner differs from that of the namespace its mounts
/// are copied from.
pub struct NewMntNamespace {
    ns: NonNull<bindings::mnt_namespace>,
    foreign: bool,
    published: Cell<bool>,
}

impl NewMntNamespace {
    /// Allocates a mount namespace owned by `owner` (`alloc_mnt_ns()`), to be filled with copies
    /// of mounts of `from`.
    ///
    /// Fails with `ENOSPC` when the owner may not have more mount namespaces (`ucounts`).
    #[inline]
    pub fn alloc(owner: &UserNamespace, from: &MntNamespace) -> Result<Self> {
        // SAFETY: `owner` is a valid, referenced user namespace; `alloc_mnt_ns()` takes its own
        // reference on it.
        let ns = from_err_ptr(unsafe { bindings::mntns_alloc_mnt_ns(owner.as_raw()) })?;

        // INVARIANT: `alloc_mnt_ns()` returned a new namespace, or an error: it is ours alone,
        // not in the tree, without mounts, with a NULL `root` (the allocation is zeroed).
        Ok(Self {
            // SAFETY: `from_err_ptr` returned a pointer that is not an error: a valid namespace.
            ns: unsafe { NonNull::new_unchecked(ns) },
            foreign: owner != from.user_ns(),
            published: Cell::new(false),
        })
    }

    /// Returns whether the namespace is owned by another user namespace than the one its mounts
    /// come from.
    #[inline]
    pub fn is_foreign(&self) -> bool {
        self.foreign
    }

    /// The `CL_*` flags of the copies of mounts made for this namespace.
    #[inline]
    fn copy_flags(&self) -> c_int {
        if self.foreign {
            (bindings::CL_SLAVE | bindings::CL_COPY_UNBINDABLE) as c_int
        } else {
            0
        }
    }

    /// Makes a [`NewMount`] of this namespace from the result of a C primitive that made a tree.
    ///
    /// # Safety
    ///
    /// `res` must be an error, or a new tree in no namespace made under the semaphore `w` proves
    /// with a reference that the caller gives to the returned object.
    #[inline]
    unsafe fn new_mount<'a>(
        &self,
        w: &'a NsWrite,
        res: *mut bindings::mount,
    ) -> Result<NewMount<'a>> {
        let mnt = from_err_ptr(res)?;
        // SAFETY: The caller guarantees that `mnt` is a new tree in no namespace, made under the
        // semaphore, and gives us its reference.
        let Some(slot) = (unsafe { w.track(mnt) }) else {
            // SAFETY: As just said; the semaphore is held.
            unsafe { tear_down(mnt) };
            return Err(EBUSY);
        };

        // INVARIANT: `mnt` is valid, the tree in `slot` of `w`, which owns its reference for us.
        Ok(NewMount {
            // SAFETY: `from_err_ptr` returned a pointer that is not an error: a valid mount.
            mnt: unsafe { NonNull::new_unchecked(mnt) },
            owner: self.ns.as_ptr(),
            w,
            slot,
        })
    }

    /// Makes a copy of the root mount of the namespace `ns` (`clone_mnt()` at its root), in no
    /// namespace, for this namespace.
    #[inline]
    pub fn clone_ns_root<'a>(&self, w: &'a NsWrite, ns: &MntNamespace) -> Result<NewMount<'a>> {
        let root = ns.root();

        // SAFETY: `root` is the referenced root mount of `ns`, cloned at its own root;
        // `namespace_sem` is held for writing (`w`), which `clone_mnt()` needs to link the copy
        // into the propagation lists of `root`. The result is an error or a new tree, ours.
        unsafe {
            self.new_mount(
                w,
                bindings::mntns_clone_mnt(root.as_raw(), root.root().as_raw(), self.copy_flags()),
            )
        }
    }

    /// Makes a copy of the mount at `path`, rooted at its dentry (`clone_mnt()`), in no namespace,
    /// for this namespace: the mount alone, without what is mounted below it.
    ///
    /// The mount of a mount-namespace file is refused with `EINVAL`: copies leave it out.
    #[inline]
    pub fn clone_path<'a>(&self, w: &'a NsWrite, path: &Path) -> Result<NewMount<'a>> {
        let mnt = Mount::of(path.mnt());
        if mnt.is_mnt_ns_file() {
            return Err(EINVAL);
        }

        // SAFETY: `path` is a referenced path: its dentry is of its mount, within its root.
        // `namespace_sem` is held for writing (`w`), which `clone_mnt()` needs to link the copy
        // into the propagation lists of the mount. The result is an error or a new tree, ours.
        unsafe {
            self.new_mount(
                w,
                bindings::mntns_clone_mnt(mnt.as_raw(), path.dentry().as_raw(), self.copy_flags()),
            )
        }
    }

    /// Makes a copy of the mount at `path` (`recursive`: with the mounts below it), in no
    /// namespace, for this namespace, as a bind mount copies it (`__do_loopback()`), though
    /// without the mounts of mount-namespace files (no `CL_COPY_MNT_NS_FILE`).
    ///
    /// Fails with `EINVAL` for what may not be copied: an unbindable mount, a mount of another
    /// namespace than the caller's (unless of an anonymous namespace made from it), a tree of a
    /// detached mount, or, without `recursive`, a mount that would leave out locked mounts.
    #[inline]
    pub fn loopback<'a>(
        &self,
        w: &'a NsWrite,
        path: &Path,
        recursive: bool,
    ) -> Result<NewMount<'a>> {
        // SAFETY: `path` is a valid, referenced path; `namespace_sem` is held for writing (`w`),
        // as `__do_loopback()` requires. The result is an error or a new tree, ours.
        unsafe {
            self.new_mount(
                w,
                bindings::mntns_do_loopback(path.as_raw(), recursive, self.copy_flags()),
            )
        }
    }

    /// Locks the root of the root mount of `ns` as a mountpoint (its inode and `namespace_sem`:
    /// `lock_mount_exact()`), makes a copy of that mount (`clone_mnt()`) for this namespace, and
    /// calls `f` with both; then unlocks (`__unlock_mount()`), and returns the namespace `f`
    /// published ([`NewMntNamespace::publish`]).
    ///
    /// Fails with `ENOENT` if the root cannot be mounted on, with the error of `f`, or with
    /// `EINVAL` if `f` published nothing.
    #[inline]
    pub fn with_copy_of_root<F>(&self, ns: &MntNamespace, f: F) -> Result<ARef<MntNamespace>>
    where
        F: for<'a> FnOnce(&'a Mountpoint, NewMount<'a>) -> Result,
    {
        let from = ns.root();
        // Linked into the list of the mountpoint while locked: it stays in this frame.
        let pinned = Opaque::<bindings::pinned_mountpoint>::zeroed();
        let to = bindings::path {
            mnt: from.vfsmount().as_raw(),
            dentry: from.root().as_raw(),
        };

        // SAFETY: `to` is the root of the referenced root mount of `ns`, `pinned` a zeroed
        // `pinned_mountpoint` that does not move until it is unlocked below. On failure,
        // `lock_mount_exact()` leaves nothing locked and `parent` an error.
        unsafe { bindings::mntns_lock_mount_exact_copy(&to, pinned.get(), self.copy_flags()) };
        // SAFETY: `pinned` is valid; `parent` is the copy of `from`, or an error.
        let copy = from_err_ptr(unsafe { (*pinned.get()).parent })?;

        // INVARIANT: `lock_mount_exact()` succeeded: the mountpoint is pinned, with the copy as its
        // `parent`, and `namespace_sem` held for writing until `__unlock_mount()` below, after
        // the last borrow of `mp`.
        let mp = Mountpoint {
            pinned: pinned.get(),
            // SAFETY: As just said.
            w: unsafe { NsWrite::new() },
        };
        // SAFETY: `copy` is a new tree in no namespace, with a reference that we own, made under
        // the semaphore that `mp` proves.
        let res = match unsafe { self.new_mount(&mp.w, copy) } {
            Ok(root) => f(&mp, root),
            Err(e) => Err(e),
        };

        mp.w.tear_down_leaked_trees();
        // SAFETY: `pinned` is locked (inode, `namespace_sem`, pinned mountpoint), and nothing
        // borrowed from `mp` is alive any more.
        unsafe { bindings::mntns_unlock_mount(pinned.get()) };
        // SAFETY: The semaphore is released.
        let published = unsafe { mp.w.take_published() };
        res?;
        published.ok_or(EINVAL)
    }

    /// Makes the tree `root` the mounts of the namespace, and the namespace visible: locks the
    /// tree if the namespace is foreign (`lock_mnt_tree()`), adds each mount to the namespace
    /// (`mnt_add_to_ns()`, `nr_mounts`), makes `root` its root and adds the namespace to the
    /// namespace tree (`ns_tree_add_raw()`).
    ///
    /// Returns the namespace, borrowed from the guard of `namespace_sem`: the guard hands the
    /// reference out when it releases the semaphore (e.g. [`NamespaceExcl::unlock`]). Fails with
    /// `EINVAL` if `root` was made for another namespace, or with `EBUSY` if this namespace, or
    /// another one under the same guard, was published already; `root` is torn down then.
    #[inline(always)]
    pub fn publish<'a>(&self, root: NewMount<'a>) -> Result<&'a MntNamespace> {
        if root.owner != self.ns.as_ptr() {
            return Err(EINVAL);
        }
        let w = root.w;
        if self.published.get() || !w.published.get().is_null() {
            return Err(EBUSY);
        }
        let ns = self.ns.as_ptr();

        if self.foreign {
            let writer = MountWriter::lock();
            root.lock_tree(&writer);
        }

        for p in root.tree(w) {
            // SAFETY: `ns` is valid and ours, `p` a mount of the tree `root`, in no namespace,
            // and `namespace_sem` is held for writing (`w`), as `mnt_add_to_ns()` requires;
            // `nr_mounts` is protected by the semaphore.
            unsafe {
                bindings::mntns_mnt_add_to_ns(ns, p.as_raw());
                (*ns).nr_mounts = (*ns).nr_mounts.wrapping_add(1);
            }
        }

        let root = root.into_raw();
        // SAFETY: `ns` is valid, ours and not yet visible, and the semaphore is held for writing,
        // under which `copy_mnt_ns()` sets the root and adds a namespace to the tree. The
        // namespace takes over the reference of `root`.
        unsafe {
            (*ns).root = root;
            bindings::mntns_mnt_ns_tree_add(ns);
        }

        // INVARIANT: `ns` is published under the semaphore `w` proves; its initial reference,
        // which `self` owned, goes to `w`, and `self` no longer frees it.
        self.published.set(true);
        w.published.set(ns);

        // SAFETY: `w` holds a reference on the namespace until the semaphore is released, which
        // `'a` does not outlive.
        Ok(unsafe { MntNamespace::from_raw(ns) })
    }
}

impl Drop for NewMntNamespace {
    #[inline]
    fn drop(&mut self) {
        if self.published.get() {
            return;
        }
        // SAFETY: By the type invariants, `ns` is ours alone, unpublished: not in the tree and
        // without mounts, as `free_mnt_ns()` requires.
        unsafe { bindings::mntns_free_mnt_ns(self.ns.as_ptr()) };
    }
}

/// A mount tree made for a [`NewMntNamespace`] under `namespace_sem`, in no namespace yet.
///
/// It borrows the proof that the semaphore is held (`'a`): it cannot outlive it. It is meant to
/// become the tree of its namespace ([`NewMntNamespace::publish`]) or part of another of its trees
/// ([`NewMount::attach`]); dropped before, it is torn down (`umount_tree(…, UMOUNT_SYNC)` under
/// `mount_lock`, as C's error paths do), which also takes the copies off the propagation lists of
/// the mounts they were copied from. If it is leaked instead, the guard of the semaphore tears it
/// down before it releases the semaphore.
///
/// # Invariants
///
/// `mnt` is a valid tree of mounts in no namespace, made for the namespace `owner`, the tree in
/// slot `slot` of `w`, which owns its reference for this object. The current task holds
/// `namespace_sem` for writing for `'a`.
pub struct NewMount<'a> {
    mnt: NonNull<bindings::mount>,
    owner: *const bindings::mnt_namespace,
    w: &'a NsWrite,
    slot: u8,
}

impl NewMount<'_> {
    /// Gives up the tree, untracked, with its reference, to the caller.
    #[inline]
    fn into_raw(self) -> *mut bindings::mount {
        let this = ManuallyDrop::new(self);
        this.w.untrack(this.slot);
        this.mnt.as_ptr()
    }

    /// Attaches `child` at the mountpoint `mp` on this mount (`attach_mnt()`), making `child` part
    /// of this tree; with `locked`, `child` is locked (`MNT_LOCKED`): it cannot be unmounted, or
    /// moved away, to reveal what it covers.
    ///
    /// Fails with `EINVAL` (and tears `child` down) if `mp` is not a mountpoint on this mount, if
    /// `child` was made for another namespace, or if one of the mountpoint and the root of `child`
    /// is a directory and the other is not.
    #[inline]
    pub fn attach(&self, child: NewMount<'_>, mp: &Mountpoint, locked: bool) -> Result {
        if !ptr::eq(mp.parent(), &**self)
            || child.owner != self.owner
            || mp.dentry().is_dir() != child.root().is_dir()
        {
            return Err(EINVAL);
        }

        let child = child.into_raw();
        let writer = MountWriter::lock();
        // SAFETY: `child` is a tree in no namespace, ours, alive until it is attached below.
        let child_mnt = unsafe { Mount::from_raw(child) };
        if locked {
            child_mnt.lock(&writer);
        }
        // SAFETY: `child` and `self` are trees in no namespace, ours, made under `namespace_sem`;
        // `mp` is a pinned mountpoint on `self`; `mount_lock` is held for writing, as
        // `attach_mnt()` requires. `self` takes over the reference of `child`.
        unsafe { bindings::mntns_attach_mnt(child, self.as_raw(), mp.pinned) };
        Ok(())
    }
}

impl Deref for NewMount<'_> {
    type Target = Mount;

    #[inline]
    fn deref(&self) -> &Mount {
        // SAFETY: By the type invariants, `mnt` is valid and we own a reference on it.
        unsafe { Mount::from_raw(self.mnt.as_ptr()) }
    }
}

impl Drop for NewMount<'_> {
    #[inline]
    fn drop(&mut self) {
        self.w.untrack(self.slot);
        // SAFETY: By the type invariants, `mnt` is a tree in no namespace whose reference is ours
        // now that it is untracked, and `namespace_sem` is held for writing.
        unsafe { tear_down(self.mnt.as_ptr()) };
    }
}

/// A mountpoint locked for mounting on it: the `struct pinned_mountpoint` of
/// `lock_mount_exact()` and `do_lock_mount()`, with the inode of its dentry and `namespace_sem`
/// locked, for as long as the function that hands out a `&Mountpoint` runs.
///
/// It dereferences to the proof that `namespace_sem` is held ([`NsWrite`]).
///
/// # Invariants
///
/// While a `&Mountpoint` is borrowed, `pinned` is a locked, pinned mountpoint whose `parent` is
/// the mount it is on, and the current task holds `namespace_sem` for writing (`w`).
pub struct Mountpoint {
    pinned: *mut bindings::pinned_mountpoint,
    w: NsWrite,
}

impl Mountpoint {
    /// Returns the mount the mountpoint is on (`parent`).
    #[inline]
    pub fn parent(&self) -> &Mount {
        // SAFETY: By the type invariants, `pinned` is valid and its `parent` the mount it is on,
        // pinned by `namespace_sem` as long as `self` is borrowed.
        unsafe { Mount::from_raw((*self.pinned).parent) }
    }

    /// Returns the dentry of the mountpoint (`mp->m_dentry`).
    #[inline]
    pub fn dentry(&self) -> &Dentry {
        // SAFETY: By the type invariants, `pinned` is valid and its `mp` a pinned mountpoint,
        // which holds a reference on its dentry while it is pinned.
        unsafe { Dentry::from_raw((*(*self.pinned).mp).m_dentry) }
    }

    /// Returns whether mounting something on `from` at this mountpoint would propagate a copy of
    /// it on top of `to` (`propagation_would_overmount()`).
    #[inline]
    pub fn propagation_would_overmount(&self, from: &Mount, to: &Mount) -> bool {
        // SAFETY: `from` and `to` are mounts pinned by `namespace_sem`, held (type invariants), as
        // the propagation walk requires; `pinned` is a valid, pinned mountpoint.
        unsafe {
            bindings::mntns_propagation_would_overmount(from.as_raw(), to.as_raw(), self.pinned)
        }
    }

    /// Attaches the tree `source` at this mountpoint, propagating copies of it
    /// (`attach_recursive_mnt()`): moves it here if it is mounted, or makes a detached tree part
    /// of the parent's namespace.
    ///
    /// # Safety
    ///
    /// What `do_move_mount()` checks before it calls `attach_recursive_mnt()` must hold: the
    /// parent of the mountpoint is in a namespace (the caller's or an anonymous one made from it);
    /// `source` is a mount of the caller's namespace with a parent, or the root of an anonymous
    /// namespace other than the parent's; `source` is not the parent or one of its ancestors, and
    /// its tree has no mount of a mount-namespace file that could make a loop; and, with
    /// `MOVE_MOUNT_BENEATH`, what `can_move_mount_beneath()` checks. `source` is attached once.
    #[inline]
    pub unsafe fn attach_recursive(&self, source: &Mount) -> Result {
        // SAFETY: `source` is a mount pinned by `namespace_sem`, `pinned` a locked mountpoint
        // (type invariants); the caller guarantees what `attach_recursive_mnt()` requires of them.
        to_result(unsafe { bindings::mntns_attach_recursive_mnt(source.as_raw(), self.pinned) })
    }
}

impl Deref for Mountpoint {
    type Target = NsWrite;

    #[inline]
    fn deref(&self) -> &NsWrite {
        &self.w
    }
}

/// Locks the place to mount on at `path` (`do_lock_mount()`): the mount on top of whatever is
/// mounted there, or, with `beneath`, the place immediately beneath the topmost mount at `path`;
/// its inode and `namespace_sem` are locked, retrying while the chain of mounts there changes.
/// Calls `f` with it, then unlocks.
///
/// Fails with `ENOENT` if the place cannot be mounted on (it was unmounted, or unlinked), with
/// `EINVAL` if `beneath` and `path` is not the root of a mount with a parent or an overmount, or
/// with the error of `f`.
#[inline]
pub fn lock_mount<R>(
    path: &Path,
    beneath: bool,
    f: impl FnOnce(&Mountpoint) -> Result<R>,
) -> Result<R> {
    // Linked into the list of the mountpoint while locked: it stays in this frame.
    let pinned = Opaque::<bindings::pinned_mountpoint>::zeroed();

    // SAFETY: `path` is a valid, referenced path and `pinned` a zeroed `pinned_mountpoint` that
    // does not move until it is unlocked below. On failure, `do_lock_mount()` leaves nothing
    // locked and `parent` an error.
    unsafe { bindings::mntns_do_lock_mount(path.as_raw(), pinned.get(), beneath) };
    // SAFETY: `pinned` is valid; `parent` is the mount to mount on, or an error.
    from_err_ptr(unsafe { (*pinned.get()).parent })?;

    // INVARIANT: `do_lock_mount()` succeeded: the mountpoint is pinned with its `parent`, and
    // `namespace_sem` held for writing until `__unlock_mount()` below, after the last borrow of
    // `mp`.
    let mp = Mountpoint {
        pinned: pinned.get(),
        // SAFETY: As just said.
        w: unsafe { NsWrite::new() },
    };
    let res = f(&mp);

    mp.w.tear_down_leaked_trees();
    // SAFETY: `pinned` is locked (inode, `namespace_sem`, pinned mountpoint), and nothing borrowed
    // from `mp` is alive any more.
    unsafe { bindings::mntns_unlock_mount(pinned.get()) };
    // SAFETY: The semaphore is released: a namespace published under it may go.
    drop(unsafe { mp.w.take_published() });
    res
}

/// Wraps the kernel's `struct fs_struct`: the root and working directory of a task.
///
/// # Invariants
///
/// A `&FsStruct` is only created for an `fs_struct` that the current thread has to itself for its
/// lifetime: one that `copy_fs_struct()` made for a task being created or unsharing, and that no
/// task uses yet. Its `root` and `pwd` are set, and may be written without `seq`, as
/// `copy_mnt_ns()` does in C. `FsStruct` is neither `Send` nor `Sync`.
#[repr(transparent)]
pub struct FsStruct {
    inner: Opaque<bindings::fs_struct>,
}

impl FsStruct {
    /// Creates a reference to a [`FsStruct`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct fs_struct` that no other thread uses for the duration
    /// of `'a` (one from `copy_fs_struct()` not yet installed in a task, as `copy_mnt_ns()` gets).
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::fs_struct) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid for `'a`. The cast is okay
        // because `FsStruct` is `repr(transparent)` over `struct fs_struct`.
        //
        // INVARIANT: The caller guarantees that the `fs_struct` is ours alone for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::fs_struct {
        self.inner.get()
    }

    /// Sets the root directory (`root`) to `root` and returns the previous one.
    ///
    /// Dropping the result releases the previous root (`path_put()`).
    #[inline]
    pub fn replace_root(&self, root: Path) -> Path {
        // SAFETY: By the type invariants, the `fs_struct` is valid and ours alone, so we may
        // write its `root` without `seq`.
        let old =
            unsafe { ptr::replace(ptr::addr_of_mut!((*self.as_raw()).root), root.into_raw()) };

        // SAFETY: The `fs_struct` held a reference on each member of its `root`, which it no
        // longer does: they are ours.
        unsafe { Path::from_raw_owned(old) }
    }

    /// Sets the working directory (`pwd`) to `pwd` and returns the previous one.
    ///
    /// Dropping the result releases the previous working directory (`path_put()`).
    #[inline]
    pub fn replace_pwd(&self, pwd: Path) -> Path {
        // SAFETY: By the type invariants, the `fs_struct` is valid and ours alone, so we may
        // write its `pwd` without `seq`.
        let old = unsafe { ptr::replace(ptr::addr_of_mut!((*self.as_raw()).pwd), pwd.into_raw()) };

        // SAFETY: The `fs_struct` held a reference on each member of its `pwd`, which it no
        // longer does: they are ours.
        unsafe { Path::from_raw_owned(old) }
    }
}
