// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for nullfs, the immutable empty filesystem that sits at the very
 * bottom of every mount tree (fs/nullfs.c), as seen from inside an empty
 * mount namespace (unshare(UNSHARE_EMPTY_MNTNS)) whose only mount - and
 * therefore "/" and the cwd - is a clone of the nullfs mount.
 *
 * Every test runs in its own process (kselftest harness) which enters the
 * empty mount namespace in the fixture setup, either directly as root in
 * the initial user namespace or after creating a new user namespace.
 *
 * All expectations are exact; they were derived by reading the 7.2 VFS
 * code paths and the comments name the function that decides each errno.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/stat.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "../mntns_util.h"
#include "kselftest_harness.h"
#include "../expect_errno.h"

#ifndef STATX_ATTR_AUTOMOUNT
#define STATX_ATTR_AUTOMOUNT	0x00001000
#endif

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT	0x00002000
#endif

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX		0x00200000
#endif

#ifndef STATX_ATTR_IMMUTABLE
#define STATX_ATTR_IMMUTABLE	0x00000010
#endif

#ifndef STATX_BTIME
#define STATX_BTIME		0x00000800U
#endif

/* statfs(2) f_flags bits (include/linux/statfs.h), not all in libc */
#ifndef ST_VALID
#define ST_VALID		0x0020
#endif

#ifndef SEEK_DATA
#define SEEK_DATA		3
#endif

#ifndef SEEK_HOLE
#define SEEK_HOLE		4
#endif

#ifndef O_TMPFILE
#define O_TMPFILE		(020000000 | O_DIRECTORY)
#endif

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#endif

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE		(1 << 1)
#endif

#ifndef __NR_fchmodat2
#define __NR_fchmodat2		452
#endif

/* make_empty_dir_inode(): nlink 2, root:root */
#define NULLFS_ROOT_NLINK	2

/* linux_dirent64 as getdents64(2) fills it */
struct nullfs_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;
	unsigned short	d_reclen;
	unsigned char	d_type;
	char		d_name[];
};

/* ALIGN(offsetof(struct linux_dirent64, d_name) + namlen + 1, 8) */
#define DIRENT64_RECLEN(namlen) \
	((offsetof(struct nullfs_dirent64, d_name) + (namlen) + 1 + 7) & ~7UL)

static inline long sys_getdents64(int fd, void *buf, size_t count)
{
	return syscall(__NR_getdents64, fd, buf, count);
}

static inline int sys_fspick(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_fspick, dfd, path, flags);
}

/* glibc < 2.39 fchmodat() refuses AT_EMPTY_PATH itself */
static inline int sys_fchmodat2(int dfd, const char *path, mode_t mode,
				unsigned int flags)
{
	return syscall(__NR_fchmodat2, dfd, path, mode, flags);
}

static inline int sys_umount2(const char *target, int flags)
{
	return syscall(__NR_umount2, target, flags);
}

static bool timespec_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

FIXTURE(nullfs) {
	int rootfd;	/* O_RDONLY|O_DIRECTORY fd of "/" (nullfs root) */
	long pagesize;
};

FIXTURE_VARIANT(nullfs) {
	/* enter a new user namespace (0 -> 0 mapping) first */
	bool userns;
	/*
	 * umount2("/", 0) on the namespace root goes to do_umount_root()
	 * after an ns_capable(sb->s_user_ns == &init_user_ns, CAP_SYS_ADMIN)
	 * check: root gets the reconfigure refusal, a user namespace the
	 * capability refusal.
	 */
	int umount_root_errno;
	/*
	 * getxattr("trusted.*"): xattr_permission() wants capable(CAP_SYS_ADMIN)
	 * for reads, else xattr_permission_error(MAY_READ) == -ENODATA; with
	 * it the read reaches xattr_resolve_name() and gets -EOPNOTSUPP.
	 */
	int trusted_getxattr_errno;
};

/* As root in the initial user namespace. */
FIXTURE_VARIANT_ADD(nullfs, root) {
	.userns			= false,
	.umount_root_errno	= EINVAL,
	.trusted_getxattr_errno	= EOPNOTSUPP,
};

/* As (mapped) root of a new user namespace, like upstream's empty_mntns. */
FIXTURE_VARIANT_ADD(nullfs, userns) {
	.userns			= true,
	.umount_root_errno	= EPERM,
	.trusted_getxattr_errno	= ENODATA,
};

FIXTURE_SETUP(nullfs)
{
	self->rootfd = -EBADF;
	self->pagesize = sysconf(_SC_PAGESIZE);
	ASSERT_GT(self->pagesize, 0);

	/*
	 * The expectations below assume the caller is uid 0 (the 0 -> 0
	 * user namespace mapping, the owner checks, CAP_SYS_ADMIN in the
	 * initial user namespace for the root variant).
	 */
	if (geteuid() != 0)
		SKIP(return, "must be run as root");

	if (variant->userns)
		ASSERT_EQ(enter_userns(), 0);

	ASSERT_EQ(unshare(UNSHARE_EMPTY_MNTNS), 0)
		TH_LOG("unshare(UNSHARE_EMPTY_MNTNS): %s", strerror(errno));

	self->rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(self->rootfd, 0);
}

FIXTURE_TEARDOWN(nullfs)
{
	if (self->rootfd >= 0)
		close(self->rootfd);
}

/* We really are in an empty mount namespace, sitting on nullfs. */
TEST_F(nullfs, empty_namespace)
{
	uint64_t list[16];
	uint64_t root_id, cwd_id;

	/* exactly one mount: the clone of the namespace root (nullfs) */
	ASSERT_EQ(listmount(LSMT_ROOT, 0, 0, list, 16, 0), 1);

	root_id = get_unique_mnt_id("/");
	cwd_id = get_unique_mnt_id(".");
	ASSERT_NE(root_id, 0);
	EXPECT_EQ(root_id, cwd_id);
	EXPECT_EQ(list[0], root_id);
}

