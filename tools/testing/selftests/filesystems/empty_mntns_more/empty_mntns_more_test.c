// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * More tests for empty mount namespaces: unshare(UNSHARE_EMPTY_MNTNS) and
 * clone3(CLONE_EMPTY_MNTNS).  Both imply CLONE_NEWNS; copy_mnt_ns() then
 * clone_mnt()s only the namespace root - the nullfs mount at the very
 * bottom of the tree, not the rootfs the caller sits on - and resets the
 * caller's root and cwd to that clone.
 *
 * This goes beyond upstream's filesystems/empty_mntns tests: propagation
 * of the clone (clone_mnt() with flags 0, or CL_SLAVE from a new user
 * namespace), cwd/root/chroot reset, fds that outlive the old namespace,
 * setns() back and forth, leaks over many namespaces, nested user
 * namespaces and the mount locks of a cross-userns clone, building a
 * tmpfs root, and the flag checks of kernel/fork.c.
 *
 * Expectations are exact and derived from the 7.2 sources; the comments
 * name the function that decides each value.  Most tests need real root
 * (they create user namespaces for the unprivileged parts themselves).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <linux/stat.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
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
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../utils.h"
#include "../wrappers.h"
#include "../statmount/statmount.h"
#include "kselftest_harness.h"
#include "../expect_errno.h"

#ifndef UNSHARE_EMPTY_MNTNS
#define UNSHARE_EMPTY_MNTNS	0x00100000
#endif

#ifndef CLONE_EMPTY_MNTNS
#define CLONE_EMPTY_MNTNS	(1ULL << 37)
#endif

#ifndef CLONE_PARENT_SETTID
#define CLONE_PARENT_SETTID	0x00100000
#endif

#ifndef NULL_FS_MAGIC
#define NULL_FS_MAGIC		0x4E554C4C	/* "NULL" */
#endif

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC		0x01021994
#endif

#ifndef ST_RDONLY
#define ST_RDONLY		0x0001
#endif

#ifndef __NR_clone3
#define __NR_clone3		435
#endif

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif

#ifndef __NR_listns
#define __NR_listns		470
#endif

#ifndef PIDFD_GET_MNT_NAMESPACE
#define PIDFD_GET_MNT_NAMESPACE	_IO(0xFF, 3)
#endif

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC		0x00000001
#endif

#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC		0x00000001
#endif

/* nullfs_fs_fill_super(): root inode 1, make_empty_dir_inode() mode */
#define NULLFS_ROOT_INO		1
#define NULLFS_ROOT_MODE	(S_IFDIR | 0555)

/* how many namespaces the leak tests go through */
#define NR_UNSHARES		1000
#define NR_CLONES		100

/* clone3() arguments (struct clone_args, CLONE_ARGS_SIZE_VER2) */
struct empty_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

/*
 * For processes forked by a test: the harness asserts belong to the test
 * process, a child reports a failed check on stderr and exits non-zero.
 */
#define CHILD_CHECK(_cond) do {						\
	if (!(_cond)) {							\
		fprintf(stderr, "# %s:%d: child check failed: %s "	\
			"(errno %d: %s)\n", __FILE__, __LINE__, #_cond,	\
			errno, strerror(errno));			\
		_exit(1);						\
	}								\
} while (0)

static long sys_unshare(uint64_t flags)
{
	return syscall(__NR_unshare, flags);
}

static pid_t sys_clone3_flags(uint64_t flags, uint64_t parent_tid)
{
	struct empty_clone_args args = {
		.flags		= flags,
		.parent_tid	= parent_tid,
		.exit_signal	= SIGCHLD,
	};

	fflush(stdout);
	fflush(stderr);
	return syscall(__NR_clone3, &args, sizeof(args));
}

/* clone3() that is expected to fail: never let a child run the test on */
static long clone3_must_fail(uint64_t flags)
{
	pid_t pid = sys_clone3_flags(flags, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return pid;
	}
	return -1;
}

static ssize_t list_mounts_ns(uint64_t parent, uint64_t ns_id,
			      uint64_t *list, size_t nr)
{
	return listmount(parent, ns_id, 0, list, nr, 0);
}

/* listmount(LSMT_ROOT): the mounts reachable from our root */
static ssize_t count_mounts(void)
{
	uint64_t list[256];

	return list_mounts_ns(LSMT_ROOT, 0, list, 256);
}

static int sm_get(uint64_t mnt_id, uint64_t ns_id, struct statmount *sm)
{
	memset(sm, 0, sizeof(*sm));
	return statmount(mnt_id, ns_id, 0,
			 STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC |
			 STATMOUNT_MNT_NS_ID, sm, sizeof(*sm), 0);
}

static const char *sm_fstype(uint64_t mnt_id, uint64_t ns_id, char *buf,
			     size_t len)
{
	struct statmount *sm;

	snprintf(buf, len, "<statmount failed: %s>", strerror(errno));
	sm = statmount_alloc(mnt_id, ns_id, STATMOUNT_FS_TYPE, 0);
	if (!sm)
		return buf;
	if (sm->mask & STATMOUNT_FS_TYPE)
		snprintf(buf, len, "%s", sm->str + sm->fs_type);
	else
		snprintf(buf, len, "<no fs_type>");
	free(sm);
	return buf;
}

static uint64_t mnt_id_fd(int fd)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &sx))
		return 0;
	if (!(sx.stx_mask & STATX_MNT_ID_UNIQUE))
		return 0;
	return sx.stx_mnt_id;
}

/* mnt_ns_id of the mount namespace "/" belongs to */
static uint64_t own_mnt_ns_id(void)
{
	struct statmount sm;
	uint64_t id = get_unique_mnt_id("/");

	if (!id || sm_get(id, 0, &sm) || !(sm.mask & STATMOUNT_MNT_NS_ID))
		return 0;
	return sm.mnt_ns_id;
}

/* The namespace root: follow mnt_parent_id from "/" to the top. */
static uint64_t ns_root_mnt_id(void)
{
	struct statmount sm;
	uint64_t id = get_unique_mnt_id("/");
	int i;

	for (i = 0; id && i < 64; i++) {
		if (sm_get(id, 0, &sm))
			return 0;
		if (sm.mnt_parent_id == sm.mnt_id)
			return id;
		id = sm.mnt_parent_id;
	}
	return 0;
}

static long statfs_type(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return -errno;
	return sfs.f_type;
}

static long fstatfs_type(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs))
		return -errno;
	return sfs.f_type;
}

/*
 * The getcwd() system call itself: glibc's wrapper turns the kernel's
 * "(unreachable)/..." answers into ENOENT.
 */
static const char *cwd_str(char *buf, size_t len)
{
	if (syscall(__NR_getcwd, buf, len) < 0)
		snprintf(buf, len, "<getcwd: %s>", strerror(errno));
	return buf;
}

static bool cwd_is(const char *want)
{
	char buf[PATH_MAX];

	return strcmp(cwd_str(buf, sizeof(buf)), want) == 0;
}

/* An nsfs fd for our own mount namespace, without /proc. */
static int mntns_fd_self(void)
{
	int pidfd, fd;

	pidfd = syscall(__NR_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return -1;
	fd = ioctl(pidfd, PIDFD_GET_MNT_NAMESPACE, 0);
	close(pidfd);
	return fd;
}

static uint64_t ns_id_fd(int nsfd)
{
	uint64_t id = 0;

	if (ioctl(nsfd, NS_GET_ID, &id))
		return 0;
	return id;
}

/*
 * NS_MNT_GET_INFO: ns->nr_mounts, every mount of the namespace reachable
 * or not, minus the namespace root (copy_ns_info_to_user()).
 */
static long ns_nr_mounts(int nsfd)
{
	struct mnt_ns_info info = { .size = sizeof(info) };

	if (ioctl(nsfd, NS_MNT_GET_INFO, &info))
		return -errno;
	return info.nr_mounts;
}

/*
 * listns(2): how many mount namespaces are active.  As real root in the
 * initial pid namespace (may_see_all_namespaces()) that is all of them.
 */
static ssize_t count_mntns(void)
{
	struct ns_id_req req = {
		.size		= sizeof(req),
		.ns_type	= MNT_NS,
	};
	uint64_t ids[256];
	ssize_t total = 0, ret;

	for (;;) {
		ret = syscall(__NR_listns, &req, ids, 256, 0);
		if (ret < 0)
			return (errno == ENOENT && req.ns_id) ? total : -errno;
		total += ret;
		if (ret < 256)
			return total;
		req.ns_id = ids[ret - 1];
	}
}

/* Namespaces go away asynchronously at worst: retry for up to 5s. */
static ssize_t wait_mntns_count(ssize_t want)
{
	ssize_t n = -1;
	int i;

	for (i = 0; i < 500; i++) {
		n = count_mntns();
		if (n == want)
			break;
		usleep(10000);
	}
	return n;
}

static int write_at(int dfd, const char *path, const char *val)
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

/*
 * enter_userns() through a /proc dirfd opened earlier, so it also works
 * from inside an empty mount namespace: root -> our ids.
 */
static int enter_userns_at(int procfd)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWUSER))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", uid);
	if (write_at(procfd, "self/uid_map", map))
		return -1;
	if (write_at(procfd, "self/setgroups", "deny"))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", gid);
	if (write_at(procfd, "self/gid_map", map))
		return -1;
	return 0;
}

/* A detached tmpfs from the new mount API. */
static int tmpfs_mntfd(void)
{
	int fsfd, mntfd;

	fsfd = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -1;
	if (sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "1M", 0) ||
	    sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		close(fsfd);
		return -1;
	}
	mntfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	close(fsfd);
	return mntfd;
}

