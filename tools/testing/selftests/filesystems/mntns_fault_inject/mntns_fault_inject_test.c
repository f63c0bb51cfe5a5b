// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Allocation failures on the paths of the mount namespace features:
 * unshare(UNSHARE_EMPTY_MNTNS) and clone3(CLONE_EMPTY_MNTNS) (copy_mnt_ns()),
 * fsmount(FSMOUNT_NAMESPACE) and open_tree(OPEN_TREE_NAMESPACE)
 * (create_new_namespace()), move_mount(MOVE_MOUNT_BENEATH) onto "/" and
 * beneath a locked mount (do_move_mount(), can_move_mount_beneath(),
 * attach_recursive_mnt()), and pivot_root() in a user namespace
 * (path_pivot_root(), which hands MNT_LOCKED over like the beneath case).
 *
 * Each variant sweeps the fail points of its system call with
 * /proc/thread-self/fail-nth: for n = 1, 2, ... it writes n right before the
 * call, so that the n-th slab allocation of the call fails (should_fail_ex()),
 * and stops when the call succeeds with fail-nth still non-zero: the call
 * made fewer than n allocations. failslab's ignore-gfp-wait is turned off
 * for the sweep, else should_failslab() leaves every allocation that may
 * sleep (GFP_KERNEL) alone and fail-nth never counts them; verbose is 0 so
 * that fail_dump() stays quiet; probability stays 0, so nothing fails but
 * the n-th allocation of the call: fail-nth goes first in should_fail_ex()
 * and bypasses probability, interval, times and space, and it is per task
 * (a child of clone3() starts with 0, dup_task_struct()).
 *
 * On the debug kernels every allocation has a second fail point: kmemleak's
 * own metadata (mem_pool_alloc() in kmemleak_alloc()), whose failure kmemleak
 * absorbs with its memory pool. Such an injected fault leaves the call
 * successful; the sweep counts it as "absorbed" and goes on.
 *
 * A failed call must fail with the errno that upstream gives for an
 * allocation failure on that path (ENOMEM; ENOSPC where inc_ucount() can't
 * allocate the ucounts), and leave the caller as it was: the same mount
 * namespace (NS_GET_MNTNS_ID), the same root and cwd (dev, ino and mount id),
 * the same mounts (listmount(2) and /proc/self/mountinfo), the same number of
 * active mount namespaces (listns(2)) and of mount namespaces charged to
 * UCOUNT_MNT_NAMESPACES (see ../mntns_accounting.h), and locked mounts still
 * locked. A successful call is checked as well (the lock handed over, the
 * namespace's mounts). The calls run in worker processes, which the test
 * process watches: it does the namespace counts, which need the initial user
 * namespace, while the worker waits.
 *
 * Each variant prints "fail points: N". The last test scans with kmemleak
 * and fails on leaked objects allocated by this program.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../mntns_util.h"
#include "../mntns_accounting.h"
#include "clone3/clone3_selftests.h"
#include "kselftest_harness.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAILSLAB	"/sys/kernel/debug/failslab/"
/* the sweep gives up (and fails) at this n */
#define MAX_FAIL_NTH	2000
#define MAX_ERRNO	256

/* ------------------------------------------------------------------ */
/* The caller's state, which a failed call must leave alone.           */

struct id_of {
	dev_t dev;
	ino_t ino;
	uint64_t mnt_id;
};

struct caller_state {
	uint64_t mntns_id;
	struct id_of root, cwd;
	ssize_t nr_mounts;	/* listmount(2) */
	long nr_mountinfo;	/* lines of /proc/self/mountinfo */
};

static int id_of(const char *path, struct id_of *id)
{
	struct statx sx;

	if (statx(AT_FDCWD, path, 0, STATX_INO | STATX_MNT_ID_UNIQUE, &sx))
		return -1;
	id->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	id->ino = sx.stx_ino;
	id->mnt_id = sx.stx_mnt_id;
	return 0;
}

/* The mount namespace of the task (its nsproxy), not that of its root */
static uint64_t task_mntns_id(void)
{
	int fd = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
	uint64_t id;

	if (fd < 0)
		return 0;
	id = nsfd_mntns_id(fd);
	close(fd);
	return id;
}

static long nr_mountinfo_lines(void)
{
	char buf[4096];
	long lines = 0;
	ssize_t ret;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((ret = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < ret; i++)
			lines += buf[i] == '\n';
	close(fd);
	return ret < 0 ? -1 : lines;
}

static int caller_state(struct caller_state *s)
{
	s->mntns_id = task_mntns_id();
	s->nr_mounts = count_mounts();
	s->nr_mountinfo = nr_mountinfo_lines();
	if (!s->mntns_id || s->nr_mounts < 0 || s->nr_mountinfo < 0)
		return -1;
	if (id_of("/", &s->root) || id_of(".", &s->cwd))
		return -1;
	return 0;
}

static bool id_eq(const struct id_of *a, const struct id_of *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->mnt_id == b->mnt_id;
}

/* ------------------------------------------------------------------ */
/* The paths under test.                                               */

#define BASE_TEMPLATE	"/tmp/mntns_fi.XXXXXX"

/* What a worker knows; set up by the test, the worker and each attempt. */
struct fi_ctx {
	char base[64];		/* tmpfs of the test's own mount namespace */
	char src[96];		/* a directory on it */
	char sub[96];		/* a tmpfs on base/sub */
	char locked[96];	/* a tmpfs on base/locked */
	char newroot[96];	/* pivot_root(): a tmpfs mounted by the worker */
	char put_old[128];
	int fd;			/* per attempt: fs context or detached tree */
	struct id_of src_id;	/* base/src before anything moves */
	uint64_t mntns_before;
};

struct fi_path {
	const char *what;
	/* in the worker, once; may change its namespaces */
	int (*setup)(struct __test_metadata *_metadata, struct fi_ctx *c);
	/* before each attempt, outside of the fault window */
	int (*prepare)(struct fi_ctx *c);
	/* the call; nothing else in between the fail-nth writes */
	long (*call)(struct fi_ctx *c);
	/* after a failed call */
	void (*unprepare)(struct fi_ctx *c);
	/* a locked mount that must still be locked after a failure */
	bool (*still_locked)(struct __test_metadata *_metadata, struct fi_ctx *c);
	/* after a successful call: check what it did, clean up */
	void (*check_success)(struct __test_metadata *_metadata,
			      struct fi_ctx *c, long ret);
	/* the caller is as before once check_success() cleaned up */
	bool caller_unchanged_on_success;
	/* the errno values upstream gives for an allocation failure */
	int allowed[4];
};

static int no_prepare(struct fi_ctx *c)
{
	c->fd = -1;
	return 0;
}

static void close_fd(struct fi_ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* A fresh tmpfs context: a failed fsmount() may have used it up. */
static int prepare_fs_context(struct fi_ctx *c)
{
	c->fd = fs_context("tmpfs");
	return c->fd < 0 ? -1 : 0;
}

/* The detached tree to move: a clone of base/src (the root-switch recipe). */
static int prepare_tree(struct fi_ctx *c)
{
	c->fd = sys_open_tree(-EBADF, c->src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	return c->fd < 0 ? -1 : 0;
}

static int setup_nothing(struct __test_metadata *_metadata, struct fi_ctx *c)
{
	return 0;
}

/* A private mount namespace of the worker (a copy of the test's one). */
static int setup_private_mntns(struct __test_metadata *_metadata,
			       struct fi_ctx *c)
{
	if (unshare(CLONE_NEWNS))
		return -1;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/*
 * A user namespace with a mount namespace: copy_mnt_ns() -> lock_mnt_tree()
 * locks every mount of the copy but its root, among them "/" and
 * base/locked.
 */
static int setup_userns_mntns(struct __test_metadata *_metadata,
			      struct fi_ctx *c)
{
	return setup_userns();
}

static bool is_locked(struct __test_metadata *_metadata, const char *path)
{
	/* can_umount(): a locked mount can't be unmounted, even lazily */
	if (umount2(path, MNT_DETACH) == 0) {
		TH_LOG("%s: unmounted, but it should be locked", path);
		return false;
	}
	if (errno != EINVAL) {
		TH_LOG("umount2(%s): %s, expected EINVAL", path, strerror(errno));
		return false;
	}
	return true;
}

/* -- unshare(UNSHARE_EMPTY_MNTNS) -- */

static long call_unshare_empty(struct fi_ctx *c)
{
	return syscall(__NR_unshare, UNSHARE_EMPTY_MNTNS);
}

static void check_unshare_empty(struct __test_metadata *_metadata,
				struct fi_ctx *c, long ret)
{
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(in_empty_mntns());
	EXPECT_NE(c->mntns_before, task_mntns_id());
}

/* -- clone3(CLONE_EMPTY_MNTNS) -- */

static long call_clone3_empty(struct fi_ctx *c)
{
	struct __clone_args args = {
		.flags = CLONE_EMPTY_MNTNS,
		.exit_signal = SIGCHLD,
	};
	long pid = syscall(__NR_clone3, &args, sizeof(args));

	if (pid == 0)
		_exit(in_empty_mntns() ? 0 : 1);
	return pid;
}

static void check_clone3_empty(struct __test_metadata *_metadata,
			       struct fi_ctx *c, long ret)
{
	int status;

	ASSERT_GT(ret, 0);
	ASSERT_EQ(ret, waitpid(ret, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the child was not in an empty mount namespace");
}

/* -- fsmount(FSMOUNT_NAMESPACE) and open_tree(OPEN_TREE_NAMESPACE) -- */

static long call_fsmount_ns(struct fi_ctx *c)
{
	return sys_fsmount(c->fd, FSMOUNT_NAMESPACE | FSMOUNT_CLOEXEC, 0);
}

static long call_open_tree_ns(struct fi_ctx *c)
{
	return sys_open_tree(AT_FDCWD, c->src,
			     OPEN_TREE_NAMESPACE | OPEN_TREE_CLOEXEC);
}

static long call_open_tree_ns_rec(struct fi_ctx *c)
{
	return sys_open_tree(AT_FDCWD, c->base,
			     OPEN_TREE_NAMESPACE | AT_RECURSIVE | OPEN_TREE_CLOEXEC);
}

/*
 * The new namespace: nsfs, CLONE_NEWNS, @nr_mounts mounts besides its root
 * (copy_ns_info_to_user() leaves the root mount out of nr_mounts).
 */
static void check_ns_fd(struct __test_metadata *_metadata, long fd,
			unsigned int nr_mounts)
{
	struct mnt_ns_info info = { .size = sizeof(info) };

	ASSERT_GE(fd, 0);
	EXPECT_EQ(CLONE_NEWNS, ioctl(fd, NS_GET_NSTYPE));
	EXPECT_EQ(0, ioctl(fd, NS_MNT_GET_INFO, &info));
	EXPECT_EQ(nr_mounts, info.nr_mounts);
	close(fd);
}

static void check_fsmount_ns(struct __test_metadata *_metadata,
			     struct fi_ctx *c, long ret)
{
	/* create_new_namespace(): the tmpfs on a copy of the nullfs root */
	check_ns_fd(_metadata, ret, 1);
	close_fd(c);
}

static void check_open_tree_ns(struct __test_metadata *_metadata,
			       struct fi_ctx *c, long ret)
{
	/* the clone of base/src on the nullfs root */
	check_ns_fd(_metadata, ret, 1);
}

static void check_open_tree_ns_rec(struct __test_metadata *_metadata,
				   struct fi_ctx *c, long ret)
{
	/* base, base/sub and base/locked on the nullfs root */
	check_ns_fd(_metadata, ret, 3);
}

/* -- move_mount(MOVE_MOUNT_BENEATH) onto "/": the root switch -- */

static long call_beneath_root(struct fi_ctx *c)
{
	return sys_move_mount(c->fd, "", AT_FDCWD, "/",
			      MOVE_MOUNT_BENEATH | MOVE_MOUNT_F_EMPTY_PATH);
}

static void check_beneath_root(struct __test_metadata *_metadata,
			       struct fi_ctx *c, long ret)
{
	struct statmount sm = {};
	struct id_of root;
	uint64_t moved;

	ASSERT_EQ(0, ret);
	moved = mnt_id_fd(c->fd);
	ASSERT_NE(0, moved);
	/* the old root sits on top of the mount we moved */
	ASSERT_EQ(0, id_of("/", &root));
	ASSERT_EQ(0, statmount(root.mnt_id, 0, 0, STATMOUNT_MNT_BASIC, &sm,
			       sizeof(sm), 0));
	EXPECT_EQ(moved, sm.mnt_parent_id);
	/* finish the switch: drop the old root, enter the new one */
	ASSERT_EQ(0, umount2("/", MNT_DETACH));
	ASSERT_EQ(0, fchdir(c->fd));
	ASSERT_EQ(0, chroot("."));
	ASSERT_EQ(0, id_of("/", &root));
	EXPECT_EQ(moved, root.mnt_id);
	EXPECT_EQ(c->src_id.dev, root.dev);
	EXPECT_EQ(c->src_id.ino, root.ino);
	close_fd(c);
}

/* -- move_mount(MOVE_MOUNT_BENEATH) beneath a locked mount -- */

static long call_beneath_locked(struct fi_ctx *c)
{
	return sys_move_mount(c->fd, "", AT_FDCWD, c->locked,
			      MOVE_MOUNT_BENEATH | MOVE_MOUNT_F_EMPTY_PATH);
}

static bool locked_still_locked(struct __test_metadata *_metadata,
				struct fi_ctx *c)
{
	return is_locked(_metadata, c->locked);
}

static void check_beneath_locked(struct __test_metadata *_metadata,
				 struct fi_ctx *c, long ret)
{
	struct id_of now;
	uint64_t moved;

	ASSERT_EQ(0, ret);
	moved = mnt_id_fd(c->fd);
	ASSERT_NE(0, moved);
	/*
	 * attach_recursive_mnt(): the moved mount took over the lock of the
	 * mount it went under, which is free to go now.
	 */
	EXPECT_EQ(0, umount2(c->locked, MNT_DETACH))
		TH_LOG("the top mount is still locked: %s", strerror(errno));
	ASSERT_EQ(0, id_of(c->locked, &now));
	EXPECT_EQ(moved, now.mnt_id);
	EXPECT_TRUE(is_locked(_metadata, c->locked));
	close_fd(c);
}

/* -- pivot_root() in a user namespace: MNT_LOCKED goes to the new root -- */

static int setup_pivot(struct __test_metadata *_metadata, struct fi_ctx *c)
{
	if (setup_userns())
		return -1;
	/* a mount of the worker's own: not locked */
	if (mount("tmpfs", c->newroot, "tmpfs", 0, NULL))
		return -1;
	return mkdir(c->put_old, 0755);
}

static long call_pivot_root(struct fi_ctx *c)
{
	return syscall(__NR_pivot_root, c->newroot, c->put_old);
}

static bool root_still_locked(struct __test_metadata *_metadata,
			      struct fi_ctx *c)
{
	return is_locked(_metadata, "/");
}

static void check_pivot_root(struct __test_metadata *_metadata,
			     struct fi_ctx *c, long ret)
{
	ASSERT_EQ(0, ret);
	/* path_pivot_root(): the new root is locked, the old one is not */
	EXPECT_TRUE(is_locked(_metadata, "/"));
	EXPECT_EQ(0, umount2("/old", MNT_DETACH))
		TH_LOG("the old root is still locked: %s", strerror(errno));
}

/*
 * Allocation failures: ENOMEM everywhere (kzalloc/kmem_cache_zalloc, ida,
 * xarray, d_alloc, getname, alloc_empty_file, dup_fd ... all answer
 * -ENOMEM). alloc_mnt_ns() would answer -ENOSPC if inc_ucount() failed to
 * allocate a struct ucounts, but here alloc_ucounts() always finds the one
 * of (user namespace, euid) that the caller's creds hold already (root of
 * the initial user namespace; the workers in user namespaces create no
 * mount namespace), so it allocates nothing and ENOSPC is no answer.
 */
static const struct fi_path path_unshare_empty = {
	.what = "unshare(UNSHARE_EMPTY_MNTNS)",
	.setup = setup_nothing,
	.prepare = no_prepare,
	.call = call_unshare_empty,
	.unprepare = close_fd,
	.check_success = check_unshare_empty,
	.allowed = { ENOMEM },
};

static const struct fi_path path_clone3_empty = {
	.what = "clone3(CLONE_EMPTY_MNTNS)",
	.setup = setup_nothing,
	.prepare = no_prepare,
	.call = call_clone3_empty,
	.unprepare = close_fd,
	.check_success = check_clone3_empty,
	.caller_unchanged_on_success = true,
	.allowed = { ENOMEM },
};

static const struct fi_path path_fsmount_ns = {
	.what = "fsmount(FSMOUNT_NAMESPACE)",
	.setup = setup_nothing,
	.prepare = prepare_fs_context,
	.call = call_fsmount_ns,
	.unprepare = close_fd,
	.check_success = check_fsmount_ns,
	.caller_unchanged_on_success = true,
	.allowed = { ENOMEM },
};

static const struct fi_path path_open_tree_ns = {
	.what = "open_tree(OPEN_TREE_NAMESPACE)",
	.setup = setup_nothing,
	.prepare = no_prepare,
	.call = call_open_tree_ns,
	.unprepare = close_fd,
	.check_success = check_open_tree_ns,
	.caller_unchanged_on_success = true,
	.allowed = { ENOMEM },
};

static const struct fi_path path_open_tree_ns_rec = {
	.what = "open_tree(OPEN_TREE_NAMESPACE | AT_RECURSIVE)",
	.setup = setup_nothing,
	.prepare = no_prepare,
	.call = call_open_tree_ns_rec,
	.unprepare = close_fd,
	.check_success = check_open_tree_ns_rec,
	.caller_unchanged_on_success = true,
	.allowed = { ENOMEM },
};

static const struct fi_path path_beneath_root = {
	.what = "move_mount(MOVE_MOUNT_BENEATH) onto \"/\"",
	.setup = setup_private_mntns,
	.prepare = prepare_tree,
	.call = call_beneath_root,
	.unprepare = close_fd,
	.check_success = check_beneath_root,
	.allowed = { ENOMEM },
};

static const struct fi_path path_beneath_locked = {
	.what = "move_mount(MOVE_MOUNT_BENEATH) beneath a locked mount",
	.setup = setup_userns_mntns,
	.prepare = prepare_tree,
	.call = call_beneath_locked,
	.unprepare = close_fd,
	.still_locked = locked_still_locked,
	.check_success = check_beneath_locked,
	.allowed = { ENOMEM },
};

static const struct fi_path path_pivot_root = {
	.what = "pivot_root() in a user namespace",
	.setup = setup_pivot,
	.prepare = no_prepare,
	.call = call_pivot_root,
	.unprepare = close_fd,
	.still_locked = root_still_locked,
	.check_success = check_pivot_root,
	.allowed = { ENOMEM },
};

/* ------------------------------------------------------------------ */
/* The sweep.                                                          */

/* shared between the test process and its workers */
struct sweep_stats {
	int next_n;		/* the n the next attempt uses */
	int injected;		/* fail points: fail-nth read back 0 */
	int failed;		/* ... and the call failed */
	int absorbed;		/* ... and the call succeeded all the same */
	bool done;		/* a call went through without a fault */
	int workers;
	int errnos[MAX_ERRNO];
};

enum { MSG_READY = 1, MSG_ATTEMPT };

struct sweep_msg {
	int kind;
	int n;
};

/* Write @n to fail-nth, make the call, read fail-nth back and reset it. */
static long call_nth(const struct fi_path *path, struct fi_ctx *c, int nth_fd,
		     int n, int *err, unsigned int *left)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);
	ssize_t got;
	long ret;

	if (pwrite(nth_fd, buf, len, 0) != len)
		return -2;
	errno = 0;
	ret = path->call(c);
	*err = errno;
	got = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	if (pwrite(nth_fd, "0", 1, 0) != 1 || got <= 0)
		return -2;
	buf[got] = '\0';
	*left = strtoul(buf, NULL, 10);
	return ret;
}

static bool errno_allowed(const struct fi_path *path, int err)
{
	for (size_t i = 0; i < sizeof(path->allowed) / sizeof(path->allowed[0]); i++)
		if (path->allowed[i] && path->allowed[i] == err)
			return true;
	return false;
}

static bool tell_parent(int wfd, int rfd, int kind, int n)
{
	struct sweep_msg msg = { .kind = kind, .n = n };
	char ack;

	return write(wfd, &msg, sizeof(msg)) == sizeof(msg) &&
	       read(rfd, &ack, 1) == 1;
}

/*
 * The worker: sets up, then goes on from st->next_n until a call succeeds
 * in a way that changed it, or there is nothing left to inject.
 */
static void sweep_worker(struct __test_metadata *_metadata,
			 const struct fi_path *path, struct fi_ctx *c,
			 struct sweep_stats *st, int wfd, int rfd)
{
	struct caller_state before, after;
	int nth_fd, n;

	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(nth_fd, 0);
	ASSERT_EQ(0, path->setup(_metadata, c))
		TH_LOG("%s: worker set-up: %s", path->what, strerror(errno));
	ASSERT_TRUE(tell_parent(wfd, rfd, MSG_READY, 0));

	for (n = st->next_n; n <= MAX_FAIL_NTH; n++) {
		unsigned int left;
		long ret;
		int err;

		st->next_n = n + 1;
		ASSERT_EQ(0, caller_state(&before));
		c->mntns_before = before.mntns_id;
		ASSERT_EQ(0, path->prepare(c))
			TH_LOG("%s: preparing attempt %d: %s", path->what, n,
			       strerror(errno));

		ret = call_nth(path, c, nth_fd, n, &err, &left);
		ASSERT_NE(-2, ret) TH_LOG("fail-nth: %s", strerror(errno));

		if (ret < 0) {
			ASSERT_EQ(0, left)
				TH_LOG("%s failed with %s (n=%d) without an injected fault",
				       path->what, strerror(err), n);
			st->injected++;
			st->failed++;
			if (err > 0 && err < MAX_ERRNO)
				st->errnos[err]++;
			EXPECT_TRUE(errno_allowed(path, err))
				TH_LOG("%s: allocation failure %d gave %s",
				       path->what, n, strerror(err));
			path->unprepare(c);

			ASSERT_EQ(0, caller_state(&after));
			EXPECT_EQ(before.mntns_id, after.mntns_id)
				TH_LOG("n=%d: the mount namespace changed", n);
			EXPECT_TRUE(id_eq(&before.root, &after.root))
				TH_LOG("n=%d: the root changed", n);
			EXPECT_TRUE(id_eq(&before.cwd, &after.cwd))
				TH_LOG("n=%d: the cwd changed", n);
			EXPECT_EQ(before.nr_mounts, after.nr_mounts)
				TH_LOG("n=%d: listmount() count changed", n);
			EXPECT_EQ(before.nr_mountinfo, after.nr_mountinfo)
				TH_LOG("n=%d: mountinfo changed", n);
			if (path->still_locked)
				EXPECT_TRUE(path->still_locked(_metadata, c))
					TH_LOG("n=%d: a locked mount lost its lock", n);
			ASSERT_TRUE(tell_parent(wfd, rfd, MSG_ATTEMPT, n));
			if (_metadata->exit_code)
				break;
			continue;
		}

		if (left == 0) {
			st->injected++;
			st->absorbed++;
		} else {
			st->done = true;
		}
		path->check_success(_metadata, c, ret);
		if (!path->caller_unchanged_on_success)
			break;
		ASSERT_EQ(0, caller_state(&after));
		EXPECT_EQ(before.mntns_id, after.mntns_id);
		EXPECT_EQ(before.nr_mounts, after.nr_mounts);
		ASSERT_TRUE(tell_parent(wfd, rfd, MSG_ATTEMPT, n));
		if (st->done || _metadata->exit_code)
			break;
	}
	_exit(0);
}

struct ns_counts {
	long active;	/* listns(2) */
	long charged;	/* UCOUNT_MNT_NAMESPACES */
};

static void run_sweep(struct __test_metadata *_metadata,
		      const struct fi_path *path, struct fi_ctx *c,
		      long max_mntns)
{
	struct sweep_stats *st;
	struct ns_counts start;
	struct timespec t0, t1;

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st);
	memset(st, 0, sizeof(*st));
	st->next_n = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	start.active = count_mntns();
	start.charged = mntns_ucount(max_mntns);
	ASSERT_GT(start.active, 0);
	ASSERT_GT(start.charged, 0);

	while (!st->done && st->next_n <= MAX_FAIL_NTH && !_metadata->exit_code) {
		struct ns_counts w = {};
		struct sweep_msg msg;
		int to_w[2], from_w[2], status;
		pid_t pid;

		ASSERT_EQ(0, pipe2(to_w, O_CLOEXEC));
		ASSERT_EQ(0, pipe2(from_w, O_CLOEXEC));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			close(to_w[1]);
			close(from_w[0]);
			sweep_worker(_metadata, path, c, st, from_w[1], to_w[0]);
		}
		close(to_w[0]);
		close(from_w[1]);
		st->workers++;

		while (read(from_w[0], &msg, sizeof(msg)) == sizeof(msg)) {
			if (msg.kind == MSG_READY) {
				w.active = count_mntns();
				w.charged = mntns_ucount(max_mntns);
			} else {
				EXPECT_EQ(w.active, count_mntns())
					TH_LOG("n=%d: active mount namespaces", msg.n);
				EXPECT_TRUE(mntns_ucount_is(w.charged, max_mntns))
					TH_LOG("n=%d: mount namespaces charged: not %ld (now %ld)",
					       msg.n, w.charged,
					       mntns_ucount(max_mntns));
			}
			if (write(to_w[1], "", 1) != 1)
				break;
		}
		close(from_w[0]);
		close(to_w[1]);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("%s: worker %d ended with status 0x%x at n=%d",
			       path->what, pid, status, st->next_n - 1);
		/* once the worker is gone, so is everything it made */
		EXPECT_EQ(start.active, count_mntns())
			TH_LOG("after worker %d: active mount namespaces", st->workers);
		EXPECT_TRUE(mntns_ucount_is(start.charged, max_mntns))
			TH_LOG("after worker %d: charged mount namespaces %ld, expected %ld",
			       st->workers, mntns_ucount(max_mntns), start.charged);
	}

	EXPECT_TRUE(st->done)
		TH_LOG("%s: still injecting faults at n=%d", path->what,
		       MAX_FAIL_NTH);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("fail points: %d (%s: %d failed, %d absorbed; %d worker%s, %.1f s)\n",
		       st->injected, path->what, st->failed, st->absorbed,
		       st->workers, st->workers == 1 ? "" : "s",
		       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (int e = 1; e < MAX_ERRNO; e++)
		if (st->errnos[e])
			ksft_print_msg("  %s: %d\n", strerror(e), st->errnos[e]);
	munmap(st, sizeof(*st));
}

/* ------------------------------------------------------------------ */

static const char *const failslab_knobs[] = {
	"ignore-gfp-wait", "verbose", "probability",
};
/* what the sweep needs, in the order of failslab_knobs */
static const char *const failslab_sweep[] = { "N", "0", "0" };

FIXTURE(sweep) {
	struct fi_ctx ctx;
	char saved[3][32];
	bool configured;
	long max_mntns;
};

FIXTURE_VARIANT(sweep) {
	const struct fi_path *path;
};

FIXTURE_VARIANT_ADD(sweep, unshare_empty) { .path = &path_unshare_empty };
FIXTURE_VARIANT_ADD(sweep, clone3_empty) { .path = &path_clone3_empty };
FIXTURE_VARIANT_ADD(sweep, fsmount_ns) { .path = &path_fsmount_ns };
FIXTURE_VARIANT_ADD(sweep, open_tree_ns) { .path = &path_open_tree_ns };
FIXTURE_VARIANT_ADD(sweep, open_tree_ns_recursive) { .path = &path_open_tree_ns_rec };
FIXTURE_VARIANT_ADD(sweep, beneath_root) { .path = &path_beneath_root };
FIXTURE_VARIANT_ADD(sweep, beneath_locked) { .path = &path_beneath_locked };
FIXTURE_VARIANT_ADD(sweep, pivot_root_userns) { .path = &path_pivot_root };

static int read_knob(const char *knob, char *buf, size_t len)
{
	char path[128];
	ssize_t ret;
	int fd;

	snprintf(path, sizeof(path), FAILSLAB "%s", knob);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = read(fd, buf, len - 1);
	close(fd);
	if (ret <= 0)
		return -1;
	buf[ret] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_knob(const char *knob, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FAILSLAB "%s", knob);
	return write_file(path, val);
}

FIXTURE_SETUP(sweep)
{
	struct fi_ctx *c = &self->ctx;
	struct stat st;

	if (geteuid())
		SKIP(return, "needs root");
	/* CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS */
	if (access(FAIL_NTH, W_OK) || stat(FAILSLAB, &st))
		SKIP(return, "no fail-nth or failslab: not a fault-injection kernel");

	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, read_knob(failslab_knobs[i], self->saved[i],
				       sizeof(self->saved[i])));
	self->configured = true;
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, write_knob(failslab_knobs[i], failslab_sweep[i]));
	self->max_mntns = read_long(MAX_MNT_NAMESPACES);
	ASSERT_GT(self->max_mntns, 0);

	/* our own mount namespace, private, with a tmpfs to work in */
	strcpy(c->base, BASE_TEMPLATE);
	private_tmpfs_dir(_metadata, c->base, NULL);
	snprintf(c->src, sizeof(c->src), "%s/src", c->base);
	snprintf(c->sub, sizeof(c->sub), "%s/sub", c->base);
	snprintf(c->locked, sizeof(c->locked), "%s/locked", c->base);
	snprintf(c->newroot, sizeof(c->newroot), "%s/newroot", c->base);
	snprintf(c->put_old, sizeof(c->put_old), "%s/old", c->newroot);
	ASSERT_EQ(0, mkdir(c->src, 0755));
	ASSERT_EQ(0, mkdir(c->sub, 0755));
	ASSERT_EQ(0, mkdir(c->locked, 0755));
	ASSERT_EQ(0, mkdir(c->newroot, 0755));
	ASSERT_EQ(0, mount("tmpfs", c->sub, "tmpfs", 0, NULL));
	ASSERT_EQ(0, mount("tmpfs", c->locked, "tmpfs", 0, NULL));
	ASSERT_EQ(0, id_of(c->src, &c->src_id));
	c->fd = -1;
}

FIXTURE_TEARDOWN(sweep)
{
	struct fi_ctx *c = &self->ctx;

	if (self->configured)
		for (int i = 0; i < 3; i++)
			EXPECT_EQ(0, write_knob(failslab_knobs[i], self->saved[i]));
	if (c->base[0]) {
		umount2(c->base, MNT_DETACH);
		rmdir(c->base);
	}
}

/* the sweeps of clone3() take a while on a debug kernel under TCG */
TEST_F_TIMEOUT(sweep, fail_points, 240)
{
	run_sweep(_metadata, variant->path, &self->ctx, self->max_mntns);
}

/*
 * The leaks of the sweeps: kmemleak reports of objects allocated by this
 * program (the sweeps ran before this test, in the same kselftest run).
 */
FIXTURE(leaks) {};
FIXTURE_SETUP(leaks)
{
	if (geteuid())
		SKIP(return, "needs root");
	if (!kmemleak_available())
		SKIP(return, "no %s: not a CONFIG_DEBUG_KMEMLEAK kernel", KMEMLEAK);
}
FIXTURE_TEARDOWN(leaks) {}

TEST_F_TIMEOUT(leaks, kmemleak_after_sweeps, 120)
{
	expect_no_kmemleak(_metadata);
}

TEST_HARNESS_MAIN