/* statfs/fstatfs: simple_statfs() + calculate_f_flags() */
TEST_F(nullfs, statfs)
{
	struct statfs sfs, fsfs;
	struct stat st;

	ASSERT_EQ(statfs("/", &sfs), 0);
	ASSERT_EQ(fstatfs(self->rootfd, &fsfs), 0);
	ASSERT_EQ(fstat(self->rootfd, &st), 0);

	EXPECT_EQ(NULL_FS_MAGIC, (unsigned long)sfs.f_type);
	EXPECT_EQ(NULL_FS_MAGIC, (unsigned long)fsfs.f_type);

	EXPECT_EQ(self->pagesize, sfs.f_bsize);
	/* statfs_by_dentry(): f_frsize defaults to f_bsize */
	EXPECT_EQ(self->pagesize, sfs.f_frsize);
	EXPECT_EQ(NAME_MAX, sfs.f_namelen);
	EXPECT_EQ(0, sfs.f_blocks);
	EXPECT_EQ(0, sfs.f_bfree);
	EXPECT_EQ(0, sfs.f_bavail);
	EXPECT_EQ(0, sfs.f_files);
	EXPECT_EQ(0, sfs.f_ffree);
	/*
	 * ST_VALID and nothing else: the nullfs mount is created by
	 * vfs_kern_mount(..., 0, ...) with no mount flags and clone_mnt()
	 * copies them; the superblock has neither SB_RDONLY nor
	 * SB_SYNCHRONOUS/SB_MANDLOCK.
	 */
	EXPECT_EQ(ST_VALID, sfs.f_flags);
	EXPECT_EQ(ST_VALID, fsfs.f_flags);

	/* simple_statfs(): f_fsid = u64_to_fsid(huge_encode_dev(s_dev)) */
	EXPECT_EQ((uint32_t)st.st_dev, (uint32_t)sfs.f_fsid.__val[0]);
	EXPECT_EQ((uint32_t)(st.st_dev >> 32), (uint32_t)sfs.f_fsid.__val[1]);
	EXPECT_EQ(0, memcmp(&sfs.f_fsid, &fsfs.f_fsid, sizeof(sfs.f_fsid)));
}

/* fstat/stat of "/", ".", "/.." all are the one nullfs inode. */
TEST_F(nullfs, stat_root)
{
	const char *const paths[] = { "/", ".", "/..", "/.", "..", "/../.." };
	struct stat fst, st;
	unsigned int i;

	ASSERT_EQ(fstat(self->rootfd, &fst), 0);

	EXPECT_TRUE(S_ISDIR(fst.st_mode));
	EXPECT_EQ(NULLFS_ROOT_MODE, fst.st_mode);
	EXPECT_EQ(0555, fst.st_mode & 07777);
	EXPECT_EQ(NULLFS_ROOT_INO, fst.st_ino);
	EXPECT_EQ(NULLFS_ROOT_NLINK, fst.st_nlink);
	EXPECT_EQ(0, fst.st_uid);
	EXPECT_EQ(0, fst.st_gid);
	EXPECT_EQ(0, fst.st_size);
	EXPECT_EQ(0, fst.st_blocks);
	EXPECT_EQ(0, fst.st_rdev);
	/* i_blkbits = PAGE_SHIFT in make_empty_dir_inode() */
	EXPECT_EQ(self->pagesize, fst.st_blksize);
	/* anonymous superblock (get_tree_single -> set_anon_super) */
	EXPECT_EQ(0, major(fst.st_dev));
	/* simple_inode_init_ts(): one timestamp for all three */
	EXPECT_TRUE(timespec_eq(&fst.st_atim, &fst.st_mtim));
	EXPECT_TRUE(timespec_eq(&fst.st_ctim, &fst.st_mtim));

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ASSERT_EQ(stat(paths[i], &st), 0) TH_LOG("stat(%s)", paths[i]);
		EXPECT_EQ(fst.st_dev, st.st_dev) TH_LOG("%s", paths[i]);
		EXPECT_EQ(fst.st_ino, st.st_ino) TH_LOG("%s", paths[i]);
		EXPECT_EQ(fst.st_mode, st.st_mode) TH_LOG("%s", paths[i]);
		EXPECT_EQ(fst.st_nlink, st.st_nlink) TH_LOG("%s", paths[i]);
	}

	/* nothing below the root: empty_dir_lookup() is -ENOENT */
	EXPECT_ERRNO(ENOENT, stat("/x", &st));
	EXPECT_ERRNO(ENOENT, fstatat(self->rootfd, "x", &st, 0));
	EXPECT_ERRNO(ENOENT, lstat("/x/..", &st));
	EXPECT_OPEN_ERRNO(ENOENT, open("/x", O_RDONLY));
	EXPECT_OPEN_ERRNO(ENOENT, openat(self->rootfd, "x", O_PATH));
}

/*
 * statx: no ->getattr, so generic_fillattr() only.  vfs_getattr_nosec()
 * never reports STATX_ATTR_IMMUTABLE (generic_fill_statx_attr() is not
 * called) - documented here, not a requirement of nullfs.
 */
TEST_F(nullfs, statx_root)
{
	struct statx stx;

	ASSERT_EQ(statx(self->rootfd, "", AT_EMPTY_PATH,
			STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID_UNIQUE,
			&stx), 0);

	/* no btime: asked for, not given */
	EXPECT_EQ(STATX_BASIC_STATS | STATX_MNT_ID_UNIQUE, stx.stx_mask);
	EXPECT_EQ(NULLFS_ROOT_MODE, stx.stx_mode);
	EXPECT_EQ(NULLFS_ROOT_INO, stx.stx_ino);
	EXPECT_EQ(NULLFS_ROOT_NLINK, stx.stx_nlink);
	EXPECT_EQ(0, stx.stx_uid);
	EXPECT_EQ(0, stx.stx_gid);
	EXPECT_EQ(0, stx.stx_size);
	EXPECT_EQ(0, stx.stx_blocks);
	EXPECT_EQ(self->pagesize, stx.stx_blksize);
	EXPECT_EQ(0, stx.stx_dev_major);
	EXPECT_EQ(0, stx.stx_rdev_major);
	EXPECT_EQ(0, stx.stx_rdev_minor);
	EXPECT_EQ(get_unique_mnt_id("/"), stx.stx_mnt_id);
	EXPECT_EQ(STATX_ATTR_MOUNT_ROOT, stx.stx_attributes);
	EXPECT_EQ(STATX_ATTR_AUTOMOUNT | STATX_ATTR_DAX | STATX_ATTR_MOUNT_ROOT,
		  stx.stx_attributes_mask);
	EXPECT_EQ(0, stx.stx_attributes & STATX_ATTR_IMMUTABLE);
}

