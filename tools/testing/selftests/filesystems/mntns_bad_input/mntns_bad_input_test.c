// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bad input to the mount namespace features, table by table: unshare(2)
 * with UNSHARE_EMPTY_MNTNS, clone3(2) with CLONE_EMPTY_MNTNS (and the legacy
 * clone(2), which can't carry it), fsmount(2) with FSMOUNT_NAMESPACE,
 * open_tree(2) with OPEN_TREE_NAMESPACE, move_mount(2) with
 * MOVE_MOUNT_BENEATH, and setns(2) with the file descriptors they return.
 *
 * Each row names the call, the file descriptors it gets (made fresh for the
 * row: closed ones, fs contexts in every phase, O_PATH ones, regular files,
 * nsfs files, pidfds, mounts, detached trees, ...), who makes it (root, an
 * unprivileged user, root of a user namespace, in an empty, private or
 * chrooted namespace ...), the errno that upstream answers - or 0, where
 * the call goes through and what it did is checked - and the function of
 * the 7.2 sources that decides it. Rows run one by one, each in a child of
 * its own; a row's failure names the row.
 *
 * Every row runs in the test's own private mount namespace, on a tmpfs
 * ("base", the cwd of the rows):
 *   src/      a directory          file, file2   regular files
 *   plain/    a directory          link -> src
 *   mnt/      a tmpfs              fmnt          file2 bound on a file
 *   sub/      a tmpfs, sub/d       ub/           an unbindable tmpfs
 *   gone/     where a row mounts and lazily unmounts a tmpfs
 * In a user namespace with a mount namespace of its own (copy_mnt_ns() ->
 * lock_mnt_tree()) all of these mounts are locked.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
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
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../mntns_util.h"
#include "clone3/clone3_selftests.h"
#include "kselftest_harness.h"

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND	(1ULL << 32)
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	(1ULL << 33)
#endif

#define USERNS_KNOB	"/proc/sys/kernel/unprivileged_userns_clone"
#define NOBODY		65534
#define CLOSED_FD	999
#define EMPTY_F		(MOVE_MOUNT_BENEATH | MOVE_MOUNT_F_EMPTY_PATH)

/* ------------------------------------------------------------------ */
/* Rows                                                                */

enum call { C_UNSHARE, C_CLONE3, C_CLONE, C_FSMOUNT, C_OPEN_TREE, C_MOVE_MOUNT, C_SETNS };

/* who makes the call */
enum priv {
	AS_ROOT,
	AS_NOBODY,		/* uid/gid 65534, no capabilities */
	IN_USERNS,		/* root of a user namespace, our mount namespace */
	IN_USERNS_MNTNS,	/* ... with a mount namespace of its own */
	IN_PRIVATE_MNTNS,	/* a private copy of the test's namespace */
	IN_EMPTY_MNTNS,		/* unshare(UNSHARE_EMPTY_MNTNS) */
	IN_CHROOT,		/* chroot("src") */
	IN_THREADED,		/* with a second thread */
	IN_SHARED_FS,		/* with a process that shares our fs_struct */
};

enum fd_kind {
	FD_NONE,
	FD_CWD,			/* AT_FDCWD */
	FD_BADF,		/* -EBADF */
	FD_CLOSED,		/* a closed descriptor */
	FD_FSCTX,		/* fsopen("tmpfs") + FSCONFIG_CMD_CREATE */
	FD_FSCTX_BLANK,		/* fsopen("tmpfs") only */
	FD_FSCTX_USED,		/* a context fsmount() already used */
	FD_FSPICK,		/* fspick("mnt") */
	FD_DIR,			/* open("src", O_DIRECTORY) */
	FD_OPATH_DIR,		/* open("src", O_PATH) */
	FD_FILE,		/* open("file") */
	FD_NSFS_MNT,		/* /proc/self/ns/mnt */
	FD_NSFS_NEW,		/* fsmount(FSMOUNT_NAMESPACE) */
	FD_NSFS_TREE,		/* open_tree("src", OPEN_TREE_NAMESPACE) */
	FD_PIDFD,		/* a pidfd of a child */
	FD_PIDFD_EMPTY,		/* ... of a child in an empty mount namespace */
	FD_MNT_DETACHED,	/* fsmount() of a tmpfs: O_PATH */
	FD_TREE,		/* open_tree("src", OPEN_TREE_CLONE) */
	FD_TREE_REC,		/* open_tree(".", OPEN_TREE_CLONE | AT_RECURSIVE) */
	FD_TREE_FILE,		/* open_tree("file2", OPEN_TREE_CLONE) */
	FD_TREE_FOREIGN,	/* FD_TREE, then unshare(CLONE_NEWNS) */
	FD_TREE_OWN_NSFILE,	/* a detached bind of our mount namespace file */
	FD_TREE_NEWER_NSFILE,	/* ... of a newer one (FD_NSFS_NEW) */
	FD_UNMOUNTED,		/* O_PATH on a lazily unmounted tmpfs */
	FD_ROOT_OVERMOUNT,	/* a tmpfs moved onto "/" (empty namespace) */
	FD_SAME,		/* (second fd) the first one again */
};

/* what a successful call must have done */
enum post {
	POST_NONE,
	POST_EMPTY_NS,		/* we (or the child) are in an empty namespace */
	POST_SAME_NS,		/* the child is in our namespace */
	POST_NS_FD,		/* the result is a mount namespace fd */
	POST_IN_FD_NS,		/* we are in the namespace of the first fd */
	POST_BENEATH,		/* the first fd's mount is under the target's top */
};

struct row {
	const char *what;
	enum call call;
	enum priv priv;
	bool fds_after;		/* make the fds after entering @priv */
	enum fd_kind fd1, fd2;
	const char *path1, *path2;
	unsigned long long flags;
	unsigned int attr;	/* fsmount() attr_flags */
	/* clone3(): size (0: sizeof(struct __clone_args)), odd arguments */
	size_t size;
	unsigned long long exit_signal;	/* 0: SIGCHLD */
	unsigned long long stack_size, set_tid_size;
	bool null_args, tail;
	int knob;		/* unprivileged_userns_clone: 0, 1, -1 don't care */
	int expect;		/* errno, or 0 */
	enum post post;
	const char *by;		/* the deciding function */
};

#define KNOB_ANY	.knob = -1
/* .size = 0 means sizeof(struct __clone_args) */
#define SIZE_ZERO	((size_t)-1)

/* unshare(2) -- the checks of ksys_unshare() and what it calls */
static const struct row unshare_rows[] = {
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_PIDFD)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_PIDFD, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_VFORK)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_VFORK, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_SETTLS)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_SETTLS, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_CHILD_CLEARTID)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_CHILD_CLEARTID, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_IO)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_IO, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | 1 << 32)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | (1ULL << 32), KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	/* the 64-bit clone3() flag is no unshare() flag */
	{ "unshare(CLONE_EMPTY_MNTNS)", C_UNSHARE, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_EMPTY_MNTNS)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | SIGCHLD)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | SIGCHLD, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	/* UNSHARE_EMPTY_MNTNS implies CLONE_NEWNS, which implies CLONE_FS */
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_FS)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_FS, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "ksys_unshare()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_NEWNS)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_NEWNS, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "ksys_unshare()" },
	/* only clone() refuses CLONE_NEWIPC | CLONE_SYSVSEM */
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_NEWIPC | CLONE_SYSVSEM)", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_NEWIPC | CLONE_SYSVSEM, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "ksys_unshare()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_THREAD), one thread", C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_THREAD, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_THREAD), two threads", C_UNSHARE, IN_THREADED,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_THREAD, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	/* CLONE_VM implies CLONE_SIGHAND, which implies CLONE_THREAD */
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_VM), two threads", C_UNSHARE, IN_THREADED,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_VM, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	/* the fs_struct the threads share is copied */
	{ "unshare(UNSHARE_EMPTY_MNTNS), two threads", C_UNSHARE, IN_THREADED,
	  .flags = UNSHARE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "unshare_fs()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS) unprivileged", C_UNSHARE, AS_NOBODY,
	  .flags = UNSHARE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = EPERM, .by = "unshare_nsproxy_namespaces()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_FS) unprivileged", C_UNSHARE, AS_NOBODY,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_FS, KNOB_ANY,
	  .expect = EPERM, .by = "unshare_nsproxy_namespaces()" },
	/* the flags are checked before the privileges */
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_PIDFD) unprivileged", C_UNSHARE, AS_NOBODY,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_PIDFD, KNOB_ANY,
	  .expect = EINVAL, .by = "check_unshare_flags()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_NEWUSER) unprivileged", C_UNSHARE, AS_NOBODY,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_NEWUSER, .knob = 1,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "unshare_nsproxy_namespaces()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_NEWUSER) unprivileged, unprivileged_userns_clone=0",
	  C_UNSHARE, AS_NOBODY,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_NEWUSER, .knob = 0,
	  .expect = EPERM, .by = "ksys_unshare()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_NEWUSER), unprivileged_userns_clone=0",
	  C_UNSHARE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_NEWUSER, .knob = 0,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "ksys_unshare()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS | CLONE_NEWUSER) in a chroot", C_UNSHARE, IN_CHROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | CLONE_NEWUSER, KNOB_ANY,
	  .expect = EPERM, .by = "create_user_ns()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS) in a chroot", C_UNSHARE, IN_CHROOT,
	  .flags = UNSHARE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "copy_mnt_ns()" },
	{ "unshare(UNSHARE_EMPTY_MNTNS) in a user namespace", C_UNSHARE, IN_USERNS,
	  .flags = UNSHARE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "unshare_nsproxy_namespaces()" },
};

