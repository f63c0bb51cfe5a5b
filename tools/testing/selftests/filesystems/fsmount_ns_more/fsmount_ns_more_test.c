// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * More tests for the mount namespaces that fsmount(FSMOUNT_NAMESPACE) and
 * open_tree(OPEN_TREE_NAMESPACE) create and return as an nsfs fd.
 *
 * Both end in create_new_namespace() (fs/namespace.c): it clones the root
 * mount of the caller's mount namespace (the nullfs mount at the very
 * bottom, not the rootfs stacked on it) into a new namespace owned by the
 * caller's user namespace, and attaches on top of that clone either a clone
 * of the new mount (fsmount(), MOUNT_COPY_NEW) or a copy of the tree at
 * the path (open_tree(), __do_loopback(), AT_RECURSIVE for the subtree).
 *
 * This goes beyond upstream's filesystems/fsmount_ns and open_tree_ns:
 * every flag and attribute value and each invalid combination, the order
 * of the errors, ENOTDIR, EBUSY on a consumed fs context, EPERM from
 * mount_too_revealing(), ENOSPC at max_mnt_namespaces and EMFILE without
 * leaving a namespace behind, callers in a child user namespace (what gets
 * locked, what stays hidden, the "foreign && !recurse && children" rule),
 * the lock taken over from the overmount stack of the real root,
 * propagation of the copies, ids, setns(), an fd outliving its creator,
 * detached and unmounted sources, and 1000 rounds of create and close.
 *
 * Expectations are exact and derived from the 7.2 sources; the comments
 * name the function that decides each value.  The tests need real root;
 * they create the user namespaces of the unprivileged parts themselves.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/stat.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../mntns_util.h"
#include "../mntns_accounting.h"
#include "kselftest_harness.h"
#include "../expect_errno.h"

/* fsmount(): the flags it knows (SYSCALL_DEFINE3(fsmount)) */
#define FSMOUNT_KNOWN_FLAGS	(FSMOUNT_CLOEXEC | FSMOUNT_NAMESPACE)

/* fsmount(): FSMOUNT_VALID_FLAGS, the attributes it takes */
#define FSMOUNT_VALID_ATTRS						\
	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |	\
	 MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME |	\
	 MOUNT_ATTR_NOSYMFOLLOW)

/* vfs_open_tree(): the flags it knows */
#define OPEN_TREE_KNOWN_FLAGS						\
	(AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_RECURSIVE |		\
	 AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |	\
	 OPEN_TREE_NAMESPACE)

/* the create-and-close rounds of the leak test, per system call */
#define NR_ROUNDS		1000

static int sys_mount_setattr(int dfd, const char *path, unsigned int flags,
			     uint64_t set, uint64_t clr)
{
	struct mount_attr attr = {
		.attr_set	= set,
		.attr_clr	= clr,
	};

	return syscall(__NR_mount_setattr, dfd, path, flags, &attr,
		       sizeof(attr));
}

static int sys_mount_setattr_idmap(int dfd, const char *path,
				   unsigned int flags, int userns_fd)
{
	struct mount_attr attr = {
		.attr_set	= MOUNT_ATTR_IDMAP,
		.userns_fd	= userns_fd,
	};

	return syscall(__NR_mount_setattr, dfd, path, flags, &attr,
		       sizeof(attr));
}

static int open_tree_ns(const char *path, unsigned int flags)
{
	return sys_open_tree(AT_FDCWD, path, OPEN_TREE_NAMESPACE | flags);
}

/* nsfs inode number of the user namespace owning @nsfd's namespace */
static ino_t nsfd_owner_ino(int nsfd)
{
	struct stat st;
	int userns;

	userns = ioctl(nsfd, NS_GET_USERNS);
	if (userns < 0)
		return 0;
	if (fstat(userns, &st))
		st.st_ino = 0;
	close(userns);
	return st.st_ino;
}

static ino_t path_ino(int dfd, const char *path)
{
	struct stat st;

	if (fstatat(dfd, path, &st, 0))
		return 0;
	return st.st_ino;
}

static bool cloexec(int fd)
{
	return fcntl(fd, F_GETFD) == FD_CLOEXEC;
}

static bool is_mount_root(const char *path)
{
	struct statx sx;

	if (statx(AT_FDCWD, path, 0, STATX_ATTR_MOUNT_ROOT, &sx))
		return false;
	return sx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
}

/* The mount points of @ns_id (0: ours), as the caller sees them. */
static int mount_points(uint64_t ns_id, char points[][PATH_MAX], int max)
{
	uint64_t list[64];
	ssize_t nr;
	int i;

	nr = listmount(LSMT_ROOT, ns_id, 0, list, 64, 0);
	if (nr < 0 || nr > max)
		return -1;
	for (i = 0; i < nr; i++) {
		struct statmount *sm;

		sm = statmount_alloc(list[i], ns_id, STATMOUNT_MNT_POINT, 0);
		if (!sm)
			return -1;
		snprintf(points[i], PATH_MAX, "%s", sm->str + sm->mnt_point);
		free(sm);
	}
	return nr;
}

static bool has_point(char points[][PATH_MAX], int nr, const char *want)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(points[i], want))
			return true;
	return false;
}

static void wait_child_ok(struct __test_metadata *_metadata, pid_t pid)
{
	int status;

	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status))
		TH_LOG("child killed by signal %d", WTERMSIG(status));
	ASSERT_EQ(WEXITSTATUS(status), 0)
		TH_LOG("a check in the child failed, see above");
}

/*
 * What every test starts from: a mount namespace of its own (made private,
 * so nothing propagates back to the VM's) and in it a tmpfs T:
 *
 *   T/file          "file\n"
 *   T/link          -> b
 *   T/fifo
 *   T/b/            a directory, nothing mounted at or below it
 *   T/c/            a directory for mounts the tests make
 *   T/a/            tmpfs A, covering T/a/hidden_a; in it:
 *     in_a, newdir/, sub/ (tmpfs S, covering sub/hidden_sub; in it: in_sub)
 *   T/u/            tmpfs U, MS_UNBINDABLE, covering T/u/hidden_u; in it: in_u
 *   T/f/target      "covered\n", with T/file bind-mounted on it
 *
 * T's child mounts are A (at a), U (at u) and the file (at f/target).
 */
struct env {
	int orig_mntns;		/* the test's mount namespace */
	int proc_fd;		/* /proc, reachable from namespaces without it */
	char dir[64];		/* T */
	ssize_t nr_mntns;	/* active mount namespaces after the setup */
};

/* @rel below T, in one of eight rotating buffers */
static const char *tp(const struct env *e, const char *rel)
{
	static char bufs[8][PATH_MAX];
	static unsigned int next;
	char *buf = bufs[next++ % 8];

	snprintf(buf, PATH_MAX, "%s%s%s", e->dir, *rel ? "/" : "", rel);
	return buf;
}

static void env_setup(struct __test_metadata *_metadata, struct env *e)
{
	e->orig_mntns = -1;
	e->proc_fd = -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/fsmount_ns_more.XXXXXX");
	private_tmpfs_dir(_metadata, e->dir, NULL);
	e->orig_mntns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(e->orig_mntns, 0);
	e->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(e->proc_fd, 0);

	ASSERT_EQ(create_file(tp(e, "file"), "file\n"), 0);
	ASSERT_EQ(symlink("b", tp(e, "link")), 0);
	ASSERT_EQ(mkfifo(tp(e, "fifo"), 0600), 0);
	ASSERT_EQ(mkdir(tp(e, "b"), 0755), 0);
	ASSERT_EQ(mkdir(tp(e, "c"), 0755), 0);

	ASSERT_EQ(mkdir(tp(e, "a"), 0755), 0);
	ASSERT_EQ(create_file(tp(e, "a/hidden_a"), "hidden\n"), 0);
	ASSERT_EQ(sys_mount("tmpfs", tp(e, "a"), "tmpfs", 0, NULL), 0);
	ASSERT_EQ(create_file(tp(e, "a/in_a"), "in\n"), 0);
	ASSERT_EQ(mkdir(tp(e, "a/newdir"), 0755), 0);
	ASSERT_EQ(mkdir(tp(e, "a/sub"), 0755), 0);
	ASSERT_EQ(create_file(tp(e, "a/sub/hidden_sub"), "hidden\n"), 0);
	ASSERT_EQ(sys_mount("tmpfs", tp(e, "a/sub"), "tmpfs", 0, NULL), 0);
	ASSERT_EQ(create_file(tp(e, "a/sub/in_sub"), "in\n"), 0);

	ASSERT_EQ(mkdir(tp(e, "u"), 0755), 0);
	ASSERT_EQ(create_file(tp(e, "u/hidden_u"), "hidden\n"), 0);
	ASSERT_EQ(sys_mount("tmpfs", tp(e, "u"), "tmpfs", 0, NULL), 0);
	ASSERT_EQ(sys_mount(NULL, tp(e, "u"), NULL, MS_UNBINDABLE, NULL), 0);
	ASSERT_EQ(create_file(tp(e, "u/in_u"), "in\n"), 0);

	ASSERT_EQ(mkdir(tp(e, "f"), 0755), 0);
	ASSERT_EQ(create_file(tp(e, "f/target"), "covered\n"), 0);
	ASSERT_EQ(sys_mount(tp(e, "file"), tp(e, "f/target"), NULL, MS_BIND,
			    NULL), 0);

	e->nr_mntns = count_mntns();
	ASSERT_GT(e->nr_mntns, 0);
}

/* From the test process; from the harness parent T is a plain directory. */
static void env_teardown(struct env *e, bool in_parent)
{
	if (!e->dir[0])
		return;
	if (!in_parent) {
		if (e->orig_mntns >= 0)
			setns(e->orig_mntns, CLONE_NEWNS);
		umount2(e->dir, MNT_DETACH);
	}
	rmdir(e->dir);
}

/* The mount points of @e's T copy in the namespace of @nsfd, from inside. */
static int points_inside(struct __test_metadata *_metadata,
			 const struct env *e, int nsfd,
			 char points[][PATH_MAX], int max)
{
	int nr;

	ASSERT_EQ(setns(nsfd, CLONE_NEWNS), 0);
	nr = mount_points(0, points, max);
	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);
	return nr;
}

/* statmount() of the root mount of @nsfd's namespace, from inside */
static void statmount_inside(struct __test_metadata *_metadata,
			     const struct env *e, int nsfd,
			     struct statmount *sm)
{
	uint64_t id;
	int ret;

	ASSERT_EQ(setns(nsfd, CLONE_NEWNS), 0);
	id = get_unique_mnt_id("/");
	ret = sm_get(id, 0, sm);
	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);
	ASSERT_NE(id, 0);
	ASSERT_EQ(ret, 0);
}

FIXTURE(fsns) {
	struct env e;
};

FIXTURE_SETUP(fsns)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(fsns)
{
	env_teardown(&self->e, false);
}

/*
 * SYSCALL_DEFINE3(fsmount): unknown flags are EINVAL before anything else
 * (the capability, the attributes, the fd); then the attributes, then the
 * fd (EBADF), whether it is an fs context (EINVAL), whether that has a
 * superblock (EINVAL).  None of it touches the context.
 */
