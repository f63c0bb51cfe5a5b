// SPDX-License-Identifier: GPL-2.0

//! Superblocks.
//!
//! A `struct super_block` is a mounted instance of a file system.
//!
//! C headers: [`include/linux/fs/super_types.h`](srctree/include/linux/fs/super_types.h) and
//! [`include/linux/fs/super.h`](srctree/include/linux/fs/super.h)

use crate::{
    bindings,
    fs::{
        c_layout::assert_c_offsets,
        dentry::Dentry,
        file::Offset, //
    },
    prelude::*,
    sync::aref::ARef,
    types::Opaque, //
};
use core::marker::PhantomData;

/// The largest file size the page cache can represent (`MAX_LFS_FILESIZE`).
pub const MAX_LFS_FILESIZE: Offset = bindings::MAX_LFS_FILESIZE;

/// Superblock flags (`SB_*`), as in `sb->s_flags` and [`FsContext::set_sb_flags`].
///
/// [`FsContext::set_sb_flags`]: crate::fs::fs_context::FsContext::set_sb_flags
pub mod flags {
    /// The file system cannot be mounted from userspace.
    pub const SB_NOUSER: u32 = bindings::SB_NOUSER;
}

/// Internal superblock flags (`SB_I_*`), as in `sb->s_iflags` and
/// [`FsContext::set_s_iflags`].
///
/// [`FsContext::set_s_iflags`]: crate::fs::fs_context::FsContext::set_s_iflags
pub mod iflags {
    /// Executables on this file system are ignored (as if mounted `noexec`).
    pub const SB_I_NOEXEC: u32 = bindings::SB_I_NOEXEC;

    /// Device nodes on this file system are ignored (as if mounted `nodev`).
    pub const SB_I_NODEV: u32 = bindings::SB_I_NODEV;
}

/// File system magic numbers (`sb->s_magic`), from
/// [`include/uapi/linux/magic.h`](srctree/include/uapi/linux/magic.h).
pub mod magic {
    use crate::ffi::c_ulong;

    /// The magic number of nullfs ("NULL").
    pub const NULL_FS_MAGIC: c_ulong = bindings::NULL_FS_MAGIC as c_ulong;
}

// The fields of `struct super_block` (`__randomize_layout`) read and written here.
assert_c_offsets!(super_block {
    s_blocksize_bits,
    s_blocksize,
    s_maxbytes,
    s_op,
    s_flags,
    s_iflags,
    s_magic,
    s_root,
    s_time_gran,
    s_d_flags,
});

mod private {
    pub trait Sealed {}

    impl Sealed for super::New {}
    impl Sealed for super::Ready {}
}

/// The state of a [`SuperBlock`]: [`New`] or [`Ready`].
pub trait SbState: private::Sealed {}

/// State of a superblock being filled in by [`FillSuper::fill_super`], not yet visible to the rest
/// of the kernel. Its properties can be set.
///
/// [`FillSuper::fill_super`]: crate::fs::fs_context::FillSuper::fill_super
pub struct New;

/// State of a superblock that is set up (`SB_BORN`). Its properties can only be read.
pub struct Ready;

impl SbState for New {}
impl SbState for Ready {}

/// Wraps the kernel's `struct super_block`.
///
/// # Invariants
///
/// - `inner` is a valid `struct super_block` for the lifetime of any reference to `Self`.
/// - If `S` is [`New`], the superblock is being filled in: the caller of `fill_super` holds
///   `s_umount` for writing, `SB_BORN` is not set, and only the current thread writes the fields
///   this type has setters for (`SuperBlock<New>` is neither `Send` nor `Sync`).
/// - If `S` is [`Ready`], the superblock is set up (`SB_BORN`) and remains so for the lifetime of
///   the reference, and the fields read here other than `s_flags` and `s_iflags` no longer
///   change.
#[repr(transparent)]
pub struct SuperBlock<S: SbState = Ready> {
    inner: Opaque<bindings::super_block>,
    _state: PhantomData<S>,
}

// SAFETY: A ready superblock can be referenced from any thread: the methods of `SuperBlock<Ready>`
// only read fields that no longer change or that are read with `READ_ONCE()` semantics.
unsafe impl Sync for SuperBlock<Ready> {}

// SAFETY: A ready superblock is not tied to a thread.
unsafe impl Send for SuperBlock<Ready> {}