/* Attach a new tmpfs on top of "/"; returns its mount fd. */
static int tmpfs_onto_root(void)
{
	int mntfd = tmpfs_mntfd();

	if (mntfd < 0)
		return -1;
	if (sys_move_mount(mntfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH)) {
		close(mntfd);
		return -1;
	}
	return mntfd;
}

/* A private copy of our mount namespace with a private tmpfs on /tmp. */
static int private_ns_with_tmp(void)
{
	if (unshare(CLONE_NEWNS))
		return -1;
	if (mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL))
		return -1;
	return mount("tmpfs", "/tmp", "tmpfs", 0, "size=4M");
}

static int create_file(const char *path, const char *data)
{
	ssize_t len = strlen(data);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Only a kernel that does not know the flag (EINVAL) skips; any other
 * outcome of the probe - including a crash - lets the tests run and fail.
 */
static bool empty_mntns_supported(void)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return true;
	if (pid == 0)
		_exit(unshare(UNSHARE_EMPTY_MNTNS) && errno == EINVAL ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid)
		return true;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

#define REQUIRE_EMPTY_MNTNS() do {					\
	if (geteuid() != 0)						\
		SKIP(return, "must be run as root");			\
	if (!empty_mntns_supported())					\
		SKIP(return, "UNSHARE_EMPTY_MNTNS not supported");	\
} while (0)

/*
 * The clone in the new namespace sits directly on the nullfs superblock:
 * its own parent, the root inode, NULL_FS_MAGIC, one mount.
 */
#define EXPECT_IN_EMPTY_MNTNS() do {					\
	struct statmount __sm;						\
	struct stat __st;						\
	char __buf[PATH_MAX];						\
	uint64_t __root = get_unique_mnt_id("/");			\
									\
	EXPECT_EQ(1, count_mounts());					\
	EXPECT_EQ(NULL_FS_MAGIC, statfs_type("/"));			\
	EXPECT_EQ(NULL_FS_MAGIC, statfs_type("."));			\
	EXPECT_STREQ("/", cwd_str(__buf, sizeof(__buf)));		\
	EXPECT_EQ(__root, get_unique_mnt_id("."));			\
	ASSERT_EQ(0, stat(".", &__st));					\
	EXPECT_EQ(NULLFS_ROOT_INO, __st.st_ino);			\
	EXPECT_EQ(NULLFS_ROOT_MODE, __st.st_mode);			\
	ASSERT_EQ(0, sm_get(__root, 0, &__sm));				\
	EXPECT_EQ(__sm.mnt_id, __sm.mnt_parent_id);			\
	EXPECT_EQ(NULL_FS_MAGIC, __sm.sb_magic);			\
} while (0)

/* ------------------------------------------------------------------ */
/* 1. propagation of the clone                                        */
/* ------------------------------------------------------------------ */

/*
 * The rootfs the caller sits on is not what gets cloned: copy_mnt_ns()
 * clones ns->root, the namespace's copy of the nullfs mount 1, which is
 * below "/" and not touched by mount(MS_REC) on "/".  That mount is
 * private in every namespace copied from the initial one
 * (init_mount_tree() never makes it shared), so the clone is private
 * whatever "/" is - also with CL_SLAVE from a new user namespace, which
 * only turns a shared source into a slave.
 */
FIXTURE(rootfs_propagation) {};

FIXTURE_VARIANT(rootfs_propagation) {
	unsigned long prop;	/* what "/" is made before the unshare */
	bool newuser;		/* unshare from a new user namespace */
};

FIXTURE_VARIANT_ADD(rootfs_propagation, shared) {
	.prop = MS_SHARED,
};

FIXTURE_VARIANT_ADD(rootfs_propagation, slave) {
	.prop = MS_SLAVE,
};

FIXTURE_VARIANT_ADD(rootfs_propagation, private) {
	.prop = MS_PRIVATE,
};

FIXTURE_VARIANT_ADD(rootfs_propagation, unbindable) {
	.prop = MS_UNBINDABLE,
};

FIXTURE_VARIANT_ADD(rootfs_propagation, shared_newuser) {
	.prop = MS_SHARED,
	.newuser = true,
};

FIXTURE_VARIANT_ADD(rootfs_propagation, slave_newuser) {
	.prop = MS_SLAVE,
	.newuser = true,
};

FIXTURE_VARIANT_ADD(rootfs_propagation, private_newuser) {
	.prop = MS_PRIVATE,
	.newuser = true,
};

FIXTURE_VARIANT_ADD(rootfs_propagation, unbindable_newuser) {
	.prop = MS_UNBINDABLE,
	.newuser = true,
};

FIXTURE_SETUP(rootfs_propagation)
{
	REQUIRE_EMPTY_MNTNS();
}

FIXTURE_TEARDOWN(rootfs_propagation) {}

TEST_F(rootfs_propagation, clone_is_of_nullfs_root)
{
	struct statmount root_sm, null_sm, new_sm;
	uint64_t root_id, null_id, new_id;
	int procfd, keep = -1;
	char buf[64];

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(procfd, 0);

	ASSERT_RET(0, unshare(CLONE_NEWNS));
	switch (variant->prop) {
	case MS_SLAVE:
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_SHARED | MS_REC, NULL));
		/* keep the master side alive (else umount_tree() frees us) */
		keep = mntns_fd_self();
		ASSERT_GE(keep, 0);
		ASSERT_RET(0, unshare(CLONE_NEWNS));
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL));
		break;
	default:
		ASSERT_RET(0, mount(NULL, "/", NULL, variant->prop | MS_REC,
				    NULL));
		break;
	}

	root_id = get_unique_mnt_id("/");
	ASSERT_NE(0, root_id);
	ASSERT_EQ(0, sm_get(root_id, 0, &root_sm));
	ASSERT_EQ(variant->prop, root_sm.mnt_propagation);

	/* the namespace root is the nullfs mount below "/", still private */
	null_id = ns_root_mnt_id();
	ASSERT_NE(0, null_id);
	ASSERT_NE(root_id, null_id);
	ASSERT_EQ(0, sm_get(null_id, 0, &null_sm));
	EXPECT_STREQ("nullfs", sm_fstype(null_id, 0, buf, sizeof(buf)));
	EXPECT_EQ(MS_PRIVATE, null_sm.mnt_propagation);
	EXPECT_EQ(0, null_sm.mnt_peer_group);
	EXPECT_EQ(0, null_sm.mnt_master);

	if (variant->newuser)
		ASSERT_EQ(0, enter_userns_at(procfd));
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));

	EXPECT_IN_EMPTY_MNTNS();
	new_id = get_unique_mnt_id("/");
	ASSERT_EQ(0, sm_get(new_id, 0, &new_sm));
	EXPECT_NE(null_id, new_id);
	EXPECT_NE(root_id, new_id);
	EXPECT_STREQ("nullfs", sm_fstype(new_id, 0, buf, sizeof(buf)));
	EXPECT_EQ(MS_PRIVATE, new_sm.mnt_propagation);
	EXPECT_EQ(0, new_sm.mnt_peer_group);
	EXPECT_EQ(0, new_sm.mnt_master);
	/* clone_mnt() copies the mount flags */
	EXPECT_EQ(null_sm.mnt_attr, new_sm.mnt_attr);
	EXPECT_EQ(null_sm.sb_dev_major, new_sm.sb_dev_major);
	EXPECT_EQ(null_sm.sb_dev_minor, new_sm.sb_dev_minor);

	if (keep >= 0)
		close(keep);
	close(procfd);
}

/*
 * Propagation of the clone when the source (the namespace root) is made
 * shared/slave/unbindable - possible only from inside an empty mount
 * namespace, where "/" is the namespace root.  clone_mnt(old, root, flag):
 *
 *   flag 0 (same user namespace):
 *     mnt_group_id = old's           -> a peer of a shared source
 *     IS_MNT_SLAVE(old)              -> slave of old's master
 *     T_UNBINDABLE copied
 *   CL_SLAVE (user_ns != ns->user_ns):
 *     mnt_group_id = 0               -> never shared
 *     old shared                     -> slave of old (master = old's group)
 *     else IS_MNT_SLAVE(old)         -> slave of old's master
 *     T_UNBINDABLE copied
 */
enum src_setup {
	SRC_PRIVATE,
	SRC_SHARED,
	SRC_SLAVE,		/* slave of a peer group, not shared itself */
	SRC_SHARED_SLAVE,	/* slave of a peer group and shared */
	SRC_UNBINDABLE,
};

enum exp_id {
	ID_ZERO,
	ID_SRC_PEER,		/* the source's mnt_peer_group */
	ID_SRC_MASTER,		/* the source's mnt_master */
};

static uint64_t exp_id_value(enum exp_id which, const struct statmount *src)
{
	switch (which) {
	case ID_SRC_PEER:
		return src->mnt_peer_group;
	case ID_SRC_MASTER:
		return src->mnt_master;
	default:
		return 0;
	}
}

FIXTURE(nullfs_propagation) {};

FIXTURE_VARIANT(nullfs_propagation) {
	enum src_setup setup;
	bool newuser;
	uint64_t prop;
	enum exp_id peer;
	enum exp_id master;
};