/* clone3(2) and clone(2) -- copy_clone_args_from_user(), clone3_args_valid(), copy_process() */
static const struct row clone_rows[] = {
	{ "clone3(CLONE_EMPTY_MNTNS | 1 << 38)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | (1ULL << 38), KNOB_ANY,
	  .expect = EINVAL, .by = "clone3_args_valid()" },
	{ "clone3(CLONE_EMPTY_MNTNS | 1 << 63)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | (1ULL << 63), KNOB_ANY,
	  .expect = EINVAL, .by = "clone3_args_valid()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_DETACHED)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_DETACHED, KNOB_ANY,
	  .expect = EINVAL, .by = "clone3_args_valid()" },
	{ "clone3(CLONE_EMPTY_MNTNS | SIGCHLD)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | SIGCHLD, KNOB_ANY,
	  .expect = EINVAL, .by = "clone3_args_valid()" },
	/* kernel_clone() adds CLONE_NEWNS, which can't go with CLONE_FS */
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_FS)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_FS, KNOB_ANY,
	  .expect = EINVAL, .by = "copy_process()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_NEWUSER | CLONE_FS)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_NEWUSER | CLONE_FS, KNOB_ANY,
	  .expect = EINVAL, .by = "copy_process()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND, KNOB_ANY,
	  .expect = EINVAL, .by = "clone3_args_valid()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_THREAD), exit_signal SIGCHLD", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_THREAD, KNOB_ANY,
	  .expect = EINVAL, .by = "clone3_args_valid()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_NEWIPC | CLONE_SYSVSEM)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_NEWIPC | CLONE_SYSVSEM, KNOB_ANY,
	  .expect = EINVAL, .by = "copy_namespaces()" },
	{ "clone3(CLONE_EMPTY_MNTNS) unprivileged", C_CLONE3, AS_NOBODY,
	  .flags = CLONE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = EPERM, .by = "copy_namespaces()" },
	{ "clone3(CLONE_EMPTY_MNTNS | SIGCHLD) unprivileged", C_CLONE3, AS_NOBODY,
	  .flags = CLONE_EMPTY_MNTNS | SIGCHLD, KNOB_ANY,
	  .expect = EINVAL, .by = "clone3_args_valid()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_NEWUSER) unprivileged", C_CLONE3, AS_NOBODY,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_NEWUSER, .knob = 1,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "copy_namespaces()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_NEWUSER) unprivileged, unprivileged_userns_clone=0",
	  C_CLONE3, AS_NOBODY,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_NEWUSER, .knob = 0,
	  .expect = EPERM, .by = "copy_process()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_NEWUSER)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_NEWUSER, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "copy_mnt_ns()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_NEWNS)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_NEWNS, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "kernel_clone()" },
	{ "clone3(CLONE_EMPTY_MNTNS) in a user namespace", C_CLONE3, IN_USERNS,
	  .flags = CLONE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "copy_namespaces()" },
	{ "clone3(CLONE_EMPTY_MNTNS), exit_signal 1 << 32 | SIGCHLD", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .exit_signal = (1ULL << 32) | SIGCHLD, KNOB_ANY,
	  .expect = EINVAL, .by = "copy_clone_args_from_user()" },
	{ "clone3(CLONE_EMPTY_MNTNS), exit_signal 65", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .exit_signal = 65, KNOB_ANY,
	  .expect = EINVAL, .by = "kernel_clone()" },
	{ "clone3(CLONE_EMPTY_MNTNS), stack_size without a stack", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .stack_size = 4096, KNOB_ANY,
	  .expect = EINVAL, .by = "clone3_stack_valid()" },
	{ "clone3(CLONE_EMPTY_MNTNS), set_tid_size without set_tid", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .set_tid_size = 1, KNOB_ANY,
	  .expect = EINVAL, .by = "copy_clone_args_from_user()" },
	{ "clone3(CLONE_EMPTY_MNTNS | CLONE_INTO_CGROUP), size 64", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | CLONE_INTO_CGROUP, .size = 64, KNOB_ANY,
	  .expect = EINVAL, .by = "copy_clone_args_from_user()" },
	{ "clone3(CLONE_EMPTY_MNTNS), size 0", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .size = SIZE_ZERO, KNOB_ANY,
	  .expect = EINVAL, .by = "copy_clone_args_from_user()" },
	{ "clone3(CLONE_EMPTY_MNTNS), size 63", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .size = 63, KNOB_ANY,
	  .expect = EINVAL, .by = "copy_clone_args_from_user()" },
	{ "clone3(CLONE_EMPTY_MNTNS), size PAGE_SIZE + 1", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .size = 4097, KNOB_ANY,
	  .expect = E2BIG, .by = "copy_clone_args_from_user()" },
	{ "clone3(CLONE_EMPTY_MNTNS), size 96, non-zero tail", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .size = 96, .tail = true, KNOB_ANY,
	  .expect = E2BIG, .by = "copy_struct_from_user()" },
	{ "clone3(CLONE_EMPTY_MNTNS), size 96, zero tail", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .size = 96, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "copy_struct_from_user()" },
	{ "clone3(CLONE_EMPTY_MNTNS), size 64 (CLONE_ARGS_SIZE_VER0)", C_CLONE3, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS, .size = 64, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "copy_clone_args_from_user()" },
	{ "clone3(NULL, sizeof(struct clone_args))", C_CLONE3, AS_ROOT,
	  .null_args = true, KNOB_ANY,
	  .expect = EFAULT, .by = "copy_struct_from_user()" },
	/* 0x00100000 is CLONE_PARENT_SETTID to clone3(): no new namespace */
	{ "clone3(UNSHARE_EMPTY_MNTNS)", C_CLONE3, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = 0, .post = POST_SAME_NS, .by = "kernel_clone()" },
	/* clone() passes lower_32_bits() of its flags on: bit 37 is dropped */
	{ "clone(CLONE_EMPTY_MNTNS | SIGCHLD)", C_CLONE, AS_ROOT,
	  .flags = CLONE_EMPTY_MNTNS | SIGCHLD, KNOB_ANY,
	  .expect = 0, .post = POST_SAME_NS, .by = "sys_clone()" },
	{ "clone(UNSHARE_EMPTY_MNTNS | SIGCHLD), parent_tid NULL", C_CLONE, AS_ROOT,
	  .flags = UNSHARE_EMPTY_MNTNS | SIGCHLD, KNOB_ANY,
	  .expect = 0, .post = POST_SAME_NS, .by = "kernel_clone()" },
};

