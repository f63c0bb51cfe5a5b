/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counting mount namespaces and looking for leaks, shared by the
 * empty_mntns_more, fsmount_ns_more, mntns_fault_inject and mntns_stress
 * suites.
 *
 * - count_mntns(): listns(2) of every active mount namespace (the caller
 *   needs CAP_SYS_ADMIN in the initial user and pid namespaces,
 *   may_see_all_namespaces()). A namespace that was never made active, or
 *   that leaked after it went inactive, is not listed; one that only an
 *   nsfs fd holds is active through the nsfs inode (nsfs_evict() drops
 *   that when the last fd is gone). wait_mntns_count() gives the count up
 *   to 5 s to settle: a task's namespaces are put on its way out.
 * - mntns_ucount(): the number of mount namespaces charged to uid 0 of the
 *   initial user namespace (UCOUNT_MNT_NAMESPACES, inc_mnt_namespaces() in
 *   alloc_mnt_ns(), dec_mnt_namespaces() in free_mnt_ns()). Every mount
 *   namespace, anonymous ones and those of child user namespaces included,
 *   is charged there until it is freed, so this count sees the leaks that
 *   listns(2) can't. It is read by lowering
 *   /proc/sys/user/max_mnt_namespaces: inc_ucount() lets a namespace in
 *   while the count is below the limit, and open_tree(OPEN_TREE_CLONE)
 *   charges one (get_detached_copy() -> alloc_mnt_ns()). Nothing else may
 *   create mount namespaces meanwhile.
 * - kmemleak_*(): a kmemleak scan and the reports of objects allocated by
 *   tasks named like us (comm, see prctl(PR_GET_NAME)); the reports of
 *   other programs stay for whoever reads them (nothing is cleared).
 *   expect_no_kmemleak() fails the test on a report of ours.
 */
#ifndef __SELFTESTS_FILESYSTEMS_MNTNS_ACCOUNTING_H
#define __SELFTESTS_FILESYSTEMS_MNTNS_ACCOUNTING_H

#include <sys/prctl.h>
#include <time.h>

#include "mntns_util.h"

#define MAX_MNT_NAMESPACES	"/proc/sys/user/max_mnt_namespaces"
#define KMEMLEAK		"/sys/kernel/debug/kmemleak"
/* mm/kmemleak.c: MSECS_MIN_AGE, younger objects are never reported */
#define KMEMLEAK_MIN_AGE_S	5

/* The active mount namespaces, or -errno. */
static inline ssize_t count_mntns(void)
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

/* count_mntns() once it is @want, or after 5 s, whatever it is then */
static inline ssize_t wait_mntns_count(ssize_t want)
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

/*
 * With the limit at @limit, does one more mount namespace fit? 1 yes, 0 no
 * (ENOSPC), -1 on any other answer.
 */
static inline int mntns_charge_fits(long limit)
{
	int fd;

	if (write_long(MAX_MNT_NAMESPACES, limit))
		return -1;
	fd = sys_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == ENOSPC ? 0 : -1;
}

/*
 * The mount namespaces charged to us, or -1. @max is the limit to put back
 * (the value read before the first probe).
 */
static inline long mntns_ucount(long max)
{
	long n, ret = -1;

	for (n = 0; n < 100000; n++) {
		int fits = mntns_charge_fits(n + 1);

		if (fits < 0)
			break;
		if (fits) {
			ret = n;
			break;
		}
	}
	if (write_long(MAX_MNT_NAMESPACES, max))
		return -1;
	return ret;
}

/* Is the count exactly @count? Two probes instead of a scan. */
static inline bool mntns_ucount_is(long count, long max)
{
	bool ret;

	ret = mntns_charge_fits(count) == 0 && mntns_charge_fits(count + 1) == 1;
	if (write_long(MAX_MNT_NAMESPACES, max))
		return false;
	return ret;
}

static inline bool kmemleak_available(void)
{
	return access(KMEMLEAK, R_OK | W_OK) == 0;
}