TEST_F(fsns, fsmount_flags_invalid)
{
	ssize_t nr = self->e.nr_mntns;
	int ctx, raw, dirfd, fd, bit;

	ctx = fs_context("tmpfs");
	ASSERT_GE(ctx, 0);

	for (bit = 0; bit < 32; bit++) {
		unsigned int flag = 1U << bit;

		if (flag & FSMOUNT_KNOWN_FLAGS)
			continue;
		EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE | flag, 0));
		EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE |
						      FSMOUNT_CLOEXEC | flag, 0));
		EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(-1, FSMOUNT_NAMESPACE | flag, 0));
		EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE | flag,
						      MOUNT_ATTR_IDMAP));
	}
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, ~0U, 0));

	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(-1, FSMOUNT_NAMESPACE, MOUNT_ATTR_IDMAP));
	EXPECT_OPEN_ERRNO(EBADF, sys_fsmount(-1, FSMOUNT_NAMESPACE, 0));

	/* fd_file(f)->f_op != &fscontext_fops */
	dirfd = open(self->e.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(dirfd, 0);
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(dirfd, FSMOUNT_NAMESPACE, 0));
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(self->e.orig_mntns, FSMOUNT_NAMESPACE, 0));
	close(dirfd);

	/* !fc->root: fsopen() without FSCONFIG_CMD_CREATE */
	raw = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	ASSERT_GE(raw, 0);
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(raw, FSMOUNT_NAMESPACE, 0));
	close(raw);

	EXPECT_EQ(count_mntns(), nr);

	/* The context is still awaiting its mount. */
	fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0);
	ASSERT_GE(fd, 0);
	EXPECT_FALSE(cloexec(fd));
	EXPECT_EQ(ioctl(fd, NS_GET_NSTYPE), CLONE_NEWNS);
	EXPECT_EQ(count_mntns(), nr + 1);
	close(fd);
	close(ctx);
	EXPECT_EQ(count_mntns(), nr);

	fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
	ASSERT_GE(fd, 0);
	EXPECT_TRUE(cloexec(fd));
	close(fd);
	EXPECT_EQ(count_mntns(), nr);
}

/*
 * attr_flags outside FSMOUNT_VALID_FLAGS (MOUNT_ATTR_IDMAP among them: an
 * idmap needs mount_setattr()) and the atime values other than RELATIME,
 * NOATIME and STRICTATIME: EINVAL, the context untouched.
 */
TEST_F(fsns, fsmount_attr_invalid)
{
	ssize_t nr = self->e.nr_mntns;
	unsigned int v;
	int ctx, fd, bit;

	ctx = fs_context("tmpfs");
	ASSERT_GE(ctx, 0);

	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE, MOUNT_ATTR_IDMAP));
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE,
					      MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY));
	for (bit = 0; bit < 32; bit++) {
		unsigned int attr = 1U << bit;

		if (attr & FSMOUNT_VALID_ATTRS)
			continue;
		EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE, attr));
		EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE,
						      attr | MOUNT_ATTR_NOSUID));
	}
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE, ~0U));

	/* the switch on attr_flags & MOUNT_ATTR__ATIME */
	for (v = 0x30; v <= MOUNT_ATTR__ATIME; v += 0x10) {
		EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE, v));
		EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE,
						      v | MOUNT_ATTR_RDONLY |
						      MOUNT_ATTR_NODIRATIME));
	}
	EXPECT_EQ(count_mntns(), nr);

	fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE | FSMOUNT_CLOEXEC, 0);
	ASSERT_GE(fd, 0);
	EXPECT_TRUE(cloexec(fd));
	close(fd);
	close(ctx);
	EXPECT_EQ(count_mntns(), nr);
}

/*
 * Every valid attr_flags value: attr_flags_to_mnt_flags() and the atime
 * switch set the mount flags, clone_mnt() copies them into the new
 * namespace, mnt_to_attr_flags() gives them back in statmount(): the same
 * value (MOUNT_ATTR_RELATIME is 0).  Seen from inside the new namespace.
 */
TEST_F(fsns, fsmount_attr_valid)
{
	static const unsigned int bits[] = {
		MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV,
		MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_NOSYMFOLLOW,
	};
	static const unsigned int atimes[] = {
		MOUNT_ATTR_RELATIME, MOUNT_ATTR_NOATIME, MOUNT_ATTR_STRICTATIME,
	};
	ssize_t nr = self->e.nr_mntns;
	unsigned int mask, i, a;

	for (mask = 0; mask < (1U << 6); mask++) {
		for (a = 0; a < 3; a++) {
			unsigned int attr = atimes[a];
			struct statmount sm;
			uint64_t id;
			int fd;

			for (i = 0; i < 6; i++)
				if (mask & (1U << i))
					attr |= bits[i];
			fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, attr);
			ASSERT_GE(fd, 0) TH_LOG("attr %#x: %s", attr, strerror(errno));
			id = nsfd_mntns_id(fd);
			statmount_inside(_metadata, &self->e, fd, &sm);
			EXPECT_EQ(sm.mnt_attr, attr) TH_LOG("attr %#x", attr);
			EXPECT_EQ(sm.sb_magic, TMPFS_MAGIC);
			EXPECT_EQ(sm.mnt_ns_id, id);
			EXPECT_NE(id, 0);
			close(fd);
		}
	}
	EXPECT_EQ(count_mntns(), nr);
}

/* The attributes act on the new mount: read-only, no symlinks followed. */
TEST_F(fsns, fsmount_attr_effect)
{
	int fd;

	fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, MOUNT_ATTR_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_ERRNO(EROFS, mkdir("/d", 0755));
	ASSERT_EQ(setns(self->e.orig_mntns, CLONE_NEWNS), 0);
	close(fd);

	fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, MOUNT_ATTR_NOSYMFOLLOW);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_EQ(mkdir("/d", 0755), 0);
	EXPECT_EQ(symlink("/d", "/l"), 0);
	EXPECT_OPEN_ERRNO(ELOOP, open("/l", O_RDONLY | O_DIRECTORY));
	ASSERT_EQ(setns(self->e.orig_mntns, CLONE_NEWNS), 0);
	close(fd);
}

/*
 * vfs_open_tree(): unknown flags, AT_RECURSIVE without OPEN_TREE_CLONE or
 * OPEN_TREE_NAMESPACE, and both of those: EINVAL, before the capability
 * check and the lookup.  (The fd is reserved even earlier, see emfile.)
 */
TEST_F(fsns, open_tree_flags_invalid)
{
	static const unsigned int combos[] = {
		OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE,
		OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE | AT_RECURSIVE,
		OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC,
		OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE | AT_EMPTY_PATH,
		AT_RECURSIVE,
		AT_RECURSIVE | OPEN_TREE_CLOEXEC,
		AT_RECURSIVE | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW,
		~0U,
	};
	const char *t = self->e.dir;
	ssize_t nr = self->e.nr_mntns;
	unsigned int i;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		unsigned int flag = 1U << bit;

		if (flag & OPEN_TREE_KNOWN_FLAGS)
			continue;
		EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(AT_FDCWD, t, OPEN_TREE_NAMESPACE | flag));
		EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(AT_FDCWD, t, OPEN_TREE_NAMESPACE |
							AT_RECURSIVE | flag));
		EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(AT_FDCWD, "/nonexistent",
							OPEN_TREE_NAMESPACE | flag));
	}
	for (i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
		EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(AT_FDCWD, t, combos[i]));
		EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(AT_FDCWD, "/nonexistent", combos[i]));
	}

	/* valid flags: now the lookup decides */
	EXPECT_OPEN_ERRNO(ENOENT, open_tree_ns("/nonexistent", 0));
	EXPECT_OPEN_ERRNO(ENOENT, open_tree_ns("/nonexistent", AT_RECURSIVE));
	EXPECT_OPEN_ERRNO(ENOENT, open_tree_ns("", 0));
	EXPECT_OPEN_ERRNO(EBADF, sys_open_tree(-1, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH));
	EXPECT_EQ(count_mntns(), nr);
}

/*
 * The valid flags with OPEN_TREE_NAMESPACE.  AT_SYMLINK_NOFOLLOW stops at
 * the symlink (then ENOTDIR, see create_new_namespace()), OPEN_TREE_CLOEXEC
 * is O_CLOEXEC of the fd, the new mount's root is the dentry looked up.
 */
