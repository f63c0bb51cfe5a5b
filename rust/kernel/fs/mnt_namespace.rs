// SPDX-License-Identifier: GPL-2.0

//! Mount namespaces, for the VFS itself.
//!
//! This module wraps the VFS-private mount structures, `struct mount` and `struct mnt_namespace`,
//! and the primitives of `fs/namespace.c` that a mount namespace is set up with. It is for code
//! of the VFS, built into the kernel under `fs/`, not for file systems. The rules are those of
//! `fs/namespace.c`: `namespace_sem` ([`NamespaceExcl`]) serialises changes of the mount trees,
//! `mount_lock` ([`MountWriter`]) is taken inside it, and a namespace under construction that is
//! given up is freed by `namespace_unlock()` (`emptied_ns`).
//!
//! C headers: [`fs/mount.h`](srctree/fs/mount.h), [`fs/pnode.h`](srctree/fs/pnode.h) and
//! [`include/linux/fs_struct.h`](srctree/include/linux/fs_struct.h)

use crate::{
    bindings,
    error::from_err_ptr,
    fs::{
        dentry::Dentry,
        mount::VfsMount, //
    },
    prelude::*,
    sync::aref::ARef,
    types::{
        NotThreadSafe,
        Opaque, //
    },
};
use core::{
    mem::ManuallyDrop,
    ops::Deref,
    ptr::{
        self,
        NonNull, //
    },
};

// The fields of `struct mount` and `struct mnt_namespace` are read and written here through the
// layouts bindgen generated: fail the build if they are not the sizes C gives the structs (see the
// `ns_common` entry of `rust/bindgen_parameters` for how they once were not).
const _: () = {
    assert!(core::mem::size_of::<bindings::mount>() == bindings::SIZEOF_MOUNT);
    assert!(core::mem::size_of::<bindings::mnt_namespace>() == bindings::SIZEOF_MNT_NAMESPACE);
};

/// Flags of [`NewMntNamespace::clone_mnt`] (`CL_*` in `fs/pnode.h`).
pub mod clone_flags {
    use crate::{bindings, ffi::c_int};

    /// The clone is a slave of the original, if that is shared: it receives the propagation of
    /// the original's peer group but does not propagate back.
    pub const CL_SLAVE: c_int = bindings::CL_SLAVE as c_int;
}

/// Wraps the kernel's `struct user_namespace`.
///
/// Only used to tell user namespaces apart here: two [`UserNamespace`]s are equal if they are the
/// same namespace.
///
/// # Invariants
///
/// A `&UserNamespace` is only created while the namespace is referenced.
#[repr(transparent)]
pub struct UserNamespace {
    inner: Opaque<bindings::user_namespace>,
}

impl UserNamespace {
    /// Creates a reference to a [`UserNamespace`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct user_namespace` that stays referenced for the duration
    /// of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::user_namespace) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the namespace referenced
        // for `'a`. The cast is okay because `UserNamespace` is `repr(transparent)` over
        // `struct user_namespace`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::user_namespace {
        self.inner.get()
    }
}

impl PartialEq for UserNamespace {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        ptr::eq(self, other)
    }
}

impl Eq for UserNamespace {}

/// Wraps the kernel's `struct mount`: the VFS-private part of a mount, around its
/// [`VfsMount`].
///
/// # Invariants
///
/// A `&Mount` is only created while the mount is referenced (its count is positive). `mnt.mnt_root`
/// and `mnt.mnt_sb` are set and do not change while the mount is referenced.
#[repr(transparent)]
pub struct Mount {
    inner: Opaque<bindings::mount>,
}

impl Mount {
    /// Creates a reference to a [`Mount`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct mount` that stays referenced for the duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::mount) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the mount referenced for
        // `'a`. The cast is okay because `Mount` is `repr(transparent)` over `struct mount`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::mount {
        self.inner.get()
    }

    /// Returns the [`VfsMount`] embedded in the mount (`mnt`).
    #[inline]
    pub fn vfsmount(&self) -> &VfsMount {
        // SAFETY: `self.as_raw()` is valid, so is the address of its field `mnt`.
        let mnt = unsafe { ptr::addr_of_mut!((*self.as_raw()).mnt) };

        // SAFETY: `mnt` is the `struct vfsmount` of this mount, referenced as long as `self` is
        // (by the type invariants). The cast is okay because `VfsMount` is `repr(transparent)`
        // over `struct vfsmount`.
        unsafe { &*mnt.cast::<VfsMount>() }
    }

    /// Returns the root of the mount (`mnt.mnt_root`).
    #[inline]
    pub fn root(&self) -> &Dentry {
        self.vfsmount().root()
    }

    /// Returns a new [`Path`] to the root of the mount, with a reference on each (`mntget()` and
    /// `dget()`).
    pub fn root_path(&self) -> Path {
        Path::new(self.vfsmount().into(), self.root().into())
    }
}

