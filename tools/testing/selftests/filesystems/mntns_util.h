/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What our mount namespace suites (nullfs, empty_mntns_more,
 * fsmount_ns_more, move_mount_beneath, mntns_fault_inject, mntns_stress,
 * mntns_bad_input) share beyond upstream's helpers, which it pulls in:
 * ../utils.h (enter_userns(), setup_userns(), wait_for_pid(), write_file(),
 * get_unique_mnt_id()), ../wrappers.h (sys_fsopen(), sys_fsmount(),
 * sys_move_mount(), sys_open_tree() ...), ../statmount/statmount.h
 * (statmount(), listmount()) and ../empty_mntns/empty_mntns.h
 * (count_mounts(), UNSHARE_EMPTY_MNTNS, CLONE_EMPTY_MNTNS).
 *
 * - the constants of the features under test, for uapi headers without
 *   them, and the nullfs root's inode number and mode;
 * - small files: write_at(), read_long(), write_long(), create_file(),
 *   file_is();
 * - fs contexts and new mounts: fs_context(), fsmount_tmpfs();
 * - ids and counts: mnt_id_fd(), own_mntns_id(), nsfd_mntns_id(),
 *   nsfd_nr_mounts(), statfs_type(), sm_get(), in_empty_mntns();
 * - processes: fork_flushed(), userns_unshare() and userns_unshare_at();
 * - fixture set-up: private_tmpfs_dir().
 * Functions return -1 (0 for ids) with errno on failure, unless they say
 * otherwise.
 */
#ifndef __SELFTESTS_FILESYSTEMS_MNTNS_UTIL_H
#define __SELFTESTS_FILESYSTEMS_MNTNS_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utils.h"
#include "wrappers.h"
#include "statmount/statmount.h"
#include "empty_mntns/empty_mntns.h"
#include "kselftest_harness.h"

#ifndef FSMOUNT_NAMESPACE
#define FSMOUNT_NAMESPACE	0x00000002
#endif
#ifndef OPEN_TREE_NAMESPACE
#define OPEN_TREE_NAMESPACE	(1 << 1)
#endif
#ifndef MOVE_MOUNT_SET_GROUP
#define MOVE_MOUNT_SET_GROUP	0x00000100
#endif
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH	0x00000200
#endif
#ifndef NULL_FS_MAGIC
#define NULL_FS_MAGIC		0x4E554C4C	/* "NULL" */
#endif
#ifndef __NR_listns
#define __NR_listns		470
#endif

/* the nullfs root: nullfs_fs_fill_super() inode 1, make_empty_dir_inode() */
#define NULLFS_ROOT_INO		1
#define NULLFS_ROOT_MODE	(S_IFDIR | 0555)	/* S_IRUGO | S_IXUGO */

/* ------------------------------------------------------------------ */
/* Small files                                                         */

