#!/usr/bin/env python3
"""Compare the traces of lab/difftest/rvfs-difftest between two kernels.

    compare.py REF OTHER [--labels A B] [--max N]

REF and OTHER are the results logs of two VM runs (RUNDIR/results.log), or files with just the
traces. Every seed is compared step by step: the call and its result, then the state after it
(root and cwd, mount table with the lock probe, directory listings, fd slots, namespaces in
them). On the first difference of a seed it prints the seed, the step, the program up to it with
the results on both kernels, and the two states (common lines once, the differing ones marked
with - for REF and + for OTHER). Exit status: 0 when no seed differs, 1 otherwise.

lab/report.py uses this module to count each seed of a kernel as a case against the reference.
"""
import argparse
import difflib
import re
import sys

TRACE_RE = re.compile(r'^# dt (\d+) (\S+) (.*)$')
RESULT_RE = re.compile(r'^(not ok|ok) \d+ seed-(\d+)')
SECTIONS = ('r', 'm', 'l', 'f', 'n0', 'n1', 'n2', 'n3')
SECTION_NAMES = {'r': 'root and cwd', 'm': 'mounts', 'l': 'directories', 'f': 'fd slots',
                 'n0': 'namespace of s0', 'n1': 'namespace of s1', 'n2': 'namespace of s2',
                 'n3': 'namespace of s3'}
PROG = 'difftest/rvfs-difftest'


class Step:
    def __init__(self, k, call, result, state):
        self.k, self.call, self.result, self.state = k, call, result, state

    def state_lines(self):
        out = []
        for tag in SECTIONS:
            for line in self.state.get(tag, ()):
                out.append(f'{tag:2} {line}')
        return out


class Trace:
    def __init__(self, seed):
        self.seed = seed
        self.steps = []
        self.end = None         # the step count of "# dt SEED end N"
        self.stop = None        # why the program stopped early (deterministic)
        self.status = None      # "ok" / "not ok ..." of the KTAP line


def difftest_lines(lines):
    """The lines of the difftest program's run in a results log (all lines if no marker)."""
    start = f'# rvfs-run: {PROG}'
    if not any(line.startswith(start) for line in lines):
        return lines
    body, inside = [], False
    for line in lines:
        if line.startswith(start):
            inside, body = True, []
        elif inside and (line.startswith('# rvfs-exit: ') or line.startswith('# rvfs-run: ')):
            inside = False
        elif inside:
            body.append(line)
    return body


def parse(lines):
    """Traces by seed, with the full state after every step (sections carried over)."""
    traces = {}
    for raw in lines:
        line = raw.rstrip('\n').replace('\r', '')
        m = RESULT_RE.match(line)
        if m:
            t = traces.setdefault(int(m.group(2)), Trace(int(m.group(2))))
            t.status = line.split(' # ', 1)[1] if ' # ' in line else m.group(1)
            if m.group(1) == 'ok':
                t.status = 'ok'
            continue
        m = TRACE_RE.match(line)
        if not m:
            continue
        seed, k, rest = int(m.group(1)), m.group(2), m.group(3)
        t = traces.setdefault(seed, Trace(seed))
        if k == 'end':
            t.end = int(rest)
            continue
        k = int(k)
        tag, _, text = rest.partition(' ')
        if tag == 'do':
            call, sep, result = text.rpartition(' = ')
            if not sep:
                call, result = text, ''
            state = dict(t.steps[-1].state) if t.steps else {}
            t.steps.append(Step(k, call, result, state))
            t._fresh = set()
            continue
        if tag == 'stop:':
            t.stop = f'step {k}: {text}'
            continue
        if not t.steps or t.steps[-1].k != k:
            # state without its call: keep it, the comparison shows it
            t.steps.append(Step(k, '?', '?', dict(t.steps[-1].state) if t.steps else {}))
            t._fresh = set()
        step = t.steps[-1]
        if tag not in t._fresh:
            step.state[tag] = []
            t._fresh.add(tag)
        step.state[tag] = step.state[tag] + [text]
    for t in traces.values():
        for s in t.steps:
            s.state = {tag: tuple(v) for tag, v in s.state.items()}
    return traces


def parse_file(path):
    with open(path, errors='replace') as f:
        return parse(difftest_lines(f.read().splitlines()))


