// SPDX-License-Identifier: GPL-2.0

//! Paths: a mount and a dentry on it.
//!
//! C header: [`include/linux/path.h`](srctree/include/linux/path.h)

use crate::{
    bindings,
    fs::{
        c_layout::assert_c_offsets,
        dentry::Dentry,
        mount::VfsMount, //
    },
    sync::aref::ARef,
    types::Opaque, //
};
use core::mem::ManuallyDrop;

// The fields of `struct path` (`__randomize_layout`) read and written here.
assert_c_offsets!(path { mnt, dentry });

/// Wraps the kernel's `struct path`: a dentry and the mount it is seen through.
///
/// An owned `Path` holds a reference on each and releases them when dropped (`path_put()`); a
/// `&Path` borrows one from its owner, e.g. the C caller of a VFS operation.
///
/// # Invariants
///
/// `mnt` and `dentry` are valid and referenced for the lifetime of `Self` (by `Self` if it is
/// owned), and `dentry` is a dentry of the superblock of `mnt`. Neither changes.
#[repr(transparent)]
pub struct Path {
    inner: Opaque<bindings::path>,
}

// SAFETY: A path is not tied to a thread, and its references may be dropped on any thread.
unsafe impl Send for Path {}

// SAFETY: The fields of a path do not change; the mount and the dentry are `Sync`.
unsafe impl Sync for Path {}

impl Path {
    /// Creates a path from a mount and a dentry on it, taking over their references.
    ///
    /// `dentry` must be a dentry of the superblock of `mnt`, within the root of `mnt` (for example
    /// its root): only the `fs` abstractions make paths this way, from what guarantees it.
    #[inline]
    pub(crate) fn new(mnt: ARef<VfsMount>, dentry: ARef<Dentry>) -> Self {
        // INVARIANT: `ARef::into_raw` hands both references over to us.
        Self {
            inner: Opaque::new(bindings::path {
                mnt: ARef::into_raw(mnt).as_ptr().cast(),
                dentry: ARef::into_raw(dentry).as_ptr().cast(),
            }),
        }
    }

    /// Creates a reference to a [`Path`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct path` whose members are valid and referenced, and do
    /// not change, for the duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::path) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid for `'a`. The cast is okay
        // because `Path` is `repr(transparent)` over `struct path`.
        unsafe { &*ptr.cast() }
    }

    /// Takes over the references of a raw `struct path`.
    ///
    /// # Safety
    ///
    /// `path.mnt` and `path.dentry` must be valid, with a reference each that the caller owns and
    /// gives to the returned object.
    #[inline]
    pub unsafe fn from_raw_owned(path: bindings::path) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            inner: Opaque::new(path),
        }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::path {
        self.inner.get()
    }

    /// Returns the raw `struct path` and gives its references to the caller.
    #[inline]
    pub fn into_raw(self) -> bindings::path {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this.as_raw()` is valid; `this` is not dropped, so the references move out.
        unsafe { this.as_raw().read() }
    }

    /// Returns the mount (`mnt`).
    #[inline]
    pub fn mnt(&self) -> &VfsMount {
        // SAFETY: By the type invariants, `mnt` is valid and referenced for the lifetime of
        // `self`.
        unsafe { VfsMount::from_raw((*self.as_raw()).mnt) }
    }

    /// Returns the dentry (`dentry`).
    #[inline]
    pub fn dentry(&self) -> &Dentry {
        // SAFETY: By the type invariants, `dentry` is valid and referenced for the lifetime of
        // `self`.
        unsafe { Dentry::from_raw((*self.as_raw()).dentry) }
    }

    /// Returns whether the dentry is the root of the mount: whether the path is where something
    /// is mounted, rather than a directory within a mount (`path_mounted()`).
    #[inline]
    pub fn is_mount_root(&self) -> bool {
        core::ptr::eq(self.mnt().root(), self.dentry())
    }
}

impl Drop for Path {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariants, the members are valid with references that we own (a
        // `Path` value is only dropped by its owner), which `path_put()` gives up.
        unsafe { bindings::path_put(self.as_raw()) };
    }
}