TEST_F(fsns, open_tree_flags_valid)
{
	static const struct {
		const char *path;
		unsigned int flags;
		int err;
		const char *root;	/* statmount() mnt_root of the new mount */
		long nr_mounts;
	} cases[] = {
		{ "",     0,                         0,       "/",  1 },
		{ "",     OPEN_TREE_CLOEXEC,         0,       "/",  1 },
		{ "",     AT_NO_AUTOMOUNT,           0,       "/",  1 },
		{ "",     AT_SYMLINK_NOFOLLOW,       0,       "/",  1 },
		{ "",     AT_RECURSIVE,              0,       "/",  4 },
		{ "",     AT_RECURSIVE | OPEN_TREE_CLOEXEC | AT_NO_AUTOMOUNT |
			  AT_SYMLINK_NOFOLLOW,       0,       "/",  4 },
		{ "b",    0,                         0,       "/b", 1 },
		{ "link", 0,                         0,       "/b", 1 },
		{ "link", AT_RECURSIVE,              0,       "/b", 1 },
		{ "link", AT_SYMLINK_NOFOLLOW,       ENOTDIR, NULL, 0 },
		{ "a",    0,                         0,       "/",  1 },
		{ "a",    AT_RECURSIVE,              0,       "/",  2 },
	};
	ssize_t nr = self->e.nr_mntns;
	unsigned int i;
	int dfd, fd;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct statmount *sm;
		uint64_t list[8];
		uint64_t id;

		fd = open_tree_ns(tp(&self->e, cases[i].path), cases[i].flags);
		if (cases[i].err) {
			EXPECT_EQ(fd, -1);
			EXPECT_EQ(errno, cases[i].err) TH_LOG("case %u", i);
			if (fd >= 0)
				close(fd);
			continue;
		}
		ASSERT_GE(fd, 0) TH_LOG("case %u: %s", i, strerror(errno));
		EXPECT_EQ(cloexec(fd), !!(cases[i].flags & OPEN_TREE_CLOEXEC));
		EXPECT_EQ(ioctl(fd, NS_GET_NSTYPE), CLONE_NEWNS);
		EXPECT_EQ(nsfd_nr_mounts(fd), cases[i].nr_mounts) TH_LOG("case %u", i);
		id = nsfd_mntns_id(fd);
		ASSERT_GE(listmount(LSMT_ROOT, id, 0, list, 8, 0), 1);
		sm = statmount_alloc(list[0], id, STATMOUNT_MNT_ROOT, 0);
		ASSERT_NE(sm, NULL);
		EXPECT_STREQ(sm->str + sm->mnt_root, cases[i].root) TH_LOG("case %u", i);
		free(sm);
		close(fd);
	}

	/* AT_EMPTY_PATH on an O_PATH fd of a directory */
	dfd = open(tp(&self->e, "b"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(dfd, 0);
	fd = sys_open_tree(dfd, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(nsfd_nr_mounts(fd), 1);
	close(fd);
	close(dfd);
	EXPECT_EQ(count_mntns(), nr);
}

/*
 * open_tree() has no attributes of its own: clone_mnt() copies the mount
 * flags of the source, whatever they are.
 */
TEST_F(fsns, open_tree_copies_attrs)
{
	static const unsigned int attrs[] = {
		MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME |
		MOUNT_ATTR_NOSYMFOLLOW,
		MOUNT_ATTR_STRICTATIME,
		MOUNT_ATTR_RELATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOEXEC,
	};
	const unsigned int all = FSMOUNT_VALID_ATTRS;
	unsigned int i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		struct statmount sm;
		int fd;

		ASSERT_EQ(sys_mount_setattr(AT_FDCWD, self->e.dir, 0, attrs[i], all), 0);
		fd = open_tree_ns(self->e.dir, 0);
		ASSERT_GE(fd, 0);
		statmount_inside(_metadata, &self->e, fd, &sm);
		EXPECT_EQ(sm.mnt_attr, attrs[i]);
		close(fd);
	}
}

/*
 * create_new_namespace(): !d_can_lookup(path->dentry) -> ENOTDIR, first
 * thing, whatever the tree is: a regular file, a bind-mounted file (the
 * root of its mount), a symlink, a fifo, a device, an nsfs or pidfs file,
 * a detached file mount.  With and without AT_RECURSIVE.
 */
TEST_F(fsns, open_tree_enotdir)
{
	static const struct {
		const char *path;
		unsigned int flags;
	} paths[] = {
		{ "file",     0 },
		{ "f/target", 0 },
		{ "fifo",     0 },
		{ "link",     AT_SYMLINK_NOFOLLOW },
	};
	ssize_t nr = self->e.nr_mntns;
	int fds[5], nrfds = 0, i, rec;

	fds[nrfds++] = open(tp(&self->e, "file"), O_PATH | O_CLOEXEC);
	fds[nrfds++] = open(tp(&self->e, "f/target"), O_RDONLY | O_CLOEXEC);
	fds[nrfds++] = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	fds[nrfds++] = syscall(__NR_pidfd_open, getpid(), 0);
	fds[nrfds++] = sys_open_tree(AT_FDCWD, tp(&self->e, "file"),
				     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	for (i = 0; i < nrfds; i++)
		ASSERT_GE(fds[i], 0) TH_LOG("fd %d", i);

	for (rec = 0; rec <= AT_RECURSIVE; rec += AT_RECURSIVE) {
		for (i = 0; i < (int)(sizeof(paths) / sizeof(paths[0])); i++)
			EXPECT_OPEN_ERRNO(ENOTDIR, open_tree_ns(tp(&self->e, paths[i].path),
								paths[i].flags | rec));
		EXPECT_OPEN_ERRNO(ENOTDIR, open_tree_ns("/dev/null", rec));
		EXPECT_OPEN_ERRNO(ENOTDIR, open_tree_ns("/proc/self/ns/mnt", rec));
		for (i = 0; i < nrfds; i++)
			EXPECT_OPEN_ERRNO(ENOTDIR, sys_open_tree(fds[i], "", OPEN_TREE_NAMESPACE |
								 AT_EMPTY_PATH | rec));
	}
	for (i = 0; i < nrfds; i++)
		close(fds[i]);
	EXPECT_EQ(count_mntns(), nr);
}

/*
 * fsmount(FSMOUNT_NAMESPACE) of a filesystem whose root is no directory.
 * No filesystem of the lab's config can be that: fsopen() reaches sysfs,
 * tmpfs, proc, devtmpfs, tracefs, pipefs, ramfs and devpts, all with a
 * directory root (see the fstype tests).  FUSE can (rootmode=, checked by
 * fuse_valid_type() only), where it is built in.
 */
TEST_F(fsns, fsmount_regular_file_root)
{
	ssize_t nr = self->e.nr_mntns;
	char devfd[16];
	int ctx, dev;

	ctx = sys_fsopen("fuse", FSOPEN_CLOEXEC);
	if (ctx < 0 && errno == ENODEV)
		SKIP(return, "no FUSE in this kernel: no filesystem here has a non-directory root");
	ASSERT_GE(ctx, 0);
	dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	ASSERT_GE(dev, 0);
	snprintf(devfd, sizeof(devfd), "%d", dev);
	ASSERT_EQ(sys_fsconfig(ctx, FSCONFIG_SET_STRING, "fd", devfd, 0), 0);
	ASSERT_EQ(sys_fsconfig(ctx, FSCONFIG_SET_STRING, "rootmode", "100644", 0), 0);
	ASSERT_EQ(sys_fsconfig(ctx, FSCONFIG_SET_STRING, "user_id", "0", 0), 0);
	ASSERT_EQ(sys_fsconfig(ctx, FSCONFIG_SET_STRING, "group_id", "0", 0), 0);
	ASSERT_EQ(sys_fsconfig(ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0), 0);

	EXPECT_OPEN_ERRNO(ENOTDIR, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
	/* vfs_clean_context() ran before create_new_namespace() */
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
	EXPECT_EQ(count_mntns(), nr);
	close(ctx);
	close(dev);
}

/*
 * fsmount() consumes the context: vfs_clean_context() moves it to
 * FS_CONTEXT_AWAITING_RECONF, and fc->phase != FS_CONTEXT_AWAITING_MOUNT
 * is EBUSY for every later fsmount(), namespace or not.
 */
TEST_F(fsns, fsmount_ebusy_after_success)
{
	ssize_t nr = self->e.nr_mntns;
	int ctx, fd;

	ctx = fs_context("tmpfs");
	ASSERT_GE(ctx, 0);
	fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0);
	ASSERT_GE(fd, 0);
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, MOUNT_ATTR_RDONLY));
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx, 0, 0));
	/* the earlier checks still come first */
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE, MOUNT_ATTR_IDMAP));
	EXPECT_EQ(count_mntns(), nr + 1);
	close(fd);
	close(ctx);
	EXPECT_EQ(count_mntns(), nr);
}

/*
 * No free fd.  Both system calls reserve the fd in FD_ADD(): open_tree()
 * before anything else (even the flag checks), fsmount() after all its
 * checks and vfs_clean_context(), before create_new_namespace().  No
 * namespace is made; the fs context is consumed all the same.
 */
TEST_F(fsns, emfile)
{
	const char *t = self->e.dir;
	ssize_t nr = self->e.nr_mntns;
	struct rlimit rl;
	int ctx, fd, last = -1;

	ctx = fs_context("tmpfs");
	ASSERT_GE(ctx, 0);
	ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 64;
	ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fd = dup(0)) >= 0)
		last = fd;
	ASSERT_EQ(errno, EMFILE);
	ASSERT_GE(last, 0);

	EXPECT_OPEN_ERRNO(EMFILE, open_tree_ns(t, 0));
	EXPECT_OPEN_ERRNO(EMFILE, open_tree_ns(t, AT_RECURSIVE));
	EXPECT_OPEN_ERRNO(EMFILE, open_tree_ns("/nonexistent", 0));
	EXPECT_OPEN_ERRNO(EMFILE, open_tree_ns(tp(&self->e, "file"), 0));
	EXPECT_OPEN_ERRNO(EMFILE, sys_open_tree(AT_FDCWD, t, OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE));
	EXPECT_OPEN_ERRNO(EMFILE, sys_open_tree(AT_FDCWD, t, AT_RECURSIVE));

	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE | 0x4, 0));
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE, MOUNT_ATTR_IDMAP));
	EXPECT_OPEN_ERRNO(EBADF, sys_fsmount(-1, FSMOUNT_NAMESPACE, 0));
	EXPECT_OPEN_ERRNO(EMFILE, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
	EXPECT_EQ(count_mntns(), nr);

	close(last);
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
	fd = open_tree_ns(t, 0);
	EXPECT_EQ(fd, last);
	EXPECT_EQ(count_mntns(), nr + 1);
	close(fd);
	EXPECT_EQ(count_mntns(), nr);
}

/*
 * Without CAP_SYS_ADMIN in the caller's user namespace: EPERM, after the
 * flag checks and before the attributes (fsmount()) or the lookup
 * (open_tree()).  The fs context is left as it was.
 */
TEST_F(fsns, no_cap_sys_admin)
{
	const struct env *e = &self->e;
	ssize_t nr = e->nr_mntns;
	int ctx, fd;
	pid_t pid;

	ctx = fs_context("tmpfs");
	ASSERT_GE(ctx, 0);
	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		CHILD_CHECK(caps_down());
		CHILD_ERRNO(EPERM, open_tree_ns(e->dir, 0));
		CHILD_ERRNO(EPERM, open_tree_ns(e->dir, AT_RECURSIVE));
		CHILD_ERRNO(EPERM, open_tree_ns("/nonexistent", 0));
		CHILD_ERRNO(EPERM, open_tree_ns(tp(e, "file"), 0));
		CHILD_ERRNO(EINVAL, sys_open_tree(AT_FDCWD, e->dir,
						  OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE));
		CHILD_ERRNO(EPERM, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
		CHILD_ERRNO(EPERM, sys_fsmount(ctx, FSMOUNT_NAMESPACE, MOUNT_ATTR_IDMAP));
		CHILD_ERRNO(EPERM, sys_fsmount(-1, FSMOUNT_NAMESPACE, 0));
		CHILD_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE | 0x4, 0));
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0);
	EXPECT_GE(fd, 0);
	close(fd);
	close(ctx);
	EXPECT_EQ(wait_mntns_count(nr), nr);
}

/*
 * Root over its own mount namespace, without AT_RECURSIVE: only the mount
 * at the path is cloned (__do_loopback(), clone_mnt()).  What T's child
 * mounts covered is plain to see in the copy; the caller may see it anyway.
 */