FIXTURE_VARIANT_ADD(nullfs_propagation, private) {
	.setup = SRC_PRIVATE,
	.prop = MS_PRIVATE,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, private_newuser) {
	.setup = SRC_PRIVATE,
	.newuser = true,
	.prop = MS_PRIVATE,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, shared) {
	.setup = SRC_SHARED,
	.prop = MS_SHARED,
	.peer = ID_SRC_PEER,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, shared_newuser) {
	.setup = SRC_SHARED,
	.newuser = true,
	.prop = MS_SLAVE,
	.master = ID_SRC_PEER,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, slave) {
	.setup = SRC_SLAVE,
	.prop = MS_SLAVE,
	.master = ID_SRC_MASTER,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, slave_newuser) {
	.setup = SRC_SLAVE,
	.newuser = true,
	.prop = MS_SLAVE,
	.master = ID_SRC_MASTER,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, shared_slave) {
	.setup = SRC_SHARED_SLAVE,
	.prop = MS_SHARED | MS_SLAVE,
	.peer = ID_SRC_PEER,
	.master = ID_SRC_MASTER,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, shared_slave_newuser) {
	.setup = SRC_SHARED_SLAVE,
	.newuser = true,
	.prop = MS_SLAVE,
	.master = ID_SRC_PEER,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, unbindable) {
	.setup = SRC_UNBINDABLE,
	.prop = MS_UNBINDABLE,
};

FIXTURE_VARIANT_ADD(nullfs_propagation, unbindable_newuser) {
	.setup = SRC_UNBINDABLE,
	.newuser = true,
	.prop = MS_UNBINDABLE,
};

FIXTURE_SETUP(nullfs_propagation)
{
	REQUIRE_EMPTY_MNTNS();
}

FIXTURE_TEARDOWN(nullfs_propagation) {}

TEST_F(nullfs_propagation, clone_of_ns_root)
{
	struct statmount src, after, new_sm;
	int procfd, ns_a, ns_b = -1;
	uint64_t src_id, new_id;
	char buf[64];

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(procfd, 0);

	/* namespace A: "/" is A's root, a private clone of nullfs */
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	ns_a = mntns_fd_self();
	ASSERT_GE(ns_a, 0);

	switch (variant->setup) {
	case SRC_PRIVATE:
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_PRIVATE, NULL));
		break;
	case SRC_SHARED:
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_SHARED, NULL));
		break;
	case SRC_SLAVE:
	case SRC_SHARED_SLAVE:
		/* B's root is a peer of A's, then made a slave of it */
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_SHARED, NULL));
		ASSERT_RET(0, unshare(CLONE_NEWNS));
		ns_b = mntns_fd_self();
		ASSERT_GE(ns_b, 0);
		ASSERT_EQ(1, count_mounts());
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_SLAVE, NULL));
		if (variant->setup == SRC_SHARED_SLAVE)
			ASSERT_RET(0, mount(NULL, "/", NULL, MS_SHARED, NULL));
		break;
	case SRC_UNBINDABLE:
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_UNBINDABLE, NULL));
		break;
	}

	/* the source is what we meant it to be */
	src_id = get_unique_mnt_id("/");
	ASSERT_NE(0, src_id);
	ASSERT_EQ(0, sm_get(src_id, 0, &src));
	ASSERT_EQ(src.mnt_id, src.mnt_parent_id);
	switch (variant->setup) {
	case SRC_PRIVATE:
		ASSERT_EQ(MS_PRIVATE, src.mnt_propagation);
		break;
	case SRC_SHARED:
		ASSERT_EQ(MS_SHARED, src.mnt_propagation);
		ASSERT_NE(0, src.mnt_peer_group);
		ASSERT_EQ(0, src.mnt_master);
		break;
	case SRC_SLAVE:
		ASSERT_EQ(MS_SLAVE, src.mnt_propagation);
		ASSERT_EQ(0, src.mnt_peer_group);
		ASSERT_NE(0, src.mnt_master);
		break;
	case SRC_SHARED_SLAVE:
		ASSERT_EQ(MS_SHARED | MS_SLAVE, src.mnt_propagation);
		ASSERT_NE(0, src.mnt_peer_group);
		ASSERT_NE(0, src.mnt_master);
		ASSERT_NE(src.mnt_peer_group, src.mnt_master);
		break;
	case SRC_UNBINDABLE:
		ASSERT_EQ(MS_UNBINDABLE, src.mnt_propagation);
		ASSERT_EQ(0, src.mnt_peer_group);
		ASSERT_EQ(0, src.mnt_master);
		break;
	}

	if (variant->newuser)
		ASSERT_EQ(0, enter_userns_at(procfd));
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));

	EXPECT_IN_EMPTY_MNTNS();
	new_id = get_unique_mnt_id("/");
	ASSERT_EQ(0, sm_get(new_id, 0, &new_sm));
	EXPECT_NE(src_id, new_id);
	EXPECT_NE(src.mnt_ns_id, new_sm.mnt_ns_id);
	EXPECT_STREQ("nullfs", sm_fstype(new_id, 0, buf, sizeof(buf)));
	EXPECT_EQ(variant->prop, new_sm.mnt_propagation);
	EXPECT_EQ(exp_id_value(variant->peer, &src), new_sm.mnt_peer_group);
	EXPECT_EQ(exp_id_value(variant->master, &src), new_sm.mnt_master);

	/*
	 * The source did not change.  statmount() by namespace id cannot
	 * look: for a foreign namespace grab_requested_root() wants a child
	 * of its root, and an empty namespace has none (ENOENT).  Go back
	 * in (needs CAP_SYS_ADMIN over the source's owner).
	 */
	if (!variant->newuser) {
		EXPECT_ERRNO(ENOENT, sm_get(src_id, src.mnt_ns_id, &after));
		ASSERT_RET(0, setns(ns_b >= 0 ? ns_b : ns_a, CLONE_NEWNS));
		EXPECT_EQ(src_id, get_unique_mnt_id("/"));
		ASSERT_EQ(0, sm_get(src_id, 0, &after));
		EXPECT_EQ(src.mnt_propagation, after.mnt_propagation);
		EXPECT_EQ(src.mnt_peer_group, after.mnt_peer_group);
		EXPECT_EQ(src.mnt_master, after.mnt_master);
	} else {
		EXPECT_ERRNO(EPERM, sm_get(src_id, src.mnt_ns_id, &after));
		EXPECT_ERRNO(EPERM, setns(ns_a, CLONE_NEWNS));
	}

	if (ns_b >= 0)
		close(ns_b);
	close(ns_a);
	close(procfd);
}

/*
 * Mount events really propagate between empty namespaces: A's root is
 * made shared, a child unshares an empty namespace C from it - a peer of
 * A's root from the same user namespace, a slave from a new one.  A
 * tmpfs attached on A's root shows up in C both ways; one attached in C
 * reaches A only from a peer.
 */
FIXTURE(root_propagates) {};

FIXTURE_VARIANT(root_propagates) {
	bool newuser;
};

FIXTURE_VARIANT_ADD(root_propagates, peer) {
	.newuser = false,
};

FIXTURE_VARIANT_ADD(root_propagates, slave_newuser) {
	.newuser = true,
};

FIXTURE_SETUP(root_propagates)
{
	REQUIRE_EMPTY_MNTNS();
}

FIXTURE_TEARDOWN(root_propagates) {}

TEST_F(root_propagates, mount_events)
{
	int c2p[2], p2c[2], procfd, mntfd;
	pid_t pid;
	char c;

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(procfd, 0);
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	ASSERT_RET(0, mount(NULL, "/", NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, pipe2(c2p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(p2c, O_CLOEXEC));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct statmount sm;
		uint64_t list[8], root;
		char buf[64];
		int fd;

		close(c2p[0]);
		close(p2c[1]);
		if (variant->newuser)
			CHILD_CHECK(enter_userns_at(procfd) == 0);
		CHILD_CHECK(unshare(UNSHARE_EMPTY_MNTNS) == 0);
		CHILD_CHECK(count_mounts() == 1);
		root = get_unique_mnt_id("/");
		CHILD_CHECK(sm_get(root, 0, &sm) == 0);
		CHILD_CHECK(sm.mnt_propagation ==
			    (variant->newuser ? MS_SLAVE : MS_SHARED));
		CHILD_CHECK(write(c2p[1], "r", 1) == 1);
		CHILD_CHECK(read(p2c[0], &c, 1) == 1);

		/* the parent's tmpfs propagated onto our root */
		CHILD_CHECK(list_mounts_ns(LSMT_ROOT, 0, list, 8) == 2);
		CHILD_CHECK(list[0] == root);
		CHILD_CHECK(!strcmp(sm_fstype(list[1], 0, buf, sizeof(buf)),
				    "tmpfs"));
		CHILD_CHECK(sm_get(list[1], 0, &sm) == 0);
		CHILD_CHECK(sm.mnt_parent_id == root);

		fd = tmpfs_onto_root();
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(count_mounts() == 3);
		CHILD_CHECK(write(c2p[1], "m", 1) == 1);
		CHILD_CHECK(read(p2c[0], &c, 1) == 1);
		_exit(0);
	}
	close(c2p[1]);
	close(p2c[0]);

	ASSERT_EQ(1, read(c2p[0], &c, 1));
	mntfd = tmpfs_onto_root();
	ASSERT_GE(mntfd, 0);
	EXPECT_EQ(2, count_mounts());
	ASSERT_EQ(1, write(p2c[1], "g", 1));
	ASSERT_EQ(1, read(c2p[0], &c, 1));
	/* a slave does not propagate back */
	EXPECT_EQ(variant->newuser ? 2 : 3, count_mounts());
	ASSERT_EQ(1, write(p2c[1], "q", 1));
	EXPECT_EQ(0, wait_for_pid(pid));

	close(mntfd);
	close(procfd);
}

/* The same clone_mnt() rules through clone3(CLONE_EMPTY_MNTNS). */
TEST(clone3_propagation)
{
	struct statmount src;
	uint64_t src_id;
	int procfd, i;

	REQUIRE_EMPTY_MNTNS();

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(procfd, 0);
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	ASSERT_RET(0, mount(NULL, "/", NULL, MS_SHARED, NULL));
	src_id = get_unique_mnt_id("/");
	ASSERT_EQ(0, sm_get(src_id, 0, &src));
	ASSERT_NE(0, src.mnt_peer_group);

	for (i = 0; i < 2; i++) {
		bool newuser = i == 1;
		int sync[2];
		pid_t pid;

		ASSERT_EQ(0, pipe2(sync, O_CLOEXEC));
		pid = sys_clone3_flags(CLONE_EMPTY_MNTNS |
				       (newuser ? CLONE_NEWUSER : 0), 0);
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			struct statmount sm;
			uint64_t root;
			char c;

			close(sync[1]);
			/* wait for the id maps */
			CHILD_CHECK(read(sync[0], &c, 1) == 1);
			CHILD_CHECK(count_mounts() == 1);
			root = get_unique_mnt_id("/");
			CHILD_CHECK(root != src_id);
			CHILD_CHECK(sm_get(root, 0, &sm) == 0);
			if (newuser) {
				CHILD_CHECK(sm.mnt_propagation == MS_SLAVE);
				CHILD_CHECK(sm.mnt_peer_group == 0);
				CHILD_CHECK(sm.mnt_master == src.mnt_peer_group);
			} else {
				CHILD_CHECK(sm.mnt_propagation == MS_SHARED);
				CHILD_CHECK(sm.mnt_peer_group == src.mnt_peer_group);
				CHILD_CHECK(sm.mnt_master == 0);
			}
			_exit(0);
		}
		close(sync[0]);
		if (newuser) {
			char path[64];

			snprintf(path, sizeof(path), "%d/uid_map", pid);
			EXPECT_EQ(0, write_at(procfd, path, "0 0 1"));
			snprintf(path, sizeof(path), "%d/gid_map", pid);
			EXPECT_EQ(0, write_at(procfd, path, "0 0 1"));
		}
		ASSERT_EQ(1, write(sync[1], "m", 1));
		close(sync[1]);
		EXPECT_EQ(0, wait_for_pid(pid)) TH_LOG("newuser=%d", newuser);
	}
	close(procfd);
}

