// SPDX-License-Identifier: GPL-2.0

//! File operations.
//!
//! The operations a file system provides for the files it opens (`struct file_operations`), and
//! the VFS helpers they and their callers are built with.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/filelock.h`](srctree/include/linux/filelock.h)

use crate::{
    bindings,
    error::{
        from_result,
        VTABLE_DEFAULT_ERROR, //
    },
    fs::{
        c_layout::assert_c_offsets,
        file::Offset,
        File,
        LocalFile, //
    },
    prelude::*,
    types::Opaque, //
};
use core::{
    marker::PhantomData,
    ops::Deref, //
};

/// Flags of the file operations (`FOP_*`), see [`FileOperations::FOP_FLAGS`].
pub mod flags {
    /// The file never changes and is never removed: reading a directory of it takes no lock.
    pub const FOP_IMMUTABLE: u32 = bindings::FOP_IMMUTABLE;
}

// The fields of `struct file_operations` (`__randomize_layout`) set by the tables built here.
assert_c_offsets!(file_operations {
    fop_flags,
    llseek,
    read,
    iterate_shared,
    fsync,
    lock,
    flock,
});

/// Wraps the kernel's `struct dir_context`: the state of a directory iteration.
///
/// # Invariants
///
/// `inner` is a valid `struct dir_context` for the lifetime of any reference to `Self`, used by
/// the current thread only (`DirContext` is neither `Send` nor `Sync`).
#[repr(transparent)]
pub struct DirContext {
    inner: Opaque<bindings::dir_context>,
}

impl DirContext {
    /// Creates a reference to a [`DirContext`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct dir_context` for the duration of `'a`, only used by
    /// the current thread for that duration (for example, in an `iterate_shared` callback).
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::dir_context) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid for `'a`. The cast is okay
        // because `DirContext` is `repr(transparent)` over `struct dir_context`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::dir_context {
        self.inner.get()
    }

    /// Emits the `.` and `..` entries of the directory `file` if the position is before them,
    /// advancing the position past them (`dir_emit_dots()`).
    ///
    /// Returns `false` if the consumer of the entries asked to stop.
    pub fn emit_dots(&self, file: &LocalFile) -> bool {
        // SAFETY: By the type invariants, `self.as_raw()` is valid and only used by this thread.
        // `file.as_ptr()` is a valid open file, whose dentry is positive.
        unsafe { bindings::dir_emit_dots(file.as_ptr(), self.as_raw()) }
    }
}

/// Wraps the kernel's `struct file_lock`: a lock request passed to the `lock` and `flock` file
/// operations.
///
/// # Invariants
///
/// `inner` is a valid `struct file_lock` for the lifetime of any reference to `Self`.
#[repr(transparent)]
pub struct FileLock {
    inner: Opaque<bindings::file_lock>,
}

impl FileLock {
    /// Creates a reference to a [`FileLock`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct file_lock` for the duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::file_lock) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid for `'a`. The cast is okay
        // because `FileLock` is `repr(transparent)` over `struct file_lock`.
        unsafe { &*ptr.cast() }
    }
}

/// A file whose `llseek` operation is running ([`FileOperations::llseek`]): its position may be
/// changed.
///
/// The VFS calls `llseek` with the file's position serialised against its other users: with
/// `f_pos_lock` held when the file is shared (`fdget_pos()`), or from the only thread that uses
/// it. Only the `llseek` callback gets a `&SeekingFile`, for the duration of the call, so the
/// helpers that write the position are out of reach of other code holding the [`File`].
///
/// # Invariants
///
/// The file is valid and its position is not accessed concurrently for the lifetime of a
/// `&SeekingFile`.
#[repr(transparent)]
pub struct SeekingFile(LocalFile);

impl SeekingFile {
    /// # Safety
    ///
    /// `ptr` must be a valid open file whose `llseek` operation the VFS is calling now, for the
    /// duration of `'a`.
    unsafe fn from_raw<'a>(ptr: *const bindings::file) -> &'a Self {
        // SAFETY: The caller guarantees that the file is valid for `'a` and that its position is
        // ours, so if an `fdget_pos` that did not take `f_pos_lock` is active, it is on this
        // thread.
        let file = unsafe { LocalFile::from_raw_file(ptr) };

        // SAFETY: The cast is okay because `SeekingFile` is `repr(transparent)` over `LocalFile`.
        //
        // INVARIANT: The VFS serialises `llseek` against the other users of the position.
        unsafe { &*core::ptr::from_ref(file).cast::<Self>() }
    }