TEST_F(fsns, open_tree_not_recursive)
{
	char points[8][PATH_MAX];
	int fd;

	fd = open_tree_ns(self->e.dir, 0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(nsfd_nr_mounts(fd), 1);
	ASSERT_EQ(points_inside(_metadata, &self->e, fd, points, 8), 1);
	EXPECT_STREQ(points[0], "/");

	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_TRUE(file_is(AT_FDCWD, "/a/hidden_a", "hidden\n"));
	EXPECT_ERRNO(ENOENT, access("/a/in_a", F_OK));
	EXPECT_TRUE(file_is(AT_FDCWD, "/u/hidden_u", "hidden\n"));
	EXPECT_TRUE(file_is(AT_FDCWD, "/f/target", "covered\n"));
	ASSERT_EQ(setns(self->e.orig_mntns, CLONE_NEWNS), 0);
	close(fd);

	/* T/a has S below it: fine for a caller over its own namespace */
	fd = open_tree_ns(tp(&self->e, "a"), 0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(nsfd_nr_mounts(fd), 1);
	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_TRUE(file_is(AT_FDCWD, "/sub/hidden_sub", "hidden\n"));
	ASSERT_EQ(setns(self->e.orig_mntns, CLONE_NEWNS), 0);
	close(fd);
}

/*
 * With AT_RECURSIVE: copy_tree() of the subtree, without the unbindable U
 * (no CL_COPY_UNBINDABLE for a caller over its namespace: what U covers
 * shows).  Nothing is locked: the real root's overmount stack has no
 * locked mount, the caller is not foreign.
 */
TEST_F(fsns, open_tree_recursive)
{
	char points[8][PATH_MAX];
	int fd, nr;

	fd = open_tree_ns(self->e.dir, AT_RECURSIVE);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(nsfd_nr_mounts(fd), 4);
	nr = points_inside(_metadata, &self->e, fd, points, 8);
	ASSERT_EQ(nr, 4);
	EXPECT_TRUE(has_point(points, nr, "/"));
	EXPECT_TRUE(has_point(points, nr, "/a"));
	EXPECT_TRUE(has_point(points, nr, "/a/sub"));
	EXPECT_TRUE(has_point(points, nr, "/f/target"));

	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_EQ(access("/a/in_a", F_OK), 0);
	EXPECT_EQ(access("/a/sub/in_sub", F_OK), 0);
	EXPECT_ERRNO(ENOENT, access("/a/hidden_a", F_OK));
	EXPECT_ERRNO(ENOENT, access("/a/sub/hidden_sub", F_OK));
	EXPECT_TRUE(file_is(AT_FDCWD, "/u/hidden_u", "hidden\n"));
	EXPECT_TRUE(file_is(AT_FDCWD, "/f/target", "file\n"));
	EXPECT_EQ(umount2("/a/sub", 0), 0);
	EXPECT_EQ(umount2("/", MNT_DETACH), 0);
	ASSERT_EQ(setns(self->e.orig_mntns, CLONE_NEWNS), 0);
	/* only the namespace root is left */
	EXPECT_EQ(nsfd_nr_mounts(fd), 0);
	close(fd);

	/* an unbindable mount can't be the source at all: __do_loopback() */
	EXPECT_OPEN_ERRNO(EINVAL, open_tree_ns(tp(&self->e, "u"), 0));
	EXPECT_OPEN_ERRNO(EINVAL, open_tree_ns(tp(&self->e, "u"), AT_RECURSIVE));
	EXPECT_EQ(count_mntns(), self->e.nr_mntns);
}

/*
 * A caller in a child user namespace, over a mount namespace its parent
 * user namespace owns ("foreign"), with AT_RECURSIVE: the copy is made
 * with CL_SLAVE | CL_COPY_UNBINDABLE, so U is in it, and lock_mnt_tree()
 * locks every mount below the namespace root.  The namespace is the
 * caller's (alloc_mnt_ns(current_user_ns())), but nothing in it can be
 * unmounted or moved, and what the mounts cover stays hidden.
 */
TEST_F(fsns, foreign_recursive)
{
	static const char * const locked[] = {
		"/a/sub", "/a", "/u", "/f/target", "/",
	};
	const struct env *e = &self->e;
	pid_t pid;

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char points[8][PATH_MAX];
		unsigned int i;
		ino_t userns;
		int fd, fd2, nr;

		CHILD_CHECK(userns_unshare(0) == 0);
		userns = path_ino(AT_FDCWD, "/proc/self/ns/user");
		CHILD_CHECK(userns != 0);

		fd = open_tree_ns(e->dir, AT_RECURSIVE | OPEN_TREE_CLOEXEC);
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(nsfd_owner_ino(fd) == userns);
		CHILD_RET(5, nsfd_nr_mounts(fd));
		CHILD_RET(0, setns(fd, CLONE_NEWNS));

		nr = mount_points(0, points, 8);
		CHILD_RET(5, nr);
		CHILD_CHECK(has_point(points, nr, "/"));
		CHILD_CHECK(has_point(points, nr, "/a"));
		CHILD_CHECK(has_point(points, nr, "/a/sub"));
		CHILD_CHECK(has_point(points, nr, "/u"));
		CHILD_CHECK(has_point(points, nr, "/f/target"));

		/* MNT_LOCKED: can_umount(), do_move_mount() */
		for (i = 0; i < sizeof(locked) / sizeof(locked[0]); i++) {
			CHILD_ERRNO(EINVAL, umount2(locked[i], 0));
			CHILD_ERRNO(EINVAL, umount2(locked[i], MNT_DETACH));
		}
		CHILD_ERRNO(EINVAL, sys_move_mount(AT_FDCWD, "/a", AT_FDCWD, "/c", 0));
		CHILD_ERRNO(EINVAL, sys_move_mount(AT_FDCWD, "/u", AT_FDCWD, "/b", 0));
		CHILD_ERRNO(EINVAL, sys_mount("/a/sub", "/c", NULL, MS_MOVE, NULL));

		/* what they cover */
		CHILD_ERRNO(ENOENT, access("/a/hidden_a", F_OK));
		CHILD_ERRNO(ENOENT, access("/a/sub/hidden_sub", F_OK));
		CHILD_ERRNO(ENOENT, access("/u/hidden_u", F_OK));
		CHILD_CHECK(file_is(AT_FDCWD, "/f/target", "file\n"));
		CHILD_RET(0, access("/a/in_a", F_OK));
		CHILD_RET(0, access("/a/sub/in_sub", F_OK));
		CHILD_RET(0, access("/u/in_u", F_OK));

		/*
		 * No copy leaves a locked child out: __do_loopback() and
		 * do_loopback() refuse !recurse with locked children; now
		 * that the caller owns the namespace it is not foreign, so
		 * a recursive copy lacks CL_COPY_UNBINDABLE and copy_tree()
		 * meets the locked unbindable U: EPERM.
		 */
		CHILD_ERRNO(EINVAL, sys_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE));
		CHILD_ERRNO(EINVAL, open_tree_ns("/", 0));
		CHILD_ERRNO(EINVAL, open_tree_ns("/a", 0));
		CHILD_ERRNO(EINVAL, sys_mount("/", "/c", NULL, MS_BIND, NULL));
		CHILD_ERRNO(EPERM, open_tree_ns("/", AT_RECURSIVE));
		CHILD_ERRNO(EPERM, sys_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | AT_RECURSIVE));

		/* copy_tree() keeps MNT_LOCKED, the stack locks the top */
		fd2 = open_tree_ns("/a", AT_RECURSIVE);
		CHILD_CHECK(fd2 >= 0);
		CHILD_RET(0, setns(fd2, CLONE_NEWNS));
		CHILD_ERRNO(EINVAL, umount2("/sub", MNT_DETACH));
		CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
		CHILD_ERRNO(ENOENT, access("/sub/hidden_sub", F_OK));

		/* lock_mnt_tree() also set MNT_LOCK_ATIME */
		CHILD_RET(0, setns(fd, CLONE_NEWNS));
		CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/", 0, MOUNT_ATTR_NOATIME,
						     MOUNT_ATTR__ATIME));
		CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/a", 0, MOUNT_ATTR_STRICTATIME,
						     MOUNT_ATTR__ATIME));
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns), e->nr_mntns);
}

/*
 * The same caller without AT_RECURSIVE: "foreign && !recurse &&
 * __has_children()" is EINVAL for a path that has a mount at or below it
 * (T, T/a, T/f), whatever the mount; a path without one (T/b, T/a/sub)
 * makes a namespace, whose one mount is locked too.
 */
TEST_F(fsns, foreign_not_recursive)
{
	static const struct {
		const char *path;
		int err;
	} cases[] = {
		{ "",         EINVAL },		/* A, U, the file */
		{ "a",        EINVAL },		/* S */
		{ "f",        EINVAL },		/* the file, below f */
		{ "b",        0 },
		{ "a/sub",    0 },
		{ "a/newdir", 0 },
		{ "u",        EINVAL },		/* unbindable: __do_loopback() */
		{ "file",     ENOTDIR },	/* before anything else */
		{ "f/target", ENOTDIR },
	};
	const struct env *e = &self->e;
	pid_t pid;

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		unsigned int i;

		CHILD_CHECK(userns_unshare(0) == 0);
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			pid_t inner;
			int fd;

			fd = open_tree_ns(tp(e, cases[i].path), OPEN_TREE_CLOEXEC);
			if (cases[i].err) {
				if (fd != -1 || errno != cases[i].err)
					CHILD_FAIL("%s: %d errno %d, expected %d", cases[i].path,
						   fd, errno, cases[i].err);
				continue;
			}
			CHILD_CHECK(fd >= 0);
			CHILD_RET(1, nsfd_nr_mounts(fd));
			inner = fork_flushed();
			CHILD_CHECK(inner >= 0);
			if (inner == 0) {
				CHILD_RET(0, setns(fd, CLONE_NEWNS));
				CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
				_exit(0);
			}
			CHILD_CHECK(waitpid(inner, &inner, 0) > 0);
			CHILD_CHECK(WIFEXITED(inner) && WEXITSTATUS(inner) == 0);
			close(fd);
		}
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns), e->nr_mntns);
}

/*
 * A foreign caller's fsmount(): the context was made by root before the
 * user namespace (fsopen() needs may_mount(), fsmount(FSMOUNT_NAMESPACE)
 * only CAP_SYS_ADMIN in the caller's user namespace).  lock_mnt_tree()
 * locks the new mount and each of its flags that is set, and the atime.
 */
TEST_F(fsns, foreign_fsmount)
{
	const unsigned int attr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				  MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
				  MOUNT_ATTR_NOATIME;
	const struct env *e = &self->e;
	int ctx;
	pid_t pid;

	ctx = fs_context("tmpfs");
	ASSERT_GE(ctx, 0);
	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct statmount sm;
		ino_t userns;
		int fd;

		CHILD_CHECK(userns_unshare(0) == 0);
		CHILD_ERRNO(EPERM, sys_fsopen("tmpfs", FSOPEN_CLOEXEC));
		userns = path_ino(AT_FDCWD, "/proc/self/ns/user");
		fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE | FSMOUNT_CLOEXEC, attr);
		CHILD_CHECK(fd >= 0);
		CHILD_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, attr));
		CHILD_CHECK(nsfd_owner_ino(fd) == userns);
		CHILD_RET(1, nsfd_nr_mounts(fd));

		CHILD_RET(0, setns(fd, CLONE_NEWNS));
		CHILD_RET(0, sm_get(get_unique_mnt_id("/"), 0, &sm));
		CHILD_CHECK(sm.mnt_attr == attr);
		CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
		CHILD_ERRNO(EROFS, mkdir("/d", 0755));
		/* can_change_locked_flags() */
		CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/", 0, 0, MOUNT_ATTR_RDONLY));
		CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/", 0, 0, MOUNT_ATTR_NOSUID));
		CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/", 0, 0, MOUNT_ATTR_NODEV));
		CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/", 0, 0, MOUNT_ATTR_NOEXEC));
		CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/", 0, MOUNT_ATTR_RELATIME,
						     MOUNT_ATTR__ATIME));
		/* what isn't locked can be added */
		CHILD_RET(0, sys_mount_setattr(AT_FDCWD, "/", 0, MOUNT_ATTR_NOSYMFOLLOW, 0));
		CHILD_RET(0, sm_get(get_unique_mnt_id("/"), 0, &sm));
		CHILD_CHECK(sm.mnt_attr == (attr | MOUNT_ATTR_NOSYMFOLLOW));
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	close(ctx);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns), e->nr_mntns);
}

/* make a namespace in a child, hand its fd to the parent */
struct maker {
	const char *path;	/* open_tree() path, NULL: fsmount() of a tmpfs */
	unsigned int flags;	/* open_tree() flags besides OPEN_TREE_NAMESPACE */
	const char *marker;	/* if set, created inside the new namespace */
};

static int maker_make(const struct maker *m)
{
	int fd;

	if (m->path)
		fd = open_tree_ns(m->path, m->flags);
	else
		fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
	if (fd < 0 || !m->marker)
		return fd;
	if (setns(fd, CLONE_NEWNS) || create_file(m->marker, "marker\n"))
		return -1;
	return fd;
}