/* ------------------------------------------------------------------ */
/* 2. cwd and root are reset                                          */
/* ------------------------------------------------------------------ */

FIXTURE(reset) {};

FIXTURE_VARIANT(reset) {
	bool userns;
};

FIXTURE_VARIANT_ADD(reset, root) {
	.userns = false,
};

FIXTURE_VARIANT_ADD(reset, userns) {
	.userns = true,
};

FIXTURE_SETUP(reset)
{
	REQUIRE_EMPTY_MNTNS();
	if (variant->userns)
		ASSERT_EQ(0, enter_userns());
	ASSERT_EQ(0, private_ns_with_tmp());
}

FIXTURE_TEARDOWN(reset) {}

/* cwd on another mount (a tmpfs) is reset to the new root */
TEST_F(reset, cwd_on_tmpfs)
{
	char buf[PATH_MAX];
	struct stat st, root_st;

	ASSERT_EQ(0, mkdir("/tmp/cwd", 0755));
	ASSERT_RET(0, mount("tmpfs", "/tmp/cwd", "tmpfs", 0, "size=1M"));
	ASSERT_EQ(0, create_file("/tmp/cwd/marker", "x"));
	ASSERT_EQ(0, chdir("/tmp/cwd"));
	ASSERT_STREQ("/tmp/cwd", cwd_str(buf, sizeof(buf)));
	ASSERT_EQ(TMPFS_MAGIC, statfs_type("."));

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));

	EXPECT_IN_EMPTY_MNTNS();
	ASSERT_EQ(0, stat(".", &st));
	ASSERT_EQ(0, stat("/", &root_st));
	EXPECT_EQ(root_st.st_dev, st.st_dev);
	EXPECT_EQ(root_st.st_ino, st.st_ino);
	EXPECT_ERRNO(ENOENT, stat("marker", &st));
	EXPECT_ERRNO(ENOENT, stat("/tmp", &st));
	/* ".." of the root is the root */
	ASSERT_EQ(0, stat("..", &st));
	EXPECT_EQ(NULLFS_ROOT_INO, st.st_ino);
}

/*
 * A chroot is dropped as well - also with the cwd outside of it - and
 * the clone is of the namespace root, not of the chroot.
 */
TEST_F(reset, root_from_chroot)
{
	char buf[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir("/tmp/jail", 0755));
	ASSERT_EQ(0, mkdir("/tmp/outside", 0755));
	ASSERT_EQ(0, create_file("/tmp/jail/inside", "x"));
	ASSERT_EQ(0, chdir("/tmp/outside"));
	ASSERT_EQ(0, chroot("/tmp/jail"));
	ASSERT_EQ(0, access("/inside", F_OK));
	/* cwd outside the root (prepend_path() reaches the global root) */
	ASSERT_STREQ("(unreachable)/tmp/outside", cwd_str(buf, sizeof(buf)));

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));

	EXPECT_IN_EMPTY_MNTNS();
	EXPECT_ERRNO(ENOENT, stat("/inside", &st));
	EXPECT_ERRNO(ENOENT, stat("inside", &st));
}

/*
 * A thread sharing its fs_struct (CLONE_FS) unshares: unshare_fs() gives
 * it a private copy, which copy_mnt_ns() resets; the other thread keeps
 * its root and cwd in the old namespace.
 */
struct thread_result {
	unsigned long flags;
	int ret;
	int err;
	long root_magic;
	long cwd_magic;
	ssize_t mounts;
	ino_t cwd_ino;
	char cwd[PATH_MAX];
};

static void *unshare_thread(void *arg)
{
	struct thread_result *r = arg;
	struct stat st;

	r->ret = unshare(r->flags);
	r->err = errno;
	r->root_magic = statfs_type("/");
	r->cwd_magic = statfs_type(".");
	r->mounts = count_mounts();
	r->cwd_ino = stat(".", &st) ? 0 : st.st_ino;
	cwd_str(r->cwd, sizeof(r->cwd));
	return NULL;
}

TEST_F(reset, sibling_thread_keeps_cwd)
{
	static const unsigned long flags[] = {
		UNSHARE_EMPTY_MNTNS,
		UNSHARE_EMPTY_MNTNS | CLONE_FS,
	};
	char buf[PATH_MAX];
	ssize_t before;
	unsigned int i;

	ASSERT_EQ(0, mkdir("/tmp/cwd", 0755));
	ASSERT_EQ(0, chdir("/tmp/cwd"));
	before = count_mounts();
	ASSERT_GT(before, 1);

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct thread_result r = { .flags = flags[i] };
		pthread_t t;

		ASSERT_EQ(0, pthread_create(&t, NULL, unshare_thread, &r));
		ASSERT_EQ(0, pthread_join(t, NULL));

		EXPECT_EQ(0, r.ret) TH_LOG("flags %#lx: %s", flags[i],
					   strerror(r.err));
		EXPECT_EQ(NULL_FS_MAGIC, r.root_magic);
		EXPECT_EQ(NULL_FS_MAGIC, r.cwd_magic);
		EXPECT_EQ(1, r.mounts);
		EXPECT_EQ(NULLFS_ROOT_INO, r.cwd_ino);
		EXPECT_STREQ("/", r.cwd);

		/* this thread: same namespace, root and cwd as before */
		EXPECT_EQ(before, count_mounts());
		EXPECT_EQ(TMPFS_MAGIC, statfs_type("."));
		EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
		EXPECT_STREQ("/tmp/cwd", cwd_str(buf, sizeof(buf)));
	}
}

/* ------------------------------------------------------------------ */
/* 3. fds opened before the unshare keep working                      */
/* ------------------------------------------------------------------ */

FIXTURE(old_fds) {};

FIXTURE_VARIANT(old_fds) {
	bool userns;
	bool keep_old_ns;	/* hold an fd to the old namespace */
};

/* the old namespace dies with the unshare: its mounts are umount_tree()d */
FIXTURE_VARIANT_ADD(old_fds, old_ns_gone) {
	.keep_old_ns = false,
};

FIXTURE_VARIANT_ADD(old_fds, old_ns_kept) {
	.keep_old_ns = true,
};

FIXTURE_VARIANT_ADD(old_fds, userns_old_ns_gone) {
	.userns = true,
	.keep_old_ns = false,
};

FIXTURE_VARIANT_ADD(old_fds, userns_old_ns_kept) {
	.userns = true,
	.keep_old_ns = true,
};

FIXTURE_SETUP(old_fds)
{
	REQUIRE_EMPTY_MNTNS();
	if (variant->userns)
		ASSERT_EQ(0, enter_userns());
	ASSERT_EQ(0, private_ns_with_tmp());
}

FIXTURE_TEARDOWN(old_fds) {}