/* statmount of the only mount: a nullfs superblock, own parent. */
TEST_F(nullfs, statmount_root)
{
	struct statmount *sm;
	uint64_t mnt_id;
	struct stat st;

	ASSERT_EQ(fstat(self->rootfd, &st), 0);
	mnt_id = get_unique_mnt_id("/");
	ASSERT_NE(mnt_id, 0);

	sm = statmount_alloc(mnt_id, 0, STATMOUNT_SB_BASIC |
			     STATMOUNT_MNT_BASIC | STATMOUNT_FS_TYPE, 0);
	ASSERT_NE(sm, NULL) TH_LOG("statmount: %s", strerror(errno));

	EXPECT_EQ(STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC | STATMOUNT_FS_TYPE,
		  sm->mask & (STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC |
			      STATMOUNT_FS_TYPE));
	EXPECT_EQ(NULL_FS_MAGIC, sm->sb_magic);
	EXPECT_EQ(0, sm->sb_dev_major);
	EXPECT_EQ(minor(st.st_dev), sm->sb_dev_minor);
	EXPECT_EQ(0, sm->sb_flags);
	EXPECT_STREQ("nullfs", sm->str + sm->fs_type);
	EXPECT_EQ(mnt_id, sm->mnt_id);
	/* the namespace root mount is its own parent */
	EXPECT_EQ(mnt_id, sm->mnt_parent_id);
	free(sm);
}

/* getdents64 of "/" yields exactly "." and "..", both ino 1. */
TEST_F(nullfs, getdents_dots)
{
	char buf[4096] __attribute__((aligned(8)));
	struct nullfs_dirent64 *d;
	long n;

	n = sys_getdents64(self->rootfd, buf, sizeof(buf));
	ASSERT_EQ((long)(DIRENT64_RECLEN(1) + DIRENT64_RECLEN(2)), n);

	d = (struct nullfs_dirent64 *)buf;
	EXPECT_STREQ(".", d->d_name);
	EXPECT_EQ(NULLFS_ROOT_INO, d->d_ino);
	EXPECT_EQ(DT_DIR, d->d_type);
	EXPECT_EQ(1, d->d_off);
	EXPECT_EQ(DIRENT64_RECLEN(1), d->d_reclen);

	d = (struct nullfs_dirent64 *)(buf + d->d_reclen);
	EXPECT_STREQ("..", d->d_name);
	/* d_parent_ino() of the root dentry is the root itself */
	EXPECT_EQ(NULLFS_ROOT_INO, d->d_ino);
	EXPECT_EQ(DT_DIR, d->d_type);
	EXPECT_EQ(2, d->d_off);
	EXPECT_EQ(DIRENT64_RECLEN(2), d->d_reclen);

	/* and then end of directory, for good */
	EXPECT_RET(0, sys_getdents64(self->rootfd, buf, sizeof(buf)));
	EXPECT_RET(2, lseek(self->rootfd, 0, SEEK_CUR));
	EXPECT_RET(0, sys_getdents64(self->rootfd, buf, sizeof(buf)));
}

/* getdents64 with buffers that fit one entry, or none. */
TEST_F(nullfs, getdents_small_buffer)
{
	char buf[64] __attribute__((aligned(8)));
	struct nullfs_dirent64 *d = (struct nullfs_dirent64 *)buf;

	/* filldir64(): reclen > count with no entry yet -> -EINVAL */
	EXPECT_ERRNO(EINVAL, sys_getdents64(self->rootfd, buf,
					    DIRENT64_RECLEN(1) - 1));
	EXPECT_RET(0, lseek(self->rootfd, 0, SEEK_CUR));

	EXPECT_RET(DIRENT64_RECLEN(1),
		   sys_getdents64(self->rootfd, buf, DIRENT64_RECLEN(1)));
	EXPECT_STREQ(".", d->d_name);
	EXPECT_EQ(1, d->d_off);
	EXPECT_RET(1, lseek(self->rootfd, 0, SEEK_CUR));

	EXPECT_RET(DIRENT64_RECLEN(2),
		   sys_getdents64(self->rootfd, buf, DIRENT64_RECLEN(2)));
	EXPECT_STREQ("..", d->d_name);
	EXPECT_EQ(2, d->d_off);
	EXPECT_RET(2, lseek(self->rootfd, 0, SEEK_CUR));

	EXPECT_RET(0, sys_getdents64(self->rootfd, buf, sizeof(buf)));
}

/*
 * lseek: nullfs_dir_llseek() = generic_file_llseek_size(maxsize 2, eof 2).
 * vfs_setpos() refuses offset < 0 and offset > maxsize with -EINVAL and
 * leaves f_pos alone; SEEK_DATA/SEEK_HOLE at or past eof are -ENXIO.
 */
