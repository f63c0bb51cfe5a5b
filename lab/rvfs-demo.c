// SPDX-License-Identifier: GPL-2.0
/*
 * rvfs-demo: shows the mount-namespace features of the patched kernel at work.
 *
 *   rvfs-demo mounts              list the mounts of the caller's namespace (listmount/statmount)
 *   rvfs-demo empty               unshare(UNSHARE_EMPTY_MNTNS): list, look at the nullfs root,
 *                                 then build a tmpfs root over it and chroot into it
 *   rvfs-demo clone3              the same start with clone3(CLONE_EMPTY_MNTNS) in a child
 *   rvfs-demo fsmount-ns          fsmount(FSMOUNT_NAMESPACE) of a tmpfs: a namespace fd
 *   rvfs-demo root-switch         switch the root of a new mount namespace to a tmpfs without
 *                                 pivot_root(2): MOVE_MOUNT_BENEATH on "/", then unmount the old
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NULL_FS_MAGIC
#define NULL_FS_MAGIC 0x4E554C4C
#endif

#define die(what) do { fprintf(stderr, "rvfs-demo: %s: %s\n", what, strerror(errno)); exit(1); } while (0)

static int list_mounts(const char *title)
{
	struct mnt_id_req req = { .size = MNT_ID_REQ_SIZE_VER0, .mnt_id = LSMT_ROOT };
	uint64_t ids[256];
	char buf[4096];
	struct statmount *sm = (struct statmount *)buf;
	long n = syscall(__NR_listmount, &req, ids, 256, 0);

	if (n < 0)
		die("listmount");
	printf("%s: %ld mount%s\n", title, n, n == 1 ? "" : "s");
	for (long i = 0; i < n; i++) {
		struct mnt_id_req sreq = { .size = MNT_ID_REQ_SIZE_VER0, .mnt_id = ids[i],
			.param = STATMOUNT_MNT_BASIC | STATMOUNT_FS_TYPE | STATMOUNT_MNT_POINT |
				 STATMOUNT_SB_BASIC };

		if (syscall(__NR_statmount, &sreq, sm, sizeof(buf), 0) < 0)
			die("statmount");
		printf("  mount %#llx (old id %u, parent %u) type %-8s magic %#llx at %s\n",
		       (unsigned long long)sm->mnt_id, sm->mnt_id_old, sm->mnt_parent_id_old,
		       sm->str + sm->fs_type, (unsigned long long)sm->sb_magic, sm->str + sm->mnt_point);
	}
	return n;
}

static void show_root(void)
{
	struct statfs sfs;
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (statfs("/", &sfs) || stat("/", &st))
		die("stat /");
	printf("  / : magic %#lx%s, ino %lu, mode %o, nlink %lu; entries:",
	       (unsigned long)sfs.f_type, sfs.f_type == NULL_FS_MAGIC ? " (nullfs)" : "",
	       (unsigned long)st.st_ino, st.st_mode, (unsigned long)st.st_nlink);
	d = opendir("/");
	if (!d)
		die("opendir /");
	while ((de = readdir(d)))
		printf(" %s", de->d_name);
	closedir(d);
	printf("\n  mkdir(\"/x\") in nullfs: %s\n", mkdir("/x", 0755) ? strerror(errno) : "succeeded");
}

/* Mount a tmpfs over the nullfs root and chroot into it. */
static void tmpfs_root(void)
{
	int fs = syscall(__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC), mnt;

	if (fs < 0 || syscall(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		die("fsopen tmpfs");
	mnt = syscall(__NR_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		die("fsmount");
	if (syscall(__NR_move_mount, mnt, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH))
		die("move_mount onto /");
	/* A path walk from "/" does not cross the mount on top of the root: enter it by fd. */
	if (fchdir(mnt) || chroot("."))
		die("chroot");
	if (mkdir("/etc", 0755))
		die("mkdir /etc");
	printf("  tmpfs mounted over / and chrooted into; mkdir(\"/etc\") succeeded\n");
	list_mounts("  after building a tmpfs root");
}

/* List the entries of the root directory. */
static void list_root(const char *title)
{
	struct dirent *de;
	DIR *d = opendir("/");

	if (!d)
		die("opendir /");
	printf("%s:", title);
	while ((de = readdir(d)))
		printf(" %s", de->d_name);
	closedir(d);
	printf("\n");
}

/*
 * The five steps that switch the root without pivot_root(2): a detached copy
 * of the new root, entered by fd, is put beneath the current root ("/" has a
 * parent, nullfs), which is then unmounted from under the process.
 */
static int root_switch(void)
{
	int fs, mnt, tree, fd;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("unshare(CLONE_NEWNS)");
	/* The new root: a tmpfs at /tmp/newroot with a file in it. */
	if (mkdir("/tmp/newroot", 0755) && errno != EEXIST)
		die("mkdir /tmp/newroot");
	fs = syscall(__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		die("fsopen tmpfs");
	mnt = syscall(__NR_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0 || syscall(__NR_move_mount, mnt, "", AT_FDCWD, "/tmp/newroot", MOVE_MOUNT_F_EMPTY_PATH))
		die("mount the new root");
	fd = open("/tmp/newroot/I-am-the-new-root", O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		die("create a file in the new root");
	close(fd);
	list_mounts("  before");
	list_root("  / before");

	printf("  1. open_tree(-EBADF, \"/tmp/newroot\", OPEN_TREE_CLONE)\n");
	tree = syscall(__NR_open_tree, -EBADF, "/tmp/newroot", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		die("open_tree");
	printf("  2. fchdir(fd)\n");
	if (fchdir(tree))
		die("fchdir");
	printf("  3. move_mount(fd, \"\", AT_FDCWD, \"/\", MOVE_MOUNT_BENEATH | MOVE_MOUNT_F_EMPTY_PATH)\n");
	if (syscall(__NR_move_mount, tree, "", AT_FDCWD, "/", MOVE_MOUNT_BENEATH | MOVE_MOUNT_F_EMPTY_PATH))
		die("move_mount beneath /");
	printf("  4. chroot(\".\")\n");
	if (chroot("."))
		die("chroot");
	printf("  5. umount2(\".\", MNT_DETACH): the old root goes\n");
	if (umount2(".", MNT_DETACH))
		die("umount2");
	if (chdir("/"))
		die("chdir /");
	list_mounts("  after");
	list_root("  / after");
	return 0;
}

static int empty_child(void)
{
	list_mounts("  the new namespace");
	show_root();
	tmpfs_root();
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "mounts";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(cmd, "mounts")) {
		list_mounts("this namespace");
	} else if (!strcmp(cmd, "empty")) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			if (unshare(UNSHARE_EMPTY_MNTNS))
				die("unshare(UNSHARE_EMPTY_MNTNS)");
			printf("unshare(UNSHARE_EMPTY_MNTNS) succeeded\n");
			_exit(empty_child());
		}
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	} else if (!strcmp(cmd, "clone3")) {
		struct clone_args args = { .flags = CLONE_EMPTY_MNTNS, .exit_signal = SIGCHLD };
		long pid = syscall(__NR_clone3, &args, sizeof(args));
		int status;

		if (pid < 0)
			die("clone3(CLONE_EMPTY_MNTNS)");
		if (pid == 0) {
			printf("clone3(CLONE_EMPTY_MNTNS) child running\n");
			_exit(empty_child());
		}
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	} else if (!strcmp(cmd, "fsmount-ns")) {
		int fs = syscall(__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC), ns;
		pid_t pid;
		int status;

		if (fs < 0 || syscall(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
			die("fsopen tmpfs");
		ns = syscall(__NR_fsmount, fs, FSMOUNT_CLOEXEC | FSMOUNT_NAMESPACE, 0);
		if (ns < 0)
			die("fsmount(FSMOUNT_NAMESPACE)");
		printf("fsmount(FSMOUNT_NAMESPACE) returned a namespace fd\n");
		pid = fork();
		if (pid == 0) {
			if (setns(ns, CLONE_NEWNS))
				die("setns");
			list_mounts("  inside it");
			_exit(0);
		}
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	} else if (!strcmp(cmd, "root-switch")) {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(root_switch());
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	} else {
		fprintf(stderr, "usage: rvfs-demo [mounts|empty|clone3|fsmount-ns|root-switch]\n");
		return 2;
	}
	return 0;
}
