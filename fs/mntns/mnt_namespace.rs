// SPDX-License-Identifier: GPL-2.0

//! The VFS-private mount structures, for the mount-namespace paths of the VFS.
//!
//! Wraps `struct mount`, `struct mnt_namespace` and `struct fs_struct`, and the primitives of
//! `fs/namespace.c` that mount namespaces are built and changed with. It is a module of the
//! `mntns` crate: no other Rust code can name it.
//!
//! `namespace_sem` serialises the changes of the mount trees, and `mount_lock` nests inside it.
//! The topology is read only with the proof that `namespace_sem` is held ([`NsLocked`]), and
//! mount flags are changed only with the proof that `mount_lock` is held for writing
//! ([`MountLocked`]); the guards hand them out. The types keep the rules of copies:
//!
//! - A [`NewMntNamespace`] copies from the one namespace it is made from, and decides its copy
//!   flags itself: owned by another user namespace than that one's owner, its copies are slaves
//!   that leave no unbindable mount out, and its tree is locked (`lock_mnt_tree()`).
//! - The trees it makes are never handed out: a tree that is not published is torn down before
//!   `namespace_sem` is released, and the namespace is handed out only after that.
//! - Clearing `MNT_LOCKED` ([`Mount::hand_lock_to`]) and attaching a tree
//!   ([`Mountpoint::attach_recursive`]) are `unsafe`: their callers prove what C's callers check.
//!
//! C headers: [`fs/mount.h`](srctree/fs/mount.h), [`fs/pnode.h`](srctree/fs/pnode.h)

