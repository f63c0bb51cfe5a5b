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
 * Where a case holds for both system calls, a fixture variant picks one:
 * fork_empty_mntns() makes a child in a new empty namespace either way.
 * Children check with the harness' EXPECT_*()/ASSERT_*(): _metadata is
 * shared memory, so their failures are the test's (an ASSERT aborts the
 * child, which the parent's wait_for_pid() check sees as well).
 *
 * Expectations are exact and derived from the 7.2 sources; the comments
 * name the function that decides each value.  The tests need real root
 * (they create user namespaces for the unprivileged parts themselves).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
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
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../mntns_util.h"
#include "../mntns_accounting.h"
#include "clone3/clone3_selftests.h"
#include "kselftest_harness.h"
#include "../expect_errno.h"

#ifndef PIDFD_GET_MNT_NAMESPACE	/* <linux/pidfd.h> clashes with <fcntl.h> */
#define PIDFD_GET_MNT_NAMESPACE	_IO(0xFF, 3)
#endif

/* how many namespaces the leak tests go through */
#define NR_UNSHARES		1000
#define NR_CLONES		100

static long sys_unshare(uint64_t flags)
{
	return syscall(__NR_unshare, flags);
}

/* clone3() with @flags, otherwise like fork() */
static pid_t clone3_flags(uint64_t flags, uint64_t parent_tid)
{
	struct __clone_args args = {
		.flags		= flags,
		.parent_tid	= parent_tid,
		.exit_signal	= SIGCHLD,
	};

	return sys_clone3(&args, sizeof(args));
}

/* clone3() that is expected to fail: never let a child run the test on */
static long clone3_must_fail(uint64_t flags)
{
	pid_t pid = clone3_flags(flags, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return pid;
	}
	return -1;
}

/* listmount() below @parent (LSMT_ROOT: our root) in our namespace */
static ssize_t list_mounts(uint64_t parent, uint64_t *list, size_t nr)
{
	return listmount(parent, 0, 0, list, nr, 0);
}

static const char *sm_fstype(uint64_t mnt_id, char *buf, size_t len)
{
	struct statmount *sm;

	snprintf(buf, len, "<statmount failed: %s>", strerror(errno));
	sm = statmount_alloc(mnt_id, 0, STATMOUNT_FS_TYPE, 0);
	if (!sm)
		return buf;
	if (sm->mask & STATMOUNT_FS_TYPE)
		snprintf(buf, len, "%s", sm->str + sm->fs_type);
	else
		snprintf(buf, len, "<no fs_type>");
	free(sm);
	return buf;
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

/* Attach a new tmpfs on top of "/"; returns its mount fd. */
static int tmpfs_onto_root(void)
{
	int mntfd = fsmount_tmpfs(0, 0);

	if (mntfd < 0)
		return -1;
	if (sys_move_mount(mntfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH)) {
		close(mntfd);
		return -1;
	}
	return mntfd;
}

/* unshare(@flags) in a child, leaving us as we are: 0 or its errno */
static int unshare_in_child(unsigned long flags)
{
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(unshare(flags) ? errno : 0);
	return wait_for_pid(pid);
}

/*
 * Only a kernel that does not know the flag (EINVAL) skips; any other
 * outcome of the probe - including a crash - lets the tests run and fail.
 */
static bool empty_mntns_supported(void)
{
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return true;
	if (pid == 0)
		_exit(unshare(UNSHARE_EMPTY_MNTNS) && errno == EINVAL ? 1 : 0);
	return wait_for_pid(pid) != 1;
}

/* The set-up every fixture starts with (it returns from it to skip). */
#define REQUIRE_EMPTY_MNTNS() do {					\
	if (geteuid() != 0)						\
		SKIP(return, "must be run as root");			\
	if (!empty_mntns_supported())					\
		SKIP(return, "UNSHARE_EMPTY_MNTNS not supported");	\
} while (0)

/* and a /proc dirfd, which still works inside an empty mount namespace */
#define SETUP_EMPTY_MNTNS(_procfd) do {					\
	REQUIRE_EMPTY_MNTNS();						\
	_procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);	\
	ASSERT_GE(_procfd, 0);						\
} while (0)

/*
 * The clone in the new namespace sits directly on the nullfs superblock:
 * its own parent, the root inode, NULL_FS_MAGIC, one mount; root and cwd
 * were reset to it.
 */
static void expect_in_empty_mntns(struct __test_metadata *_metadata)
{
	uint64_t root = get_unique_mnt_id("/");
	struct statmount sm;
	char buf[PATH_MAX];
	struct stat st;

	EXPECT_EQ(1, count_mounts());
	EXPECT_EQ(NULL_FS_MAGIC, statfs_type("/"));
	EXPECT_EQ(NULL_FS_MAGIC, statfs_type("."));
	EXPECT_STREQ("/", cwd_str(buf, sizeof(buf)));
	EXPECT_EQ(root, get_unique_mnt_id("."));
	ASSERT_EQ(0, stat(".", &st));
	EXPECT_EQ(NULLFS_ROOT_INO, st.st_ino);
	EXPECT_EQ(NULLFS_ROOT_MODE, st.st_mode);
	ASSERT_EQ(0, sm_get(root, 0, &sm));
	EXPECT_EQ(sm.mnt_id, sm.mnt_parent_id);
	EXPECT_EQ(NULL_FS_MAGIC, sm.sb_magic);
}

/* unshare(@flags), which include UNSHARE_EMPTY_MNTNS, and look around */
static void unshare_empty(struct __test_metadata *_metadata,
			  unsigned long flags)
{
	ASSERT_RET(0, unshare(flags));
	expect_in_empty_mntns(_metadata);
}

/*
 * Like fork(), but the child (0 returned) sits in a new empty mount
 * namespace, made with unshare() or clone3().  @newuser: from a new user
 * namespace mapping root to root, which makes copy_mnt_ns() clone with
 * CL_SLAVE; needs @procfd.
 */
