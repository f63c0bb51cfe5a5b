// SPDX-License-Identifier: GPL-2.0-only

// A Rust port of fs/nullfs.c, written by Christian Brauner <brauner@kernel.org>.

//! nullfs: the immutable, empty file system at the root of the mount tree.
//!
//! `init_mount_tree()` mounts nullfs as mount 1, the true root of the initial mount namespace,
//! and the mutable rootfs on top of it. nullfs has a single instance, is not mountable from
//! userspace and contains nothing but its root: an immutable empty directory.

use kernel::{
    fs::{
        dentry::Dentry,
        file::Offset,
        file_operations::{
            flags::FOP_IMMUTABLE,
            DirContext,
            FileLock,
            FileOperations,
            SeekingFile, //
        },
        file_system_type::FileSystem,
        fs_context::{
            FillSuper,
            FsContext,
            FsContextOperations, //
        },
        inode::{
            flags::{
                S_IMMUTABLE,
                S_NOATIME, //
            },
            Inode,
        },
        super_block::{
            flags::SB_NOUSER,
            iflags::{
                SB_I_NODEV,
                SB_I_NOEXEC, //
            },
            magic::NULL_FS_MAGIC,
            New,
            SuperBlock,
            SuperOperations,
            MAX_LFS_FILESIZE, //
        },
        File,
        LocalFile, //
    },
    page::PAGE_SHIFT,
    prelude::*,
};

/// The nullfs file system type, its mount context and superblock operations.
struct NullFs;

kernel::export_file_system_type! {
    /// The nullfs file system type, mounted by `init_mount_tree()` (see `fs/mount.h`).
    nullfs_fs_type: NullFs
}

impl FileSystem for NullFs {
    const NAME: &'static CStr = c"nullfs";

    fn init_fs_context(fc: &FsContext) -> Result {
        fc.set_ops::<NullFs>();
        fc.set_global(true);
        fc.set_sb_flags(SB_NOUSER);
        fc.set_s_iflags(SB_I_NOEXEC | SB_I_NODEV);
        Ok(())
    }
}

// For now this is a single global instance. If needed we can make it mountable by userspace at
// which point we will need to make it multi-instance.
impl FsContextOperations for NullFs {
    fn get_tree(fc: &FsContext) -> Result {
        fc.get_tree_single::<NullFs>()
    }
}

impl FillSuper for NullFs {
    fn fill_super(sb: &SuperBlock<New>, _fc: &FsContext) -> Result {
        sb.set_maxbytes(MAX_LFS_FILESIZE);
        // `PAGE_SHIFT` is below 64: the block size is `PAGE_SIZE`.
        sb.set_blocksize_bits(PAGE_SHIFT as u8)?;
        sb.set_magic(NULL_FS_MAGIC);
        sb.set_op::<NullFs>();
        // `s_export_op` and `s_xattr` stay `NULL`, as a new superblock has them.
        sb.set_time_gran(1);
        sb.set_d_flags(0);

        let mut inode = Inode::new_inode(sb)?;

        // nullfs is permanently empty...
        inode.make_empty_dir_inode();
        inode.set_fop::<NullDir>();
        inode.simple_inode_init_ts();
        inode.set_ino(1);
        // ... and immutable, reading it leaves no trace either.
        inode.set_flags(S_IMMUTABLE | S_NOATIME, S_IMMUTABLE | S_NOATIME);

        sb.set_root(Dentry::d_make_root(inode)?)
    }
}

impl SuperOperations for NullFs {
    const SIMPLE_STATFS: bool = true;
}

/// The operations of the root directory: what libfs gives an empty directory, plus the refusal of
/// file locks.
struct NullDir;

/// The one inode of nullfs is shared by every holder, so no locks on it.
fn nolock() -> Result {
    Err(ENOLCK)
}

#[vtable]
impl FileOperations for NullDir {
    const FOP_FLAGS: u32 = FOP_IMMUTABLE;
    const GENERIC_READ_DIR: bool = true;
    const NOOP_FSYNC: bool = true;

    fn llseek(file: &SeekingFile, offset: Offset, whence: c_int) -> Result<Offset> {
        // An empty directory has two entries . and .. at offsets 0 and 1.
        file.generic_file_llseek_size(offset, whence, 2, 2)
    }

    fn iterate_shared(file: &LocalFile, ctx: &DirContext) -> Result {
        ctx.emit_dots(file);
        Ok(())
    }

    fn lock(_file: &File, _cmd: c_int, _fl: &FileLock) -> Result {
        nolock()
    }

    fn flock(_file: &File, _cmd: c_int, _fl: &FileLock) -> Result {
        nolock()
    }
}

#[kunit_tests(rust_fs_nullfs)]
mod tests {
    use super::*;
    use kernel::{
        fs::{
            inode::mode::S_IFDIR,
            mount::VfsMount, //
        },
        page::PAGE_SIZE,
    };

    #[test]
    fn nullfs_superblock() -> Result {
        assert_eq!(nullfs_fs_type.name(), c"nullfs");

        // The single instance: the superblock of the root of the initial mount namespace.
        let mnt = VfsMount::vfs_kern_mount(&nullfs_fs_type, 0, c"nullfs")?;
        let sb = mnt.super_block();
        assert_eq!(sb.magic(), NULL_FS_MAGIC);
        assert!((sb.flags() & SB_NOUSER as c_ulong) != 0);
        let iflags = (SB_I_NOEXEC | SB_I_NODEV) as c_ulong;
        assert_eq!(sb.iflags() & iflags, iflags);
        assert_eq!(sb.maxbytes(), MAX_LFS_FILESIZE);
        assert_eq!(sb.blocksize(), PAGE_SIZE);
        assert_eq!(usize::from(sb.blocksize_bits()), PAGE_SHIFT);
        assert_eq!(sb.time_gran(), 1);
        assert_eq!(sb.d_flags(), 0);
        Ok(())
    }

    #[test]
    fn nullfs_root_inode() -> Result {
        let mnt = VfsMount::vfs_kern_mount(&nullfs_fs_type, 0, c"nullfs")?;
        let inode = mnt.root().inode().ok_or(ENOENT)?;
        // What `make_empty_dir_inode()` gives: `S_IFDIR | S_IRUGO | S_IXUGO`, two links.
        assert_eq!(inode.mode(), S_IFDIR | 0o555);
        assert_eq!(inode.nlink(), 2);
        assert_eq!(inode.ino(), 1);
        let flags = S_IMMUTABLE | S_NOATIME;
        assert_eq!(inode.flags() & flags, flags);
        Ok(())
    }

    #[test]
    fn nullfs_no_locks() {
        assert_eq!(nolock(), Err(ENOLCK));
    }
}