use core::{
    mem::ManuallyDrop,
    ptr::{
        self,
        NonNull, //
    },
};
use kernel::{
    bindings,
    error::{
        from_err_ptr,
        to_result, //
    },
    fs::{
        Dentry,
        Path,
        VfsMount, //
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

// These structs are `__randomize_layout`: check bindgen's offset of every field used here against
// C's (`RUST_OFFSETOF()` in `rust/bindings/bindings_helper.h`).
const _: () = {
    use bindings::*;
    use core::mem::offset_of;
    assert!(offset_of!(mount, mnt) == OFFSETOF_mount__mnt);
    assert!(offset_of!(mount, mnt_parent) == OFFSETOF_mount__mnt_parent);
    assert!(offset_of!(mount, mnt_ns) == OFFSETOF_mount__mnt_ns);
    assert!(offset_of!(mount, mnt_master) == OFFSETOF_mount__mnt_master);
    assert!(offset_of!(mount, mnt_slave_list) == OFFSETOF_mount__mnt_slave_list);
    assert!(offset_of!(mount, mnt_t_flags) == OFFSETOF_mount__mnt_t_flags);
    assert!(offset_of!(mount, overmount) == OFFSETOF_mount__overmount);
    assert!(offset_of!(mnt_namespace, root) == OFFSETOF_mnt_namespace__root);
    assert!(offset_of!(mnt_namespace, user_ns) == OFFSETOF_mnt_namespace__user_ns);
    assert!(offset_of!(mnt_namespace, nr_mounts) == OFFSETOF_mnt_namespace__nr_mounts);
    assert!(offset_of!(fs_struct, root) == OFFSETOF_fs_struct__root);
    assert!(offset_of!(fs_struct, pwd) == OFFSETOF_fs_struct__pwd);
    assert!(offset_of!(cred, user_ns) == OFFSETOF_cred__user_ns);
};

/// `WARN_ON_ONCE(cond)`: reports a broken assumption once, and returns `cond`.
macro_rules! warn_on_once {
    ($cond:expr) => {{
        let cond = $cond;
        if cond {
            kernel::warn_flags!(
                file!(),
                kernel::bug::bugflag_taint(kernel::bindings::TAINT_WARN)
                    | kernel::bindings::BUGFLAG_ONCE
            );
        }
        cond
    }};
}
pub(crate) use warn_on_once;

/// Wraps the kernel's `struct mount`, the VFS's side of a [`VfsMount`].
///
/// # Invariants
///
/// A `&Mount` is only created while the mount is referenced, or pinned by `namespace_sem`, for its
/// lifetime.
#[repr(transparent)]
pub(crate) struct Mount(Opaque<bindings::mount>);

impl Mount {
    /// # Safety
    ///
    /// `ptr` points to a `struct mount` that is referenced, or pinned by `namespace_sem`, for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *const bindings::mount) -> &'a Self {
        // SAFETY: The caller guarantees that the mount is valid for `'a`, and `Mount` is
        // `repr(transparent)` over `struct mount`.
        unsafe { &*ptr.cast() }
    }

    fn as_raw(&self) -> *mut bindings::mount {
        self.0.get()
    }

    /// The mount of `mnt` (`real_mount()`).
    pub(crate) fn of(mnt: &VfsMount) -> &Self {
        // SAFETY: Every `struct vfsmount` is the `mnt` of a `struct mount`, which lives as long.
        unsafe { Self::from_raw(kernel::container_of!(mnt.as_raw(), bindings::mount, mnt)) }
    }

    pub(crate) fn vfsmount(&self) -> &VfsMount {
        // SAFETY: `mnt` of a valid mount is a valid `struct vfsmount` that lives as long.
        unsafe { VfsMount::from_raw(&raw const (*self.as_raw()).mnt) }
    }

    pub(crate) fn root(&self) -> &Dentry {
        self.vfsmount().root()
    }

    /// Whether the mount is locked (`MNT_LOCKED`): it hides what it covers from a less privileged
    /// user namespace, so it cannot be unmounted or moved away.
    pub(crate) fn is_locked(&self) -> bool {
        // A `READ_ONCE()`: the flags change under `mount_lock`, which may not be held.
        //
        // SAFETY: `self.as_raw()` is valid.
        let flags = unsafe { (&raw const (*self.as_raw()).mnt.mnt_flags).read_volatile() };
        flags & bindings::mount_flags_MNT_LOCKED as c_int != 0
    }

    /// The mount this one is mounted on (`mnt_parent`), itself for the root of a tree.
    pub(crate) fn parent<'a>(&'a self, _held: &'a NsLocked) -> &'a Self {
        // SAFETY: `mnt_parent` is set, and changes under `namespace_sem`, which pins the parent.
        unsafe { Self::from_raw((*self.as_raw()).mnt_parent) }
    }

    pub(crate) fn has_parent(&self, _held: &NsLocked) -> bool {
        // SAFETY: `mnt_parent` changes under `namespace_sem`, which is held.
        unsafe { bindings::mnt_has_parent(self.as_raw()) != 0 }
    }

    fn raw_ns(&self, _held: &NsLocked) -> *mut bindings::mnt_namespace {
        // SAFETY: `mnt_ns` changes under `namespace_sem`, which is held.
        unsafe { (*self.as_raw()).mnt_ns }
    }

    /// The namespace of the mount (`mnt_ns`), if it is in one (`is_mounted()`).
    pub(crate) fn ns<'a>(&'a self, held: &'a NsLocked) -> Option<&'a MountNs> {
        // SAFETY: `mnt_ns` changes under `namespace_sem`, which is held.
        if unsafe { bindings::is_mounted(self.vfsmount().as_raw()) } == 0 {
            return None;
        }
        // SAFETY: The namespace of a mount is freed after `namespace_sem` is released.
        Some(unsafe { MountNs::from_raw(self.raw_ns(held)) })
    }

    pub(crate) fn same_ns(&self, held: &NsLocked, other: &Self) -> bool {
        self.raw_ns(held) == other.raw_ns(held)
    }

    /// Whether the mount is in `ns` (`check_mnt()` for the caller's namespace).
    pub(crate) fn is_in(&self, held: &NsLocked, ns: &MntNamespace) -> bool {
        self.raw_ns(held) == ns.as_raw()
    }

    /// Whether the mount is the root of an anonymous namespace (`anon_ns_root()`).
    pub(crate) fn is_anon_ns_root(&self, _held: &NsLocked) -> bool {
        // SAFETY: `mnt_ns` changes under `namespace_sem`, which is held.
        unsafe { bindings::anon_ns_root(self.as_raw()) }
    }

    /// Whether the caller, in `current`, may attach mounts to this one (`may_use_mount()`).
    pub(crate) fn may_be_used(&self, held: &NsLocked, current: &MntNamespace) -> bool {
        // SAFETY: `check_anonymous_mnt()` reads `mnt_ns` under `namespace_sem`, which is held.
        self.is_in(held, current)
            || (self.ns(held).is_some()
                && unsafe { bindings::mntns_check_anonymous_mnt(self.as_raw()) })
    }

    fn t_flags(&self, _held: &NsLocked) -> u32 {
        // SAFETY: `mnt_t_flags` changes under `namespace_sem`, which is held.
        unsafe { (*self.as_raw()).mnt_t_flags as u32 }
    }

    /// `IS_MNT_SHARED()`
    pub(crate) fn is_shared(&self, held: &NsLocked) -> bool {
        self.t_flags(held) & bindings::T_SHARED != 0
    }

    /// `IS_MNT_UNBINDABLE()`
    pub(crate) fn is_unbindable(&self, held: &NsLocked) -> bool {
        self.t_flags(held) & bindings::T_UNBINDABLE != 0
    }

    /// The mount on the root of this one (`overmount`), if any.
    pub(crate) fn overmount<'a>(&'a self, _held: &'a NsLocked) -> Option<&'a Self> {
        // SAFETY: `overmount` changes under `namespace_sem`, which pins it.
        NonNull::new(unsafe { (*self.as_raw()).overmount })
            // SAFETY: As just said.
            .map(|m| unsafe { Self::from_raw(m.as_ptr()) })
    }

    /// The stack of mounts on the root of this one, bottom first.
    pub(crate) fn overmounts<'a>(&'a self, held: &'a NsLocked) -> impl Iterator<Item = &'a Self> {
        core::iter::successors(self.overmount(held), move |m| m.overmount(held))
    }

    /// The mounts of the tree whose root is this one, the root first (`next_mnt()`).
    pub(crate) fn tree<'a>(&'a self, _held: &'a NsLocked) -> impl Iterator<Item = &'a Self> {
        core::iter::successors(Some(self), move |p| {
            // SAFETY: `p` is a mount of the tree, whose topology changes under `namespace_sem`,
            // which is held and pins its mounts.
            let next = unsafe { bindings::next_mnt(p.as_raw(), self.as_raw()) };
            // SAFETY: As just said.
            NonNull::new(next).map(|m| unsafe { Self::from_raw(m.as_ptr()) })
        })
    }

    /// Whether this mount is `other` or one that `other` is mounted on, down to the root of its
    /// tree (`mount_is_ancestor()`).
    pub(crate) fn is_ancestor_of<'a>(&self, held: &'a NsLocked, mut other: &'a Self) -> bool {
        while !ptr::eq(other, self) && other.has_parent(held) {
            other = other.parent(held);
        }
        ptr::eq(other, self)
    }

    /// Whether something is mounted on `dentry` or below it, in this mount (`__has_children()`).
    pub(crate) fn has_children_under(&self, _held: &NsLocked, dentry: &Dentry) -> bool {
        // SAFETY: The children of a mount change under `namespace_sem`, which is held.
        unsafe { bindings::mntns_has_children(self.as_raw(), dentry.as_raw()) }
    }

    /// Whether the root of the mount is the file of a mount namespace (`is_mnt_ns_file()`).
    pub(crate) fn is_mnt_ns_file(&self) -> bool {
        // SAFETY: The root of a mount is a valid dentry.
        unsafe { bindings::mntns_is_mnt_ns_file(self.root().as_raw()) }
    }

    /// Whether the root of the mount is the file of a mount namespace not newer than the caller's,
    /// which could pin namespaces in a loop if it were attached (`mnt_ns_loop()`).
    pub(crate) fn is_mnt_ns_loop(&self) -> bool {
        // SAFETY: The root of a mount is a valid dentry.
        unsafe { bindings::mntns_mnt_ns_loop(self.root().as_raw()) }
    }

    /// Sets `MNT_LOCKED`.
    pub(crate) fn lock(&self, _locked: &MountLocked) {
        // SAFETY: The flags of a mount change under `mount_lock`, held for writing.
        unsafe { (*self.as_raw()).mnt.mnt_flags |= bindings::mount_flags_MNT_LOCKED as c_int };
    }

    /// Locks the tree whose root is this mount against a less privileged user namespace
    /// (`lock_mnt_tree()`).
    pub(crate) fn lock_tree(&self, _locked: &MountLocked) {
        // SAFETY: The flags of the tree change under `mount_lock`, held for writing.
        unsafe { bindings::mntns_lock_mnt_tree(self.as_raw()) };
    }

    /// Hands the lock of this mount over to `beneath`: if this mount is locked, `beneath` is
    /// locked and this mount is not any more.
    ///
    /// # Safety
    ///
    /// `beneath` covers everything this mount covered, so that unmounting this one reveals
    /// nothing.
    pub(crate) unsafe fn hand_lock_to(&self, beneath: &Self, locked: &MountLocked) {
        if self.is_locked() {
            beneath.lock(locked);
            // SAFETY: The flags change under `mount_lock`, held for writing; the caller guarantees
            // that `beneath`, locked above, hides what this mount hid.
            unsafe {
                (*self.as_raw()).mnt.mnt_flags &= !(bindings::mount_flags_MNT_LOCKED as c_int)
            };
        }
    }
}