static pid_t fork_empty_mntns(struct __test_metadata *_metadata, bool clone3,
			      bool newuser, int procfd)
{
	char path[64], c;
	int sync[2];
	pid_t pid;

	if (!clone3) {
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			if (newuser)
				ASSERT_EQ(0, userns_unshare_at(procfd, 0));
			unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);
		}
		return pid;
	}

	ASSERT_EQ(0, pipe2(sync, O_CLOEXEC));
	pid = clone3_flags(CLONE_EMPTY_MNTNS | (newuser ? CLONE_NEWUSER : 0),
			   0);
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* wait for the id maps */
		close(sync[1]);
		ASSERT_EQ(1, read(sync[0], &c, 1));
		close(sync[0]);
		expect_in_empty_mntns(_metadata);
		return 0;
	}
	close(sync[0]);
	if (newuser) {
		snprintf(path, sizeof(path), "%d/uid_map", pid);
		ASSERT_EQ(0, write_at(procfd, path, "0 0 1"));
		snprintf(path, sizeof(path), "%d/gid_map", pid);
		ASSERT_EQ(0, write_at(procfd, path, "0 0 1"));
	}
	ASSERT_EQ(1, write(sync[1], "m", 1));
	close(sync[1]);
	return pid;
}

/* A private copy of our mount namespace with a private tmpfs on /tmp. */
static void setup_private_ns(struct __test_metadata *_metadata, bool userns)
{
	if (userns)
		ASSERT_EQ(0, enter_userns());
	ASSERT_RET(0, unshare(CLONE_NEWNS));
	ASSERT_RET(0, mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL));
	ASSERT_RET(0, mount("tmpfs", "/tmp", "tmpfs", 0, "size=4M"));
}

/* ------------------------------------------------------------------ */
/* 1. propagation of the clone                                        */
/* ------------------------------------------------------------------ */

/*
 * "/" is made @prop before the unshare - with MS_REC on our rootfs, or,
 * from inside an empty namespace, on its root, the source of the next
 * clone - and the empty namespace is made in our user namespace or from
 * a new one.
 */
FIXTURE(propagation) {
	int procfd;
};

FIXTURE_VARIANT(propagation) {
	unsigned long prop;
	bool newuser;
};

FIXTURE_VARIANT_ADD(propagation, private) {
	.prop = MS_PRIVATE,
};

FIXTURE_VARIANT_ADD(propagation, shared) {
	.prop = MS_SHARED,
};

FIXTURE_VARIANT_ADD(propagation, slave) {
	.prop = MS_SLAVE,
};

FIXTURE_VARIANT_ADD(propagation, shared_slave) {
	.prop = MS_SHARED | MS_SLAVE,
};

FIXTURE_VARIANT_ADD(propagation, unbindable) {
	.prop = MS_UNBINDABLE,
};

FIXTURE_VARIANT_ADD(propagation, private_newuser) {
	.prop = MS_PRIVATE,
	.newuser = true,
};

FIXTURE_VARIANT_ADD(propagation, shared_newuser) {
	.prop = MS_SHARED,
	.newuser = true,
};

FIXTURE_VARIANT_ADD(propagation, slave_newuser) {
	.prop = MS_SLAVE,
	.newuser = true,
};

FIXTURE_VARIANT_ADD(propagation, shared_slave_newuser) {
	.prop = MS_SHARED | MS_SLAVE,
	.newuser = true,
};

FIXTURE_VARIANT_ADD(propagation, unbindable_newuser) {
	.prop = MS_UNBINDABLE,
	.newuser = true,
};

FIXTURE_SETUP(propagation)
{
	SETUP_EMPTY_MNTNS(self->procfd);
}

FIXTURE_TEARDOWN(propagation)
{
	close(self->procfd);
}

/*
 * Make "/" (with @rec: and all below it) @prop.  A slave's master is its
 * peer in the namespace we leave for a copy; that namespace's fd is
 * returned, so that umount_tree() does not free the master side.
 */
static int make_root(struct __test_metadata *_metadata, unsigned long prop,
		     unsigned long rec)
{
	int master = -1;

	if (prop & MS_SLAVE) {
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_SHARED | rec, NULL));
		master = mntns_fd_self();
		ASSERT_GE(master, 0);
		ASSERT_RET(0, unshare(CLONE_NEWNS));
		ASSERT_RET(0, mount(NULL, "/", NULL, MS_SLAVE | rec, NULL));
		prop &= ~MS_SLAVE;
	}
	if (prop)
		ASSERT_RET(0, mount(NULL, "/", NULL, prop | rec, NULL));
	return master;
}

/* and it is: a peer group exactly when shared, a master when a slave */
static void check_root(struct __test_metadata *_metadata,
		       struct statmount *sm, unsigned long prop)
{
	uint64_t id = get_unique_mnt_id("/");

	ASSERT_NE(0, id);
	ASSERT_EQ(0, sm_get(id, 0, sm));
	ASSERT_EQ(prop, sm->mnt_propagation);
	ASSERT_EQ(!!(prop & MS_SHARED), !!sm->mnt_peer_group);
	ASSERT_EQ(!!(prop & MS_SLAVE), !!sm->mnt_master);
	if (prop == (MS_SHARED | MS_SLAVE))
		ASSERT_NE(sm->mnt_peer_group, sm->mnt_master);
}

/*
 * The rootfs the caller sits on is not what gets cloned: copy_mnt_ns()
 * clones ns->root, the namespace's copy of the nullfs mount 1, which is
 * below "/" and not touched by mount(MS_REC) on "/".  That mount is
 * private in every namespace copied from the initial one
 * (init_mount_tree() never makes it shared), so the clone is private
 * whatever "/" is - also with CL_SLAVE from a new user namespace, which
 * only turns a shared source into a slave.
 */
