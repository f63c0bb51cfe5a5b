#!/usr/bin/env python3
"""Count the results of a lab VM run and check the console for kernel splats.

    report.py TREE RUNDIR [--ref RUNDIR [--ref-skip PREFIX]...] [--label NAME] [--quiet]

KUnit results (KTAP on the console) and each kselftest program's output (KTAP/TAP on the
second serial port) are parsed with the kernel's own parser, tools/testing/kunit/kunit_parser.py.
Each leaf test case counts once. A program that exits non-zero without a failed case, whose
output does not parse, that times out or does not finish counts as a failure. Writes
RUNDIR/cases.json (case -> status) and RUNDIR/summary.json. With --ref, a case that passed on the
reference and is missing or skipped here counts as failed, but for the cases under a --ref-skip
prefix: a group this kernel is built without (KUnit on norust). The differential test
(lab/difftest) is a program whose cases are its seeds: with --ref, each seed whose trace differs
from the reference's fails here, and the first difference of each is printed (all of them in
RUNDIR/difftest-diff.txt). Exit status: 0 when nothing failed, no splat was seen and (with --ref)
every case that passed on the reference passed here.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'difftest'))
from splats import SPLAT_RE  # noqa: E402
import compare as difftest  # noqa: E402

# Differences of the differential test printed in full; the others in one line each.
DIFFTEST_PRINTED = 3


def leaves(test, prefix):
    """Yield (name, status) for each leaf case of a parsed test tree."""
    name = f'{prefix}/{test.name}' if prefix else test.name
    if not test.subtests:
        yield name, test.status.name
        return
    for sub in test.subtests:
        yield from leaves(sub, name)


def parse(kunit_parser, printer, lines):
    return kunit_parser.parse_run_tests(lines, printer)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tree')
    ap.add_argument('rundir')
    ap.add_argument('--ref')
    ap.add_argument('--ref-skip', action='append', default=[],
                    help='case-name prefix not compared with the reference (not built in here)')
    ap.add_argument('--label', default='')
    ap.add_argument('--quiet', action='store_true')
    args = ap.parse_args()

    sys.path.insert(0, os.path.join(args.tree, 'tools/testing/kunit'))
    import kunit_parser
    from kunit_printer import Printer
    printer = Printer(print=not args.quiet, output=sys.stderr)

    def read(name):
        try:
            with open(os.path.join(args.rundir, name), errors='replace') as f:
                return f.read().replace('\r', '').splitlines()
        except FileNotFoundError:
            return []

    console, results = read('console.log'), read('results.log')
    cases = {}
    problems = []

    def add(name, status):
        while name in cases:
            name += "'"
        cases[name] = status

    # KUnit, from the console (absent when the run disabled KUnit).
    if any('KTAP version' in l or 'TAP version' in l for l in console):
        t = parse(kunit_parser, printer, console)
        for n, s in leaves(t, 'kunit'):
            add(n, s)
        if t.counts.errors:
            problems.append(f'kunit: {t.counts.errors} KTAP parse error(s)')
            add('kunit/<parse>', 'FAILURE')

    # kselftest programs, from the results port.
    done = False
    prog, body, timed_out = None, [], False
    for line in results:
        if line.startswith('# rvfs-run: '):
            prog, body, timed_out = line.split(': ', 1)[1].strip(), [], False
        elif line.startswith('# rvfs-exit: ') and prog:
            rc = int(line.rsplit(' ', 1)[1])
            t = parse(kunit_parser, printer, body)
            got = list(leaves(t, '')) if t.status.name != 'FAILURE_TO_PARSE_TESTS' else []
            bad = sum(s not in ('SUCCESS', 'SKIPPED') for _, s in got)
            for n, s in got:
                add(f'{prog}/{n.split("/", 2)[-1]}', s)
            if timed_out:
                # Counted once: as the case it hung in, or else as <timeout>.
                if not bad:
                    add(f'{prog}/<timeout>', 'FAILURE')
            elif not got:
                problems.append(f'{prog}: no test results (exit {rc})')
                add(f'{prog}/<run>', 'FAILURE')
            elif t.counts.errors:
                problems.append(f'{prog}: {t.counts.errors} TAP error(s) (exit {rc})')
                add(f'{prog}/<tap>', 'FAILURE')
            elif rc not in (0, 4) and not bad:
                problems.append(f'{prog}: exit {rc} without a failed case')
                add(f'{prog}/<exit>', 'FAILURE')
            prog = None
        elif line.startswith('# rvfs-timeout: '):
            name, limit = line.split(': ', 1)[1].rsplit(' ', 1)
            problems.append(f'{name}: killed after its kselftest timeout of {limit}')
            timed_out = True
        elif line.startswith('# rvfs-done'):
            done = True
        elif line.startswith('# rvfs-vm-timeout') or line.startswith('# rvfs-qemu-exit'):
            problems.append(line[2:])
        elif prog is not None:
            body.append(line)
    if prog is not None:
        problems.append(f'{prog}: did not finish')
        add(f'{prog}/<run>', 'CRASHED')
    if not done:
        problems.append('the run did not finish')
        add('<vm>/<done>', 'FAILURE')
    if not console:
        problems.append('no console output')
        add('<vm>/<console>', 'FAILURE')

    # A kernel report is charged to the program that ran when it appeared (lab/init marks each
    # program's start on the console).
    splats, running = [], 'boot'
    for line in console:
        m = re.search(r'rvfs-run: (\S+)', line)
        if m:
            running = m.group(1)
        elif SPLAT_RE.search(line):
            splats.append((running, line.strip()))
    if splats:
        where = sorted({r for r, _ in splats})
        problems.append(f'{len(splats)} kernel splat line(s) on the console, during {", ".join(where)};'
                        f' first: {splats[0][1]}')
        add('<vm>/<splat>', 'FAILURE')

    # The differential test: each seed's trace against the reference's, step by step.
    diffs = {}
    if args.ref:
        try:
            with open(os.path.join(args.ref, 'results.log'), errors='replace') as f:
                ref_lines = f.read().replace('\r', '').splitlines()
        except FileNotFoundError:
            ref_lines = []
        there = difftest.parse(difftest.difftest_lines(ref_lines))
        here = difftest.parse(difftest.difftest_lines(results))
        if there and here:
            ref_label = os.path.basename(os.path.normpath(args.ref))
            diffs = difftest.compare(there, here, ref_label, args.label or 'this kernel')
            for seed, d in diffs.items():
                name = f'{difftest.PROG}/seed-{seed}'
                if cases.get(name, 'SUCCESS') == 'SUCCESS':
                    cases[name] = 'FAILURE'
                problems.append(f'difftest: {d.summary()} (against {ref_label})')
        with open(os.path.join(args.rundir, 'difftest-diff.txt'), 'w') as f:
            for d in diffs.values():
                f.write(d.text + '\n\n')

    regress = []
    if args.ref:
        with open(os.path.join(args.ref, 'cases.json')) as f:
            ref = json.load(f)
        skip = tuple(args.ref_skip)
        regress = sorted(n for n, s in ref.items() if s == 'SUCCESS' and cases.get(n) != 'SUCCESS'
                         and not (skip and n.startswith(skip)))
        # A case that passed on the reference and is missing or skipped here counts as failed.
        for n in regress:
            if cases.get(n) in (None, 'SKIPPED'):
                cases[n] = 'NOT_RUN' if n not in cases else 'SKIPPED_HERE'
    passed = sum(s == 'SUCCESS' for s in cases.values())
    skipped = sum(s == 'SKIPPED' for s in cases.values())
    failed = len(cases) - passed - skipped
    with open(os.path.join(args.rundir, 'cases.json'), 'w') as f:
        json.dump(cases, f, indent=1, sort_keys=True)
    with open(os.path.join(args.rundir, 'summary.json'), 'w') as f:
        json.dump({'passed': passed, 'failed': failed, 'skipped': skipped,
                   'problems': problems, 'regressions': regress}, f, indent=1)

    label = f'{args.label}: ' if args.label else ''
    for n, s in sorted(cases.items()):
        if s not in ('SUCCESS', 'SKIPPED'):
            print(f'{label}FAIL {n} ({s})')
    for n, s in sorted(cases.items()):
        if s == 'SKIPPED':
            print(f'{label}SKIP {n}')
    for i, d in enumerate(diffs.values()):
        if i == DIFFTEST_PRINTED:
            print(f'{label}difftest: {len(diffs) - i} more in '
                  f'{os.path.join(args.rundir, "difftest-diff.txt")}')
            break
        print('\n'.join(f'{label}{line}' for line in d.text.splitlines()))
    for p in problems:
        print(f'{label}problem: {p}')
    for n in regress:
        print(f'{label}REGRESSION against the reference: {n}')
    for p in args.ref_skip:
        print(f'{label}not compared with the reference: {p}* (not built into this kernel)')
    by_suite = {}
    for n, s in cases.items():
        k = (n.split('/')[0] if n.startswith('kunit') else
             difftest.PROG if n.startswith(difftest.PROG + '/') else '/'.join(n.split('/')[:3]))
        c = by_suite.setdefault(k, [0, 0, 0])
        c[0 if s == 'SUCCESS' else 2 if s == 'SKIPPED' else 1] += 1
    for k, (p, fl, sk) in sorted(by_suite.items()):
        print(f'{label}  suite {k}: pass {p}, fail {fl}, skip {sk}')
    print(f'{label}{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed or splats or regress else 0


if __name__ == '__main__':
    sys.exit(main())