/// Wraps the kernel's `struct mnt_namespace`, with a reference.
///
/// # Invariants
///
/// Always reference-counted (`ns_ref`): a `&MntNamespace` is only created while a reference is
/// held for its lifetime. Meanwhile `root` and `user_ns` are set and do not change.
#[repr(transparent)]
pub(crate) struct MntNamespace(Opaque<bindings::mnt_namespace>);

// SAFETY: A reference on a mount namespace may be dropped on any thread, in process context.
unsafe impl Send for MntNamespace {}

// SAFETY: `MntNamespace` only reads fields that do not change while it is referenced.
unsafe impl Sync for MntNamespace {}

// SAFETY: The type invariants guarantee that `MntNamespace` is always reference-counted.
unsafe impl AlwaysRefCounted for MntNamespace {
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the count is positive.
        unsafe { bindings::get_mnt_ns(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference. The last one tears the namespace down under
        // `namespace_sem`, which lockdep checks is not held.
        unsafe { bindings::put_mnt_ns(obj.cast().as_ptr()) }
    }
}

impl MntNamespace {
    /// # Safety
    ///
    /// `ptr` points to a `struct mnt_namespace` referenced for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *const bindings::mnt_namespace) -> &'a Self {
        // SAFETY: The caller guarantees that the namespace is valid for `'a`, and `MntNamespace`
        // is `repr(transparent)` over `struct mnt_namespace`.
        unsafe { &*ptr.cast() }
    }

    fn as_raw(&self) -> *mut bindings::mnt_namespace {
        self.0.get()
    }

    /// The current task's mount namespace (`current->nsproxy->mnt_ns`); `None` once the task
    /// left its namespaces (`exit_task_namespaces()`).
    pub(crate) fn current(_task: &CurrentTask) -> Option<&Self> {
        // SAFETY: Always safe to call.
        let ns = unsafe { bindings::current_mnt_ns() };
        // SAFETY: The task's `nsproxy` holds a reference on its namespace and only the task itself
        // replaces it, which nothing here does while the `&CurrentTask` lives.
        NonNull::new(ns).map(|ns| unsafe { Self::from_raw(ns.as_ptr()) })
    }

