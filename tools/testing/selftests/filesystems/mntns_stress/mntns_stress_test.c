// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mount namespace features under load: NR_WORKERS processes (two per
 * vCPU of the lab's VMs) run random mixes of
 *   - unshare(UNSHARE_EMPTY_MNTNS) in a child, which then builds a tmpfs
 *     root (fsmount(), move_mount() onto "/", chroot),
 *   - clone3(CLONE_EMPTY_MNTNS),
 *   - fsmount(FSMOUNT_NAMESPACE) and open_tree(OPEN_TREE_NAMESPACE
 *     [| AT_RECURSIVE]), setns() into the new namespace and back,
 *   - move_mount(MOVE_MOUNT_BENEATH) onto "/" and the rest of the root
 *     switch in a child's private namespace,
 *   - mount + umount() and mount + umount2(MNT_DETACH) in the shared
 *     namespace, under the tree that the recursive open_tree() copies,
 *   - fork + exit,
 * for MNTNS_STRESS_SECONDS seconds (default 30, at most 600). Every
 * operation must succeed (nothing in the mix can fail on a correct kernel:
 * each worker mounts only on its own directory). At the end all workers
 * must have exited with 0, as many mount namespaces must have been created
 * as the operations account for (namespace ids are handed out by one
 * counter, __ns_tree_gen_id(), so the id of a namespace made after the run
 * tells how many were made during it), all of them must be gone again
 * (listns(2), UCOUNT_MNT_NAMESPACES; see ../mntns_accounting.h), the test's
 * own mounts must be as before, and kmemleak must find nothing allocated by
 * this program. The figures are printed as TAP diagnostics.
 *
 * MNTNS_STRESS_SEED sets the seed of the random mixes (printed). The
 * kselftest timeout (settings) allows the default run on a debug kernel
 * under TCG with room to spare; a run of minutes needs it raised.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../mntns_util.h"
#include "../mntns_accounting.h"
#include "clone3/clone3_selftests.h"
#include "kselftest_harness.h"

#define NR_WORKERS		4
#define DEFAULT_SECONDS		30
#define MAX_SECONDS		600
#define MAX_NOTES		8

struct stress_ctx {
	char base[64];		/* tmpfs in the test's own namespace */
	char src[96];		/* a directory on it */
	char wdir[NR_WORKERS][96]; /* each worker mounts only here */
	int orig_mntns;		/* the worker's namespace, to come back to */
	uint64_t orig_mntns_id;
	int worker;
};

/* ------------------------------------------------------------------ */

struct op_note {
	int op, step, err;
};

struct worker_stats {
	long ok[16];
	long failed[16];
	int nr_notes;
	struct op_note notes[MAX_NOTES];
};

static struct worker_stats *stats_of_worker;

/* Remember why an operation failed: which step, with which errno. */
static bool op_fail(int op, int step)
{
	struct worker_stats *ws = stats_of_worker;
	int i = __atomic_fetch_add(&ws->nr_notes, 1, __ATOMIC_RELAXED);

	if (i < MAX_NOTES)
		ws->notes[i] = (struct op_note){ op, step, errno };
	return false;
}

/* In a child: note and leave. */
static void __attribute__((noreturn)) child_fail(int op, int step)
{
	op_fail(op, step);
	_exit(1);
}

/* Did the child @pid (the result of a fork()) exit with 0? */
static bool reap(pid_t pid)
{
	return pid > 0 && wait_for_pid(pid) == 0;
}

/* ------------------------------------------------------------------ */
/* The operations. Each returns true on success.                      */

enum {
	OP_UNSHARE_EMPTY,
	OP_CLONE3_EMPTY,
	OP_FSMOUNT_NS,
	OP_OPEN_TREE_NS,
	OP_OPEN_TREE_NS_REC,
	OP_BENEATH_ROOT,
	OP_UMOUNT,
	OP_UMOUNT_DETACH,
	OP_FORK_EXIT,
	NR_OPS,
};