TEST_F(nullfs, lseek)
{
	char buf[256] __attribute__((aligned(8)));
	struct nullfs_dirent64 *d = (struct nullfs_dirent64 *)buf;
	int fd = self->rootfd;

	/* SEEK_SET */
	EXPECT_RET(0, lseek(fd, 0, SEEK_SET));
	EXPECT_RET(1, lseek(fd, 1, SEEK_SET));
	EXPECT_RET(2, lseek(fd, 2, SEEK_SET));
	EXPECT_ERRNO(EINVAL, lseek(fd, 3, SEEK_SET));
	EXPECT_RET(2, lseek(fd, 0, SEEK_CUR));
	EXPECT_ERRNO(EINVAL, lseek(fd, LLONG_MAX, SEEK_SET));
	EXPECT_ERRNO(EINVAL, lseek(fd, -1, SEEK_SET));
	EXPECT_RET(2, lseek(fd, 0, SEEK_CUR));

	/* SEEK_END: eof is 2 */
	EXPECT_RET(2, lseek(fd, 0, SEEK_END));
	EXPECT_RET(1, lseek(fd, -1, SEEK_END));
	EXPECT_RET(0, lseek(fd, -2, SEEK_END));
	EXPECT_ERRNO(EINVAL, lseek(fd, -3, SEEK_END));
	EXPECT_ERRNO(EINVAL, lseek(fd, 1, SEEK_END));
	EXPECT_RET(0, lseek(fd, 0, SEEK_CUR));

	/* SEEK_CUR */
	EXPECT_RET(1, lseek(fd, 1, SEEK_CUR));
	EXPECT_RET(2, lseek(fd, 1, SEEK_CUR));
	EXPECT_ERRNO(EINVAL, lseek(fd, 1, SEEK_CUR));
	EXPECT_RET(2, lseek(fd, 0, SEEK_CUR));
	EXPECT_RET(0, lseek(fd, -2, SEEK_CUR));
	EXPECT_ERRNO(EINVAL, lseek(fd, -1, SEEK_CUR));
	EXPECT_RET(0, lseek(fd, 0, SEEK_CUR));

	/* SEEK_DATA / SEEK_HOLE */
	EXPECT_RET(0, lseek(fd, 0, SEEK_DATA));
	EXPECT_RET(1, lseek(fd, 1, SEEK_DATA));
	EXPECT_ERRNO(ENXIO, lseek(fd, 2, SEEK_DATA));
	EXPECT_ERRNO(ENXIO, lseek(fd, -1, SEEK_DATA));
	EXPECT_RET(2, lseek(fd, 0, SEEK_HOLE));
	EXPECT_RET(2, lseek(fd, 1, SEEK_HOLE));
	EXPECT_ERRNO(ENXIO, lseek(fd, 2, SEEK_HOLE));

	/* whence > SEEK_MAX: ksys_lseek() */
	EXPECT_ERRNO(EINVAL, lseek(fd, 0, SEEK_HOLE + 1));

	/* position 1 means "..": readdir resumes there */
	EXPECT_RET(1, lseek(fd, 1, SEEK_SET));
	EXPECT_RET(DIRENT64_RECLEN(2), sys_getdents64(fd, buf, sizeof(buf)));
	EXPECT_STREQ("..", d->d_name);
	EXPECT_EQ(2, d->d_off);

	/* position 2 is the end */
	EXPECT_RET(2, lseek(fd, 2, SEEK_SET));
	EXPECT_RET(0, sys_getdents64(fd, buf, sizeof(buf)));

	/* and back to the start */
	EXPECT_RET(0, lseek(fd, 0, SEEK_SET));
	EXPECT_RET(DIRENT64_RECLEN(1) + DIRENT64_RECLEN(2),
		   sys_getdents64(fd, buf, sizeof(buf)));
}

/* read(2) on the directory: generic_read_dir(); fsync: noop_fsync() */
TEST_F(nullfs, read_and_fsync)
{
	char c;

	EXPECT_ERRNO(EISDIR, read(self->rootfd, &c, 1));
	EXPECT_ERRNO(EISDIR, pread(self->rootfd, &c, 1, 0));
	/* O_RDONLY fd: rw_verify_area is never reached, FMODE_WRITE is */
	EXPECT_ERRNO(EBADF, write(self->rootfd, &c, 1));
	EXPECT_RET(0, fsync(self->rootfd));
	EXPECT_RET(0, fdatasync(self->rootfd));
}

/*
 * Opening "/" for writing: may_open() refuses MAY_WRITE on a directory
 * with -EISDIR before inode_permission() would say -EPERM; O_TRUNC adds
 * MAY_WRITE in build_open_flags().  O_CREAT on the root is decided in
 * do_open(): -EEXIST with O_EXCL, else -EISDIR.
 */