/* fsmount(2) -- in the order of its checks */
static const struct row fsmount_rows[] = {
	{ "fsmount(closed fd, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_CLOSED, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EBADF, .by = "sys_fsmount()" },
	{ "fsmount(-EBADF, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_BADF, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EBADF, .by = "sys_fsmount()" },
	/* CLASS(fd) skips O_PATH files, and mount fds are O_PATH */
	{ "fsmount(O_PATH directory, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_OPATH_DIR, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EBADF, .by = "sys_fsmount()" },
	{ "fsmount(fsmount() mount fd, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_MNT_DETACHED, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EBADF, .by = "sys_fsmount()" },
	{ "fsmount(open_tree(OPEN_TREE_CLONE) fd, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_TREE, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EBADF, .by = "sys_fsmount()" },
	{ "fsmount(regular file, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FILE, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): not fscontext_fops" },
	{ "fsmount(directory, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_DIR, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): not fscontext_fops" },
	{ "fsmount(/proc/self/ns/mnt, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_NSFS_MNT, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): not fscontext_fops" },
	{ "fsmount(fsmount(FSMOUNT_NAMESPACE) fd, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_NSFS_NEW, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): not fscontext_fops" },
	{ "fsmount(pidfd, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_PIDFD, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): not fscontext_fops" },
	{ "fsmount(fs context before FSCONFIG_CMD_CREATE, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX_BLANK, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): no fc->root" },
	/* vfs_clean_context() leaves the context FS_CONTEXT_AWAITING_RECONF */
	{ "fsmount(used fs context, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX_USED, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EBUSY, .by = "sys_fsmount(): fc->phase" },
	{ "fsmount(fspick() context, FSMOUNT_NAMESPACE)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSPICK, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EBUSY, .by = "sys_fsmount(): fc->phase" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE | 0x4)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE | 0x4, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): flags" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE | 1 << 31)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE | (1U << 31), KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): flags" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE, MOUNT_ATTR_IDMAP)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE, .attr = MOUNT_ATTR_IDMAP, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): FSMOUNT_VALID_FLAGS" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE, 1 << 31)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE, .attr = 1U << 31, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): FSMOUNT_VALID_FLAGS" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE, atime 0x40)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE, .attr = 0x40, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): MOUNT_ATTR__ATIME" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE, NOATIME | STRICTATIME)", C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE,
	  .attr = MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): MOUNT_ATTR__ATIME" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE) unprivileged", C_FSMOUNT, AS_NOBODY,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EPERM, .by = "sys_fsmount(): ns_capable()" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE | 0x4) unprivileged", C_FSMOUNT, AS_NOBODY,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE | 0x4, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_fsmount(): flags before privileges" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE, atime 0x40) unprivileged", C_FSMOUNT, AS_NOBODY,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE, .attr = 0x40, KNOB_ANY,
	  .expect = EPERM, .by = "sys_fsmount(): privileges before attr_flags" },
	{ "fsmount(closed fd, FSMOUNT_NAMESPACE) unprivileged", C_FSMOUNT, AS_NOBODY,
	  .fd1 = FD_CLOSED, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = EPERM, .by = "sys_fsmount(): privileges before the fd" },
	{ "fsmount(fs context, 0) unprivileged", C_FSMOUNT, AS_NOBODY,
	  .fd1 = FD_FSCTX, .flags = 0, KNOB_ANY,
	  .expect = EPERM, .by = "sys_fsmount(): may_mount()" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE | FSMOUNT_CLOEXEC, every valid attr)",
	  C_FSMOUNT, AS_ROOT,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE | FSMOUNT_CLOEXEC,
	  .attr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		  MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME |
		  MOUNT_ATTR_NOSYMFOLLOW, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "create_new_namespace()" },
	/* only CAP_SYS_ADMIN over our user namespace counts */
	{ "fsmount(root's fs context, FSMOUNT_NAMESPACE) in a user namespace", C_FSMOUNT, IN_USERNS,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "sys_fsmount(): ns_capable()" },
	{ "fsmount(fs context, FSMOUNT_NAMESPACE) in a user and mount namespace", C_FSMOUNT,
	  IN_USERNS_MNTNS, .fds_after = true,
	  .fd1 = FD_FSCTX, .flags = FSMOUNT_NAMESPACE, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "create_new_namespace()" },
};