/* unshare(UNSHARE_EMPTY_MNTNS), then a tmpfs root on the nullfs one */
static bool op_unshare_empty(struct stress_ctx *c)
{
	const int op = OP_UNSHARE_EMPTY;
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		if (unshare(UNSHARE_EMPTY_MNTNS))
			child_fail(op, 1);
		if (!in_empty_mntns())
			child_fail(op, 2);
		/* a detached tmpfs: an anonymous namespace of its own */
		fd = fsmount_tmpfs(0, 0);
		if (fd < 0)
			child_fail(op, 3);
		if (sys_move_mount(fd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH))
			child_fail(op, 4);
		if (fchdir(fd) || chroot("."))
			child_fail(op, 5);
		if (mkdir("/etc", 0755) || statfs_type("/") != TMPFS_MAGIC ||
		    count_mounts() != 1)
			child_fail(op, 6);
		_exit(0);
	}
	return reap(pid) || op_fail(op, 0);
}

static bool op_clone3_empty(struct stress_ctx *c)
{
	struct __clone_args args = {
		.flags = CLONE_EMPTY_MNTNS,
		.exit_signal = SIGCHLD,
	};
	pid_t pid = sys_clone3(&args, sizeof(args));

	if (pid == 0) {
		if (!in_empty_mntns())
			child_fail(OP_CLONE3_EMPTY, 2);
		_exit(0);
	}
	if (pid < 0)
		return op_fail(OP_CLONE3_EMPTY, 1);
	return reap(pid) || op_fail(OP_CLONE3_EMPTY, 0);
}

/* setns() into the namespace of @nsfd, look around, come back */
static bool visit_ns(struct stress_ctx *c, int op, int nsfd, long root_magic)
{
	uint64_t id = nsfd_mntns_id(nsfd);
	bool ok = true;

	if (!id)
		return op_fail(op, 10);
	if (setns(nsfd, CLONE_NEWNS))
		return op_fail(op, 11);
	if (own_mntns_id() != id || statfs_type("/") != root_magic ||
	    count_mounts() < 1)
		ok = op_fail(op, 12);
	if (setns(c->orig_mntns, CLONE_NEWNS)) {
		/* nothing else can work from here */
		op_fail(op, 13);
		_exit(2);
	}
	if (own_mntns_id() != c->orig_mntns_id)
		ok = op_fail(op, 14);
	return ok;
}

static bool op_fsmount_ns(struct stress_ctx *c)
{
	int fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
	bool ok;

	if (fd < 0)
		return op_fail(OP_FSMOUNT_NS, 1);
	ok = visit_ns(c, OP_FSMOUNT_NS, fd, TMPFS_MAGIC);
	close(fd);
	return ok;
}

static bool open_tree_ns(struct stress_ctx *c, int op, const char *path,
			 unsigned int flags)
{
	int fd = sys_open_tree(AT_FDCWD, path,
			       OPEN_TREE_NAMESPACE | OPEN_TREE_CLOEXEC | flags);
	bool ok;

	if (fd < 0)
		return op_fail(op, 1);
	ok = visit_ns(c, op, fd, TMPFS_MAGIC);
	close(fd);
	return ok;
}

static bool op_open_tree_ns(struct stress_ctx *c)
{
	return open_tree_ns(c, OP_OPEN_TREE_NS, c->src, 0);
}

/* copies base with whatever the workers have mounted under it right now */
static bool op_open_tree_ns_rec(struct stress_ctx *c)
{
	return open_tree_ns(c, OP_OPEN_TREE_NS_REC, c->base, AT_RECURSIVE);
}

/* the root switch, in a child's private namespace */
static bool op_beneath_root(struct stress_ctx *c)
{
	const int op = OP_BENEATH_ROOT;
	pid_t pid = fork();

	if (pid == 0) {
		uint64_t id;
		int fd;

		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			child_fail(op, 1);
		fd = sys_open_tree(-EBADF, c->src,
				   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (fd < 0)
			child_fail(op, 2);
		if (sys_move_mount(fd, "", AT_FDCWD, "/",
				   MOVE_MOUNT_BENEATH | MOVE_MOUNT_F_EMPTY_PATH))
			child_fail(op, 3);
		if (umount2("/", MNT_DETACH))
			child_fail(op, 4);
		if (fchdir(fd) || chroot("."))
			child_fail(op, 5);
		id = mnt_id_fd(fd);
		if (!id || id != get_unique_mnt_id("/"))
			child_fail(op, 6);
		_exit(0);
	}
	return reap(pid) || op_fail(op, 0);
}

static bool mount_umount(struct stress_ctx *c, int op, int flags)
{
	const char *dir = c->wdir[c->worker];

	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k"))
		return op_fail(op, 1);
	if (umount2(dir, flags))
		return op_fail(op, 2);
	return true;
}

static bool op_umount(struct stress_ctx *c)
{
	return mount_umount(c, OP_UMOUNT, 0);
}

static bool op_umount_detach(struct stress_ctx *c)
{
	return mount_umount(c, OP_UMOUNT_DETACH, MNT_DETACH);
}

static bool op_fork_exit(struct stress_ctx *c)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return reap(pid) || op_fail(OP_FORK_EXIT, 0);
}

