// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MOVE_MOUNT_BENEATH as an unprivileged user: on the caller's rootfs, on
 * mounts a user namespace inherited locked (MNT_LOCKED), and everything
 * that could make a mount hidden by a locked mount visible again.
 *
 * The rules under test live in fs/namespace.c:
 *  - move_mount() refuses MOVE_MOUNT_BENEATH | MOVE_MOUNT_SET_GROUP;
 *  - do_move_mount(): source/target checks, tree_contains_unbindable(),
 *    check_for_nsfs_mounts() and mount_is_ancestor() (ELOOP);
 *  - do_lock_mount()/where_to_mount(): "beneath" needs a mount root that is
 *    not a namespace root without an overmount, and a target still mounted;
 *  - can_move_mount_beneath(): nsfs under a locked mount, source with an
 *    overmount, top mount an ancestor of the source, propagation that would
 *    overmount the top mount or the source;
 *  - attach_recursive_mnt(): the mount placed beneath a locked mount takes
 *    its MNT_LOCKED over and the covered mount loses it; a propagated copy
 *    takes a lock too but the mount it goes under keeps its own;
 *  - path_pivot_root(): the new root takes the old root's lock;
 *  - copy_tree(): a locked mount the copy would leave out makes the copy
 *    fail with EPERM - a locked unbindable mount here; a locked nsfs mount
 *    is what can_move_mount_beneath() keeps from ever existing.
 *
 * Every test gets its own world, built by the fixture as root in a private
 * mount namespace: a tmpfs root over the nullfs namespace root and, below
 * /w, several mounts whose "secret" file is covered by another mount.  The
 * test then switches to uid 1000 / gid 65534 and unshares a user and mount
 * namespace, so that every inherited mount is locked (lock_mnt_tree()),
 * and runs from there.  Each check of a hidden file opens it: the secret
 * must never be readable, whatever the umount calls return.
 *
 * Expectations are exact and derived from the 7.2 sources; the comment of
 * each case names the function that decides it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/stat.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../mntns_util.h"
#include "kselftest_harness.h"
#include "../expect_errno.h"

/* The ids the test runs as, outside its user namespace. */
#define TEST_UID		1000
#define TEST_GID		65534

#define BENEATH_FD		(MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_BENEATH)

#define SECRET			"SECRET"

/* Fixture set-up steps: any failure ends the test early. */
#define SETUP(_expr) \
	ASSERT_EQ(0, (long)(_expr)) TH_LOG("set-up: %s: %s", #_expr, strerror(errno))

/* ------------------------------------------------------------------ */
/* small helpers                                                      */
/* ------------------------------------------------------------------ */

static int put_file(const char *path, const char *content, mode_t mode)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		ret = -1;
	close(fd);
	return ret;
}

static int put_file_at(int dfd, const char *name, const char *content)
{
	int fd, ret = 0;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		ret = -1;
	close(fd);
	return ret;
}

static int mkdir_mode(const char *path, mode_t mode)
{
	if (mkdir(path, mode) && errno != EEXIST)
		return -1;
	return chmod(path, mode);
}

/* A path whose file must stay unreachable: it must not even be found. */
#define EXPECT_HIDDEN(_path) \
	EXPECT_OPEN_ERRNO(ENOENT, open((_path), O_RDONLY | O_CLOEXEC))

#define EXPECT_HIDDEN_AT(_dfd, _path) \
	EXPECT_OPEN_ERRNO(ENOENT, openat((_dfd), (_path), O_RDONLY | O_CLOEXEC))

#define EXPECT_SHOWS(_path, _want) \
	EXPECT_TRUE(file_is(AT_FDCWD, (_path), (_want))) \
		TH_LOG("%s does not read \"%s\"", (_path), (_want))

#define EXPECT_SHOWS_AT(_dfd, _path, _want) \
	EXPECT_TRUE(file_is((_dfd), (_path), (_want))) \
		TH_LOG("%s does not read \"%s\"", (_path), (_want))

static int mount_tmpfs(const char *path)
{
	return mount("tmpfs", path, "tmpfs", 0, "mode=0777");
}

/* A detached tmpfs (fsopen/fsmount) holding @name with content @name. */
static int new_tmpfs_fd(const char *name)
{
	int mnt_fd = fsmount_tmpfs(0, 0);

	if (mnt_fd < 0)
		return -1;
	if (name && put_file_at(mnt_fd, name, name)) {
		close(mnt_fd);
		return -1;
	}
	return mnt_fd;
}

/* The unique id of the parent of mount @id, 0 if statmount() fails. */
static uint64_t mnt_parent(uint64_t id)
{
	struct statmount sm;

	if (!id || statmount(id, 0, 0, STATMOUNT_MNT_BASIC, &sm, sizeof(sm), 0))
		return 0;
	return sm.mnt_parent_id;
}

/* The same for the mount of @fd, which may be detached. */
static uint64_t mnt_parent_fd(int fd)
{
	struct statmount sm;

	if (statmount(0, 0, fd, STATMOUNT_MNT_BASIC, &sm, sizeof(sm),
		      STATMOUNT_BY_FD))
		return 0;
	return sm.mnt_parent_id;
}

static int move_beneath(int from_fd, const char *to)
{
	return sys_move_mount(from_fd, "", AT_FDCWD, to, BENEATH_FD);
}

static int move_beneath_path(const char *from, const char *to)
{
	return sys_move_mount(AT_FDCWD, from, AT_FDCWD, to, MOVE_MOUNT_BENEATH);
}

/*
 * Lock probe that changes nothing: in a copy of our mount namespace (same
 * user namespace, so copy_tree() carries MNT_LOCKED over unchanged and
 * lock_mnt_tree() is not applied) made private, lazily unmount the @skip topmost mounts
 * at @path, then try the next one.  umount2() refuses a locked mount with
 * EINVAL (can_umount()).  Returns 1 if that mount is locked, 0 if it is
 * not, -1 if anything else happened.
 */
static int lock_probe(const char *path, int skip)
{
	pid_t pid = fork_flushed();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/*
		 * Private copies: an unmount must not propagate back into
		 * the namespace under test (do_change_type() leaves
		 * MNT_LOCKED alone).
		 */
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(10);
		for (int i = 0; i < skip; i++)
			if (umount2(path, MNT_DETACH))
				_exit(11 + i);
		if (!umount2(path, MNT_DETACH))
			_exit(0);
		_exit(errno == EINVAL ? 1 : 9);
	}
	switch (wait_for_pid(pid)) {
	case 0:
		return 0;
	case 1:
		return 1;
	default:
		return -1;
	}
}

#define EXPECT_LOCKED(_path, _skip) \
	EXPECT_EQ(1, lock_probe((_path), (_skip))) \
		TH_LOG("mount %d below the top at %s is not locked", (_skip), (_path))

#define EXPECT_UNLOCKED(_path, _skip) \
	EXPECT_EQ(0, lock_probe((_path), (_skip))) \
		TH_LOG("mount %d below the top at %s is locked", (_skip), (_path))

/*
 * A process that sits in a mount namespace: with @new_ns one newer than
 * ours, for nsfs mounts that are no namespace loop (mnt_ns_loop() compares
 * namespace ids); without, it keeps our current one alive.
 */
struct ns_holder {
	pid_t pid;
	int release;	/* closing it lets the holder exit */
	int nsfd;	/* its /proc/<pid>/ns/mnt */
};