TEST_F(propagation, clone_is_of_nullfs_root)
{
	struct statmount root_sm, null_sm, new_sm;
	uint64_t null_id, new_id;
	char buf[64];
	int master;

	ASSERT_RET(0, unshare(CLONE_NEWNS));
	master = make_root(_metadata, variant->prop, MS_REC);
	check_root(_metadata, &root_sm, variant->prop);

	/* the namespace root is the nullfs mount below "/", still private */
	null_id = ns_root_mnt_id();
	ASSERT_NE(0, null_id);
	ASSERT_NE(root_sm.mnt_id, null_id);
	ASSERT_EQ(0, sm_get(null_id, 0, &null_sm));
	EXPECT_STREQ("nullfs", sm_fstype(null_id, buf, sizeof(buf)));
	EXPECT_EQ(MS_PRIVATE, null_sm.mnt_propagation);
	EXPECT_EQ(0, null_sm.mnt_peer_group);
	EXPECT_EQ(0, null_sm.mnt_master);

	if (variant->newuser)
		ASSERT_EQ(0, userns_unshare_at(self->procfd, 0));
	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);

	new_id = get_unique_mnt_id("/");
	ASSERT_EQ(0, sm_get(new_id, 0, &new_sm));
	EXPECT_NE(null_id, new_id);
	EXPECT_NE(root_sm.mnt_id, new_id);
	EXPECT_STREQ("nullfs", sm_fstype(new_id, buf, sizeof(buf)));
	EXPECT_EQ(MS_PRIVATE, new_sm.mnt_propagation);
	EXPECT_EQ(0, new_sm.mnt_peer_group);
	EXPECT_EQ(0, new_sm.mnt_master);
	/* clone_mnt() copies the mount flags */
	EXPECT_EQ(null_sm.mnt_attr, new_sm.mnt_attr);
	EXPECT_EQ(null_sm.sb_dev_major, new_sm.sb_dev_major);
	EXPECT_EQ(null_sm.sb_dev_minor, new_sm.sb_dev_minor);

	if (master >= 0)
		close(master);
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
TEST_F(propagation, clone_of_ns_root)
{
	struct statmount src, after, new_sm;
	int master, src_ns;
	uint64_t new_id;
	char buf[64];

	/* A: "/" is A's root; a slave's is in a copy B of A */
	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);
	master = make_root(_metadata, variant->prop, 0);
	ASSERT_EQ(1, count_mounts());
	src_ns = mntns_fd_self();
	ASSERT_GE(src_ns, 0);
	check_root(_metadata, &src, variant->prop);
	ASSERT_EQ(src.mnt_id, src.mnt_parent_id);

	if (variant->newuser)
		ASSERT_EQ(0, userns_unshare_at(self->procfd, 0));
	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);

	new_id = get_unique_mnt_id("/");
	ASSERT_EQ(0, sm_get(new_id, 0, &new_sm));
	EXPECT_NE(src.mnt_id, new_id);
	EXPECT_NE(src.mnt_ns_id, new_sm.mnt_ns_id);
	EXPECT_STREQ("nullfs", sm_fstype(new_id, buf, sizeof(buf)));
	if (variant->newuser && (variant->prop & MS_SHARED)) {
		EXPECT_EQ(MS_SLAVE, new_sm.mnt_propagation);
		EXPECT_EQ(0, new_sm.mnt_peer_group);
		EXPECT_EQ(src.mnt_peer_group, new_sm.mnt_master);
	} else {
		EXPECT_EQ(variant->prop, new_sm.mnt_propagation);
		EXPECT_EQ(src.mnt_peer_group, new_sm.mnt_peer_group);
		EXPECT_EQ(src.mnt_master, new_sm.mnt_master);
	}

	/*
	 * The source did not change.  statmount() by namespace id cannot
	 * look: for a foreign namespace grab_requested_root() wants a child
	 * of its root, and an empty namespace has none (ENOENT).  Go back
	 * in (needs CAP_SYS_ADMIN over the source's owner).
	 */
	if (!variant->newuser) {
		EXPECT_ERRNO(ENOENT, sm_get(src.mnt_id, src.mnt_ns_id, &after));
		ASSERT_RET(0, setns(src_ns, CLONE_NEWNS));
		EXPECT_EQ(src.mnt_id, get_unique_mnt_id("/"));
		ASSERT_EQ(0, sm_get(src.mnt_id, 0, &after));
		EXPECT_EQ(src.mnt_propagation, after.mnt_propagation);
		EXPECT_EQ(src.mnt_peer_group, after.mnt_peer_group);
		EXPECT_EQ(src.mnt_master, after.mnt_master);
	} else {
		EXPECT_ERRNO(EPERM, sm_get(src.mnt_id, src.mnt_ns_id, &after));
		EXPECT_ERRNO(EPERM, setns(src_ns, CLONE_NEWNS));
	}

	if (master >= 0)
		close(master);
	close(src_ns);
}

/* ------------------------------------------------------------------ */
/* 2. the same through unshare() and clone3()                         */
/* ------------------------------------------------------------------ */

/*
 * The empty namespace is made by a child with unshare() or with clone3(),
 * in our user namespace or - cross-userns, copy_mnt_ns() with CL_SLAVE -
 * from a new one (enter_userns() then unshare(), or CLONE_NEWUSER).
 */
FIXTURE(new_ns) {
	int procfd;
};

FIXTURE_VARIANT(new_ns) {
	bool clone3;
	bool newuser;
};

FIXTURE_VARIANT_ADD(new_ns, unshare) { .clone3 = false };
FIXTURE_VARIANT_ADD(new_ns, unshare_newuser) { .newuser = true };
FIXTURE_VARIANT_ADD(new_ns, clone3) { .clone3 = true };
FIXTURE_VARIANT_ADD(new_ns, clone3_newuser) { .clone3 = true, .newuser = true };

FIXTURE_SETUP(new_ns)
{
	SETUP_EMPTY_MNTNS(self->procfd);
}

FIXTURE_TEARDOWN(new_ns)
{
	close(self->procfd);
}

/*
 * Mount events really propagate between empty namespaces: A's root is
 * made shared, a child gets an empty namespace C from it - a peer of A's
 * root from the same user namespace, a slave from a new one.  A tmpfs
 * attached on A's root shows up in C both ways; one attached in C
 * reaches A only from a peer.
 */
