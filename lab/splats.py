"""The console lines that fail a lab run: kernel splats of every debug facility the test kernels
enable (lab/config/debug.config). Shared by lab/report.py and lab/bench/report.py."""
import re

SPLATS = [
    r'\bOops\b', r'\bBUG: ', r'\bWARNING: ', r'Kernel panic - not syncing', r'\bUBSAN: ',
    r'general protection fault', r'-+\[ cut here \]-+', r'\bCall Trace:', r'kernel BUG at',
    # KASAN, kmemleak, lockdep
    r'BUG: KASAN', r'unreferenced object 0x', r'kmemleak: .* new suspected memory leaks',
    r'INFO: possible (recursive|circular|irq)', r'WARNING: possible circular locking',
    r'INFO: trying to register non-static key',
    # hangs: hung task detector, soft lockups, RCU stalls
    r'INFO: task .* blocked for more than', r'watchdog: BUG: soft lockup',
    r'rcu: INFO: .* detected stalls',
    # debugobjects
    r'ODEBUG: ',
]
SPLAT_RE = re.compile('|'.join(SPLATS))


def splat_lines(lines):
    """The lines of a console log that report a kernel problem."""
    return [ln for ln in lines if SPLAT_RE.search(ln)]