TEST_F(old_fds, dir_and_file)
{
	int dirfd, filefd, pathfd, fd, keep = -1;
	uint64_t data_id, old_ns_id;
	struct stat st_file, st;
	struct statmount sm;
	char buf[PATH_MAX];
	ssize_t n;

	ASSERT_EQ(0, mkdir("/tmp/data", 0755));
	ASSERT_RET(0, mount("tmpfs", "/tmp/data", "tmpfs", 0, "size=1M"));
	dirfd = open("/tmp/data", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(dirfd, 0);
	filefd = openat(dirfd, "file", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_GE(filefd, 0);
	ASSERT_EQ(6, write(filefd, "before", 6));
	pathfd = openat(dirfd, "file", O_PATH | O_CLOEXEC);
	ASSERT_GE(pathfd, 0);
	ASSERT_EQ(0, fstat(filefd, &st_file));
	data_id = mnt_id_fd(dirfd);
	ASSERT_NE(0, data_id);
	old_ns_id = own_mnt_ns_id();
	ASSERT_NE(0, old_ns_id);
	if (variant->keep_old_ns) {
		keep = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		ASSERT_GE(keep, 0);
	}

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_IN_EMPTY_MNTNS();

	/* the file fd */
	EXPECT_EQ(6, write(filefd, "+after", 6));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(12, pread(filefd, buf, sizeof(buf), 0));
	EXPECT_STREQ("before+after", buf);
	ASSERT_EQ(0, fstat(filefd, &st));
	EXPECT_EQ(12, st.st_size);
	EXPECT_EQ(st_file.st_ino, st.st_ino);
	EXPECT_EQ(st_file.st_dev, st.st_dev);

	/* the O_PATH fd */
	ASSERT_EQ(0, fstatat(pathfd, "", &st, AT_EMPTY_PATH));
	EXPECT_EQ(st_file.st_ino, st.st_ino);

	/* lookups relative to the directory fd */
	ASSERT_EQ(0, fstatat(dirfd, "file", &st, 0));
	EXPECT_EQ(st_file.st_ino, st.st_ino);
	fd = openat(dirfd, "file", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(12, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("before+after", buf);
	close(fd);
	EXPECT_EQ(0, mkdirat(dirfd, "sub", 0700));
	fd = openat(dirfd, "sub/new", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
	EXPECT_GE(fd, 0);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(0, renameat(dirfd, "sub/new", dirfd, "moved"));
	EXPECT_EQ(0, unlinkat(dirfd, "moved", 0));
	EXPECT_EQ(0, unlinkat(dirfd, "sub", AT_REMOVEDIR));
	EXPECT_ERRNO(ENOENT, fstatat(dirfd, "sub", &st, 0));
	EXPECT_EQ(TMPFS_MAGIC, fstatfs_type(dirfd));
	EXPECT_EQ(data_id, mnt_id_fd(dirfd));

	/*
	 * statmount() by fd: the mount is still in the old namespace while
	 * it lives, else it was unmounted with it (do_statmount() then drops
	 * STATMOUNT_MNT_NS_ID).
	 */
	memset(&sm, 0, sizeof(sm));
	ASSERT_EQ(0, statmount(0, 0, dirfd,
			       STATMOUNT_MNT_BASIC | STATMOUNT_MNT_NS_ID,
			       &sm, sizeof(sm), STATMOUNT_BY_FD))
		TH_LOG("statmount by fd: %s", strerror(errno));
	EXPECT_EQ(data_id, sm.mnt_id);
	if (variant->keep_old_ns) {
		EXPECT_TRUE(sm.mask & STATMOUNT_MNT_NS_ID);
		EXPECT_EQ(old_ns_id, sm.mnt_ns_id);
	} else {
		EXPECT_FALSE(sm.mask & STATMOUNT_MNT_NS_ID);
	}

	/* fchdir to the old directory */
	ASSERT_EQ(0, fchdir(dirfd));
	EXPECT_EQ(TMPFS_MAGIC, statfs_type("."));
	EXPECT_EQ(NULL_FS_MAGIC, statfs_type("/"));
	/*
	 * getcwd(): prepend_path() walks up to a global root - the old
	 * namespace's nullfs while it lives, else the now detached tmpfs.
	 */
	EXPECT_STREQ(variant->keep_old_ns ? "(unreachable)/tmp/data" :
					    "(unreachable)/",
		     cwd_str(buf, sizeof(buf)));
	ASSERT_EQ(0, stat("file", &st));
	EXPECT_EQ(st_file.st_ino, st.st_ino);
	EXPECT_EQ(1, count_mounts());

	/* and make it the root */
	ASSERT_EQ(0, chroot("."));
	EXPECT_EQ(TMPFS_MAGIC, statfs_type("/"));
	EXPECT_STREQ("/", cwd_str(buf, sizeof(buf)));
	ASSERT_EQ(0, stat("/file", &st));
	EXPECT_EQ(st_file.st_ino, st.st_ino);
	/* none of our namespace's mounts is reachable from this root */
	EXPECT_EQ(0, count_mounts());
	EXPECT_EQ(0, create_file("/new", "y"));

	n = pread(filefd, buf, sizeof(buf), 0);
	EXPECT_EQ(12, n);

	if (keep >= 0)
		close(keep);
	close(pathfd);
	close(filefd);
	close(dirfd);
}

/* ------------------------------------------------------------------ */
/* 4. setns() back and forth                                          */
/* ------------------------------------------------------------------ */

FIXTURE(setns) {};

FIXTURE_VARIANT(setns) {
	bool userns;
};

FIXTURE_VARIANT_ADD(setns, root) {
	.userns = false,
};

FIXTURE_VARIANT_ADD(setns, userns) {
	.userns = true,
};

FIXTURE_SETUP(setns)
{
	REQUIRE_EMPTY_MNTNS();
	if (variant->userns)
		ASSERT_EQ(0, enter_userns());
	ASSERT_EQ(0, private_ns_with_tmp());
}

FIXTURE_TEARDOWN(setns) {}

TEST_F(setns, back_and_forth)
{
	uint64_t old_id, empty_id, empty_root;
	struct stat old_root, st;
	int oldfd, emptyfd, i;
	ssize_t old_count;
	char buf[PATH_MAX];

	old_count = count_mounts();
	ASSERT_GT(old_count, 1);
	ASSERT_EQ(0, stat("/", &old_root));
	oldfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(oldfd, 0);
	old_id = ns_id_fd(oldfd);
	ASSERT_NE(0, old_id);
	EXPECT_EQ(old_id, own_mnt_ns_id());
	/* neither counts the nullfs root below our rootfs */
	EXPECT_EQ(old_count, ns_nr_mounts(oldfd));

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_IN_EMPTY_MNTNS();
	emptyfd = mntns_fd_self();
	ASSERT_GE(emptyfd, 0);
	empty_id = ns_id_fd(emptyfd);
	EXPECT_NE(old_id, empty_id);
	EXPECT_EQ(empty_id, own_mnt_ns_id());
	EXPECT_EQ(0, ns_nr_mounts(emptyfd));
	empty_root = get_unique_mnt_id("/");

	for (i = 0; i < 3; i++) {
		ASSERT_RET(0, setns(oldfd, CLONE_NEWNS));
		EXPECT_EQ(old_count, count_mounts());
		EXPECT_EQ(old_id, own_mnt_ns_id());
		ASSERT_EQ(0, stat("/", &st));
		EXPECT_EQ(old_root.st_dev, st.st_dev);
		EXPECT_EQ(old_root.st_ino, st.st_ino);
		EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
		EXPECT_STREQ("/", cwd_str(buf, sizeof(buf)));
		EXPECT_EQ(0, access("/proc/self/ns/mnt", F_OK));

		ASSERT_RET(0, setns(emptyfd, CLONE_NEWNS));
		EXPECT_IN_EMPTY_MNTNS();
		EXPECT_EQ(empty_root, get_unique_mnt_id("/"));
		EXPECT_EQ(empty_id, own_mnt_ns_id());
		EXPECT_ERRNO(ENOENT, access("/proc", F_OK));
	}

	EXPECT_EQ(old_count, ns_nr_mounts(oldfd));
	EXPECT_EQ(0, ns_nr_mounts(emptyfd));
	close(emptyfd);
	close(oldfd);
}

/*
 * mntns_install() walks down from ns->root (LOOKUP_DOWN): once a tmpfs
 * is attached on top of the empty namespace's root, setns() lands on it,
 * while unshare() left us below it.
 */
TEST_F(setns, lands_on_overmount)
{
	uint64_t list[8], tmpfs_id, null_id;
	int oldfd, emptyfd, mntfd;
	pid_t pid;

	oldfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(oldfd, 0);
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	emptyfd = mntns_fd_self();
	ASSERT_GE(emptyfd, 0);
	null_id = get_unique_mnt_id("/");

	mntfd = tmpfs_onto_root();
	ASSERT_GE(mntfd, 0);
	tmpfs_id = mnt_id_fd(mntfd);
	ASSERT_NE(0, tmpfs_id);
	EXPECT_EQ(NULL_FS_MAGIC, statfs_type("/"));
	EXPECT_EQ(1, ns_nr_mounts(emptyfd));
	ASSERT_EQ(2, list_mounts_ns(LSMT_ROOT, 0, list, 8));
	EXPECT_EQ(null_id, list[0]);
	EXPECT_EQ(tmpfs_id, list[1]);

	ASSERT_RET(0, setns(oldfd, CLONE_NEWNS));
	ASSERT_RET(0, setns(emptyfd, CLONE_NEWNS));

	EXPECT_EQ(TMPFS_MAGIC, statfs_type("/"));
	EXPECT_EQ(TMPFS_MAGIC, statfs_type("."));
	EXPECT_EQ(tmpfs_id, get_unique_mnt_id("/"));
	ASSERT_EQ(1, list_mounts_ns(LSMT_ROOT, 0, list, 8));
	EXPECT_EQ(tmpfs_id, list[0]);
	EXPECT_EQ(0, create_file("/file", "x"));

	/* not a chroot any more: a user namespace can be created */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) ? 1 : 0);
	EXPECT_EQ(0, wait_for_pid(pid));

	close(mntfd);
	close(emptyfd);
	close(oldfd);
}

/*
 * setns() into an empty namespace owned by the initial user namespace
 * needs CAP_SYS_ADMIN there (mntns_install()); the type is checked first.
 */
TEST(setns_needs_cap_over_owner)
{
	int procfd, emptyfd;
	pid_t pid;

	REQUIRE_EMPTY_MNTNS();

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(procfd, 0);
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	emptyfd = mntns_fd_self();
	ASSERT_GE(emptyfd, 0);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		CHILD_CHECK(unshare(CLONE_NEWNS) == 0);
		CHILD_CHECK(enter_userns_at(procfd) == 0);
		CHILD_CHECK(setns(emptyfd, CLONE_NEWNET) == -1 &&
			    errno == EINVAL);
		CHILD_CHECK(setns(emptyfd, CLONE_NEWNS) == -1 &&
			    errno == EPERM);
		CHILD_CHECK(setns(emptyfd, 0) == -1 && errno == EPERM);
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));
	close(emptyfd);
	close(procfd);
}

/* ------------------------------------------------------------------ */
/* 5. nothing leaks                                                   */
/* ------------------------------------------------------------------ */

FIXTURE(leak) {};

FIXTURE_SETUP(leak)
{
	uint64_t pidns_id = 0;
	int fd;

	REQUIRE_EMPTY_MNTNS();
	/* listns() shows every namespace only from the initial pid ns */
	fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	pidns_id = ns_id_fd(fd);
	close(fd);
	if (pidns_id != PID_NS_INIT_ID)
		SKIP(return, "not in the initial pid namespace");
	if (count_mntns() < 0)
		SKIP(return, "listns() not supported");
}

FIXTURE_TEARDOWN(leak) {}

/*
 * One process goes through NR_UNSHARES empty namespaces.  Each unshare()
 * drops the previous namespace (switch_task_namespaces() ->
 * put_mnt_ns()), so exactly one more mount namespace is active while it
 * lives, none after it exited, and our own namespace is unchanged.
 */
TEST_F_TIMEOUT(leak, repeated_unshare, 300)
{
	ssize_t before_ns, before_mounts, n;
	int c2p[2], p2c[2], selffd;
	long before_nr;
	pid_t pid;
	char c;

	selffd = mntns_fd_self();
	ASSERT_GE(selffd, 0);
	before_ns = count_mntns();
	ASSERT_GT(before_ns, 0);
	before_mounts = count_mounts();
	before_nr = ns_nr_mounts(selffd);
	ASSERT_GT(before_nr, 0);
	ASSERT_EQ(0, pipe2(c2p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(p2c, O_CLOEXEC));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint64_t prev = 0, id;
		int i;

		close(c2p[0]);
		close(p2c[1]);
		for (i = 0; i < NR_UNSHARES; i++) {
			CHILD_CHECK(unshare(UNSHARE_EMPTY_MNTNS) == 0);
			CHILD_CHECK(count_mounts() == 1);
			/* a new clone every time (unique ids only grow) */
			id = get_unique_mnt_id("/");
			CHILD_CHECK(id > prev);
			prev = id;
		}
		CHILD_CHECK(statfs_type("/") == NULL_FS_MAGIC);
		CHILD_CHECK(write(c2p[1], "r", 1) == 1);
		CHILD_CHECK(read(p2c[0], &c, 1) == 1);
		_exit(0);
	}
	close(c2p[1]);
	close(p2c[0]);

	ASSERT_EQ(1, read(c2p[0], &c, 1));
	n = wait_mntns_count(before_ns + 1);
	EXPECT_EQ(before_ns + 1, n);
	EXPECT_EQ(before_mounts, count_mounts());
	EXPECT_EQ(before_nr, ns_nr_mounts(selffd));
	ASSERT_EQ(1, write(p2c[1], "q", 1));
	ASSERT_EQ(0, wait_for_pid(pid));

	n = wait_mntns_count(before_ns);
	EXPECT_EQ(before_ns, n);
	EXPECT_EQ(before_mounts, count_mounts());
	EXPECT_EQ(before_nr, ns_nr_mounts(selffd));
	close(selffd);
}

/* NR_CLONES children with clone3(CLONE_EMPTY_MNTNS), reaped one by one */
TEST_F_TIMEOUT(leak, repeated_clone3, 300)
{
	ssize_t before_ns, before_mounts, n;
	int i;

	before_ns = count_mntns();
	ASSERT_GT(before_ns, 0);
	before_mounts = count_mounts();

	for (i = 0; i < NR_CLONES; i++) {
		pid_t pid = sys_clone3_flags(CLONE_EMPTY_MNTNS, 0);

		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(count_mounts() == 1 &&
			      statfs_type("/") == NULL_FS_MAGIC ? 0 : 1);
		ASSERT_EQ(0, wait_for_pid(pid)) TH_LOG("child %d", i);
	}

	n = wait_mntns_count(before_ns);
	EXPECT_EQ(before_ns, n);
	EXPECT_EQ(before_mounts, count_mounts());
}

/*
 * The same through the mount namespace ucount of a user namespace of
 * ours: alloc_mnt_ns() charges the new namespace before the old one is
 * dropped, free_mnt_ns() uncharges it.  With max_mnt_namespaces = 2, a
 * single leaked namespace makes the next unshare() fail with ENOSPC.
 */
TEST_F_TIMEOUT(leak, ucount_limit, 300)
{
	char buf[32] = {};
	int procfd, held, fd, i;
	long ret = -1;

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(procfd, 0);
	ASSERT_EQ(0, enter_userns_at(procfd));
	ASSERT_EQ(0, write_at(procfd, "sys/user/max_mnt_namespaces", "2"));
	fd = openat(procfd, "sys/user/max_mnt_namespaces", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(2, read(fd, buf, sizeof(buf) - 1));
	EXPECT_STREQ("2\n", buf);
	close(fd);

	for (i = 0; i < NR_UNSHARES; i++)
		ASSERT_EQ(0, unshare(UNSHARE_EMPTY_MNTNS))
			TH_LOG("unshare %d: %s", i, strerror(errno));

	/* the counter is real: hold one namespace, and the third fails */
	held = mntns_fd_self();
	ASSERT_GE(held, 0);
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_ERRNO(ENOSPC, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_ERRNO(ENOSPC, clone3_must_fail(CLONE_EMPTY_MNTNS));
	close(held);
	for (i = 0; i < 500; i++) {
		ret = unshare(UNSHARE_EMPTY_MNTNS);
		if (!ret || errno != ENOSPC)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, ret) TH_LOG("unshare after close: %s", strerror(errno));

	/* with a limit of 1, the current namespace leaves no room */
	ASSERT_EQ(0, write_at(procfd, "sys/user/max_mnt_namespaces", "1"));
	EXPECT_ERRNO(ENOSPC, unshare(UNSHARE_EMPTY_MNTNS));
	ASSERT_EQ(0, write_at(procfd, "sys/user/max_mnt_namespaces", "2"));
	EXPECT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_EQ(1, count_mounts());
	close(procfd);
}

/* ------------------------------------------------------------------ */
/* 6. privileges                                                      */
/* ------------------------------------------------------------------ */

/*
 * Two levels of user namespaces with maps written: the empty namespace
 * is owned by the innermost one, and - cloned across user namespaces
 * (CL_SLAVE) - its root got lock_mnt_tree()'s MNT_LOCK_ATIME.
 */
TEST(nested_userns)
{
	uint64_t l1, l2, list[4];
	int procfd, fd, mntnsfd, ownerfd;
	struct statmount sm;
	struct statfs sfs;

	REQUIRE_EMPTY_MNTNS();

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(procfd, 0);

	ASSERT_EQ(0, enter_userns_at(procfd));
	fd = openat(procfd, "self/ns/user", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	l1 = ns_id_fd(fd);
	close(fd);
	ASSERT_EQ(0, enter_userns_at(procfd));
	fd = openat(procfd, "self/ns/user", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	l2 = ns_id_fd(fd);
	close(fd);
	ASSERT_NE(0, l1);
	ASSERT_NE(0, l2);
	ASSERT_NE(l1, l2);
	ASSERT_EQ(0, geteuid());

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_IN_EMPTY_MNTNS();
	ASSERT_EQ(1, list_mounts_ns(LSMT_ROOT, 0, list, 4));
	ASSERT_EQ(0, sm_get(list[0], 0, &sm));
	EXPECT_EQ(MS_PRIVATE, sm.mnt_propagation);

	mntnsfd = mntns_fd_self();
	ASSERT_GE(mntnsfd, 0);
	EXPECT_EQ(0, ns_nr_mounts(mntnsfd));
	ownerfd = ioctl(mntnsfd, NS_GET_USERNS);
	ASSERT_GE(ownerfd, 0);
	EXPECT_EQ(l2, ns_id_fd(ownerfd));
	close(ownerfd);

	/* locked atime, but read-only may always be added and removed */
	EXPECT_ERRNO(EPERM, mount(NULL, "/", NULL,
				  MS_REMOUNT | MS_BIND | MS_NOATIME, NULL));
	EXPECT_RET(0, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
			    NULL));
	ASSERT_EQ(0, statfs("/", &sfs));
	EXPECT_TRUE(sfs.f_flags & ST_RDONLY);
	EXPECT_RET(0, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
	ASSERT_EQ(0, statfs("/", &sfs));
	EXPECT_FALSE(sfs.f_flags & ST_RDONLY);

	/*
	 * Unshared again within the same user namespace: no CL_SLAVE, no
	 * lock_mnt_tree() - but clone_mnt() copies the MNT_LOCK_* flags
	 * (only MNT_INTERNAL_FLAGS are dropped), so the lock stays.
	 */
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_IN_EMPTY_MNTNS();
	EXPECT_ERRNO(EPERM, mount(NULL, "/", NULL,
				  MS_REMOUNT | MS_BIND | MS_NOATIME, NULL));
	close(mntnsfd);
	close(procfd);
}

/*
 * A read-only source: clone_mnt() copies MNT_READONLY; only a clone made
 * for another user namespace gets MNT_LOCK_READONLY/MNT_LOCK_ATIME.
 */
FIXTURE(locked_flags) {};

FIXTURE_VARIANT(locked_flags) {
	bool newuser;
	int err;	/* of changing a locked flag */
};

FIXTURE_VARIANT_ADD(locked_flags, same_userns) {
	.newuser = false,
	.err = 0,
};

FIXTURE_VARIANT_ADD(locked_flags, newuser) {
	.newuser = true,
	.err = EPERM,
};

FIXTURE_SETUP(locked_flags)
{
	REQUIRE_EMPTY_MNTNS();
}

FIXTURE_TEARDOWN(locked_flags) {}

TEST_F(locked_flags, readonly_source)
{
	struct statmount sm;
	struct statfs sfs;
	int procfd;

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(procfd, 0);
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	ASSERT_RET(0, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
			    NULL));
	if (variant->newuser)
		ASSERT_EQ(0, enter_userns_at(procfd));
	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));

	EXPECT_IN_EMPTY_MNTNS();
	ASSERT_EQ(0, sm_get(get_unique_mnt_id("/"), 0, &sm));
	EXPECT_TRUE(sm.mnt_attr & MOUNT_ATTR_RDONLY);
	ASSERT_EQ(0, statfs("/", &sfs));
	EXPECT_TRUE(sfs.f_flags & ST_RDONLY);

	EXPECT_RET(0, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
			    NULL));
	if (variant->err) {
		EXPECT_ERRNO(variant->err,
			     mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND |
				   MS_RDONLY | MS_NOATIME, NULL));
		EXPECT_ERRNO(variant->err,
			     mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
	} else {
		EXPECT_RET(0, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND |
				    MS_RDONLY | MS_NOATIME, NULL));
		EXPECT_RET(0, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND,
				    NULL));
	}
	ASSERT_EQ(0, sm_get(get_unique_mnt_id("/"), 0, &sm));
	EXPECT_EQ(!variant->err, !(sm.mnt_attr & MOUNT_ATTR_RDONLY));
	EXPECT_EQ(!variant->err, !!(sm.mnt_attr & MOUNT_ATTR_NOATIME));
	close(procfd);
}