TEST_F(new_ns, mount_events)
{
	int c2p[2], p2c[2], mntfd;
	struct statmount src;
	uint64_t src_id;
	pid_t pid;
	char c;

	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);
	ASSERT_RET(0, mount(NULL, "/", NULL, MS_SHARED, NULL));
	src_id = get_unique_mnt_id("/");
	ASSERT_EQ(0, sm_get(src_id, 0, &src));
	ASSERT_NE(0, src.mnt_peer_group);
	ASSERT_EQ(0, pipe2(c2p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(p2c, O_CLOEXEC));

	pid = fork_empty_mntns(_metadata, variant->clone3, variant->newuser,
			       self->procfd);
	if (pid == 0) {
		uint64_t list[8], root = get_unique_mnt_id("/");
		struct statmount sm;
		char buf[64];

		close(c2p[0]);
		close(p2c[1]);
		ASSERT_NE(src_id, root);
		ASSERT_EQ(0, sm_get(root, 0, &sm));
		if (variant->newuser) {
			EXPECT_EQ(MS_SLAVE, sm.mnt_propagation);
			EXPECT_EQ(0, sm.mnt_peer_group);
			EXPECT_EQ(src.mnt_peer_group, sm.mnt_master);
		} else {
			EXPECT_EQ(MS_SHARED, sm.mnt_propagation);
			EXPECT_EQ(src.mnt_peer_group, sm.mnt_peer_group);
			EXPECT_EQ(0, sm.mnt_master);
		}
		ASSERT_EQ(1, write(c2p[1], "r", 1));
		ASSERT_EQ(1, read(p2c[0], &c, 1));

		/* the parent's tmpfs propagated onto our root */
		ASSERT_EQ(2, list_mounts(LSMT_ROOT, list, 8));
		EXPECT_EQ(root, list[0]);
		EXPECT_STREQ("tmpfs", sm_fstype(list[1], buf, sizeof(buf)));
		ASSERT_EQ(0, sm_get(list[1], 0, &sm));
		EXPECT_EQ(root, sm.mnt_parent_id);

		ASSERT_GE(tmpfs_onto_root(), 0);
		EXPECT_EQ(3, count_mounts());
		ASSERT_EQ(1, write(c2p[1], "m", 1));
		ASSERT_EQ(1, read(p2c[0], &c, 1));
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
}

/*
 * A read-only source: clone_mnt() copies MNT_READONLY; only a clone made
 * for another user namespace gets MNT_LOCK_READONLY/MNT_LOCK_ATIME
 * (lock_mnt_tree()), and changing a locked flag is EPERM
 * (can_change_locked_flags()).
 */
TEST_F(new_ns, readonly_source)
{
	pid_t pid;

	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);
	ASSERT_RET(0, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
			    NULL));

	pid = fork_empty_mntns(_metadata, variant->clone3, variant->newuser,
			       self->procfd);
	if (pid == 0) {
		int err = variant->newuser ? EPERM : 0;
		struct statmount sm;
		struct statfs sfs;

		ASSERT_EQ(0, sm_get(get_unique_mnt_id("/"), 0, &sm));
		EXPECT_TRUE(sm.mnt_attr & MOUNT_ATTR_RDONLY);
		ASSERT_EQ(0, statfs("/", &sfs));
		EXPECT_TRUE(sfs.f_flags & ST_RDONLY);

		EXPECT_RET(0, mount(NULL, "/", NULL,
				    MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
		if (err) {
			EXPECT_ERRNO(err, mount(NULL, "/", NULL, MS_REMOUNT |
						MS_BIND | MS_RDONLY |
						MS_NOATIME, NULL));
			EXPECT_ERRNO(err, mount(NULL, "/", NULL,
						MS_REMOUNT | MS_BIND, NULL));
		} else {
			EXPECT_RET(0, mount(NULL, "/", NULL, MS_REMOUNT |
					    MS_BIND | MS_RDONLY | MS_NOATIME,
					    NULL));
			EXPECT_RET(0, mount(NULL, "/", NULL,
					    MS_REMOUNT | MS_BIND, NULL));
		}
		ASSERT_EQ(0, sm_get(get_unique_mnt_id("/"), 0, &sm));
		EXPECT_EQ(!err, !(sm.mnt_attr & MOUNT_ATTR_RDONLY));
		EXPECT_EQ(!err, !!(sm.mnt_attr & MOUNT_ATTR_NOATIME));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));
}

/*
 * Building a root: a tmpfs attached on top of the empty namespace's
 * root, chrooted into, populated and copied.
 */
static void build_tmpfs_root(struct __test_metadata *_metadata,
			     uint64_t parent_ns_id)
{
	uint64_t list[8], null_id, tmpfs_id, sub_id;
	struct statmount sm;
	char buf[PATH_MAX];
	int mntfd, nsfd;
	struct stat st;
	pid_t pid;

	EXPECT_EQ(0, geteuid());
	EXPECT_NE(parent_ns_id, own_mntns_id());
	null_id = get_unique_mnt_id("/");
	ASSERT_NE(0, null_id);

	mntfd = fsmount_tmpfs(0, 0);
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
	ASSERT_EQ(2, list_mounts(LSMT_ROOT, list, 8));
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

	/* listmount(LSMT_ROOT) starts at our root: no nullfs */
	ASSERT_EQ(1, list_mounts(LSMT_ROOT, list, 8));
	EXPECT_EQ(tmpfs_id, list[0]);
	/* asked for explicitly (CAP_SYS_ADMIN over the namespace) */
	ASSERT_EQ(1, list_mounts(null_id, list, 8));
	EXPECT_EQ(tmpfs_id, list[0]);

	ASSERT_EQ(0, mkdir("/etc", 0755));
	ASSERT_EQ(0, create_file("/etc/hostname", "empty\n"));
	ASSERT_EQ(0, stat("/etc/hostname", &st));
	EXPECT_EQ(6, st.st_size);
	EXPECT_EQ(0, st.st_uid);
	ASSERT_EQ(0, mkdir("/mnt", 0755));
	ASSERT_RET(0, mount("tmpfs", "/mnt", "tmpfs", 0, "size=1M"));
	sub_id = get_unique_mnt_id("/mnt");
	ASSERT_NE(0, sub_id);
	ASSERT_EQ(0, create_file("/mnt/inner", "x"));
	ASSERT_EQ(2, list_mounts(LSMT_ROOT, list, 8));
	EXPECT_EQ(tmpfs_id, list[0]);
	EXPECT_EQ(sub_id, list[1]);
	nsfd = mntns_fd_self();
	ASSERT_GE(nsfd, 0);
	EXPECT_EQ(2, nsfd_nr_mounts(nsfd));

	/* now the root is the topmost mount: not chrooted */
	EXPECT_EQ(0, unshare_in_child(CLONE_NEWUSER));

	/* a full copy takes all three mounts along, and our root */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		ASSERT_RET(0, unshare(CLONE_NEWNS));
		EXPECT_EQ(2, count_mounts());
		EXPECT_NE(tmpfs_id, get_unique_mnt_id("/"));
		EXPECT_EQ(TMPFS_MAGIC, statfs_type("/"));
		EXPECT_EQ(0, access("/etc/hostname", F_OK));
		EXPECT_EQ(0, access("/mnt/inner", F_OK));
		fd = mntns_fd_self();
		ASSERT_GE(fd, 0);
		EXPECT_EQ(2, nsfd_nr_mounts(fd));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	/* an empty one from inside the chroot is a clone of ns->root */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);
		EXPECT_ERRNO(ENOENT, access("/etc", F_OK));
		EXPECT_NE(null_id, get_unique_mnt_id("/"));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	/* the children changed nothing here */
	ASSERT_EQ(2, list_mounts(LSMT_ROOT, list, 8));
	EXPECT_EQ(2, nsfd_nr_mounts(nsfd));
}

