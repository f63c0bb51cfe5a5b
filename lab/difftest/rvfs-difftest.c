// SPDX-License-Identifier: GPL-2.0
/*
 * rvfs-difftest: random mount-namespace programs, run step by step, with what userspace can
 * observe after every step printed in a canonical form, so that the traces of two kernels can
 * be compared line by line (lab/difftest/compare.py).
 *
 *   rvfs-difftest [--steps N] SEEDS...   run the program of each seed, KTAP on stdout
 *   rvfs-difftest --print SEEDS...       print the programs only (no system call is made)
 *
 * SEEDS: numbers and ranges, "1-64", "7,9,100-120". A seed gives its program exactly: the
 * program is generated from the seed alone before it runs, never from what the kernel answers.
 *
 * Each program runs in a fresh child of its own, in its own process group, and starts in a
 * mount namespace of its own whose only mounts are the nullfs root and a tmpfs scratch tree,
 * made its root by pivot_root(2) (/ a b c d e a/x b/y c/x d/y, a regular file /f, a marker file
 * in each directory). The VM's own mounts are private to it before anything else, so nothing
 * propagates back. Then the steps: mount(2) (tmpfs, MS_BIND [MS_REC], MS_MOVE, MS_REMOUNT,
 * MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE), umount2(2) with and without MNT_DETACH,
 * unshare(2) and clone3(2) with and without UNSHARE_EMPTY_MNTNS/CLONE_EMPTY_MNTNS and
 * CLONE_NEWUSER (clone3: the program goes on in the child), open_tree(2) and fsmount(2) with
 * and without OPEN_TREE_NAMESPACE/FSMOUNT_NAMESPACE, setns(2) into what they return,
 * move_mount(2) with and without MOVE_MOUNT_BENEATH (on "/" too), a mount namespace file
 * mounted on /f, mount_setattr(2), pivot_root(2), chroot(2), chdir(2), fchdir(2), invalid flags
 * and file descriptors. Half of the programs go on in a user namespace after a few steps, where
 * the mounts they inherit are locked. Some steps come in the sequences that use the features
 * (a root switch beneath "/", pivot_root(".", "."), a world made in an empty namespace, ...),
 * and paths the program mounted on are picked more often, so that calls get past the first
 * checks; what the kernel answers never changes the program.
 *
 * Trace, after every step (KTAP diagnostics, "# dt SEED STEP TAG TEXT"):
 *   do   the call and its result (0, an errno name, or the slot an fd went to)
 *   r    root and cwd: the mount they are on, whether at its root, getcwd()
 *   m    the mount table of the caller's namespace, as a tree from the namespace root
 *        (listmount/statmount): mountpoint relative to the caller's root, root of the mount,
 *        fs type, superblock, source, mount and superblock flags, fs options, propagation;
 *        ids renumbered (M: mounts in tree order, G: peer groups, S: superblocks, N: mount
 *        namespaces, I: namespace inodes in nsfs roots, in order of appearance), so that
 *        nothing that depends on what else the kernel did since boot shows;
 *        lk=A/B: the lock probe, from a copy of the namespace made in a child, for each mount
 *        that its mountpoint reaches ("-": covered or out of reach): A is umount2(MNT_EXPIRE),
 *        which only marks (MNT_DETACH for "/"; EINVAL: locked), B is mount_setattr() clearing
 *        rdonly, nosuid, nodev and noexec (EPERM: locked flags)
 *   l    the entries of a fixed set of directories (a covered file that shows again is a
 *        revealed mount)
 *   f    the fd slots of the program: mount namespaces (N), mounts (attached: M, or detached)
 *   n<i> for a slot holding a mount namespace: its mount table, the same way
 * A section is printed at step 0 and then only when it changed. "# dt SEED end N" ends a
 * program; "ok"/"not ok" says whether it ran to its end (not whether it matches another
 * kernel: that is the host's comparison).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef UNSHARE_EMPTY_MNTNS
#define UNSHARE_EMPTY_MNTNS	0x00100000
#endif
#ifndef CLONE_EMPTY_MNTNS
#define CLONE_EMPTY_MNTNS	(1ULL << 37)
#endif
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
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE	0x00004000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT	0x00002000
#endif
#ifndef STATMOUNT_BY_FD
#define STATMOUNT_BY_FD		0x00000001U
#endif
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID		_IOR(0xb7, 0x5, __u64)
#endif
#ifndef NULL_FS_MAGIC
#define NULL_FS_MAGIC		0x4E554C4C
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC		0x01021994
#endif
#ifndef __NR_open_tree
#define __NR_open_tree		428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount		429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen		430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig		431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount		432
#endif
#ifndef __NR_clone3
#define __NR_clone3		435
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr	442
#endif
#ifndef __NR_statmount
#define __NR_statmount		457
#endif
#ifndef __NR_listmount
#define __NR_listmount		458
#endif

#define NSLOTS		4	/* fd slots of a program */
#define MAXSTEPS	64
#define MAXMNT		512	/* mounts in one table; a program with more stops */
#define STOP_MOUNTS	200	/* a program stops when its namespace has more mounts */
#define PATHLEN		256
#define SECTIONS	(4 + NSLOTS)

/* ------------------------------------------------------------------ */
/* Output                                                              */

struct buf {
	char *p;
	size_t len, cap;
};

static void bvprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	b->len += n;
}

static void __attribute__((format(printf, 2, 3))) bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bvprintf(b, fmt, ap);
	va_end(ap);
}