/// Wraps the kernel's `struct mnt_namespace`.
///
/// # Invariants
///
/// A `&MntNamespace` is only created while the namespace is active (the caller holds an active
/// reference, as a task's `nsproxy` does), so its `root` mount is set and referenced and its
/// `user_ns` is set and referenced; neither changes while the namespace is active.
#[repr(transparent)]
pub struct MntNamespace {
    inner: Opaque<bindings::mnt_namespace>,
}

impl MntNamespace {
    /// Creates a reference to a [`MntNamespace`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct mnt_namespace` on which an active reference is held for
    /// the duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::mnt_namespace) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the namespace active for
        // `'a`. The cast is okay because `MntNamespace` is `repr(transparent)` over
        // `struct mnt_namespace`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::mnt_namespace {
        self.inner.get()
    }

    /// Returns the root mount of the namespace (`root`).
    #[inline]
    pub fn root(&self) -> &Mount {
        // SAFETY: By the type invariants, `root` is set and referenced, and does not change, while
        // the namespace is active, so for the lifetime of `self`.
        unsafe { Mount::from_raw((*self.as_raw()).root) }
    }

    /// Returns the user namespace that owns the namespace (`user_ns`).
    #[inline]
    pub fn user_ns(&self) -> &UserNamespace {
        // SAFETY: By the type invariants, `user_ns` is set and referenced, and does not change,
        // while the namespace is active, so for the lifetime of `self`.
        unsafe { UserNamespace::from_raw((*self.as_raw()).user_ns) }
    }
}

/// An active reference on a [`MntNamespace`], dropped with `put_mnt_ns()`.
///
/// # Invariants
///
/// `ns` is a valid mount namespace on which this object owns an active reference.
pub struct OwnedMntNamespace {
    ns: NonNull<MntNamespace>,
}

impl OwnedMntNamespace {
    /// Returns the raw pointer to the namespace and gives its active reference to the caller.
    #[inline]
    pub fn into_raw(self) -> *mut bindings::mnt_namespace {
        let this = ManuallyDrop::new(self);
        this.ns.as_ptr().cast()
    }
}

impl Deref for OwnedMntNamespace {
    type Target = MntNamespace;

    #[inline]
    fn deref(&self) -> &MntNamespace {
        // SAFETY: By the type invariants, `ns` is valid and active while `self` lives.
        unsafe { self.ns.as_ref() }
    }
}

impl Drop for OwnedMntNamespace {
    fn drop(&mut self) {
        // SAFETY: By the type invariants, we own an active reference on `ns`, which we give up.
        // `put_mnt_ns()` takes `namespace_sem` if this is the last one.
        unsafe { bindings::put_mnt_ns(self.ns.as_ptr().cast()) }
    }
}

/// `namespace_sem` held for writing: the guard `namespace_excl` of `fs/namespace.c`.
///
/// Dropping it calls `namespace_unlock()`, which releases the semaphore and then frees what was
/// given up under it: the mounts queued for unmounting and the namespace set as `emptied_ns` (see
/// [`NewMntNamespace`]).
///
/// # Invariants
///
/// The current task holds `namespace_sem` for writing as long as the guard lives; the guard is
/// not `Send`, as the task that took the semaphore must release it.
pub struct NamespaceExcl {
    _not_send: NotThreadSafe,
}

impl NamespaceExcl {
    /// Takes `namespace_sem` for writing (`namespace_lock()`), sleeping until it is free.
    #[inline]
    pub fn lock() -> Self {
        // SAFETY: Always safe to call from process context; `namespace_sem` is not recursive, a
        // task holding it already would deadlock, which is not unsafe.
        unsafe { bindings::vfs_namespace_lock() };

        // INVARIANT: We took `namespace_sem` for writing just above.
        Self {
            _not_send: NotThreadSafe,
        }
    }
}