/* ... in a child; the caller's namespace is untouched */
TEST_F(new_ns, tmpfs_root)
{
	uint64_t ns_id = own_mntns_id();
	ssize_t before = count_mounts();
	pid_t pid;

	ASSERT_NE(0, ns_id);
	pid = fork_empty_mntns(_metadata, variant->clone3, variant->newuser,
			       self->procfd);
	if (pid == 0) {
		build_tmpfs_root(_metadata, ns_id);
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	EXPECT_EQ(ns_id, own_mntns_id());
	EXPECT_EQ(before, count_mounts());
	EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
}

/* ------------------------------------------------------------------ */
/* 3. from a private namespace: cwd and root are reset, setns()       */
/* ------------------------------------------------------------------ */

/*
 * We sit in a private copy of our mount namespace with a tmpfs on /tmp,
 * as root or as root of a user namespace; a child gets an empty
 * namespace with unshare() or clone3(), and we keep root and cwd.
 */
FIXTURE(private_ns) {};

FIXTURE_VARIANT(private_ns) {
	bool userns;
	bool clone3;
};

FIXTURE_VARIANT_ADD(private_ns, unshare) { .clone3 = false };
FIXTURE_VARIANT_ADD(private_ns, clone3) { .clone3 = true };
FIXTURE_VARIANT_ADD(private_ns, userns_unshare) { .userns = true };
FIXTURE_VARIANT_ADD(private_ns, userns_clone3) { .clone3 = true, .userns = true };

FIXTURE_SETUP(private_ns)
{
	REQUIRE_EMPTY_MNTNS();
	setup_private_ns(_metadata, variant->userns);
}

FIXTURE_TEARDOWN(private_ns) {}

/* cwd on another mount (a tmpfs) is reset to the new root */
TEST_F(private_ns, cwd_on_tmpfs)
{
	char buf[PATH_MAX];
	pid_t pid;

	ASSERT_EQ(0, mkdir("/tmp/cwd", 0755));
	ASSERT_RET(0, mount("tmpfs", "/tmp/cwd", "tmpfs", 0, "size=1M"));
	ASSERT_EQ(0, create_file("/tmp/cwd/marker", "x"));
	ASSERT_EQ(0, chdir("/tmp/cwd"));
	ASSERT_STREQ("/tmp/cwd", cwd_str(buf, sizeof(buf)));
	ASSERT_EQ(TMPFS_MAGIC, statfs_type("."));

	pid = fork_empty_mntns(_metadata, variant->clone3, false, -1);
	if (pid == 0) {
		struct stat st, root_st;

		ASSERT_EQ(0, stat(".", &st));
		ASSERT_EQ(0, stat("/", &root_st));
		EXPECT_EQ(root_st.st_dev, st.st_dev);
		EXPECT_EQ(root_st.st_ino, st.st_ino);
		EXPECT_ERRNO(ENOENT, stat("marker", &st));
		EXPECT_ERRNO(ENOENT, stat("/tmp", &st));
		/* ".." of the root is the root */
		ASSERT_EQ(0, stat("..", &st));
		EXPECT_EQ(NULLFS_ROOT_INO, st.st_ino);
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	EXPECT_STREQ("/tmp/cwd", cwd_str(buf, sizeof(buf)));
	EXPECT_EQ(TMPFS_MAGIC, statfs_type("."));
}

/*
 * A chroot is dropped as well - also with the cwd outside of it - and
 * the clone is of the namespace root, not of the chroot.
 */
TEST_F(private_ns, root_from_chroot)
{
	char buf[PATH_MAX];
	pid_t pid;

	ASSERT_EQ(0, mkdir("/tmp/jail", 0755));
	ASSERT_EQ(0, mkdir("/tmp/outside", 0755));
	ASSERT_EQ(0, create_file("/tmp/jail/inside", "x"));
	ASSERT_EQ(0, chdir("/tmp/outside"));
	ASSERT_EQ(0, chroot("/tmp/jail"));
	ASSERT_EQ(0, access("/inside", F_OK));
	/* cwd outside the root (prepend_path() reaches the global root) */
	ASSERT_STREQ("(unreachable)/tmp/outside", cwd_str(buf, sizeof(buf)));

	pid = fork_empty_mntns(_metadata, variant->clone3, false, -1);
	if (pid == 0) {
		struct stat st;

		EXPECT_ERRNO(ENOENT, stat("/inside", &st));
		EXPECT_ERRNO(ENOENT, stat("inside", &st));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	EXPECT_EQ(0, access("/inside", F_OK));
	EXPECT_STREQ("(unreachable)/tmp/outside", cwd_str(buf, sizeof(buf)));
}

/* The same with the cwd inside the chroot, on a tmpfs mounted there. */
TEST_F(private_ns, cwd_in_chroot)
{
	char buf[PATH_MAX];
	ssize_t before;
	pid_t pid;

	ASSERT_EQ(0, mkdir("/tmp/jail", 0755));
	ASSERT_EQ(0, mkdir("/tmp/jail/sub", 0755));
	ASSERT_RET(0, mount("tmpfs", "/tmp/jail/sub", "tmpfs", 0, "size=1M"));
	ASSERT_EQ(0, create_file("/tmp/jail/inside", "x"));
	ASSERT_EQ(0, chroot("/tmp/jail"));
	ASSERT_EQ(0, chdir("/sub"));
	/* only mounts whose root is reachable from ours: /sub */
	before = count_mounts();
	ASSERT_EQ(1, before);

	pid = fork_empty_mntns(_metadata, variant->clone3, false, -1);
	if (pid == 0) {
		EXPECT_ERRNO(ENOENT, access("/inside", F_OK));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));

	EXPECT_STREQ("/sub", cwd_str(buf, sizeof(buf)));
	EXPECT_EQ(TMPFS_MAGIC, statfs_type("."));
	EXPECT_EQ(0, access("/inside", F_OK));
	EXPECT_EQ(before, count_mounts());
}

/* setns() to and fro between the old and the empty namespace */
TEST_F(private_ns, setns_back_and_forth)
{
	struct stat old_root;
	ssize_t old_count;
	uint64_t old_id;
	int oldfd;
	pid_t pid;

	old_count = count_mounts();
	ASSERT_GT(old_count, 1);
	ASSERT_EQ(0, stat("/", &old_root));
	oldfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(oldfd, 0);
	old_id = ns_id_fd(oldfd);
	ASSERT_NE(0, old_id);
	EXPECT_EQ(old_id, own_mntns_id());
	/* neither counts the nullfs root below our rootfs */
	EXPECT_EQ(old_count, nsfd_nr_mounts(oldfd));

	pid = fork_empty_mntns(_metadata, variant->clone3, false, -1);
	if (pid == 0) {
		uint64_t empty_id, empty_root = get_unique_mnt_id("/");
		char buf[PATH_MAX];
		int emptyfd, i;
		struct stat st;

		emptyfd = mntns_fd_self();
		ASSERT_GE(emptyfd, 0);
		empty_id = ns_id_fd(emptyfd);
		EXPECT_NE(old_id, empty_id);
		EXPECT_EQ(empty_id, own_mntns_id());
		EXPECT_EQ(0, nsfd_nr_mounts(emptyfd));

		for (i = 0; i < 3; i++) {
			ASSERT_RET(0, setns(oldfd, CLONE_NEWNS));
			EXPECT_EQ(old_count, count_mounts());
			EXPECT_EQ(old_id, own_mntns_id());
			ASSERT_EQ(0, stat("/", &st));
			EXPECT_EQ(old_root.st_dev, st.st_dev);
			EXPECT_EQ(old_root.st_ino, st.st_ino);
			EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
			EXPECT_STREQ("/", cwd_str(buf, sizeof(buf)));
			EXPECT_EQ(0, access("/proc/self/ns/mnt", F_OK));

			ASSERT_RET(0, setns(emptyfd, CLONE_NEWNS));
			expect_in_empty_mntns(_metadata);
			EXPECT_EQ(empty_root, get_unique_mnt_id("/"));
			EXPECT_EQ(empty_id, own_mntns_id());
			EXPECT_ERRNO(ENOENT, access("/proc", F_OK));
		}

		EXPECT_EQ(old_count, nsfd_nr_mounts(oldfd));
		EXPECT_EQ(0, nsfd_nr_mounts(emptyfd));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));
	close(oldfd);
}

/*
 * mntns_install() walks down from ns->root (LOOKUP_DOWN): once a tmpfs
 * is attached on top of the empty namespace's root, setns() lands on it,
 * while unshare()/clone3() left us below it.
 */
TEST_F(private_ns, setns_lands_on_overmount)
{
	int oldfd;
	pid_t pid;

	oldfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(oldfd, 0);

	pid = fork_empty_mntns(_metadata, variant->clone3, false, -1);
	if (pid == 0) {
		uint64_t list[8], tmpfs_id, null_id = get_unique_mnt_id("/");
		int emptyfd, mntfd;

		emptyfd = mntns_fd_self();
		ASSERT_GE(emptyfd, 0);
		mntfd = tmpfs_onto_root();
		ASSERT_GE(mntfd, 0);
		tmpfs_id = mnt_id_fd(mntfd);
		ASSERT_NE(0, tmpfs_id);
		EXPECT_EQ(NULL_FS_MAGIC, statfs_type("/"));
		EXPECT_EQ(1, nsfd_nr_mounts(emptyfd));
		ASSERT_EQ(2, list_mounts(LSMT_ROOT, list, 8));
		EXPECT_EQ(null_id, list[0]);
		EXPECT_EQ(tmpfs_id, list[1]);

		ASSERT_RET(0, setns(oldfd, CLONE_NEWNS));
		ASSERT_RET(0, setns(emptyfd, CLONE_NEWNS));

		EXPECT_EQ(TMPFS_MAGIC, statfs_type("/"));
		EXPECT_EQ(TMPFS_MAGIC, statfs_type("."));
		EXPECT_EQ(tmpfs_id, get_unique_mnt_id("/"));
		ASSERT_EQ(1, list_mounts(LSMT_ROOT, list, 8));
		EXPECT_EQ(tmpfs_id, list[0]);
		EXPECT_EQ(0, create_file("/file", "x"));

		/* not a chroot any more: a user namespace can be created */
		EXPECT_EQ(0, unshare_in_child(CLONE_NEWUSER));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));
	close(oldfd);
}