    pub(crate) fn root(&self) -> &Mount {
        // SAFETY: `root` is set and referenced by the namespace, and does not change.
        unsafe { Mount::from_raw((*self.as_raw()).root) }
    }

    pub(crate) fn user_ns(&self) -> &UserNamespace {
        // SAFETY: `user_ns` is set and referenced by the namespace, and does not change.
        unsafe { UserNamespace::from_raw((*self.as_raw()).user_ns) }
    }
}

/// The namespace of a mount ([`Mount::ns`]), borrowed under `namespace_sem`: it may be dying, or
/// anonymous (freed with its tree), so it cannot become a counted reference.
///
/// # Invariants
///
/// A `&MountNs` is only created while `namespace_sem` is held, for its lifetime.
#[repr(transparent)]
pub(crate) struct MountNs(Opaque<bindings::mnt_namespace>);

impl MountNs {
    /// # Safety
    ///
    /// `ptr` points to the namespace of a mount, and `namespace_sem` is held, for `'a`.
    unsafe fn from_raw<'a>(ptr: *const bindings::mnt_namespace) -> &'a Self {
        // SAFETY: The caller guarantees that the namespace is valid for `'a`, and `MountNs` is
        // `repr(transparent)` over `struct mnt_namespace`.
        unsafe { &*ptr.cast() }
    }

    /// A C caller's namespace of a mount, if it is one (not NULL or `MNT_NS_INTERNAL`).
    ///
    /// # Safety
    ///
    /// `ptr` is NULL, an error pointer, or the namespace of a mount, and `namespace_sem` is held,
    /// for `'a`.
    pub(crate) unsafe fn from_ptr<'a>(ptr: *mut bindings::mnt_namespace) -> Option<&'a Self> {
        // SAFETY: As the caller guarantees.
        from_err_ptr(ptr)
            .ok()
            .and_then(NonNull::new)
            .map(|ns| unsafe { Self::from_raw(ns.as_ptr()) })
    }

    fn as_raw(&self) -> *mut bindings::mnt_namespace {
        self.0.get()
    }

    /// `is_anon_ns()`: the namespace of a detached tree.
    pub(crate) fn is_anon(&self) -> bool {
        // SAFETY: `is_anon` does not change.
        unsafe { bindings::is_anon_ns(self.as_raw()) }
    }

    pub(crate) fn user_ns(&self) -> &UserNamespace {
        // SAFETY: `user_ns` is referenced by the namespace until it is freed, after `'_`.
        unsafe { UserNamespace::from_raw((*self.as_raw()).user_ns) }
    }
}

/// Proof that the current task holds `namespace_sem` for writing.
///
/// # Invariants
///
/// The current task holds `namespace_sem` for writing for the lifetime of a `&NsLocked`.
pub(crate) struct NsLocked(NotThreadSafe);

/// Proof that the current task holds `mount_lock` for writing.
///
/// # Invariants
///
/// The current task holds `mount_lock` for writing for the lifetime of a `&MountLocked`.
pub(crate) struct MountLocked(NotThreadSafe);

/// The proofs of both locks for a C caller that holds them, checked on a lockdep kernel.
///
/// # Safety
///
/// The current task holds `namespace_sem` and `mount_lock` for writing for `'a`.
pub(crate) unsafe fn assume_locked<'a>() -> (&'a NsLocked, &'a MountLocked) {
    #[cfg(any(CONFIG_LOCKDEP, CONFIG_DEBUG_VFS))]
    {
        // SAFETY: Always safe to call: it only asserts.
        unsafe { bindings::mntns_assert_locked() };
    }
    // INVARIANT: The caller holds both locks for `'a`.
    (&NsLocked(NotThreadSafe), &MountLocked(NotThreadSafe))
}

/// `namespace_sem` held for writing (the guard `namespace_excl`). Released by `namespace_unlock()`,
/// which then frees what was given up under it.
#[must_use]
struct NamespaceExcl(NsLocked);

impl NamespaceExcl {
    fn lock() -> Self {
        // SAFETY: Process context; a task that holds the semaphore deadlocks, as in C.
        unsafe { bindings::mntns_namespace_lock() };
        // INVARIANT: Held until `drop()`.
        Self(NsLocked(NotThreadSafe))
    }
}

impl core::ops::Deref for NamespaceExcl {
    type Target = NsLocked;

    fn deref(&self) -> &NsLocked {
        &self.0
    }
}

impl Drop for NamespaceExcl {
    fn drop(&mut self) {
        // SAFETY: By the type invariants, held since `lock()`.
        unsafe { bindings::mntns_namespace_unlock() };
    }
}

/// `mount_lock` held for writing (the guard `mount_writer`): the holder must not sleep.
#[must_use]
struct MountWriter(MountLocked);

impl MountWriter {
    fn lock() -> Self {
        // SAFETY: Always safe to call; it spins.
        unsafe { bindings::mntns_lock_mount_hash() };
        // INVARIANT: Held until `drop()`.
        Self(MountLocked(NotThreadSafe))
    }
}

