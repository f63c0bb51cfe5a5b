// SPDX-License-Identifier: GPL-2.0
/*
 * rvfs-bench: the in-VM benchmark of `make bench`. The same static binary runs on the vanilla and
 * the patched kernel; lab/bench.sh boots both alternately and lab/bench/report.py compares them.
 *
 *   rvfs-bench [--scale F] [--passes N] [--only SUBSTR] [--clock tsc|mono]   run the cases
 *   rvfs-bench --icount [--settle-us N] [--scale F] [--passes N] [--only SUBSTR]
 *                                                      instruction-count mode (below)
 *   rvfs-bench --calibrate                             TSC frequency (bench.sh runs it on the host)
 *
 * --scale multiplies every iteration count, --passes (default 5) splits them over passes (below),
 * --only runs the cases whose name contains SUBSTR.
 *
 * Output, on stdout (lab/init sends it to the second serial port):
 *   bench-info release=... clock=tsc tsc_hz=... cpus=... sched=fifo scale=... passes=...
 *   bench-mounts target=N listmount=N           a parent namespace now holds N mounts
 *   bench-pass pass=P case=NAME mounts=N workers=W iters=K median_ns=   one pass of a case
 *   bench case=NAME mounts=N workers=W iters=K median_ns= p10_ns= p90_ns= min_ns= max_ns= mean_ns=
 *              [ops_per_s=]                      over all passes; what report.py reads
 *   bench-error case=NAME mounts=N step=STEP errno=E (message)
 *   bench-end seconds=S tsc_hz_end=H failures=F
 * With --icount, instead of the bench-pass and bench lines:
 *   bench-icount id=ID case=NAME mounts=N workers=W calls=K   the marker id of a series
 * Progress goes to stderr (the console). Each case: a warm-up (a tenth of its iterations, at
 * least 1, not recorded) before its iterations in every pass.
 *
 * Scheduling. The program runs as SCHED_FIFO (priority 1) with SCHED_RESET_ON_FORK, its children
 * as normal tasks: a child made by fork()/clone3() cannot preempt the parent before the parent
 * has read the clock after clone3() returned, and it runs its timed system call while the parent
 * sleeps in waitpid(). Without this, whether the new child ran first (and exited, tearing its
 * namespace down) inside the parent's timed region was up to the scheduler: a bimodal, noisy
 * clone3 figure. (The lab's guest brings up one CPU: see bench-info cpus=.)
 *
 * Clock. Under TCG the lab kernel (tinyconfig: no HPET, no ACPI PM timer) cannot calibrate the
 * TSC and runs on the jiffies clocksource: CLOCK_MONOTONIC then advances in 4 ms steps
 * (clock_getres() says so), far too coarse for a single system call. So when the resolution of
 * CLOCK_MONOTONIC is worse than 1 us, every sample is taken with RDTSC (QEMU's TCG returns the
 * host's TSC) and converted with a frequency calibrated against CLOCK_MONOTONIC over 0.5 s at
 * start; the end line repeats the calibration over the whole run. report.py rescales with the
 * host's own calibration (--calibrate, run by bench.sh) when it has one, so both kernels and all
 * rounds use one frequency. With a fine CLOCK_MONOTONIC (KVM, or any proper clocksource) samples
 * are taken with clock_gettime(CLOCK_MONOTONIC) directly.
 *
 * The parent namespaces. The program first makes a private mount namespace, mounts a tmpfs at
 * /rvfs-bench and bind-mounts a directory of the root mount (/rvfs-bench-src) on directories of
 * that tmpfs until the namespace holds 10 mounts (counted like the kernel's nr_mounts: what
 * listmount(LSMT_ROOT) returns plus the nullfs root); then a copy of it grown to 100, one to 1000
 * and one to 10000. All four stay alive (by fd) and the program setns()es into the one a case
 * needs. Set-up is never timed.
 *
 * Passes. Each case's iterations are split over the passes; in each pass every case runs at every
 * mount count, the counts going up in even passes and down in odd ones. A slow phase of the host
 * or the guest then lands on all cases and counts alike instead of on one of them (which would
 * fake a Rust/C difference or a slope in the mount count). After every case the program sleeps
 * (0.3 s after the cases that tear whole mount trees down, else 0.05 s), so that deferred work of
 * the case (RCU-delayed frees of mounts) drains untimed.
 *
 * Cases (timed region in brackets; everything else is set-up or tear-down, untimed):
 *   fork_baseline    [clone3(flags 0) until it returns in the parent]; the child exits at once.
 *                    No VFS feature: a noise-floor case and the fork share of empty_clone3.
 *   newns            fork; the child does [unshare(CLONE_NEWNS)] and exits. Copies every mount.
 *   empty_unshare    fork; the child does [unshare(UNSHARE_EMPTY_MNTNS)] and exits.
 *   empty_clone3     [clone3(CLONE_EMPTY_MNTNS) until it returns in the parent]; the child exits
 *                    at once; the parent reaps it after the timed region.
 *   fsmount_ns       fsopen(tmpfs) + FSCONFIG_CMD_CREATE, then [fsmount(FSMOUNT_NAMESPACE)].
 *   fsmount_open_tree_ns   the same superblock set-up, then [fsmount(); open_tree(fd, "",
 *                    OPEN_TREE_NAMESPACE | AT_EMPTY_PATH); close(mount fd)].
 *   root_beneath     fork; the child unshares CLONE_NEWNS (a fresh copy every iteration) and
 *                    fsmount()s a tmpfs (detached), then [fchdir(mnt); move_mount(mnt, "", "/",
 *                    MOVE_MOUNT_BENEATH); chroot("."); umount2(".", MNT_DETACH)] - the recipe of
 *                    tools/testing/selftests/filesystems/move_mount (beneath_rootfs_success).
 *   root_pivot       the same set-up with the tmpfs moved to /rvfs-bench/newroot (and a
 *                    directory "old" in it), then [pivot_root(newroot, newroot/old); chdir("/");
 *                    umount2("/old", MNT_DETACH)].
 *                    Both root switches are checked after the timed region: "/" is a tmpfs and the
 *                    namespace holds only it (listmount).
 *   parallel_empty   W workers (1, 2) start together; each does K x [unshare(UNSHARE_EMPTY_MNTNS)]
 *                    in a loop, keeping each namespace alive by a pidfd ioctl
 *                    (PIDFD_GET_MNT_NAMESPACE) so that no tear-down lands in the timed region;
 *                    the parent of each unshare is the worker's previous, empty namespace.
 *                    Reports per-call latency over all workers and the total rate (ops_per_s).
 *   getppid          [getppid()]: a control, the same C code in both kernels.
 *
 * Instruction-count mode (--icount). For QEMU with -icount shift=0,sleep=off, one vCPU and the
 * TCG plugin lab/bench/icount.c: no clock is read; the timed region of every recorded sample
 * is bracketed by marker instructions instead, multi-byte NOPs `nopl imm32(%rax)` whose
 * immediate says START of series ID (0x52560000 | ID) or STOP (0x5256ffff), and the plugin
 * counts the guest instructions (kernel and user) executed between them. A series' ID is its
 * index, printed on its bench-icount line. Warm-up iterations are not marked. After every call
 * the program sleeps until the call's deferred work is done (settle_call()). The case with
 * two parallel workers is left out: on one vCPU its regions would interleave. The cases, their
 * set-up and their order are those of the timed mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

/* linux/pidfd.h pulls in linux/fcntl.h, which clashes with glibc's fcntl.h */
#ifndef PIDFD_GET_MNT_NAMESPACE
#define PIDFD_GET_MNT_NAMESPACE _IO(0xFF, 3)
#endif