static int ns_holder_start(struct ns_holder *h, bool new_ns)
{
	int hold[2], ready[2];
	char path[64], c;

	if (pipe2(hold, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return -1;
	h->pid = fork_flushed();
	if (h->pid < 0)
		return -1;
	if (h->pid == 0) {
		close(hold[1]);
		close(ready[0]);
		c = new_ns && unshare(CLONE_NEWNS) ? 1 : 0;
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	close(hold[0]);
	close(ready[1]);
	h->release = hold[1];
	if (read(ready[0], &c, 1) != 1 || c) {
		close(ready[0]);
		return -1;
	}
	close(ready[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", h->pid);
	h->nsfd = open(path, O_RDONLY | O_CLOEXEC);
	return h->nsfd < 0 ? -1 : 0;
}

static void ns_holder_stop(struct ns_holder *h)
{
	/* an open nsfs fd keeps the namespace and its mounts alive too */
	close(h->nsfd);
	close(h->release);
	wait_for_pid(h->pid);
}

/* ------------------------------------------------------------------ */
/* the world                                                          */
/* ------------------------------------------------------------------ */

/*
 * Built as root in a private mount namespace, then inherited - locked -
 * by the test's user+mount namespace:
 *
 *  /            tmpfs, pivoted to, on the nullfs namespace root
 *  /proc        proc, covering /proc/secret of the root tmpfs
 *  /w           tmpfs (0777), scratch directories x y z and files
 *               file1 file2 for the tests' own mounts
 *  /w/a         A (secret, dir d)   <- B (cover, dir d)
 *  /w/s         S1 (secret)         <- S2 (cover, sub/hidden) <- S3 on sub
 *  /w/fd/f      FD tmpfs: file f (secret) <- bind of FD's cf (cover)
 *  /w/ub/x      UB tmpfs: U0 (secret) <- U (cover, unbindable)
 *  /w/pr        PR (secret)         <- proc
 *  /w/nr        NR (dirs old, sub)  with K on sub (file k)
 */
static void world_setup(struct __test_metadata *_metadata)
{
	umask(0);

	/* a private mount namespace with a tmpfs root of our own */
	SETUP(unshare(CLONE_NEWNS));
	SETUP(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	SETUP(mount("tmpfs", "/tmp", "tmpfs", 0, "mode=0755"));
	SETUP(mkdir_mode("/tmp/.old", 0700));
	SETUP(syscall(__NR_pivot_root, "/tmp", "/tmp/.old"));
	SETUP(chdir("/"));
	SETUP(umount2("/.old", MNT_DETACH));
	SETUP(rmdir("/.old"));

	SETUP(mkdir_mode("/proc", 0755));
	SETUP(put_file("/proc/secret", SECRET, 0644));
	SETUP(mount("proc", "/proc", "proc", 0, NULL));
	SETUP(mkdir_mode("/tmp", 01777));
	SETUP(mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777"));

	SETUP(mkdir_mode("/w", 0755));
	SETUP(mount_tmpfs("/w"));
	SETUP(mkdir_mode("/w/x", 0777));
	SETUP(mkdir_mode("/w/y", 0777));
	SETUP(mkdir_mode("/w/z", 0777));
	SETUP(put_file("/w/file1", "file1", 0666));
	SETUP(put_file("/w/file2", "file2", 0666));

	/* A covered by B */
	SETUP(mkdir_mode("/w/a", 0755));
	SETUP(mount("tmpfs", "/w/a", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/a/secret", SECRET, 0644));
	SETUP(mkdir_mode("/w/a/d", 0755));
	SETUP(mount("tmpfs", "/w/a", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/a/cover", "B", 0644));
	SETUP(mkdir_mode("/w/a/d", 0777));

	/* S1 covered by S2, which has S3 mounted on S2/sub */
	SETUP(mkdir_mode("/w/s", 0755));
	SETUP(mount("tmpfs", "/w/s", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/s/secret", SECRET, 0644));
	SETUP(mount("tmpfs", "/w/s", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/s/cover", "S2", 0644));
	SETUP(mkdir_mode("/w/s/sub", 0755));
	SETUP(put_file("/w/s/sub/hidden", SECRET, 0644));
	SETUP(mount("tmpfs", "/w/s/sub", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/s/sub/c3", "S3", 0644));

	/* a file covered by a file */
	SETUP(mkdir_mode("/w/fd", 0755));
	SETUP(mount("tmpfs", "/w/fd", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/fd/f", SECRET, 0644));
	SETUP(put_file("/w/fd/cf", "cover", 0644));
	SETUP(mount("/w/fd/cf", "/w/fd/f", NULL, MS_BIND, NULL));

	/* U0 covered by the unbindable U */
	SETUP(mkdir_mode("/w/ub", 0755));
	SETUP(mount("tmpfs", "/w/ub", "tmpfs", 0, "mode=0777"));
	SETUP(mkdir_mode("/w/ub/x", 0755));
	SETUP(mount("tmpfs", "/w/ub/x", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/ub/x/secret", SECRET, 0644));
	SETUP(mount("tmpfs", "/w/ub/x", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/ub/x/cover", "U", 0644));
	SETUP(mount(NULL, "/w/ub/x", NULL, MS_UNBINDABLE, NULL));

	/* an inherited proc covering something */
	SETUP(mkdir_mode("/w/pr", 0755));
	SETUP(mount("tmpfs", "/w/pr", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/pr/secret", SECRET, 0644));
	SETUP(mount("proc", "/w/pr", "proc", 0, NULL));

	/* a new root with a submount */
	SETUP(mkdir_mode("/w/nr", 0755));
	SETUP(mount("tmpfs", "/w/nr", "tmpfs", 0, "mode=0755"));
	SETUP(mkdir_mode("/w/nr/old", 0755));
	SETUP(mkdir_mode("/w/nr/sub", 0755));
	SETUP(put_file("/w/nr/newroot", "NR", 0644));
	SETUP(mount("tmpfs", "/w/nr/sub", "tmpfs", 0, "mode=0755"));
	SETUP(put_file("/w/nr/sub/k", "K", 0644));

	/* an unprivileged user in a user+mount namespace of its own */
	SETUP(setgroups(0, NULL));
	SETUP(setresgid(TEST_GID, TEST_GID, TEST_GID));
	SETUP(setresuid(TEST_UID, TEST_UID, TEST_UID));
	/* /proc/self/{uid,gid}_map belong to a dumpable process only */
	SETUP(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	SETUP(userns_unshare(CLONE_NEWNS));

	/* sanity: what we built is inherited and locked */
	ASSERT_TRUE(file_is(AT_FDCWD, "/w/a/cover", "B"));
	ASSERT_EQ(-1, umount2("/w/a", MNT_DETACH));
	ASSERT_EQ(EINVAL, errno);
}

FIXTURE(beneath) {
};

FIXTURE_SETUP(beneath)
{
	world_setup(_metadata);
}

FIXTURE_TEARDOWN(beneath)
{
}

/* ------------------------------------------------------------------ */
/* refusals                                                           */
/* ------------------------------------------------------------------ */

/* The locked stack at /w/a is as it was: B on top, the secret hidden. */
#define EXPECT_A_INTACT() do {						\
	EXPECT_SHOWS("/w/a/cover", "B");				\
	EXPECT_HIDDEN("/w/a/secret");					\
	EXPECT_LOCKED("/w/a", 0);					\
} while (0)

/*
 * move_mount(): the flags are checked before any lookup: unknown bits and
 * MOVE_MOUNT_BENEATH together with MOVE_MOUNT_SET_GROUP are EINVAL even for
 * paths that don't exist; then the target, then the source fd (EBADF).
 */
TEST_F(beneath, refuse_flags_and_bad_fds)
{
	int fd, closed;

	fd = new_tmpfs_fd("n");
	ASSERT_GE(fd, 0);

	EXPECT_ERRNO(EINVAL, sys_move_mount(AT_FDCWD, "/nonexistent", AT_FDCWD,
					    "/nonexistent",
					    MOVE_MOUNT_BENEATH | MOVE_MOUNT_SET_GROUP));
	EXPECT_ERRNO(EINVAL, sys_move_mount(fd, "", AT_FDCWD, "/w/a",
					    BENEATH_FD | MOVE_MOUNT_SET_GROUP));
	EXPECT_ERRNO(EINVAL, sys_move_mount(fd, "", AT_FDCWD, "/w/a",
					    BENEATH_FD | 0x80000000));
	EXPECT_ERRNO(ENOENT, sys_move_mount(fd, "", AT_FDCWD, "/nonexistent",
					    BENEATH_FD));

	closed = dup(fd);
	ASSERT_GE(closed, 0);
	ASSERT_EQ(0, close(closed));
	/* a closed target fd: EBADF from the target lookup */
	EXPECT_ERRNO(EBADF, sys_move_mount(fd, "", closed, "",
					   BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	/* a closed source fd: EBADF after the target lookup */
	EXPECT_ERRNO(EBADF, sys_move_mount(closed, "", AT_FDCWD, "/w/a",
					   BENEATH_FD));
	EXPECT_A_INTACT();
	close(fd);
}

/*
 * do_move_mount(): a source that is not the root of its mount is EINVAL
 * (path_mounted()); so is, for "beneath", a target that is not the root of
 * its mount (do_lock_mount()), here a directory inside the locked B.
 */
TEST_F(beneath, refuse_not_a_mount_root)
{
	int fd;

	fd = new_tmpfs_fd("n");
	ASSERT_GE(fd, 0);

	EXPECT_ERRNO(EINVAL, move_beneath(fd, "/w/a/d"));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/a/d", "/w/s"));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/x", "/w/a"));
	/* without "beneath" the same target is fine: it is mounted on */
	EXPECT_RET(0, sys_move_mount(fd, "", AT_FDCWD, "/w/a/d",
				     MOVE_MOUNT_F_EMPTY_PATH));
	EXPECT_SHOWS("/w/a/d/n", "n");
	EXPECT_A_INTACT();
	close(fd);
}

/*
 * do_lock_mount(): "beneath" a mount that has no parent and nothing on top
 * of it is EINVAL: the root of a detached tree, and the root of an empty
 * mount namespace (unshare(UNSHARE_EMPTY_MNTNS): nullfs alone).  In the
 * empty namespace, once a tmpfs covers "/", the nullfs root can't be moved
 * beneath it either: do_move_mount() wants a source with a parent.
 */
TEST_F(beneath, refuse_target_without_parent)
{
	int fd, target;
	pid_t pid;

	fd = new_tmpfs_fd("n");
	ASSERT_GE(fd, 0);
	target = new_tmpfs_fd("t");
	ASSERT_GE(target, 0);

	EXPECT_ERRNO(EINVAL, sys_move_mount(fd, "", target, "",
					    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int nullfs_root, top;

		CHILD_CHECK(unshare(UNSHARE_EMPTY_MNTNS) == 0);
		nullfs_root = open("/", O_PATH | O_CLOEXEC);
		CHILD_CHECK(nullfs_root >= 0);
		CHILD_ERRNO(EINVAL, move_beneath(fd, "/"));
		top = new_tmpfs_fd("top");
		CHILD_CHECK(top >= 0);
		CHILD_CHECK(sys_move_mount(top, "", AT_FDCWD, "/",
					   MOVE_MOUNT_F_EMPTY_PATH) == 0);
		CHILD_ERRNO(EINVAL, move_beneath(nullfs_root, "/"));
		/* the nullfs root can't be moved at all */
		CHILD_ERRNO(EINVAL, sys_move_mount(nullfs_root, "", top, "",
						   MOVE_MOUNT_F_EMPTY_PATH |
						   MOVE_MOUNT_T_EMPTY_PATH));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));
	close(fd);
	close(target);
}

/* do_move_mount(): a directory can't go beneath a file, nor the reverse. */
TEST_F(beneath, refuse_dir_file_mismatch)
{
	int dir, file;

	dir = new_tmpfs_fd("n");
	ASSERT_GE(dir, 0);
	file = sys_open_tree(AT_FDCWD, "/w/file2", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	ASSERT_GE(file, 0);

	EXPECT_ERRNO(EINVAL, move_beneath(dir, "/w/fd/f"));
	EXPECT_ERRNO(EINVAL, move_beneath(file, "/w/a"));
	EXPECT_SHOWS("/w/fd/f", "cover");
	EXPECT_LOCKED("/w/fd/f", 0);
	EXPECT_A_INTACT();
	close(dir);
	close(file);
}

/*
 * do_move_mount(): a source in our namespace must be detachable: not
 * locked (S2, B), and its parent not shared.
 */
TEST_F(beneath, refuse_source_locked_or_parent_shared)
{
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/s", "/w/a"));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/a", "/w/s"));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/s/sub", "/w/a"));

	/* P shared, S mounted in it */
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, mkdir_mode("/w/x/d", 0777));
	ASSERT_EQ(0, mount(NULL, "/w/x", NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount_tmpfs("/w/x/d"));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/x/d", "/w/a"));
	/* made private, the parent no longer stands in the way */
	ASSERT_EQ(0, mount(NULL, "/w/x", NULL, MS_PRIVATE, NULL));
	EXPECT_RET(0, move_beneath_path("/w/x/d", "/w/a"));
	EXPECT_SHOWS("/w/a/cover", "B");
	EXPECT_HIDDEN("/w/a/secret");
	EXPECT_UNLOCKED("/w/a", 0);
	EXPECT_LOCKED("/w/a", 1);
}

/*
 * do_move_mount(): a source in our namespace needs a target in our
 * namespace (here: beneath S3' inside a detached copy of /w/s); a detached
 * source must be the root of its anonymous namespace and go to another
 * namespace than its own.
 */
TEST_F(beneath, refuse_namespace_mismatch)
{
	int tree, sub, n;

	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	tree = sys_open_tree(AT_FDCWD, "/w/s", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			     AT_RECURSIVE);
	ASSERT_GE(tree, 0);
	sub = openat(tree, "sub", O_PATH | O_CLOEXEC);
	ASSERT_GE(sub, 0);
	ASSERT_TRUE(file_is(sub, "c3", "S3"));

	/* in-namespace source, target in the detached tree */
	EXPECT_ERRNO(EINVAL, sys_move_mount(AT_FDCWD, "/w/x", sub, "",
					    MOVE_MOUNT_BENEATH |
					    MOVE_MOUNT_T_EMPTY_PATH));
	/* detached source that is not the root of its tree */
	EXPECT_ERRNO(EINVAL, move_beneath(sub, "/w/a"));
	/* detached source beneath a mount of its own tree */
	EXPECT_ERRNO(EINVAL, sys_move_mount(tree, "", sub, "",
					    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	/* another detached tree may go beneath S3' */
	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	EXPECT_RET(0, sys_move_mount(n, "", sub, "",
				     BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	EXPECT_SHOWS_AT(tree, "sub/c3", "S3");
	EXPECT_SHOWS("/w/s/sub/c3", "S3");
	EXPECT_HIDDEN("/w/s/sub/hidden");
	EXPECT_HIDDEN_AT(tree, "sub/hidden");
	close(n);
	close(sub);
	close(tree);
	EXPECT_A_INTACT();
}

/*
 * do_move_mount(): the target must be in our namespace, or in a detached
 * tree that was copied from it (may_use_mount(), check_anonymous_mnt()).
 * After unshare(CLONE_NEWNS) neither B of the old namespace (reached by an
 * fd) nor a detached tree copied there qualifies, for a detached source or
 * one of the new namespace.  Once the old namespace is gone, its B is not
 * mounted at all: ENOENT (do_lock_mount()).
 */
TEST_F(beneath, refuse_target_of_other_namespace)
{
	struct ns_holder old_ns;
	int bfd, tree, sub, n;

	ASSERT_EQ(0, ns_holder_start(&old_ns, false));

	bfd = open("/w/a", O_PATH | O_CLOEXEC);
	ASSERT_GE(bfd, 0);
	tree = sys_open_tree(AT_FDCWD, "/w/s", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			     AT_RECURSIVE);
	ASSERT_GE(tree, 0);
	sub = openat(tree, "sub", O_PATH | O_CLOEXEC);
	ASSERT_GE(sub, 0);

	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);

	EXPECT_ERRNO(EINVAL, sys_move_mount(n, "", bfd, "",
					    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	EXPECT_ERRNO(EINVAL, sys_move_mount(n, "", sub, "",
					    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	EXPECT_ERRNO(EINVAL, sys_move_mount(AT_FDCWD, "/w/x", bfd, "",
					    MOVE_MOUNT_BENEATH |
					    MOVE_MOUNT_T_EMPTY_PATH));
	EXPECT_SHOWS_AT(bfd, "cover", "B");
	EXPECT_SHOWS_AT(tree, "sub/c3", "S3");

	ns_holder_stop(&old_ns);
	EXPECT_ERRNO(ENOENT, sys_move_mount(n, "", bfd, "",
					    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	EXPECT_HIDDEN_AT(bfd, "secret");
	/* beneath B of the new namespace it is fine */
	EXPECT_RET(0, move_beneath(n, "/w/a"));
	EXPECT_SHOWS("/w/a/cover", "B");
	EXPECT_HIDDEN("/w/a/secret");
	EXPECT_UNLOCKED("/w/a", 0);
	EXPECT_LOCKED("/w/a", 1);
	close(n);
	close(sub);
	close(tree);
	close(bfd);
}

/*
 * can_move_mount_beneath(): a source with something mounted on its root is
 * EINVAL ("shadow mounts"), in our namespace (reached through an fd opened
 * before the overmount) and detached.
 */
TEST_F(beneath, refuse_source_with_overmount)
{
	int src, det, det_over;

	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	src = open("/w/x", O_PATH | O_CLOEXEC);
	ASSERT_GE(src, 0);
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(mnt_id_fd(src), mnt_parent(get_unique_mnt_id("/w/x")));
	EXPECT_ERRNO(EINVAL, move_beneath(src, "/w/a"));

	det = new_tmpfs_fd("det");
	ASSERT_GE(det, 0);
	det_over = new_tmpfs_fd("over");
	ASSERT_GE(det_over, 0);
	ASSERT_EQ(0, sys_move_mount(det_over, "", det, "",
				    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH));
	ASSERT_EQ(mnt_id_fd(det), mnt_parent_fd(det_over));
	EXPECT_ERRNO(EINVAL, move_beneath(det, "/w/a"));

	EXPECT_A_INTACT();
	close(src);
	close(det);
	close(det_over);
}

/*
 * can_move_mount_beneath(): the top mount can't be an ancestor of the
 * source: S mounted inside the locked B can't go beneath B.
 */
TEST_F(beneath, refuse_top_is_ancestor_of_source)
{
	ASSERT_EQ(0, mount_tmpfs("/w/a/d"));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/a/d", "/w/a"));
	/* deeper down too */
	ASSERT_EQ(0, mkdir_mode("/w/a/d/e", 0777));
	ASSERT_EQ(0, mount_tmpfs("/w/a/d/e"));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/a/d/e", "/w/a"));
	EXPECT_A_INTACT();
}

/*
 * can_move_mount_beneath(): the parent must not propagate onto the top
 * mount.  P is shared; T, a bind of P's root onto P, is P's peer and its
 * root is the mountpoint: whatever goes beneath T on P would be propagated
 * on top of T again.
 */
TEST_F(beneath, refuse_parent_propagates_onto_top)
{
	struct statmount sp, st;
	uint64_t p, t;
	int n;

	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, put_file("/w/x/p", "P", 0644));
	ASSERT_EQ(0, mount(NULL, "/w/x", NULL, MS_SHARED, NULL));
	p = get_unique_mnt_id("/w/x");
	ASSERT_EQ(0, mount("/w/x", "/w/x", NULL, MS_BIND, NULL));
	t = get_unique_mnt_id("/w/x");
	ASSERT_NE(p, t);
	ASSERT_EQ(p, mnt_parent(t));
	ASSERT_EQ(0, statmount(p, 0, 0, STATMOUNT_MNT_BASIC, &sp, sizeof(sp), 0));
	ASSERT_EQ(0, statmount(t, 0, 0, STATMOUNT_MNT_BASIC, &st, sizeof(st), 0));
	ASSERT_NE(0, sp.mnt_peer_group);
	ASSERT_EQ(sp.mnt_peer_group, st.mnt_peer_group);

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	EXPECT_ERRNO(EINVAL, move_beneath(n, "/w/x"));
	EXPECT_EQ(t, get_unique_mnt_id("/w/x"));
	EXPECT_EQ(p, mnt_parent(t));
	close(n);
}

/*
 * can_move_mount_beneath(): a source in our namespace must not receive
 * propagation from the parent at the mountpoint.  S is a peer of the
 * shared P with P's root as its root; beneath T on P it would get a
 * propagated copy of itself on top.  Made private, S may go.
 */
TEST_F(beneath, refuse_parent_propagates_onto_source)
{
	uint64_t p, t, s;
	char path[64];
	int pfd;

	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, put_file("/w/x/p", "P", 0644));
	pfd = open("/w/x", O_PATH | O_CLOEXEC);
	ASSERT_GE(pfd, 0);
	p = mnt_id_fd(pfd);
	ASSERT_EQ(0, mount(NULL, "/w/x", NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, put_file("/w/x/t", "T", 0644));
	ASSERT_EQ(0, mount(NULL, "/w/x", NULL, MS_PRIVATE, NULL));
	t = get_unique_mnt_id("/w/x");

	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	ASSERT_EQ(0, mount(path, "/w/y", NULL, MS_BIND, NULL));
	ASSERT_TRUE(file_is(AT_FDCWD, "/w/y/p", "P"));
	s = get_unique_mnt_id("/w/y");

	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/y", "/w/x"));
	EXPECT_EQ(p, mnt_parent(t));

	ASSERT_EQ(0, mount(NULL, "/w/y", NULL, MS_PRIVATE, NULL));
	EXPECT_RET(0, move_beneath_path("/w/y", "/w/x"));
	EXPECT_EQ(s, mnt_parent(t));
	EXPECT_EQ(p, mnt_parent(s));
	EXPECT_SHOWS("/w/x/t", "T");
	close(pfd);
}

/*
 * do_move_mount(): an unbindable tree can't be moved to a shared parent,
 * beneath included.
 */
TEST_F(beneath, refuse_unbindable_to_shared_parent)
{
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, mount(NULL, "/w/x", NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, mount(NULL, "/w/x", NULL, MS_PRIVATE, NULL));

	ASSERT_EQ(0, mount_tmpfs("/w/y"));
	ASSERT_EQ(0, mount(NULL, "/w/y", NULL, MS_UNBINDABLE, NULL));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/y", "/w/x"));
	ASSERT_EQ(0, mount(NULL, "/w/y", NULL, MS_PRIVATE, NULL));
	EXPECT_RET(0, move_beneath_path("/w/y", "/w/x"));
}

/*
 * do_move_mount(): the new parent must not be below the source (ELOOP):
 * S beneath T where T is mounted inside S, directly or further down.
 */
TEST_F(beneath, refuse_parent_below_source)
{
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, mkdir_mode("/w/x/d", 0777));
	ASSERT_EQ(0, mount_tmpfs("/w/x/d"));
	EXPECT_ERRNO(ELOOP, move_beneath_path("/w/x", "/w/x/d"));

	ASSERT_EQ(0, mkdir_mode("/w/x/d/e", 0777));
	ASSERT_EQ(0, mount_tmpfs("/w/x/d/e"));
	EXPECT_ERRNO(ELOOP, move_beneath_path("/w/x", "/w/x/d/e"));
	/* the source with something below the top: still our own tree */
	EXPECT_ERRNO(ELOOP, move_beneath_path("/w/x/d", "/w/x/d/e"));
}

/*
 * check_for_nsfs_mounts(): a mount of the file of our own mount namespace
 * (open_tree() copies it, a bind would be refused) is a namespace loop:
 * ELOOP wherever it goes - unless the target is locked, which
 * can_move_mount_beneath() refuses first with EINVAL.
 */
TEST_F(beneath, refuse_nsfs_loop)
{
	int nsfd, nsmnt;

	nsfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(nsfd, 0);
	nsmnt = sys_open_tree(nsfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			      AT_EMPTY_PATH);
	ASSERT_GE(nsmnt, 0);

	/* an unlocked file mount of ours on /w/file1 */
	ASSERT_EQ(0, mount("/w/file2", "/w/file1", NULL, MS_BIND, NULL));
	ASSERT_TRUE(file_is(AT_FDCWD, "/w/file1", "file2"));

	EXPECT_ERRNO(ELOOP, sys_move_mount(nsmnt, "", AT_FDCWD, "/w/file2",
					   MOVE_MOUNT_F_EMPTY_PATH));
	EXPECT_ERRNO(ELOOP, move_beneath(nsmnt, "/w/file1"));
	EXPECT_ERRNO(EINVAL, move_beneath(nsmnt, "/w/fd/f"));
	EXPECT_SHOWS("/w/fd/f", "cover");
	EXPECT_SHOWS("/w/file1", "file2");
	close(nsmnt);
	close(nsfd);
}

/*
 * do_lock_mount(): the target must still be mounted: beneath a mount that
 * was unmounted since its fd was opened is ENOENT.  The mount is gone also
 * when its mountpoint was removed in another namespace (vfs_rmdir() ->
 * detach_mounts()): ENOENT too.  An unlinked directory is not mounted on
 * either (cant_mount(): ENOENT), and for "beneath" it is no mount root
 * (EINVAL).
 */
TEST_F(beneath, refuse_target_gone)
{
	int n, t, d, e;
	pid_t pid;

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);

	/* unmounted */
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	t = open("/w/x", O_PATH | O_CLOEXEC);
	ASSERT_GE(t, 0);
	ASSERT_EQ(0, umount2("/w/x", MNT_DETACH));
	EXPECT_ERRNO(ENOENT, sys_move_mount(n, "", t, "",
					    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	close(t);

	/* mountpoint removed in another mount namespace */
	ASSERT_EQ(0, mount_tmpfs("/w/y"));
	ASSERT_EQ(0, mkdir_mode("/w/y/d", 0777));
	ASSERT_EQ(0, mkdir_mode("/w/y/e", 0777));
	ASSERT_EQ(0, mount_tmpfs("/w/y/d"));
	d = open("/w/y/d", O_PATH | O_CLOEXEC);
	ASSERT_GE(d, 0);
	e = open("/w/y/e", O_PATH | O_CLOEXEC);
	ASSERT_GE(e, 0);
	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		CHILD_CHECK(unshare(CLONE_NEWNS) == 0);
		/* here /w/y/d is no mountpoint of this namespace */
		CHILD_CHECK(umount2("/w/y/d", MNT_DETACH) == 0);
		CHILD_CHECK(rmdir("/w/y/d") == 0);
		CHILD_CHECK(rmdir("/w/y/e") == 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_for_pid(pid));
	EXPECT_ERRNO(ENOENT, sys_move_mount(n, "", d, "",
					    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	EXPECT_ERRNO(ENOENT, move_beneath(n, "/w/y/d"));
	EXPECT_ERRNO(ENOENT, sys_move_mount(n, "", e, "",
					    MOVE_MOUNT_F_EMPTY_PATH |
					    MOVE_MOUNT_T_EMPTY_PATH));
	EXPECT_ERRNO(EINVAL, sys_move_mount(n, "", e, "",
					    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	/* n is still detached and usable */
	EXPECT_RET(0, move_beneath(n, "/w/a"));
	EXPECT_SHOWS("/w/a/cover", "B");
	EXPECT_HIDDEN("/w/a/secret");
	close(d);
	close(e);
	close(n);
}

/* may_mount(): without CAP_SYS_ADMIN over the namespace: EPERM. */
TEST_F(beneath, refuse_without_mount_capability)
{
	int n;
	pid_t pid;

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* a nested user namespace owns nothing of our mounts */
		CHILD_CHECK(unshare(CLONE_NEWUSER) == 0);
		CHILD_ERRNO(EPERM, move_beneath(n, "/w/a"));
		_exit(0);
	}
	EXPECT_EQ(0, wait_for_pid(pid));
	EXPECT_A_INTACT();
	close(n);
}

/* ------------------------------------------------------------------ */
/* the lock transfer, and every way to reveal what a lock hides       */
/* ------------------------------------------------------------------ */

FIXTURE(umount_top) {
};

FIXTURE_VARIANT(umount_top) {
	int flags;
};

FIXTURE_VARIANT_ADD(umount_top, sync) {
	.flags = 0,
};

FIXTURE_VARIANT_ADD(umount_top, lazy) {
	.flags = MNT_DETACH,
};

FIXTURE_SETUP(umount_top)
{
	world_setup(_metadata);
}

FIXTURE_TEARDOWN(umount_top)
{
}

/*
 * attach_recursive_mnt(): N placed beneath the locked B takes B's lock, B
 * loses it.  Before the move B can't be unmounted; after it B can, N can't,
 * and the secret of A stays hidden all along.
 */
TEST_F(umount_top, before_and_after_beneath)
{
	uint64_t a, b, n_id;
	int n;

	b = get_unique_mnt_id("/w/a");
	a = mnt_parent(b);
	ASSERT_NE(0, a);
	ASSERT_NE(get_unique_mnt_id("/w"), a);

	EXPECT_ERRNO(EINVAL, umount2("/w/a", variant->flags));
	EXPECT_HIDDEN("/w/a/secret");

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	n_id = mnt_id_fd(n);
	ASSERT_EQ(0, move_beneath(n, "/w/a"));
	EXPECT_EQ(n_id, mnt_parent(b));
	EXPECT_EQ(a, mnt_parent(n_id));
	EXPECT_SHOWS("/w/a/cover", "B");
	EXPECT_HIDDEN("/w/a/secret");
	EXPECT_UNLOCKED("/w/a", 0);
	EXPECT_LOCKED("/w/a", 1);

	EXPECT_RET(0, umount2("/w/a", variant->flags));
	EXPECT_EQ(n_id, get_unique_mnt_id("/w/a"));
	EXPECT_SHOWS("/w/a/n", "n");
	EXPECT_HIDDEN("/w/a/secret");
	EXPECT_HIDDEN("/w/a/cover");

	EXPECT_ERRNO(EINVAL, umount2("/w/a", variant->flags));
	EXPECT_EQ(n_id, get_unique_mnt_id("/w/a"));
	EXPECT_HIDDEN("/w/a/secret");
	close(n);
}

/*
 * The locked N can't be moved away, by its fd or by path; B, unlocked, can
 * be moved, which just shows N.
 */
TEST_F(beneath, move_the_beneath_mount_away)
{
	uint64_t b;
	int n;

	b = get_unique_mnt_id("/w/a");
	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	ASSERT_EQ(0, move_beneath(n, "/w/a"));

	EXPECT_ERRNO(EINVAL, sys_move_mount(n, "", AT_FDCWD, "/w/x",
					    MOVE_MOUNT_F_EMPTY_PATH));
	EXPECT_ERRNO(EINVAL, move_beneath(n, "/w/s"));
	EXPECT_SHOWS("/w/a/cover", "B");

	/* B is no longer locked and may go */
	EXPECT_RET(0, sys_move_mount(AT_FDCWD, "/w/a", AT_FDCWD, "/w/x", 0));
	EXPECT_EQ(b, get_unique_mnt_id("/w/x"));
	EXPECT_SHOWS("/w/x/cover", "B");
	EXPECT_SHOWS("/w/a/n", "n");
	EXPECT_HIDDEN("/w/a/secret");

	EXPECT_ERRNO(EINVAL, sys_move_mount(AT_FDCWD, "/w/a", AT_FDCWD, "/w/y", 0));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/a", "/w/x"));
	EXPECT_ERRNO(EINVAL, umount2("/w/a", MNT_DETACH));
	EXPECT_HIDDEN("/w/a/secret");
	close(n);
}

/*
 * Beneath a top mount that has submounts: S2 (with the locked S3 on
 * S2/sub) loses its lock, S3 keeps its own.  S2 can't be unmounted while
 * S3 is there (EBUSY); lazily it can, and N shows.
 */
TEST_F(beneath, top_with_submounts)
{
	uint64_t s2, s3, n_id;
	int n;

	s2 = get_unique_mnt_id("/w/s");
	s3 = get_unique_mnt_id("/w/s/sub");
	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	n_id = mnt_id_fd(n);
	ASSERT_EQ(0, move_beneath(n, "/w/s"));
	EXPECT_EQ(n_id, mnt_parent(s2));
	EXPECT_EQ(s2, mnt_parent(s3));

	EXPECT_ERRNO(EINVAL, umount2("/w/s/sub", MNT_DETACH));
	EXPECT_UNLOCKED("/w/s", 0);
	EXPECT_LOCKED("/w/s", 1);
	EXPECT_HIDDEN("/w/s/secret");
	EXPECT_HIDDEN("/w/s/sub/hidden");

	EXPECT_ERRNO(EBUSY, umount2("/w/s", 0));
	EXPECT_RET(0, umount2("/w/s", MNT_DETACH));
	EXPECT_SHOWS("/w/s/n", "n");
	EXPECT_HIDDEN("/w/s/secret");
	EXPECT_ERRNO(EINVAL, umount2("/w/s", MNT_DETACH));
	EXPECT_HIDDEN("/w/s/secret");
	close(n);
}

/*
 * Lazy unmount of the parent of a locked mount: the beneath move unlocked
 * S2, whose child S3 is locked.  umount_tree() keeps a locked child
 * connected to its lazily unmounted parent (disconnect_mount()), so an fd
 * still open on S2 finds S3 on S2/sub and never S2's hidden file.
 */
TEST_F(beneath, lazy_umount_parent_of_locked)
{
	int n, s2fd;

	s2fd = open("/w/s", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(s2fd, 0);
	EXPECT_HIDDEN_AT(s2fd, "sub/hidden");

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	ASSERT_EQ(0, move_beneath(n, "/w/s"));
	ASSERT_EQ(0, umount2("/w/s", MNT_DETACH));

	EXPECT_SHOWS_AT(s2fd, "cover", "S2");
	EXPECT_SHOWS_AT(s2fd, "sub/c3", "S3");
	EXPECT_HIDDEN_AT(s2fd, "sub/hidden");
	EXPECT_SHOWS("/w/s/n", "n");
	EXPECT_HIDDEN("/w/s/secret");
	EXPECT_HIDDEN("/w/s/sub/hidden");
	close(s2fd);
	close(n);
}

/*
 * Repeated beneath on one mountpoint: each new mount goes right below the
 * topmost one.  Only the first takes B's lock; the later ones go beneath
 * the unlocked B and stay unlocked.  Unmounting all that can be unmounted
 * ends on N1, locked, over A.
 */
TEST_F(beneath, repeated_beneath)
{
	uint64_t a, b, id[3];
	char name[8];
	int fd[3];

	b = get_unique_mnt_id("/w/a");
	a = mnt_parent(b);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		fd[i] = new_tmpfs_fd(name);
		ASSERT_GE(fd[i], 0);
		id[i] = mnt_id_fd(fd[i]);
		ASSERT_EQ(0, move_beneath(fd[i], "/w/a")) TH_LOG("n%d", i);
		/* attached now; an open fd would keep it busy for umount2() */
		close(fd[i]);
		EXPECT_EQ(id[i], mnt_parent(b));
		EXPECT_EQ(i ? id[i - 1] : a, mnt_parent(id[i]));
		EXPECT_SHOWS("/w/a/cover", "B");
		EXPECT_HIDDEN("/w/a/secret");
	}
	EXPECT_UNLOCKED("/w/a", 0);
	EXPECT_UNLOCKED("/w/a", 1);
	EXPECT_UNLOCKED("/w/a", 2);
	EXPECT_LOCKED("/w/a", 3);

	EXPECT_RET(0, umount2("/w/a", 0));
	EXPECT_SHOWS("/w/a/n2", "n2");
	EXPECT_RET(0, umount2("/w/a", 0));
	EXPECT_SHOWS("/w/a/n1", "n1");
	EXPECT_RET(0, umount2("/w/a", MNT_DETACH));
	EXPECT_SHOWS("/w/a/n0", "n0");
	EXPECT_ERRNO(EINVAL, umount2("/w/a", MNT_DETACH));
	EXPECT_EQ(id[0], get_unique_mnt_id("/w/a"));
	EXPECT_HIDDEN("/w/a/secret");
}

/*
 * A stale fd of B, after our own X was mounted on B: "beneath" it means
 * beneath the topmost mount, X (where_to_mount(), and do_move_mount()
 * picks X as the top).  N goes between B and X and takes no lock from the
 * unlocked X; B keeps its lock.
 */
TEST_F(beneath, stale_fd_goes_beneath_topmost)
{
	uint64_t b, x, n_id;
	int bfd, n;

	bfd = open("/w/a", O_PATH | O_CLOEXEC);
	ASSERT_GE(bfd, 0);
	b = mnt_id_fd(bfd);
	ASSERT_EQ(0, mount_tmpfs("/w/a"));
	ASSERT_EQ(0, put_file("/w/a/x", "X", 0644));
	x = get_unique_mnt_id("/w/a");

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	n_id = mnt_id_fd(n);
	ASSERT_EQ(0, sys_move_mount(n, "", bfd, "",
				    BENEATH_FD | MOVE_MOUNT_T_EMPTY_PATH));
	EXPECT_EQ(n_id, mnt_parent(x));
	EXPECT_EQ(b, mnt_parent(n_id));
	close(n);

	EXPECT_RET(0, umount2("/w/a", 0));
	EXPECT_SHOWS("/w/a/n", "n");
	EXPECT_RET(0, umount2("/w/a", 0));
	EXPECT_SHOWS("/w/a/cover", "B");
	EXPECT_ERRNO(EINVAL, umount2("/w/a", MNT_DETACH));
	EXPECT_HIDDEN("/w/a/secret");
	close(bfd);
}

/*
 * A mount already in our namespace (not a detached tree) moved beneath a
 * locked mount takes the lock the same way; afterwards it can be neither
 * unmounted nor moved back.
 */
TEST_F(beneath, in_namespace_source)
{
	uint64_t a, b, m;

	b = get_unique_mnt_id("/w/a");
	a = mnt_parent(b);
	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, put_file("/w/x/m", "M", 0644));
	m = get_unique_mnt_id("/w/x");

	ASSERT_EQ(0, move_beneath_path("/w/x", "/w/a"));
	EXPECT_NE(m, get_unique_mnt_id("/w/x"));
	EXPECT_HIDDEN("/w/x/m");
	EXPECT_EQ(m, mnt_parent(b));
	EXPECT_EQ(a, mnt_parent(m));
	EXPECT_UNLOCKED("/w/a", 0);
	EXPECT_LOCKED("/w/a", 1);

	EXPECT_RET(0, umount2("/w/a", 0));
	EXPECT_SHOWS("/w/a/m", "M");
	EXPECT_ERRNO(EINVAL, sys_move_mount(AT_FDCWD, "/w/a", AT_FDCWD, "/w/x", 0));
	EXPECT_ERRNO(EINVAL, umount2("/w/a", MNT_DETACH));
	EXPECT_HIDDEN("/w/a/secret");
}

/*
 * A mount of a mount namespace file (nsfs) beneath the locked file cover:
 * can_move_mount_beneath() refuses it (EINVAL), detached or from our
 * namespace: copy_tree() leaves such mounts out of copies together with
 * what is mounted on them, so it could not keep the lock's promise.  An
 * unshare(CLONE_NEWNS) afterwards still finds the locked cover.
 */
TEST_F(beneath, nsfs_beneath_locked_then_unshare)
{
	struct ns_holder h;
	char path[64];
	int det;

	ASSERT_EQ(0, ns_holder_start(&h, true));
	det = sys_open_tree(h.nsfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			    AT_EMPTY_PATH);
	ASSERT_GE(det, 0);
	EXPECT_ERRNO(EINVAL, move_beneath(det, "/w/fd/f"));

	snprintf(path, sizeof(path), "/proc/self/fd/%d", h.nsfd);
	ASSERT_EQ(0, mount(path, "/w/file1", NULL, MS_BIND, NULL));
	EXPECT_ERRNO(EINVAL, move_beneath_path("/w/file1", "/w/fd/f"));
	EXPECT_SHOWS("/w/fd/f", "cover");

	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	EXPECT_SHOWS("/w/fd/f", "cover");
	/* copy_mnt_ns() left the (unlocked) nsfs mount out */
	EXPECT_SHOWS("/w/file1", "file1");
	EXPECT_ERRNO(EINVAL, umount2("/w/fd/f", MNT_DETACH));
	EXPECT_SHOWS("/w/fd/f", "cover");
	close(det);
	ns_holder_stop(&h);
}

/*
 * The nsfs mount may go beneath an unlocked cover X of ours on top of the
 * locked one: it takes no lock.  A namespace copy then leaves out the nsfs
 * mount and X on it, and shows the locked cover, never the secret.
 */
TEST_F(beneath, nsfs_beneath_unlocked_then_unshare)
{
	struct ns_holder h;
	uint64_t f, x, ns;
	char path[64];

	ASSERT_EQ(0, ns_holder_start(&h, true));
	f = get_unique_mnt_id("/w/fd/f");
	ASSERT_EQ(0, mount("/w/file2", "/w/fd/f", NULL, MS_BIND, NULL));
	x = get_unique_mnt_id("/w/fd/f");
	ASSERT_EQ(f, mnt_parent(x));

	snprintf(path, sizeof(path), "/proc/self/fd/%d", h.nsfd);
	ASSERT_EQ(0, mount(path, "/w/file1", NULL, MS_BIND, NULL));
	ns = get_unique_mnt_id("/w/file1");
	EXPECT_RET(0, move_beneath_path("/w/file1", "/w/fd/f"));
	EXPECT_EQ(ns, mnt_parent(x));
	EXPECT_EQ(f, mnt_parent(ns));
	EXPECT_SHOWS("/w/fd/f", "file2");

	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	EXPECT_SHOWS("/w/fd/f", "cover");
	EXPECT_ERRNO(EINVAL, umount2("/w/fd/f", MNT_DETACH));
	EXPECT_SHOWS("/w/fd/f", "cover");
	ns_holder_stop(&h);
}

/*
 * U is locked and unbindable: copy_tree() can't leave it out, so a
 * recursive copy of /w/ub is EPERM.  After N went beneath U, U is no
 * longer locked and the copy leaves it out - showing a copy of N, locked
 * like N, never U0's secret.  As a peer of the shared UB the copy also
 * receives propagation.
 */
TEST_F(beneath, unbindable_after_beneath)
{
	int n, tree;

	EXPECT_OPEN_ERRNO(EPERM, sys_open_tree(AT_FDCWD, "/w/ub",
					       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					       AT_RECURSIVE));
	EXPECT_ERRNO(EPERM, mount("/w/ub", "/w/z", NULL, MS_BIND | MS_REC, NULL));
	/* __do_loopback(): U itself can't be bound */
	EXPECT_ERRNO(EINVAL, mount("/w/ub/x", "/w/z", NULL, MS_BIND, NULL));

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	ASSERT_EQ(0, move_beneath(n, "/w/ub/x"));
	EXPECT_UNLOCKED("/w/ub/x", 0);
	EXPECT_LOCKED("/w/ub/x", 1);

	tree = sys_open_tree(AT_FDCWD, "/w/ub", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			     AT_RECURSIVE);
	ASSERT_GE(tree, 0);
	EXPECT_SHOWS_AT(tree, "x/n", "n");
	EXPECT_HIDDEN_AT(tree, "x/cover");
	EXPECT_HIDDEN_AT(tree, "x/secret");

	ASSERT_EQ(0, mount(NULL, "/w/ub", NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount("/w/ub", "/w/z", NULL, MS_BIND | MS_REC, NULL));
	EXPECT_SHOWS("/w/z/x/n", "n");
	EXPECT_HIDDEN("/w/z/x/cover");
	EXPECT_HIDDEN("/w/z/x/secret");
	EXPECT_ERRNO(EINVAL, umount2("/w/z/x", MNT_DETACH));
	EXPECT_HIDDEN("/w/z/x/secret");

	/* the copy is a peer: a mount on UB shows up in it */
	ASSERT_EQ(0, mkdir_mode("/w/ub/p", 0777));
	ASSERT_EQ(0, mount_tmpfs("/w/ub/p"));
	ASSERT_EQ(0, put_file("/w/ub/p/prop", "prop", 0644));
	EXPECT_SHOWS("/w/z/p/prop", "prop");
	EXPECT_SHOWS("/w/ub/x/cover", "U");
	EXPECT_HIDDEN("/w/ub/x/secret");
	close(tree);
	close(n);
}

/* A process in another mount namespace, run step by step. */
struct peer {
	pid_t pid;
	int cmd;
	int res;
};

static int peer_step(struct peer *p, char op)
{
	char r;

	if (write(p->cmd, &op, 1) != 1 || read(p->res, &r, 1) != 1)
		return -1;
	return r;
}

/*
 * The peer's checks, one per step, of the propagated copies in its own
 * mount namespace: 'B' its B is on top and locked, 'N' the copy of N is on
 * top and locked.  Each returns a bit mask of failed checks.
 */
static char peer_check(char op)
{
	char fail = 0;

	if (op == 'B' && !file_is(AT_FDCWD, "/w/a/cover", "B"))
		fail |= 1;
	if (op == 'N' && !file_is(AT_FDCWD, "/w/a/n", "n"))
		fail |= 1;
	if (umount2("/w/a", MNT_DETACH) != -1 || errno != EINVAL)
		fail |= 2;
	if (open("/w/a/secret", O_RDONLY | O_CLOEXEC) != -1 || errno != ENOENT)
		fail |= 4;
	return fail;
}

static int peer_start(struct peer *p)
{
	int cmd[2], res[2];
	char c;

	if (pipe2(cmd, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		return -1;
	p->pid = fork_flushed();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		close(cmd[1]);
		close(res[0]);
		/*
		 * A nested user namespace: the copies of our mounts are
		 * locked (lock_mnt_tree()) and become slaves (CL_SLAVE).
		 */
		c = userns_unshare(CLONE_NEWNS) != 0;
		if (write(res[1], &c, 1) != 1)
			_exit(1);
		while (read(cmd[0], &c, 1) == 1) {
			c = peer_check(c);
			if (write(res[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(cmd[0]);
	close(res[1]);
	p->cmd = cmd[1];
	p->res = res[0];
	if (read(p->res, &c, 1) != 1 || c)
		return -1;
	return 0;
}

static int peer_stop(struct peer *p)
{
	close(p->cmd);
	close(p->res);
	return wait_for_pid(p->pid);
}

/*
 * Beneath a locked mount whose parent is shared with a slave in another,
 * less privileged, mount namespace.  N goes beneath B in ours; its
 * propagated copy goes beneath B's copy in the other namespace and is
 * locked, while that copy of B keeps its own lock (attach_recursive_mnt()).
 * When we unmount B, which no longer is locked here, the other namespace
 * loses its copy of B too (propagate_mount_unlock(), propagate_umount()):
 * the copy of N, locked, keeps A's secret hidden there.
 */
TEST_F(beneath, propagated_copy_into_other_namespace)
{
	struct peer p;
	int n;

	ASSERT_EQ(0, mount(NULL, "/w", NULL, MS_REC | MS_SHARED, NULL));
	ASSERT_EQ(0, peer_start(&p));
	EXPECT_EQ(0, peer_step(&p, 'B'));

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	ASSERT_EQ(0, move_beneath(n, "/w/a"));
	EXPECT_EQ(0, peer_step(&p, 'B'));
	EXPECT_UNLOCKED("/w/a", 0);
	EXPECT_LOCKED("/w/a", 1);

	EXPECT_RET(0, umount2("/w/a", MNT_DETACH));
	EXPECT_SHOWS("/w/a/n", "n");
	EXPECT_EQ(0, peer_step(&p, 'N'));
	EXPECT_ERRNO(EINVAL, umount2("/w/a", MNT_DETACH));
	EXPECT_HIDDEN("/w/a/secret");
	EXPECT_EQ(0, peer_stop(&p));
	close(n);
}

/*
 * path_pivot_root() in the user namespace: a locked mount can't become the
 * new root (EINVAL); an unlocked one takes the old root's lock, so the old
 * root can be unmounted and the new one can't.  The old root's children
 * are locked and stay connected to it when it is lazily unmounted: an fd
 * on the old root still never reaches A's secret.
 */
TEST_F(beneath, pivot_root_transfer)
{
	uint64_t p;
	int oldroot;

	EXPECT_ERRNO(EINVAL, syscall(__NR_pivot_root, "/w/a", "/w/a/d"));
	EXPECT_A_INTACT();

	ASSERT_EQ(0, mount_tmpfs("/w/x"));
	ASSERT_EQ(0, mkdir_mode("/w/x/old", 0755));
	ASSERT_EQ(0, put_file("/w/x/newroot", "P", 0644));
	p = get_unique_mnt_id("/w/x");
	oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(oldroot, 0);

	ASSERT_EQ(0, syscall(__NR_pivot_root, "/w/x", "/w/x/old"));
	ASSERT_EQ(0, chdir("/"));
	EXPECT_EQ(p, get_unique_mnt_id("/"));
	EXPECT_SHOWS("/newroot", "P");
	EXPECT_HIDDEN("/old/w/a/secret");
	EXPECT_SHOWS("/old/w/a/cover", "B");

	EXPECT_ERRNO(EINVAL, umount2("/", MNT_DETACH));
	EXPECT_RET(0, umount2("/old", MNT_DETACH));
	EXPECT_HIDDEN("/old/w");
	EXPECT_ERRNO(EINVAL, umount2("/", MNT_DETACH));
	EXPECT_EQ(p, get_unique_mnt_id("/"));

	EXPECT_SHOWS_AT(oldroot, "w/a/cover", "B");
	EXPECT_HIDDEN_AT(oldroot, "w/a/secret");
	EXPECT_HIDDEN_AT(oldroot, "w/s/sub/hidden");
	close(oldroot);
}

/* ------------------------------------------------------------------ */
/* dropping an inherited mount                                        */
/* ------------------------------------------------------------------ */

FIXTURE(drop_inherited) {
};

FIXTURE_VARIANT(drop_inherited) {
	const char *path;
};

FIXTURE_VARIANT_ADD(drop_inherited, proc) {
	.path = "/proc",
};

FIXTURE_VARIANT_ADD(drop_inherited, proc_on_tmpfs) {
	.path = "/w/pr",
};

FIXTURE_SETUP(drop_inherited)
{
	world_setup(_metadata);
}

FIXTURE_TEARDOWN(drop_inherited)
{
}

/*
 * The equivalent of `mount --beneath -t tmpfs tmpfs /proc; umount -l
 * /proc` as an unprivileged user: the locked proc can't be unmounted; a
 * tmpfs moved beneath it takes its lock, after which proc goes and the
 * tmpfs - locked now - shows, never what proc covered.
 */
TEST_F(drop_inherited, beneath_then_detach)
{
	char secret[64], n_path[64];
	struct statfs sfs;
	uint64_t n_id;
	int n;

	snprintf(secret, sizeof(secret), "%s/secret", variant->path);
	snprintf(n_path, sizeof(n_path), "%s/n", variant->path);

	ASSERT_EQ(0, statfs(variant->path, &sfs));
	ASSERT_EQ(PROC_SUPER_MAGIC, sfs.f_type);
	EXPECT_ERRNO(EINVAL, umount2(variant->path, MNT_DETACH));
	EXPECT_HIDDEN(secret);

	n = new_tmpfs_fd("n");
	ASSERT_GE(n, 0);
	n_id = mnt_id_fd(n);
	ASSERT_EQ(0, move_beneath(n, variant->path));
	EXPECT_HIDDEN(secret);
	ASSERT_EQ(0, statfs(variant->path, &sfs));
	EXPECT_EQ(PROC_SUPER_MAGIC, sfs.f_type);

	ASSERT_EQ(0, umount2(variant->path, MNT_DETACH));
	ASSERT_EQ(0, statfs(variant->path, &sfs));
	EXPECT_EQ(TMPFS_MAGIC, sfs.f_type);
	EXPECT_EQ(n_id, get_unique_mnt_id(variant->path));
	EXPECT_SHOWS(n_path, "n");
	EXPECT_HIDDEN(secret);
	EXPECT_ERRNO(EINVAL, umount2(variant->path, MNT_DETACH));
	EXPECT_HIDDEN(secret);
	close(n);
}

/* ------------------------------------------------------------------ */
/* switching the root                                                 */
/* ------------------------------------------------------------------ */

FIXTURE(root_switch) {
};

FIXTURE_VARIANT(root_switch) {
	/* the new root is /w/nr with its submount, copied recursively */
	bool recursive;
	/* mounts under the new root, the root included */
	int nr_mounts;
};

FIXTURE_VARIANT_ADD(root_switch, plain) {
	.recursive = false,
	.nr_mounts = 1,
};

FIXTURE_VARIANT_ADD(root_switch, locked_submount) {
	.recursive = true,
	.nr_mounts = 2,
};

FIXTURE_SETUP(root_switch)
{
	world_setup(_metadata);
}

FIXTURE_TEARDOWN(root_switch)
{
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/*
 * The mount tree seen from our root, without mount ids: one line per
 * mount (listmount(LSMT_ROOT) + statmount()) with its mountpoint, the
 * mountpoint of its parent, fs, root, device and attributes, sorted; and
 * how many mounts the whole namespace has below its nullfs root.
 */
static int dump_tree(char *out, size_t len)
{
	uint64_t ids[64], parent_of[64], root_parent = 0;
	char *lines[64], pts[64][128];
	ssize_t nr, all;
	size_t off = 0;

	nr = listmount(LSMT_ROOT, 0, 0, ids, 64, 0);
	if (nr <= 0 || nr >= 64)
		return -1;
	for (ssize_t i = 0; i < nr; i++) {
		struct statmount *sm;

		sm = statmount_alloc(ids[i], 0, STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC |
				     STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT |
				     STATMOUNT_FS_TYPE, 0);
		if (!sm)
			return -1;
		parent_of[i] = sm->mnt_parent_id;
		snprintf(pts[i], sizeof(pts[i]), "%s", sm->str + sm->mnt_point);
		if (!strcmp(pts[i], "/"))
			root_parent = sm->mnt_parent_id;
		lines[i] = malloc(512);
		if (!lines[i])
			return -1;
		snprintf(lines[i], 512, "%s root=%s fs=%s dev=%u:%u attr=%#llx prop=%#llx",
			 pts[i], sm->str + sm->mnt_root, sm->str + sm->fs_type,
			 sm->sb_dev_major, sm->sb_dev_minor,
			 (unsigned long long)sm->mnt_attr,
			 (unsigned long long)sm->mnt_propagation);
		free(sm);
	}
	for (ssize_t i = 0; i < nr; i++) {
		const char *pp = "(outside)";
		size_t l = strlen(lines[i]);

		for (ssize_t j = 0; j < nr; j++)
			if (ids[j] == parent_of[i])
				pp = pts[j];
		snprintf(lines[i] + l, 512 - l, " parent=%s", pp);
	}
	qsort(lines, nr, sizeof(lines[0]), line_cmp);
	for (ssize_t i = 0; i < nr; i++) {
		off += snprintf(out + off, len - off, "%s\n", lines[i]);
		free(lines[i]);
		if (off >= len)
			return -1;
	}
	/* the namespace as a whole: nothing of the old root is left */
	if (!root_parent)
		return -1;
	all = listmount(root_parent, 0, 0, ids, 64, 0);
	off += snprintf(out + off, len - off, "namespace: %zd mounts\n", all);
	return off < len ? (int)nr : -1;
}

/* One line for the log: the dump's newlines become ';'; returns the lines. */
static int flatten(char *dump)
{
	int lines = 0;

	for (char *c = dump; *c; c++) {
		if (*c != '\n')
			continue;
		lines++;
		*c = c[1] ? ';' : '\0';
	}
	return lines;
}

/* Run @fn in a child in a copy of our mount namespace; collect its dump. */
static int switch_in_child(void (*fn)(bool), bool recursive, char *out, size_t len)
{
	int fds[2];
	ssize_t n, off = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork_flushed();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char buf[4096];
		int nr;

		close(fds[0]);
		CHILD_CHECK(unshare(CLONE_NEWNS) == 0);
		fn(recursive);
		/* the switch worked and the old root is out of reach */
		CHILD_CHECK(file_is(AT_FDCWD, "/newroot", "NR") ||
			    file_is(AT_FDCWD, "/newroot", "P"));
		CHILD_ERRNO(ENOENT, open("/w", O_PATH | O_CLOEXEC));
		CHILD_ERRNO(ENOENT, open("/proc/self", O_PATH | O_CLOEXEC));
		CHILD_ERRNO(ENOENT, open("/../w", O_PATH | O_CLOEXEC));
		/* the new root holds the old one's lock */
		CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
		if (recursive) {
			CHILD_CHECK(file_is(AT_FDCWD, "/sub/k", "K"));
			CHILD_ERRNO(EINVAL, umount2("/sub", MNT_DETACH));
		}
		nr = dump_tree(buf, sizeof(buf));
		CHILD_CHECK(nr > 0);
		CHILD_CHECK(write(fds[1], buf, strlen(buf)) == (ssize_t)strlen(buf));
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + off, len - 1 - off)) > 0)
		off += n;
	out[off] = '\0';
	close(fds[0]);
	return wait_for_pid(pid);
}

static const char *new_root_path(bool recursive)
{
	return recursive ? "/w/nr2" : "/w/x";
}

/*
 * The recipe: clone the new root, make it the cwd, put it beneath "/",
 * chroot into it and lazily unmount the old root that now sits on top of
 * it.  where_to_mount() puts the clone between the nullfs root and our
 * tmpfs root; attach_recursive_mnt() moves the old root's lock onto it.
 */
static void switch_beneath(bool recursive)
{
	uint64_t old_root = get_unique_mnt_id("/");
	struct statmount sm;
	int fd;

	fd = sys_open_tree(-EBADF, new_root_path(recursive),
			   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			   (recursive ? AT_RECURSIVE : 0));
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(fchdir(fd) == 0);
	CHILD_CHECK(sys_move_mount(fd, "", AT_FDCWD, "/", BENEATH_FD) == 0);
	CHILD_CHECK(mnt_parent(old_root) == mnt_id_fd(fd));
	CHILD_CHECK(chroot(".") == 0);
	CHILD_CHECK(umount2(".", MNT_DETACH) == 0);
	CHILD_CHECK(chdir("/") == 0);
	CHILD_CHECK(get_unique_mnt_id("/") == mnt_id_fd(fd));
	/* the old root is no longer in the namespace */
	CHILD_ERRNO(ENOENT, statmount(old_root, 0, 0, STATMOUNT_MNT_BASIC, &sm,
				      sizeof(sm), 0));
	close(fd);
}

/* The same with pivot_root(2). */
static void switch_pivot(bool recursive)
{
	char old[64];

	snprintf(old, sizeof(old), "%s/old", new_root_path(recursive));
	CHILD_CHECK(syscall(__NR_pivot_root, new_root_path(recursive), old) == 0);
	CHILD_CHECK(chdir("/") == 0);
	CHILD_CHECK(umount2("/old", MNT_DETACH) == 0);
}

/*
 * The root-switch recipe from "/" works as an unprivileged user on the
 * locked rootfs, leaves the old root unreachable, and gives the same mount
 * tree as pivot_root() - modulo mount ids.  The "locked_submount" variant
 * switches to a tree whose submount is locked: a plain clone of it is
 * refused (__do_loopback(): locked children), a recursive one carries the
 * lock over (copy_tree()).
 */
TEST_F(root_switch, beneath_matches_pivot_root)
{
	char by_beneath[4096], by_pivot[4096];
	const char *nr = new_root_path(variant->recursive);
	int lines = 0;

	if (variant->recursive) {
		/* an unlocked copy of /w/nr whose submount is locked */
		ASSERT_EQ(0, mkdir_mode("/w/nr2", 0755));
		ASSERT_EQ(0, mount("/w/nr", "/w/nr2", NULL, MS_BIND | MS_REC, NULL));
		EXPECT_UNLOCKED("/w/nr2", 0);
		EXPECT_LOCKED("/w/nr2/sub", 0);
		EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(-EBADF, nr,
							OPEN_TREE_CLONE |
							OPEN_TREE_CLOEXEC));
	} else {
		ASSERT_EQ(0, mount("tmpfs", nr, "tmpfs", 0, "mode=0755"));
		ASSERT_EQ(0, mkdir_mode("/w/x/old", 0755));
		ASSERT_EQ(0, put_file("/w/x/newroot", "P", 0644));
	}

	ASSERT_EQ(0, switch_in_child(switch_beneath, variant->recursive,
				     by_beneath, sizeof(by_beneath)));
	ASSERT_EQ(0, switch_in_child(switch_pivot, variant->recursive,
				     by_pivot, sizeof(by_pivot)));
	/* one line per mount and the namespace count */
	lines = flatten(by_beneath);
	EXPECT_EQ(variant->nr_mounts + 1, lines);
	flatten(by_pivot);
	TH_LOG("tree: %s", by_beneath);
	EXPECT_STREQ(by_pivot, by_beneath);

	/* our own namespace was not touched */
	EXPECT_A_INTACT();
	EXPECT_NE(0, get_unique_mnt_id(nr));
}

TEST_HARNESS_MAIN