/* ------------------------------------------------------------------ */
/* 4. the same private namespace, left by this process itself         */
/* ------------------------------------------------------------------ */

FIXTURE(unshare_self) {};

FIXTURE_VARIANT(unshare_self) {
	bool userns;
};

FIXTURE_VARIANT_ADD(unshare_self, root) { .userns = false };
FIXTURE_VARIANT_ADD(unshare_self, userns) { .userns = true };

FIXTURE_SETUP(unshare_self)
{
	REQUIRE_EMPTY_MNTNS();
	setup_private_ns(_metadata, variant->userns);
}

FIXTURE_TEARDOWN(unshare_self) {}

/*
 * A thread sharing its fs_struct (CLONE_FS) unshares: unshare_fs() gives
 * it a private copy, which copy_mnt_ns() resets; the other thread keeps
 * its root and cwd in the old namespace.
 */
struct unshare_thread_arg {
	struct __test_metadata *_metadata;
	unsigned long flags;
};

static void *unshare_thread(void *arg)
{
	struct unshare_thread_arg *a = arg;
	struct __test_metadata *_metadata = a->_metadata;
	int ret = unshare(a->flags), err = errno;

	EXPECT_EQ(0, ret) TH_LOG("flags %#lx: %s", a->flags, strerror(err));
	expect_in_empty_mntns(_metadata);
	return NULL;
}

TEST_F(unshare_self, sibling_thread_keeps_cwd)
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

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		struct unshare_thread_arg arg = { _metadata, flags[i] };
		pthread_t t;

		ASSERT_EQ(0, pthread_create(&t, NULL, unshare_thread, &arg));
		ASSERT_EQ(0, pthread_join(t, NULL));

		/* this thread: same namespace, root and cwd as before */
		EXPECT_EQ(before, count_mounts());
		EXPECT_EQ(TMPFS_MAGIC, statfs_type("."));
		EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
		EXPECT_STREQ("/tmp/cwd", cwd_str(buf, sizeof(buf)));
	}
}

/*
 * fds opened before the unshare keep working.  Without @keep_old_ns, the
 * old namespace dies with the unshare (we are its only member) and its
 * mounts are umount_tree()d.
 */