impl Drop for NamespaceExcl {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariants, the current task holds `namespace_sem` for writing.
        unsafe { bindings::vfs_namespace_unlock() };
    }
}

/// `mount_lock` held for writing: the guard `mount_writer` of `fs/mount.h`
/// (`lock_mount_hash()`).
///
/// It is a spinning lock: the holder must not sleep. It nests inside [`NamespaceExcl`].
///
/// # Invariants
///
/// The current task holds `mount_lock` for writing as long as the guard lives; the guard is not
/// `Send`.
pub struct MountWriter {
    _not_send: NotThreadSafe,
}

impl MountWriter {
    /// Takes `mount_lock` for writing (`lock_mount_hash()`).
    #[inline]
    pub fn lock() -> Self {
        // SAFETY: Always safe to call; a task that holds `mount_lock` already would deadlock,
        // which is not unsafe.
        unsafe { bindings::vfs_lock_mount_hash() };

        // INVARIANT: We took `mount_lock` for writing just above.
        Self {
            _not_send: NotThreadSafe,
        }
    }
}

impl Drop for MountWriter {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariants, the current task holds `mount_lock` for writing.
        unsafe { bindings::vfs_unlock_mount_hash() };
    }
}

/// A new mount namespace being set up, with `namespace_sem` held for writing.
///
/// Made by [`NewMntNamespace::alloc`], given a root mount by [`NewMntNamespace::set_root`] and
/// made visible by [`NewMntNamespace::publish`]. If it is dropped before it is published, on an
/// error path, the namespace is handed to `namespace_unlock()` to be freed (`emptied_ns`), as
/// `copy_mnt_ns()` does in C.
///
/// # Invariants
///
/// - `ns` is a namespace that `alloc_mnt_ns()` made, of which this object owns the only (active
///   and passive) references, and that is not in the namespace tree: no one else can see it. No
///   mount is in it (`mounts` is empty) and its `root` is NULL or a mount in no namespace.
/// - `excl` holds `namespace_sem` for writing as long as this object lives. It is dropped (the
///   semaphore released) after [`Drop::drop`] of this object has run.
pub struct NewMntNamespace {
    ns: NonNull<bindings::mnt_namespace>,
    excl: NamespaceExcl,
}

impl NewMntNamespace {
    /// Allocates a mount namespace owned by `user_ns` (`alloc_mnt_ns()`), then takes
    /// `namespace_sem` for writing (`guard(namespace_excl)`).
    ///
    /// The namespace is empty: it has neither a root nor mounts yet.
    pub fn alloc(user_ns: &UserNamespace) -> Result<Self> {
        // SAFETY: `user_ns` is a valid, referenced user namespace; `alloc_mnt_ns()` takes its
        // own reference on it.
        let ns = from_err_ptr(unsafe { bindings::vfs_alloc_mnt_ns(user_ns.as_raw()) })?;
        let ns = NonNull::new(ns).ok_or(ENOMEM)?;

        // INVARIANT: `ns` is new, ours alone, not in the tree, without mounts and with a NULL
        // `root` (`alloc_mnt_ns()` zeroes it); `excl` holds `namespace_sem`.
        Ok(Self {
            ns,
            excl: NamespaceExcl::lock(),
        })
    }

    #[inline]
    fn as_raw(&self) -> *mut bindings::mnt_namespace {
        self.ns.as_ptr()
    }

    /// Makes a copy of the mount `old` whose root is `root` (`clone_mnt()`), in no namespace.
    ///
    /// `flags` are the `CL_*` [`clone_flags`]; `root` must be a dentry of the superblock of `old`
    /// (for example its root), or this fails with `EINVAL`.
    pub fn clone_mnt(&self, old: &Mount, root: &Dentry, flags: c_int) -> Result<NewMount> {
        // SAFETY: `old` and `root` are valid and referenced (type invariants of `Mount` and
        // `Dentry`); `mnt_sb` of a referenced mount and `d_sb` of a referenced dentry are set
        // and do not change.
        if unsafe { (*old.as_raw()).mnt.mnt_sb != (*root.as_raw()).d_sb } {
            return Err(EINVAL);
        }

        // SAFETY: `old` is a referenced mount and `root` a referenced dentry of its superblock.
        // By the type invariants, `namespace_sem` is held for writing, which `clone_mnt()` needs
        // to link the copy into the peer group and slave lists of `old`.
        let mnt =
            from_err_ptr(unsafe { bindings::vfs_clone_mnt(old.as_raw(), root.as_raw(), flags) })?;
        let mnt = NonNull::new(mnt).ok_or(ENOMEM)?;

        // INVARIANT: `clone_mnt()` returned a new mount in no namespace, with one reference,
        // which we own.
        Ok(NewMount { mnt })
    }