impl core::ops::Deref for MountWriter {
    type Target = MountLocked;

    fn deref(&self) -> &MountLocked {
        &self.0
    }
}

impl Drop for MountWriter {
    fn drop(&mut self) {
        // SAFETY: By the type invariants, held since `lock()`.
        unsafe { bindings::mntns_unlock_mount_hash() };
    }
}

/// A mountpoint pinned for mounting on it (`struct pinned_mountpoint`), with its inode and
/// `namespace_sem` locked. It dereferences to the proof that `namespace_sem` is held.
///
/// # Invariants
///
/// `pinned` is locked and pinned, and `parent` the mount it is on, while `self` is borrowed.
pub(crate) struct Mountpoint<'p> {
    pinned: &'p Opaque<bindings::pinned_mountpoint>,
    held: NsLocked,
}

impl Mountpoint<'_> {
    /// Pins a mountpoint with `lock`, a C function that fills `struct pinned_mountpoint` and takes
    /// the locks, or sets `parent` to an error; calls `f` with it, and unlocks
    /// (`__unlock_mount()`).
    fn with<R>(
        lock: impl FnOnce(*mut bindings::pinned_mountpoint),
        f: impl FnOnce(&Mountpoint<'_>) -> Result<R>,
    ) -> Result<R> {
        // Linked into the list of the mountpoint while locked: it stays in this frame.
        let pinned = Opaque::<bindings::pinned_mountpoint>::zeroed();
        lock(pinned.get());
        // SAFETY: `pinned` is valid; `parent` is the mount, or an error and nothing is locked.
        from_err_ptr(unsafe { (*pinned.get()).parent })?;

        // INVARIANT: Locked until `__unlock_mount()` below, after the last borrow of `mp`.
        let mp = Mountpoint {
            pinned: &pinned,
            held: NsLocked(NotThreadSafe),
        };
        let res = f(&mp);
        // SAFETY: `pinned` is locked, and nothing borrowed from `mp` is alive.
        unsafe { bindings::mntns_unlock_mount(pinned.get()) };
        res
    }

    fn raw(&self) -> *mut bindings::pinned_mountpoint {
        self.pinned.get()
    }

    /// The mount the mountpoint is on (`parent`).
    pub(crate) fn parent(&self) -> &Mount {
        // SAFETY: `parent` is the mount, pinned by `namespace_sem` (type invariants).
        unsafe { Mount::from_raw((*self.raw()).parent) }
    }

    /// Whether mounting on `from` here would propagate a copy on top of `to`
    /// (`propagation_would_overmount()`).
    pub(crate) fn propagation_would_overmount(&self, from: &Mount, to: &Mount) -> bool {
        // SAFETY: The mounts and the mountpoint are pinned by `namespace_sem`, which is held, as
        // the propagation walk requires.
        unsafe {
            bindings::propagation_would_overmount(from.as_raw(), to.as_raw(), (*self.raw()).mp)
        }
    }

    /// Attaches the tree `source` here, with copies propagated (`attach_recursive_mnt()`).
    ///
    /// # Safety
    ///
    /// What `do_move_mount()` checks before it calls `attach_recursive_mnt()` holds: the parent is
    /// in the caller's namespace or an anonymous one made from it; `source` is a mount of the
    /// caller's namespace with a parent, or the root of another anonymous namespace; `source` is
    /// not an ancestor of the parent, and its tree has no mount-namespace file that could make a
    /// loop; with `MOVE_MOUNT_BENEATH`, what `can_move_mount_beneath()` checks.
    pub(crate) unsafe fn attach_recursive(&self, source: &Mount) -> Result {
        // SAFETY: The caller guarantees what `attach_recursive_mnt()` requires; `pinned` is locked.
        to_result(unsafe { bindings::mntns_attach_recursive_mnt(source.as_raw(), self.raw()) })
    }
}

impl core::ops::Deref for Mountpoint<'_> {
    type Target = NsLocked;

    fn deref(&self) -> &NsLocked {
        &self.held
    }
}

