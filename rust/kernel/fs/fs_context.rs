// SPDX-License-Identifier: GPL-2.0

//! Mount contexts.
//!
//! A `struct fs_context` holds the parameters of a mount being set up, until the superblock and
//! its root are created (`get_tree`). See the [filesystem mount API] documentation.
//!
//! C header: [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h)
//!
//! [filesystem mount API]: https://docs.kernel.org/filesystems/mount_api.html

use crate::{
    bindings,
    error::{
        from_result,
        to_result, //
    },
    fs::super_block::{
        New,
        SuperBlock, //
    },
    prelude::*,
    types::Opaque, //
};
use core::marker::PhantomData;

/// Wraps the kernel's `struct fs_context`.
///
/// A reference to an `FsContext` is handed to the callbacks of a file system while a mount is
/// being set up: [`FileSystem::init_fs_context`], [`FsContextOperations::get_tree`] and
/// [`FillSuper::fill_super`].
///
/// # Invariants
///
/// `inner` is a valid `struct fs_context` for the lifetime of any reference to `Self`, and the
/// current thread has exclusive access to the fields this type reads and writes for that lifetime
/// (the VFS does not share a mount context between threads while it calls into the file system;
/// `FsContext` is neither `Send` nor `Sync`).
///
/// [`FileSystem::init_fs_context`]: crate::fs::file_system_type::FileSystem::init_fs_context
#[repr(transparent)]
pub struct FsContext {
    inner: Opaque<bindings::fs_context>,
}

impl FsContext {
    /// Creates a reference to an [`FsContext`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct fs_context` for the duration of `'a`, and the current
    /// thread must have exclusive access to it for that duration (for example, because the VFS is
    /// calling `init_fs_context` or `get_tree` with it).
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::fs_context) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid for `'a`. The cast is okay
        // because `FsContext` is `repr(transparent)` over `struct fs_context`.
        //
        // INVARIANT: The caller guarantees exclusive access for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::fs_context {
        self.inner.get()
    }

    /// Sets the mount context operations (`fc->ops`) to those of `T`.
    pub fn set_ops<T: FsContextOperations>(&self) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and exclusively ours. The
        // operation table is `'static`.
        unsafe { (*self.as_raw()).ops = FsContextOpsVTable::<T>::build() };
    }

    /// Sets whether the superblock goes into the initial user namespace (`fc->global`), rather
    /// than into the user namespace of the mounter.
    pub fn set_global(&self, global: bool) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and no other thread accesses
        // the context, so taking a temporary mutable reference to update the bitfield is okay.
        unsafe { (*self.as_raw()).set_global(global) };
    }

    /// Sets the flags of the superblock to be created (`fc->sb_flags`, `SB_*`).
    ///
    /// This replaces the flags the mount was requested with, like an assignment in C.
    ///
    /// See [`super_block::flags`](crate::fs::super_block::flags).
    pub fn set_sb_flags(&self, flags: u32) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and exclusively ours.
        unsafe { (*self.as_raw()).sb_flags = flags };
    }

    /// Sets the internal flags OR'd into those of the superblock (`fc->s_iflags`, `SB_I_*`).
    ///
    /// See [`super_block::iflags`](crate::fs::super_block::iflags).
    pub fn set_s_iflags(&self, flags: u32) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and exclusively ours.
        unsafe { (*self.as_raw()).s_iflags = flags };
    }

    /// Gets the superblock of a single-instance file system (`get_tree_single()`).
    ///
    /// All mounts share one superblock: the first one creates it and calls
    /// [`F::fill_super`](FillSuper::fill_super) on it, later ones reuse it as it is.
    ///
    /// Meant to be called from [`FsContextOperations::get_tree`].
    pub fn get_tree_single<F: FillSuper>(&self) -> Result {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and exclusively ours, as
        // `get_tree_single` requires. `fill_super_callback::<F>` has the signature `fill_super`
        // must have and satisfies its contract.
        to_result(unsafe {
            bindings::get_tree_single(self.as_raw(), Some(fill_super_callback::<F>))
        })
    }

    /// Gets a new superblock on an anonymous device number (`get_tree_nodev()`).
    ///
    /// Every mount creates a new superblock and calls [`F::fill_super`](FillSuper::fill_super)
    /// on it.
    ///
    /// Meant to be called from [`FsContextOperations::get_tree`].
    pub fn get_tree_nodev<F: FillSuper>(&self) -> Result {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and exclusively ours, as
        // `get_tree_nodev` requires. `fill_super_callback::<F>` has the signature `fill_super`
        // must have and satisfies its contract.
        to_result(unsafe {
            bindings::get_tree_nodev(self.as_raw(), Some(fill_super_callback::<F>))
        })
    }
}

