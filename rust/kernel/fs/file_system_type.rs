// SPDX-License-Identifier: GPL-2.0

//! File system types.
//!
//! A [`FileSystemType`] is the Rust counterpart of a `struct file_system_type`: the description
//! of a kind of file system (its name, how to set up a mount context for it and how to tear a
//! superblock down) that the VFS mounts instances of.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h)
//!
//! # Examples
//!
//! A file system whose every mount is a new, empty, read-only directory:
//!
//! ```
//! use kernel::fs::{
//!     dentry::Dentry,
//!     file_system_type::{
//!         FileSystem,
//!         FileSystemType, //
//!     },
//!     fs_context::{
//!         FillSuper,
//!         FsContext,
//!         FsContextOperations, //
//!     },
//!     inode::Inode,
//!     mount::VfsMount,
//!     super_block::{
//!         New,
//!         SuperBlock,
//!         SuperOperations, //
//!     },
//! };
//! use kernel::prelude::*;
//!
//! const EMPTYFS_MAGIC: c_ulong = 0x72757374;
//!
//! struct EmptyFs;
//!
//! impl FileSystem for EmptyFs {
//!     const NAME: &'static CStr = c"rust_emptyfs";
//!
//!     fn init_fs_context(fc: &FsContext) -> Result {
//!         fc.set_ops::<EmptyFs>();
//!         Ok(())
//!     }
//! }
//!
//! impl FsContextOperations for EmptyFs {
//!     fn get_tree(fc: &FsContext) -> Result {
//!         fc.get_tree_nodev::<EmptyFs>()
//!     }
//! }
//!
//! impl FillSuper for EmptyFs {
//!     fn fill_super(sb: &SuperBlock<New>, _fc: &FsContext) -> Result {
//!         sb.set_magic(EMPTYFS_MAGIC);
//!         sb.set_op::<EmptyFs>();
//!
//!         let mut inode = Inode::new_inode(sb)?;
//!         inode.make_empty_dir_inode();
//!         inode.set_ino(1);
//!         sb.set_root(Dentry::d_make_root(inode)?)
//!     }
//! }
//!
//! impl SuperOperations for EmptyFs {
//!     const SIMPLE_STATFS: bool = true;
//! }
//!
//! // SAFETY: The doctests are built-in code.
//! static EMPTY_FS: FileSystemType = unsafe { FileSystemType::new::<EmptyFs>() };
//!
//! assert_eq!(EMPTY_FS.name(), c"rust_emptyfs");
//!
//! // Mount an instance; the mount (and with it the superblock) goes away when `mnt` is dropped.
//! let mnt = VfsMount::vfs_kern_mount(&EMPTY_FS, 0, c"rust_emptyfs")?;
//! assert_eq!(mnt.super_block().magic(), EMPTYFS_MAGIC);
//! let inode = mnt.root().inode().ok_or(ENOENT)?;
//! assert_eq!(inode.ino(), 1);
//! # Ok::<(), Error>(())
//! ```

use crate::{
    bindings,
    error::from_result,
    fs::fs_context::FsContext,
    prelude::*,
    types::Opaque, //
};

/// A kind of file system: the Rust description a [`FileSystemType`] is built from.
///
/// The description is static: [`FileSystemType::new`] turns it into a `struct
/// file_system_type` at compile time. Its superblocks are on an anonymous device number (the
/// `get_tree_*()` helpers of [`FsContext`] make no others), so they are torn down with
/// `kill_anon_super()`.
pub trait FileSystem {
    /// The name of the file system type (`file_system_type::name`), e.g. as shown in
    /// `/proc/filesystems` and `/proc/self/mountinfo`.
    const NAME: &'static CStr;

    /// Sets up a new mount context for this file system (`file_system_type::init_fs_context`).
    ///
    /// This is where the file system installs its [`FsContextOperations`] with
    /// [`FsContext::set_ops`] and sets the properties of the superblock to be created.
    ///
    /// [`FsContextOperations`]: crate::fs::fs_context::FsContextOperations
    fn init_fs_context(fc: &FsContext) -> Result;
}