    /// Changes the position of the file like the generic `llseek` of a file of size `eof` whose
    /// positions cannot exceed `maxsize` (`generic_file_llseek_size()`), and returns it.
    pub fn generic_file_llseek_size(
        &self,
        offset: Offset,
        whence: c_int,
        maxsize: Offset,
        eof: Offset,
    ) -> Result<Offset> {
        // SAFETY: `self.as_ptr()` is a valid open file whose position is ours to change (type
        // invariants).
        let pos = unsafe {
            bindings::generic_file_llseek_size(self.as_ptr(), offset, whence, maxsize, eof)
        };
        if pos < 0 {
            // A negative position is an error code, within the range of `c_int`.
            Err(Error::from_errno(pos as c_int))
        } else {
            Ok(pos)
        }
    }
}

impl Deref for SeekingFile {
    type Target = LocalFile;

    #[inline]
    fn deref(&self) -> &LocalFile {
        &self.0
    }
}

/// Operations on the files of an inode (`struct file_operations`).
///
/// Installed with [`NewInode::set_fop`](crate::fs::inode::NewInode::set_fop). Operations that are
/// not implemented are left `NULL`, so the VFS applies its default for them.
///
/// Where C file systems plug a libfs function directly, the corresponding constant selects it
/// (e.g. [`FileOperations::GENERIC_READ_DIR`]); a Rust implementation of the same operation takes
/// precedence over the constant.
///
/// # Examples
///
/// The operations of an empty directory that cannot be locked:
///
/// ```
/// use kernel::fs::{
///     file::Offset,
///     file_operations::{
///         DirContext,
///         FileLock,
///         FileOperations,
///         SeekingFile, //
///     },
///     File,
///     LocalFile, //
/// };
/// use kernel::prelude::*;
///
/// struct EmptyDir;
///
/// #[vtable]
/// impl FileOperations for EmptyDir {
///     const GENERIC_READ_DIR: bool = true;
///     const NOOP_FSYNC: bool = true;
///
///     fn llseek(file: &SeekingFile, offset: Offset, whence: c_int) -> Result<Offset> {
///         // `.` and `..` are at offsets 0 and 1.
///         file.generic_file_llseek_size(offset, whence, 2, 2)
///     }
///
///     fn iterate_shared(file: &LocalFile, ctx: &DirContext) -> Result {
///         ctx.emit_dots(file);
///         Ok(())
///     }
///
///     fn lock(_file: &File, _cmd: c_int, _fl: &FileLock) -> Result {
///         Err(ENOLCK)
///     }
/// }
/// ```
#[vtable]
pub trait FileOperations {
    /// The flags of the file operations (`fop_flags`), see [`flags`].
    const FOP_FLAGS: u32 = 0;

    /// Whether `read` is `generic_read_dir()`, which fails with [`EISDIR`] (for directories).
    const GENERIC_READ_DIR: bool = false;

    /// Whether `fsync` is `noop_fsync()`, which does nothing and succeeds.
    const NOOP_FSYNC: bool = false;