/*
 * Scan twice, KMEMLEAK_MIN_AGE_S + 1 seconds after the last allocation of
 * interest: kmemleak reports only objects older than its minimum age when
 * the scan starts (unreferenced_object()), and a second scan drops the
 * objects that were referenced from somewhere the first one missed.
 * Returns 0, or -1 with errno.
 */
static inline int kmemleak_scan(void)
{
	sleep(KMEMLEAK_MIN_AGE_S + 1);
	if (write_file(KMEMLEAK, "scan"))
		return -1;
	return write_file(KMEMLEAK, "scan");
}

/*
 * Of the kmemleak reports in @buf (modified, restored), those of objects
 * allocated by a task named @comm: their number. They are copied to @out (a
 * malloc()ed string, may stay NULL), at most @max_report bytes; @others
 * gets the number of the reports of other tasks.
 */
static inline long kmemleak_filter(char *buf, const char *comm, char **out,
				   size_t max_report, long *others)
{
	char pattern[64], *p, *next;
	size_t olen = 0;
	long ours = 0;

	*others = 0;
	if (out)
		*out = NULL;
	/* print_unreferenced(): "  comm \"%s\", pid %d, jiffies %lu" */
	snprintf(pattern, sizeof(pattern), "comm \"%s\", pid ", comm);
	/* one report runs from its "unreferenced object" line to the next */
	for (p = strstr(buf, "unreferenced object"); p; p = next) {
		char *comm_line = strstr(p, "comm \""), save;
		size_t rlen;

		next = strstr(p + 1, "unreferenced object");
		rlen = next ? (size_t)(next - p) : strlen(p);
		if (!comm_line || comm_line - p > (long)rlen) {
			(*others)++;
			continue;
		}
		if (strncmp(comm_line, pattern, strlen(pattern))) {
			(*others)++;
			continue;
		}
		ours++;
		if (out && olen < max_report) {
			size_t n = rlen < max_report - olen ? rlen : max_report - olen;
			char *grown = realloc(*out, olen + n + 1);

			if (grown) {
				*out = grown;
				save = p[n];
				p[n] = '\0';
				memcpy(*out + olen, p, n + 1);
				p[n] = save;
				olen += n;
			}
		}
	}
	return ours;
}

/*
 * The reports in /sys/kernel/debug/kmemleak of objects allocated by tasks
 * whose comm is ours (see kmemleak_filter()), or -1.
 */
static inline long kmemleak_our_reports(char **out, size_t max_report,
					long *others)
{
	char comm[17] = "", *buf = NULL;
	size_t len = 0, size = 0;
	long ours;
	int fd;

	if (prctl(PR_GET_NAME, comm))
		return -1;
	fd = open(KMEMLEAK, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t ret;

		if (size - len < 4096) {
			char *grown;

			size = size ? size * 2 : 65536;
			grown = realloc(buf, size);
			if (!grown) {
				free(buf);
				close(fd);
				return -1;
			}
			buf = grown;
		}
		ret = read(fd, buf + len, size - len - 1);
		if (ret < 0) {
			free(buf);
			close(fd);
			return -1;
		}
		if (ret == 0)
			break;
		len += ret;
	}
	close(fd);
	buf[len] = '\0';
	ours = kmemleak_filter(buf, comm, out, max_report, others);
	free(buf);
	return ours;
}

/*
 * Scan (kmemleak_scan()), print the numbers of reports, and fail the test
 * on any report of an object allocated by this program.
 */
static inline void expect_no_kmemleak(struct __test_metadata *_metadata)
{
	char *report = NULL;
	long ours, others;

	ASSERT_EQ(0, kmemleak_scan()) TH_LOG("kmemleak scan: %s", strerror(errno));
	ours = kmemleak_our_reports(&report, 16384, &others);
	ASSERT_GE(ours, 0);
	ksft_print_msg("kmemleak: %ld leak(s) of ours, %ld of others\n", ours, others);
	EXPECT_EQ(0, ours) TH_LOG("leaked:\n%s", report ? report : "");
	free(report);
}

#endif /* __SELFTESTS_FILESYSTEMS_MNTNS_ACCOUNTING_H */
