/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks of a syscall's return value and errno for kselftest_harness.h tests,
 * shared by our filesystems suites. They log the call, what it returned and
 * what was expected; the EXPECT_* ones are non-fatal, so that one run reports
 * every mismatching case at once.
 *
 * The CHILD_* ones are for processes forked by a test that do not report
 * through the harness: a failed check is logged on stderr and ends the child
 * with exit status 1, which the test asserts on.
 */
#ifndef __SELFTESTS_FILESYSTEMS_EXPECT_ERRNO_H
#define __SELFTESTS_FILESYSTEMS_EXPECT_ERRNO_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Expect @_expr to fail with -1 and errno @_errno. */
#define EXPECT_ERRNO(_errno, _expr) do {				\
	long __ret;							\
	int __err;							\
									\
	errno = 0;							\
	__ret = (long)(_expr);						\
	__err = errno;							\
	if (__ret != -1) {						\
		EXPECT_EQ(-1L, __ret)					\
			TH_LOG("%s: succeeded (%ld), expected %s",	\
			       #_expr, __ret, strerror(_errno));	\
	} else {							\
		EXPECT_EQ(_errno, __err)				\
			TH_LOG("%s: errno %d (%s), expected %d (%s)",	\
			       #_expr, __err, strerror(__err),		\
			       _errno, strerror(_errno));		\
	}								\
} while (0)

/* Same, for calls that return a file descriptor on success. */
#define EXPECT_OPEN_ERRNO(_errno, _expr) do {				\
	long __ret;							\
	int __err;							\
									\
	errno = 0;							\
	__ret = (long)(_expr);						\
	__err = errno;							\
	if (__ret >= 0) {						\
		close(__ret);						\
		EXPECT_EQ(-1L, __ret)					\
			TH_LOG("%s: opened fd %ld, expected %s",	\
			       #_expr, __ret, strerror(_errno));	\
	} else {							\
		EXPECT_EQ(_errno, __err)				\
			TH_LOG("%s: errno %d (%s), expected %d (%s)",	\
			       #_expr, __err, strerror(__err),		\
			       _errno, strerror(_errno));		\
	}								\
} while (0)

/* @_expr returns exactly @_val, checked with @_check (EXPECT_EQ or ASSERT_EQ). */
#define __CHECK_RET(_check, _val, _expr) do {				\
	long __ret;							\
	int __err;							\
									\
	errno = 0;							\
	__ret = (long)(_expr);						\
	__err = errno;							\
	_check((long)(_val), __ret)					\
		TH_LOG("%s: returned %ld errno %d (%s)", #_expr,	\
		       __ret, __err, strerror(__err));			\
} while (0)

#define EXPECT_RET(_val, _expr) __CHECK_RET(EXPECT_EQ, _val, _expr)
#define ASSERT_RET(_val, _expr) __CHECK_RET(ASSERT_EQ, _val, _expr)

#define CHILD_FAIL(_fmt, ...) do {					\
	fprintf(stderr, "# %s:%d: " _fmt "\n", __FILE__, __LINE__,	\
		##__VA_ARGS__);						\
	_exit(1);							\
} while (0)

#define CHILD_CHECK(_cond) do {						\
	if (!(_cond))							\
		CHILD_FAIL("child check failed: %s (errno %d: %s)",	\
			   #_cond, errno, strerror(errno));		\
} while (0)

/* @_expr fails with -1 and errno @_errno */
#define CHILD_ERRNO(_errno, _expr) do {					\
	long __r;							\
	int __e;							\
									\
	errno = 0;							\
	__r = (long)(_expr);						\
	__e = errno;							\
	if (__r != -1 || __e != (_errno))				\
		CHILD_FAIL("%s: returned %ld errno %d (%s), expected %s", \
			   #_expr, __r, __e, strerror(__e),		\
			   strerror(_errno));				\
} while (0)

/* @_expr returns exactly @_val */
#define CHILD_RET(_val, _expr) do {					\
	long __r;							\
	int __e;							\
									\
	errno = 0;							\
	__r = (long)(_expr);						\
	__e = errno;							\
	if (__r != (long)(_val))					\
		CHILD_FAIL("%s: returned %ld errno %d (%s), expected %ld", \
			   #_expr, __r, __e, strerror(__e), (long)(_val)); \
} while (0)

#endif /* __SELFTESTS_FILESYSTEMS_EXPECT_ERRNO_H */