TEST_F(nullfs, open_root_for_write)
{
	int fd;

	EXPECT_OPEN_ERRNO(EISDIR, open("/", O_WRONLY));
	EXPECT_OPEN_ERRNO(EISDIR, open("/", O_RDWR));
	EXPECT_OPEN_ERRNO(EISDIR, open("/", O_RDONLY | O_TRUNC));
	EXPECT_OPEN_ERRNO(EISDIR, open("/", O_WRONLY | O_APPEND));
	EXPECT_OPEN_ERRNO(EISDIR, open(".", O_RDWR));
	EXPECT_OPEN_ERRNO(EISDIR, open("/", O_RDONLY | O_CREAT, 0644));
	EXPECT_OPEN_ERRNO(EISDIR, open("/", O_WRONLY | O_CREAT, 0644));
	EXPECT_OPEN_ERRNO(EEXIST, open("/", O_RDWR | O_CREAT | O_EXCL, 0644));
	/* build_open_flags(): O_DIRECTORY | O_CREAT is refused outright */
	EXPECT_OPEN_ERRNO(EINVAL, open("/", O_RDONLY | O_DIRECTORY | O_CREAT,
				       0644));

	/* what is allowed */
	fd = open("/", O_RDONLY | O_NOATIME);
	EXPECT_GE(fd, 0) TH_LOG("O_NOATIME: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = open("/", O_PATH);
	EXPECT_GE(fd, 0);
	if (fd >= 0)
		close(fd);
}

/*
 * O_TMPFILE: vfs_tmpfile() checks inode_permission(MAY_WRITE | MAY_EXEC)
 * on the directory before looking for ->tmpfile: the immutable root gives
 * -EPERM (and not -EOPNOTSUPP).
 */
TEST_F(nullfs, tmpfile)
{
	EXPECT_OPEN_ERRNO(EPERM, open("/", O_TMPFILE | O_RDWR, 0600));
	EXPECT_OPEN_ERRNO(EPERM, openat(self->rootfd, ".",
					O_TMPFILE | O_WRONLY, 0600));
	/* build_open_flags(): O_TMPFILE needs write access */
	EXPECT_OPEN_ERRNO(EINVAL, open("/", O_TMPFILE | O_RDONLY, 0600));
}

/*
 * Creating a new name.  Every create path looks the name up first, and
 * empty_dir_lookup() fails with -ENOENT, before may_create*() could
 * report the immutable parent:
 *  - open(O_CREAT): lookup_open() computes create_error (-EPERM) but
 *    returns the ->lookup() error;
 *  - mkdir/mknod/symlink/link: filename_create() -> start_dirop() ->
 *    lookup_one_qstr_excl() -> -ENOENT.
 */
TEST_F(nullfs, create)
{
	EXPECT_OPEN_ERRNO(ENOENT, open("/x", O_WRONLY | O_CREAT, 0644));
	EXPECT_OPEN_ERRNO(ENOENT, open("/x", O_RDWR | O_CREAT | O_EXCL, 0644));
	EXPECT_OPEN_ERRNO(ENOENT, open("/x", O_RDONLY | O_CREAT, 0644));
	EXPECT_OPEN_ERRNO(ENOENT, openat(self->rootfd, "x",
					 O_WRONLY | O_CREAT | O_TRUNC, 0644));
	EXPECT_OPEN_ERRNO(ENOENT, creat("/x", 0644));
	EXPECT_OPEN_ERRNO(ENOENT, creat("x", 0644));
	/* lookup_fast_for_open(): trailing slash with O_CREAT */
	EXPECT_OPEN_ERRNO(EISDIR, open("/x/", O_WRONLY | O_CREAT, 0644));
	/* below a name that does not exist */
	EXPECT_OPEN_ERRNO(ENOENT, open("/x/y", O_WRONLY | O_CREAT, 0644));
}

TEST_F(nullfs, mkdir)
{
	EXPECT_ERRNO(ENOENT, mkdir("/x", 0755));
	EXPECT_ERRNO(ENOENT, mkdir("/x/", 0755));
	EXPECT_ERRNO(ENOENT, mkdir("x", 0755));
	EXPECT_ERRNO(ENOENT, mkdirat(self->rootfd, "x", 0755));
	/* filename_create(): no last component (LAST_ROOT/DOT/DOTDOT) */
	EXPECT_ERRNO(EEXIST, mkdir("/", 0755));
	EXPECT_ERRNO(EEXIST, mkdir("/.", 0755));
	EXPECT_ERRNO(EEXIST, mkdir("/..", 0755));
}

TEST_F(nullfs, mknod)
{
	EXPECT_ERRNO(ENOENT, mknod("/x", S_IFREG | 0644, 0));
	EXPECT_ERRNO(ENOENT, mknod("/x", 0644, 0));
	EXPECT_ERRNO(ENOENT, mknod("/x", S_IFIFO | 0644, 0));
	EXPECT_ERRNO(ENOENT, mknod("/x", S_IFSOCK | 0644, 0));
	/* CAP_MKNOD is only checked in vfs_mknod(), after the lookup */
	EXPECT_ERRNO(ENOENT, mknod("/x", S_IFCHR | 0644, makedev(1, 3)));
	EXPECT_ERRNO(ENOENT, mknod("/x", S_IFBLK | 0644, makedev(7, 0)));
	EXPECT_ERRNO(ENOENT, mknodat(self->rootfd, "x", S_IFREG | 0644, 0));
	/* may_mknod() runs before any lookup */
	EXPECT_ERRNO(EPERM, mknod("/x", S_IFDIR | 0755, 0));
	EXPECT_ERRNO(EINVAL, mknod("/x", S_IFLNK | 0777, 0));
	/* filename_create() on "/" */
	EXPECT_ERRNO(EEXIST, mknod("/", S_IFREG | 0644, 0));
}

TEST_F(nullfs, symlink)
{
	EXPECT_ERRNO(ENOENT, symlink("target", "/x"));
	EXPECT_ERRNO(ENOENT, symlink("/", "/x"));
	EXPECT_ERRNO(ENOENT, symlinkat("target", self->rootfd, "x"));
	EXPECT_ERRNO(EEXIST, symlink("target", "/"));
	EXPECT_ERRNO(EEXIST, symlink("target", "/.."));
}

/*
 * There is nothing to link but the root itself.  filename_linkat() looks
 * up the old name, then filename_create() fails the new one with -ENOENT
 * before vfs_link() could refuse the directory/immutable inode (-EPERM).
 */
TEST_F(nullfs, link)
{
	EXPECT_ERRNO(ENOENT, link("/", "/x"));
	EXPECT_ERRNO(ENOENT, link("/.", "/x"));
	EXPECT_ERRNO(ENOENT, link(".", "x"));
	EXPECT_ERRNO(ENOENT, linkat(self->rootfd, "", AT_FDCWD, "/x",
				    AT_EMPTY_PATH));
	EXPECT_ERRNO(ENOENT, linkat(AT_FDCWD, "/", self->rootfd, "x",
				    AT_SYMLINK_FOLLOW));
	/* old name does not exist: filename_lookup() */
	EXPECT_ERRNO(ENOENT, link("/x", "/y"));
	/* new name is the root: filename_create() LAST_ROOT */
	EXPECT_ERRNO(EEXIST, link("/", "/"));
	EXPECT_ERRNO(EEXIST, link("/", "/.."));
}

/* filename_renameat2(): LAST_NORM checks, then lookup of the old name */
TEST_F(nullfs, rename)
{
	EXPECT_ERRNO(EBUSY, rename("/.", "/x"));
	EXPECT_ERRNO(EBUSY, rename(".", "x"));
	EXPECT_ERRNO(EBUSY, rename("/..", "/x"));
	EXPECT_ERRNO(EBUSY, rename("/", "/x"));
	EXPECT_ERRNO(EBUSY, rename("/x", "/"));
	EXPECT_ERRNO(EBUSY, rename("/x", "/."));
	EXPECT_ERRNO(EEXIST, renameat2(AT_FDCWD, "/x", AT_FDCWD, "/",
				       RENAME_NOREPLACE));
	EXPECT_ERRNO(ENOENT, rename("/x", "/y"));
	EXPECT_ERRNO(ENOENT, renameat(self->rootfd, "x", self->rootfd, "y"));
	EXPECT_ERRNO(ENOENT, renameat2(AT_FDCWD, "/x", AT_FDCWD, "/y",
				       RENAME_NOREPLACE));
	EXPECT_ERRNO(ENOENT, renameat2(AT_FDCWD, "/x", AT_FDCWD, "/y",
				       RENAME_EXCHANGE));
}

TEST_F(nullfs, unlink_rmdir)
{
	EXPECT_ERRNO(ENOENT, unlink("/x"));
	EXPECT_ERRNO(ENOENT, unlinkat(self->rootfd, "x", 0));
	/* filename_unlinkat(): type != LAST_NORM */
	EXPECT_ERRNO(EISDIR, unlink("/"));
	EXPECT_ERRNO(EISDIR, unlink("/."));
	EXPECT_ERRNO(ENOENT, rmdir("/x"));
	/* filename_rmdir(): LAST_ROOT/LAST_DOT/LAST_DOTDOT */
	EXPECT_ERRNO(EBUSY, rmdir("/"));
	EXPECT_ERRNO(EINVAL, rmdir("/."));
	EXPECT_ERRNO(EINVAL, unlinkat(self->rootfd, ".", AT_REMOVEDIR));
	EXPECT_ERRNO(ENOTEMPTY, rmdir("/.."));
}

/*
 * Attribute changes on "/".  may_setattr() refuses ATTR_MODE/UID/GID and
 * ATTR_TIMES_SET/ATTR_TOUCH on an immutable inode with -EPERM; a chown to
 * (-1, -1) only carries ATTR_CTIME and reaches empty_dir_setattr(), which
 * is -EPERM as well.  truncate(): vfs_truncate() -EISDIR first;
 * ftruncate(): do_ftruncate() -EINVAL for a non-regular file.
 */
TEST_F(nullfs, setattr)
{
	EXPECT_ERRNO(EPERM, chmod("/", 0755));
	EXPECT_ERRNO(EPERM, chmod("/", 0555));	/* no-op mode: still */
	EXPECT_ERRNO(EPERM, chmod(".", 01777));
	EXPECT_ERRNO(EPERM, fchmod(self->rootfd, 0700));
	EXPECT_ERRNO(EPERM, sys_fchmodat2(self->rootfd, "", 0700,
					  AT_EMPTY_PATH));
	EXPECT_ERRNO(EPERM, chown("/", 0, 0));
	EXPECT_ERRNO(EPERM, chown("/", -1, -1));
	EXPECT_ERRNO(EPERM, lchown("/", 0, -1));
	EXPECT_ERRNO(EPERM, fchown(self->rootfd, -1, 0));
	EXPECT_ERRNO(EPERM, fchownat(self->rootfd, "", 0, 0, AT_EMPTY_PATH));
	EXPECT_ERRNO(EISDIR, truncate("/", 0));
	EXPECT_ERRNO(EINVAL, ftruncate(self->rootfd, 0));
	EXPECT_ERRNO(ENOENT, chmod("/x", 0755));
}

TEST_F(nullfs, utimes)
{
	struct timespec ts_set[2] = { { 1, 0 }, { 1, 0 } };
	struct timespec ts_now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct timespec ts_omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	struct timespec ts_half[2] = { { 0, UTIME_OMIT }, { 1, 0 } };
	struct timespec ts_bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	struct stat before, after;

	ASSERT_EQ(fstat(self->rootfd, &before), 0);

	/* times == NULL / both UTIME_NOW: ATTR_TOUCH */
	EXPECT_ERRNO(EPERM, utimensat(AT_FDCWD, "/", NULL, 0));
	EXPECT_ERRNO(EPERM, utimensat(AT_FDCWD, "/", ts_now, 0));
	EXPECT_ERRNO(EPERM, futimens(self->rootfd, NULL));
	EXPECT_ERRNO(EPERM, utimes("/", NULL));
	/* explicit times: ATTR_TIMES_SET */
	EXPECT_ERRNO(EPERM, utimensat(AT_FDCWD, "/", ts_set, 0));
	EXPECT_ERRNO(EPERM, utimensat(self->rootfd, "", ts_half,
				      AT_EMPTY_PATH));
	EXPECT_ERRNO(EPERM, futimens(self->rootfd, ts_set));
	/* vfs_utimes(): nsec validation happens first */
	EXPECT_ERRNO(EINVAL, utimensat(AT_FDCWD, "/", ts_bad, 0));
	/* both UTIME_OMIT: the syscall returns 0 without looking */
	EXPECT_RET(0, utimensat(AT_FDCWD, "/", ts_omit, 0));

	ASSERT_EQ(fstat(self->rootfd, &after), 0);
	EXPECT_TRUE(timespec_eq(&before.st_atim, &after.st_atim));
	EXPECT_TRUE(timespec_eq(&before.st_mtim, &after.st_mtim));
	EXPECT_TRUE(timespec_eq(&before.st_ctim, &after.st_ctim));
}

/*
 * xattrs: make_empty_dir_inode() clears IOP_XATTR and nullfs has no
 * s_xattr.  Writes hit may_write_xattr() (immutable -> -EPERM) before any
 * namespace or handler check; reads get -EOPNOTSUPP from
 * xattr_resolve_name(), listxattr from empty_dir_listxattr().
 */
TEST_F(nullfs, xattr)
{
	char buf[256];

	EXPECT_ERRNO(EPERM, setxattr("/", "user.nullfs", "v", 1, 0));
	EXPECT_ERRNO(EPERM, setxattr("/", "user.nullfs", "v", 1,
				     XATTR_CREATE));
	EXPECT_ERRNO(EPERM, setxattr("/", "user.nullfs", NULL, 0,
				     XATTR_REPLACE));
	EXPECT_ERRNO(EPERM, setxattr("/", "trusted.nullfs", "v", 1, 0));
	EXPECT_ERRNO(EPERM, setxattr("/", "security.nullfs", "v", 1, 0));
	EXPECT_ERRNO(EPERM, lsetxattr("/", "user.nullfs", "v", 1, 0));
	EXPECT_ERRNO(EPERM, fsetxattr(self->rootfd, "user.nullfs", "v", 1, 0));
	EXPECT_ERRNO(EPERM, removexattr("/", "user.nullfs"));
	EXPECT_ERRNO(EPERM, fremovexattr(self->rootfd, "user.nullfs"));

	EXPECT_ERRNO(EOPNOTSUPP, getxattr("/", "user.nullfs", buf,
					  sizeof(buf)));
	EXPECT_ERRNO(variant->trusted_getxattr_errno,
		     getxattr("/", "trusted.nullfs", buf, sizeof(buf)));
	EXPECT_ERRNO(EOPNOTSUPP, fgetxattr(self->rootfd, "user.nullfs", buf,
					   sizeof(buf)));
	EXPECT_ERRNO(EOPNOTSUPP, listxattr("/", buf, sizeof(buf)));
	EXPECT_ERRNO(EOPNOTSUPP, listxattr("/", NULL, 0));
	EXPECT_ERRNO(EOPNOTSUPP, flistxattr(self->rootfd, buf, sizeof(buf)));
}

/*
 * access(W_OK): inode_permission() -> IS_IMMUTABLE -> -EPERM (the -EROFS
 * in do_faccessat() is only reached when inode_permission() succeeded).
 */
TEST_F(nullfs, access)
{
	EXPECT_RET(0, access("/", R_OK | X_OK));
	EXPECT_RET(0, access("/", F_OK));
	EXPECT_ERRNO(EPERM, access("/", W_OK));
	EXPECT_ERRNO(EPERM, access("/", R_OK | W_OK | X_OK));
	EXPECT_ERRNO(EPERM, faccessat(self->rootfd, "", W_OK,
				      AT_EMPTY_PATH | AT_EACCESS));
	EXPECT_ERRNO(ENOENT, access("/x", F_OK));
}

/*
 * Locks: nullfs_nolock() is both ->lock and ->flock.  flock() calls
 * ->flock for every command including LOCK_UN; fcntl byte-range locks
 * (classic and OFD, set and get) go through vfs_lock_file() /
 * vfs_test_lock() -> ->lock.
 */
TEST_F(nullfs, locks)
{
	struct flock fl = {
		.l_whence	= SEEK_SET,
		.l_start	= 0,
		.l_len		= 0,
	};
	int fd = self->rootfd;

	EXPECT_ERRNO(ENOLCK, flock(fd, LOCK_SH | LOCK_NB));
	EXPECT_ERRNO(ENOLCK, flock(fd, LOCK_EX | LOCK_NB));
	EXPECT_ERRNO(ENOLCK, flock(fd, LOCK_SH));
	EXPECT_ERRNO(ENOLCK, flock(fd, LOCK_EX));
	EXPECT_ERRNO(ENOLCK, flock(fd, LOCK_UN));

	fl.l_type = F_RDLCK;
	EXPECT_ERRNO(ENOLCK, fcntl(fd, F_SETLK, &fl));
	fl.l_type = F_RDLCK;
	EXPECT_ERRNO(ENOLCK, fcntl(fd, F_SETLKW, &fl));
	fl.l_type = F_UNLCK;
	EXPECT_ERRNO(ENOLCK, fcntl(fd, F_SETLK, &fl));
	fl.l_type = F_WRLCK;
	EXPECT_ERRNO(ENOLCK, fcntl(fd, F_GETLK, &fl));
	fl.l_type = F_RDLCK;
	EXPECT_ERRNO(ENOLCK, fcntl(fd, F_GETLK, &fl));

	fl.l_type = F_RDLCK;
	fl.l_pid = 0;
	EXPECT_ERRNO(ENOLCK, fcntl(fd, F_OFD_SETLK, &fl));
	fl.l_type = F_RDLCK;
	fl.l_pid = 0;
	EXPECT_ERRNO(ENOLCK, fcntl(fd, F_OFD_SETLKW, &fl));
	fl.l_type = F_WRLCK;
	fl.l_pid = 0;
	EXPECT_ERRNO(ENOLCK, fcntl(fd, F_OFD_GETLK, &fl));

	/*
	 * Generic checks that come before ->lock: a write lock on an
	 * O_RDONLY fd (check_fmode_for_setlk()), OFD with l_pid != 0.
	 */
	fl.l_type = F_WRLCK;
	EXPECT_ERRNO(EBADF, fcntl(fd, F_SETLK, &fl));
	fl.l_type = F_RDLCK;
	fl.l_pid = 1;
	EXPECT_ERRNO(EINVAL, fcntl(fd, F_OFD_SETLK, &fl));

	/* fcntl_setlease(): never on a directory */
	EXPECT_ERRNO(EINVAL, fcntl(fd, F_SETLEASE, F_RDLCK));
}

/*
 * Reading the directory leaves no trace: S_NOATIME makes
 * atime_needs_update() false even though the mount is strictatime
 * (no MNT_RELATIME/MNT_NOATIME on the nullfs mount).  s_time_gran is 1ns,
 * so any update would be visible; sleep past a second anyway.
 */
TEST_F(nullfs, atime_unchanged_after_readdir)
{
	char buf[256] __attribute__((aligned(8)));
	struct stat before, after;
	struct timespec delay = { 1, 100 * 1000 * 1000 };
	char c;
	int fd;

	ASSERT_EQ(stat("/", &before), 0);
	ASSERT_EQ(nanosleep(&delay, NULL), 0);

	fd = open("/", O_RDONLY | O_DIRECTORY);
	ASSERT_GE(fd, 0);
	EXPECT_RET(DIRENT64_RECLEN(1) + DIRENT64_RECLEN(2),
		   sys_getdents64(fd, buf, sizeof(buf)));
	EXPECT_RET(0, sys_getdents64(fd, buf, sizeof(buf)));
	EXPECT_RET(0, lseek(fd, 0, SEEK_SET));
	EXPECT_RET(DIRENT64_RECLEN(1) + DIRENT64_RECLEN(2),
		   sys_getdents64(fd, buf, sizeof(buf)));
	EXPECT_ERRNO(EISDIR, read(fd, &c, 1));
	close(fd);

	EXPECT_RET(DIRENT64_RECLEN(1) + DIRENT64_RECLEN(2),
		   sys_getdents64(self->rootfd, buf, sizeof(buf)));

	ASSERT_EQ(stat("/", &after), 0);
	EXPECT_TRUE(timespec_eq(&before.st_atim, &after.st_atim))
		TH_LOG("atime %lld.%09ld -> %lld.%09ld",
		       (long long)before.st_atim.tv_sec, before.st_atim.tv_nsec,
		       (long long)after.st_atim.tv_sec, after.st_atim.tv_nsec);
	EXPECT_TRUE(timespec_eq(&before.st_mtim, &after.st_mtim));
	EXPECT_TRUE(timespec_eq(&before.st_ctim, &after.st_ctim));
}

/* Nothing that failed above may have touched the timestamps. */
TEST_F(nullfs, timestamps_unchanged_after_refusals)
{
	struct timespec ts_set[2] = { { 1, 0 }, { 1, 0 } };
	struct stat before, after;

	ASSERT_EQ(fstat(self->rootfd, &before), 0);

	EXPECT_ERRNO(EPERM, chmod("/", 0755));
	EXPECT_ERRNO(EPERM, chown("/", -1, -1));
	EXPECT_ERRNO(EPERM, utimensat(AT_FDCWD, "/", ts_set, 0));
	EXPECT_ERRNO(EPERM, setxattr("/", "user.nullfs", "v", 1, 0));
	EXPECT_ERRNO(ENOENT, mkdir("/x", 0755));
	EXPECT_OPEN_ERRNO(ENOENT, open("/x", O_WRONLY | O_CREAT, 0644));
	EXPECT_OPEN_ERRNO(EPERM, open("/", O_TMPFILE | O_RDWR, 0600));
	EXPECT_ERRNO(ENOLCK, flock(self->rootfd, LOCK_EX));

	ASSERT_EQ(fstat(self->rootfd, &after), 0);
	EXPECT_TRUE(timespec_eq(&before.st_atim, &after.st_atim));
	EXPECT_TRUE(timespec_eq(&before.st_mtim, &after.st_mtim));
	EXPECT_TRUE(timespec_eq(&before.st_ctim, &after.st_ctim));
	EXPECT_EQ(NULLFS_ROOT_MODE, after.st_mode);
	EXPECT_EQ(0, after.st_uid);
	EXPECT_EQ(0, after.st_gid);
	EXPECT_EQ(NULLFS_ROOT_NLINK, after.st_nlink);
}

/*
 * mount(2) MS_REMOUNT on "/": do_remount() passes check_mnt(),
 * path_mounted() and can_change_locked_flags() (the atime bits are
 * preserved) and then fs_context_for_reconfigure() refuses the SB_NOUSER
 * superblock with -EINVAL - before the ns_capable(sb->s_user_ns) check,
 * so the user namespace variant gets -EINVAL too.
 *
 * Caution: on a kernel that lets MS_REMOUNT|MS_RDONLY through, the one
 * global nullfs superblock stays read-only until reboot.
 */
TEST_F(nullfs, remount_refused)
{
	struct statfs sfs;

	EXPECT_ERRNO(EINVAL, mount(NULL, "/", NULL, MS_REMOUNT, NULL));
	EXPECT_ERRNO(EINVAL, mount("none", "/", "nullfs", MS_REMOUNT, ""));
	EXPECT_ERRNO(EINVAL, mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY,
				   NULL));
	EXPECT_ERRNO(EINVAL, mount(NULL, ".", NULL,
				   MS_REMOUNT | MS_SYNCHRONOUS, NULL));

	/* the superblock did not change */
	ASSERT_EQ(statfs("/", &sfs), 0);
	EXPECT_EQ(ST_VALID, sfs.f_flags);
}

