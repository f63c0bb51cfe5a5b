// SPDX-License-Identifier: GPL-2.0

//! Directory entries.
//!
//! C header: [`include/linux/dcache.h`](srctree/include/linux/dcache.h)

use crate::{
    bindings,
    fs::inode::{
        Inode,
        NewInode, //
    },
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque, //
};
use core::ptr::NonNull;

/// Wraps the kernel's `struct dentry`.
///
/// # Invariants
///
/// Instances of this type are always reference-counted (`d_lockref`): a `&Dentry` is only
/// created while the reference count is positive, and `ARef<Dentry>` owns a reference.
#[repr(transparent)]
pub struct Dentry {
    inner: Opaque<bindings::dentry>,
}

// SAFETY: The C side synchronises accesses to a dentry with its own locks, and the methods of
// `Dentry` only read fields that are stable while a reference is held, so `Dentry` may be used
// from any thread.
unsafe impl Sync for Dentry {}

// SAFETY: A dentry is not tied to a thread, and its reference count may be dropped on any thread.
unsafe impl Send for Dentry {}

// SAFETY: The type invariants guarantee that `Dentry` is always reference-counted.
unsafe impl AlwaysRefCounted for Dentry {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the reference count is positive.
        unsafe { bindings::dget(self.as_raw()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller passes us ownership of a reference. The cast is okay since `Dentry`
        // has the same representation as `struct dentry`.
        unsafe { bindings::dput(obj.cast().as_ptr()) }
    }
}

impl Dentry {
    /// Creates a reference to a [`Dentry`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct dentry` whose reference count is positive for the
    /// duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::dentry) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the dentry referenced for
        // `'a`. The cast is okay because `Dentry` is `repr(transparent)` over `struct dentry`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::dentry {
        self.inner.get()
    }

    /// Creates the root dentry of a superblock for the new inode `inode` (`d_make_root()`),
    /// publishing it.
    ///
    /// The reference on `inode` is consumed, also on failure (`d_make_root()` drops it then).
    /// The result is usually handed to
    /// [`SuperBlock::set_root`](crate::fs::super_block::SuperBlock::set_root).
    pub fn d_make_root(inode: NewInode) -> Result<ARef<Self>> {
        let inode = ARef::into_raw(inode.into_inode())
            .as_ptr()
            .cast::<bindings::inode>();

        // SAFETY: `inode` is valid and we pass ownership of its reference to `d_make_root`, which
        // either moves it into the new dentry or drops it.
        let dentry = NonNull::new(unsafe { bindings::d_make_root(inode) }).ok_or(ENOMEM)?;

        // SAFETY: `d_make_root` returned a new dentry with a reference count of one, whose
        // ownership we pass to the `ARef`.
        Ok(unsafe { ARef::from_raw(dentry.cast()) })
    }

    /// Returns whether the dentry is a directory that can be looked up in (`d_can_lookup()`): not
    /// an automount point, not a regular file or any other kind of file.
    #[inline]
    pub fn can_lookup(&self) -> bool {
        // SAFETY: By the type invariants, `self.as_raw()` is valid.
        unsafe { bindings::d_can_lookup(self.as_raw()) }
    }

    /// Returns whether the dentry is a directory, an automount point included (`d_is_dir()`).
    #[inline]
    pub fn is_dir(&self) -> bool {
        // SAFETY: By the type invariants, `self.as_raw()` is valid.
        unsafe { bindings::d_is_dir(self.as_raw()) }
    }

    /// Returns the inode of the dentry (`d_inode`), or [`None`] if the dentry is negative.
    pub fn inode(&self) -> Option<&Inode> {
        // This `read_volatile` is intended to correspond to a READ_ONCE call: a negative dentry
        // may become positive concurrently.
        //
        // SAFETY: By the type invariants, `self.as_raw()` is valid.
        let inode = unsafe { core::ptr::addr_of!((*self.as_raw()).d_inode).read_volatile() };
        if inode.is_null() {
            return None;
        }

        // SAFETY: A positive dentry holds a reference on its inode. The inode is only detached
        // from a referenced dentry by `d_delete()` when the caller of `d_delete()` holds the only
        // reference to the dentry, so not while the reference behind `&self` exists in another
        // context; hence the inode outlives the returned reference.
        Some(unsafe { Inode::from_raw(inode) })
    }
}