/// Fills a new superblock (the `fill_super` argument of `get_tree_*()`).
pub trait FillSuper {
    /// Sets up the new superblock `sb` for the mount described by `fc`.
    ///
    /// On success the root of the superblock must have been set with [`SuperBlock::set_root`]:
    /// the mount fails with `EINVAL` otherwise.
    /// On failure the VFS tears the superblock down with the `kill_sb` of the file system type,
    /// which releases whatever was attached to it (e.g. the root).
    fn fill_super(sb: &SuperBlock<New>, fc: &FsContext) -> Result;
}

/// The `fill_super` callback passed to the `get_tree_*()` functions for `F`.
///
/// # Safety
///
/// `sb` must point to a new superblock being filled in (`s_umount` held for writing by the
/// caller, not yet `SB_BORN`) and `fc` to the valid mount context it is created for, both
/// exclusively accessed by the current thread for the duration of the call.
unsafe extern "C" fn fill_super_callback<F: FillSuper>(
    sb: *mut bindings::super_block,
    fc: *mut bindings::fs_context,
) -> c_int {
    from_result(|| {
        // SAFETY: The caller guarantees that `sb` is a new superblock being filled in by the
        // current thread, which is what `SuperBlock<New>` requires.
        let sb = unsafe { SuperBlock::<New>::from_raw(sb) };
        // SAFETY: The caller guarantees that `fc` is valid and exclusively ours during this call.
        let fc = unsafe { FsContext::from_raw(fc) };
        F::fill_super(sb, fc)?;
        // `vfs_get_tree()` calls `BUG()` for a superblock set up without a root.
        // SAFETY: `sb` is valid; only this thread writes `s_root` while it is being filled in.
        if unsafe { (*sb.as_raw()).s_root }.is_null() {
            return Err(EINVAL);
        }
        Ok(0)
    })
}

/// Operations on a mount context (`struct fs_context_operations`).
///
/// Installed with [`FsContext::set_ops`] from
/// [`FileSystem::init_fs_context`](crate::fs::file_system_type::FileSystem::init_fs_context).
pub trait FsContextOperations {
    /// Creates or gets the superblock for the mount and sets the root of the mount
    /// (`fs_context_operations::get_tree`).
    ///
    /// Usually implemented with one of the `get_tree_*()` helpers, e.g.
    /// [`FsContext::get_tree_nodev`] or [`FsContext::get_tree_single`].
    fn get_tree(fc: &FsContext) -> Result;
}

/// The `struct fs_context_operations` of a Rust [`FsContextOperations`] implementation.
struct FsContextOpsVTable<T: FsContextOperations>(PhantomData<T>);

impl<T: FsContextOperations> FsContextOpsVTable<T> {
    /// # Safety
    ///
    /// `fc` must point to a valid mount context whose `ops` are those of `T`, exclusively
    /// accessed by the current thread for the duration of the call.
    unsafe extern "C" fn get_tree(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            // SAFETY: The caller guarantees that `fc` is valid and exclusively ours during this
            // call.
            let fc = unsafe { FsContext::from_raw(fc) };
            T::get_tree(fc)?;
            Ok(0)
        })
    }

    const VTABLE: bindings::fs_context_operations = bindings::fs_context_operations {
        get_tree: Some(Self::get_tree),
        ..pin_init::zeroed()
    };

    const fn build() -> &'static bindings::fs_context_operations {
        &Self::VTABLE
    }
}