static const struct {
	const char *name;
	bool (*run)(struct stress_ctx *c);
	int mntns;	/* mount namespaces one run creates */
} ops[NR_OPS] = {
	/* the empty namespace and the anonymous one of the fsmount() */
	[OP_UNSHARE_EMPTY] = { "unshare(UNSHARE_EMPTY_MNTNS) + tmpfs root", op_unshare_empty, 2 },
	[OP_CLONE3_EMPTY] = { "clone3(CLONE_EMPTY_MNTNS)", op_clone3_empty, 1 },
	[OP_FSMOUNT_NS] = { "fsmount(FSMOUNT_NAMESPACE) + setns", op_fsmount_ns, 1 },
	[OP_OPEN_TREE_NS] = { "open_tree(OPEN_TREE_NAMESPACE) + setns", op_open_tree_ns, 1 },
	[OP_OPEN_TREE_NS_REC] = { "open_tree(OPEN_TREE_NAMESPACE | AT_RECURSIVE) + setns",
				  op_open_tree_ns_rec, 1 },
	/* the private namespace and the anonymous one of the clone */
	[OP_BENEATH_ROOT] = { "move_mount(MOVE_MOUNT_BENEATH) root switch", op_beneath_root, 2 },
	[OP_UMOUNT] = { "mount + umount", op_umount, 0 },
	[OP_UMOUNT_DETACH] = { "mount + umount2(MNT_DETACH)", op_umount_detach, 0 },
	[OP_FORK_EXIT] = { "fork + exit", op_fork_exit, 0 },
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn))
stress_worker(struct stress_ctx *c, struct worker_stats *ws, int worker,
	      unsigned int seed, double deadline)
{
	stats_of_worker = ws;
	c->worker = worker;
	c->orig_mntns = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
	c->orig_mntns_id = nsfd_mntns_id(c->orig_mntns);
	if (c->orig_mntns < 0 || !c->orig_mntns_id)
		_exit(3);

	while (now_s() < deadline) {
		int op = rand_r(&seed) % NR_OPS;

		if (ops[op].run(c))
			ws->ok[op]++;
		else
			ws->failed[op]++;
	}
	_exit(0);
}

/* ------------------------------------------------------------------ */

FIXTURE(stress) {
	struct stress_ctx ctx;
	long max_mntns;
	int seconds;
	unsigned int seed;
};

FIXTURE_SETUP(stress)
{
	struct stress_ctx *c = &self->ctx;
	const char *env;

	if (geteuid())
		SKIP(return, "needs root");

	self->seconds = DEFAULT_SECONDS;
	env = getenv("MNTNS_STRESS_SECONDS");
	if (env && *env) {
		self->seconds = atoi(env);
		ASSERT_TRUE(self->seconds > 0 && self->seconds <= MAX_SECONDS)
			TH_LOG("MNTNS_STRESS_SECONDS=%s: 1 to %d", env, MAX_SECONDS);
	}
	env = getenv("MNTNS_STRESS_SEED");
	self->seed = env && *env ? strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	self->max_mntns = read_long(MAX_MNT_NAMESPACES);
	ASSERT_GT(self->max_mntns, 0);

	/* our own mount namespace, private, with a tmpfs to work in */
	strcpy(c->base, "/tmp/mntns_stress.XXXXXX");
	private_tmpfs_dir(_metadata, c->base, NULL);
	snprintf(c->src, sizeof(c->src), "%s/src", c->base);
	ASSERT_EQ(0, mkdir(c->src, 0755));
	for (int i = 0; i < NR_WORKERS; i++) {
		snprintf(c->wdir[i], sizeof(c->wdir[i]), "%s/w%d", c->base, i);
		ASSERT_EQ(0, mkdir(c->wdir[i], 0755));
	}
}

FIXTURE_TEARDOWN(stress)
{
	if (self->ctx.base[0]) {
		umount2(self->ctx.base, MNT_DETACH);
		rmdir(self->ctx.base);
	}
}

