#!/usr/bin/env bash
# lab/checkpatch-patch.sh TREE PATCH: scripts/checkpatch.pl --strict of TREE on PATCH, as the series
# is checked (make check-series, and every make test through lab/checks.sh). Prints the messages
# that are not exceptions and exits 1 if there is one. The exceptions, each with its reason in the
# cover letter: regular expressions matched against checkpatch's message lines.
# CHECKPATCH_EXCEPTIONS apply to every patch (MAINTAINERS is updated by the last one);
# SELFTEST_EXCEPTIONS only to a patch whose every file is under tools/testing/selftests/: idioms of
# kselftest_harness.h's own assertion macros, and macros of the kernel's headers that a userspace
# test, built against the uapi headers, does not have. A traceback (scripts/spdxcheck.py that could
# not run) is a failure: the license tags would go unchecked.
tree=$1 p=$2
CHECKPATCH_EXCEPTIONS='added, moved or deleted file\(s\), does MAINTAINERS need updating'
SELFTEST_EXCEPTIONS='Macro argument reuse|Macros with complex values should be enclosed in parentheses|Macros with flow control statements|spaces preferred around that .\*. \(ctx:WxV\)|Prefer using the BIT(_ULL)? macro|Prefer __aligned\(8\) over|Prefer __noreturn over|Use of volatile is usually wrong'
exc=$CHECKPATCH_EXCEPTIONS
if ! sed -n 's@^+++ b/@@p' "$p" | grep -qv '^tools/testing/selftests/'; then
	exc="$exc|$SELFTEST_EXCEPTIONS"
fi
# checkpatch exits non-zero on any message, excepted ones too: its messages decide.
out=$(cd "$tree" && ./scripts/checkpatch.pl --strict --no-summary --terse "$p" 2>&1) || true
msgs=$(grep -E '(ERROR|WARNING|CHECK):|Traceback' <<<"$out" | grep -vE "$exc" || true)
[ -z "$msgs" ] || { printf '%s\n' "$msgs"; exit 1; }