/*
 * Run @m in a child, after it entered a user namespace of its own unless
 * @userns_flags is -1; take its nsfs fd with pidfd_getfd() and let the
 * child exit: the namespace then lives on through our fd alone.
 */
static int fd_from_child(struct __test_metadata *_metadata, int userns_flags,
			 const struct maker *m)
{
	int to_parent[2], to_child[2], pidfd, fd, theirs;
	pid_t pid;

	ASSERT_EQ(pipe2(to_parent, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(to_child, O_CLOEXEC), 0);
	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char c;

		close(to_parent[0]);
		close(to_child[1]);
		if (userns_flags >= 0)
			CHILD_CHECK(userns_unshare(userns_flags) == 0);
		theirs = maker_make(m);
		CHILD_CHECK(theirs >= 0);
		CHILD_CHECK(write(to_parent[1], &theirs, sizeof(theirs)) == sizeof(theirs));
		/* until the parent has it */
		CHILD_CHECK(read(to_child[0], &c, 1) == 0);
		_exit(0);
	}
	close(to_parent[1]);
	close(to_child[0]);
	ASSERT_EQ(read(to_parent[0], &theirs, sizeof(theirs)), sizeof(theirs));
	pidfd = syscall(__NR_pidfd_open, pid, 0);
	ASSERT_GE(pidfd, 0);
	fd = syscall(__NR_pidfd_getfd, pidfd, theirs, 0);
	close(to_child[1]);
	close(to_parent[0]);
	close(pidfd);
	wait_child_ok(_metadata, pid);
	ASSERT_GE(fd, 0);
	return fd;
}

static uint64_t peer_group(const char *path)
{
	struct statmount sm;

	if (sm_get(get_unique_mnt_id(path), 0, &sm))
		return 0;
	return sm.mnt_peer_group;
}

/*
 * Propagation of the copies.  Root's copy of a shared mount is its peer:
 * clone_mnt() without CL_SLAVE/CL_PRIVATE keeps mnt_group_id, so mounts
 * propagate both ways between the namespaces.  A new fsmount() mount has
 * no group: private.
 */
TEST_F(fsns, propagation_root_peer)
{
	const struct env *e = &self->e;
	struct statmount sm;
	uint64_t group;
	int fd;

	ASSERT_EQ(sys_mount(NULL, e->dir, NULL, MS_SHARED, NULL), 0);
	group = peer_group(e->dir);
	ASSERT_NE(group, 0);

	fd = open_tree_ns(e->dir, AT_RECURSIVE);
	ASSERT_GE(fd, 0);
	statmount_inside(_metadata, e, fd, &sm);
	EXPECT_EQ(sm.mnt_propagation, MS_SHARED);
	EXPECT_EQ(sm.mnt_peer_group, group);
	EXPECT_EQ(sm.mnt_master, 0);

	/* ours -> theirs */
	ASSERT_EQ(sys_mount("tmpfs", tp(e, "c"), "tmpfs", 0, NULL), 0);
	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_TRUE(is_mount_root("/c"));
	/* theirs -> ours */
	EXPECT_EQ(sys_mount("tmpfs", "/b", "tmpfs", 0, NULL), 0);
	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);
	EXPECT_TRUE(is_mount_root(tp(e, "b")));
	close(fd);

	fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
	ASSERT_GE(fd, 0);
	statmount_inside(_metadata, e, fd, &sm);
	EXPECT_EQ(sm.mnt_propagation, MS_PRIVATE);
	EXPECT_EQ(sm.mnt_peer_group, 0);
	close(fd);
}

/*
 * A foreign caller's copy is a slave (CL_SLAVE): it receives what is
 * mounted in the source, and what is mounted in it stays in it.
 */
TEST_F(fsns, propagation_foreign_slave)
{
	const struct env *e = &self->e;
	const struct maker m = { .path = e->dir, .flags = AT_RECURSIVE };
	struct statmount sm;
	uint64_t group;
	int fd;

	ASSERT_EQ(sys_mount(NULL, e->dir, NULL, MS_SHARED, NULL), 0);
	group = peer_group(e->dir);
	ASSERT_NE(group, 0);

	fd = fd_from_child(_metadata, 0, &m);
	statmount_inside(_metadata, e, fd, &sm);
	EXPECT_EQ(sm.mnt_propagation, MS_SLAVE);
	EXPECT_EQ(sm.mnt_peer_group, 0);
	EXPECT_EQ(sm.mnt_master, group);

	ASSERT_EQ(sys_mount("tmpfs", tp(e, "c"), "tmpfs", 0, NULL), 0);
	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_TRUE(is_mount_root("/c"));
	EXPECT_EQ(sys_mount("tmpfs", "/b", "tmpfs", 0, NULL), 0);
	EXPECT_TRUE(is_mount_root("/b"));
	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);
	EXPECT_FALSE(is_mount_root(tp(e, "b")));
	close(fd);
	EXPECT_EQ(count_mntns(), e->nr_mntns);
}

/*
 * Detached sources: may_copy_tree() takes a mount of an anonymous
 * namespace made from ours (check_anonymous_mnt()), an fsmount() mount
 * with its attributes and its idmap (clone_mnt() copies mnt_idmap).
 */
TEST_F(fsns, detached_sources)
{
	const struct env *e = &self->e;
	struct statmount sm;
	int clone, mnt, userns, fd;

	clone = sys_open_tree(AT_FDCWD, tp(e, "a"), OPEN_TREE_CLONE | AT_RECURSIVE |
			      OPEN_TREE_CLOEXEC);
	ASSERT_GE(clone, 0);
	fd = sys_open_tree(clone, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(nsfd_nr_mounts(fd), 1);
	close(fd);
	fd = sys_open_tree(clone, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH | AT_RECURSIVE);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(nsfd_nr_mounts(fd), 2);
	close(fd);
	close(clone);

	mnt = fsmount_tmpfs(0, 0);
	ASSERT_GE(mnt, 0);
	ASSERT_EQ(sys_mount_setattr(mnt, "", AT_EMPTY_PATH,
				    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME,
				    MOUNT_ATTR__ATIME), 0);
	userns = get_userns_fd(0, 10000, 1000);
	ASSERT_GE(userns, 0);
	ASSERT_EQ(sys_mount_setattr_idmap(mnt, "", AT_EMPTY_PATH, userns), 0);
	close(userns);
	fd = sys_open_tree(mnt, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH);
	ASSERT_GE(fd, 0);
	statmount_inside(_metadata, e, fd, &sm);
	EXPECT_EQ(sm.mnt_attr, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME | MOUNT_ATTR_IDMAP);
	EXPECT_EQ(sm.sb_magic, TMPFS_MAGIC);
	close(fd);
	close(mnt);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns), e->nr_mntns);
}

/*
 * Sources that may_copy_tree() refuses, EINVAL once the new namespace was
 * allocated (which goes again): a mount of another mount namespace, a
 * detached mount made from another one, an unmounted mount.
 */
TEST_F(fsns, refused_sources)
{
	const struct env *e = &self->e;
	int path, clone, gone, fd;
	ssize_t nr;

	path = open(tp(e, "b"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(path, 0);
	clone = sys_open_tree(AT_FDCWD, tp(e, "b"), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	ASSERT_GE(clone, 0);
	ASSERT_EQ(sys_mount("tmpfs", tp(e, "c"), "tmpfs", 0, NULL), 0);
	gone = open(tp(e, "c"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(gone, 0);
	ASSERT_EQ(umount2(tp(e, "c"), MNT_DETACH), 0);

	EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(gone, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH));
	EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(gone, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH |
						AT_RECURSIVE));

	ASSERT_EQ(unshare(CLONE_NEWNS), 0);
	nr = count_mntns();
	EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(path, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH));
	EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(path, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH |
						AT_RECURSIVE));
	EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(clone, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH));
	EXPECT_OPEN_ERRNO(EINVAL, sys_open_tree(clone, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH |
						AT_RECURSIVE));
	EXPECT_EQ(count_mntns(), nr);

	/* back in the namespace they belong to */
	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);
	fd = sys_open_tree(path, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH);
	EXPECT_GE(fd, 0);
	close(fd);
	fd = sys_open_tree(clone, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH);
	EXPECT_GE(fd, 0);
	close(fd);
	close(path);
	close(clone);
	close(gone);
	EXPECT_EQ(count_mntns(), e->nr_mntns);
}

/*
 * The real root of a namespace that unshare(CLONE_NEWUSER | CLONE_NEWNS)
 * made: copy_mnt_ns() locked every mount in it.  Its owner is no foreign
 * caller, but create_new_namespace() finds the locked rootfs on the
 * overmount stack of the namespace root and locks the new top mount;
 * copy_tree() takes MNT_LOCKED along for the mounts below, and only for
 * them: a mount the owner made later stays free.  A locked unbindable
 * child can't be left out of a recursive copy: EPERM.
 */
TEST_F(fsns, userns_owned_copies)
{
	const struct env *e = &self->e;
	pid_t pid;

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		CHILD_CHECK(userns_unshare(CLONE_NEWNS) == 0);
		CHILD_RET(0, sys_mount("tmpfs", tp(e, "a/newdir"), "tmpfs", 0, NULL));

		fd = open_tree_ns(tp(e, "a"), AT_RECURSIVE);
		CHILD_CHECK(fd >= 0);
		CHILD_RET(3, nsfd_nr_mounts(fd));
		CHILD_RET(0, setns(fd, CLONE_NEWNS));
		CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
		CHILD_ERRNO(EINVAL, umount2("/sub", MNT_DETACH));
		CHILD_RET(0, umount2("/newdir", 0));
		_exit(0);
	}
	wait_child_ok(_metadata, pid);

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int ctx, fd;

		CHILD_CHECK(userns_unshare(CLONE_NEWNS) == 0);
		CHILD_ERRNO(EINVAL, open_tree_ns(e->dir, 0));
		CHILD_ERRNO(EPERM, open_tree_ns(e->dir, AT_RECURSIVE));
		CHILD_ERRNO(EINVAL, open_tree_ns(tp(e, "u"), AT_RECURSIVE));

		ctx = fs_context("tmpfs");
		CHILD_CHECK(ctx >= 0);
		fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0);
		CHILD_CHECK(fd >= 0);
		CHILD_RET(0, setns(fd, CLONE_NEWNS));
		CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns), e->nr_mntns);
}

/*
 * create_new_namespace(): "If the real rootfs had a locked mount on top
 * of it somewhere in the stack, lock the new mount tree as well": the
 * walk up the overmounts of the namespace root sets MNT_LOCKED on the new
 * top mount if any of them is locked, the topmost or one further down.
 */
enum stack_mode {
	STACK_ROOT,		/* root's namespace: nothing locked */
	STACK_ROOTFS_LOCKED,	/* unshare(CLONE_NEWUSER | CLONE_NEWNS) */
	STACK_FREE_ON_TOP,	/* that, and a free tmpfs on top of "/" */
	STACK_LOCK_BENEATH,	/* that, a tmpfs beneath "/" took the lock */
	STACK_EMPTY_NS,		/* the owner's empty namespace, a free tmpfs */
};

FIXTURE(stack) {
	struct env e;
};

FIXTURE_VARIANT(stack) {
	enum stack_mode mode;
	bool locked;		/* the new top mount is MNT_LOCKED */
};