/*
 * Without CAP_SYS_ADMIN in the owning user namespace:
 * unshare_nsproxy_namespaces()/copy_namespaces() say EPERM; flag errors
 * (check_unshare_flags(), copy_process()) come first with EINVAL.
 */
static void expect_no_empty_mntns(struct __test_metadata *_metadata)
{
	uint64_t ns_id = own_mnt_ns_id();
	ssize_t nr = count_mounts();

	EXPECT_ERRNO(EPERM, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_ERRNO(EPERM, unshare(UNSHARE_EMPTY_MNTNS | CLONE_FS));
	EXPECT_ERRNO(EPERM, clone3_must_fail(CLONE_EMPTY_MNTNS));
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS | CLONE_FS));
	EXPECT_ERRNO(EINVAL, sys_unshare(CLONE_EMPTY_MNTNS));
	/* nothing changed */
	EXPECT_EQ(ns_id, own_mnt_ns_id());
	EXPECT_EQ(nr, count_mounts());
	EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
}

TEST(eperm_caps_dropped)
{
	REQUIRE_EMPTY_MNTNS();
	ASSERT_TRUE(caps_down());
	expect_no_empty_mntns(_metadata);
}

TEST(eperm_sys_admin_dropped)
{
	REQUIRE_EMPTY_MNTNS();
	ASSERT_TRUE(cap_down(CAP_SYS_ADMIN));
	expect_no_empty_mntns(_metadata);
}