/// Locks the place to mount on at `path` (`do_lock_mount()`): on top of what is mounted there
/// or, with `beneath`, beneath the topmost mount there. Calls `f` with it, then unlocks.
pub(crate) fn lock_mount<R>(
    path: &Path,
    beneath: bool,
    f: impl FnOnce(&Mountpoint<'_>) -> Result<R>,
) -> Result<R> {
    Mountpoint::with(
        // SAFETY: `path` is referenced and `pinned` zeroed, as `do_lock_mount()` requires.
        |pinned| unsafe { bindings::mntns_do_lock_mount(path.as_raw(), pinned, beneath) },
        f,
    )
}

/// What [`NewMntNamespace::with_copy_on_root`] copies onto the copy of the root.
pub(crate) enum Source<'a> {
    /// A new mount, of `fsmount()`: cloned alone.
    New(&'a Path),
    /// The tree at the path, recursively or not, as a bind mount copies it (`__do_loopback()`).
    Tree(&'a Path, bool),
}

impl<'a> Source<'a> {
    /// The source that `open_new_namespace()` describes with `flags` (`enum mount_copy_flags_t`).
    pub(crate) fn of(path: &'a Path, flags: u32) -> Self {
        if flags & bindings::mount_copy_flags_t_MOUNT_COPY_NEW != 0 {
            Source::New(path)
        } else {
            Source::Tree(
                path,
                flags & bindings::mount_copy_flags_t_MOUNT_COPY_RECURSIVE != 0,
            )
        }
    }
}

/// A mount namespace under construction, filled with copies of mounts of `from`.
///
/// Dropped unpublished, it is freed (`free_mnt_ns()`), without `namespace_sem`, as in C.
///
/// # Invariants
///
/// `ns` is a namespace from `alloc_mnt_ns()` whose only reference this object owns: not in the
/// namespace tree, without mounts, with a NULL `root`. `foreign` says whether its owner is not the
/// owner of `from`.
pub(crate) struct NewMntNamespace<'f> {
    ns: NonNull<bindings::mnt_namespace>,
    from: &'f MntNamespace,
    foreign: bool,
}

impl<'f> NewMntNamespace<'f> {
    /// A namespace owned by `owner` (`alloc_mnt_ns()`), for copies of mounts of `from`.
    pub(crate) fn alloc(owner: &UserNamespace, from: &'f MntNamespace) -> Result<Self> {
        // SAFETY: `owner` is referenced; `alloc_mnt_ns()` takes its own reference.
        let ns = from_err_ptr(unsafe { bindings::mntns_alloc_mnt_ns(owner.as_raw()) })?;
        // INVARIANT: A new, zeroed namespace, ours alone.
        Ok(Self {
            ns: NonNull::new(ns).ok_or(ENOMEM)?,
            from,
            foreign: owner != from.user_ns(),
        })
    }

    /// The `CL_*` flags of the copies: a less privileged owner gets slaves, and no unbindable mount
    /// left out.
    fn copy_flags(&self) -> c_int {
        if self.foreign {
            (bindings::CL_SLAVE | bindings::CL_COPY_UNBINDABLE) as c_int
        } else {
            0
        }
    }

    /// Fills the namespace with a copy of the root mount of `from` alone (`clone_mnt()`), and
    /// publishes it.
    pub(crate) fn with_root_alone(self) -> Result<ARef<MntNamespace>> {
        let root = self.from.root();
        {
            let excl = NamespaceExcl::lock();
            // SAFETY: `root` is a mount of `from`, cloned at its root, with `namespace_sem` held for
            // writing, which `clone_mnt()` needs to link the copy to the original.
            let copy = from_err_ptr(unsafe {
                bindings::mntns_clone_mnt(root.as_raw(), root.root().as_raw(), self.copy_flags())
            })?;
            // SAFETY: `copy` is a new mount in no namespace, ours, made under `excl`.
            unsafe { self.publish(&excl, copy) };
        }
        // SAFETY: Published; `namespace_sem` is released.
        Ok(unsafe { self.into_published() })
    }

    /// Fills the namespace with a copy of the root mount of `from` (`lock_mount_exact()` at its
    /// root) and on top of it a copy of `source`, and publishes it. If anything in the stack of
    /// mounts on that root is locked, the copy of `source` is locked too.
    ///
    /// Fails with `EINVAL` unless `from` is the caller's namespace, against which the C checks a
    /// path to copy, or if a new mount is in a namespace.
    pub(crate) fn with_copy_on_root(
        self,
        task: &CurrentTask,
        source: Source<'_>,
    ) -> Result<ARef<MntNamespace>> {
        if !MntNamespace::current(task).is_some_and(|ns| ptr::eq(ns, self.from)) {
            return Err(EINVAL);
        }
        let from = self.from.root();
        let to = bindings::path {
            mnt: from.vfsmount().as_raw(),
            dentry: from.root().as_raw(),
        };
        Mountpoint::with(
            // SAFETY: `to` is the root of a mount of `from`, and `pinned` zeroed.
            |pinned| unsafe {
                bindings::mntns_lock_mount_exact_copy(&to, pinned, self.copy_flags())
            },
            |mp| {
                // The copy of the root that `lock_mount_exact()` made: in no namespace, ours.
                let root = mp.parent().as_raw();
                let res = self.attach_copy(mp, source);
                if res.is_ok() {
                    // SAFETY: `root` is a tree in no namespace, ours, made under `mp`.
                    unsafe { self.publish(mp, root) };
                } else {
                    let _writer = MountWriter::lock();
                    // SAFETY: `root` is a tree in no namespace, ours; both locks are held.
                    unsafe { bindings::mntns_umount_detached_tree(root) };
                }
                res
            },
        )?;
        // SAFETY: Published; `namespace_sem` is released.
        Ok(unsafe { self.into_published() })
    }

    /// Copies `source` and attaches the copy on the copy of the root at `mp`.
    fn attach_copy(&self, mp: &Mountpoint<'_>, source: Source<'_>) -> Result {
        let locked = self.from.root().overmounts(mp).any(|m| m.is_locked());
        let copy = match source {
            Source::New(path) => {
                let mnt = Mount::of(path.mnt());
                // A new mount is in no namespace: nothing its copy could reveal.
                if mnt.ns(mp).is_some() {
                    return Err(EINVAL);
                }
                // SAFETY: `path` is referenced, a dentry of its mount; `namespace_sem` is held.
                unsafe {
                    bindings::mntns_clone_mnt(
                        mnt.as_raw(),
                        path.dentry().as_raw(),
                        self.copy_flags(),
                    )
                }
            }
            Source::Tree(path, recursive) => {
                // Without privilege over `from`, no mount below the path may be left out: it would
                // reveal what it covers.
                if self.foreign
                    && !recursive
                    && Mount::of(path.mnt()).has_children_under(mp, path.dentry())
                {
                    return Err(EINVAL);
                }
                // SAFETY: `path` is referenced; `namespace_sem` is held. `__do_loopback()` checks
                // that the caller, in `from`, may copy it.
                unsafe { bindings::mntns_do_loopback(path.as_raw(), recursive, self.copy_flags()) }
            }
        };
        let copy = from_err_ptr(copy)?;

        let writer = MountWriter::lock();
        if locked {
            // SAFETY: `copy` is a new tree in no namespace, ours.
            unsafe { Mount::from_raw(copy) }.lock(&writer);
        }
        // SAFETY: `copy` and the parent of `mp` are trees in no namespace, ours, made under the
        // semaphore; both locks are held. The parent takes over the reference of `copy`.
        unsafe { bindings::mntns_attach_mnt(copy, mp.parent().as_raw(), mp.raw()) };
        Ok(())
    }

    /// Makes `root` the tree of the namespace, and the namespace visible: locks the tree if the
    /// owner is foreign, adds each mount (`mnt_add_to_ns()`), sets the root and adds the namespace
    /// to the tree of namespaces (`ns_tree_add_raw()`).
    ///
    /// # Safety
    ///
    /// `root` is a tree in no namespace, made for this namespace under `held`, whose reference the
    /// namespace takes. Called once.
    unsafe fn publish(&self, held: &NsLocked, root: *mut bindings::mount) {
        // SAFETY: The caller guarantees that `root` is a valid tree.
        let root_mnt = unsafe { Mount::from_raw(root) };
        if self.foreign {
            root_mnt.lock_tree(&MountWriter::lock());
        }
        let ns = self.ns.as_ptr();
        for p in root_mnt.tree(held) {
            // SAFETY: `ns` is ours; `p` is a mount of the tree, in no namespace; `namespace_sem`
            // is held for writing, under which `nr_mounts` changes.
            unsafe {
                bindings::mntns_mnt_add_to_ns(ns, p.as_raw());
                (*ns).nr_mounts += 1;
            }
        }
        // SAFETY: `ns` is ours, not visible yet; the semaphore is held for writing.
        unsafe {
            (*ns).root = root;
            bindings::mntns_ns_tree_add(ns);
        }
    }

    /// Gives the initial reference of the published namespace to the caller.
    ///
    /// # Safety
    ///
    /// The namespace is published, and `namespace_sem` released: the reference may be dropped.
    unsafe fn into_published(self) -> ARef<MntNamespace> {
        let this = ManuallyDrop::new(self);
        // SAFETY: The reference that `this` owned, handed over, and not freed by `drop()`.
        unsafe { ARef::from_raw(this.ns.cast()) }
    }
}

impl Drop for NewMntNamespace<'_> {
    fn drop(&mut self) {
        // SAFETY: Never published (`into_published()` forgets `self`): ours alone, not in the
        // tree, without mounts, as `free_mnt_ns()` requires.
        unsafe { bindings::mntns_free_mnt_ns(self.ns.as_ptr()) };
    }
}