FIXTURE_VARIANT_ADD(stack, root) {
	.mode = STACK_ROOT,
	.locked = false,
};

FIXTURE_VARIANT_ADD(stack, rootfs_locked) {
	.mode = STACK_ROOTFS_LOCKED,
	.locked = true,
};

FIXTURE_VARIANT_ADD(stack, free_mount_on_top) {
	.mode = STACK_FREE_ON_TOP,
	.locked = true,
};

FIXTURE_VARIANT_ADD(stack, lock_moved_beneath) {
	.mode = STACK_LOCK_BENEATH,
	.locked = true,
};

FIXTURE_VARIANT_ADD(stack, empty_userns_owned) {
	.mode = STACK_EMPTY_NS,
	.locked = false,
};

FIXTURE_SETUP(stack)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(stack)
{
	env_teardown(&self->e, false);
}

TEST_F(stack, new_top_mount)
{
	const struct env *e = &self->e;
	pid_t pid;

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char fdpath[64];
		int top = -1, fds[2], i;

		switch (variant->mode) {
		case STACK_ROOT:
			break;
		case STACK_ROOTFS_LOCKED:
			CHILD_CHECK(userns_unshare(CLONE_NEWNS) == 0);
			break;
		case STACK_FREE_ON_TOP:
		case STACK_LOCK_BENEATH:
			CHILD_CHECK(userns_unshare(CLONE_NEWNS) == 0);
			top = fsmount_tmpfs(0, 0);
			CHILD_CHECK(top >= 0);
			CHILD_RET(0, sys_move_mount(top, "", AT_FDCWD, "/",
						    MOVE_MOUNT_F_EMPTY_PATH |
						    (variant->mode == STACK_LOCK_BENEATH ?
						     MOVE_MOUNT_BENEATH : 0)));
			break;
		case STACK_EMPTY_NS:
			CHILD_CHECK(userns_unshare(UNSHARE_EMPTY_MNTNS) == 0);
			top = fsmount_tmpfs(0, 0);
			CHILD_CHECK(top >= 0);
			CHILD_RET(0, sys_move_mount(top, "", AT_FDCWD, "/",
						    MOVE_MOUNT_F_EMPTY_PATH));
			break;
		}

		if (variant->mode == STACK_EMPTY_NS)
			fds[0] = sys_open_tree(top, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH);
		else
			fds[0] = open_tree_ns(tp(e, "b"), 0);
		CHILD_CHECK(fds[0] >= 0);
		fds[1] = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
		CHILD_CHECK(fds[1] >= 0);

		/* the stack is as the mode says */
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", top);
		switch (variant->mode) {
		case STACK_ROOT:
			break;
		case STACK_ROOTFS_LOCKED:
			CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
			break;
		case STACK_FREE_ON_TOP:
			CHILD_RET(0, umount2(fdpath, MNT_DETACH));
			CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
			break;
		case STACK_LOCK_BENEATH:
			/*
			 * The rootfs gave its lock to the mount beneath it
			 * (attach_recursive_mnt()); the magic link leads to
			 * the top of the stack, the tmpfs once it is that.
			 */
			CHILD_RET(0, umount2("/", MNT_DETACH));
			CHILD_ERRNO(EINVAL, umount2(fdpath, MNT_DETACH));
			break;
		case STACK_EMPTY_NS:
			CHILD_RET(0, fchdir(top));
			CHILD_RET(0, umount2(".", MNT_DETACH));
			break;
		}

		for (i = 0; i < 2; i++) {
			CHILD_RET(0, setns(fds[i], CLONE_NEWNS));
			if (variant->locked)
				CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
			else
				CHILD_RET(0, umount2("/", MNT_DETACH));
		}
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns), e->nr_mntns);
}

/*
 * NR_ROUNDS namespaces from each system call, closed at once: each gets a
 * new id (ns_tree_gen_id()), none outlives its fd.
 */
TEST_F_TIMEOUT(fsns, create_and_close_rounds, 300)
{
	const struct env *e = &self->e;
	uint64_t last = 0, id;
	int i, fd;

	for (i = 0; i < NR_ROUNDS; i++) {
		fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
		ASSERT_GE(fd, 0) TH_LOG("round %d: %s", i, strerror(errno));
		id = nsfd_mntns_id(fd);
		ASSERT_GT(id, last) TH_LOG("round %d", i);
		last = id;
		close(fd);

		fd = open_tree_ns(e->dir, AT_RECURSIVE);
		ASSERT_GE(fd, 0) TH_LOG("round %d: %s", i, strerror(errno));
		id = nsfd_mntns_id(fd);
		ASSERT_GT(id, last) TH_LOG("round %d", i);
		last = id;
		close(fd);

		if (i % 100 == 99)
			ASSERT_EQ(count_mntns(), e->nr_mntns) TH_LOG("round %d", i);
	}
	EXPECT_EQ(count_mntns(), e->nr_mntns);
}

/*
 * What a new namespace is, how it is entered and left, how long it lives.
 * For a new tmpfs, a directory and a recursive copy.
 */
FIXTURE(newns) {
	struct env e;
};

FIXTURE_VARIANT(newns) {
	const char *path;		/* open_tree(), below T; NULL: fsmount() */
	unsigned int flags;		/* open_tree() flags */
	const char *root;		/* statmount() mnt_root of the new mount */
	unsigned long magic;		/* of its filesystem */
	int nr_points;
	const char *points[4];		/* the mount points inside */
};

FIXTURE_VARIANT_ADD(newns, fsmount_tmpfs) {
	.path = NULL,
	.root = "/",
	.magic = TMPFS_MAGIC,
	.nr_points = 1,
	.points = { "/" },
};

FIXTURE_VARIANT_ADD(newns, open_tree_dir) {
	.path = "b",
	.flags = 0,
	.root = "/b",
	.magic = TMPFS_MAGIC,
	.nr_points = 1,
	.points = { "/" },
};

FIXTURE_VARIANT_ADD(newns, open_tree_recursive) {
	.path = "",
	.flags = AT_RECURSIVE,
	.root = "/",
	.magic = TMPFS_MAGIC,
	.nr_points = 4,
	.points = { "/", "/a", "/a/sub", "/f/target" },
};

FIXTURE_SETUP(newns)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(newns)
{
	env_teardown(&self->e, false);
}

static int newns_make(const struct env *e, const FIXTURE_VARIANT(newns) *v)
{
	if (!v->path)
		return fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
	return open_tree_ns(tp(e, v->path), v->flags | OPEN_TREE_CLOEXEC);
}

/*
 * The namespace: its root is a clone of our namespace root (nullfs, its own
 * parent), the new mount sits on it, the ids from the nsfs ioctls, from
 * outside and from inside agree, and it is owned by our user namespace.
 */
TEST_F(newns, contents_and_ids)
{
	const struct env *e = &self->e;
	uint64_t outside[8], inside[8], id, ns_id = 0, root_id;
	struct mnt_ns_info info = { .size = sizeof(info) };
	char points[8][PATH_MAX];
	struct statmount sm, top;
	ssize_t nr_out, nr_in;
	struct statmount *s;
	int fd, i, nr;

	fd = newns_make(e, variant);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(count_mntns(), e->nr_mntns + 1);
	EXPECT_EQ(ioctl(fd, NS_GET_NSTYPE), CLONE_NEWNS);
	EXPECT_EQ(nsfd_owner_ino(fd), path_ino(AT_FDCWD, "/proc/self/ns/user"));

	id = nsfd_mntns_id(fd);
	ASSERT_NE(id, 0);
	ASSERT_EQ(ioctl(fd, NS_GET_ID, &ns_id), 0);
	EXPECT_EQ(ns_id, id);
	ASSERT_EQ(ioctl(fd, NS_MNT_GET_INFO, &info), 0);
	EXPECT_EQ(info.mnt_ns_id, id);
	EXPECT_EQ(info.nr_mounts, variant->nr_points);

	/* from outside */
	nr_out = listmount(LSMT_ROOT, id, 0, outside, 8, 0);
	ASSERT_EQ(nr_out, variant->nr_points);
	ASSERT_EQ(sm_get(outside[0], id, &top), 0);
	EXPECT_EQ(top.mnt_ns_id, id);
	EXPECT_EQ(top.sb_magic, variant->magic);
	s = statmount_alloc(outside[0], id, STATMOUNT_MNT_ROOT, 0);
	ASSERT_NE(s, NULL);
	EXPECT_STREQ(s->str + s->mnt_root, variant->root);
	free(s);
	ASSERT_NE(top.mnt_parent_id, top.mnt_id);
	ASSERT_EQ(sm_get(top.mnt_parent_id, id, &sm), 0);
	EXPECT_EQ(sm.sb_magic, NULL_FS_MAGIC);
	EXPECT_EQ(sm.mnt_parent_id, sm.mnt_id);
	EXPECT_EQ(sm.mnt_ns_id, id);
	/* a clone, not our namespace root itself */
	root_id = get_unique_mnt_id("/");
	for (i = 0; i < 16 && root_id; i++) {
		struct statmount r;

		ASSERT_EQ(sm_get(root_id, 0, &r), 0);
		if (r.mnt_parent_id == r.mnt_id)
			break;
		root_id = r.mnt_parent_id;
	}
	EXPECT_NE(root_id, 0);
	EXPECT_NE(sm.mnt_id, root_id);

	/* from inside */
	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	nr_in = listmount(LSMT_ROOT, 0, 0, inside, 8, 0);
	EXPECT_EQ(get_unique_mnt_id("/"), outside[0]);
	EXPECT_EQ(sm_get(outside[0], 0, &sm), 0);
	EXPECT_EQ(sm.mnt_ns_id, id);
	nr = mount_points(0, points, 8);
	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);

	ASSERT_EQ(nr_in, nr_out);
	EXPECT_EQ(memcmp(inside, outside, nr_in * sizeof(inside[0])), 0);
	ASSERT_EQ(nr, variant->nr_points);
	for (i = 0; i < variant->nr_points; i++)
		EXPECT_TRUE(has_point(points, nr, variant->points[i]))
			TH_LOG("%s", variant->points[i]);

	close(fd);
	EXPECT_EQ(count_mntns(), e->nr_mntns);
}

/*
 * setns() into the namespace and back: mntns_install() puts root and cwd
 * on the topmost mount of the namespace root, then back on ours.
 */
TEST_F(newns, setns_and_back)
{
	const struct env *e = &self->e;
	struct stat before, inside, after;
	char cwd[PATH_MAX];
	ino_t ns_ino, orig_ino;
	int fd;

	ASSERT_EQ(stat("/", &before), 0);
	orig_ino = path_ino(e->proc_fd, "self/ns/mnt");
	ASSERT_NE(orig_ino, 0);
	ASSERT_EQ(chdir(e->dir), 0);

	fd = newns_make(e, variant);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(fstat(fd, &inside), 0);
	ns_ino = inside.st_ino;

	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_EQ(path_ino(e->proc_fd, "self/ns/mnt"), ns_ino);
	EXPECT_NE(getcwd(cwd, sizeof(cwd)), NULL);
	EXPECT_STREQ(cwd, "/");
	ASSERT_EQ(stat("/", &inside), 0);
	EXPECT_TRUE(inside.st_dev != before.st_dev || inside.st_ino != before.st_ino);
	EXPECT_EQ(statfs_type("/"), (long)variant->magic);

	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);
	EXPECT_EQ(path_ino(e->proc_fd, "self/ns/mnt"), orig_ino);
	ASSERT_EQ(stat("/", &after), 0);
	EXPECT_EQ(after.st_dev, before.st_dev);
	EXPECT_EQ(after.st_ino, before.st_ino);
	EXPECT_NE(getcwd(cwd, sizeof(cwd)), NULL);
	EXPECT_STREQ(cwd, "/");

	/* and once more */
	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_EQ(path_ino(e->proc_fd, "self/ns/mnt"), ns_ino);
	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);
	close(fd);
	EXPECT_EQ(count_mntns(), e->nr_mntns);
}