static void check_old_fds(struct __test_metadata *_metadata, bool keep_old_ns)
{
	int dirfd, filefd, pathfd, fd, keep = -1;
	uint64_t data_id, old_ns_id;
	struct stat st_file, st;
	struct statmount sm;
	char buf[PATH_MAX];

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
	old_ns_id = own_mntns_id();
	ASSERT_NE(0, old_ns_id);
	if (keep_old_ns) {
		keep = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		ASSERT_GE(keep, 0);
	}

	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);

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
	if (keep_old_ns) {
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
	EXPECT_STREQ(keep_old_ns ? "(unreachable)/tmp/data" : "(unreachable)/",
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
	EXPECT_EQ(12, pread(filefd, buf, sizeof(buf), 0));

	if (keep >= 0)
		close(keep);
	close(pathfd);
	close(filefd);
	close(dirfd);
}

TEST_F(unshare_self, old_fds_old_ns_gone)
{
	check_old_fds(_metadata, false);
}

TEST_F(unshare_self, old_fds_old_ns_kept)
{
	check_old_fds(_metadata, true);
}

/* ------------------------------------------------------------------ */
/* 5. nothing leaks                                                   */
/* ------------------------------------------------------------------ */

FIXTURE(leak) {
	int procfd;
};

FIXTURE_SETUP(leak)
{
	uint64_t pidns_id;
	int fd;

	SETUP_EMPTY_MNTNS(self->procfd);
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

FIXTURE_TEARDOWN(leak)
{
	close(self->procfd);
}

/*
 * One process goes through NR_UNSHARES empty namespaces.  Each unshare()
 * drops the previous namespace (switch_task_namespaces() ->
 * put_mnt_ns()), so exactly one more mount namespace is active while it
 * lives, none after it exited, and our own namespace is unchanged.
 */
TEST_F_TIMEOUT(leak, repeated_unshare, 300)
{
	ssize_t before_ns, before_mounts;
	int c2p[2], p2c[2], selffd;
	long before_nr;
	pid_t pid;
	char c;

	selffd = mntns_fd_self();
	ASSERT_GE(selffd, 0);
	before_ns = count_mntns();
	ASSERT_GT(before_ns, 0);
	before_mounts = count_mounts();
	before_nr = nsfd_nr_mounts(selffd);
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
			ASSERT_RET(0, unshare(UNSHARE_EMPTY_MNTNS));
			ASSERT_EQ(1, count_mounts());
			/* a new clone every time (unique ids only grow) */
			id = get_unique_mnt_id("/");
			ASSERT_GT(id, prev);
			prev = id;
		}
		ASSERT_EQ(NULL_FS_MAGIC, statfs_type("/"));
		ASSERT_EQ(1, write(c2p[1], "r", 1));
		ASSERT_EQ(1, read(p2c[0], &c, 1));
		_exit(0);
	}
	close(c2p[1]);
	close(p2c[0]);

	ASSERT_EQ(1, read(c2p[0], &c, 1));
	EXPECT_EQ(before_ns + 1, wait_mntns_count(before_ns + 1));
	EXPECT_EQ(before_mounts, count_mounts());
	EXPECT_EQ(before_nr, nsfd_nr_mounts(selffd));
	ASSERT_EQ(1, write(p2c[1], "q", 1));
	ASSERT_EQ(0, wait_for_pid(pid));

	EXPECT_EQ(before_ns, wait_mntns_count(before_ns));
	EXPECT_EQ(before_mounts, count_mounts());
	EXPECT_EQ(before_nr, nsfd_nr_mounts(selffd));
	close(selffd);
}

/* NR_CLONES children with clone3(CLONE_EMPTY_MNTNS), reaped one by one */
TEST_F_TIMEOUT(leak, repeated_clone3, 300)
{
	ssize_t before_ns, before_mounts;
	int i;

	before_ns = count_mntns();
	ASSERT_GT(before_ns, 0);
	before_mounts = count_mounts();

	for (i = 0; i < NR_CLONES; i++) {
		pid_t pid = fork_empty_mntns(_metadata, true, false, -1);

		if (pid == 0)
			_exit(0);
		ASSERT_EQ(0, wait_for_pid(pid)) TH_LOG("child %d", i);
	}

	EXPECT_EQ(before_ns, wait_mntns_count(before_ns));
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
	int procfd = self->procfd, held, fd, i;
	char buf[32] = {};
	long ret = -1;

	ASSERT_EQ(0, userns_unshare_at(procfd, 0));
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
}

/* ------------------------------------------------------------------ */
/* 6. privileges and flags                                            */
/* ------------------------------------------------------------------ */

FIXTURE(empty_mntns) {
	int procfd;
};

FIXTURE_SETUP(empty_mntns)
{
	SETUP_EMPTY_MNTNS(self->procfd);
}

FIXTURE_TEARDOWN(empty_mntns)
{
	close(self->procfd);
}

/*
 * setns() into an empty namespace owned by the initial user namespace
 * needs CAP_SYS_ADMIN there (mntns_install()); the type is checked first.
 */
TEST_F(empty_mntns, setns_needs_cap_over_owner)
{
	int emptyfd;
	pid_t pid;

	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);
	emptyfd = mntns_fd_self();
	ASSERT_GE(emptyfd, 0);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		ASSERT_RET(0, unshare(CLONE_NEWNS));
		ASSERT_EQ(0, userns_unshare_at(self->procfd, 0));
		EXPECT_ERRNO(EINVAL, setns(emptyfd, CLONE_NEWNET));
		EXPECT_ERRNO(EPERM, setns(emptyfd, CLONE_NEWNS));
		EXPECT_ERRNO(EPERM, setns(emptyfd, 0));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));
	close(emptyfd);
}

/*
 * Two levels of user namespaces with maps written: the empty namespace
 * is owned by the innermost one, and - cloned across user namespaces
 * (CL_SLAVE) - its root got lock_mnt_tree()'s MNT_LOCK_ATIME.
 */