#define BASE "/rvfs-bench"
/*
 * The source of the bind mounts lives on the root mount, not on the tmpfs at BASE that collects
 * the mounts: a bind mount walks the children of its source mount (__has_locked_children()),
 * which would make growing to 10000 mounts quadratic.
 */
#define SRC "/rvfs-bench-src"
#define NEWROOT BASE "/newroot"
#define MAX_MOUNTS 10000

static double scale = 1.0;
static const char *only;
static int use_tsc;
static int icount_mode;		/* --icount: markers instead of clock reads */
static int cur_id = -1;		/* --icount: the series whose samples are marked; -1: none */
static double tsc_hz;		/* ticks per second of now() */
static int cur_mounts;		/* mounts in the parent namespace */
static int failures;
static uint64_t t_start;		/* now() at start, for progress lines */

#define progress(fmt, ...) \
	fprintf(stderr, "rvfs-bench [%6.1f s] " fmt "\n", to_ns(now() - t_start) / 1e9, ##__VA_ARGS__)

/* Shared with forked children: the sample and, on failure, the step and errno. */
struct shared {
	uint64_t dt;
	int err;
	char step[64];
	volatile int go;
	uint64_t par_start[8], par_end[8];
	uint64_t samples[];	/* parallel workers */
};
static struct shared *shm;
static size_t shm_size;

static double to_ns(double ticks);

static inline uint64_t now(void)
{
	struct timespec ts;

	if (use_tsc)
		return __rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * --icount markers, read by lab/bench/icount.c at translation time: ICOUNT_IDS start stubs of
 * 8 bytes, `nopl (0x52560000 + id)(%rax); ret`, then the stop stub. The call, ret and the code
 * around them are the same in every region and on every kernel.
 */
#define ICOUNT_IDS 64
#define ICOUNT_STR(x) #x
#define ICOUNT_XSTR(x) ICOUNT_STR(x)
asm(".pushsection .text\n"
    "\t.balign 16\n"
    "rvfs_icount_start_stubs:\n"
    "\t.set rvfs_icount_i, 0\n"
    "\t.rept " ICOUNT_XSTR(ICOUNT_IDS) "\n"
    "\t.byte 0x0f, 0x1f, 0x80\n"
    "\t.long 0x52560000 + rvfs_icount_i\n"
    "\tret\n"
    "\t.set rvfs_icount_i, rvfs_icount_i + 1\n"
    "\t.endr\n"
    "rvfs_icount_stop_stub:\n"
    "\t.byte 0x0f, 0x1f, 0x80\n"
    "\t.long 0x5256ffff\n"
    "\tret\n"
    ".popsection\n");
extern const char rvfs_icount_start_stubs[], rvfs_icount_stop_stub[];

/* The start of a recorded region: read the clock, or mark it (--icount). */
static inline uint64_t t_begin(void)
{
	if (icount_mode) {
		if (cur_id >= 0)
			((void (*)(void))(rvfs_icount_start_stubs + 8 * cur_id))();
		return 0;
	}
	return now();
}

/* Its end: the ticks since t0, or 0 after the stop marker (--icount). */
static inline uint64_t t_end(uint64_t t0)
{
	if (icount_mode) {
		if (cur_id >= 0)
			((void (*)(void))rvfs_icount_stop_stub)();
		return 0;
	}
	return now() - t0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Wait for CLOCK_MONOTONIC to step (a jiffy edge) and return the TSC right after it. */
static uint64_t mono_edge(uint64_t *mono)
{
	uint64_t m0 = mono_ns(), m;

	while ((m = mono_ns()) == m0)
		;
	*mono = m;
	return __rdtsc();
}

static double calibrate(double seconds)
{
	uint64_t m0, m1, t0 = mono_edge(&m0), t1;

	do
		t1 = mono_edge(&m1);
	while (m1 - m0 < (uint64_t)(seconds * 1e9));
	return (double)(t1 - t0) * 1e9 / (double)(m1 - m0);
}

/* Child side: record the failing step and errno for the parent, exit non-zero. */
#define CHILD_FAIL(what) do { \
	shm->err = errno; \
	snprintf(shm->step, sizeof(shm->step), "%s", what); \
	_exit(1); \
} while (0)

static long sys_clone3(struct clone_args *args)
{
	return syscall(__NR_clone3, args, sizeof(*args));
}

static int count_mounts(void)
{
	static uint64_t ids[MAX_MOUNTS + 64];
	struct mnt_id_req req = { .size = MNT_ID_REQ_SIZE_VER0, .mnt_id = LSMT_ROOT };
	long n = syscall(__NR_listmount, &req, ids, MAX_MOUNTS + 64, 0);

	return n < 0 ? -1 : (int)n + 1;	/* + the namespace's root (nullfs) */
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double to_ns(double ticks)
{
	return use_tsc ? ticks * 1e9 / tsc_hz : ticks;
}

static double median_ticks(const uint64_t *s, int n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

static void print_stats(const char *name, int mounts, int workers, uint64_t *s, int n,
			const char *extra)
{
	double sum = 0;

	qsort(s, n, sizeof(*s), cmp_u64);
	for (int i = 0; i < n; i++)
		sum += s[i];
	/* nearest-rank percentiles; the median of an even count is the mean of the middle two */
	printf("bench case=%s mounts=%d workers=%d iters=%d median_ns=%.0f p10_ns=%.0f p90_ns=%.0f "
	       "min_ns=%.0f max_ns=%.0f mean_ns=%.0f%s\n", name, mounts, workers, n,
	       to_ns(median_ticks(s, n)),
	       to_ns(s[(n - 1) / 10]), to_ns(s[(n - 1) * 9 / 10]), to_ns(s[0]), to_ns(s[n - 1]),
	       to_ns(sum / n), extra ? extra : "");
	fflush(stdout);
}

static void report_error(const char *name, const char *step, int err)
{
	printf("bench-error case=%s mounts=%d step=%s errno=%d (%s)\n", name, cur_mounts, step, err,
	       strerror(err));
	fflush(stdout);
	fprintf(stderr, "rvfs-bench: %s (mounts=%d): %s: %s\n", name, cur_mounts, step, strerror(err));
	failures++;
}

static int selected(const char *name)
{
	return !only || strstr(name, only);
}

static int iters_for(int base)
{
	int k = (int)(base * scale + 0.5);

	return k < 3 ? 3 : k;
}

/*
 * Between cases: let deferred work of the last one (RCU-delayed frees of its mounts, kworkers)
 * drain while this task sleeps, so that it does not land in the next case's timed regions.
 */
static void settle(int heavy)
{
	usleep(heavy ? 300000 : 50000);
}

/*
 * --icount: after every call (warm-up included) the program sleeps settle_us, plus
 * SETTLE_US_PER_MOUNT for each mount of the parent namespace, so that the deferred work the call
 * queued (RCU callbacks that free its mounts, namespace and task, the kworkers) has run before
 * the next call starts. Each call then starts from a quiet kernel: what it counts does not
 * depend on where earlier calls' deferred work happened to land, nor on the allocator state that
 * work left, both of which follow the lengths of the paths before it and so differ between two
 * kernels. Under -icount sleep=off an idle guest's clock jumps to its next timer: the sleep
 * costs (almost) no host time. --settle-us sets settle_us (0: no pause).
 */
static long settle_us = 20000;
#define SETTLE_US_PER_MOUNT 10

static void settle_call(void)
{
	if (icount_mode && settle_us > 0)
		usleep(settle_us + (long)cur_mounts * SETTLE_US_PER_MOUNT);
}

/* One iteration: the timed ticks in *dt; 0, or -1 with shm->step/err set. */
typedef int (*iter_fn)(uint64_t *dt);

/*
 * A case at one parent mount count. Its iterations are split over the passes of the run; the
 * printed figures are over the samples of all passes.
 */
struct series {
	const char *name;
	int id;			/* --icount: marker id */
	int level;		/* index into levels[] */
	int workers;		/* parallel_empty: the number of workers; else 1 */
	iter_fn fn;		/* NULL for parallel_empty */
	int k;			/* samples per pass (per worker for parallel_empty) */
	int n;			/* samples so far */
	int failed;
	uint64_t *s;
	uint64_t loop_ticks;	/* parallel_empty: time of its timed loops, all passes */
};

static void parallel_chunk(struct series *c);
static int it_newns(uint64_t *dt);
static int it_root_beneath(uint64_t *dt);
static int it_root_pivot(uint64_t *dt);

static void run_chunk(struct series *c, int pass)
{
	int warm = c->k / 10 < 1 ? 1 : c->k / 10, n0 = c->n, cnt;
	uint64_t t0 = now(), *tmp;

	if (c->failed || !selected(c->name))
		return;
	if (!c->fn) {
		parallel_chunk(c);
	} else {
		for (int i = 0; i < warm + c->k; i++) {
			uint64_t dt;

			shm->err = 0;
			shm->step[0] = 0;
			cur_id = i >= warm ? c->id : -1;
			if (c->fn(&dt)) {
				report_error(c->name, shm->step[0] ? shm->step : "?", shm->err);
				c->failed = 1;
				return;
			}
			if (i >= warm)
				c->s[c->n++] = dt;
			settle_call();
		}
	}
	cur_id = -1;
	if (c->failed)
		return;
	cnt = c->n - n0;
	tmp = malloc(cnt * sizeof(*tmp));
	memcpy(tmp, c->s + n0, cnt * sizeof(*tmp));
	qsort(tmp, cnt, sizeof(*tmp), cmp_u64);
	if (!icount_mode)
		printf("bench-pass pass=%d case=%s mounts=%d workers=%d iters=%d median_ns=%.0f\n",
		       pass, c->name, cur_mounts, c->workers, cnt, to_ns(median_ticks(tmp, cnt)));
	free(tmp);
	progress("pass %d: %s mounts=%d workers=%d: %d samples in %.2f s", pass, c->name, cur_mounts,
		 c->workers, cnt, to_ns(now() - t0) / 1e9);
	settle(c->fn == it_newns || c->fn == it_root_beneath || c->fn == it_root_pivot);
}

/* Fork; the child runs fn, which stores its sample in shm->dt. The parent reaps it. */
static int forked(int (*fn)(void), uint64_t *dt)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		shm->err = errno;
		strcpy(shm->step, "fork");
		return -1;
	}
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) != pid) {
		shm->err = errno;
		strcpy(shm->step, "waitpid");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!shm->step[0]) {
			snprintf(shm->step, sizeof(shm->step), "child-status-%#x", status);
			shm->err = 0;
		}
		return -1;
	}
	*dt = shm->dt;
	return 0;
}

