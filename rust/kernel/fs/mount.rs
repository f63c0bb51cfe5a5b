// SPDX-License-Identifier: GPL-2.0

//! Mounts.
//!
//! C header: [`include/linux/mount.h`](srctree/include/linux/mount.h)

use crate::{
    bindings,
    error::from_err_ptr,
    fs::{
        c_layout::assert_c_offsets,
        dentry::Dentry,
        file_system_type::FileSystemType,
        path::Path,
        super_block::SuperBlock, //
    },
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque, //
};
use core::ptr::{
    self,
    NonNull, //
};

// The fields of `struct vfsmount` (`__randomize_layout`) read here and in `mnt_namespace`.
assert_c_offsets!(vfsmount {
    mnt_root,
    mnt_sb,
    mnt_flags,
});

/// Wraps the kernel's `struct vfsmount`: a mounted instance of a file system.
///
/// A mount holds an active reference on its superblock, so the superblock and the root of the
/// mount stay alive as long as the mount.
///
/// # Invariants
///
/// Instances of this type are always reference-counted (`mntget()`/`mntput()`): a `&VfsMount` is
/// only created while the reference count is positive, and `ARef<VfsMount>` owns a reference.
/// `mnt_root` and `mnt_sb` are set and do not change while the mount is referenced.
///
/// # Examples
///
/// See [`file_system_type`](crate::fs::file_system_type).
#[repr(transparent)]
pub struct VfsMount {
    inner: Opaque<bindings::vfsmount>,
}

// SAFETY: The methods of `VfsMount` only read fields that do not change while the mount is
// referenced, so it may be used from any thread.
unsafe impl Sync for VfsMount {}

// SAFETY: A mount is not tied to a thread, and its reference count may be dropped on any thread.
unsafe impl Send for VfsMount {}

// SAFETY: The type invariants guarantee that `VfsMount` is always reference-counted.
unsafe impl AlwaysRefCounted for VfsMount {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the reference count is positive.
        unsafe { bindings::mntget(self.as_raw()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller passes us ownership of a reference. The cast is okay since
        // `VfsMount` has the same representation as `struct vfsmount`.
        unsafe { bindings::mntput(obj.cast().as_ptr()) }
    }
}

impl VfsMount {
    /// Mounts an instance of `fs_type` for kernel-internal use (`vfs_kern_mount()`).
    ///
    /// `flags` are the `SB_*` flags the mount is requested with and `name` is its source name.
    /// The mount is not attached to any mount namespace; it is released when the returned
    /// reference is dropped.
    pub fn vfs_kern_mount(
        fs_type: &'static FileSystemType,
        flags: c_int,
        name: &CStr,
    ) -> Result<ARef<Self>> {
        // SAFETY: `fs_type.as_raw()` is a valid file system type that lives forever and `name` is
        // a valid C string for the duration of the call. No mount data is passed.
        let mnt = from_err_ptr(unsafe {
            bindings::vfs_kern_mount(fs_type.as_raw(), flags, name.as_char_ptr(), ptr::null_mut())
        })?;
        let mnt = NonNull::new(mnt).ok_or(EINVAL)?;

        // SAFETY: `vfs_kern_mount` returned a new mount with a reference we own, whose ownership
        // we pass to the `ARef`.
        Ok(unsafe { ARef::from_raw(mnt.cast()) })
    }

    /// Creates a reference to a [`VfsMount`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct vfsmount` that stays referenced for the duration of
    /// `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::vfsmount) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the mount referenced for
        // `'a`. The cast is okay because `VfsMount` is `repr(transparent)` over `struct vfsmount`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::vfsmount {
        self.inner.get()
    }

    /// Returns the root of the mount (`mnt_root`).
    #[inline]
    pub fn root(&self) -> &Dentry {
        // SAFETY: By the type invariants, `mnt_root` is set and does not change while the mount
        // is referenced, and the mount holds a reference on it.
        unsafe { Dentry::from_raw((*self.as_raw()).mnt_root) }
    }

    /// Returns a path to the root of the mount, with a reference on each (`mntget()`, `dget()`).
    #[inline]
    pub fn root_path(&self) -> Path {
        Path::new(self.into(), self.root().into())
    }

    /// Returns the superblock of the mount (`mnt_sb`).
    pub fn super_block(&self) -> &SuperBlock {
        // SAFETY: By the type invariants, `mnt_sb` is set and does not change while the mount is
        // referenced. The mount holds an active reference on the superblock, which is therefore
        // set up (`SB_BORN`) and stays so while the mount is referenced.
        unsafe { SuperBlock::from_raw((*self.as_raw()).mnt_sb) }
    }
}