    /// Makes `mnt` the root mount of the namespace (`ns->root = mnt`) and returns it.
    ///
    /// The namespace owns the mount from now on; [`Self::publish`] adds it to its mounts. A root
    /// set before is replaced, and leaks.
    pub fn set_root(&self, mnt: NewMount) -> &Mount {
        let mnt = ManuallyDrop::new(mnt);

        // SAFETY: By the type invariants, `ns` is valid and no one else can see it, and
        // `namespace_sem` is held, so we may write its `root`.
        //
        // INVARIANT: `mnt` is a mount in no namespace (type invariants of `NewMount`).
        unsafe { (*self.as_raw()).root = mnt.as_raw() };

        // SAFETY: `mnt` is valid, and referenced as long as the namespace, that is `self`: we gave
        // its reference to the namespace.
        unsafe { Mount::from_raw(mnt.as_raw()) }
    }

    /// Adds the root mount to the mounts of the namespace (`mnt_add_to_ns()`, `nr_mounts++`),
    /// makes the namespace visible (`ns_tree_add_raw()`), releases `namespace_sem`
    /// (`namespace_unlock()`) and returns the active reference on the namespace.
    ///
    /// Fails with `EINVAL` if the namespace has no root ([`Self::set_root`]); it is freed then.
    pub fn publish(self) -> Result<OwnedMntNamespace> {
        // SAFETY: By the type invariants, `ns` is valid and `namespace_sem` is held.
        let root = unsafe { (*self.as_raw()).root };
        if root.is_null() {
            return Err(EINVAL);
        }

        // `Drop::drop` must not run: the namespace is no longer given up.
        let this = ManuallyDrop::new(self);

        // SAFETY: By the type invariants, `ns` is valid, no one else can see it, and
        // `namespace_sem` is held, as `mnt_add_to_ns()` requires and under which `copy_mnt_ns()`
        // adds a namespace to the tree; `root` is a valid mount in no namespace, whose reference
        // the namespace owns.
        unsafe {
            bindings::vfs_mnt_add_to_ns(this.as_raw(), root);
            (*this.as_raw()).nr_mounts += 1;
            bindings::vfs_mnt_ns_tree_add(this.as_raw());
        }

        // SAFETY: `this` is neither used nor dropped after this: we move `excl` out of it and drop
        // it, which releases `namespace_sem` (`namespace_unlock()`).
        drop(unsafe { ptr::read(&this.excl) });

        // INVARIANT: The active reference that `alloc_mnt_ns()` set up is ours.
        Ok(OwnedMntNamespace { ns: this.ns.cast() })
    }
}

impl Drop for NewMntNamespace {
    fn drop(&mut self) {
        // SAFETY: By the type invariants, `namespace_sem` is still held (`excl` is dropped after
        // this function), and `ns` is ours alone, not in the tree and without mounts: the
        // namespace that `namespace_unlock()`, called when `excl` is dropped, frees. A root it
        // has is in no namespace, so it does not refer to `ns` (and leaks).
        unsafe { bindings::vfs_set_emptied_ns(self.as_raw()) };
    }
}

/// A mount that [`NewMntNamespace::clone_mnt`] made, in no namespace yet.
///
/// It is meant to become the root of its namespace ([`NewMntNamespace::set_root`]); dropped
/// before, it leaks (it is not unmounted).
///
/// # Invariants
///
/// `mnt` is a valid mount in no namespace, with a reference that this object owns.
#[must_use = "a new mount leaks unless it is given to a namespace"]
pub struct NewMount {
    mnt: NonNull<bindings::mount>,
}