/* --- namespace creation ------------------------------------------------------------------- */

static int child_newns(void)
{
	uint64_t t0 = t_begin();

	if (unshare(CLONE_NEWNS))
		CHILD_FAIL("unshare(CLONE_NEWNS)");
	shm->dt = t_end(t0);
	return 0;
}

static int child_empty_unshare(void)
{
	uint64_t t0 = t_begin();

	if (unshare(UNSHARE_EMPTY_MNTNS))
		CHILD_FAIL("unshare(UNSHARE_EMPTY_MNTNS)");
	shm->dt = t_end(t0);
	return 0;
}

static int it_newns(uint64_t *dt) { return forked(child_newns, dt); }
static int it_empty_unshare(uint64_t *dt) { return forked(child_empty_unshare, dt); }

static int clone3_reap(uint64_t flags, uint64_t *dt)
{
	struct clone_args args = { .flags = flags, .exit_signal = SIGCHLD };
	int status;
	uint64_t t0 = t_begin();
	long pid = sys_clone3(&args);
	/* the region ends in the parent (the child, which runs later, does not mark) */
	uint64_t dt1 = pid ? t_end(t0) : 0;

	if (pid < 0) {
		shm->err = errno;
		strcpy(shm->step, "clone3");
		return -1;
	}
	if (pid == 0)
		_exit(0);
	*dt = dt1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		shm->err = errno;
		strcpy(shm->step, "clone3-child");
		return -1;
	}
	return 0;
}