/// Wraps the kernel's `struct fs_struct`: the root and working directory of a task.
///
/// # Invariants
///
/// A `&FsStruct` is only created for an `fs_struct` that the current thread has to itself for its
/// lifetime (from `copy_fs_struct()`, not yet installed in a task): it is written without `seq`.
#[repr(transparent)]
pub(crate) struct FsStruct(Opaque<bindings::fs_struct>);

impl FsStruct {
    /// # Safety
    ///
    /// `ptr` points to a `struct fs_struct` that no other thread uses for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::fs_struct) -> &'a Self {
        // SAFETY: The caller guarantees that it is valid for `'a`, and `FsStruct` is
        // `repr(transparent)` over `struct fs_struct`.
        //
        // INVARIANT: The caller guarantees that it is ours alone for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Sets the root and the working directory to the root of `mnt`, and returns the previous
    /// ones, released when dropped.
    pub(crate) fn reset_to(&self, mnt: &VfsMount) -> (Path, Path) {
        let fs = self.0.get();
        // SAFETY: The `fs_struct` is ours alone (type invariants). It held a reference on each
        // member of both paths, which are ours now.
        unsafe {
            (
                Path::from_raw_owned(ptr::replace(
                    &raw mut (*fs).root,
                    mnt.root_path().into_raw(),
                )),
                Path::from_raw_owned(ptr::replace(&raw mut (*fs).pwd, mnt.root_path().into_raw())),
            )
        }
    }
}

#[kunit_tests(rust_fs_mntns)]
mod tests {
    use super::*;