/* A mount namespace made now: its id, minus one, counts all made before. */
static uint64_t next_ns_id(struct stress_ctx *c)
{
	int fd = sys_open_tree(AT_FDCWD, c->src,
			       OPEN_TREE_NAMESPACE | OPEN_TREE_CLOEXEC);
	uint64_t id;

	if (fd < 0)
		return 0;
	id = nsfd_mntns_id(fd);
	close(fd);
	return id;
}

TEST_F_TIMEOUT(stress, mixed, MAX_SECONDS + 120)
{
	struct stress_ctx *c = &self->ctx;
	struct worker_stats *ws;
	long active0, charged0, active1, charged1, created = 0;
	long ok[NR_OPS] = {}, failed[NR_OPS] = {};
	uint64_t id0, id1;
	ssize_t mounts0;
	pid_t pids[NR_WORKERS];
	double t0, deadline;
	int w;

	ws = mmap(NULL, sizeof(*ws) * NR_WORKERS, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ws);
	memset(ws, 0, sizeof(*ws) * NR_WORKERS);

	mounts0 = count_mounts();
	active0 = count_mntns();
	charged0 = mntns_ucount(self->max_mntns);
	ASSERT_GT(mounts0, 0);
	ASSERT_GT(active0, 0);
	ASSERT_GT(charged0, 0);
	/* from here on only the workers make namespaces, until id1 */
	id0 = next_ns_id(c);
	ASSERT_NE(0, id0);

	ksft_print_msg("%d workers, %d s, seed %u (MNTNS_STRESS_SEED)\n",
		       NR_WORKERS, self->seconds, self->seed);
	t0 = now_s();
	deadline = t0 + self->seconds;
	for (w = 0; w < NR_WORKERS; w++) {
		pids[w] = fork();
		ASSERT_GE(pids[w], 0);
		if (pids[w] == 0)
			stress_worker(c, &ws[w], w, self->seed + w, deadline);
	}
	for (w = 0; w < NR_WORKERS; w++) {
		int status;

		ASSERT_EQ(pids[w], waitpid(pids[w], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("worker %d: status 0x%x", w, status);
	}
	ksft_print_msg("workers done after %.1f s\n", now_s() - t0);

	id1 = next_ns_id(c);
	ASSERT_NE(0, id1);

	for (w = 0; w < NR_WORKERS; w++) {
		for (int op = 0; op < NR_OPS; op++) {
			ok[op] += ws[w].ok[op];
			failed[op] += ws[w].failed[op];
		}
		for (int i = 0; i < ws[w].nr_notes && i < MAX_NOTES; i++) {
			struct op_note *n = &ws[w].notes[i];

			TH_LOG("worker %d: %s failed at step %d: %s", w,
			       ops[n->op].name, n->step, strerror(n->err));
		}
	}
	for (int op = 0; op < NR_OPS; op++) {
		ksft_print_msg("%-52s %6ld ok %4ld failed\n", ops[op].name,
			       ok[op], failed[op]);
		EXPECT_EQ(0, failed[op]) TH_LOG("%s failed", ops[op].name);
		EXPECT_GT(ok[op], 0) TH_LOG("%s never ran", ops[op].name);
		created += ok[op] * ops[op].mntns;
	}

	/* each visit_ns() is two setns() calls, into the namespace and back */
	ksft_print_msg("setns() calls: %ld\n",
		       2 * (ok[OP_FSMOUNT_NS] + ok[OP_OPEN_TREE_NS] +
			    ok[OP_OPEN_TREE_NS_REC]));

	active1 = count_mntns();
	charged1 = mntns_ucount(self->max_mntns);
	ksft_print_msg("mount namespaces created: %ld by the operations, %llu by the ids\n",
		       created, (unsigned long long)(id1 - id0 - 1));
	ksft_print_msg("mount namespaces freed: %ld (active %ld -> %ld, charged %ld -> %ld)\n",
		       created - (charged1 - charged0), active0, active1,
		       charged0, charged1);
	EXPECT_EQ(created, (long)(id1 - id0 - 1));
	EXPECT_EQ(active0, active1);
	EXPECT_EQ(charged0, charged1);
	EXPECT_EQ(mounts0, count_mounts());

	if (kmemleak_available())
		expect_no_kmemleak(_metadata);
	else
		ksft_print_msg("kmemleak: not available, no leak scan\n");
	munmap(ws, sizeof(*ws) * NR_WORKERS);
}

TEST_HARNESS_MAIN