/// Wraps the kernel's `struct file_system_type`.
///
/// It is meant to be a `static`, built at compile time by [`FileSystemType::new`] from a
/// [`FileSystem`] description, so that C code can refer to it by address (see
/// [`export_file_system_type!`](crate::export_file_system_type)).
///
/// The type is not registered with `register_filesystem()` by this abstraction: it can be
/// mounted from the kernel (e.g. [`VfsMount::vfs_kern_mount`]) but not by name from userspace.
///
/// The `owner` module of the type and of the operation tables built by the `fs` abstractions is
/// `NULL`: nothing would keep a module that defines them loaded while they are in use, so they are
/// for built-in code only ([`FileSystemType::new`] is `unsafe` for that reason, and
/// [`export_file_system_type!`](crate::export_file_system_type) fails to build in a module).
///
/// # Invariants
///
/// `inner` is a valid `struct file_system_type` whose `name` points to a `'static` C string and
/// whose `init_fs_context` and `kill_sb` are set. The fields the C side modifies (`fs_supers`, the
/// lock class keys and `list`) are only accessed by the C side under its own locks.
///
/// [`VfsMount::vfs_kern_mount`]: crate::fs::mount::VfsMount::vfs_kern_mount
#[repr(transparent)]
pub struct FileSystemType {
    inner: Opaque<bindings::file_system_type>,
}

// SAFETY: The C side synchronises all accesses to the mutable parts of a `struct
// file_system_type` (e.g. `fs_supers` under `sb_lock`), and Rust only reads the fields that never
// change after construction. So a `FileSystemType` may be used from any thread.
unsafe impl Sync for FileSystemType {}

// SAFETY: A `struct file_system_type` is not tied to the thread that created it.
unsafe impl Send for FileSystemType {}

impl FileSystemType {
    /// Builds the `struct file_system_type` described by `T`.
    ///
    /// This is a `const fn`, meant to initialise a `static`.
    ///
    /// # Safety
    ///
    /// The caller must be built-in code, not a module: the type and the operation tables of `T`
    /// have no `owner` that would keep a module loaded while they are in use.
    pub const unsafe fn new<T: FileSystem>() -> Self {
        let mut fs_type: bindings::file_system_type = pin_init::zeroed();
        fs_type.name = crate::str::as_char_ptr_in_const_context(T::NAME);
        fs_type.init_fs_context = Some(init_fs_context_callback::<T>);
        fs_type.kill_sb = Some(bindings::kill_anon_super);

        // INVARIANT: `name` is a `'static` C string, `init_fs_context` and `kill_sb` are set, and
        // the rest of the structure is zeroed, like a static C `struct file_system_type`.
        Self {
            inner: Opaque::new(fs_type),
        }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::file_system_type {
        self.inner.get()
    }

    /// Returns the name of the file system type.
    pub fn name(&self) -> &CStr {
        // SAFETY: By the type invariants, `name` points to a `'static` C string and never changes.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name) }
    }
}

/// The `init_fs_context` callback of a [`FileSystemType`] built from `T`.
///
/// # Safety
///
/// `fc` must point to a valid `struct fs_context` that is being initialised for the
/// file system type of `T`, to which the current thread has exclusive access for the duration of
/// the call.
unsafe extern "C" fn init_fs_context_callback<T: FileSystem>(
    fc: *mut bindings::fs_context,
) -> c_int {
    from_result(|| {
        // SAFETY: The caller guarantees that `fc` is valid and exclusively ours during this call.
        let fc = unsafe { FsContext::from_raw(fc) };
        T::init_fs_context(fc)?;
        Ok(0)
    })
}

/// Defines a `static` [`FileSystemType`] built from a [`FileSystem`] and exports it to C under the
/// name of the `static`.
///
/// C code can then declare it as `extern struct file_system_type <name>;` and use its address,
/// like that of a C-defined file system type. The symbol is not exported to modules, and the macro
/// fails to build in a module (see [`FileSystemType::new`]).
///
/// # Examples
///
/// ```ignore
/// use kernel::prelude::*;
///
/// struct NullFs;
///
/// // `impl FileSystem for NullFs { ... }`, see the module documentation.
///
/// kernel::export_file_system_type! {
///     /// The nullfs file system type, used by `init_mount_tree()`.
///     nullfs_fs_type: NullFs
/// }
/// ```
#[macro_export]
macro_rules! export_file_system_type {
    ($(#[$meta:meta])* $name:ident: $fs:ty) => {
        #[cfg(MODULE)]
        ::core::compile_error!("a `FileSystemType` is for built-in code only");

        $(#[$meta])*
        #[no_mangle]
        #[allow(non_upper_case_globals)]
        pub static $name: $crate::fs::file_system_type::FileSystemType =
            // SAFETY: This is built-in code (see the `compile_error!` above).
            unsafe { $crate::fs::file_system_type::FileSystemType::new::<$fs>() };
    };
}