    /// A child of the current task's user namespace (`create_user_ns()` on a copy of its
    /// credentials, as `unshare(CLONE_NEWUSER)` does): a less privileged owner.
    fn child_user_ns() -> Result<ARef<UserNamespace>> {
        // SAFETY: Always safe to call: a private copy of the current credentials, or NULL.
        let new = NonNull::new(unsafe { bindings::prepare_creds() }).ok_or(ENOMEM)?;
        // SAFETY: `new` is used by no task; on success its `user_ns` is the new namespace.
        let ret = unsafe { bindings::create_user_ns(new.as_ptr()) };
        let ns = to_result(ret).map(|()| {
            // SAFETY: `new` is valid and references its `user_ns` until it is released below.
            ARef::from(unsafe { UserNamespace::from_raw((*new.as_ptr()).user_ns) })
        });
        // SAFETY: The only reference on `new`.
        unsafe { bindings::put_cred(new.as_ptr()) };
        ns
    }

    /// What the cases check of a namespace, read under `namespace_sem`, checked after it is
    /// released.
    struct Tree {
        mounts: usize,
        nr_mounts: u32,
        /// Mounts other than the root with `MNT_LOCKED`.
        locked: usize,
        /// The root's `MNT_LOCK_ATIME` (`lock_mnt_tree()`).
        root_flags_locked: bool,
        /// The root's mount is another than `from`'s, of the same root dentry.
        root_copied: bool,
    }

    fn read_tree(ns: &MntNamespace, from: &MntNamespace) -> Tree {
        let held = NamespaceExcl::lock();
        let root = ns.root();
        // SAFETY: The flags of the root change under `mount_lock`, but not concurrently here: the
        // namespace is the test's.
        let flags = unsafe { (*root.as_raw()).mnt.mnt_flags };
        Tree {
            mounts: root.tree(&held).count(),
            // SAFETY: `nr_mounts` changes under `namespace_sem`, which is held.
            nr_mounts: unsafe { (*ns.as_raw()).nr_mounts },
            locked: root.tree(&held).skip(1).filter(|m| m.is_locked()).count(),
            root_flags_locked: flags & bindings::mount_flags_MNT_LOCK_ATIME as c_int != 0,
            root_copied: !ptr::eq(root, from.root()) && ptr::eq(root.root(), from.root().root()),
        }
    }

    #[test]
    fn empty_namespace_holds_a_copy_of_the_root() -> Result {
        let task = kernel::current!();
        let from = MntNamespace::current(task).ok_or(EINVAL)?;
        let new_ns = NewMntNamespace::alloc(UserNamespace::current(task), from)?;
        // Same owner: plain copies.
        assert_eq!(new_ns.copy_flags(), 0);

        let ns = new_ns.with_root_alone()?;
        let t = read_tree(&ns, from);
        assert!(ns.user_ns() == UserNamespace::current(task));
        assert_eq!((t.mounts, t.nr_mounts), (1, 1));
        assert!(t.root_copied);
        assert!(!t.root_flags_locked);
        Ok(())
    }

    #[test]
    fn copies_for_a_child_user_ns_are_locked_slaves() -> Result {
        let task = kernel::current!();
        let from = MntNamespace::current(task).ok_or(EINVAL)?;
        let child = child_user_ns()?;

        // Slaves (of a shared original) that leave no unbindable mount out.
        let new_ns = NewMntNamespace::alloc(&child, from)?;
        assert_eq!(
            new_ns.copy_flags(),
            (bindings::CL_SLAVE | bindings::CL_COPY_UNBINDABLE) as c_int
        );
        let ns = new_ns.with_root_alone()?;
        let t = read_tree(&ns, from);
        assert!(ns.user_ns() == &*child);
        assert_eq!((t.mounts, t.nr_mounts), (1, 1));
        assert!(t.root_copied && t.root_flags_locked);

        // A copy of the whole tree of `from` on the copy of its root: every mount but the root
        // locked.
        let path = from.root().vfsmount().root_path();
        let ns = NewMntNamespace::alloc(&child, from)?
            .with_copy_on_root(task, Source::Tree(&path, true))?;
        let t = read_tree(&ns, from);
        assert!(t.mounts >= 2);
        assert_eq!(t.nr_mounts as usize, t.mounts);
        assert_eq!(t.locked, t.mounts - 1);
        assert!(t.root_copied && t.root_flags_locked);
        Ok(())
    }

    #[test]
    fn sources_other_than_from_are_refused() -> Result {
        let task = kernel::current!();
        let from = MntNamespace::current(task).ok_or(EINVAL)?;
        let child = child_user_ns()?;
        let path = from.root().vfsmount().root_path();

        // Refused once the root was copied (and the copy torn down): a foreign copy that would
        // leave the mounts on the root out, and a "new" mount that is in a namespace.
        for source in [Source::Tree(&path, false), Source::New(&path)] {
            let res = NewMntNamespace::alloc(&child, from)?.with_copy_on_root(task, source);
            assert_eq!(res.err(), Some(EINVAL));
        }

        // A path is copied only into a namespace made from the caller's, against which the C
        // checks it: not from another namespace.
        let other = NewMntNamespace::alloc(&child, from)?.with_root_alone()?;
        let res = NewMntNamespace::alloc(&child, &other)?
            .with_copy_on_root(task, Source::Tree(&path, true));
        assert_eq!(res.err(), Some(EINVAL));
        Ok(())
    }
}