TEST(eperm_userns_sys_admin_dropped)
{
	REQUIRE_EMPTY_MNTNS();
	ASSERT_EQ(0, enter_userns());
	ASSERT_TRUE(cap_down(CAP_SYS_ADMIN));
	expect_no_empty_mntns(_metadata);
}

/*
 * An unprivileged uid without a user namespace gets EPERM; with a new
 * user namespace in the same unshare() it has CAP_SYS_ADMIN over the
 * new mount namespace (unless Debian's kernel.unprivileged_userns_clone
 * forbids the user namespace).
 */
TEST(eperm_unprivileged_uid)
{
	bool userns_allowed = true;
	char buf[8] = {};
	int fd;

	REQUIRE_EMPTY_MNTNS();

	fd = open("/proc/sys/kernel/unprivileged_userns_clone",
		  O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0 && buf[0] == '0')
			userns_allowed = false;
		close(fd);
	}

	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	expect_no_empty_mntns(_metadata);

	if (userns_allowed) {
		ASSERT_RET(0, unshare(CLONE_NEWUSER | UNSHARE_EMPTY_MNTNS));
		EXPECT_IN_EMPTY_MNTNS();
	} else {
		EXPECT_ERRNO(EPERM, unshare(CLONE_NEWUSER | UNSHARE_EMPTY_MNTNS));
	}
}

/* ------------------------------------------------------------------ */
/* 7. building a tmpfs root                                           */
/* ------------------------------------------------------------------ */

FIXTURE(tmpfs_root) {};

FIXTURE_VARIANT(tmpfs_root) {
	bool userns;
};

FIXTURE_VARIANT_ADD(tmpfs_root, root) {
	.userns = false,
};

FIXTURE_VARIANT_ADD(tmpfs_root, userns) {
	.userns = true,
};

FIXTURE_SETUP(tmpfs_root)
{
	REQUIRE_EMPTY_MNTNS();
	if (variant->userns)
		ASSERT_EQ(0, enter_userns());
}

FIXTURE_TEARDOWN(tmpfs_root) {}

TEST_F(tmpfs_root, build_and_chroot)
{
	uint64_t list[8], null_id, tmpfs_id, sub_id;
	struct statmount sm;
	char buf[PATH_MAX];
	int mntfd, nsfd;
	struct stat st;
	pid_t pid;

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
	null_id = get_unique_mnt_id("/");
	ASSERT_NE(0, null_id);

	mntfd = tmpfs_mntfd();
	ASSERT_GE(mntfd, 0);
	tmpfs_id = mnt_id_fd(mntfd);
	ASSERT_NE(0, tmpfs_id);
	/* a detached mount is not in our namespace */
	EXPECT_EQ(1, count_mounts());

	ASSERT_RET(0, sys_move_mount(mntfd, "", AT_FDCWD, "/",
				     MOVE_MOUNT_F_EMPTY_PATH));
	/* our root stays the nullfs clone below the new mount */
	EXPECT_EQ(NULL_FS_MAGIC, statfs_type("/"));
	EXPECT_EQ(null_id, get_unique_mnt_id("/"));
	ASSERT_EQ(2, list_mounts_ns(LSMT_ROOT, 0, list, 8));
	EXPECT_EQ(null_id, list[0]);
	EXPECT_EQ(tmpfs_id, list[1]);
	ASSERT_EQ(0, sm_get(tmpfs_id, 0, &sm));
	EXPECT_EQ(null_id, sm.mnt_parent_id);
	EXPECT_EQ(TMPFS_MAGIC, sm.sb_magic);

	/* below an overmount of the namespace root counts as chrooted */
	EXPECT_ERRNO(EPERM, unshare(CLONE_NEWUSER));

	ASSERT_EQ(0, fchdir(mntfd));
	ASSERT_EQ(0, chroot("."));
	close(mntfd);
	EXPECT_EQ(TMPFS_MAGIC, statfs_type("/"));
	EXPECT_EQ(tmpfs_id, get_unique_mnt_id("/"));
	EXPECT_STREQ("/", cwd_str(buf, sizeof(buf)));

	/* listmount(LSMT_ROOT) starts at our root: the nullfs is not seen */
	ASSERT_EQ(1, list_mounts_ns(LSMT_ROOT, 0, list, 8));
	EXPECT_EQ(tmpfs_id, list[0]);
	/* asked for explicitly (we have CAP_SYS_ADMIN over the namespace) */
	ASSERT_EQ(1, list_mounts_ns(null_id, 0, list, 8));
	EXPECT_EQ(tmpfs_id, list[0]);

	ASSERT_EQ(0, mkdir("/dir", 0755));
	ASSERT_EQ(0, create_file("/dir/file", "data"));
	ASSERT_EQ(0, stat("/dir/file", &st));
	EXPECT_EQ(4, st.st_size);
	ASSERT_EQ(0, mkdir("/mnt", 0755));
	ASSERT_RET(0, mount("tmpfs", "/mnt", "tmpfs", 0, "size=1M"));
	sub_id = get_unique_mnt_id("/mnt");
	ASSERT_NE(0, sub_id);
	ASSERT_EQ(0, create_file("/mnt/inner", "x"));
	ASSERT_EQ(2, list_mounts_ns(LSMT_ROOT, 0, list, 8));
	EXPECT_EQ(tmpfs_id, list[0]);
	EXPECT_EQ(sub_id, list[1]);
	nsfd = mntns_fd_self();
	ASSERT_GE(nsfd, 0);
	EXPECT_EQ(2, ns_nr_mounts(nsfd));

	/* now the root is the topmost mount: not chrooted */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) ? 1 : 0);
	EXPECT_EQ(0, wait_for_pid(pid));

	/* a full copy takes all three mounts along, and our root with it */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		CHILD_CHECK(unshare(CLONE_NEWNS) == 0);
		CHILD_CHECK(count_mounts() == 2);
		CHILD_CHECK(get_unique_mnt_id("/") != tmpfs_id);
		CHILD_CHECK(statfs_type("/") == TMPFS_MAGIC);
		CHILD_CHECK(access("/dir/file", F_OK) == 0);
		CHILD_CHECK(access("/mnt/inner", F_OK) == 0);
		fd = mntns_fd_self();
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(ns_nr_mounts(fd) == 2);
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	/* an empty one from inside the chroot is a clone of ns->root */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct statmount csm;

		CHILD_CHECK(unshare(UNSHARE_EMPTY_MNTNS) == 0);
		CHILD_CHECK(count_mounts() == 1);
		CHILD_CHECK(statfs_type("/") == NULL_FS_MAGIC);
		CHILD_CHECK(statfs_type(".") == NULL_FS_MAGIC);
		CHILD_CHECK(access("/dir", F_OK) == -1 && errno == ENOENT);
		CHILD_CHECK(cwd_is("/"));
		CHILD_CHECK(sm_get(get_unique_mnt_id("/"), 0, &csm) == 0);
		CHILD_CHECK(csm.mnt_id != null_id);
		CHILD_CHECK(csm.mnt_parent_id == csm.mnt_id);
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	/* the children changed nothing here */
	ASSERT_EQ(2, list_mounts_ns(LSMT_ROOT, 0, list, 8));
	EXPECT_EQ(2, ns_nr_mounts(nsfd));
	close(nsfd);
}