/*
 * umount of the namespace root.  Without MNT_DETACH do_umount() turns it
 * into "remount the root read-only" (do_umount_root()): -EINVAL from
 * fs_context_for_reconfigure() for real root, -EPERM (capability in the
 * superblock's init_user_ns) in a user namespace.  With MNT_DETACH the
 * root has no parent: -EINVAL.
 */
TEST_F(nullfs, umount_root)
{
	struct statfs sfs;

	EXPECT_ERRNO(variant->umount_root_errno, sys_umount2("/", 0));
	EXPECT_ERRNO(EINVAL, sys_umount2("/", MNT_DETACH));
	EXPECT_ERRNO(EINVAL, sys_umount2("/", MNT_EXPIRE));

	ASSERT_EQ(statfs("/", &sfs), 0);
	EXPECT_EQ(ST_VALID, sfs.f_flags);
	EXPECT_EQ(NULL_FS_MAGIC, (unsigned long)sfs.f_type);
}

/*
 * The new mount API.  nullfs is not a registered filesystem type, so
 * fsopen() cannot find it (-ENODEV).  fspick() of "/" fails itself in
 * fs_context_for_reconfigure() (SB_NOUSER) with -EINVAL, so there is no
 * context to FSCONFIG_CMD_RECONFIGURE; fsconfig() on a non-context fd is
 * -EINVAL.
 */