/* open_tree(2) -- vfs_open_tree(), the lookup, create_new_namespace() */
static const struct row open_tree_rows[] = {
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "src", .flags = OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE, KNOB_ANY,
	  .expect = EINVAL, .by = "vfs_open_tree(): hweight32()" },
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE | AT_RECURSIVE)", C_OPEN_TREE,
	  AS_ROOT, .fd1 = FD_CWD, .path1 = "src",
	  .flags = OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE | AT_RECURSIVE, KNOB_ANY,
	  .expect = EINVAL, .by = "vfs_open_tree(): hweight32()" },
	{ "open_tree(\"src\", AT_RECURSIVE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "src", .flags = AT_RECURSIVE, KNOB_ANY,
	  .expect = EINVAL, .by = "vfs_open_tree()" },
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE | AT_SYMLINK_FOLLOW)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "src", .flags = OPEN_TREE_NAMESPACE | AT_SYMLINK_FOLLOW, KNOB_ANY,
	  .expect = EINVAL, .by = "vfs_open_tree(): unknown flag" },
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE | AT_REMOVEDIR)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "src", .flags = OPEN_TREE_NAMESPACE | AT_REMOVEDIR, KNOB_ANY,
	  .expect = EINVAL, .by = "vfs_open_tree(): unknown flag" },
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE | 1 << 2)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "src", .flags = OPEN_TREE_NAMESPACE | (1 << 2), KNOB_ANY,
	  .expect = EINVAL, .by = "vfs_open_tree(): unknown flag" },
	{ "open_tree(\"\", OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = ENOENT, .by = "do_getname(): empty path" },
	{ "open_tree(NULL, OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = NULL, .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = EFAULT, .by = "do_getname()" },
	{ "open_tree(NULL, OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = NULL, .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH, KNOB_ANY,
	  .expect = EFAULT, .by = "do_getname()" },
	{ "open_tree(closed fd, \"src\", OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CLOSED, .path1 = "src", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = EBADF, .by = "path_init()" },
	{ "open_tree(-EBADF, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_BADF, .path1 = "", .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH, KNOB_ANY,
	  .expect = EBADF, .by = "path_init()" },
	{ "open_tree(regular file, \"x\", OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_FILE, .path1 = "x", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = ENOTDIR, .by = "path_init()" },
	{ "open_tree(/proc/self/ns/mnt, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)", C_OPEN_TREE,
	  AS_ROOT, .fd1 = FD_NSFS_MNT, .path1 = "", .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH,
	  KNOB_ANY, .expect = ENOTDIR, .by = "create_new_namespace(): d_can_lookup()" },
	{ "open_tree(fsmount(FSMOUNT_NAMESPACE) fd, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)",
	  C_OPEN_TREE, AS_ROOT, .fd1 = FD_NSFS_NEW, .path1 = "",
	  .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH, KNOB_ANY,
	  .expect = ENOTDIR, .by = "create_new_namespace(): d_can_lookup()" },
	{ "open_tree(pidfd, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_PIDFD, .path1 = "", .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH, KNOB_ANY,
	  .expect = ENOTDIR, .by = "create_new_namespace(): d_can_lookup()" },
	{ "open_tree(regular file, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)", C_OPEN_TREE,
	  AS_ROOT, .fd1 = FD_FILE, .path1 = "", .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH,
	  KNOB_ANY, .expect = ENOTDIR, .by = "create_new_namespace(): d_can_lookup()" },
	{ "open_tree(\"file\", OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "file", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = ENOTDIR, .by = "create_new_namespace(): d_can_lookup()" },
	{ "open_tree(\"link\", OPEN_TREE_NAMESPACE | AT_SYMLINK_NOFOLLOW)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "link", .flags = OPEN_TREE_NAMESPACE | AT_SYMLINK_NOFOLLOW,
	  KNOB_ANY, .expect = ENOTDIR, .by = "create_new_namespace(): d_can_lookup()" },
	{ "open_tree(\"link\", OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "link", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "vfs_open_tree(): LOOKUP_FOLLOW" },
	{ "open_tree(\"nonexistent\", OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "nonexistent", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = ENOENT, .by = "filename_lookup()" },
	{ "open_tree(\"file/x\", OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "file/x", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = ENOTDIR, .by = "filename_lookup()" },
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE) unprivileged", C_OPEN_TREE, AS_NOBODY,
	  .fd1 = FD_CWD, .path1 = "src", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = EPERM, .by = "vfs_open_tree(): ns_capable()" },
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE) unprivileged", C_OPEN_TREE,
	  AS_NOBODY, .fd1 = FD_CWD, .path1 = "src",
	  .flags = OPEN_TREE_NAMESPACE | OPEN_TREE_CLONE, KNOB_ANY,
	  .expect = EINVAL, .by = "vfs_open_tree(): flags before privileges" },
	{ "open_tree(\"nonexistent\", OPEN_TREE_NAMESPACE) unprivileged", C_OPEN_TREE, AS_NOBODY,
	  .fd1 = FD_CWD, .path1 = "nonexistent", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = EPERM, .by = "vfs_open_tree(): privileges before the lookup" },
	/* without privileges over the mount namespace no child may be left out */
	{ "open_tree(\".\", OPEN_TREE_NAMESPACE) in a user namespace, with child mounts",
	  C_OPEN_TREE, IN_USERNS, .fd1 = FD_CWD, .path1 = ".", .flags = OPEN_TREE_NAMESPACE,
	  KNOB_ANY, .expect = EINVAL, .by = "create_new_namespace(): __has_children()" },
	{ "open_tree(\".\", OPEN_TREE_NAMESPACE | AT_RECURSIVE) in a user namespace", C_OPEN_TREE,
	  IN_USERNS, .fd1 = FD_CWD, .path1 = ".", .flags = OPEN_TREE_NAMESPACE | AT_RECURSIVE,
	  KNOB_ANY, .expect = 0, .post = POST_NS_FD, .by = "create_new_namespace()" },
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE) in a user namespace", C_OPEN_TREE, IN_USERNS,
	  .fd1 = FD_CWD, .path1 = "src", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "create_new_namespace()" },
	/* a detached tree made from our namespace may be copied */
	{ "open_tree(detached tree, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)", C_OPEN_TREE,
	  AS_ROOT, .fd1 = FD_TREE, .path1 = "", .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH,
	  KNOB_ANY, .expect = 0, .post = POST_NS_FD, .by = "may_copy_tree(): check_anonymous_mnt()" },
	{ "open_tree(detached tree, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH | AT_RECURSIVE)",
	  C_OPEN_TREE, AS_ROOT, .fd1 = FD_TREE_REC, .path1 = "",
	  .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH | AT_RECURSIVE, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "may_copy_tree(): check_anonymous_mnt()" },
	{ "open_tree(detached tree of another namespace, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)",
	  C_OPEN_TREE, AS_ROOT, .fd1 = FD_TREE_FOREIGN, .path1 = "",
	  .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH, KNOB_ANY,
	  .expect = EINVAL, .by = "__do_loopback(): may_copy_tree()" },
	{ "open_tree(lazily unmounted tmpfs, \"\", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH)",
	  C_OPEN_TREE, AS_ROOT, .fd1 = FD_UNMOUNTED, .path1 = "",
	  .flags = OPEN_TREE_NAMESPACE | AT_EMPTY_PATH, KNOB_ANY,
	  .expect = EINVAL, .by = "__do_loopback(): may_copy_tree()" },
	{ "open_tree(\"ub\" (unbindable), OPEN_TREE_NAMESPACE)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "ub", .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = EINVAL, .by = "__do_loopback(): IS_MNT_UNBINDABLE()" },
	/* copy_tree() leaves the unbindable child out */
	{ "open_tree(\".\", OPEN_TREE_NAMESPACE | AT_RECURSIVE), an unbindable child",
	  C_OPEN_TREE, AS_ROOT, .fd1 = FD_CWD, .path1 = ".",
	  .flags = OPEN_TREE_NAMESPACE | AT_RECURSIVE, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "copy_tree()" },
	{ "open_tree(\"/\" (the nullfs root), OPEN_TREE_NAMESPACE) in an empty namespace",
	  C_OPEN_TREE, IN_EMPTY_MNTNS, .fd1 = FD_CWD, .path1 = "/",
	  .flags = OPEN_TREE_NAMESPACE, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "create_new_namespace()" },
	{ "open_tree(\"/\" (the nullfs root), OPEN_TREE_NAMESPACE | AT_RECURSIVE) in an empty namespace",
	  C_OPEN_TREE, IN_EMPTY_MNTNS, .fd1 = FD_CWD, .path1 = "/",
	  .flags = OPEN_TREE_NAMESPACE | AT_RECURSIVE, KNOB_ANY,
	  .expect = 0, .post = POST_NS_FD, .by = "create_new_namespace()" },
	{ "open_tree(\"src\", OPEN_TREE_NAMESPACE | every other valid flag)", C_OPEN_TREE, AS_ROOT,
	  .fd1 = FD_CWD, .path1 = "src",
	  .flags = OPEN_TREE_NAMESPACE | AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLOEXEC,
	  KNOB_ANY, .expect = 0, .post = POST_NS_FD, .by = "vfs_open_tree()" },
};

/*
 * move_mount(2) with MOVE_MOUNT_BENEATH -- sys_move_mount(), do_move_mount(),
 * do_lock_mount(), can_move_mount_beneath(). Rows that could move anything
 * run in a private copy of the namespace, with fds made there.
 */
#define MV(_priv)	C_MOVE_MOUNT, _priv, .fds_after = true
static const struct row move_mount_rows[] = {
	{ "move_mount(tree, \"mnt\", BENEATH | 0x400)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F | 0x400, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_move_mount(): MOVE_MOUNT__MASK" },
	{ "move_mount(tree, \"mnt\", BENEATH | 0x8)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F | 0x8, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_move_mount(): MOVE_MOUNT__MASK" },
	{ "move_mount(tree, \"mnt\", BENEATH | SET_GROUP)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F | MOVE_MOUNT_SET_GROUP, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_move_mount()" },
	{ "move_mount(tree, \"mnt\", BENEATH) unprivileged", C_MOVE_MOUNT, AS_NOBODY,
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EPERM, .by = "sys_move_mount(): may_mount()" },
	{ "move_mount(tree, \"mnt\", BENEATH | 0x400) unprivileged", C_MOVE_MOUNT, AS_NOBODY,
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F | 0x400, KNOB_ANY,
	  .expect = EPERM, .by = "sys_move_mount(): may_mount() before the flags" },
	{ "move_mount(closed fd, \"mnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_CLOSED, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EBADF, .by = "sys_move_mount()" },
	{ "move_mount(tree, \"nonexistent\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "nonexistent",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = ENOENT, .by = "sys_move_mount(): filename_lookup()" },
	{ "move_mount(closed fd, \"nonexistent\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_CLOSED, .path1 = "", .fd2 = FD_CWD, .path2 = "nonexistent",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = ENOENT, .by = "sys_move_mount(): the target first" },
	{ "move_mount(tree, closed fd, BENEATH | T_EMPTY_PATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CLOSED, .path2 = "",
	  .flags = EMPTY_F | MOVE_MOUNT_T_EMPTY_PATH, KNOB_ANY,
	  .expect = EBADF, .by = "sys_move_mount()" },
	{ "move_mount(tree, regular file, \"x\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_FILE, .path2 = "x",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = ENOTDIR, .by = "path_init()" },
	{ "move_mount(/proc/self/ns/mnt, \"mnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_NSFS_MNT, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): path_mounted()" },
	{ "move_mount(fsmount(FSMOUNT_NAMESPACE) fd, \"mnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_NSFS_NEW, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): path_mounted()" },
	{ "move_mount(pidfd, \"mnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_PIDFD, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): path_mounted()" },
	{ "move_mount(regular file, \"fmnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_FILE, .path1 = "", .fd2 = FD_CWD, .path2 = "fmnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): path_mounted()" },
	{ "move_mount(O_PATH directory, \"mnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_OPATH_DIR, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): path_mounted()" },
	{ "move_mount(directory tree, \"fmnt\" (a file), BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "fmnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): d_is_dir()" },
	{ "move_mount(file tree, \"mnt\" (a directory), BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE_FILE, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): d_is_dir()" },
	{ "move_mount(tree, \"plain\" (no mount), BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "plain",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_lock_mount(): path_mounted()" },
	{ "move_mount(tree, the same tree, BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_SAME, .path2 = "",
	  .flags = EMPTY_F | MOVE_MOUNT_T_EMPTY_PATH, KNOB_ANY,
	  .expect = EINVAL, .by = "do_lock_mount(): nothing on top" },
	{ "move_mount(tree, another detached tree, BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_TREE_REC, .path2 = "",
	  .flags = EMPTY_F | MOVE_MOUNT_T_EMPTY_PATH, KNOB_ANY,
	  .expect = EINVAL, .by = "do_lock_mount(): nothing on top" },
	{ "move_mount(tree, a mount of the same tree, BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE_REC, .path1 = "", .fd2 = FD_SAME, .path2 = "sub",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): the same anonymous namespace" },
	{ "move_mount(a non-root mount of a tree, \"mnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE_REC, .path1 = "sub", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = MOVE_MOUNT_BENEATH, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): anon_ns_root()" },
	{ "move_mount(lazily unmounted tmpfs, \"mnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_UNMOUNTED, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): anon_ns_root()" },
	{ "move_mount(tree, lazily unmounted tmpfs, BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_UNMOUNTED, .path2 = "",
	  .flags = EMPTY_F | MOVE_MOUNT_T_EMPTY_PATH, KNOB_ANY,
	  .expect = ENOENT, .by = "do_lock_mount(): !is_mounted()" },
	{ "move_mount(\"/\", \"mnt\", BENEATH): the root under a mount below it",
	  MV(IN_PRIVATE_MNTNS), .fd1 = FD_CWD, .path1 = "/", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = MOVE_MOUNT_BENEATH, KNOB_ANY,
	  .expect = ELOOP, .by = "do_move_mount(): mount_is_ancestor()" },
	/* mnt_ns_loop(): only newer namespaces may be bound */
	{ "move_mount(bind of our namespace file, \"fmnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE_OWN_NSFILE, .path1 = "", .fd2 = FD_CWD, .path2 = "fmnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = ELOOP, .by = "check_for_nsfs_mounts()" },
	{ "move_mount(bind of a newer namespace file, \"fmnt\", BENEATH)", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE_NEWER_NSFILE, .path1 = "", .fd2 = FD_CWD, .path2 = "fmnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = 0, .post = POST_BENEATH, .by = "check_for_nsfs_mounts()" },
	/* a namespace file can't take the lock over: copies leave it out */
	{ "move_mount(bind of a newer namespace file, locked \"fmnt\", BENEATH)",
	  MV(IN_USERNS_MNTNS), .fd1 = FD_TREE_NEWER_NSFILE, .path1 = "", .fd2 = FD_CWD,
	  .path2 = "fmnt", .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "can_move_mount_beneath(): is_mnt_ns_file()" },
	{ "move_mount(file tree, locked \"fmnt\", BENEATH)", MV(IN_USERNS_MNTNS),
	  .fd1 = FD_TREE_FILE, .path1 = "", .fd2 = FD_CWD, .path2 = "fmnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = 0, .post = POST_BENEATH, .by = "attach_recursive_mnt(): takes the lock over" },
	{ "move_mount(tree, locked \"mnt\", BENEATH)", MV(IN_USERNS_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "mnt",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = 0, .post = POST_BENEATH, .by = "attach_recursive_mnt(): takes the lock over" },
	{ "move_mount(locked \"mnt\", \"sub\", BENEATH)", MV(IN_USERNS_MNTNS),
	  .fd1 = FD_CWD, .path1 = "mnt", .fd2 = FD_CWD, .path2 = "sub",
	  .flags = MOVE_MOUNT_BENEATH, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): IS_MNT_LOCKED()" },
	{ "move_mount(tree, \"/\", BENEATH): the root switch", MV(IN_PRIVATE_MNTNS),
	  .fd1 = FD_TREE, .path1 = "", .fd2 = FD_CWD, .path2 = "/",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = 0, .post = POST_BENEATH, .by = "do_lock_mount()" },
	{ "move_mount(tmpfs, \"/\" (the bare nullfs root), BENEATH) in an empty namespace",
	  MV(IN_EMPTY_MNTNS), .fd1 = FD_MNT_DETACHED, .path1 = "", .fd2 = FD_CWD, .path2 = "/",
	  .flags = EMPTY_F, KNOB_ANY,
	  .expect = EINVAL, .by = "do_lock_mount(): nothing on top" },
	{ "move_mount(tmpfs, \"/\" (nullfs root under a tmpfs), BENEATH) in an empty namespace",
	  MV(IN_EMPTY_MNTNS), .fd1 = FD_MNT_DETACHED, .path1 = "", .fd2 = FD_ROOT_OVERMOUNT,
	  .path2 = "/", .flags = EMPTY_F, KNOB_ANY,
	  .expect = 0, .post = POST_BENEATH, .by = "do_lock_mount(): beneath the topmost mount" },
	{ "move_mount(\"/\" (the nullfs root), onto a tmpfs) in an empty namespace",
	  MV(IN_EMPTY_MNTNS), .fd1 = FD_CWD, .path1 = "/", .fd2 = FD_ROOT_OVERMOUNT,
	  .path2 = "", .flags = MOVE_MOUNT_T_EMPTY_PATH, KNOB_ANY,
	  .expect = EINVAL, .by = "do_move_mount(): !mnt_has_parent()" },
};

/* setns(2) with the fds of the features -- sys_setns(), mntns_install() */
static const struct row setns_rows[] = {
	{ "setns(fsmount(FSMOUNT_NAMESPACE) fd, CLONE_NEWNET)", C_SETNS, AS_ROOT,
	  .fd1 = FD_NSFS_NEW, .flags = CLONE_NEWNET, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_setns(): ns_type" },
	{ "setns(fsmount(FSMOUNT_NAMESPACE) fd, CLONE_NEWNS | CLONE_NEWUTS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_NSFS_NEW, .flags = CLONE_NEWNS | CLONE_NEWUTS, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_setns(): ns_type" },
	{ "setns(open_tree(OPEN_TREE_NAMESPACE) fd, CLONE_NEWUSER)", C_SETNS, AS_ROOT,
	  .fd1 = FD_NSFS_TREE, .flags = CLONE_NEWUSER, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_setns(): ns_type" },
	{ "setns(open_tree(OPEN_TREE_NAMESPACE) fd, CLONE_NEWPID)", C_SETNS, AS_ROOT,
	  .fd1 = FD_NSFS_TREE, .flags = CLONE_NEWPID, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_setns(): ns_type" },
	{ "setns(fsmount(FSMOUNT_NAMESPACE) fd, 0)", C_SETNS, AS_ROOT,
	  .fd1 = FD_NSFS_NEW, .flags = 0, KNOB_ANY,
	  .expect = 0, .post = POST_IN_FD_NS, .by = "mntns_install()" },
	{ "setns(fsmount(FSMOUNT_NAMESPACE) fd, CLONE_NEWNS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_NSFS_NEW, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = 0, .post = POST_IN_FD_NS, .by = "mntns_install()" },
	{ "setns(open_tree(OPEN_TREE_NAMESPACE) fd, CLONE_NEWNS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_NSFS_TREE, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = 0, .post = POST_IN_FD_NS, .by = "mntns_install()" },
	{ "setns(fsmount() mount fd, CLONE_NEWNS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_MNT_DETACHED, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = EBADF, .by = "sys_setns(): O_PATH" },
	{ "setns(open_tree(OPEN_TREE_CLONE) fd, 0)", C_SETNS, AS_ROOT,
	  .fd1 = FD_TREE, .flags = 0, KNOB_ANY,
	  .expect = EBADF, .by = "sys_setns(): O_PATH" },
	{ "setns(fs context, CLONE_NEWNS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_FSCTX, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_setns(): no nsfs file, no pidfd" },
	{ "setns(regular file, CLONE_NEWNS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_FILE, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = EINVAL, .by = "sys_setns(): no nsfs file, no pidfd" },
	{ "setns(closed fd, CLONE_NEWNS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_CLOSED, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = EBADF, .by = "sys_setns()" },
	{ "setns(pidfd of an empty-namespace child, 0)", C_SETNS, AS_ROOT,
	  .fd1 = FD_PIDFD_EMPTY, .flags = 0, KNOB_ANY,
	  .expect = EINVAL, .by = "check_setns_flags()" },
	{ "setns(pidfd of an empty-namespace child, UNSHARE_EMPTY_MNTNS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_PIDFD_EMPTY, .flags = UNSHARE_EMPTY_MNTNS, KNOB_ANY,
	  .expect = EINVAL, .by = "check_setns_flags()" },
	{ "setns(pidfd of an empty-namespace child, CLONE_NEWNS)", C_SETNS, AS_ROOT,
	  .fd1 = FD_PIDFD_EMPTY, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = 0, .post = POST_EMPTY_NS, .by = "validate_nsset()" },
	{ "setns(root's fsmount(FSMOUNT_NAMESPACE) fd, CLONE_NEWNS) in a user namespace",
	  C_SETNS, IN_USERNS, .fd1 = FD_NSFS_NEW, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = EPERM, .by = "mntns_install(): ns_capable()" },
	{ "setns(fsmount(FSMOUNT_NAMESPACE) fd, CLONE_NEWNS) unprivileged", C_SETNS, AS_NOBODY,
	  .fd1 = FD_NSFS_NEW, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = EPERM, .by = "mntns_install(): ns_capable()" },
	{ "setns(fsmount(FSMOUNT_NAMESPACE) fd, CLONE_NEWNS), fs_struct shared", C_SETNS,
	  IN_SHARED_FS, .fd1 = FD_NSFS_NEW, .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = EINVAL, .by = "mntns_install(): fs->users" },
	{ "setns(fsmount(FSMOUNT_NAMESPACE) fd, CLONE_NEWNS) in a user and mount namespace",
	  C_SETNS, IN_USERNS_MNTNS, .fds_after = true, .fd1 = FD_NSFS_NEW,
	  .flags = CLONE_NEWNS, KNOB_ANY,
	  .expect = 0, .post = POST_IN_FD_NS, .by = "mntns_install()" },
};

/* ------------------------------------------------------------------ */
/* Running a row                                                       */

struct ctx {
	char base[64];
};

/* what the row's child found, in shared memory */
struct result {
	int setup_step;		/* non-zero: making the fds or entering failed */
	int setup_errno;
	long ret;
	int err;
	bool post_ok;
	char post_msg[96];
};

static pid_t helpers[8];
static int nr_helpers;

/* Helpers also die with the row's child (PR_SET_PDEATHSIG), whoever it is by then. */
static void kill_helpers(void)
{
	for (int i = 0; i < nr_helpers; i++)
		if (kill(helpers[i], SIGKILL) == 0)
			waitpid(helpers[i], NULL, 0);
	nr_helpers = 0;
}

static void __attribute__((noreturn)) helper_wait(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		pause();
}

static int open_tree_fd(int dfd, const char *path, unsigned int flags)
{
	return sys_open_tree(dfd, path, flags | OPEN_TREE_CLOEXEC);
}

static pid_t spawn_helper(uint64_t flags, int *pidfd)
{
	struct __clone_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid = sys_clone3(&args, sizeof(args));

	if (pid == 0)
		helper_wait();
	if (pid > 0)
		helpers[nr_helpers++] = pid;
	return pid;
}

/* Make an fd of @kind; -2 if that failed. */
static int make_fd(enum fd_kind kind)
{
	int fd, nsfd, pidfd = -1;

	switch (kind) {
	case FD_NONE:
		return -1;
	case FD_CWD:
		return AT_FDCWD;
	case FD_BADF:
		return -EBADF;
	case FD_CLOSED:
		close(CLOSED_FD);
		return CLOSED_FD;
	case FD_FSCTX:
		fd = fs_context("tmpfs");
		break;
	case FD_FSCTX_BLANK:
		fd = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
		break;
	case FD_FSCTX_USED:
		fd = fs_context("tmpfs");
		if (fd >= 0) {
			int mfd = sys_fsmount(fd, FSMOUNT_CLOEXEC, 0);

			if (mfd < 0)
				return -2;
			close(mfd);
		}
		break;
	case FD_FSPICK:
		fd = syscall(__NR_fspick, AT_FDCWD, "mnt", FSPICK_CLOEXEC);
		break;
	case FD_DIR:
		fd = open("src", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	case FD_OPATH_DIR:
		fd = open("src", O_PATH | O_CLOEXEC);
		break;
	case FD_FILE:
		fd = open("file", O_RDONLY | O_CLOEXEC);
		break;
	case FD_NSFS_MNT:
		fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		break;
	case FD_NSFS_NEW:
		fd = fsmount_tmpfs(FSMOUNT_NAMESPACE, 0);
		break;
	case FD_NSFS_TREE:
		fd = open_tree_fd(AT_FDCWD, "src", OPEN_TREE_NAMESPACE);
		break;
	case FD_PIDFD:
		if (spawn_helper(0, &pidfd) < 0)
			return -2;
		fd = pidfd;
		break;
	case FD_PIDFD_EMPTY:
		if (spawn_helper(CLONE_EMPTY_MNTNS, &pidfd) < 0)
			return -2;
		fd = pidfd;
		break;
	case FD_MNT_DETACHED:
		fd = fsmount_tmpfs(0, 0);
		break;
	case FD_TREE:
		fd = open_tree_fd(AT_FDCWD, "src", OPEN_TREE_CLONE);
		break;
	case FD_TREE_REC:
		fd = open_tree_fd(AT_FDCWD, ".", OPEN_TREE_CLONE | AT_RECURSIVE);
		break;
	case FD_TREE_FILE:
		fd = open_tree_fd(AT_FDCWD, "file2", OPEN_TREE_CLONE);
		break;
	case FD_TREE_FOREIGN:
		fd = open_tree_fd(AT_FDCWD, "src", OPEN_TREE_CLONE);
		if (fd < 0 || unshare(CLONE_NEWNS))
			return -2;
		break;
	case FD_TREE_OWN_NSFILE:
	case FD_TREE_NEWER_NSFILE:
		nsfd = make_fd(kind == FD_TREE_OWN_NSFILE ? FD_NSFS_MNT : FD_NSFS_NEW);
		if (nsfd < 0)
			return -2;
		fd = open_tree_fd(nsfd, "", OPEN_TREE_CLONE | AT_EMPTY_PATH);
		close(nsfd);
		break;
	case FD_UNMOUNTED:
		if (mount("tmpfs", "gone", "tmpfs", 0, NULL))
			return -2;
		fd = open("gone", O_PATH | O_CLOEXEC);
		if (umount2("gone", MNT_DETACH))
			return -2;
		break;
	case FD_ROOT_OVERMOUNT:
		fd = make_fd(FD_MNT_DETACHED);
		if (fd < 0 || sys_move_mount(fd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH))
			return -2;
		break;
	default:
		return -2;
	}
	return fd < 0 ? -2 : fd;
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/* Become who makes the call. 0, or -1 with errno. */
static int enter(enum priv priv)
{
	pthread_t thread;
	pid_t pid;

	switch (priv) {
	case AS_ROOT:
		return 0;
	case AS_NOBODY:
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			return -1;
		return 0;
	case IN_USERNS:
		return enter_userns();
	case IN_USERNS_MNTNS:
		return setup_userns();
	case IN_PRIVATE_MNTNS:
		if (unshare(CLONE_NEWNS))
			return -1;
		return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	case IN_EMPTY_MNTNS:
		return unshare(UNSHARE_EMPTY_MNTNS);
	case IN_CHROOT:
		if (chroot("src"))
			return -1;
		return chdir("/");
	case IN_THREADED:
		errno = pthread_create(&thread, NULL, sleeper, NULL);
		return errno ? -1 : 0;
	case IN_SHARED_FS:
		pid = syscall(__NR_clone, CLONE_FS | SIGCHLD, 0, NULL, NULL, 0);
		if (pid == 0)
			helper_wait();
		if (pid < 0)
			return -1;
		helpers[nr_helpers++] = pid;
		return 0;
	}
	return -1;
}

/* In a child of a clone()/clone3() row: check, and say so by the exit code. */
static void __attribute__((noreturn)) clone_child(const struct row *r,
						  uint64_t parent_ns)
{
	if (r->post == POST_EMPTY_NS)
		_exit(in_empty_mntns() ? 0 : 1);
	if (r->post == POST_SAME_NS)
		_exit(own_mntns_id() == parent_ns ? 0 : 1);
	_exit(0);
}

static long do_clone3(const struct row *r, uint64_t parent_ns)
{
	/* room for a tail beyond struct __clone_args */
	union {
		struct __clone_args args;
		char bytes[4200];
	} u;
	size_t size = r->size ? r->size : sizeof(u.args);
	int parent_tid = 0;
	long pid;

	if (r->size == SIZE_ZERO)
		size = 0;
	memset(&u, 0, sizeof(u));
	u.args.flags = r->flags;
	u.args.exit_signal = r->exit_signal ? r->exit_signal : SIGCHLD;
	u.args.stack_size = r->stack_size;
	u.args.set_tid_size = r->set_tid_size;
	u.args.parent_tid = (uintptr_t)&parent_tid;
	if (r->tail)
		u.bytes[size - 1] = 1;
	pid = sys_clone3(r->null_args ? NULL : &u.args, size);
	if (pid == 0)
		clone_child(r, parent_ns);
	return pid;
}

static long do_call(const struct row *r, int fd1, int fd2)
{
	uint64_t parent_ns = own_mntns_id();
	long pid;

	switch (r->call) {
	case C_UNSHARE:
		return syscall(__NR_unshare, (unsigned long)r->flags);
	case C_CLONE3:
		return do_clone3(r, parent_ns);
	case C_CLONE:
		pid = syscall(__NR_clone, (unsigned long)r->flags, 0, NULL, NULL, 0);
		if (pid == 0)
			clone_child(r, parent_ns);
		return pid;
	case C_FSMOUNT:
		return sys_fsmount(fd1, r->flags, r->attr);
	case C_OPEN_TREE:
		return sys_open_tree(fd1, r->path1, r->flags);
	case C_MOVE_MOUNT:
		return sys_move_mount(fd1, r->path1, fd2, r->path2, r->flags);
	case C_SETNS:
		return setns(fd1, (int)r->flags);
	}
	return -1;
}

/*
 * The mount of @fd1 went beneath the topmost mount at the target: it is
 * that mount's parent now. The target is where the row's path leads, or,
 * for FD_ROOT_OVERMOUNT, the tmpfs on top of the nullfs root ("/" leads to
 * the nullfs root itself, our root).
 */
static bool moved_beneath(const struct row *r, int fd1, int fd2, char *msg,
			  size_t len)
{
	struct statmount sm = {};
	struct statx moved, top;
	int ret;

	if (statx(fd1, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &moved)) {
		snprintf(msg, len, "statx(moved): %s", strerror(errno));
		return false;
	}
	if (r->fd2 == FD_ROOT_OVERMOUNT)
		ret = statx(fd2, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &top);
	else
		ret = statx(fd2, r->path2, 0, STATX_MNT_ID_UNIQUE, &top);
	if (ret || statmount(top.stx_mnt_id, 0, 0, STATMOUNT_MNT_BASIC, &sm,
			     sizeof(sm), 0)) {
		snprintf(msg, len, "statx/statmount(target): %s", strerror(errno));
		return false;
	}
	if (sm.mnt_parent_id == moved.stx_mnt_id)
		return true;
	snprintf(msg, len, "the top mount %llu sits on %llu, not on the moved %llu",
		 (unsigned long long)top.stx_mnt_id,
		 (unsigned long long)sm.mnt_parent_id,
		 (unsigned long long)moved.stx_mnt_id);
	return false;
}

/* After a successful call: did it do what it should? */
static bool post_check(const struct row *r, long ret, int fd1, int fd2,
		       uint64_t ns_before, char *msg, size_t len)
{
	uint64_t id;
	int status;

	if (r->call == C_CLONE3 || r->call == C_CLONE) {
		if (waitpid(ret, &status, 0) != ret) {
			snprintf(msg, len, "waitpid: %s", strerror(errno));
			return false;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			snprintf(msg, len, "the child was not in %s namespace (status 0x%x)",
				 r->post == POST_EMPTY_NS ? "an empty" : "our", status);
			return false;
		}
		return true;
	}

	switch (r->post) {
	case POST_NONE:
		return true;
	case POST_EMPTY_NS:
		if (in_empty_mntns() && own_mntns_id() != ns_before)
			return true;
		snprintf(msg, len, "not in a new empty mount namespace");
		return false;
	case POST_SAME_NS:
		return true;
	case POST_NS_FD:
		if (ioctl(ret, NS_GET_NSTYPE) == CLONE_NEWNS)
			return true;
		snprintf(msg, len, "not a mount namespace fd");
		return false;
	case POST_IN_FD_NS:
		id = nsfd_mntns_id(fd1);
		if (id && id == own_mntns_id())
			return true;
		snprintf(msg, len, "not in the namespace of the fd");
		return false;
	case POST_BENEATH:
		return moved_beneath(r, fd1, fd2, msg, len);
	}
	return false;
}

static void __attribute__((noreturn)) row_child(const struct row *r,
						const struct ctx *c,
						struct result *res)
{
	int fd1 = -1, fd2 = -1;
	uint64_t ns_before;

	if (chdir(c->base)) {
		res->setup_step = 1;
		goto out;
	}
	if (!r->fds_after) {
		fd1 = make_fd(r->fd1);
		fd2 = r->fd2 == FD_SAME ? fd1 : make_fd(r->fd2);
		if (fd1 == -2 || fd2 == -2) {
			res->setup_step = 2;
			goto out;
		}
	}
	if (enter(r->priv)) {
		res->setup_step = 3;
		goto out;
	}
	if (r->fds_after) {
		fd1 = make_fd(r->fd1);
		fd2 = r->fd2 == FD_SAME ? fd1 : make_fd(r->fd2);
		if (fd1 == -2 || fd2 == -2) {
			res->setup_step = 4;
			goto out;
		}
	}

	ns_before = own_mntns_id();
	errno = 0;
	res->ret = do_call(r, fd1, fd2);
	res->err = errno;
	if (res->ret >= 0)
		res->post_ok = post_check(r, res->ret, fd1, fd2, ns_before,
					  res->post_msg, sizeof(res->post_msg));
out:
	if (res->setup_step)
		res->setup_errno = errno;
	kill_helpers();
	_exit(0);
}

/* ------------------------------------------------------------------ */

FIXTURE(bad_input) {
	struct ctx ctx;
	long knob;		/* saved unprivileged_userns_clone, -1: none */
	struct result *res;
};

FIXTURE_VARIANT(bad_input) {
	const struct row *rows;
	size_t nr;
};

#define TABLE(_rows) { .rows = _rows, .nr = sizeof(_rows) / sizeof(_rows[0]) }
FIXTURE_VARIANT_ADD(bad_input, unshare) TABLE(unshare_rows);
FIXTURE_VARIANT_ADD(bad_input, clone3) TABLE(clone_rows);
FIXTURE_VARIANT_ADD(bad_input, fsmount) TABLE(fsmount_rows);
FIXTURE_VARIANT_ADD(bad_input, open_tree) TABLE(open_tree_rows);
FIXTURE_VARIANT_ADD(bad_input, move_mount) TABLE(move_mount_rows);
FIXTURE_VARIANT_ADD(bad_input, setns) TABLE(setns_rows);

FIXTURE_SETUP(bad_input)
{
	struct ctx *c = &self->ctx;

	if (geteuid())
		SKIP(return, "needs root");
	self->knob = read_long(USERNS_KNOB);
	self->res = mmap(NULL, sizeof(*self->res), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->res);

	strcpy(c->base, "/tmp/mntns_bad.XXXXXX");
	private_tmpfs_dir(_metadata, c->base, "mode=0755");
	ASSERT_EQ(0, chdir(c->base));
	ASSERT_EQ(0, mkdir("src", 0755));
	ASSERT_EQ(0, mkdir("plain", 0755));
	ASSERT_EQ(0, mkdir("mnt", 0755));
	ASSERT_EQ(0, mkdir("sub", 0755));
	ASSERT_EQ(0, mkdir("ub", 0755));
	ASSERT_EQ(0, mkdir("gone", 0755));
	ASSERT_EQ(0, create_file("file", ""));
	ASSERT_EQ(0, create_file("file2", ""));
	ASSERT_EQ(0, create_file("fmnt", ""));
	ASSERT_EQ(0, symlink("src", "link"));
	ASSERT_EQ(0, mount("tmpfs", "mnt", "tmpfs", 0, NULL));
	ASSERT_EQ(0, mount("tmpfs", "sub", "tmpfs", 0, NULL));
	ASSERT_EQ(0, mkdir("sub/d", 0755));
	ASSERT_EQ(0, mount("tmpfs", "ub", "tmpfs", 0, NULL));
	ASSERT_EQ(0, mount(NULL, "ub", NULL, MS_UNBINDABLE, NULL));
	ASSERT_EQ(0, mount("file2", "fmnt", NULL, MS_BIND, NULL));
}

FIXTURE_TEARDOWN(bad_input)
{
	if (self->knob >= 0)
		EXPECT_EQ(0, write_long(USERNS_KNOB, self->knob));
	if (self->ctx.base[0]) {
		if (chdir("/") == 0 && umount2(self->ctx.base, MNT_DETACH) == 0)
			rmdir(self->ctx.base);
	}
}

static const char *errname(int err)
{
	return err ? strerror(err) : "success";
}

TEST_F(bad_input, table)
{
	int passed = 0, skipped = 0;

	for (size_t i = 0; i < variant->nr; i++) {
		const struct row *r = &variant->rows[i];
		struct result *res = self->res;
		bool ok;
		pid_t pid;
		int status;

		if (r->knob >= 0) {
			if (self->knob < 0) {
				/* no Debian knob: unprivileged user namespaces are allowed */
				if (r->knob == 0) {
					ksft_print_msg("row %zu: %s: no %s, left out\n",
						       i, r->what, USERNS_KNOB);
					skipped++;
					continue;
				}
			} else {
				ASSERT_EQ(0, write_long(USERNS_KNOB, r->knob));
			}
		}

		memset(res, 0, sizeof(*res));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0)
			row_child(r, &self->ctx, res);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));

		if (r->knob >= 0 && self->knob >= 0)
			ASSERT_EQ(0, write_long(USERNS_KNOB, self->knob));

		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("row %zu: %s: child status 0x%x", i, r->what, status);
		EXPECT_EQ(0, res->setup_step)
			TH_LOG("row %zu: %s: set-up step %d failed: %s", i, r->what,
			       res->setup_step, strerror(res->setup_errno));
		if (res->setup_step)
			continue;

		if (r->expect) {
			ok = res->ret == -1 && res->err == r->expect;
			EXPECT_TRUE(ok)
				TH_LOG("row %zu: %s = %ld (%s), expected %s [%s]", i,
				       r->what, res->ret, res->ret < 0 ? errname(res->err) : "success",
				       errname(r->expect), r->by);
		} else {
			ok = res->ret >= 0;
			EXPECT_TRUE(ok)
				TH_LOG("row %zu: %s failed: %s, expected success [%s]", i,
				       r->what, errname(res->err), r->by);
			if (ok) {
				EXPECT_TRUE(res->post_ok)
					TH_LOG("row %zu: %s: %s [%s]", i, r->what,
					       res->post_msg, r->by);
				ok = res->post_ok;
			}
		}
		passed += ok;
	}
	ksft_print_msg("%d of %zu rows as upstream%s\n", passed, variant->nr - skipped,
		       skipped ? " (some left out)" : "");
}

TEST_HARNESS_MAIN