impl<S: SbState> SuperBlock<S> {
    /// Creates a reference to a [`SuperBlock`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct super_block` for the duration of `'a`, which satisfies
    /// the type invariants for the state `S` for that duration.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::super_block) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid for `'a`. The cast is okay
        // because `SuperBlock` is `repr(transparent)` over `struct super_block`.
        //
        // INVARIANT: The caller guarantees the invariants of the state `S`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::super_block {
        self.inner.get()
    }

    /// Returns the magic number of the file system (`s_magic`).
    pub fn magic(&self) -> c_ulong {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and `s_magic` is only written
        // while the superblock is new, by the current thread.
        unsafe { (*self.as_raw()).s_magic }
    }

    /// Returns the flags of the superblock (`s_flags`, `SB_*`).
    pub fn flags(&self) -> c_ulong {
        // This `read_volatile` is intended to correspond to a READ_ONCE call: the flags of a live
        // superblock may change, e.g. on remount.
        //
        // SAFETY: By the type invariants, `self.as_raw()` is valid.
        unsafe { core::ptr::addr_of!((*self.as_raw()).s_flags).read_volatile() }
    }

    /// Returns the internal flags of the superblock (`s_iflags`, `SB_I_*`).
    pub fn iflags(&self) -> c_ulong {
        // This `read_volatile` is intended to correspond to a READ_ONCE call: the internal flags
        // of a live superblock may change.
        //
        // SAFETY: By the type invariants, `self.as_raw()` is valid.
        unsafe { core::ptr::addr_of!((*self.as_raw()).s_iflags).read_volatile() }
    }

    /// Returns the maximum size of a file (`s_maxbytes`).
    pub fn maxbytes(&self) -> Offset {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and `s_maxbytes` is only
        // written while the superblock is new, by the current thread.
        unsafe { (*self.as_raw()).s_maxbytes }
    }

    /// Returns the block size in bytes (`s_blocksize`).
    pub fn blocksize(&self) -> c_ulong {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and `s_blocksize` is only
        // written while the superblock is new, by the current thread.
        unsafe { (*self.as_raw()).s_blocksize }
    }

    /// Returns the base-2 logarithm of the block size (`s_blocksize_bits`).
    pub fn blocksize_bits(&self) -> u8 {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and `s_blocksize_bits` is only
        // written while the superblock is new, by the current thread.
        unsafe { (*self.as_raw()).s_blocksize_bits }
    }

    /// Returns the granularity of the timestamps in nanoseconds (`s_time_gran`).
    pub fn time_gran(&self) -> u32 {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and `s_time_gran` is only
        // written while the superblock is new, by the current thread.
        unsafe { (*self.as_raw()).s_time_gran }
    }

    /// Returns the default flags of the dentries of the superblock (`s_d_flags`).
    pub fn d_flags(&self) -> u32 {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and `s_d_flags` is only written
        // while the superblock is new, by the current thread.
        unsafe { (*self.as_raw()).s_d_flags }
    }
}

impl SuperBlock<New> {
    /// Sets the maximum size of a file (`s_maxbytes`), e.g. [`MAX_LFS_FILESIZE`].
    pub fn set_maxbytes(&self, maxbytes: Offset) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and, the superblock being new,
        // only written by the current thread.
        unsafe { (*self.as_raw()).s_maxbytes = maxbytes };
    }

    /// Sets the block size to `1 << bits` bytes (`s_blocksize` and `s_blocksize_bits`).
    ///
    /// Returns [`EINVAL`] if `1 << bits` does not fit in `s_blocksize`.
    pub fn set_blocksize_bits(&self, bits: u8) -> Result {
        let size = c_ulong::checked_shl(1, u32::from(bits)).ok_or(EINVAL)?;

        // SAFETY: By the type invariants, `self.as_raw()` is valid and, the superblock being new,
        // only written by the current thread.
        unsafe {
            (*self.as_raw()).s_blocksize = size;
            (*self.as_raw()).s_blocksize_bits = bits;
        }
        Ok(())
    }

    /// Sets the magic number of the file system (`s_magic`), e.g. one of [`magic`].
    pub fn set_magic(&self, magic: c_ulong) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and, the superblock being new,
        // only written by the current thread.
        unsafe { (*self.as_raw()).s_magic = magic };
    }

    /// Sets the superblock operations (`s_op`) to those of `T`.
    pub fn set_op<T: SuperOperations>(&self) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and, the superblock being new,
        // only written by the current thread. The operation table is `'static`.
        unsafe { (*self.as_raw()).s_op = SuperOpsVTable::<T>::build() };
    }

    /// Sets the granularity of the timestamps in nanoseconds (`s_time_gran`).
    pub fn set_time_gran(&self, gran: u32) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and, the superblock being new,
        // only written by the current thread.
        unsafe { (*self.as_raw()).s_time_gran = gran };
    }

    /// Sets the default flags of the dentries of the superblock (`s_d_flags`).
    pub fn set_d_flags(&self, flags: u32) {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and, the superblock being new,
        // only written by the current thread.
        unsafe { (*self.as_raw()).s_d_flags = flags };
    }

    /// Sets the root of the superblock (`s_root`), usually made with [`Dentry::d_make_root`].
    ///
    /// The superblock takes over the reference held by `root`; the VFS releases it when the
    /// superblock is torn down. If a root was set before, its reference is dropped. Fails with
    /// `EINVAL` (dropping `root`) if `root` is a dentry of another superblock.
    pub fn set_root(&self, root: ARef<Dentry>) -> Result {
        // SAFETY: `root` is a referenced dentry, whose `d_sb` is set and does not change.
        if unsafe { (*root.as_raw()).d_sb } != self.as_raw() {
            return Err(EINVAL);
        }
        let new = ARef::into_raw(root).as_ptr().cast::<bindings::dentry>();

        // SAFETY: By the type invariants, `self.as_raw()` is valid and, the superblock being new,
        // only written by the current thread.
        let old = unsafe { core::ptr::replace(&raw mut (*self.as_raw()).s_root, new) };
        if !old.is_null() {
            // SAFETY: A non-null `s_root` owns a reference to the dentry, which was transferred to
            // us by the `replace` above.
            unsafe { bindings::dput(old) };
        }
        Ok(())
    }
}

/// Operations on a superblock (`struct super_operations`).
///
/// Installed with [`SuperBlock::set_op`].
pub trait SuperOperations {
    /// Whether `statfs` is `simple_statfs()`, which reports the magic number, block size and
    /// name length limit of the superblock and no usage.
    const SIMPLE_STATFS: bool = false;
}

/// The `struct super_operations` of a Rust [`SuperOperations`] implementation.
struct SuperOpsVTable<T: SuperOperations>(PhantomData<T>);

impl<T: SuperOperations> SuperOpsVTable<T> {
    const VTABLE: bindings::super_operations = bindings::super_operations {
        statfs: if T::SIMPLE_STATFS {
            Some(bindings::simple_statfs)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    const fn build() -> &'static bindings::super_operations {
        &Self::VTABLE
    }
}