/* Write @val to @path (relative to @dfd) in one write(). */
static inline int write_at(int dfd, const char *path, const char *val)
{
	ssize_t len = strlen(val), ret;
	int fd;

	fd = openat(dfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write(fd, val, len);
	close(fd);
	return ret == len ? 0 : -1;
}

/* The number in @path (a sysctl, say), or -1. */
static inline long read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t ret;

	if (fd < 0)
		return -1;
	ret = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return ret > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Write the number @val to @path (upstream's write_file()). */
static inline int write_long(const char *path, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", val);
	return write_file(path, buf);
}

/* A new file @path holding @content. */
static inline int create_file(const char *path, const char *content)
{
	ssize_t len = strlen(content);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, content, len) != len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Does @path (relative to @dfd) read exactly @want? */
static inline bool file_is(int dfd, const char *path, const char *want)
{
	char buf[256];
	ssize_t n;
	int fd;

	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

/* ------------------------------------------------------------------ */
/* fs contexts and new mounts                                          */

/*
 * fsopen(@fstype), the string option @key=@val (none if @key is NULL),
 * FSCONFIG_CMD_CREATE: a context awaiting fsmount().
 */
static inline int fs_context_opts(const char *fstype, const char *key,
				  const char *val)
{
	int fd, err;

	fd = sys_fsopen(fstype, FSOPEN_CLOEXEC);
	if (fd < 0)
		return -1;
	if ((key && sys_fsconfig(fd, FSCONFIG_SET_STRING, key, val, 0)) ||
	    sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static inline int fs_context(const char *fstype)
{
	return fs_context_opts(fstype, NULL, NULL);
}

/*
 * fsmount(FSMOUNT_CLOEXEC | @flags, @attr) of a new tmpfs: a detached
 * mount, or with FSMOUNT_NAMESPACE the nsfs fd of a new mount namespace.
 */
static inline int fsmount_tmpfs(unsigned int flags, unsigned int attr)
{
	int ctx, fd, err;

	ctx = fs_context("tmpfs");
	if (ctx < 0)
		return -1;
	fd = sys_fsmount(ctx, FSMOUNT_CLOEXEC | flags, attr);
	err = errno;
	close(ctx);
	errno = err;
	return fd;
}

/* ------------------------------------------------------------------ */
/* Ids and counts                                                      */

/* The unique id of the mount of @fd, which may be detached; 0 on failure. */
static inline uint64_t mnt_id_fd(int fd)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &sx) ||
	    !(sx.stx_mask & STATX_MNT_ID_UNIQUE))
		return 0;
	return sx.stx_mnt_id;
}

/*
 * The mount namespace we are in, from the mount we stand on: no /proc
 * needed (the namespaces of fsmount() and open_tree() have none).
 */
static inline uint64_t own_mntns_id(void)
{
	struct statmount sm = {};
	uint64_t id = get_unique_mnt_id("/");

	if (!id || statmount(id, 0, 0, STATMOUNT_MNT_NS_ID, &sm, sizeof(sm), 0) ||
	    !(sm.mask & STATMOUNT_MNT_NS_ID))
		return 0;
	return sm.mnt_ns_id;
}

/* The id of the mount namespace of the nsfs fd @nsfd, 0 on failure. */
static inline uint64_t nsfd_mntns_id(int nsfd)
{
	uint64_t id = 0;

	if (ioctl(nsfd, NS_GET_MNTNS_ID, &id))
		return 0;
	return id;
}

/*
 * NS_MNT_GET_INFO: ns->nr_mounts, every mount of the namespace reachable
 * or not, minus the namespace root (copy_ns_info_to_user()); -errno.
 */
static inline long nsfd_nr_mounts(int nsfd)
{
	struct mnt_ns_info info = { .size = sizeof(info) };

	if (ioctl(nsfd, NS_MNT_GET_INFO, &info))
		return -errno;
	return info.nr_mounts;
}

/* The f_type of the filesystem at @path, or -errno. */
static inline long statfs_type(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return -errno;
	return sfs.f_type;
}

/* statmount() of the basic mount and superblock fields and the ns id */
static inline int sm_get(uint64_t mnt_id, uint64_t ns_id, struct statmount *sm)
{
	memset(sm, 0, sizeof(*sm));
	return statmount(mnt_id, ns_id, 0,
			 STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC |
			 STATMOUNT_MNT_NS_ID, sm, sizeof(*sm), 0);
}

/*
 * In an empty mount namespace: copy_mnt_ns() made only the clone of the
 * nullfs namespace root, and put our root and cwd on it.
 */
static inline bool in_empty_mntns(void)
{
	return statfs_type("/") == NULL_FS_MAGIC &&
	       statfs_type(".") == NULL_FS_MAGIC && count_mounts() == 1;
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */

/* fork() without handing the child what stdio still buffers */
static inline pid_t fork_flushed(void)
{
	fflush(stdout);
	fflush(stderr);
	return fork();
}

/*
 * unshare(CLONE_NEWUSER | @flags) and map root of the new user namespace
 * to our effective ids, denying setgroups(). The maps are written through
 * @procfd, a /proc dirfd opened before, which works where /proc is gone
 * or covered. Without CLONE_NEWNS our mount namespace stays owned by the
 * parent user namespace.
 */
static inline int userns_unshare_at(int procfd, int flags)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWUSER | flags))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", uid);
	if (write_at(procfd, "self/uid_map", map))
		return -1;
	if (write_at(procfd, "self/setgroups", "deny"))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", gid);
	return write_at(procfd, "self/gid_map", map);
}

/* The same through /proc. */
static inline int userns_unshare(int flags)
{
	int procfd, ret;

	procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -1;
	ret = userns_unshare_at(procfd, flags);
	close(procfd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Fixture set-up                                                      */

/*
 * A private mount namespace of the test's own (nothing it mounts
 * propagates back) and in it a tmpfs (mount options @opts) on the new
 * directory that mkdtemp() makes of the template @dir.
 */
static inline void private_tmpfs_dir(struct __test_metadata *_metadata,
				     char *dir, const char *opts)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", 0, opts));
}

#endif /* __SELFTESTS_FILESYSTEMS_MNTNS_UTIL_H */