TEST_F(nullfs, fsopen_fspick_refused)
{
	EXPECT_OPEN_ERRNO(ENODEV, sys_fsopen("nullfs", 0));
	EXPECT_OPEN_ERRNO(EINVAL, sys_fspick(AT_FDCWD, "/", 0));
	EXPECT_OPEN_ERRNO(EINVAL, sys_fspick(AT_FDCWD, "/", FSPICK_CLOEXEC));
	EXPECT_OPEN_ERRNO(EINVAL, sys_fspick(self->rootfd, "",
					     FSPICK_EMPTY_PATH));
	EXPECT_OPEN_ERRNO(EINVAL, sys_fspick(AT_FDCWD, ".", 0));
	EXPECT_ERRNO(EINVAL, sys_fsconfig(self->rootfd,
					  FSCONFIG_CMD_RECONFIGURE, NULL, NULL,
					  0));
}

/*
 * A bind mount of the nullfs root is cloned, then graft_tree() refuses
 * an SB_NOUSER superblock with -EINVAL.
 */
TEST_F(nullfs, bind_refused)
{
	uint64_t list[16];

	EXPECT_ERRNO(EINVAL, mount("/", "/", NULL, MS_BIND, NULL));
	EXPECT_ERRNO(EINVAL, mount("/", "/", NULL, MS_BIND | MS_REC, NULL));
	/* still exactly one mount */
	EXPECT_EQ(1, listmount(LSMT_ROOT, 0, 0, list, 16, 0));
}

