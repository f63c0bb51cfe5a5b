// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use crate::{
    bindings,
    fs::{
        c_layout::assert_c_offsets,
        file_operations::{
            FileOperations,
            FileOpsVTable, //
        },
        super_block::{
            New,
            SuperBlock, //
        },
    },
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque, //
};
use core::ptr::NonNull;

/// Inode flags (`S_*`), as in `inode->i_flags`.
pub mod flags {
    /// Do not update the access times.
    pub const S_NOATIME: u32 = bindings::S_NOATIME;

    /// The inode cannot be changed.
    pub const S_IMMUTABLE: u32 = bindings::S_IMMUTABLE;
}

/// File type and permission bits, as in `inode->i_mode`.
pub mod mode {
    /// Directory.
    pub const S_IFDIR: u16 = bindings::S_IFDIR as u16;
}

// The fields of `struct inode` (`__randomize_layout`) read and written here.
assert_c_offsets!(inode {
    i_mode,
    i_flags,
    i_ino,
    __bindgen_anon_1 => i_nlink,
    __bindgen_anon_3 => i_fop,
});

/// Wraps the kernel's `struct inode`.
///
/// # Invariants
///
/// Instances of this type are always reference-counted (`i_count`): a `&Inode` is only created
/// while the reference count is positive, and `ARef<Inode>` owns a reference.
#[repr(transparent)]
pub struct Inode {
    inner: Opaque<bindings::inode>,
}

// SAFETY: The C side synchronises accesses to an inode with its own locks, and the methods of
// `Inode` only read fields with `READ_ONCE()` semantics or that no longer change, so `Inode` may
// be used from any thread.
unsafe impl Sync for Inode {}

// SAFETY: An inode is not tied to a thread, and its reference count may be dropped on any thread.
unsafe impl Send for Inode {}

// SAFETY: The type invariants guarantee that `Inode` is always reference-counted.
unsafe impl AlwaysRefCounted for Inode {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the reference count is positive.
        unsafe { bindings::ihold(self.as_raw()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller passes us ownership of a reference. The cast is okay since `Inode`
        // has the same representation as `struct inode`.
        unsafe { bindings::iput(obj.cast().as_ptr()) }
    }
}

impl Inode {
    /// Allocates a new inode on `sb` (`new_inode()`), a superblock being filled in: the file
    /// system of `sb` is the one calling, whose inodes these are.
    ///
    /// The inode is not hashed and not yet visible through any dentry: it can be set up with the
    /// methods of [`NewInode`] before it is published.
    pub fn new_inode(sb: &SuperBlock<New>) -> Result<NewInode> {
        // SAFETY: `sb.as_raw()` is a valid superblock.
        let inode = NonNull::new(unsafe { bindings::new_inode(sb.as_raw()) }).ok_or(ENOMEM)?;

        // SAFETY: `new_inode` returned a new inode with a reference count of one, whose ownership
        // we pass to the `ARef`.
        let inode = unsafe { ARef::from_raw(inode.cast::<Inode>()) };

        // INVARIANT: The inode was just allocated and has not been published yet.
        Ok(NewInode(inode))
    }

    /// Creates a reference to an [`Inode`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct inode` whose reference count is positive for the
    /// duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::inode) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the inode referenced for
        // `'a`. The cast is okay because `Inode` is `repr(transparent)` over `struct inode`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::inode {
        self.inner.get()
    }

    /// Returns the file type and permission bits of the inode (`i_mode`), see [`mode`].
    pub fn mode(&self) -> u16 {
        // This `read_volatile` is intended to correspond to a READ_ONCE call: the mode may be
        // changed concurrently, e.g. by `chmod()`.
        //
        // SAFETY: By the type invariants, `self.as_raw()` is valid.
        unsafe { core::ptr::addr_of!((*self.as_raw()).i_mode).read_volatile() }
    }

    /// Returns the inode number (`i_ino`).
    pub fn ino(&self) -> u64 {
        // SAFETY: By the type invariants, `self.as_raw()` is valid. The inode number is set
        // before the inode is published and does not change afterwards.
        unsafe { (*self.as_raw()).i_ino }
    }