TEST_F(empty_mntns, nested_userns)
{
	int fd, mntnsfd, ownerfd, level;
	uint64_t ids[2], list[4];
	struct statmount sm;
	struct statfs sfs;

	for (level = 0; level < 2; level++) {
		ASSERT_EQ(0, userns_unshare_at(self->procfd, 0));
		fd = openat(self->procfd, "self/ns/user", O_RDONLY | O_CLOEXEC);
		ASSERT_GE(fd, 0);
		ids[level] = ns_id_fd(fd);
		close(fd);
		ASSERT_NE(0, ids[level]);
	}
	ASSERT_NE(ids[0], ids[1]);
	ASSERT_EQ(0, geteuid());

	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);
	ASSERT_EQ(1, list_mounts(LSMT_ROOT, list, 4));
	ASSERT_EQ(0, sm_get(list[0], 0, &sm));
	EXPECT_EQ(MS_PRIVATE, sm.mnt_propagation);

	mntnsfd = mntns_fd_self();
	ASSERT_GE(mntnsfd, 0);
	EXPECT_EQ(0, nsfd_nr_mounts(mntnsfd));
	ownerfd = ioctl(mntnsfd, NS_GET_USERNS);
	ASSERT_GE(ownerfd, 0);
	EXPECT_EQ(ids[1], ns_id_fd(ownerfd));
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
	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS);
	EXPECT_ERRNO(EPERM, mount(NULL, "/", NULL,
				  MS_REMOUNT | MS_BIND | MS_NOATIME, NULL));
	close(mntnsfd);
}

/*
 * Without CAP_SYS_ADMIN in the owning user namespace:
 * unshare_nsproxy_namespaces()/copy_namespaces() say EPERM; flag errors
 * (check_unshare_flags(), copy_process()) come first with EINVAL.
 */
static void expect_no_empty_mntns(struct __test_metadata *_metadata)
{
	uint64_t ns_id = own_mntns_id();
	ssize_t nr = count_mounts();

	EXPECT_ERRNO(EPERM, unshare(UNSHARE_EMPTY_MNTNS));
	EXPECT_ERRNO(EPERM, unshare(UNSHARE_EMPTY_MNTNS | CLONE_FS));
	EXPECT_ERRNO(EPERM, clone3_must_fail(CLONE_EMPTY_MNTNS));
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS | CLONE_FS));
	EXPECT_ERRNO(EINVAL, sys_unshare(CLONE_EMPTY_MNTNS));
	/* nothing changed */
	EXPECT_EQ(ns_id, own_mntns_id());
	EXPECT_EQ(nr, count_mounts());
	EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
}

TEST_F(empty_mntns, eperm_caps_dropped)
{
	ASSERT_TRUE(caps_down());
	expect_no_empty_mntns(_metadata);
}

TEST_F(empty_mntns, eperm_sys_admin_dropped)
{
	ASSERT_TRUE(cap_down(CAP_SYS_ADMIN));
	expect_no_empty_mntns(_metadata);
}

TEST_F(empty_mntns, eperm_userns_sys_admin_dropped)
{
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
TEST_F(empty_mntns, eperm_unprivileged_uid)
{
	bool userns_allowed = true;
	char buf[8] = {};
	int fd;

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

	if (userns_allowed)
		unshare_empty(_metadata, CLONE_NEWUSER | UNSHARE_EMPTY_MNTNS);
	else
		EXPECT_ERRNO(EPERM, unshare(CLONE_NEWUSER | UNSHARE_EMPTY_MNTNS));
}

/*
 * copy_process(): CLONE_NEWNS (implied by CLONE_EMPTY_MNTNS in
 * kernel_clone()) and CLONE_FS are mutually exclusive.  unshare() instead
 * adds CLONE_FS itself (ksys_unshare()), so there it is accepted.
 */
TEST_F(empty_mntns, clone3_with_clone_fs)
{
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS | CLONE_FS));
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS | CLONE_NEWNS |
					      CLONE_FS));
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS |
					      CLONE_NEWUSER | CLONE_FS));
	EXPECT_ERRNO(EINVAL, clone3_must_fail(CLONE_EMPTY_MNTNS | CLONE_FS |
					      CLONE_NEWUTS));
}

TEST_F(empty_mntns, unshare_flag_combinations)
{
	uint64_t first, second;
	char buf[PATH_MAX];

	setup_private_ns(_metadata, false);
	ASSERT_EQ(0, chdir("/tmp"));

	/* unshare() takes the 32-bit alias only (check_unshare_flags()) */
	EXPECT_ERRNO(EINVAL, sys_unshare(CLONE_EMPTY_MNTNS));
	EXPECT_ERRNO(EINVAL, sys_unshare(CLONE_EMPTY_MNTNS | CLONE_NEWNS));
	EXPECT_ERRNO(EINVAL, sys_unshare(CLONE_EMPTY_MNTNS |
					 UNSHARE_EMPTY_MNTNS));
	EXPECT_STREQ("/tmp", cwd_str(buf, sizeof(buf)));

	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS | CLONE_FS);
	first = get_unique_mnt_id("/");

	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS | CLONE_NEWNS);
	second = get_unique_mnt_id("/");
	EXPECT_GT(second, first);

	unshare_empty(_metadata, UNSHARE_EMPTY_MNTNS | CLONE_NEWNS | CLONE_FS |
				 CLONE_NEWUTS | CLONE_NEWIPC);
	EXPECT_GT(get_unique_mnt_id("/"), second);
}

/*
 * For clone3() and clone() the bit of UNSHARE_EMPTY_MNTNS is
 * CLONE_PARENT_SETTID: no new mount namespace at all.
 */
TEST_F(empty_mntns, parent_settid_is_not_empty_mntns)
{
	uint64_t ns_id;
	ssize_t nr;
	int i;

	ns_id = own_mntns_id();
	ASSERT_NE(0, ns_id);
	nr = count_mounts();
	ASSERT_GT(nr, 1);

	for (i = 0; i < 2; i++) {
		volatile pid_t ptid = 0;
		pid_t pid;

		fflush(stdout);
		fflush(stderr);
		if (i == 0)
			pid = clone3_flags(UNSHARE_EMPTY_MNTNS,
					   ptr_to_u64(&ptid));
		else
			pid = syscall(__NR_clone,
				      SIGCHLD | UNSHARE_EMPTY_MNTNS, NULL,
				      &ptid, NULL, 0);
		ASSERT_GE(pid, 0) TH_LOG("%s: %s", i ? "clone" : "clone3",
					 strerror(errno));
		if (pid == 0) {
			EXPECT_EQ(ns_id, own_mntns_id());
			EXPECT_EQ(nr, count_mounts());
			EXPECT_NE(NULL_FS_MAGIC, statfs_type("/"));
			_exit(0);
		}
		EXPECT_EQ(pid, ptid);
		EXPECT_EQ(0, wait_for_pid(pid)) TH_LOG("%s",
						       i ? "clone" : "clone3");
	}
}

TEST_HARNESS_MAIN