/*
 * The mount (not the superblock) is ours: a read-only bind remount of
 * the private clone is allowed (do_reconfigure_mnt()), and only changes
 * which check fires first.
 */
TEST_F(nullfs, ro_bind_remount)
{
	struct timespec ts_set[2] = { { 1, 0 }, { 1, 0 } };
	struct statfs sfs;

	ASSERT_EQ(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
			NULL), 0) TH_LOG("ro bind remount: %s", strerror(errno));

	ASSERT_EQ(statfs("/", &sfs), 0);
	EXPECT_EQ(ST_VALID | ST_RDONLY, sfs.f_flags);

	/* mnt_want_write() now fails first */
	EXPECT_OPEN_ERRNO(EROFS, open("/", O_TMPFILE | O_RDWR, 0600));
	EXPECT_ERRNO(EROFS, chmod("/", 0755));
	EXPECT_ERRNO(EROFS, utimensat(AT_FDCWD, "/", ts_set, 0));
	EXPECT_ERRNO(EROFS, setxattr("/", "user.nullfs", "v", 1, 0));
	/* the lookup error still wins in filename_create()/lookup_open() */
	EXPECT_ERRNO(ENOENT, mkdir("/x", 0755));
	EXPECT_OPEN_ERRNO(ENOENT, open("/x", O_WRONLY | O_CREAT, 0644));
	/* and inode_permission() never looks at the mount */
	EXPECT_ERRNO(EPERM, access("/", W_OK));
	/* still no locks */
	EXPECT_ERRNO(ENOLCK, flock(self->rootfd, LOCK_SH));

	ASSERT_EQ(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL), 0)
		TH_LOG("rw bind remount: %s", strerror(errno));
	ASSERT_EQ(statfs("/", &sfs), 0);
	EXPECT_EQ(ST_VALID, sfs.f_flags);
	EXPECT_OPEN_ERRNO(EPERM, open("/", O_TMPFILE | O_RDWR, 0600));
}

TEST_HARNESS_MAIN