/*
 * The fd outlives the process that made it: the creator exits, the
 * namespace lives on through the fd we took, another process joins it
 * and finds what the creator left there; closing the fd ends it.
 */
TEST_F(newns, outlives_creator)
{
	const struct env *e = &self->e;
	const struct maker m = {
		.path = variant->path ? tp(e, variant->path) : NULL,
		.flags = variant->flags,
		.marker = "/marker",
	};
	struct statmount sm;
	uint64_t id;
	pid_t pid;
	int fd;

	fd = fd_from_child(_metadata, -1, &m);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns + 1), e->nr_mntns + 1);
	id = nsfd_mntns_id(fd);
	ASSERT_NE(id, 0);

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		CHILD_RET(0, setns(fd, CLONE_NEWNS));
		CHILD_CHECK(file_is(AT_FDCWD, "/marker", "marker\n"));
		CHILD_RET(0, sm_get(get_unique_mnt_id("/"), 0, &sm));
		CHILD_CHECK(sm.mnt_ns_id == id);
		_exit(0);
	}
	wait_child_ok(_metadata, pid);

	statmount_inside(_metadata, e, fd, &sm);
	EXPECT_EQ(sm.mnt_ns_id, id);
	EXPECT_EQ(count_mntns(), e->nr_mntns + 1);
	close(fd);
	EXPECT_EQ(count_mntns(), e->nr_mntns);
}

/*
 * fsmount(FSMOUNT_NAMESPACE) of each filesystem fsopen() reaches in the
 * lab's config: all have a directory root (so the ENOTDIR of
 * create_new_namespace() is out of reach here); pipefs is SB_NOUSER,
 * EINVAL before vfs_clean_context(), so the context is not consumed.
 */
FIXTURE(fstype) {
	struct env e;
};

FIXTURE_VARIANT(fstype) {
	const char *name;
	unsigned long magic;
	int err;
};

FIXTURE_VARIANT_ADD(fstype, tmpfs) { .name = "tmpfs", .magic = TMPFS_MAGIC };
FIXTURE_VARIANT_ADD(fstype, ramfs) { .name = "ramfs", .magic = RAMFS_MAGIC };
FIXTURE_VARIANT_ADD(fstype, proc) { .name = "proc", .magic = PROC_SUPER_MAGIC };
FIXTURE_VARIANT_ADD(fstype, sysfs) { .name = "sysfs", .magic = SYSFS_MAGIC };
FIXTURE_VARIANT_ADD(fstype, devpts) { .name = "devpts", .magic = DEVPTS_SUPER_MAGIC };
FIXTURE_VARIANT_ADD(fstype, tracefs) { .name = "tracefs", .magic = TRACEFS_MAGIC };
FIXTURE_VARIANT_ADD(fstype, devtmpfs) { .name = "devtmpfs", .magic = TMPFS_MAGIC };
FIXTURE_VARIANT_ADD(fstype, pipefs) { .name = "pipefs", .err = EINVAL };

FIXTURE_SETUP(fstype)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(fstype)
{
	env_teardown(&self->e, false);
}

TEST_F(fstype, directory_root)
{
	const struct env *e = &self->e;
	struct statmount *sm;
	struct stat st;
	int ctx, fd;

	ctx = fs_context(variant->name);
	if (ctx < 0 && errno == ENODEV)
		SKIP(return, "%s is not in this kernel", variant->name);
	ASSERT_GE(ctx, 0) TH_LOG("%s: %s", variant->name, strerror(errno));

	if (variant->err) {
		EXPECT_OPEN_ERRNO(variant->err, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
		EXPECT_OPEN_ERRNO(variant->err, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
		EXPECT_EQ(count_mntns(), e->nr_mntns);
		close(ctx);
		return;
	}

	fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE | FSMOUNT_CLOEXEC, 0);
	ASSERT_GE(fd, 0);
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
	close(ctx);

	ASSERT_EQ(setns(fd, CLONE_NEWNS), 0);
	EXPECT_EQ(stat("/", &st), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(statfs_type("/"), (long)variant->magic);
	sm = statmount_alloc(get_unique_mnt_id("/"), 0, STATMOUNT_FS_TYPE, 0);
	ASSERT_EQ(setns(e->orig_mntns, CLONE_NEWNS), 0);
	ASSERT_NE(sm, NULL);
	EXPECT_STREQ(sm->str + sm->fs_type, variant->name);
	free(sm);
	close(fd);
	EXPECT_EQ(count_mntns(), e->nr_mntns);
}

/*
 * /proc/sys/user/max_mnt_namespaces: alloc_mnt_ns() charges each new
 * namespace to the caller's user namespace (and its ancestors) through
 * inc_ucount(); over the limit it is ENOSPC, after the checks before it
 * and before those after it.  The limit of the initial user namespace is
 * global: the parent restores it.
 */
FIXTURE(limit) {
	struct env e;
	long saved;
};

FIXTURE_SETUP(limit)
{
	self->saved = -1;
	env_setup(_metadata, &self->e);
	self->saved = read_long(MAX_MNT_NAMESPACES);
	ASSERT_GE(self->saved, 0);
}

FIXTURE_TEARDOWN_PARENT(limit)
{
	if (self->saved >= 0)
		write_long(MAX_MNT_NAMESPACES, self->saved);
	env_teardown(&self->e, true);
}

static int set_max_mntns(long val)
{
	return write_long(MAX_MNT_NAMESPACES, val);
}

TEST_F(limit, initial_userns)
{
	const struct env *e = &self->e;
	ssize_t nr = e->nr_mntns;
	struct rlimit rl;
	int ctx, ctx2, fd, first = -1, last = -1;

	ctx = fs_context("tmpfs");
	ASSERT_GE(ctx, 0);
	ctx2 = fs_context("tmpfs");
	ASSERT_GE(ctx2, 0);

	ASSERT_EQ(set_max_mntns(0), 0);
	EXPECT_OPEN_ERRNO(ENOSPC, open_tree_ns(e->dir, 0));
	EXPECT_OPEN_ERRNO(ENOSPC, open_tree_ns(e->dir, AT_RECURSIVE));
	EXPECT_OPEN_ERRNO(ENOSPC, open_tree_ns(tp(e, "b"), 0));
	/* __do_loopback() would refuse U, but comes later */
	EXPECT_OPEN_ERRNO(ENOSPC, open_tree_ns(tp(e, "u"), 0));
	/* these come earlier */
	EXPECT_OPEN_ERRNO(ENOTDIR, open_tree_ns(tp(e, "file"), 0));
	EXPECT_OPEN_ERRNO(ENOENT, open_tree_ns(tp(e, "nonexistent"), 0));
	EXPECT_OPEN_ERRNO(EINVAL, sys_fsmount(ctx, FSMOUNT_NAMESPACE, MOUNT_ATTR_IDMAP));
	EXPECT_OPEN_ERRNO(ENOSPC, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
	EXPECT_EQ(count_mntns(), nr);

	/* and EMFILE earlier still */
	ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 64;
	ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fd = dup(0)) >= 0) {
		if (first < 0)
			first = fd;
		last = fd;
	}
	ASSERT_GE(last, 0);
	EXPECT_OPEN_ERRNO(EMFILE, open_tree_ns(e->dir, 0));
	EXPECT_OPEN_ERRNO(EMFILE, sys_fsmount(ctx2, FSMOUNT_NAMESPACE, 0));
	for (fd = first; fd <= last; fd++)
		close(fd);

	ASSERT_EQ(set_max_mntns(self->saved), 0);
	/* vfs_clean_context() had run: both contexts are spent */
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx, 0, 0));
	EXPECT_OPEN_ERRNO(EBUSY, sys_fsmount(ctx2, FSMOUNT_NAMESPACE, 0));
	EXPECT_EQ(count_mntns(), nr);

	fd = open_tree_ns(e->dir, AT_RECURSIVE);
	EXPECT_GE(fd, 0);
	close(fd);
	fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
	EXPECT_GE(fd, 0);
	close(fd);
	close(ctx);
	close(ctx2);
	EXPECT_EQ(count_mntns(), nr);
}

/*
 * In a user namespace of our own with its own mount namespace, the limit
 * of that user namespace, counted exactly: the mount namespace unshare()
 * made is one, so with max 2 one more fits.  Failures after alloc_mnt_ns()
 * give the slot back (free_mnt_ns() through namespace_unlock()), so after
 * any number of them one namespace still fits, and no second.
 */
TEST_F(limit, userns_exact)
{
	const struct env *e = &self->e;
	pid_t pid;

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int ctx, fd, i;

		CHILD_CHECK(userns_unshare(CLONE_NEWNS) == 0);
		CHILD_RET(0, set_max_mntns(2));
		ctx = fs_context("tmpfs");
		CHILD_CHECK(ctx >= 0);

		fd = open_tree_ns(tp(e, "b"), 0);
		CHILD_CHECK(fd >= 0);
		CHILD_ERRNO(ENOSPC, open_tree_ns(tp(e, "b"), 0));
		CHILD_ERRNO(ENOSPC, open_tree_ns(tp(e, "a"), AT_RECURSIVE));
		CHILD_ERRNO(ENOSPC, open_tree_ns(tp(e, "u"), 0));
		CHILD_ERRNO(ENOSPC, open_tree_ns(e->dir, AT_RECURSIVE));
		CHILD_ERRNO(ENOSPC, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
		CHILD_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
		close(fd);

		for (i = 0; i < 10; i++) {
			/* IS_MNT_UNBINDABLE() in __do_loopback() */
			CHILD_ERRNO(EINVAL, open_tree_ns(tp(e, "u"), 0));
			/* !recurse && __has_locked_children() */
			CHILD_ERRNO(EINVAL, open_tree_ns(e->dir, 0));
			/* copy_tree(): U is unbindable and locked */
			CHILD_ERRNO(EPERM, open_tree_ns(e->dir, AT_RECURSIVE));
		}
		fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
		CHILD_CHECK(fd >= 0);
		CHILD_ERRNO(ENOSPC, open_tree_ns(tp(e, "b"), 0));
		close(fd);
		fd = open_tree_ns(tp(e, "a"), AT_RECURSIVE);
		CHILD_CHECK(fd >= 0);
		CHILD_ERRNO(ENOSPC, fsmount_tmpfs(FSMOUNT_NAMESPACE, 0));
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns), e->nr_mntns);
}

/*
 * The same for a foreign caller, whose user namespace has no mount
 * namespace yet: max 1.  The "foreign && !recurse && has children"
 * refusal comes after alloc_mnt_ns() too.
 */
