/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counting mount namespaces and looking for leaks, shared by the
 * mntns_fault_inject and mntns_stress suites.
 *
 * - nr_active_mntns(): listns(2) of every active mount namespace (the
 *   caller needs CAP_SYS_ADMIN in the initial user and pid namespaces,
 *   may_see_all_namespaces()). A namespace that was never made active, or
 *   that leaked after it went inactive, is not listed.
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
 */
#ifndef __SELFTESTS_FILESYSTEMS_MNTNS_ACCOUNTING_H
#define __SELFTESTS_FILESYSTEMS_MNTNS_ACCOUNTING_H

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_listns
#define __NR_listns 470
#endif

#define MAX_MNT_NAMESPACES	"/proc/sys/user/max_mnt_namespaces"
#define KMEMLEAK		"/sys/kernel/debug/kmemleak"
/* mm/kmemleak.c: MSECS_MIN_AGE, younger objects are never reported */
#define KMEMLEAK_MIN_AGE_S	5

static inline long nr_active_mntns(void)
{
	struct ns_id_req req = {
		.size = sizeof(req),
		.ns_type = MNT_NS,
	};
	static uint64_t ids[4096];

	return syscall(__NR_listns, &req, ids, sizeof(ids) / sizeof(ids[0]), 0);
}

static inline int acct_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(val), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, len);
	close(fd);
	return ret == len ? 0 : -1;
}

static inline long acct_read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t ret;

	if (fd < 0)
		return -1;
	ret = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (ret <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * With the limit at @limit, does one more mount namespace fit? 1 yes, 0 no
 * (ENOSPC), -1 on any other answer.
 */
static inline int mntns_charge_fits(long limit)
{
	char buf[32];
	int fd;

	snprintf(buf, sizeof(buf), "%ld", limit);
	if (acct_write_file(MAX_MNT_NAMESPACES, buf))
		return -1;
	fd = syscall(__NR_open_tree, AT_FDCWD, "/",
		     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
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
	char buf[32];
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
	snprintf(buf, sizeof(buf), "%ld", max);
	if (acct_write_file(MAX_MNT_NAMESPACES, buf))
		return -1;
	return ret;
}

/* Is the count exactly @count? Two probes instead of a scan. */
static inline bool mntns_ucount_is(long count, long max)
{
	char buf[32];
	bool ret;

	ret = mntns_charge_fits(count) == 0 && mntns_charge_fits(count + 1) == 1;
	snprintf(buf, sizeof(buf), "%ld", max);
	if (acct_write_file(MAX_MNT_NAMESPACES, buf))
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
	if (acct_write_file(KMEMLEAK, "scan"))
		return -1;
	return acct_write_file(KMEMLEAK, "scan");
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

#endif /* __SELFTESTS_FILESYSTEMS_MNTNS_ACCOUNTING_H */