impl NewMount {
    /// Locks the mount against changes by a less privileged user namespace (`lock_mnt_tree()`):
    /// its flags may no longer be changed, nor what is under it revealed.
    ///
    /// `_writer` proves that `mount_lock` is held for writing, as the C caller does with
    /// `guard(mount_writer)`.
    pub fn lock_tree(&self, _writer: &MountWriter) {
        // SAFETY: By the type invariants, `mnt` is valid and in no namespace, and `mount_lock`,
        // which protects the mount flags, is held for writing (`_writer`).
        unsafe { bindings::vfs_lock_mnt_tree(self.as_raw()) };
    }
}

impl Deref for NewMount {
    type Target = Mount;

    #[inline]
    fn deref(&self) -> &Mount {
        // SAFETY: By the type invariants, `mnt` is valid and we own a reference on it.
        unsafe { Mount::from_raw(self.mnt.as_ptr()) }
    }
}

/// An owned `struct path`: a mount and a dentry on it, with a reference on each.
///
/// Dropping it releases both (`path_put()`).
///
/// # Invariants
///
/// `inner.mnt` and `inner.dentry` are each either NULL or valid with a reference that this object
/// owns.
pub struct Path {
    inner: bindings::path,
}

impl Path {
    /// Creates a path from a mount and a dentry on it, taking over their references.
    pub fn new(mnt: ARef<VfsMount>, dentry: ARef<Dentry>) -> Self {
        // INVARIANT: `ARef::into_raw` hands the references over to us.
        Self {
            inner: bindings::path {
                mnt: ARef::into_raw(mnt).as_ptr().cast(),
                dentry: ARef::into_raw(dentry).as_ptr().cast(),
            },
        }
    }

    /// Creates a [`Path`] from a raw `struct path`, taking over its references.
    ///
    /// # Safety
    ///
    /// `path.mnt` and `path.dentry` must each be either NULL or valid with a reference that the
    /// caller owns and gives to the returned object.
    #[inline]
    pub unsafe fn from_raw(path: bindings::path) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self { inner: path }
    }

    /// Returns the raw `struct path` and gives its references to the caller.
    #[inline]
    pub fn into_raw(self) -> bindings::path {
        let this = ManuallyDrop::new(self);
        this.inner
    }
}

impl Drop for Path {
    fn drop(&mut self) {
        // SAFETY: By the type invariants, the members of `inner` are NULL, which `path_put()`
        // ignores, or valid with references that we own and give up here.
        unsafe { bindings::path_put(&self.inner) };
    }
}

/// Wraps the kernel's `struct fs_struct`: the root and working directory of a task.
///
/// # Invariants
///
/// A `&FsStruct` is only created for an `fs_struct` that the current thread has to itself for its
/// lifetime: one that `copy_fs_struct()` made for a task being created or unsharing, and that no
/// task uses yet. Its `root` and `pwd` may therefore be written without `seq`, as `copy_mnt_ns()`
/// does in C. `FsStruct` is neither `Send` nor `Sync`.
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
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::fs_struct) -> &'a Self {
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
    pub fn replace_root(&self, root: Path) -> Path {
        // SAFETY: By the type invariants, the `fs_struct` is valid and ours alone, so we may read
        // and write its `root` without `seq`.
        let old =
            unsafe { ptr::replace(ptr::addr_of_mut!((*self.as_raw()).root), root.into_raw()) };

        // SAFETY: The `fs_struct` held a reference on each non-NULL member of its `root`, which
        // it no longer does: they are ours.
        unsafe { Path::from_raw(old) }
    }

    /// Sets the working directory (`pwd`) to `pwd` and returns the previous one.
    ///
    /// Dropping the result releases the previous working directory (`path_put()`).
    pub fn replace_pwd(&self, pwd: Path) -> Path {
        // SAFETY: By the type invariants, the `fs_struct` is valid and ours alone, so we may read
        // and write its `pwd` without `seq`.
        let old = unsafe { ptr::replace(ptr::addr_of_mut!((*self.as_raw()).pwd), pwd.into_raw()) };

        // SAFETY: The `fs_struct` held a reference on each non-NULL member of its `pwd`, which it
        // no longer does: they are ours.
        unsafe { Path::from_raw(old) }
    }
}