    /// Returns the inode flags (`i_flags`), see [`flags`].
    pub fn flags(&self) -> u32 {
        // This `read_volatile` is intended to correspond to a READ_ONCE call: the flags may be
        // changed concurrently, e.g. by `inode_set_flags()`.
        //
        // SAFETY: By the type invariants, `self.as_raw()` is valid.
        unsafe { core::ptr::addr_of!((*self.as_raw()).i_flags).read_volatile() }
    }

    /// Returns the number of hard links to the inode (`i_nlink`).
    pub fn nlink(&self) -> u32 {
        // This `read_volatile` is intended to correspond to a READ_ONCE call: the link count may
        // be changed concurrently.
        //
        // SAFETY: By the type invariants, `self.as_raw()` is valid. Both members of the union
        // are `unsigned int`, so reading either is fine.
        unsafe { core::ptr::addr_of!((*self.as_raw()).__bindgen_anon_1.i_nlink).read_volatile() }
    }
}

/// An inode allocated by [`Inode::new_inode`] that is being set up.
///
/// Once set up, it is published, e.g. with [`Dentry::d_make_root`]. Until then it gives no access
/// to the [`Inode`]: a `&Inode` could be turned into a second reference (`ARef::from`) and sent
/// to another thread while the setters here write the inode.
///
/// # Invariants
///
/// The inode was allocated by `new_inode()` and has not been published yet: it is not hashed and
/// no dentry refers to it. The `ARef` is the only reference to the inode, so the fields set by
/// the methods of this type are not accessed concurrently.
///
/// [`Dentry::d_make_root`]: crate::fs::dentry::Dentry::d_make_root
pub struct NewInode(ARef<Inode>);

impl NewInode {
    /// Makes the inode a permanently empty directory (`make_empty_dir_inode()`).
    ///
    /// The mode becomes `S_IFDIR | 0555`, the link count two, owner and group root, and the inode
    /// and file operations those of an empty directory (the file operations can be overridden
    /// afterwards with [`NewInode::set_fop`]).
    // `#[inline]`: `make_empty_dir_inode()` is not exported to modules, and the kernel crate must
    // not export it through a wrapper of its own.
    #[inline]
    pub fn make_empty_dir_inode(&mut self) {
        // SAFETY: By the type invariants, the inode is valid and not accessed concurrently.
        unsafe { bindings::make_empty_dir_inode(self.0.as_raw()) };
    }

    /// Sets the file operations of the inode (`i_fop`) to those of `T`.
    pub fn set_fop<T: FileOperations>(&mut self) {
        // SAFETY: By the type invariants, the inode is valid and not accessed concurrently. The
        // operation table is `'static`.
        unsafe { (*self.0.as_raw()).__bindgen_anon_3.i_fop = FileOpsVTable::<T>::build() };
    }

    /// Sets the access, modification and change times to the current time
    /// (`simple_inode_init_ts()`).
    pub fn simple_inode_init_ts(&mut self) {
        // SAFETY: By the type invariants, the inode is valid and not accessed concurrently.
        unsafe { bindings::simple_inode_init_ts(self.0.as_raw()) };
    }

    /// Sets the inode number (`i_ino`).
    pub fn set_ino(&mut self, ino: u64) {
        // SAFETY: By the type invariants, the inode is valid and not accessed concurrently.
        unsafe { (*self.0.as_raw()).i_ino = ino };
    }

    /// Sets the inode flags (`i_flags`, see [`flags`]) in `mask` to their value in `flags`
    /// (`inode_set_flags()`).
    ///
    /// To add flags, pass them as both `flags` and `mask`. `flags` must be a subset of `mask`.
    pub fn set_flags(&mut self, flags: u32, mask: u32) {
        // SAFETY: By the type invariants, the inode is valid.
        unsafe { bindings::inode_set_flags(self.0.as_raw(), flags, mask) };
    }

    /// Ends the set-up of the inode, returning the reference to it, for the `fs` abstractions that
    /// publish it (e.g. [`Dentry::d_make_root`]).
    pub(crate) fn into_inode(self) -> ARef<Inode> {
        self.0
    }
}