static void bclear(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static const char *bstr(struct buf *b)
{
	return b->p ? b->p : "";
}

static struct buf out;

static void flush_out(void)
{
	size_t off = 0;

	while (off < out.len) {
		ssize_t n = write(1, out.p + off, out.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	bclear(&out);
}

static const char *ename(int e)
{
	static char b[16];

	switch (e) {
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(EBADF) E(ECHILD)
	E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(ENOTBLK) E(EBUSY) E(EEXIST) E(EXDEV)
	E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOSPC) E(EROFS)
	E(EMLINK) E(ERANGE) E(ENAMETOOLONG) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(EOVERFLOW)
	E(EOPNOTSUPP) E(ESTALE) E(EUSERS) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ESPIPE)
#undef E
	}
	snprintf(b, sizeof(b), "E%d", e);
	return b;
}

struct flagname {
	uint64_t v;
	const char *n;
};

/* "A|B|0x..." for @v, "0" for nothing. */
static void bflags(struct buf *b, uint64_t v, const struct flagname *t)
{
	bool any = false;

	for (; t->n; t++) {
		if (t->v && (v & t->v) == t->v) {
			bprintf(b, "%s%s", any ? "|" : "", t->n);
			v &= ~t->v;
			any = true;
		}
	}
	if (v)
		bprintf(b, "%s%#llx", any ? "|" : "", (unsigned long long)v);
	else if (!any)
		bprintf(b, "0");
}

#define F(x) { x, #x }
static const struct flagname ms_flags[] = {
	F(MS_RDONLY), F(MS_NOSUID), F(MS_NODEV), F(MS_NOEXEC), F(MS_REMOUNT), F(MS_BIND),
	F(MS_MOVE), F(MS_REC), F(MS_UNBINDABLE), F(MS_PRIVATE), F(MS_SLAVE), F(MS_SHARED),
	F(MS_NOATIME), { 0, NULL } };
static const struct flagname umount_flags[] = {
	F(MNT_FORCE), F(MNT_DETACH), F(MNT_EXPIRE), F(UMOUNT_NOFOLLOW), { 0, NULL } };
static const struct flagname clone_flags[] = {
	F(CLONE_EMPTY_MNTNS), F(UNSHARE_EMPTY_MNTNS), F(CLONE_NEWNS), F(CLONE_NEWUSER),
	F(CLONE_FS), F(CLONE_FILES), F(CLONE_THREAD), F(CLONE_SIGHAND), F(CLONE_VM),
	{ 0, NULL } };
static const struct flagname clone3_flags[] = {
	F(CLONE_EMPTY_MNTNS), F(CLONE_NEWNS), F(CLONE_NEWUSER), F(CLONE_FS), F(CLONE_FILES),
	F(CLONE_THREAD), F(CLONE_SIGHAND), F(CLONE_VM), { 0, NULL } };
static const struct flagname open_tree_flags[] = {
	F(OPEN_TREE_CLONE), F(OPEN_TREE_NAMESPACE), F(AT_RECURSIVE), F(AT_EMPTY_PATH),
	F(AT_SYMLINK_NOFOLLOW), F(AT_NO_AUTOMOUNT), F(OPEN_TREE_CLOEXEC), { 0, NULL } };
static const struct flagname fsmount_flags[] = {
	F(FSMOUNT_CLOEXEC), F(FSMOUNT_NAMESPACE), { 0, NULL } };
static const struct flagname attr_flags[] = {
	F(MOUNT_ATTR_RDONLY), F(MOUNT_ATTR_NOSUID), F(MOUNT_ATTR_NODEV), F(MOUNT_ATTR_NOEXEC),
	F(MOUNT_ATTR_NOATIME), F(MOUNT_ATTR_STRICTATIME), F(MOUNT_ATTR_NODIRATIME),
	F(MOUNT_ATTR_IDMAP), F(MOUNT_ATTR_NOSYMFOLLOW), { 0, NULL } };
static const struct flagname move_mount_flags[] = {
	F(MOVE_MOUNT_F_SYMLINKS), F(MOVE_MOUNT_F_AUTOMOUNTS), F(MOVE_MOUNT_F_EMPTY_PATH),
	F(MOVE_MOUNT_T_SYMLINKS), F(MOVE_MOUNT_T_AUTOMOUNTS), F(MOVE_MOUNT_T_EMPTY_PATH),
	F(MOVE_MOUNT_SET_GROUP), F(MOVE_MOUNT_BENEATH), { 0, NULL } };
static const struct flagname setns_flags[] = {
	F(CLONE_NEWNS), F(CLONE_NEWUSER), { 0, NULL } };
static const struct flagname setattr_flags[] = {
	F(AT_RECURSIVE), F(AT_EMPTY_PATH), F(AT_SYMLINK_NOFOLLOW), { 0, NULL } };
static const struct flagname open_flags[] = {
	F(O_PATH), F(O_DIRECTORY), { 0, NULL } };
#undef F

/* ------------------------------------------------------------------ */
/* Programs                                                            */

/* Paths of the programs; the scratch tree has the directories, /f is a regular file. */
static const char *const paths[] = {
	"/", ".", "/a", "/b", "/c", "/d", "/e", "/a/x", "/b/y", "/c/x", "/d/y",
	"a", "..", "/f", "/nope", "/a/x/y", "",
};
enum { P_ROOT, P_DOT, P_A, P_B, P_C, P_D, P_E, P_AX, P_BY, P_CX, P_DY, P_REL_A, P_DOTDOT,
	P_FILE, P_NOPE, P_AXY, P_EMPTY, P_NR };

/* The directories whose entries every state lists. */
static const char *const probe_dirs[] = {
	"/", ".", "/a", "/b", "/c", "/d", "/e", "/a/x", "/b/y", "/c/x", "/d/y",
};

/* fd operands: a slot (0..NSLOTS-1) or one of these */
enum { FD_CWD = -1, FD_BAD = -2, FD_FILE = -3, FD_PROC = -4 };

enum op {
	OP_SETUP, OP_MOUNT_TMPFS, OP_BIND, OP_PROPAGATION, OP_REMOUNT, OP_MS_MOVE, OP_UMOUNT,
	OP_UNSHARE, OP_CLONE3, OP_OPEN_TREE, OP_FSMOUNT, OP_MOVE_MOUNT, OP_SETNS, OP_PIVOT_ROOT,
	OP_CHROOT, OP_CHDIR, OP_FCHDIR, OP_SAVE_NS, OP_OPEN, OP_CLOSE, OP_MKDIR, OP_SETATTR,
};

struct step {
	enum op op;
	int p1, p2;		/* paths */
	int fd1, fd2;		/* fd operands */
	int slot;		/* where an fd the call returns goes */
	uint64_t flags;		/* the call's flags */
	uint64_t a1, a2, a3;	/* more arguments: attributes, propagation */
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(unsigned int n)
{
	return rng() % n;
}

static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

#define PICK(arr) ((arr)[rnd(sizeof(arr) / sizeof((arr)[0]))])

/* A directory, mostly one that exists. */
static int rdir(void)
{
	static const int d[] = { P_ROOT, P_DOT, P_A, P_A, P_B, P_B, P_C, P_C, P_D, P_D, P_E,
				 P_AX, P_BY, P_CX, P_DY, P_REL_A, P_A, P_B, P_C, P_D };

	return PICK(d);
}

/* Any path, invalid ones included. */
static int rpath(void)
{
	if (chance(90))
		return rdir();
	return PICK(((const int[]){ P_DOTDOT, P_FILE, P_NOPE, P_AXY, P_EMPTY }));
}

/* An fd operand: mostly a slot, sometimes an invalid or unsuitable fd. */
static int rfd(void)
{
	if (chance(85))
		return rnd(NSLOTS);
	return PICK(((const int[]){ FD_BAD, FD_FILE, FD_PROC, FD_CWD }));
}

struct gen {
	struct step *st;
	int n, max;
	int tracked;		/* steps looked at by track() */
	uint32_t mounted;	/* paths the program probably mounted on (its own guess) */
	uint32_t locked;	/* those it had when it went into a user namespace */
};

/*
 * What the generator guesses is mounted, from its own steps (never from the kernel's
 * answers): later steps pick these paths more often, so that more calls get past the
 * "not a mount" checks to the ones behind them.
 */
static void track(struct gen *g)
{
	for (; g->tracked < g->n; g->tracked++) {
		const struct step *s = &g->st[g->tracked];

		switch (s->op) {
		case OP_MOUNT_TMPFS:
			g->mounted |= 1u << s->p1;
			break;
		case OP_BIND:
		case OP_MOVE_MOUNT:
			if (s->p2 != P_EMPTY)
				g->mounted |= 1u << s->p2;
			break;
		case OP_MS_MOVE:
			g->mounted &= ~(1u << s->p1);
			g->mounted |= 1u << s->p2;
			break;
		case OP_UMOUNT:
			g->mounted &= ~(1u << s->p1);
			break;
		case OP_UNSHARE:
			if (s->flags & UNSHARE_EMPTY_MNTNS)
				g->mounted = 0;
			break;
		case OP_CLONE3:
			if (s->flags & CLONE_EMPTY_MNTNS)
				g->mounted = 0;
			break;
		default:
			break;
		}
	}
}

static struct gen *cur_gen;

/* A path the program probably mounted on, or a directory. */
static int rmount(void)
{
	int c[P_NR], n = 0;

	track(cur_gen);
	for (int i = 0; i < P_NR; i++)
		if (i != P_ROOT && i != P_DOT && (cur_gen->mounted & (1u << i)))
			c[n++] = i;
	if (n && chance(75))
		return c[rnd(n)];
	return rdir();
}

static struct step *emit(struct gen *g, enum op op)
{
	struct step *s;

	if (g->n >= g->max)
		return NULL;
	s = &g->st[g->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->p1 = s->p2 = P_ROOT;
	s->fd1 = s->fd2 = FD_CWD;
	s->slot = rnd(NSLOTS);
	return s;
}

#define EMIT(g, op) for (struct step *s = emit(g, op); s; s = NULL)

static void gen_mount_tmpfs(struct gen *g, int p)
{
	static const uint64_t f[] = { 0, 0, 0, MS_RDONLY, MS_NOSUID | MS_NODEV, MS_NOEXEC,
				      MS_NOSUID };

	EMIT(g, OP_MOUNT_TMPFS) {
		s->p1 = p;
		s->flags = PICK(f);
	}
}

static void gen_bind(struct gen *g, int from, int to)
{
	EMIT(g, OP_BIND) {
		s->p1 = from;
		s->p2 = to;
		s->flags = MS_BIND | (chance(40) ? MS_REC : 0);
	}
}

static void gen_propagation(struct gen *g, int p)
{
	static const uint64_t t[] = { MS_SHARED, MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE };

	EMIT(g, OP_PROPAGATION) {
		s->p1 = p;
		s->flags = PICK(t) | (chance(30) ? MS_REC : 0);
		if (chance(4))
			s->flags |= MS_PRIVATE;		/* two types: EINVAL */
	}
}

/* The unmount of a sequence: mostly the lazy one that such sequences use. */
static void gen_umount_lazy(struct gen *g, int p)
{
	EMIT(g, OP_UMOUNT) {
		s->p1 = p;
		s->flags = chance(80) ? MNT_DETACH : 0;
	}
}

static void gen_umount(struct gen *g, int p)
{
	static const uint64_t f[] = { 0, 0, MNT_DETACH, MNT_DETACH, MNT_DETACH, MNT_EXPIRE,
				      UMOUNT_NOFOLLOW, UMOUNT_NOFOLLOW | MNT_DETACH,
				      MNT_EXPIRE | MNT_DETACH, 0x10 };

	EMIT(g, OP_UMOUNT) {
		s->p1 = p;
		s->flags = PICK(f);
	}
}

static void gen_fsmount(struct gen *g, int slot, uint64_t flags);
static void gen_move_mount(struct gen *g, int slot, int to, uint64_t flags);
static void gen_simple(struct gen *g, enum op op, int p);

/*
 * A world in an empty namespace: a tmpfs onto its root and into it. Lookups do not follow
 * the mount on the root that they start from, so the way in is the mount's fd (upstream's
 * empty_mntns tests); mount(2) onto "/" and chroot(2) is the way that does not get in.
 */
static void gen_rebuild(struct gen *g)
{
	int slot = rnd(NSLOTS);

	if (chance(70)) {
		gen_fsmount(g, slot, 0);
		gen_move_mount(g, slot, P_ROOT, 0);
		EMIT(g, OP_FCHDIR)
			s->fd1 = slot;
		gen_simple(g, OP_CHROOT, P_DOT);
	} else {
		gen_mount_tmpfs(g, P_ROOT);
		gen_simple(g, OP_CHROOT, P_ROOT);
		gen_simple(g, OP_CHDIR, P_ROOT);
	}
}

/* unshare(2); an empty namespace is mostly followed by a world made in it. */
static void gen_unshare(struct gen *g, bool user, bool empty)
{
	static const uint64_t f[] = { CLONE_NEWNS, CLONE_NEWNS, UNSHARE_EMPTY_MNTNS,
				      UNSHARE_EMPTY_MNTNS, UNSHARE_EMPTY_MNTNS | CLONE_NEWNS,
				      UNSHARE_EMPTY_MNTNS | CLONE_FS, CLONE_EMPTY_MNTNS,
				      CLONE_NEWNS | CLONE_FILES, 1ULL << 40 };
	static const uint64_t fu[] = { CLONE_NEWUSER | CLONE_NEWNS, CLONE_NEWUSER | CLONE_NEWNS,
				       CLONE_NEWUSER | CLONE_NEWNS, CLONE_NEWUSER | UNSHARE_EMPTY_MNTNS,
				       CLONE_NEWUSER };
	static const uint64_t fe[] = { UNSHARE_EMPTY_MNTNS, UNSHARE_EMPTY_MNTNS | CLONE_NEWNS,
				       UNSHARE_EMPTY_MNTNS | CLONE_FS };
	uint64_t flags = empty ? PICK(fe) : user ? PICK(fu) : PICK(f);

	if (empty && user)
		flags |= CLONE_NEWUSER;
	EMIT(g, OP_UNSHARE)
		s->flags = flags;
	if ((flags & UNSHARE_EMPTY_MNTNS) && !(flags & ~(UNSHARE_EMPTY_MNTNS | CLONE_NEWNS |
							  CLONE_NEWUSER | CLONE_FS)) && chance(75))
		gen_rebuild(g);
}

/* clone3(2), the program going on in the child. */
static void gen_clone3(struct gen *g, bool user, bool empty)
{
	static const uint64_t f[] = { 0, CLONE_NEWNS, CLONE_EMPTY_MNTNS, CLONE_EMPTY_MNTNS,
				      CLONE_EMPTY_MNTNS | CLONE_NEWNS, CLONE_EMPTY_MNTNS | CLONE_FS,
				      CLONE_NEWNS | CLONE_FS, CLONE_EMPTY_MNTNS | CLONE_THREAD,
				      1ULL << 40 };
	static const uint64_t fu[] = { CLONE_NEWUSER | CLONE_NEWNS, CLONE_NEWUSER | CLONE_NEWNS,
				       CLONE_NEWUSER | CLONE_EMPTY_MNTNS };
	static const uint64_t fe[] = { CLONE_EMPTY_MNTNS, CLONE_EMPTY_MNTNS | CLONE_NEWNS };
	uint64_t flags = empty ? PICK(fe) : user ? PICK(fu) : PICK(f);

	if (empty && user)
		flags |= CLONE_NEWUSER;
	EMIT(g, OP_CLONE3)
		s->flags = flags;
	if ((flags & CLONE_EMPTY_MNTNS) && !(flags & ~(CLONE_EMPTY_MNTNS | CLONE_NEWNS |
							CLONE_NEWUSER)) && chance(75))
		gen_rebuild(g);
}

static void gen_open_tree(struct gen *g, int p, int slot, uint64_t flags)
{
	EMIT(g, OP_OPEN_TREE) {
		s->p1 = p;
		s->slot = slot;
		s->flags = flags;
		if (chance(15)) {
			/* the tree of an fd of ours */
			s->fd1 = rfd();
			s->p1 = P_EMPTY;
			s->flags |= AT_EMPTY_PATH;
		} else if (chance(5)) {
			s->p1 = P_FILE;		/* not a directory */
		}
		if (chance(30))
			s->flags |= OPEN_TREE_CLOEXEC;
	}
}

static uint64_t open_tree_flags_any(void)
{
	static const uint64_t f[] = { OPEN_TREE_CLONE, OPEN_TREE_CLONE | AT_RECURSIVE,
				      OPEN_TREE_CLONE | AT_RECURSIVE, OPEN_TREE_NAMESPACE,
				      OPEN_TREE_NAMESPACE | AT_RECURSIVE,
				      OPEN_TREE_NAMESPACE | AT_RECURSIVE, 0,
				      OPEN_TREE_CLONE | OPEN_TREE_NAMESPACE, AT_RECURSIVE,
				      OPEN_TREE_NAMESPACE | 0x4 };
	return PICK(f);
}

static void gen_fsmount(struct gen *g, int slot, uint64_t flags)
{
	static const uint64_t a[] = { 0, 0, 0, MOUNT_ATTR_RDONLY,
				      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC,
				      0x40000000 };

	EMIT(g, OP_FSMOUNT) {
		s->slot = slot;
		s->flags = flags;
		s->a1 = PICK(a);
		if (!flags && chance(85))
			s->a1 = 0;	/* a tree to use as a root: writable */
		/* fd1: FD_CWD means the fs context just made; else an fd that is not one */
		s->fd1 = chance(5) ? rfd() : FD_CWD;
	}
}

static uint64_t fsmount_flags_any(void)
{
	static const uint64_t f[] = { 0, FSMOUNT_CLOEXEC, FSMOUNT_NAMESPACE, FSMOUNT_NAMESPACE,
				      FSMOUNT_NAMESPACE | FSMOUNT_CLOEXEC, 0x4 };
	return PICK(f);
}

/* move_mount() of the tree in @slot (or at a path) beneath or onto @to. */
static void gen_move_mount(struct gen *g, int slot, int to, uint64_t flags)
{
	EMIT(g, OP_MOVE_MOUNT) {
		s->flags = flags;
		if (slot >= 0 || chance(60)) {
			s->fd1 = slot >= 0 ? slot : rfd();
			s->p1 = P_EMPTY;
			s->flags |= MOVE_MOUNT_F_EMPTY_PATH;
		} else {
			s->p1 = rdir();
		}
		if (chance(8)) {
			s->fd2 = rfd();
			s->p2 = P_EMPTY;
			s->flags |= MOVE_MOUNT_T_EMPTY_PATH;
		} else {
			s->p2 = to;
		}
		if (chance(3))
			s->flags &= ~MOVE_MOUNT_F_EMPTY_PATH;	/* "" without the flag: ENOENT */
	}
}

static uint64_t move_mount_flags_any(void)
{
	static const uint64_t f[] = { 0, 0, MOVE_MOUNT_BENEATH, MOVE_MOUNT_BENEATH,
				      MOVE_MOUNT_BENEATH, MOVE_MOUNT_SET_GROUP,
				      MOVE_MOUNT_BENEATH | MOVE_MOUNT_SET_GROUP, 0x400,
				      MOVE_MOUNT_T_SYMLINKS };
	return PICK(f);
}

static void gen_setns(struct gen *g, int fd)
{
	static const uint64_t t[] = { CLONE_NEWNS, CLONE_NEWNS, CLONE_NEWNS, 0, CLONE_NEWUSER };

	EMIT(g, OP_SETNS) {
		s->fd1 = fd;
		s->flags = PICK(t);
	}
}

static void gen_simple(struct gen *g, enum op op, int p)
{
	EMIT(g, op)
		s->p1 = p;
}

static void gen_setattr(struct gen *g)
{
	static const uint64_t set[] = { 0, 0, MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID,
					MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV, MOUNT_ATTR_IDMAP };
	static const uint64_t clr[] = { 0, 0, 0, MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID,
					MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					MOUNT_ATTR_NOEXEC };
	static const uint64_t prop[] = { 0, 0, MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE,
					 MS_SHARED | MS_SLAVE };

	EMIT(g, OP_SETATTR) {
		s->p1 = rmount();
		s->flags = chance(40) ? AT_RECURSIVE : 0;
		if (chance(25)) {
			s->fd1 = rfd();
			s->p1 = P_EMPTY;
			s->flags |= AT_EMPTY_PATH;
		}
		s->a1 = PICK(set);
		s->a2 = PICK(clr);
		s->a3 = PICK(prop);
	}
}

/* Enter a user namespace: the mounts the program has become locked. */
static void gen_move_away(struct gen *g, bool plain);

static void gen_userns(struct gen *g)
{
	int slot = rnd(NSLOTS), p;

	if (chance(75)) {
		track(g);
		g->locked = g->mounted & ~((1u << P_ROOT) | (1u << P_DOT));
		if (chance(70))
			gen_unshare(g, true, false);
		else
			gen_clone3(g, true, false);
		/* a locked mount may not move away from what it covers */
		if (g->locked && g->st[g->n - 1].flags == (CLONE_NEWUSER | CLONE_NEWNS) &&
		    chance(60))
			gen_move_away(g, true);
		return;
	}
	/*
	 * A user namespace that does not own the caller's mount namespace: the namespaces it
	 * makes from a mount are foreign (slave copies, unbindable mounts kept, locked), and a
	 * path with mounts below it is not copied alone. Shared and unbindable mounts first,
	 * while the program may still make them.
	 */
	p = rmount();
	if (chance(60))
		gen_propagation(g, chance(50) ? P_ROOT : p);
	if (chance(30))
		EMIT(g, OP_PROPAGATION) {
			s->p1 = rmount();
			s->flags = MS_UNBINDABLE;
		}
	EMIT(g, OP_UNSHARE)
		s->flags = CLONE_NEWUSER;
	if (chance(60))
		gen_open_tree(g, chance(50) ? P_ROOT : p, slot,
			      OPEN_TREE_NAMESPACE | (chance(60) ? AT_RECURSIVE : 0));
	else
		gen_fsmount(g, slot, FSMOUNT_NAMESPACE);
	if (chance(60))
		gen_setns(g, slot);
}

/*
 * A mount moved away from where it is: MS_MOVE or move_mount() of a path, a locked mount
 * (in a user namespace) mostly, sometimes below itself, the namespace root, a mount with
 * something mounted on it (through an fd taken before), or a tree with an unbindable mount
 * to a shared parent.
 */
static void gen_move_away(struct gen *g, bool plain)
{
	static const int pairs[][2] = { { P_A, P_AX }, { P_B, P_BY }, { P_C, P_CX },
					{ P_D, P_DY } };
	static const int top[] = { P_A, P_B, P_C, P_D, P_E };
	int from = rmount(), to, slot = rnd(NSLOTS), i = rnd(4);
	unsigned int r = plain ? 100 : rnd(100);

	/* a mount the user namespace locked, mostly, when there is one */
	if (g->locked && chance(70)) {
		int c[P_NR], n = 0;

		for (int k = 0; k < P_NR; k++)
			if (g->locked & (1u << k))
				c[n++] = k;
		from = c[rnd(n)];
	}
	/* a directory elsewhere, so that nothing but the decision under test refuses it */
	do
		to = PICK(top);
	while (to == from || (from == P_A && to == P_AX) || (from == P_B && to == P_BY));
	if (r < 16) {
		from = pairs[i][0];		/* below itself */
		to = pairs[i][1];
	} else if (r < 22) {
		from = P_ROOT;			/* the root: of the namespace, when it is empty */
	} else if (r < 30) {
		EMIT(g, OP_PROPAGATION) {	/* a shared parent */
			s->p1 = P_ROOT;
			s->flags = MS_SHARED;
		}
	} else if (r < 40) {
		/* the source covered since its fd was taken */
		EMIT(g, OP_OPEN) {
			s->p1 = from;
			s->slot = slot;
			s->flags = O_PATH | O_DIRECTORY;
		}
		gen_mount_tmpfs(g, from);
		gen_move_mount(g, slot, to, chance(50) ? MOVE_MOUNT_BENEATH : 0);
		return;
	} else if (r < 50) {
		/* a tree with an unbindable mount, to a shared parent */
		EMIT(g, OP_PROPAGATION) {
			s->p1 = from;
			s->flags = MS_UNBINDABLE;
		}
		EMIT(g, OP_PROPAGATION) {
			s->p1 = P_ROOT;
			s->flags = MS_SHARED;
		}
	}
	if (chance(50)) {
		EMIT(g, OP_MS_MOVE) {
			s->p1 = from;
			s->p2 = to;
		}
	} else {
		EMIT(g, OP_MOVE_MOUNT) {
			s->fd1 = s->fd2 = FD_CWD;
			s->p1 = from;
			s->p2 = to;
			s->flags = !plain && chance(30) ? MOVE_MOUNT_BENEATH : 0;
		}
	}
}

/*
 * A tree attached across namespaces: into a namespace we left (an fd of a directory in it)
 * or into a detached tree (ours, or made in the namespace we left), from a detached tree or
 * from a mount of another namespace.
 */
static void gen_move_across(struct gen *g)
{
	int a = rnd(NSLOTS), b = (a + 1 + rnd(NSLOTS - 1)) % NSLOTS;

	if (chance(50)) {
		EMIT(g, OP_OPEN) {
			s->p1 = rdir();
			s->slot = a;
			s->flags = O_PATH | O_DIRECTORY;
		}
	} else {
		gen_open_tree(g, rmount(), a, OPEN_TREE_CLONE | (chance(50) ? AT_RECURSIVE : 0));
	}
	if (chance(60))
		gen_unshare(g, false, false);
	if (chance(50))
		gen_fsmount(g, b, 0);
	else
		gen_open_tree(g, rmount(), b, OPEN_TREE_CLONE | (chance(50) ? AT_RECURSIVE : 0));
	EMIT(g, OP_MOVE_MOUNT) {
		if (chance(80)) {
			s->fd1 = b;		/* a detached tree into the other */
			s->fd2 = a;
		} else {
			s->fd1 = a;		/* the other into ours */
			s->fd2 = FD_CWD;
		}
		s->p1 = P_EMPTY;
		s->flags = MOVE_MOUNT_F_EMPTY_PATH;
		if (s->fd2 == FD_CWD) {
			s->p2 = rdir();
		} else if (chance(70)) {
			s->p2 = P_EMPTY;
			s->flags |= MOVE_MOUNT_T_EMPTY_PATH;
		} else {
			s->p2 = P_REL_A;	/* a directory inside it */
		}
		if (chance(20))
			s->flags |= MOVE_MOUNT_BENEATH;
	}
	if (chance(30))
		EMIT(g, OP_MOVE_MOUNT) {
			/* a detached tree into itself */
			s->fd1 = s->fd2 = b;
			s->p1 = P_EMPTY;
			s->p2 = P_REL_A;
			s->flags = MOVE_MOUNT_F_EMPTY_PATH;
		}
}

/* One random step, or a few that belong together. */
static void gen_any(struct gen *g)
{
	unsigned int r = rnd(172);
	int slot = rnd(NSLOTS), p, q;

	if (r >= 156) {
		if (r < 165)
			gen_move_away(g, false);
		else
			gen_move_across(g);
	} else if (r < 10) {
		gen_mount_tmpfs(g, rdir());
	} else if (r < 18) {
		gen_bind(g, rdir(), rdir());
	} else if (r < 24) {
		gen_propagation(g, rmount());
	} else if (r < 27) {
		static const uint64_t f[] = { 0, MS_RDONLY, MS_NOSUID, MS_NOEXEC | MS_NODEV };

		EMIT(g, OP_REMOUNT) {
			s->p1 = rmount();
			s->flags = MS_REMOUNT | MS_BIND | PICK(f);
		}
	} else if (r < 30) {
		EMIT(g, OP_MS_MOVE) {
			s->p1 = rmount();
			s->p2 = rdir();
		}
	} else if (r < 39) {
		gen_umount(g, chance(70) ? rmount() : rpath());
	} else if (r < 43) {
		gen_unshare(g, chance(15), false);
	} else if (r < 46) {
		gen_clone3(g, chance(15), false);
	} else if (r < 54) {
		gen_open_tree(g, chance(50) ? rmount() : rdir(), slot, open_tree_flags_any());
	} else if (r < 60) {
		gen_fsmount(g, slot, fsmount_flags_any());
	} else if (r < 71) {
		gen_move_mount(g, -1, chance(35) ? P_ROOT : rmount(), move_mount_flags_any());
	} else if (r < 75) {
		gen_setns(g, rfd());
	} else if (r < 78) {
		/* the new root and a directory under it for the old one */
		static const int pairs[][2] = { { P_A, P_AX }, { P_B, P_BY }, { P_C, P_CX },
						{ P_D, P_DY } };
		int i = rnd(4);

		EMIT(g, OP_PIVOT_ROOT) {
			s->p1 = chance(70) ? pairs[i][0] : rmount();
			s->p2 = chance(70) ? pairs[i][1] : chance(50) ? P_DOT : rdir();
		}
	} else if (r < 80) {
		gen_simple(g, OP_CHROOT, rpath());
	} else if (r < 84) {
		gen_simple(g, OP_CHDIR, rpath());
	} else if (r < 85) {
		EMIT(g, OP_FCHDIR)
			s->fd1 = rfd();
	} else if (r < 87) {
		EMIT(g, OP_SAVE_NS)
			s->slot = slot;
	} else if (r < 89) {
		EMIT(g, OP_OPEN) {
			s->p1 = rpath();
			s->flags = O_DIRECTORY | (chance(50) ? O_PATH : 0);
		}
	} else if (r < 91) {
		EMIT(g, OP_CLOSE)
			s->fd1 = slot;
	} else if (r < 94) {
		gen_simple(g, OP_MKDIR, rpath());
	} else if (r < 97) {
		gen_setattr(g);
	} else if (r < 106) {
		/* a new tree beneath "/": the root switch without pivot_root(2) */
		if (chance(50))
			gen_fsmount(g, slot, 0);
		else
			gen_open_tree(g, rdir(), slot, OPEN_TREE_CLONE | (chance(50) ? AT_RECURSIVE : 0));
		if (chance(40))
			EMIT(g, OP_FCHDIR)
				s->fd1 = slot;
		gen_move_mount(g, slot, P_ROOT, MOVE_MOUNT_BENEATH);
		if (chance(60))
			gen_simple(g, OP_CHROOT, P_DOT);
		gen_umount_lazy(g, chance(50) ? P_DOT : P_ROOT);
		if (chance(70))
			gen_simple(g, OP_CHDIR, P_ROOT);
	} else if (r < 115) {
		/* a new tree beneath the mount on a directory, which then goes; sometimes
		 * with a shared parent, which may propagate onto it */
		p = rmount();
		if (chance(20))
			gen_propagation(g, chance(50) ? P_ROOT : rdir());
		if (chance(50))
			gen_fsmount(g, slot, 0);
		else
			gen_open_tree(g, rdir(), slot, OPEN_TREE_CLONE | (chance(50) ? AT_RECURSIVE : 0));
		gen_move_mount(g, slot, p, MOVE_MOUNT_BENEATH);
		if (chance(80))
			gen_umount_lazy(g, p);
	} else if (r < 122) {
		/* a namespace from a mount, and into it */
		if (chance(50))
			gen_fsmount(g, slot, FSMOUNT_NAMESPACE | (chance(30) ? FSMOUNT_CLOEXEC : 0));
		else
			gen_open_tree(g, rdir(), slot,
				      OPEN_TREE_NAMESPACE | (chance(60) ? AT_RECURSIVE : 0));
		if (chance(70))
			gen_setns(g, slot);
	} else if (r < 127) {
		/* pivot_root(".", ".") into a mount, and the old root goes */
		p = rmount();
		if (chance(50))
			gen_mount_tmpfs(g, p);
		gen_simple(g, OP_CHDIR, p);
		EMIT(g, OP_PIVOT_ROOT) {
			s->p1 = P_DOT;
			s->p2 = P_DOT;
		}
		gen_umount_lazy(g, P_DOT);
		gen_simple(g, OP_CHDIR, P_ROOT);
	} else if (r < 133) {
		/* propagation: a shared mount, a bind of it, a mount that propagates */
		p = rmount();
		q = rdir();
		gen_propagation(g, p);
		gen_bind(g, p, q);
		if (chance(50))
			gen_propagation(g, q);
		gen_mount_tmpfs(g, chance(50) ? P_AX : P_BY);
	} else if (r < 139) {
		/* an empty namespace (and mostly a world in it) */
		if (chance(60))
			gen_unshare(g, chance(25), true);
		else
			gen_clone3(g, chance(25), true);
	} else if (r < 143) {
		/* keep the namespace in a slot, go elsewhere, come back */
		EMIT(g, OP_SAVE_NS)
			s->slot = slot;
		gen_unshare(g, false, chance(50));
		if (chance(50))
			gen_mount_tmpfs(g, rdir());
		gen_setns(g, slot);
	} else if (r < 150) {
		/* a mount namespace file on a file: nsfs mounts are left out of copies, may not
		 * loop, and may not go beneath a locked mount */
		int t = (slot + 1) % NSLOTS;

		if (chance(50)) {
			EMIT(g, OP_SAVE_NS)
				s->slot = slot;
		} else {
			gen_open_tree(g, rdir(), slot, OPEN_TREE_NAMESPACE | AT_RECURSIVE);
		}
		EMIT(g, OP_OPEN_TREE) {
			s->fd1 = slot;
			s->p1 = P_EMPTY;
			s->slot = t;
			s->flags = OPEN_TREE_CLONE | AT_EMPTY_PATH;
		}
		gen_move_mount(g, t, P_FILE, chance(40) ? MOVE_MOUNT_BENEATH : 0);
		if (chance(40))
			gen_unshare(g, chance(30), false);
		if (chance(40))
			gen_umount_lazy(g, P_FILE);
	} else {
		/* a tree moved onto a directory from an fd */
		if (chance(50))
			gen_fsmount(g, slot, 0);
		else
			gen_open_tree(g, rdir(), slot, OPEN_TREE_CLONE | (chance(50) ? AT_RECURSIVE : 0));
		gen_move_mount(g, slot, rdir(), 0);
	}
}

static int gen_program(uint64_t seed, struct step *st, int nsteps)
{
	struct gen g = { .st = st, .n = 0, .max = MAXSTEPS };
	int user_at = -1, picks = 0, n;

	cur_gen = &g;

	rng_state = seed * 0x2545f4914f6cdd1dULL + 0x632be59bd9b4e019ULL;
	rng();
	emit(&g, OP_SETUP);
	/* A few mounts first, made by the real root; with propagation sometimes. */
	n = 2 + rnd(4);
	for (int i = 0; i < n; i++) {
		unsigned int r = rnd(10);

		if (r < 5)
			gen_mount_tmpfs(&g, PICK(((const int[]){ P_A, P_B, P_C, P_D, P_AX, P_E })));
		else if (r < 8)
			gen_bind(&g, rdir(), PICK(((const int[]){ P_A, P_B, P_C, P_D, P_E })));
		else
			gen_propagation(&g, PICK(((const int[]){ P_ROOT, P_A, P_B, P_C })));
	}
	/* Half of the programs go on in a user namespace: locked mounts. */
	if (chance(50))
		user_at = rnd(3);
	while (g.n < nsteps + 1 && g.n < MAXSTEPS - 8) {
		if (picks++ == user_at)
			gen_userns(&g);
		else
			gen_any(&g);
	}
	return g.n;
}

static const char *fdname(int fd, char *b, size_t len)
{
	switch (fd) {
	case FD_CWD: return "AT_FDCWD";
	case FD_BAD: return "999";
	case FD_FILE: return "file_fd";
	case FD_PROC: return "proc_fd";
	}
	snprintf(b, len, "s%d", fd);
	return b;
}

static void step_text(struct buf *b, const struct step *s, int k)
{
	char f1[16], f2[16];
	const char *p1 = paths[s->p1], *p2 = paths[s->p2];

	switch (s->op) {
	case OP_SETUP:
		bprintf(b, "setup");
		break;
	case OP_MOUNT_TMPFS:
		bprintf(b, "mount(\"none\", \"%s\", \"tmpfs\", ", p1);
		bflags(b, s->flags, ms_flags);
		bprintf(b, ", \"nr_inodes=%d\")", 1000 + k);
		break;
	case OP_BIND:
	case OP_MS_MOVE:
		bprintf(b, "mount(\"%s\", \"%s\", NULL, ", p1, p2);
		bflags(b, s->op == OP_MS_MOVE ? MS_MOVE : s->flags, ms_flags);
		bprintf(b, ", NULL)");
		break;
	case OP_PROPAGATION:
	case OP_REMOUNT:
		bprintf(b, "mount(NULL, \"%s\", NULL, ", p1);
		bflags(b, s->flags, ms_flags);
		bprintf(b, ", NULL)");
		break;
	case OP_UMOUNT:
		bprintf(b, "umount2(\"%s\", ", p1);
		bflags(b, s->flags, umount_flags);
		bprintf(b, ")");
		break;
	case OP_UNSHARE:
		bprintf(b, "unshare(");
		bflags(b, s->flags, clone_flags);
		bprintf(b, ")");
		break;
	case OP_CLONE3:
		bprintf(b, "clone3({.flags = ");
		bflags(b, s->flags, clone3_flags);
		bprintf(b, ", .exit_signal = SIGCHLD}) and on in the child");
		break;
	case OP_OPEN_TREE:
		bprintf(b, "s%d = open_tree(%s, \"%s\", ", s->slot, fdname(s->fd1, f1, sizeof(f1)), p1);
		bflags(b, s->flags, open_tree_flags);
		bprintf(b, ")");
		break;
	case OP_FSMOUNT:
		bprintf(b, "s%d = fsmount(%s, ", s->slot,
			s->fd1 == FD_CWD ? "fsopen(\"tmpfs\")" : fdname(s->fd1, f1, sizeof(f1)));
		bflags(b, s->flags, fsmount_flags);
		bprintf(b, ", ");
		bflags(b, s->a1, attr_flags);
		bprintf(b, ") with nr_inodes=%d", 2000 + k);
		break;
	case OP_MOVE_MOUNT:
		bprintf(b, "move_mount(%s, \"%s\", %s, \"%s\", ", fdname(s->fd1, f1, sizeof(f1)), p1,
			fdname(s->fd2, f2, sizeof(f2)), p2);
		bflags(b, s->flags, move_mount_flags);
		bprintf(b, ")");
		break;
	case OP_SETNS:
		bprintf(b, "setns(%s, ", fdname(s->fd1, f1, sizeof(f1)));
		bflags(b, s->flags, setns_flags);
		bprintf(b, ")");
		break;
	case OP_PIVOT_ROOT:
		bprintf(b, "pivot_root(\"%s\", \"%s\")", p1, p2);
		break;
	case OP_CHROOT:
		bprintf(b, "chroot(\"%s\")", p1);
		break;
	case OP_CHDIR:
		bprintf(b, "chdir(\"%s\")", p1);
		break;
	case OP_FCHDIR:
		bprintf(b, "fchdir(%s)", fdname(s->fd1, f1, sizeof(f1)));
		break;
	case OP_SAVE_NS:
		bprintf(b, "s%d = open(\"/proc/thread-self/ns/mnt\")", s->slot);
		break;
	case OP_OPEN:
		bprintf(b, "s%d = open(\"%s\", ", s->slot, p1);
		bflags(b, s->flags, open_flags);
		bprintf(b, ")");
		break;
	case OP_CLOSE:
		bprintf(b, "close(s%d)", s->fd1);
		break;
	case OP_MKDIR:
		bprintf(b, "mkdir(\"%s\")", p1);
		break;
	case OP_SETATTR:
		bprintf(b, "mount_setattr(%s, \"%s\", ", fdname(s->fd1, f1, sizeof(f1)), p1);
		bflags(b, s->flags, setattr_flags);
		bprintf(b, ", {.attr_set = ");
		bflags(b, s->a1, attr_flags);
		bprintf(b, ", .attr_clr = ");
		bflags(b, s->a2, attr_flags);
		bprintf(b, ", .propagation = ");
		bflags(b, s->a3, ms_flags);
		bprintf(b, "})");
		break;
	}
}

/* ------------------------------------------------------------------ */
/* The state a program can observe                                     */

static int slots[NSLOTS] = { -1, -1, -1, -1 };
static int procfd = -1, filefd = -1;

static int fdof(int o)
{
	switch (o) {
	case FD_CWD: return AT_FDCWD;
	case FD_BAD: return 999;
	case FD_FILE: return filefd;
	case FD_PROC: return procfd;
	}
	return slots[o];
}

static uint64_t mnt_id_of(int dfd, const char *path, int flags, bool *mntroot)
{
	struct statx stx;

	if (statx(dfd, path, flags | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		  STATX_MNT_ID_UNIQUE, &stx) || !(stx.stx_mask & STATX_MNT_ID_UNIQUE))
		return 0;
	if (mntroot)
		*mntroot = stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
	return stx.stx_mnt_id;
}

#define SM_BUFSIZE 16384
static char smbuf[SM_BUFSIZE] __attribute__((aligned(8)));

static struct statmount *do_statmount(uint64_t id, int nsfd, int byfd, uint64_t mask)
{
	struct mnt_id_req req = { .size = MNT_ID_REQ_SIZE_VER1, .param = mask };
	unsigned int flags = 0;

	if (byfd >= 0) {
		req.mnt_fd = byfd;
		flags = STATMOUNT_BY_FD;
	} else {
		req.mnt_id = id;
		req.mnt_ns_fd = nsfd;
	}
	if (syscall(__NR_statmount, &req, smbuf, sizeof(smbuf), flags) < 0)
		return NULL;
	return (struct statmount *)smbuf;
}

static long do_listmount(uint64_t id, int nsfd, uint64_t *ids, size_t n)
{
	struct mnt_id_req req = { .size = MNT_ID_REQ_SIZE_VER1, .mnt_id = id, .mnt_ns_fd = nsfd };

	return syscall(__NR_listmount, &req, ids, n, 0);
}

#define SM_STR(sm, bit, field) (((sm)->mask & (bit)) ? (sm)->str + (sm)->field : "")

struct mnt {
	uint64_t id, parent;
	uint64_t attr, prop, peer, master, from;
	uint32_t dev_major, dev_minor, sb_flags;
	char point[PATHLEN], root[PATHLEN], type[32], opts[128], source[64];
	int canon, depth, first_child, next_sibling;
	char lock[48];
};

struct table {
	struct mnt m[MAXMNT];
	int n;
	int err;		/* errno of what failed, or 0 */
	const char *what;	/* what failed */
	int top;		/* index of the namespace root */
	bool truncated;
};

/* The maps from the kernel's ids to the trace's, for one state. */
struct idmap {
	uint64_t k[MAXMNT * 2];
	int n;
};

static int idmap_get(struct idmap *m, uint64_t k)
{
	for (int i = 0; i < m->n; i++)
		if (m->k[i] == k)
			return i + 1;
	if (m->n >= (int)(sizeof(m->k) / sizeof(m->k[0])))
		return 0;
	m->k[m->n++] = k;
	return m->n;
}

static struct idmap groups, sbs, nss, inums;

/*
 * The root of an nsfs mount names the namespace's inode number ("mnt:[4026532001]"), which
 * depends on every namespace made since boot: renumbered when printed, like the ids (I1, I2,
 * ...), or (@map NULL, for sorting) left out.
 */
static void copy_root(char *dst, size_t len, const char *src, struct idmap *map)
{
	const char *b = strchr(src, '['), *e = b ? strchr(b, ']') : NULL;

	if (!b || !e || e == b + 1 || strspn(b + 1, "0123456789") != (size_t)(e - b - 1)) {
		snprintf(dst, len, "%s", src);
		return;
	}
	if (map)
		snprintf(dst, len, "%.*s[I%d]%s", (int)(b - src), src,
			 idmap_get(map, strtoull(b + 1, NULL, 10)), e + 1);
	else
		snprintf(dst, len, "%.*s[]%s", (int)(b - src), src, e + 1);
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

static int fill_mnt(struct mnt *m, uint64_t id, int nsfd)
{
	struct statmount *sm = do_statmount(id, nsfd, -1,
		STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC | STATMOUNT_PROPAGATE_FROM |
		STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT | STATMOUNT_FS_TYPE | STATMOUNT_MNT_OPTS |
		STATMOUNT_SB_SOURCE);

	if (!sm)
		return -errno;
	memset(m, 0, sizeof(*m));
	m->id = sm->mnt_id;
	m->parent = sm->mnt_parent_id;
	m->attr = sm->mnt_attr;
	m->prop = sm->mnt_propagation;
	m->peer = sm->mnt_peer_group;
	m->master = sm->mnt_master;
	m->from = (sm->mask & STATMOUNT_PROPAGATE_FROM) ? sm->propagate_from : 0;
	m->dev_major = sm->sb_dev_major;
	m->dev_minor = sm->sb_dev_minor;
	m->sb_flags = sm->sb_flags;
	copy_str(m->point, sizeof(m->point), SM_STR(sm, STATMOUNT_MNT_POINT, mnt_point));
	copy_str(m->root, sizeof(m->root), SM_STR(sm, STATMOUNT_MNT_ROOT, mnt_root));
	copy_str(m->type, sizeof(m->type), SM_STR(sm, STATMOUNT_FS_TYPE, fs_type));
	copy_str(m->opts, sizeof(m->opts), SM_STR(sm, STATMOUNT_MNT_OPTS, mnt_opts));
	copy_str(m->source, sizeof(m->source), SM_STR(sm, STATMOUNT_SB_SOURCE, sb_source));
	m->first_child = m->next_sibling = -1;
	return 0;
}

static int own_nsfd(void)
{
	return openat(procfd, "thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
}

/*
 * A mount of the namespace of @fd (the caller's for -1) when no other way gives one (the
 * caller's root and cwd are elsewhere; listmount() finds no child of the namespace's root):
 * ask a child that enters the namespace, which puts its root on the namespace's top mount.
 */
static uint64_t id_via_setns(int fd)
{
	int p[2], nsfd = fd < 0 ? own_nsfd() : dup(fd);
	uint64_t id = 0;
	pid_t pid;

	if (nsfd < 0 || pipe(p)) {
		if (nsfd >= 0)
			close(nsfd);
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (!setns(nsfd, CLONE_NEWNS))
			id = mnt_id_of(AT_FDCWD, "/", 0, NULL);
		if (write(p[1], &id, sizeof(id)) != sizeof(id))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	close(nsfd);
	if (pid > 0) {
		if (read(p[0], &id, sizeof(id)) != sizeof(id))
			id = 0;
		waitpid(pid, NULL, 0);
	}
	close(p[0]);
	return id;
}

static int find_idx(struct table *t, uint64_t id)
{
	for (int i = 0; i < t->n; i++)
		if (t->m[i].id == id)
			return i;
	return -1;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a, b);
}

/* Order of siblings: by what userspace sees of them; the kernel's id last (a tie there
 * is a pair of mounts that nothing tells apart but their age). */
static int sibling_cmp(const struct mnt *a, const struct mnt *b)
{
	int c;

	char ra[PATHLEN], rb[PATHLEN];

	copy_root(ra, sizeof(ra), a->root, NULL);
	copy_root(rb, sizeof(rb), b->root, NULL);
	if ((c = cmp_str(a->point, b->point)) || (c = cmp_str(ra, rb)) ||
	    (c = cmp_str(a->type, b->type)) || (c = cmp_str(a->opts, b->opts)))
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int next_canon;

static void number_tree(struct table *t, int i, int depth)
{
	t->m[i].canon = ++next_canon;
	t->m[i].depth = depth;
	for (int c = t->m[i].first_child; c >= 0; c = t->m[c].next_sibling)
		number_tree(t, c, depth + 1);
}

/*
 * The mount table of the caller's namespace (@nsfd 0) or of the namespace of @nsfd: every
 * mount from the namespace root down, as a tree.
 */
static void fill_table(struct table *t, int nsfd)
{
	static uint64_t ids[MAXMNT];
	uint64_t start = 0, id;
	long n;

	t->n = 0;
	t->err = 0;
	t->what = NULL;
	t->top = -1;
	t->truncated = false;
	if (!nsfd) {
		struct mnt probe;

		start = mnt_id_of(AT_FDCWD, "/", 0, NULL);
		if (!start || fill_mnt(&probe, start, 0))
			start = mnt_id_of(AT_FDCWD, ".", 0, NULL);
		if (!start || fill_mnt(&probe, start, 0))
			start = id_via_setns(-1);
	} else {
		n = do_listmount(LSMT_ROOT, nsfd, ids, 1);
		if (n > 0)
			start = ids[0];
		else
			start = id_via_setns(nsfd);
		if (!start && n < 0) {
			t->err = errno;
			t->what = "listmount";
			return;
		}
	}
	if (!start) {
		t->what = "no mount";
		return;
	}
	/* Up to the namespace root (its parent is itself), or as far as the caller may see. */
	id = start;
	for (int i = 0; i < 64; i++) {
		struct mnt m, pm;

		if (fill_mnt(&m, id, nsfd) || m.parent == id || !m.parent ||
		    fill_mnt(&pm, m.parent, nsfd))
			break;
		id = m.parent;
	}
	if (fill_mnt(&t->m[0], id, nsfd)) {
		t->err = errno;
		t->what = "statmount";
		return;
	}
	t->n = 1;
	n = do_listmount(id, nsfd, ids, MAXMNT - 1);
	if (n < 0) {
		t->err = errno;
		t->what = "listmount";
		n = 0;
	}
	if (n >= MAXMNT - 1)
		t->truncated = true;
	for (long i = 0; i < n && t->n < MAXMNT; i++) {
		if (fill_mnt(&t->m[t->n], ids[i], nsfd))
			continue;
		t->n++;
	}
	/* The tree: children in sibling order. */
	for (int i = 1; i < t->n; i++) {
		int p = find_idx(t, t->m[i].parent), *link;

		if (p < 0 || p == i)
			p = 0;
		link = &t->m[p].first_child;
		while (*link >= 0 && sibling_cmp(&t->m[*link], &t->m[i]) < 0)
			link = &t->m[*link].next_sibling;
		t->m[i].next_sibling = *link;
		*link = i;
	}
	t->top = 0;
	next_canon = 0;
	number_tree(t, 0, 0);
	for (int i = 0; i < t->n; i++)
		if (!t->m[i].canon)
			t->m[i].canon = ++next_canon;	/* not reached: shows as such */
}

static void attr_text(struct buf *b, uint64_t a)
{
	bprintf(b, "%s", (a & MOUNT_ATTR_RDONLY) ? "ro" : "rw");
	if (a & MOUNT_ATTR_NOSUID)
		bprintf(b, ",nosuid");
	if (a & MOUNT_ATTR_NODEV)
		bprintf(b, ",nodev");
	if (a & MOUNT_ATTR_NOEXEC)
		bprintf(b, ",noexec");
	switch (a & MOUNT_ATTR__ATIME) {
	case MOUNT_ATTR_NOATIME: bprintf(b, ",noatime"); break;
	case MOUNT_ATTR_STRICTATIME: bprintf(b, ",strictatime"); break;
	}
	if (a & MOUNT_ATTR_NODIRATIME)
		bprintf(b, ",nodiratime");
	if (a & MOUNT_ATTR_IDMAP)
		bprintf(b, ",idmap");
	if (a & MOUNT_ATTR_NOSYMFOLLOW)
		bprintf(b, ",nosymfollow");
	a &= ~(uint64_t)(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			 MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME |
			 MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSYMFOLLOW);
	if (a)
		bprintf(b, ",%#llx", (unsigned long long)a);
}

static void prop_text(struct buf *b, const struct mnt *m)
{
	bool any = false;

	if (m->prop & MS_SHARED) {
		bprintf(b, "shared:G%d", idmap_get(&groups, m->peer));
		any = true;
	}
	if (m->prop & MS_SLAVE) {
		bprintf(b, "%smaster:G%d", any ? "," : "", idmap_get(&groups, m->master));
		any = true;
	}
	if (m->from) {
		bprintf(b, "%sfrom:G%d", any ? "," : "", idmap_get(&groups, m->from));
		any = true;
	}
	if (m->prop & MS_UNBINDABLE) {
		bprintf(b, "%sunbindable", any ? "," : "");
		any = true;
	}
	if (!any)
		bprintf(b, "private");
}

static int sb_canon(uint32_t major, uint32_t minor)
{
	return idmap_get(&sbs, ((uint64_t)major << 32) | minor);
}

/* The table as lines of section @tag, each mount in tree order, indented by depth. */
static void print_table(struct buf *b, struct table *t, bool with_lock)
{
	int order[MAXMNT];

	if (t->what)
		bprintf(b, "%s: %s\n", t->what, t->err ? ename(t->err) : "-");
	if (!t->n)
		return;
	for (int i = 0; i < t->n; i++)
		order[t->m[i].canon - 1] = i;
	for (int k = 0; k < t->n; k++) {
		struct mnt *m = &t->m[order[k]];
		int p = find_idx(t, m->parent);
		char parent[16] = "-", root[PATHLEN];

		if (p >= 0 && p != order[k])
			snprintf(parent, sizeof(parent), "M%d", t->m[p].canon);
		copy_root(root, sizeof(root), m->root, &inums);
		bprintf(b, "%*sM%d<%s %s root=%s %s S%d src=%s ", m->depth * 2, "", m->canon,
			parent, m->point[0] ? m->point : "-", root, m->type,
			sb_canon(m->dev_major, m->dev_minor), m->source[0] ? m->source : "-");
		attr_text(b, m->attr);
		if (m->sb_flags & MS_RDONLY)
			bprintf(b, " sb:ro");
		if (m->opts[0])
			bprintf(b, " {%s}", m->opts);
		bprintf(b, " ");
		prop_text(b, m);
		if (with_lock)
			bprintf(b, " lk=%s", m->lock[0] ? m->lock : "-");
		bprintf(b, "\n");
	}
	if (t->truncated)
		bprintf(b, "(more mounts)\n");
}

/*
 * The lock probe, in a child: in the caller's namespace (@nsfd 0) or after setns() into
 * @nsfd, every mount that its mountpoint reaches (the top of its stack, reachable from the
 * root) is tried in a copy of the namespace: umount2(MNT_EXPIRE) fails with EINVAL if the
 * mount is locked (MNT_EXPIRE never unmounts on the first call, it only marks), and
 * mount_setattr() clearing the flags fails with EPERM if they are locked. "/" is tried last,
 * with MNT_DETACH. Results by the original mount ids.
 */
static void probe_locks(struct table *t, int nsfd)
{
	static uint64_t ids[MAXMNT];
	int p[2];
	pid_t pid;
	FILE *f;
	char line[128];

	if (pipe(p))
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct cand {
			uint64_t id;
			char path[PATHLEN];
		} *c = calloc(MAXMNT, sizeof(*c));
		int nc = 0, rootc = -1;
		uint64_t rootid;
		long n;

		close(p[0]);
		if (p[1] != 3) {
			dup2(p[1], 3);
			close(p[1]);
		}
		if (nsfd && setns(nsfd, CLONE_NEWNS))
			_exit(1);
		close_range(4, ~0U, 0);
		n = do_listmount(LSMT_ROOT, 0, ids, MAXMNT);
		rootid = mnt_id_of(AT_FDCWD, "/", 0, NULL);
		for (long i = 0; i < n && c; i++) {
			struct statmount *sm = do_statmount(ids[i], 0, -1, STATMOUNT_MNT_POINT);
			const char *pt;

			if (!sm || !(sm->mask & STATMOUNT_MNT_POINT))
				continue;
			pt = sm->str + sm->mnt_point;
			if (!pt[0] || mnt_id_of(AT_FDCWD, pt, 0, NULL) != ids[i])
				continue;
			c[nc].id = ids[i];
			copy_str(c[nc].path, PATHLEN, pt);
			if (!strcmp(pt, "/") && ids[i] == rootid)
				rootc = nc;
			nc++;
		}
		if (unshare(CLONE_NEWNS)) {
			dprintf(3, "E %d\n", errno);
			_exit(0);
		}
		for (int pass = 0; pass < 2; pass++) {
			for (int i = 0; i < nc; i++) {
				struct mount_attr a = { .attr_clr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
								    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
				int r1, r2;

				if ((i == rootc) != (pass == 1))
					continue;
				r1 = syscall(__NR_mount_setattr, AT_FDCWD, c[i].path, 0, &a, sizeof(a)) ?
					errno : 0;
				r2 = umount2(c[i].path, i == rootc ? MNT_DETACH : MNT_EXPIRE) ? errno : 0;
				dprintf(3, "%llu %d %d\n", (unsigned long long)c[i].id, r2, r1);
			}
		}
		_exit(0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long id;
		int r1, r2, i;

		if (line[0] == 'E') {
			/* no copy: every mount we could have tried is unknown */
			for (i = 0; i < t->n; i++)
				snprintf(t->m[i].lock, sizeof(t->m[i].lock), "nocopy:%s",
					 ename(atoi(line + 2)));
			continue;
		}
		if (sscanf(line, "%llu %d %d", &id, &r2, &r1) != 3)
			continue;
		i = find_idx(t, id);
		if (i < 0)
			continue;
		snprintf(t->m[i].lock, sizeof(t->m[i].lock), "%s", r2 ? ename(r2) : "0");
		snprintf(t->m[i].lock + strlen(t->m[i].lock),
			 sizeof(t->m[i].lock) - strlen(t->m[i].lock), "/%s", r1 ? ename(r1) : "0");
	}
	if (f)
		fclose(f);
	else
		close(p[0]);
	waitpid(pid, NULL, 0);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of the directory at @dfd/@path, sorted, or the errno. */
static void list_dir(struct buf *b, int dfd, const char *path)
{
	char *names[256];
	int n = 0, fd = openat(dfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0) {
		bprintf(b, "%s", ename(errno));
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		bprintf(b, "%s", ename(errno));
		close(fd);
		return;
	}
	while ((de = readdir(d)) && n < 256) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	if (!n)
		bprintf(b, "(empty)");
	for (int i = 0; i < n; i++) {
		bprintf(b, "%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
}

static const char *magic_name(long m)
{
	static char b[24];

	switch (m) {
	case NULL_FS_MAGIC: return "nullfs";
	case TMPFS_MAGIC: return "tmpfs";
	}
	snprintf(b, sizeof(b), "%#lx", m);
	return b;
}

/* Where a path's mount is: M<n> in the caller's namespace, or outside it. */
static void where_text(struct buf *b, struct table *t, const char *path)
{
	bool mntroot = false;
	uint64_t id = mnt_id_of(AT_FDCWD, path, 0, &mntroot);
	struct statfs sfs;
	int i;

	if (!id) {
		bprintf(b, "%s", ename(errno));
		return;
	}
	i = find_idx(t, id);
	if (i >= 0)
		bprintf(b, "M%d", t->m[i].canon);
	else
		bprintf(b, "not-in-ns");
	if (!statfs(path, &sfs))
		bprintf(b, " %s", magic_name(sfs.f_type));
	bprintf(b, "%s", mntroot ? " mount-root" : "");
}

static int ns_canon(int fd)
{
	uint64_t id = 0;

	if (ioctl(fd, NS_GET_MNTNS_ID, &id))
		return 0;
	return idmap_get(&nss, id);
}

struct state {
	struct buf sec[SECTIONS];	/* r m l f n0.. */
};

static const char *const sec_tag[SECTIONS] = { "r", "m", "l", "f", "n0", "n1", "n2", "n3" };

static struct table cur, nst;

static void capture(struct state *s, bool *too_many)
{
	struct buf *r = &s->sec[0], *m = &s->sec[1], *l = &s->sec[2], *f = &s->sec[3];
	char cwd[PATHLEN];
	int nsfd;

	for (int i = 0; i < SECTIONS; i++)
		bclear(&s->sec[i]);
	groups.n = sbs.n = nss.n = inums.n = 0;
	/* N1: the caller's namespace */
	nsfd = own_nsfd();
	if (nsfd >= 0) {
		ns_canon(nsfd);
		close(nsfd);
	}
	fill_table(&cur, 0);
	*too_many = cur.n > STOP_MOUNTS;
	if (!*too_many)
		probe_locks(&cur, 0);
	print_table(m, &cur, true);

	bprintf(r, "root ");
	where_text(r, &cur, "/");
	bprintf(r, "\ncwd ");
	where_text(r, &cur, ".");
	if (getcwd(cwd, sizeof(cwd)))
		bprintf(r, " getcwd=%s\n", cwd);
	else
		bprintf(r, " getcwd=%s\n", ename(errno));

	for (size_t i = 0; i < sizeof(probe_dirs) / sizeof(probe_dirs[0]); i++) {
		bprintf(l, "%s: ", probe_dirs[i]);
		list_dir(l, AT_FDCWD, probe_dirs[i]);
		bprintf(l, "\n");
	}

	for (int i = 0; i < NSLOTS; i++) {
		int fd = slots[i];
		struct statmount *sm;
		struct stat st;

		bprintf(f, "s%d: ", i);
		if (fd < 0) {
			bprintf(f, "-\n");
			continue;
		}
		if (fstat(fd, &st)) {
			bprintf(f, "%s\n", ename(errno));
			continue;
		}
		if (ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNS) {
			bprintf(f, "mntns N%d\n", ns_canon(fd));
			if (*too_many)
				continue;
			fill_table(&nst, fd);
			if (nst.n <= STOP_MOUNTS)
				probe_locks(&nst, fd);
			print_table(&s->sec[4 + i], &nst, true);
			continue;
		}
		sm = do_statmount(0, 0, fd, STATMOUNT_MNT_BASIC | STATMOUNT_FS_TYPE |
				  STATMOUNT_MNT_ROOT | STATMOUNT_MNT_NS_ID | STATMOUNT_SB_BASIC);
		if (!sm) {
			/* a detached tree: statmount() finds no root in its namespace */
			bprintf(f, "%s statmount:%s", S_ISDIR(st.st_mode) ? "dir" : "file",
				ename(errno));
			if (S_ISDIR(st.st_mode)) {
				bprintf(f, " ls=");
				list_dir(f, fd, ".");
			}
			bprintf(f, "\n");
			continue;
		}
		{
			int k = find_idx(&cur, sm->mnt_id);
			uint64_t nsid = (sm->mask & STATMOUNT_MNT_NS_ID) ? sm->mnt_ns_id : 0;
			char root[PATHLEN], type[32];

			copy_root(root, sizeof(root), SM_STR(sm, STATMOUNT_MNT_ROOT, mnt_root),
				  &inums);
			copy_str(type, sizeof(type), SM_STR(sm, STATMOUNT_FS_TYPE, fs_type));
			if (k >= 0)
				bprintf(f, "M%d", cur.m[k].canon);
			else if (nsid)
				bprintf(f, "mount in N%d", idmap_get(&nss, nsid));
			else
				bprintf(f, "mount in no ns");
			bprintf(f, " %s root=%s S%d ", type, root,
				sb_canon(sm->sb_dev_major, sm->sb_dev_minor));
			attr_text(f, sm->mnt_attr);
			bprintf(f, " ls=");
			list_dir(f, fd, ".");
			bprintf(f, "\n");
		}
	}
}

/* ------------------------------------------------------------------ */
/* Running a program                                                   */

static int write_at(int dfd, const char *path, const char *val)
{
	int fd = openat(dfd, path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* Map root to root in the user namespace of @pid ("self" for the caller). */
static void write_maps(const char *pid, bool self)
{
	char p[64];

	if (self) {
		snprintf(p, sizeof(p), "%s/setgroups", pid);
		write_at(procfd, p, "deny");
	}
	snprintf(p, sizeof(p), "%s/uid_map", pid);
	write_at(procfd, p, "0 0 1");
	snprintf(p, sizeof(p), "%s/gid_map", pid);
	write_at(procfd, p, "0 0 1");
}

/*
 * A new tmpfs gets the directories of the paths of the programs (so that it can serve as a
 * root or hold mounts) and a marker file named after the step, so that the listings tell
 * mounts apart. Errors are left to the listings to show.
 */
static void populate(int dfd, const char *dir, const char *marker)
{
	static const char *const dirs[] = { "a", "b", "c", "d", "e", "x", "y", "a/x", "b/y",
					     "c/x", "d/y" };
	int fd = openat(dfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdirat(fd, dirs[i], 0755);
	close(openat(fd, marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	close(fd);
}

static void set_slot(int slot, int fd)
{
	if (slots[slot] >= 0)
		close(slots[slot]);
	slots[slot] = fd;
}

/* Run one step. Returns 0 or -errno; *slot_out the slot an fd went to. */
static long run_step(const struct step *s, int k, int *slot_out)
{
	const char *p1 = paths[s->p1], *p2 = paths[s->p2];
	char data[32], marker[16];
	long r = 0;

	*slot_out = -1;
	errno = 0;
	switch (s->op) {
	case OP_SETUP:
		break;
	case OP_MOUNT_TMPFS:
		snprintf(data, sizeof(data), "nr_inodes=%d", 1000 + k);
		r = mount("none", p1, "tmpfs", s->flags, data);
		if (!r) {
			snprintf(marker, sizeof(marker), "t%d", k);
			populate(AT_FDCWD, p1, marker);
		}
		break;
	case OP_BIND:
		r = mount(p1, p2, NULL, s->flags, NULL);
		break;
	case OP_PROPAGATION:
	case OP_REMOUNT:
		r = mount(NULL, p1, NULL, s->flags, NULL);
		break;
	case OP_MS_MOVE:
		r = mount(p1, p2, NULL, MS_MOVE, NULL);
		break;
	case OP_UMOUNT:
		r = umount2(p1, s->flags);
		break;
	case OP_UNSHARE:
		r = syscall(SYS_unshare, (unsigned long)s->flags);
		if (!r && (s->flags & CLONE_NEWUSER))
			write_maps("self", true);
		break;
	case OP_CLONE3: {
		struct clone_args args = { .flags = s->flags, .exit_signal = SIGCHLD };
		int sync[2];
		pid_t pid;

		if (pipe2(sync, O_CLOEXEC))
			return -errno;
		flush_out();
		pid = syscall(__NR_clone3, &args, sizeof(args));
		if (pid < 0) {
			r = -errno;
			close(sync[0]);
			close(sync[1]);
			return r;
		}
		if (pid > 0) {
			/* the parent: maps for the child, then wait for it and exit with it */
			int st;

			close(sync[0]);
			if (s->flags & CLONE_NEWUSER) {
				char ps[16];

				snprintf(ps, sizeof(ps), "%d", pid);
				write_maps(ps, false);
			}
			close(sync[1]);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
		close(sync[1]);
		if (read(sync[0], data, 1) < 0)
			r = -errno;
		close(sync[0]);
		return 0;
	}
	case OP_OPEN_TREE:
		r = syscall(__NR_open_tree, fdof(s->fd1), p1, (unsigned int)s->flags);
		if (r >= 0) {
			set_slot(s->slot, r);
			*slot_out = s->slot;
			r = 0;
		}
		break;
	case OP_FSMOUNT: {
		int fs = -1;

		if (s->fd1 == FD_CWD) {
			fs = syscall(__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC);
			snprintf(data, sizeof(data), "%d", 2000 + k);
			if (fs < 0 ||
			    syscall(__NR_fsconfig, fs, FSCONFIG_SET_STRING, "nr_inodes", data, 0) ||
			    syscall(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
				r = -errno;
				if (fs >= 0)
					close(fs);
				return r;
			}
			r = syscall(__NR_fsmount, fs, (unsigned int)s->flags, (unsigned int)s->a1);
			if (r < 0)
				r = -errno;
			close(fs);
		} else {
			r = syscall(__NR_fsmount, fdof(s->fd1), (unsigned int)s->flags,
				    (unsigned int)s->a1);
			if (r < 0)
				r = -errno;
		}
		if (r >= 0) {
			if (!(s->flags & FSMOUNT_NAMESPACE)) {
				snprintf(marker, sizeof(marker), "f%d", k);
				populate(r, ".", marker);
			}
			set_slot(s->slot, r);
			*slot_out = s->slot;
			r = 0;
		}
		return r;
	}
	case OP_MOVE_MOUNT:
		r = syscall(__NR_move_mount, fdof(s->fd1), p1, fdof(s->fd2), p2,
			    (unsigned int)s->flags);
		break;
	case OP_SETNS:
		r = setns(fdof(s->fd1), s->flags);
		break;
	case OP_PIVOT_ROOT:
		r = syscall(SYS_pivot_root, p1, p2);
		break;
	case OP_CHROOT:
		r = chroot(p1);
		break;
	case OP_CHDIR:
		r = chdir(p1);
		break;
	case OP_FCHDIR:
		r = fchdir(fdof(s->fd1));
		break;
	case OP_SAVE_NS:
		r = own_nsfd();
		if (r >= 0) {
			set_slot(s->slot, r);
			*slot_out = s->slot;
			r = 0;
		}
		break;
	case OP_OPEN:
		r = open(p1, (int)s->flags | O_CLOEXEC);
		if (r >= 0) {
			set_slot(s->slot, r);
			*slot_out = s->slot;
			r = 0;
		}
		break;
	case OP_CLOSE:
		r = close(fdof(s->fd1));
		if (!r)
			slots[s->fd1] = -1;
		break;
	case OP_MKDIR:
		r = mkdir(p1, 0755);
		if (!r) {
			snprintf(marker, sizeof(marker), "m%d", k);
			populate(AT_FDCWD, p1, marker);
		}
		break;
	case OP_SETATTR: {
		struct mount_attr a = { .attr_set = s->a1, .attr_clr = s->a2, .propagation = s->a3 };

		r = syscall(__NR_mount_setattr, fdof(s->fd1), p1, (unsigned int)s->flags, &a,
			    sizeof(a));
		break;
	}
	}
	return r < 0 ? -errno : r;
}

/* The scratch world: a private copy of the VM's namespace, then a tmpfs made its root. */
static int setup(void)
{
	static const char *const dirs[] = { "a", "b", "c", "d", "e", "a/x", "b/y", "c/x", "d/y" };
	char name[32];
	int fd;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -1;
	if (mount("none", "/mnt", "tmpfs", 0, "nr_inodes=999") || chdir("/mnt"))
		return -1;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (mkdir(dirs[i], 0755))
			return -1;
		snprintf(name, sizeof(name), "%s/%c.0", dirs[i], dirs[i][strlen(dirs[i]) - 1]);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	fd = open("f", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || mkdir("old", 0755))
		return -1;
	close(fd);
	close(open("root.0", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	if (syscall(SYS_pivot_root, ".", "old") || umount2("/old", MNT_DETACH) || rmdir("/old") ||
	    chdir("/"))
		return -1;
	filefd = open("/f", O_RDONLY | O_CLOEXEC);
	return filefd < 0 ? -1 : 0;
}

static struct state prev;
static bool have_prev;

static void emit_state(uint64_t seed, int k, struct state *s)
{
	for (int i = 0; i < SECTIONS; i++) {
		const char *p, *e;

		if (have_prev && !strcmp(bstr(&s->sec[i]), bstr(&prev.sec[i])))
			continue;
		if (!s->sec[i].len) {
			bprintf(&out, "# dt %llu %d %s (none)\n", (unsigned long long)seed, k, sec_tag[i]);
			continue;
		}
		for (p = bstr(&s->sec[i]); *p; p = e + 1) {
			e = strchr(p, '\n');
			if (!e)
				e = p + strlen(p);
			bprintf(&out, "# dt %llu %d %s %.*s\n", (unsigned long long)seed, k, sec_tag[i],
				(int)(e - p), p);
			if (!*e)
				break;
		}
	}
	for (int i = 0; i < SECTIONS; i++) {
		bclear(&prev.sec[i]);
		bprintf(&prev.sec[i], "%s", bstr(&s->sec[i]));
	}
	have_prev = true;
}

static int run_program(uint64_t seed, int nsteps)
{
	static struct step st[MAXSTEPS];
	static struct state s;
	struct buf txt = { 0 };
	int n = gen_program(seed, st, nsteps), k;
	bool too_many = false;

	if (setup()) {
		bprintf(&out, "# dt %llu 0 do setup = %s\n", (unsigned long long)seed, ename(errno));
		flush_out();
		return 1;
	}
	for (k = 0; k < n; k++) {
		int slot;
		long r = run_step(&st[k], k, &slot);

		bclear(&txt);
		step_text(&txt, &st[k], k);
		bprintf(&out, "# dt %llu %d do %s = ", (unsigned long long)seed, k, bstr(&txt));
		if (r < 0)
			bprintf(&out, "%s\n", ename(-r));
		else if (slot >= 0)
			bprintf(&out, "s%d\n", slot);
		else
			bprintf(&out, "0\n");
		capture(&s, &too_many);
		emit_state(seed, k, &s);
		flush_out();
		if (too_many) {
			bprintf(&out, "# dt %llu %d stop: more than %d mounts\n",
				(unsigned long long)seed, k, STOP_MOUNTS);
			k++;
			break;
		}
	}
	bprintf(&out, "# dt %llu end %d\n", (unsigned long long)seed, k);
	flush_out();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Seeds and the runner                                                */

static uint64_t *seeds;
static int nseeds;

static int parse_seeds(const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long long a = strtoull(tok, &end, 10), b = a;

		if (end == tok)
			return -1;
		if (*end == '-') {
			char *e2;

			b = strtoull(end + 1, &e2, 10);
			if (e2 == end + 1 || *e2 || b < a || b - a > 1000000)
				return -1;
		} else if (*end) {
			return -1;
		}
		for (unsigned long long s = a; s <= b; s++) {
			seeds = realloc(seeds, (nseeds + 1) * sizeof(*seeds));
			seeds[nseeds++] = s;
		}
	}
	free(copy);
	return 0;
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

int main(int argc, char **argv)
{
	int nsteps = 24, timeout = 60, kmsg = -1;
	bool print_only = false;
	struct sigaction sa = { .sa_handler = on_alarm };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--print")) {
			print_only = true;
		} else if (!strcmp(argv[i], "--steps") && i + 1 < argc) {
			nsteps = atoi(argv[++i]);
			if (nsteps < 1 || nsteps > MAXSTEPS - 8)
				nsteps = 24;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout = atoi(argv[++i]);
		} else if (parse_seeds(argv[i])) {
			fprintf(stderr, "usage: rvfs-difftest [--print] [--steps N] [--timeout S] SEEDS...\n"
					"  SEEDS: N, A-B, or lists of them separated by commas\n");
			return 2;
		}
	}
	if (print_only) {
		static struct step st[MAXSTEPS];
		struct buf b = { 0 };

		for (int i = 0; i < nseeds; i++) {
			int n = gen_program(seeds[i], st, nsteps);

			printf("seed %llu: %d steps\n", (unsigned long long)seeds[i], n);
			for (int k = 0; k < n; k++) {
				bclear(&b);
				step_text(&b, &st[k], k);
				printf("  %2d %s\n", k, bstr(&b));
			}
		}
		return 0;
	}

	setvbuf(stdout, NULL, _IONBF, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigaction(SIGALRM, &sa, NULL);
	kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	bprintf(&out, "TAP version 13\n1..%d\n", nseeds);
	bprintf(&out, "# rvfs-difftest: %d seeds, %d steps each\n", nseeds, nsteps);
	flush_out();
	for (int i = 0; i < nseeds; i++) {
		uint64_t seed = seeds[i];
		struct timespec t0, t1;
		int st = 0;
		pid_t pid, w;

		clock_gettime(CLOCK_MONOTONIC, &t0);

		if (kmsg >= 0) {
			char m[64];
			int len = snprintf(m, sizeof(m), "rvfs-difftest: seed %llu\n",
					   (unsigned long long)seed);
			if (write(kmsg, m, len) < 0)
				close(kmsg), kmsg = -1;
		}
		flush_out();
		pid = fork();
		if (pid == 0) {
			setpgid(0, 0);
			if (kmsg >= 0)
				close(kmsg);
			_exit(run_program(seed, nsteps));
		}
		timed_out = 0;
		alarm(timeout);
		while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR && !timed_out)
			;
		alarm(0);
		if (w < 0) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		/* what the program left: clone3 parents and children, in its process group */
		kill(-pid, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
			;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* not part of the trace: the comparison reads "# dt" lines only */
		bprintf(&out, "# rvfs-difftest: seed %llu took %ld ms\n", (unsigned long long)seed,
			(long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
		if (w < 0)
			bprintf(&out, "not ok %d seed-%llu # timed out after %d s\n", i + 1,
				(unsigned long long)seed, timeout);
		else if (WIFSIGNALED(st))
			bprintf(&out, "not ok %d seed-%llu # killed by signal %d\n", i + 1,
				(unsigned long long)seed, WTERMSIG(st));
		else if (WEXITSTATUS(st))
			bprintf(&out, "not ok %d seed-%llu # exit %d\n", i + 1,
				(unsigned long long)seed, WEXITSTATUS(st));
		else
			bprintf(&out, "ok %d seed-%llu\n", i + 1, (unsigned long long)seed);
		flush_out();
	}
	return 0;
}