class Difference:
    def __init__(self, seed, step, why, text):
        self.seed, self.step, self.why, self.text = seed, step, why, text

    def summary(self):
        return f'seed {self.seed} differs at step {self.step}: {self.why}'


def state_diff(a, b, la, lb):
    """Both states: common lines once, REF's own lines with -, OTHER's with +."""
    out = [f'    state after the step (- {la}, + {lb}, others on both):']
    for line in difflib.ndiff(a, b):
        if line.startswith('? '):
            continue
        out.append('    ' + line.rstrip())
    return out


def describe(seed, ra, rb, k, why, la, lb):
    steps_a, steps_b = ra.steps if ra else [], rb.steps if rb else []
    out = [f'difftest: seed {seed} differs at step {k} ({why})',
           f'  program so far, results on {la} | {lb}:']
    for i in range(k + 1):
        sa = steps_a[i] if i < len(steps_a) else None
        sb = steps_b[i] if i < len(steps_b) else None
        call = (sa or sb).call if (sa or sb) else '?'
        res_a = sa.result if sa else '(no step)'
        res_b = sb.result if sb else '(no step)'
        res = res_a if res_a == res_b else f'{res_a} | {res_b}'
        mark = '>' if i == k else ' '
        out.append(f'  {mark}{i:3} {call} = {res}')
        if sa and sb and sa.call != sb.call:
            out.append(f'        ({lb} ran: {sb.call})')
    sa = steps_a[k] if k < len(steps_a) else None
    sb = steps_b[k] if k < len(steps_b) else None
    out += state_diff(sa.state_lines() if sa else ['(no state)'],
                      sb.state_lines() if sb else ['(no state)'], la, lb)
    out.append(f'  reproduce: make difftest SEEDS={seed}; the program: rvfs-difftest --print {seed}')
    return '\n'.join(out)


def compare_seed(seed, ra, rb, la='reference', lb='this kernel'):
    """The first difference of one seed, or None."""
    if ra is None or rb is None:
        missing = la if ra is None else lb
        return Difference(seed, 0, f'no trace on {missing}',
                          f'difftest: seed {seed}: no trace on {missing}')
    n = max(len(ra.steps), len(rb.steps))
    for k in range(n):
        sa = ra.steps[k] if k < len(ra.steps) else None
        sb = rb.steps[k] if k < len(rb.steps) else None
        why = None
        if sa is None or sb is None:
            why = f'the trace on {la if sa is None else lb} ends before it'
        elif sa.call != sb.call:
            why = 'another call (not the same program)'
        elif sa.result != sb.result:
            why = f'result {sa.result} on {la}, {sb.result} on {lb}'
        elif sa.state != sb.state:
            tags = [SECTION_NAMES.get(t, t) for t in SECTIONS
                    if sa.state.get(t) != sb.state.get(t)]
            why = 'state: ' + ', '.join(tags)
        if why:
            return Difference(seed, k, why, describe(seed, ra, rb, k, why, la, lb))
    if (ra.end, ra.stop) != (rb.end, rb.stop):
        k = len(ra.steps)
        why = f'end {ra.end} {ra.stop or ""} on {la}, {rb.end} {rb.stop or ""} on {lb}'
        return Difference(seed, k, why, f'difftest: seed {seed}: {why}')
    return None


def compare(ref, other, la='reference', lb='this kernel'):
    """Differences by seed, over the seeds of both."""
    diffs = {}
    for seed in sorted(set(ref) | set(other)):
        d = compare_seed(seed, ref.get(seed), other.get(seed), la, lb)
        if d:
            diffs[seed] = d
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('ref')
    ap.add_argument('other')
    ap.add_argument('--labels', nargs=2, default=None, metavar=('REF', 'OTHER'))
    ap.add_argument('--max', type=int, default=3, help='differences printed in full')
    args = ap.parse_args()
    la, lb = args.labels or (args.ref, args.other)
    ref, other = parse_file(args.ref), parse_file(args.other)
    diffs = compare(ref, other, la, lb)
    for i, d in enumerate(diffs.values()):
        print(d.text if i < args.max else d.summary())
    steps = sum(len(t.steps) for t in ref.values())
    print(f'difftest: {len(set(ref) | set(other))} seeds ({steps} steps on {la}), '
          f'{len(diffs)} differ')
    return 1 if diffs else 0


if __name__ == '__main__':
    sys.exit(main())