static int it_fork_baseline(uint64_t *dt) { return clone3_reap(0, dt); }
static int it_empty_clone3(uint64_t *dt) { return clone3_reap(CLONE_EMPTY_MNTNS, dt); }

/* --- fsmount(FSMOUNT_NAMESPACE) vs fsmount() + open_tree(OPEN_TREE_NAMESPACE) -------------- */

static int tmpfs_context(void)
{
	int fs = syscall(__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC);

	if (fs < 0) {
		shm->err = errno;
		strcpy(shm->step, "fsopen(tmpfs)");
		return -1;
	}
	if (syscall(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		shm->err = errno;
		strcpy(shm->step, "fsconfig(CMD_CREATE)");
		close(fs);
		return -1;
	}
	return fs;
}

/* Check once per case that a namespace fd holds exactly one mount, a tmpfs at its root. */
static int ns_ok_child_fd = -1;
static int child_check_ns(void)
{
	struct statfs sfs;

	if (setns(ns_ok_child_fd, CLONE_NEWNS))
		CHILD_FAIL("setns(ns fd)");
	if (statfs("/", &sfs))
		CHILD_FAIL("statfs(/) in the new namespace");
	if (sfs.f_type != TMPFS_MAGIC) {
		errno = EPROTO;
		CHILD_FAIL("root of the new namespace is not a tmpfs");
	}
	if (count_mounts() != 2) {
		errno = EPROTO;
		CHILD_FAIL("new namespace does not hold nullfs + tmpfs alone");
	}
	return 0;
}

static int check_ns(int ns)
{
	uint64_t dummy;

	ns_ok_child_fd = ns;
	return forked(child_check_ns, &dummy);
}

static int fsmount_checked;

static int it_fsmount_ns(uint64_t *dt)
{
	int fs = tmpfs_context(), ns, rc = 0;
	uint64_t t0;

	if (fs < 0)
		return -1;
	t0 = t_begin();
	ns = syscall(__NR_fsmount, fs, FSMOUNT_CLOEXEC | FSMOUNT_NAMESPACE, 0);
	*dt = t_end(t0);
	if (ns < 0) {
		shm->err = errno;
		strcpy(shm->step, "fsmount(FSMOUNT_NAMESPACE)");
		close(fs);
		return -1;
	}
	if (!(fsmount_checked & 1)) {
		rc = check_ns(ns);
		fsmount_checked |= 1;
	}
	close(ns);
	close(fs);
	return rc;
}

static int it_fsmount_open_tree_ns(uint64_t *dt)
{
	int fs = tmpfs_context(), mnt, ns, rc = 0;
	uint64_t t0;

	if (fs < 0)
		return -1;
	t0 = t_begin();
	mnt = syscall(__NR_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0) {
		shm->err = errno;
		strcpy(shm->step, "fsmount()");
		close(fs);
		return -1;
	}
	ns = syscall(__NR_open_tree, mnt, "",
		     AT_EMPTY_PATH | OPEN_TREE_NAMESPACE | OPEN_TREE_CLOEXEC);
	close(mnt);
	*dt = t_end(t0);
	if (ns < 0) {
		shm->err = errno;
		strcpy(shm->step, "open_tree(OPEN_TREE_NAMESPACE)");
		close(fs);
		return -1;
	}
	if (!(fsmount_checked & 2)) {
		rc = check_ns(ns);
		fsmount_checked |= 2;
	}
	close(ns);
	close(fs);
	return rc;
}

/* --- root switch: MOVE_MOUNT_BENEATH recipe vs pivot_root(2) ------------------------------- */

/* In the child: a fresh copy of the parent namespace and a detached tmpfs mount. */
static int child_root_setup(void)
{
	int fs, mnt;

	if (unshare(CLONE_NEWNS))
		CHILD_FAIL("unshare(CLONE_NEWNS)");
	fs = syscall(__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		CHILD_FAIL("fsopen/fsconfig(tmpfs)");
	mnt = syscall(__NR_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		CHILD_FAIL("fsmount(tmpfs)");
	close(fs);
	return mnt;
}

static void child_root_check(void)
{
	struct statfs sfs;

	if (statfs("/", &sfs))
		CHILD_FAIL("statfs(/) after the switch");
	if (sfs.f_type != TMPFS_MAGIC) {
		errno = EPROTO;
		CHILD_FAIL("/ is not the new tmpfs after the switch");
	}
	if (count_mounts() != 2) {
		errno = EPROTO;
		CHILD_FAIL("old root still mounted after the switch");
	}
}

static int child_root_beneath(void)
{
	int mnt = child_root_setup();
	uint64_t t0 = t_begin();

	if (fchdir(mnt))
		CHILD_FAIL("fchdir(new root)");
	if (syscall(__NR_move_mount, mnt, "", AT_FDCWD, "/",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_BENEATH))
		CHILD_FAIL("move_mount(MOVE_MOUNT_BENEATH, /)");
	if (chroot("."))
		CHILD_FAIL("chroot(.)");
	if (umount2(".", MNT_DETACH))
		CHILD_FAIL("umount2(., MNT_DETACH)");
	shm->dt = t_end(t0);
	child_root_check();
	return 0;
}

static int child_root_pivot(void)
{
	int mnt = child_root_setup();
	uint64_t t0;

	if (syscall(__NR_move_mount, mnt, "", AT_FDCWD, NEWROOT, MOVE_MOUNT_F_EMPTY_PATH))
		CHILD_FAIL("move_mount(tmpfs, " NEWROOT ")");
	if (mkdir(NEWROOT "/old", 0755))
		CHILD_FAIL("mkdir(" NEWROOT "/old)");
	t0 = t_begin();
	if (syscall(__NR_pivot_root, NEWROOT, NEWROOT "/old"))
		CHILD_FAIL("pivot_root");
	if (chdir("/"))
		CHILD_FAIL("chdir(/)");
	if (umount2("/old", MNT_DETACH))
		CHILD_FAIL("umount2(/old, MNT_DETACH)");
	shm->dt = t_end(t0);
	child_root_check();
	return 0;
}

static int it_root_beneath(uint64_t *dt) { return forked(child_root_beneath, dt); }
static int it_root_pivot(uint64_t *dt) { return forked(child_root_pivot, dt); }

/* --- control: a system call that no VFS change touches ------------------------------------- */

static int it_getppid(uint64_t *dt)
{
	uint64_t t0 = t_begin();

	syscall(__NR_getppid);
	*dt = t_end(t0);
	return 0;
}

/* --- N parallel creators of empty namespaces ---------------------------------------------- */

static void parallel_chunk(struct series *c)
{
	int workers = c->workers, k = c->k, warm = k / 10 < 1 ? 1 : k / 10, bad = 0;
	size_t need = sizeof(struct shared) + (size_t)workers * k * sizeof(uint64_t);
	pid_t pids[8];
	uint64_t start = UINT64_MAX, end = 0;

	if (need > shm_size || workers > 8) {
		report_error(c->name, "samples-buffer", ENOMEM);
		c->failed = 1;
		return;
	}
	shm->go = 0;
	shm->err = 0;
	shm->step[0] = 0;
	for (int w = 0; w < workers; w++) {
		pids[w] = fork();
		if (pids[w] < 0) {
			report_error(c->name, "fork", errno);
			c->failed = 1;
			shm->go = -1;	/* the workers already started give up */
			workers = w;
			break;
		}
		if (pids[w] == 0) {
			struct rlimit rl = { k + warm + 64, k + warm + 64 };
			int pidfd = syscall(__NR_pidfd_open, getpid(), 0);
			cpu_set_t cpus;

			/* one worker per CPU where there are two (the lab's guest has one) */
			CPU_ZERO(&cpus);
			CPU_SET(w % 2, &cpus);
			sched_setaffinity(0, sizeof(cpus), &cpus);
			if (pidfd < 0)
				CHILD_FAIL("pidfd_open");
			if (setrlimit(RLIMIT_NOFILE, &rl))
				CHILD_FAIL("setrlimit(NOFILE)");
			while (!shm->go)
				;
			if (shm->go < 0)
				_exit(0);
			for (int i = 0; i < warm + k; i++) {
				uint64_t t0, dt;

				if (i == warm)
					shm->par_start[w] = now();
				cur_id = i >= warm ? c->id : -1;
				t0 = t_begin();
				if (unshare(UNSHARE_EMPTY_MNTNS))
					CHILD_FAIL("unshare(UNSHARE_EMPTY_MNTNS)");
				dt = t_end(t0);
				/* keep the namespace alive: its tear-down stays out of the next call */
				if (ioctl(pidfd, PIDFD_GET_MNT_NAMESPACE, 0) < 0)
					CHILD_FAIL("ioctl(PIDFD_GET_MNT_NAMESPACE)");
				if (i >= warm)
					shm->samples[(size_t)w * k + i - warm] = dt;
				settle_call();
			}
			shm->par_end[w] = now();
			_exit(0);	/* closes the namespace fds: tear-down after the timed loop */
		}
	}
	if (!c->failed) {
		usleep(100000);
		__atomic_store_n(&shm->go, 1, __ATOMIC_SEQ_CST);
	}
	for (int w = 0; w < workers; w++) {
		int status;

		if (waitpid(pids[w], &status, 0) != pids[w] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad = 1;
	}
	if (c->failed)
		return;
	if (bad) {
		report_error(c->name, shm->step[0] ? shm->step : "worker", shm->err);
		c->failed = 1;
		return;
	}
	for (int w = 0; w < workers; w++) {
		if (shm->par_start[w] < start)
			start = shm->par_start[w];
		if (shm->par_end[w] > end)
			end = shm->par_end[w];
	}
	memcpy(c->s + c->n, shm->samples, (size_t)workers * k * sizeof(uint64_t));
	c->n += workers * k;
	c->loop_ticks += end - start;
}

/* --- the parent namespaces --------------------------------------------------------------- */

static const int levels[] = { 10, 100, 1000, 10000 };
#define NLEVELS ((int)(sizeof(levels) / sizeof(levels[0])))
static int level_fd[NLEVELS];

static void die(const char *what)
{
	fprintf(stderr, "rvfs-bench: %s: %s\n", what, strerror(errno));
	printf("bench-error case=setup mounts=%d step=%s errno=%d (%s)\n", cur_mounts, what, errno,
	       strerror(errno));
	exit(1);
}

static void setup_parent(void)
{
	if (unshare(CLONE_NEWNS))
		die("unshare(CLONE_NEWNS) for the parent namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("make / rprivate");
	if (mkdir(BASE, 0755) && errno != EEXIST)
		die("mkdir " BASE);
	if (mount("rvfs-bench", BASE, "tmpfs", 0, "mode=0755"))
		die("mount tmpfs on " BASE);
	if (mkdir(SRC, 0755) && errno != EEXIST)
		die("mkdir " SRC);
	if (mkdir(BASE "/m", 0755) || mkdir(NEWROOT, 0755))
		die("mkdir in " BASE);
	if (chdir("/"))
		die("chdir /");
	cur_mounts = count_mounts();
	if (cur_mounts < 0)
		die("listmount");
}

/* Add bind mounts of SRC until the namespace holds `target` mounts. */
static void grow_mounts(int target)
{
	static int next;
	char path[64];

	progress("growing a parent namespace from %d to %d mounts", cur_mounts, target);
	while (cur_mounts < target) {
		snprintf(path, sizeof(path), BASE "/m/%05d", next++);
		if (mkdir(path, 0755))
			die("mkdir mount point");
		if (mount(SRC, path, NULL, MS_BIND, NULL))
			die("bind mount");
		cur_mounts++;
	}
	cur_mounts = count_mounts();
	printf("bench-mounts target=%d listmount=%d\n", target, cur_mounts);
	if (cur_mounts != target) {
		errno = EPROTO;
		die("mount count");
	}
}

/*
 * One parent namespace per mount count, all kept alive (by fd) for the whole run, so that the
 * passes can visit the counts in any order: each is a copy of the one before, grown.
 */
static void build_levels(void)
{
	setup_parent();
	for (int l = 0; l < NLEVELS; l++) {
		if (l && unshare(CLONE_NEWNS))
			die("unshare(CLONE_NEWNS) for the next parent namespace");
		grow_mounts(levels[l]);
		level_fd[l] = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (level_fd[l] < 0)
			die("open /proc/self/ns/mnt");
	}
}

static void enter_level(int l)
{
	if (setns(level_fd[l], CLONE_NEWNS))
		die("setns(parent namespace)");
	if (chdir("/"))
		die("chdir /");
	cur_mounts = count_mounts();
	if (cur_mounts != levels[l]) {
		errno = EPROTO;
		die("mount count after setns");
	}
}

int main(int argc, char **argv)
{
	/* base iteration counts (before --scale), over all passes; 0: not at this mount count */
	static struct {
		const char *name;
		iter_fn fn;
		int workers;
		int iters[NLEVELS];
	} defs[] = {
		{ "fork_baseline", it_fork_baseline, 1, { 1000 } },
		{ "getppid", it_getppid, 1, { 2000 } },
		{ "empty_unshare", it_empty_unshare, 1, { 1000, 1000, 1000, 1000 } },
		{ "empty_clone3", it_empty_clone3, 1, { 1000, 1000, 1000, 1000 } },
		/* independent of the parent's mount count: at the smallest one only */
		{ "fsmount_ns", it_fsmount_ns, 1, { 2000 } },
		{ "fsmount_open_tree_ns", it_fsmount_open_tree_ns, 1, { 2000 } },
		{ "root_beneath", it_root_beneath, 1, { 600 } },
		{ "root_pivot", it_root_pivot, 1, { 600 } },
		{ "parallel_empty", NULL, 1, { 2000 } },
		{ "parallel_empty", NULL, 2, { 2000 } },
		/* last at its mount count: the settle pause after it drains the RCU-delayed frees of
		 * its copies before the next case */
		{ "newns", it_newns, 1, { 1000, 600, 150, 20 } },
	};
	enum { NDEFS = sizeof(defs) / sizeof(defs[0]) };
	static struct series series[NDEFS * NLEVELS];
	int nseries = 0, passes = 5;
	struct utsname u;
	struct timespec res;
	uint64_t m0, m1, t0, t1;
	const char *clock = NULL;
	int fifo;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (!strcmp(argv[i], "--passes") && i + 1 < argc)
			passes = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--clock") && i + 1 < argc)
			clock = argv[++i];
		else if (!strcmp(argv[i], "--icount"))
			icount_mode = 1;
		else if (!strcmp(argv[i], "--settle-us") && i + 1 < argc)
			settle_us = atol(argv[++i]);
		else if (!strcmp(argv[i], "--calibrate")) {
			/* on the host: a fine CLOCK_MONOTONIC, 1 s is plenty */
			printf("tsc_hz=%.0f\n", calibrate(1.0));
			return 0;
		} else {
			fprintf(stderr, "usage: rvfs-bench [--scale F] [--passes N] [--only SUBSTR] "
				"[--clock tsc|mono | --icount [--settle-us N]] | --calibrate\n");
			return 2;
		}
	}
	if (scale <= 0)
		scale = 1;
	if (passes < 1)
		passes = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_getres(CLOCK_MONOTONIC, &res);
	/* --icount: no clock in the samples; CLOCK_MONOTONIC for the progress lines only */
	use_tsc = icount_mode ? 0 : clock ? !strcmp(clock, "tsc") :
		  (res.tv_sec > 0 || res.tv_nsec > 1000);
	tsc_hz = use_tsc ? calibrate(0.5) : 1e9;
	t0 = icount_mode ? (m0 = mono_ns()) : mono_edge(&m0);
	t_start = now();
	uname(&u);
	{
		struct sched_param sp = { .sched_priority = 1 };

		fifo = !sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);
		if (!fifo)
			progress("SCHED_FIFO: %s; running as a normal task", strerror(errno));
	}
	printf("bench-info release=%s clock=%s tsc_hz=%.0f mono_res_ns=%ld cpus=%ld sched=%s "
	       "scale=%g passes=%d settle_us=%ld\n", u.release,
	       icount_mode ? "icount" : use_tsc ? "tsc" : "mono", tsc_hz, res.tv_nsec,
	       sysconf(_SC_NPROCESSORS_ONLN), fifo ? "fifo" : "other", scale, passes,
	       icount_mode ? settle_us : 0);
	printf("bench-version %s\n", u.version);

	shm_size = 1 << 20;
	shm = mmap(NULL, shm_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		die("mmap");

	for (int l = 0; l < NLEVELS; l++) {
		for (int d = 0; d < NDEFS; d++) {
			struct series *c = &series[nseries];
			int total;

			if (!defs[d].iters[l])
				continue;
			/* --icount: regions are per vCPU; parallel workers would interleave theirs */
			if (icount_mode && defs[d].workers > 1)
				continue;
			total = iters_for(defs[d].iters[l]);
			c->name = defs[d].name;
			c->id = nseries;
			c->fn = defs[d].fn;
			c->workers = defs[d].workers;
			c->level = l;
			c->k = (total + passes - 1) / passes;
			c->s = calloc((size_t)c->k * passes * c->workers, sizeof(uint64_t));
			nseries++;
		}
	}

	if (icount_mode && nseries > ICOUNT_IDS) {
		errno = E2BIG;
		die("more series than --icount marker ids");
	}
	if (icount_mode && sysconf(_SC_NPROCESSORS_ONLN) != 1)
		progress("--icount with %ld CPUs: the plugin counts per vCPU, boot with one",
			 sysconf(_SC_NPROCESSORS_ONLN));
	build_levels();
	/*
	 * Passes: every case at every mount count gets a share of its iterations in each pass; the
	 * mount counts go up in even passes and down in odd ones. Drift within a boot (the host,
	 * the guest) then spreads over all cases and counts instead of hitting one of them.
	 */
	for (int pass = 0; pass < passes; pass++) {
		for (int i = 0; i < NLEVELS; i++) {
			int l = pass % 2 ? NLEVELS - 1 - i : i;

			enter_level(l);
			for (int j = 0; j < nseries; j++)
				if (series[j].level == l)
					run_chunk(&series[j], pass);
		}
	}

	for (int j = 0; j < nseries; j++) {
		struct series *c = &series[j];
		char extra[64] = "";

		if (icount_mode) {
			printf("bench-icount id=%d case=%s mounts=%d workers=%d calls=%d%s\n", c->id,
			       c->name, levels[c->level], c->workers, c->n, c->failed ? " failed=1" : "");
			continue;
		}
		if (c->failed || !c->n)
			continue;
		if (!c->fn)
			snprintf(extra, sizeof(extra), " ops_per_s=%.0f",
				 c->n / (to_ns(c->loop_ticks) / 1e9));
		print_stats(c->name, levels[c->level], c->workers, c->s, c->n, extra);
	}
	t1 = icount_mode ? (m1 = mono_ns()) : mono_edge(&m1);
	printf("bench-end seconds=%.1f tsc_hz_end=%.0f failures=%d\n", (m1 - m0) / 1e9,
	       use_tsc ? (double)(t1 - t0) * 1e9 / (double)(m1 - m0) : 1e9, failures);
	return failures ? 1 : 0;
}