    /// Changes the position of the file (`llseek`), returning the new position.
    ///
    /// `whence` is one of the `SEEK_*` values.
    fn llseek(_file: &SeekingFile, _offset: Offset, _whence: c_int) -> Result<Offset> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Emits the entries of the directory `file` from the position of `ctx` on
    /// (`iterate_shared`).
    ///
    /// Called with the inode lock held shared, unless the operations have
    /// [`flags::FOP_IMMUTABLE`].
    fn iterate_shared(_file: &LocalFile, _ctx: &DirContext) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes the data of `file` in the byte range `start..=end` (and its metadata unless
    /// `datasync`) to stable storage (`fsync`).
    fn fsync(_file: &File, _start: Offset, _end: Offset, _datasync: bool) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Handles a POSIX lock request on `file` (`lock`), `cmd` being an `F_*` lock command.
    fn lock(_file: &File, _cmd: c_int, _fl: &FileLock) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Handles a BSD `flock()` request on `file` (`flock`), `cmd` being an `F_*` lock command.
    fn flock(_file: &File, _cmd: c_int, _fl: &FileLock) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The `struct file_operations` of a Rust [`FileOperations`] implementation.
pub(crate) struct FileOpsVTable<T: FileOperations>(PhantomData<T>);

impl<T: FileOperations> FileOpsVTable<T> {
    /// # Safety
    ///
    /// `file` must be a valid open file whose operations are those of `T`, and the VFS calling its
    /// `llseek` operation.
    unsafe extern "C" fn llseek(
        file: *mut bindings::file,
        offset: bindings::loff_t,
        whence: c_int,
    ) -> bindings::loff_t {
        // SAFETY: The caller guarantees that the file is valid and that this is its `llseek`
        // operation, for the duration of this call.
        let file = unsafe { SeekingFile::from_raw(file) };
        from_result(|| T::llseek(file, offset, whence))
    }

    /// # Safety
    ///
    /// `file` must be a valid open directory whose operations are those of `T`, and `ctx` a valid
    /// directory context only used by the current thread during the call. If there is an active
    /// `fdget_pos` on `file` that did not take the `f_pos_lock` mutex, it is on the current thread.
    unsafe extern "C" fn iterate_shared(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> c_int {
        // SAFETY: The caller guarantees that the file is valid for the duration of this call and
        // that a `fdget_pos` that did not take the `f_pos_lock` mutex is on this thread.
        let file = unsafe { LocalFile::from_raw_file(file) };
        // SAFETY: The caller guarantees that `ctx` is valid and only used by this thread during
        // this call.
        let ctx = unsafe { DirContext::from_raw(ctx) };
        from_result(|| {
            T::iterate_shared(file, ctx)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `file` must be a valid open file whose operations are those of `T`, with no active
    /// `fdget_pos` on it that did not take the `f_pos_lock` mutex.
    unsafe extern "C" fn fsync(
        file: *mut bindings::file,
        start: bindings::loff_t,
        end: bindings::loff_t,
        datasync: c_int,
    ) -> c_int {
        // SAFETY: The caller guarantees that the file is valid for the duration of this call and
        // that there is no `fdget_pos` on it that did not take the `f_pos_lock` mutex.
        let file = unsafe { File::from_raw_file(file) };
        from_result(|| {
            T::fsync(file, start, end, datasync != 0)?;
            Ok(0)
        })
    }

    /// Calls `f`, [`FileOperations::lock`] or [`FileOperations::flock`], for a C caller.
    ///
    /// # Safety
    ///
    /// `file` must be a valid open file whose operations are those of `T`, with no active
    /// `fdget_pos` on it that did not take the `f_pos_lock` mutex, and `fl` a valid lock request.
    unsafe fn lock_with(
        file: *mut bindings::file,
        cmd: c_int,
        fl: *mut bindings::file_lock,
        f: fn(&File, c_int, &FileLock) -> Result,
    ) -> c_int {
        // SAFETY: The caller guarantees that the file is valid for the duration of this call and
        // that there is no `fdget_pos` on it that did not take the `f_pos_lock` mutex.
        let file = unsafe { File::from_raw_file(file) };
        // SAFETY: The caller guarantees that `fl` is valid for the duration of this call.
        let fl = unsafe { FileLock::from_raw(fl) };
        from_result(|| {
            f(file, cmd, fl)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// As for [`Self::lock_with`].
    unsafe extern "C" fn lock(
        file: *mut bindings::file,
        cmd: c_int,
        fl: *mut bindings::file_lock,
    ) -> c_int {
        // SAFETY: The caller guarantees what `lock_with` requires.
        unsafe { Self::lock_with(file, cmd, fl, T::lock) }
    }

    /// # Safety
    ///
    /// As for [`Self::lock_with`].
    unsafe extern "C" fn flock(
        file: *mut bindings::file,
        cmd: c_int,
        fl: *mut bindings::file_lock,
    ) -> c_int {
        // SAFETY: The caller guarantees what `lock_with` requires.
        unsafe { Self::lock_with(file, cmd, fl, T::flock) }
    }

    const VTABLE: bindings::file_operations = bindings::file_operations {
        fop_flags: T::FOP_FLAGS,
        llseek: if T::HAS_LLSEEK {
            Some(Self::llseek)
        } else {
            None
        },
        read: if T::GENERIC_READ_DIR {
            Some(bindings::generic_read_dir)
        } else {
            None
        },
        iterate_shared: if T::HAS_ITERATE_SHARED {
            Some(Self::iterate_shared)
        } else {
            None
        },
        fsync: if T::HAS_FSYNC {
            Some(Self::fsync)
        } else if T::NOOP_FSYNC {
            Some(bindings::noop_fsync)
        } else {
            None
        },
        lock: if T::HAS_LOCK { Some(Self::lock) } else { None },
        flock: if T::HAS_FLOCK {
            Some(Self::flock)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// Returns the `'static` operation table of `T`.
    pub(crate) const fn build() -> &'static bindings::file_operations {
        &Self::VTABLE
    }
}