/// The Rust side of `copy_mnt_ns()`: a function that makes a new mount namespace from `ns` for
/// `user_ns`, and sets up `new_fs` (if any) for it.
pub type CopyMntNsFn = fn(
    ns: &MntNamespace,
    user_ns: &UserNamespace,
    new_fs: Option<&FsStruct>,
) -> Result<OwnedMntNamespace>;

/// Calls `f` with the arguments of a C caller of `copy_mnt_ns()`, for [`export_copy_mnt_ns!`].
///
/// Returns the new namespace, with an active reference for the caller, or an `ERR_PTR()`.
///
/// # Safety
///
/// For the duration of the call, `ns` must be a valid mount namespace on which the caller holds an
/// active reference, `user_ns` a valid, referenced user namespace, and `new_fs` either NULL or a
/// valid `fs_struct` that no other thread uses (as `copy_mnt_ns()` gets them).
///
/// [`export_copy_mnt_ns!`]: crate::export_copy_mnt_ns
#[doc(hidden)]
pub unsafe fn copy_mnt_ns_from_c(
    ns: *mut bindings::mnt_namespace,
    user_ns: *mut bindings::user_namespace,
    new_fs: *mut bindings::fs_struct,
    f: CopyMntNsFn,
) -> *mut bindings::mnt_namespace {
    // SAFETY: The caller guarantees that `ns` is valid and active for this call.
    let ns = unsafe { MntNamespace::from_raw(ns) };

    // SAFETY: The caller guarantees that `user_ns` is valid and referenced for this call.
    let user_ns = unsafe { UserNamespace::from_raw(user_ns) };

    let new_fs = if new_fs.is_null() {
        None
    } else {
        // SAFETY: The caller guarantees that `new_fs` is valid and ours alone for this call.
        Some(unsafe { FsStruct::from_raw(new_fs) })
    };

    match f(ns, user_ns, new_fs) {
        Ok(new_ns) => new_ns.into_raw(),
        Err(e) => e.to_ptr(),
    }
}

/// Exports a [`CopyMntNsFn`] to C under `name`, with the signature of `copy_mnt_ns()` without
/// `flags`.
///
/// C code declares it, in a header that the Rust bindings include, as
/// `struct mnt_namespace *name(struct mnt_namespace *ns, struct user_namespace *user_ns,
/// struct fs_struct *new_fs);` and calls it with the arguments of `copy_mnt_ns()`. The signature
/// is checked against that declaration at compile time (`#[export]`).
///
/// # Examples
///
/// ```ignore
/// use kernel::fs::mnt_namespace::{FsStruct, MntNamespace, OwnedMntNamespace, UserNamespace};
/// use kernel::prelude::*;
///
/// fn copy_empty_mnt_ns(
///     ns: &MntNamespace,
///     user_ns: &UserNamespace,
///     new_fs: Option<&FsStruct>,
/// ) -> Result<OwnedMntNamespace> {
///     // ...
/// #   Err(ENOSYS)
/// }
///
/// kernel::export_copy_mnt_ns! {
///     /// Called by `copy_mnt_ns()` for `CLONE_EMPTY_MNTNS`.
///     rust_copy_empty_mnt_ns => copy_empty_mnt_ns
/// }
/// ```
#[macro_export]
macro_rules! export_copy_mnt_ns {
    ($(#[$meta:meta])* $name:ident => $f:path) => {
        $(#[$meta])*
        ///
        /// # Safety
        ///
        /// The arguments are those of `copy_mnt_ns()`: for the duration of the call, `ns` is an
        /// active mount namespace, `user_ns` a referenced user namespace, and `new_fs` NULL or an
        /// `fs_struct` that no other thread uses.
        #[$crate::macros::export]
        pub unsafe extern "C" fn $name(
            ns: *mut $crate::bindings::mnt_namespace,
            user_ns: *mut $crate::bindings::user_namespace,
            new_fs: *mut $crate::bindings::fs_struct,
        ) -> *mut $crate::bindings::mnt_namespace {
            // SAFETY: The C caller passes the arguments of `copy_mnt_ns()`, which meet the
            // requirements of `copy_mnt_ns_from_c`.
            unsafe { $crate::fs::mnt_namespace::copy_mnt_ns_from_c(ns, user_ns, new_fs, $f) }
        }
    };
}