TEST_F(limit, userns_exact_foreign)
{
	const struct env *e = &self->e;
	int ctx, ctx2;
	pid_t pid;

	ctx = fs_context("tmpfs");
	ASSERT_GE(ctx, 0);
	ctx2 = fs_context("tmpfs");
	ASSERT_GE(ctx2, 0);
	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd, i;

		CHILD_CHECK(userns_unshare(0) == 0);
		CHILD_RET(0, set_max_mntns(1));

		fd = open_tree_ns(tp(e, "b"), 0);
		CHILD_CHECK(fd >= 0);
		CHILD_ERRNO(ENOSPC, open_tree_ns(tp(e, "b"), 0));
		CHILD_ERRNO(ENOSPC, open_tree_ns(e->dir, 0));
		CHILD_ERRNO(ENOSPC, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
		CHILD_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, 0));
		close(fd);

		for (i = 0; i < 10; i++) {
			CHILD_ERRNO(EINVAL, open_tree_ns(e->dir, 0));
			CHILD_ERRNO(EINVAL, open_tree_ns(tp(e, "a"), 0));
			CHILD_ERRNO(EINVAL, open_tree_ns(tp(e, "u"), 0));
			CHILD_ERRNO(EINVAL, open_tree_ns(tp(e, "u"), AT_RECURSIVE));
		}
		fd = open_tree_ns(e->dir, AT_RECURSIVE);
		CHILD_CHECK(fd >= 0);
		CHILD_ERRNO(ENOSPC, open_tree_ns(tp(e, "b"), 0));
		close(fd);
		fd = sys_fsmount(ctx2, FSMOUNT_NAMESPACE, 0);
		CHILD_CHECK(fd >= 0);
		CHILD_ERRNO(ENOSPC, open_tree_ns(tp(e, "b"), 0));
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	close(ctx);
	close(ctx2);
	EXPECT_EQ(wait_mntns_count(e->nr_mntns), e->nr_mntns);
}

/*
 * mount_too_revealing(), checked by fsmount() before vfs_clean_context():
 * a proc (FS_USERNS_MOUNT_RESTRICTED) from a user namespace that owns the
 * caller's mount namespace needs a fully visible proc mount there
 * (mnt_already_visible()): one whose locked flags (MNT_LOCK_READONLY,
 * MNT_LOCK_ATIME, or a read-only superblock) the new mount keeps, with
 * no locked mount on it covering anything but an empty directory.
 * Otherwise EPERM, and the context stays ready for another try.  The
 * locked flags of the visible mount are taken over by the new one.
 * subset=pid (SB_I_RESTRICTED_VARIANT) needs nothing; in the initial user
 * namespace there is no check at all.
 */
enum proc_setup {
	PROC_VISIBLE,		/* /proc as the VM has it: rw, relatime */
	PROC_READONLY,		/* /proc remounted read-only (bind) */
	PROC_COVERED,		/* a tmpfs on /proc/sys */
	PROC_GONE,		/* /proc unmounted */
};

FIXTURE(revealing) {
	ssize_t nr_mntns;
};

FIXTURE_VARIANT(revealing) {
	enum proc_setup setup;
	bool userns;		/* from CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID */
	const char *subset;	/* proc's subset= option */
	unsigned int attr;
	int err;		/* of fsmount(), 0: success */
	int retry_attr;		/* after the error: succeeds with these, -1: no */
	bool atime_locked;	/* the new mount got MNT_LOCK_ATIME */
	bool ro_locked;		/* the new mount got MNT_LOCK_READONLY */
	/* (the last two for the mount that succeeds, first try or retry) */
};

FIXTURE_VARIANT_ADD(revealing, visible) {
	.setup = PROC_VISIBLE, .userns = true,
	.attr = 0, .err = 0, .atime_locked = true,
};

FIXTURE_VARIANT_ADD(revealing, visible_rdonly) {
	.setup = PROC_VISIBLE, .userns = true,
	.attr = MOUNT_ATTR_RDONLY, .err = 0, .atime_locked = true,
};

FIXTURE_VARIANT_ADD(revealing, visible_noatime) {
	.setup = PROC_VISIBLE, .userns = true,
	.attr = MOUNT_ATTR_NOATIME, .err = EPERM, .retry_attr = 0,
	.atime_locked = true,
};

FIXTURE_VARIANT_ADD(revealing, visible_strictatime) {
	.setup = PROC_VISIBLE, .userns = true,
	.attr = MOUNT_ATTR_STRICTATIME, .err = EPERM, .retry_attr = MOUNT_ATTR_NOSUID,
	.atime_locked = true,
};

FIXTURE_VARIANT_ADD(revealing, visible_nodiratime) {
	.setup = PROC_VISIBLE, .userns = true,
	.attr = MOUNT_ATTR_NODIRATIME, .err = EPERM, .retry_attr = MOUNT_ATTR_RDONLY,
	.atime_locked = true,
};

FIXTURE_VARIANT_ADD(revealing, readonly_rw) {
	.setup = PROC_READONLY, .userns = true,
	.attr = 0, .err = EPERM, .retry_attr = MOUNT_ATTR_RDONLY,
	.atime_locked = true, .ro_locked = true,
};

FIXTURE_VARIANT_ADD(revealing, readonly_ro) {
	.setup = PROC_READONLY, .userns = true,
	.attr = MOUNT_ATTR_RDONLY, .err = 0, .atime_locked = true, .ro_locked = true,
};

FIXTURE_VARIANT_ADD(revealing, covered) {
	.setup = PROC_COVERED, .userns = true,
	.attr = 0, .err = EPERM, .retry_attr = -1,
};

FIXTURE_VARIANT_ADD(revealing, gone) {
	.setup = PROC_GONE, .userns = true,
	.attr = 0, .err = EPERM, .retry_attr = -1,
};

FIXTURE_VARIANT_ADD(revealing, gone_subset_pid) {
	.setup = PROC_GONE, .userns = true, .subset = "pid",
	.attr = MOUNT_ATTR_NOATIME, .err = 0,
};

FIXTURE_VARIANT_ADD(revealing, covered_subset_pid) {
	.setup = PROC_COVERED, .userns = true, .subset = "pid",
	.attr = 0, .err = 0,
};

FIXTURE_VARIANT_ADD(revealing, gone_initial_userns) {
	.setup = PROC_GONE, .userns = false,
	.attr = MOUNT_ATTR_STRICTATIME, .err = 0,
};

FIXTURE_SETUP(revealing)
{
	ASSERT_EQ(unshare(CLONE_NEWNS), 0);
	ASSERT_EQ(sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	self->nr_mntns = count_mntns();
	ASSERT_GT(self->nr_mntns, 0);
}

FIXTURE_TEARDOWN(revealing)
{
}

/* In the new namespace: the new mount and what is locked on it. */
static void check_new_proc(const FIXTURE_VARIANT(revealing) *variant,
			   int fd, unsigned int attr)
{
	struct statmount sm;

	CHILD_RET(0, setns(fd, CLONE_NEWNS));
	CHILD_RET(0, sm_get(get_unique_mnt_id("/"), 0, &sm));
	CHILD_CHECK(sm.sb_magic == PROC_SUPER_MAGIC);
	CHILD_CHECK(sm.mnt_attr == attr);
	if (attr & MOUNT_ATTR_RDONLY) {
		if (variant->ro_locked)
			CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/", 0, 0,
							     MOUNT_ATTR_RDONLY));
		else
			CHILD_RET(0, sys_mount_setattr(AT_FDCWD, "/", 0, 0,
						       MOUNT_ATTR_RDONLY));
	}
	/* another atime than the one it has */
	if (variant->atime_locked)
		CHILD_ERRNO(EPERM, sys_mount_setattr(AT_FDCWD, "/", 0,
						     (attr & MOUNT_ATTR__ATIME) ==
						     MOUNT_ATTR_STRICTATIME ?
						     MOUNT_ATTR_NOATIME : MOUNT_ATTR_STRICTATIME,
						     MOUNT_ATTR__ATIME));
	else
		CHILD_RET(0, sys_mount_setattr(AT_FDCWD, "/", 0,
					       (attr & MOUNT_ATTR__ATIME) ==
					       MOUNT_ATTR_STRICTATIME ?
					       MOUNT_ATTR_NOATIME : MOUNT_ATTR_STRICTATIME,
					       MOUNT_ATTR__ATIME));
	/*
	 * From the user namespace the caller's real root is the rootfs that
	 * copy_mnt_ns() locked: create_new_namespace() locks the top.
	 */
	if (variant->userns)
		CHILD_ERRNO(EINVAL, umount2("/", MNT_DETACH));
	else
		CHILD_RET(0, umount2("/", MNT_DETACH));
}

TEST_F(revealing, fsmount_proc)
{
	pid_t pid;

	pid = fork_flushed();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int procfd, ctx, fd, status;
		pid_t inner;

		/*
		 * /proc for the id maps through a detached copy of it:
		 * writable whatever the setup does to /proc, and no proc mount
		 * of the namespace.
		 */
		procfd = sys_open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		CHILD_CHECK(procfd >= 0);
		switch (variant->setup) {
		case PROC_VISIBLE:
			break;
		case PROC_READONLY:
			CHILD_RET(0, sys_mount(NULL, "/proc", NULL,
					       MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
			break;
		case PROC_COVERED:
			CHILD_RET(0, sys_mount("tmpfs", "/proc/sys", "tmpfs", 0, NULL));
			break;
		case PROC_GONE:
			CHILD_RET(0, umount2("/proc", MNT_DETACH));
			break;
		}

		if (variant->userns) {
			CHILD_CHECK(userns_unshare_at(procfd, CLONE_NEWNS | CLONE_NEWPID) == 0);
			/* the proc instance is that of the new pid namespace */
			inner = fork_flushed();
			CHILD_CHECK(inner >= 0);
			if (inner > 0) {
				CHILD_CHECK(waitpid(inner, &status, 0) == inner);
				_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
			}
		}

		ctx = fs_context_opts("proc", variant->subset ? "subset" : NULL,
				      variant->subset);
		CHILD_CHECK(ctx >= 0);
		if (!variant->err) {
			fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE, variant->attr);
			CHILD_CHECK(fd >= 0);
			CHILD_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, variant->attr));
			check_new_proc(variant, fd, variant->attr);
			_exit(0);
		}

		CHILD_ERRNO(variant->err, sys_fsmount(ctx, FSMOUNT_NAMESPACE, variant->attr));
		/* not consumed: the same error again, not EBUSY */
		CHILD_ERRNO(variant->err, sys_fsmount(ctx, FSMOUNT_NAMESPACE, variant->attr));
		CHILD_ERRNO(variant->err, sys_fsmount(ctx, FSMOUNT_CLOEXEC, variant->attr));
		if (variant->retry_attr >= 0) {
			fd = sys_fsmount(ctx, FSMOUNT_NAMESPACE, variant->retry_attr);
			CHILD_CHECK(fd >= 0);
			CHILD_ERRNO(EBUSY, sys_fsmount(ctx, FSMOUNT_NAMESPACE, variant->retry_attr));
			/* mount_too_revealing() comes before the phase check */
			CHILD_ERRNO(variant->err, sys_fsmount(ctx, FSMOUNT_NAMESPACE, variant->attr));
			check_new_proc(variant, fd, variant->retry_attr);
		}
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
	EXPECT_EQ(wait_mntns_count(self->nr_mntns), self->nr_mntns);
}

TEST_HARNESS_MAIN