/* ------------------------------------------------------------------ */
/* 8. clone3(CLONE_EMPTY_MNTNS) and the flag checks                   */
/* ------------------------------------------------------------------ */

/* case 7 through clone3(), with and without CLONE_NEWUSER */
FIXTURE(clone3_tmpfs_root) {};

FIXTURE_VARIANT(clone3_tmpfs_root) {
	bool newuser;
};

FIXTURE_VARIANT_ADD(clone3_tmpfs_root, plain) {
	.newuser = false,
};

FIXTURE_VARIANT_ADD(clone3_tmpfs_root, newuser) {
	.newuser = true,
};

FIXTURE_SETUP(clone3_tmpfs_root)
{
	REQUIRE_EMPTY_MNTNS();
}

FIXTURE_TEARDOWN(clone3_tmpfs_root) {}

TEST_F(clone3_tmpfs_root, build_and_chroot)
{
	uint64_t ns_id = own_mnt_ns_id();
	ssize_t before = count_mounts();
	int sync[2];
	pid_t pid;

	ASSERT_NE(0, ns_id);
	ASSERT_EQ(0, pipe2(sync, O_CLOEXEC));
	pid = sys_clone3_flags(CLONE_EMPTY_MNTNS |
			       (variant->newuser ? CLONE_NEWUSER : 0), 0);
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint64_t list[4], tmpfs_id;
		struct stat st;
		int mntfd;
		char c;

		close(sync[1]);
		CHILD_CHECK(read(sync[0], &c, 1) == 1);
		CHILD_CHECK(geteuid() == 0);
		CHILD_CHECK(count_mounts() == 1);
		CHILD_CHECK(statfs_type("/") == NULL_FS_MAGIC);
		CHILD_CHECK(cwd_is("/"));
		CHILD_CHECK(own_mnt_ns_id() != ns_id);

		mntfd = tmpfs_onto_root();
		CHILD_CHECK(mntfd >= 0);
		tmpfs_id = mnt_id_fd(mntfd);
		CHILD_CHECK(count_mounts() == 2);
		CHILD_CHECK(fchdir(mntfd) == 0);
		CHILD_CHECK(chroot(".") == 0);
		CHILD_CHECK(statfs_type("/") == TMPFS_MAGIC);
		CHILD_CHECK(list_mounts_ns(LSMT_ROOT, 0, list, 4) == 1);
		CHILD_CHECK(list[0] == tmpfs_id);
		CHILD_CHECK(mkdir("/etc", 0755) == 0);
		CHILD_CHECK(create_file("/etc/hostname", "empty\n") == 0);
		CHILD_CHECK(stat("/etc/hostname", &st) == 0 && st.st_size == 6);
		CHILD_CHECK(st.st_uid == 0);
		_exit(0);
	}
	close(sync[0]);
	if (variant->newuser) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
		EXPECT_EQ(0, write_file(path, "0 0 1"));
		snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
		EXPECT_EQ(0, write_file(path, "0 0 1"));
	}
	ASSERT_EQ(1, write(sync[1], "m", 1));
	close(sync[1]);
	EXPECT_EQ(0, wait_for_pid(pid));

	EXPECT_EQ(ns_id, own_mnt_ns_id());
	EXPECT_EQ(before, count_mounts());
	EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
}

/*
 * case 2 through clone3(): the child's root and cwd are reset, even when
 * the parent is chrooted; the parent keeps both.
 */
TEST(clone3_cwd_and_root_reset)
{
	char buf[PATH_MAX];
	ssize_t before;
	pid_t pid;

	REQUIRE_EMPTY_MNTNS();
	ASSERT_EQ(0, private_ns_with_tmp());
	ASSERT_EQ(0, mkdir("/tmp/jail", 0755));
	ASSERT_EQ(0, mkdir("/tmp/jail/sub", 0755));
	ASSERT_RET(0, mount("tmpfs", "/tmp/jail/sub", "tmpfs", 0, "size=1M"));
	ASSERT_EQ(0, create_file("/tmp/jail/inside", "x"));
	ASSERT_EQ(0, chroot("/tmp/jail"));
	ASSERT_EQ(0, chdir("/sub"));
	/* only mounts whose root is reachable from ours: /sub */
	before = count_mounts();
	ASSERT_EQ(1, before);

	pid = sys_clone3_flags(CLONE_EMPTY_MNTNS, 0);
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct stat st;

		CHILD_CHECK(count_mounts() == 1);
		CHILD_CHECK(statfs_type("/") == NULL_FS_MAGIC);
		CHILD_CHECK(statfs_type(".") == NULL_FS_MAGIC);
		CHILD_CHECK(cwd_is("/"));
		CHILD_CHECK(stat(".", &st) == 0);
		CHILD_CHECK(st.st_ino == NULLFS_ROOT_INO);
		CHILD_CHECK(get_unique_mnt_id(".") == get_unique_mnt_id("/"));
		CHILD_CHECK(access("/inside", F_OK) == -1 && errno == ENOENT);
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	EXPECT_STREQ("/sub", cwd_str(buf, sizeof(buf)));
	EXPECT_EQ(TMPFS_MAGIC, statfs_type("."));
	EXPECT_EQ(0, access("/inside", F_OK));
	EXPECT_EQ(before, count_mounts());
}

/*
 * copy_process(): CLONE_NEWNS (implied by CLONE_EMPTY_MNTNS in
 * kernel_clone()) and CLONE_FS are mutually exclusive.  unshare() instead
 * adds CLONE_FS itself (ksys_unshare()), so there it is accepted.
 */
TEST(clone3_with_clone_fs)
{
	REQUIRE_EMPTY_MNTNS();

	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS | CLONE_FS));
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS | CLONE_NEWNS |
					      CLONE_FS));
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS |
					      CLONE_NEWUSER | CLONE_FS));
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS | CLONE_FS |
					      CLONE_NEWUTS));
}

TEST(unshare_flag_combinations)
{
	uint64_t first, second;
	char buf[PATH_MAX];

	REQUIRE_EMPTY_MNTNS();
	ASSERT_EQ(0, private_ns_with_tmp());
	ASSERT_EQ(0, chdir("/tmp"));

	/* unshare() takes the 32-bit alias only (check_unshare_flags()) */
	EXPECT_ERRNO(EINVAL, sys_unshare(CLONE_EMPTY_MNTNS));
	EXPECT_ERRNO(EINVAL, sys_unshare(CLONE_EMPTY_MNTNS | CLONE_NEWNS));
	EXPECT_ERRNO(EINVAL, sys_unshare(CLONE_EMPTY_MNTNS |
					 UNSHARE_EMPTY_MNTNS));
	EXPECT_STREQ("/tmp", cwd_str(buf, sizeof(buf)));

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS | CLONE_FS));
	EXPECT_IN_EMPTY_MNTNS();
	first = get_unique_mnt_id("/");

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS | CLONE_NEWNS));
	EXPECT_IN_EMPTY_MNTNS();
	second = get_unique_mnt_id("/");
	EXPECT_GT(second, first);

	ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS | CLONE_NEWNS | CLONE_FS |
			      CLONE_NEWUTS | CLONE_NEWIPC));
	EXPECT_IN_EMPTY_MNTNS();
	EXPECT_GT(get_unique_mnt_id("/"), second);
}

/*
 * For clone3() and clone() the bit of UNSHARE_EMPTY_MNTNS is
 * CLONE_PARENT_SETTID: no new mount namespace at all.
 */
TEST(parent_settid_is_not_empty_mntns)
{
	uint64_t ns_id;
	ssize_t nr;
	int i;

	REQUIRE_EMPTY_MNTNS();
	ns_id = own_mnt_ns_id();
	ASSERT_NE(0, ns_id);
	nr = count_mounts();
	ASSERT_GT(nr, 1);

	for (i = 0; i < 2; i++) {
		volatile pid_t ptid = 0;
		pid_t pid;

		fflush(stdout);
		fflush(stderr);
		if (i == 0)
			pid = sys_clone3_flags(UNSHARE_EMPTY_MNTNS,
					       (uintptr_t)&ptid);
		else
			pid = syscall(__NR_clone,
				      SIGCHLD | UNSHARE_EMPTY_MNTNS, NULL,
				      &ptid, NULL, 0);
		ASSERT_GE(pid, 0) TH_LOG("%s: %s", i ? "clone" : "clone3",
					 strerror(errno));
		if (pid == 0)
			_exit(own_mnt_ns_id() == ns_id &&
			      count_mounts() == nr &&
			      statfs_type("/") != NULL_FS_MAGIC ? 0 : 1);
		EXPECT_EQ(pid, ptid);
		EXPECT_EQ(0, wait_for_pid(pid)) TH_LOG("%s",
						       i ? "clone" : "clone3");
	}
}

TEST_HARNESS_MAIN
