#!/usr/bin/python3
"""Compare vanilla (C) against patched (Rust) from a `make bench` run (lab/bench.sh).

    report.py BENCHDIR [--tree DIR] [--previous BENCHDIR]

Writes BENCHDIR/table.md, results.csv, results.json and mounts.png, and prints table.md.

Instruction counts (BENCHDIR/icount/<kernel>-boot<N>/): results.log holds the bench-icount lines
of `rvfs-bench --icount` (the marker id of each case and mount count), plugin.out the regions of
the TCG plugin lab/bench/icount.c in execution order and, for the boot run with the System.map,
the per-function histograms. Per case and mount count: the median, p10 (nearest rank), p90 and
minimum of the instructions per call on each kernel (first boot), the patched/vanilla ratio of the
medians (and of the p10s). The counts are exact and repeatable: the report checks that every boot
of a kernel gave the same count for every region, in order, and (--previous, the run before) that
two runs with the same kernels and initramfs did. Verdict of a Rust row: ratio <= 1.000 "met",
else "not met"; no tolerance, there is no noise to allow for. Controls, beside them: the cases no
Rust code runs in (getppid, fork_baseline, and every case whose feature is C in both kernels),
which must count the same within CONTROL_TOLERANCE (0.1 %) at the median.
A row is Rust when Rust code ran in the smallest call of the patched kernel (its histogram); for
each, the kernel functions whose instructions differ most between the kernels in that call.
Flatness: instructions at 10000 over 10 parent mounts, per kernel and namespace kind; empty
namespaces must stay within 10 %, CLONE_NEWNS must grow.

Wall clock (BENCHDIR/round<N>/<kernel>/results.log, the lines of rvfs-bench): per case and kernel
the median of the per-round medians; the round-to-round spread of a kernel is the half-width of
the interquartile range of its per-round medians, relative to their median. The kernels of a
round boot back to back, so the per-round ratios patched/vanilla are paired: the difference
between the kernels exceeds the spread when the interquartile range of those ratios excludes 1
(with fewer than 5 rounds: when all of them are on the same side of 1).
Verdict of ratio <= 1.00: "met"; "within noise" when the ratio is above 1 but the difference does
not exceed the spread (or the largest deviation of a C-vs-C case); "missed" otherwise. For the
parallel creators, 2 workers against 1 in the same boot: latency and throughput factors per
kernel, with their interquartile range over rounds.

Must run under Debian's /usr/bin/python3 with python3-matplotlib.
"""
import argparse
import collections
import csv
import glob
import json
import os
import re
import statistics
import subprocess
import sys

KERNELS = ('vanilla', 'patched')
KINDS = (('newns', 'unshare(CLONE_NEWNS)'), ('empty_unshare', 'unshare(UNSHARE_EMPTY_MNTNS)'),
         ('empty_clone3', 'clone3(CLONE_EMPTY_MNTNS)'))
# case -> (what is measured, the feature it exercises)
CASES = {
    'getppid': ('getppid() (no VFS feature)', None),
    'fork_baseline': ('clone3(0), child exits at once (no VFS feature)', None),
    'newns': ('unshare(CLONE_NEWNS)', 'copy_mnt_ns'),
    'empty_unshare': ('unshare(UNSHARE_EMPTY_MNTNS)', 'empty_mntns'),
    'empty_clone3': ('clone3(CLONE_EMPTY_MNTNS), child exits at once', 'empty_mntns'),
    'fsmount_ns': ('fsmount(FSMOUNT_NAMESPACE) of a tmpfs', 'fsmount_ns'),
    'fsmount_open_tree_ns': ('fsmount() + open_tree(OPEN_TREE_NAMESPACE)', 'open_tree_ns'),
    'root_beneath': ('root switch: MOVE_MOUNT_BENEATH + umount old root', 'move_mount_beneath'),
    'root_pivot': ('root switch: pivot_root(2) + umount old root', 'pivot_root'),
    'parallel_empty': ('parallel creators of empty namespaces (unshare)', 'empty_mntns'),
}
# feature -> the Rust function that C calls at its entry point (fs/mntns/), in System.map
ENTRY_POINTS = {
    'copy_mnt_ns': r'rust_copy_(mnt_ns|tree)',
    'empty_mntns': r'rust_copy_empty_mnt_ns',
    'fsmount_ns': r'rust_create_new_namespace',
    'open_tree_ns': r'rust_create_new_namespace',
    'move_mount_beneath': r'rust_do_move_mount',
    'pivot_root': r'rust_transfer_mnt_lock',
}
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from splats import SPLAT_RE  # noqa: E402
FLAT_LIMIT = 1.10
# A control (no Rust in the call) must count the same on both kernels within this, at the median.
CONTROL_TOLERANCE = 0.001
# QEMU under TCG with one busy vCPU keeps about 1.1 host CPUs busy; more means other work ran.
BUSY_LIMIT = 1.35
LINE_RE = re.compile(r'(\w+)=(\S+)')
RUST_SYM = re.compile(r'^(_R|rust_)')
TOP_FUNCTIONS = 8
# a smallest call below this fraction of the p10 is not a typical call without interrupts
ODD_SMALLEST = 0.9


def case_order(key):
    return (list(CASES).index(key[0]) if key[0] in CASES else 99, key[1], key[2])


def quantile(xs, q):
    """Linear interpolation between the order statistics (numpy's default)."""
    xs = sorted(xs)
    if not xs:
        return None
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def count_stats(v):
    """Instructions per call: median, nearest-rank p10/p90 (as rvfs-bench), min, max."""
    v = sorted(v)
    n = len(v)
    return {'n': n, 'median': statistics.median(v), 'p10': v[(n - 1) // 10],
            'p90': v[(n - 1) * 9 // 10], 'min': v[0], 'max': v[-1],
            'mean': sum(v) / n}


def fmt_count(x):
    if x is None:
        return '-'
    return f'{x:,.0f}' if x == int(x) else f'{x:,.1f}'


def fmt_us(ns):
    if ns is None:
        return '-'
    us = ns / 1000
    return f'{us:,.0f}' if us >= 100 else f'{us:.1f}'


def pct(x):
    return '-' if x is None else f'{100 * x:.1f} %'


def rust_features(tree):
    """Features whose code is Rust in the patched bench kernel.

    BENCH_RUST_FEATURES (comma-separated) overrides. Otherwise: the features whose Rust entry
    point (ENTRY_POINTS) is in the System.map of the patched bench kernel."""
    env = os.environ.get('BENCH_RUST_FEATURES')
    if env is not None:
        return sorted(f for f in env.split(',') if f), 'BENCH_RUST_FEATURES'
    path = os.path.join(tree, '_build-bench', 'System.map')
    try:
        with open(path) as f:
            names = {line.split()[2] for line in f if len(line.split()) == 3}
    except OSError:
        return [], f'no {path}'
    return sorted(feat for feat, sym in ENTRY_POINTS.items()
                  if any(re.fullmatch(sym, n) for n in names)), f'Rust entry points in {path}'


def console_splats(path):
    try:
        with open(path, errors='replace') as f:
            return [ln.strip() for ln in f if SPLAT_RE.search(ln)]
    except OSError:
        return []


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def read_inputs(bdir):
    try:
        with open(os.path.join(bdir, 'inputs')) as f:
            return dict(line.split() for line in f if len(line.split()) == 2)
    except OSError:
        return {}


# ---- instruction counts ----------------------------------------------------------------------

def load_icount_boot(d):
    run = {'series': {}, 'regions': collections.defaultdict(list), 'seq': [],
           'hist': collections.defaultdict(dict), 'histmin': collections.defaultdict(dict),
           'minregion': {}, 'summary': {}, 'errors': [], 'complete': False, 'info': {},
           'has_hist': False}
    try:
        with open(os.path.join(d, 'results.log'), errors='replace') as f:
            for line in f.read().replace('\r', '').splitlines():
                kind, _, rest = line.partition(' ')
                kv = dict(LINE_RE.findall(rest))
                if kind == 'bench-icount':
                    run['series'][int(kv['id'])] = {
                        'case': kv['case'], 'mounts': int(kv['mounts']),
                        'workers': int(kv['workers']), 'calls': int(kv['calls']),
                        'failed': kv.get('failed') == '1'}
                elif kind == 'bench-info':
                    run['info'] = kv
                elif kind == 'bench-error':
                    run['errors'].append(rest.strip())
                elif kind == 'bench-end':
                    run['complete'] = True
                elif line.startswith(('# rvfs-timeout', '# rvfs-qemu-exit')):
                    run['errors'].append(line[2:])
    except OSError:
        run['errors'].append('no results.log')
    try:
        with open(os.path.join(d, 'plugin.out')) as f:
            for line in f:
                kind, _, rest = line.partition(' ')
                kv = dict(LINE_RE.findall(rest))
                if kind == 'region':
                    c, n = int(kv['case']), int(kv['insns'])
                    run['regions'][c].append(n)
                    run['seq'].append((c, n))
                elif kind == 'hist':
                    run['hist'][int(kv['case'])][kv['sym']] = int(kv['insns'])
                elif kind == 'histmin':
                    run['histmin'][int(kv['case'])][kv['sym']] = int(kv['insns'])
                    run['minregion'][int(kv['case'])] = int(kv['region'])
                elif kind == 'summary':
                    run['summary'] = kv
                elif kind == '#':
                    run['has_hist'] = 'hist=sym' in rest
    except OSError:
        run['errors'].append('no plugin.out (the plugin did not write its results)')
    s = run['summary']
    if s:
        for k in ('unterminated', 'stray_stops', 'open_at_exit'):
            if s.get(k, '0') != '0':
                run['errors'].append(f'plugin: {k}={s[k]}')
    for i, se in run['series'].items():
        if se['failed']:
            run['errors'].append(f"{se['case']}@{se['mounts']} failed")
        elif len(run['regions'][i]) != se['calls']:
            run['errors'].append(f"{se['case']}@{se['mounts']}: {len(run['regions'][i])} "
                                 f"regions for {se['calls']} calls")
    if not run['complete']:
        run['errors'].append('incomplete (no bench-end line)')
    for ln in console_splats(os.path.join(d, 'console.log'))[:1]:
        run['errors'].append(f'kernel splat on the console: {ln}')
    run['seconds'] = read_int(os.path.join(d, 'seconds'))
    return run


def load_icount(bdir):
    runs = {}
    for d in glob.glob(os.path.join(bdir, 'icount', '*-boot*')):
        m = re.match(r'(\w+)-boot(\d+)$', os.path.basename(d))
        if m and m.group(1) in KERNELS:
            runs[(m.group(1), int(m.group(2)))] = load_icount_boot(d)
    return runs


def compare_seq(a, b):
    """Two region sequences: None if identical, else (first index, differing, compared)."""
    if a == b:
        return None
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return i, sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b)), max(len(a), len(b))


def demangle(names):
    names = sorted(names)
    try:
        out = subprocess.run(['c++filt'], input='\n'.join(names), capture_output=True,
                             text=True).stdout.split('\n')
    except OSError:
        out = names
    return {n: re.sub(r'\[[0-9a-f]{16}\]', '', d) for n, d in zip(names, out)}


def sym_group(s):
    if s == '[user]':
        return 'user'
    return 'Rust' if RUST_SYM.search(s) else 'C'


def icount_section(bdir, runs, rust, rust_src, previous, problems, warnings):
    """The instruction-count table: markdown lines, csv rows, json, and the rows for the plot."""
    md, csv_rows = [], []
    for (k, b), run in sorted(runs.items()):
        for e in run['errors']:
            problems.append(f'icount {k} boot {b}: {e}')
    boots = {k: sorted(b for kk, b in runs if kk == k) for k in KERNELS}
    if not all(boots.values()):
        problems.append('icount: a kernel has no boot: ' +
                        ', '.join(k for k in KERNELS if not boots[k]))
        return md, csv_rows, {}, {}
    ref = {k: runs[(k, boots[k][0])] for k in KERNELS}

    # repeatability: every region of every boot of a kernel, in order
    repeat = {}
    for k in KERNELS:
        a = ref[k]['seq']
        res = []
        for b in boots[k][1:]:
            d = compare_seq(a, runs[(k, b)]['seq'])
            res.append({'boot': b, 'identical': d is None,
                        'first_difference': d[0] if d else None,
                        'differing': d[1] if d else 0})
        repeat[k] = {'boots': boots[k], 'regions': len(a), 'instructions': sum(n for _, n in a),
                     'compared': res,
                     'identical': all(r['identical'] for r in res) if res else None}
        if res and not repeat[k]['identical']:
            warnings.append(f'icount {k}: the boots gave different counts (' + '; '.join(
                f"boot {r['boot']}: {r['differing']} regions differ, first at "
                f"{r['first_difference']}" for r in res if not r['identical']) + ')')

    # the previous run: identical counts when the same kernel and initramfs were measured
    prev_cmp = {}
    if previous:
        pruns = load_icount(previous)
        cur_in, prev_in = read_inputs(bdir), read_inputs(previous)
        qemu = {}
        for d in (bdir, previous):
            try:
                with open(os.path.join(d, 'meta.json')) as f:
                    qemu[d] = json.load(f).get('qemu')
            except (OSError, ValueError):
                qemu[d] = None
        for k in KERNELS:
            pb = sorted(b for kk, b in pruns if kk == k)
            if not pb:
                prev_cmp[k] = {'status': 'no icount boot in the previous run'}
                continue
            changed = [f for f in (f'bench-{k}-bzImage', 'initramfs-bench.cpio', 'icount-append')
                       if cur_in.get(f) != prev_in.get(f)]
            if not qemu[bdir] or qemu[bdir] != qemu[previous]:
                changed.append('QEMU')
            d = compare_seq(pruns[(k, pb[0])]['seq'], ref[k]['seq'])
            st = {'changed_inputs': changed, 'identical': d is None,
                  'first_difference': d[0] if d else None, 'differing': d[1] if d else 0,
                  'regions': len(ref[k]['seq'])}
            if d is None:
                st['status'] = f"identical ({st['regions']:,} regions)"
            else:
                st['status'] = (f"{d[1]:,} of {d[2]:,} regions differ (first at {d[0]:,})"
                                + (f"; expected, changed: {', '.join(changed)}" if changed
                                   else '; same kernel, initramfs, command line and QEMU'))
                if not changed:
                    warnings.append(f'icount {k}: counts differ from the previous run '
                                    f'{os.path.basename(previous)} with the same inputs')
            prev_cmp[k] = st

    # rows
    series = ref['vanilla']['series']
    pmap = {(s['case'], s['mounts'], s['workers']): i for i, s in ref['patched']['series'].items()}
    hist_ok = all(ref[k]['has_hist'] for k in KERNELS)
    names = {s for k in KERNELS for key in ('histmin', 'hist') for h in ref[k][key].values()
             for s in h}
    pretty = demangle(names) if names else {}
    rows = {}
    for vi, s in series.items():
        key = (s['case'], s['mounts'], s['workers'])
        pi = pmap.get(key)
        if pi is None or not ref['vanilla']['regions'][vi] or not ref['patched']['regions'][pi]:
            continue
        feat = CASES.get(s['case'], ('', None))[1]
        st = {'vanilla': count_stats(ref['vanilla']['regions'][vi]),
              'patched': count_stats(ref['patched']['regions'][pi])}
        hmin = {'vanilla': ref['vanilla']['histmin'].get(vi, {}),
                'patched': ref['patched']['histmin'].get(pi, {})}
        rust_insns = sum(n for sym, n in hmin['patched'].items() if RUST_SYM.search(sym))
        by_feature = feat in rust
        if hist_ok and hmin['patched']:
            impl = 'Rust' if rust_insns else 'C'
            if (impl == 'Rust') != by_feature:
                warnings.append(f"{s['case']}@{s['mounts']}: "
                                f"{'Rust code ran' if rust_insns else 'no Rust code ran'} in the "
                                f"patched kernel's smallest call, but its feature "
                                f"({feat or 'none'}) is {'Rust' if by_feature else 'C'} by "
                                f"{rust_src}; the histogram decides")
        else:
            impl = 'Rust' if by_feature else 'C'
        v, p = st['vanilla'], st['patched']
        a = {'case': s['case'], 'mounts': s['mounts'], 'workers': s['workers'],
             'feature': feat, 'impl': impl, 'what': CASES.get(s['case'], (s['case'],))[0],
             'rust_insns_smallest_call': rust_insns if hist_ok else None,
             'vanilla': v, 'patched': p,
             'ratio': p['median'] / v['median'], 'ratio_p10': p['p10'] / v['p10'],
             'ratio_min': p['min'] / v['min']}
        a['verdict'] = ('met' if a['ratio'] <= 1.0 else 'not met') if impl == 'Rust' else (
            'control, equal' if abs(a['ratio'] - 1) <= CONTROL_TOLERANCE else 'control, differs')
        # the functions whose instructions differ most, in the smallest call of each kernel
        if hist_ok and hmin['vanilla'] and hmin['patched']:
            hv, hp = hmin['vanilla'], hmin['patched']
            groups = collections.Counter()
            for sym in set(hv) | set(hp):
                groups[sym_group(sym)] += hp.get(sym, 0) - hv.get(sym, 0)
            diff = sorted(set(hv) | set(hp),
                          key=lambda sym: (-abs(hp.get(sym, 0) - hv.get(sym, 0)), sym))
            a['smallest_call'] = {
                'vanilla': ref['vanilla']['minregion'].get(vi),
                'patched': ref['patched']['minregion'].get(pi),
                'by_group': dict(groups),
                'functions': [{'function': pretty.get(sym, sym), 'symbol': sym,
                               'vanilla': hv.get(sym, 0), 'patched': hp.get(sym, 0)}
                              for sym in diff[:TOP_FUNCTIONS]
                              if hp.get(sym, 0) != hv.get(sym, 0)],
            }
            # the mean over all calls: what lands in some calls only (the per-CPU allocator's
            # searches, interrupts, RCU callbacks) and moves the median
            mv = {sym: n / v['n'] for sym, n in ref['vanilla']['hist'].get(vi, {}).items()}
            mp = {sym: n / p['n'] for sym, n in ref['patched']['hist'].get(pi, {}).items()}
            diff = sorted(set(mv) | set(mp),
                          key=lambda sym: (-abs(mp.get(sym, 0) - mv.get(sym, 0)), sym))
            a['mean_call'] = {
                'vanilla': v['mean'], 'patched': p['mean'],
                'functions': [{'function': pretty.get(sym, sym), 'symbol': sym,
                               'vanilla': mv.get(sym, 0), 'patched': mp.get(sym, 0)}
                              for sym in diff[:TOP_FUNCTIONS // 2]
                              if abs(mp.get(sym, 0) - mv.get(sym, 0)) >= 0.5],
            }
        rows[key] = a
    rows = dict(sorted(rows.items(), key=lambda kv: case_order(kv[0])))

    # flatness
    flat = []
    for kind, label in KINDS:
        lo, hi = rows.get((kind, 10, 1)), rows.get((kind, 10000, 1))
        if not lo or not hi:
            continue
        for k in KERNELS:
            r = hi[k]['median'] / lo[k]['median']
            if kind == 'newns':
                target, ok = 'grows with the mount count', r > FLAT_LIMIT
            else:
                target, ok = f'flat: <= {FLAT_LIMIT:.2f}', r <= FLAT_LIMIT
            flat.append({'kind': kind, 'label': label, 'kernel': k, 'ratio_10000_10': r,
                         'target': target, 'verdict': 'met' if ok else 'not met'})

    # markdown
    info = ref['vanilla']['info']
    secs = read_int(os.path.join(bdir, 'icount', 'seconds'))
    md.append('## Instruction counts (exact)')
    md.append('')
    md.append(f"Guest instructions (kernel and user) per measured call, counted by the TCG plugin "
              f"`lab/bench/icount.c` between the markers of `rvfs-bench --icount` (the markers' "
              f"call/ret included: getppid's count is mostly that), "
              f"QEMU `-icount shift=0,sleep=off -rtc base=2026-01-01T00:00:00,clock=vm "
              f"-cpu max,-rdrand,-rdseed -smp 1`, `nokaslr norandmaps`, KUnit off; the guest "
              f"saw {info.get('cpus', '?')} CPU. Figures of boot {boots['vanilla'][0]} of each "
              f"kernel, whose histogram by function (System.map) gives the last table; "
              + (f"{len(boots['vanilla'])} boot(s) of each kernel"
                 if len(boots['vanilla']) == len(boots['patched']) else
                 f"{len(boots['vanilla'])} boot(s) of vanilla, {len(boots['patched'])} of patched")
              + (f', {secs} s' if secs is not None else '') + '.')
    md.append('')
    rep = []
    for k in KERNELS:
        r = repeat[k]
        if r['identical'] is None:
            rep.append(f'{k}: one boot, nothing to compare')
        elif r['identical']:
            rep.append(f"{k}: **identical** over {len(r['boots'])} boots "
                       f"({r['regions']:,} regions, {r['instructions']:,} instructions)")
        else:
            rep.append(f"{k}: **NOT identical** (" + '; '.join(
                f"boot {c['boot']}: {c['differing']:,} regions differ, first at "
                f"{c['first_difference']:,}" for c in r['compared'] if not c['identical']) + ')')
    md.append('Boot to boot, every region in order: ' + '; '.join(rep) + '.')
    if prev_cmp:
        md.append('')
        md.append(f"Against the previous run `{os.path.basename(os.path.normpath(previous))}` "
                  f"(boot 1 of each): " + '; '.join(f"{k}: {prev_cmp[k]['status']}"
                                                   for k in KERNELS) + '.')
    md.append('')
    md.append(f"Rust in the patched kernel: a row is Rust when Rust code ran in the patched "
              f"kernel's smallest call (histogram); features with a Rust entry point: "
              f"{', '.join(rust) or 'none'} ({rust_src}).")
    ctrl = [a for a in rows.values() if a['impl'] == 'C']
    cvc = [a for a in ctrl if a['feature']]
    md.append('Controls: ' + (', '.join(sorted({a['case'] for a in ctrl}, key=list(CASES).index))
                              if ctrl else 'none') +
              ('' if cvc else '; no case whose feature is C in both kernels remains') + '.')
    md.append('')
    md.append('| case | mounts | impl | calls | vanilla median | vanilla p10 | patched median | '
              'patched p10 | ratio | p10 ratio | verdict (≤ 1.000) |')
    md.append('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
    for a in rows.values():
        v, p = a['vanilla'], a['patched']
        impl = ('Rust vs C' if a['impl'] == 'Rust' else
                'control (no VFS)' if a['feature'] is None else 'control (C vs C)')
        md.append(f"| {a['case']} | {a['mounts']:,} | {impl} | {v['n']:,} | "
                  f"{fmt_count(v['median'])} | {fmt_count(v['p10'])} | {fmt_count(p['median'])} | "
                  f"{fmt_count(p['p10'])} | {a['ratio']:.4f} | {a['ratio_p10']:.4f} | "
                  f"{'**' + a['verdict'] + '**' if a['verdict'] in ('not met', 'control, differs') else a['verdict']} |")
    md.append('')
    if ctrl:
        off = [a for a in ctrl if a['verdict'] != 'control, equal']
        md.append(f"Controls equal within {CONTROL_TOLERANCE:.1%} at the median: "
                  f"{len(ctrl) - len(off)} of {len(ctrl)}" +
                  ('; differ: ' + ', '.join(f"{a['case']}@{a['mounts']} ({a['ratio']:.4f})"
                                            for a in off) if off else '') + '.')
        md.append('')
        lo = min(ctrl, key=lambda a: a['ratio'])
        hi = max(ctrl, key=lambda a: a['ratio'])
        md.append(f"The controls run no Rust code; their ratios range from {lo['ratio']:.4f} "
                  f"({lo['case']}@{lo['mounts']}) to {hi['ratio']:.4f} ({hi['case']}@"
                  f"{hi['mounts']}): what the rest of the two kernels (C built from different "
                  f"trees, a memory state that has diverged) does to a count without any Rust "
                  f"in the call.")
        md.append('')
    if flat:
        md.append('| instructions, 10 000 vs 10 parent mounts | kernel | ratio | target | verdict |')
        md.append('| --- | --- | ---: | --- | --- |')
        for fl in flat:
            md.append(f"| {fl['label']} | {fl['kernel']} | {fl['ratio_10000_10']:.3f} | "
                      f"{fl['target']} | {fl['verdict']} |")
        md.append('')
    rust_rows = [a for a in rows.values() if a['impl'] == 'Rust']
    if rust_rows and hist_ok:
        md.append('Where the Rust rows differ: the histogram by kernel function of the smallest '
                  'call of each kernel (no interrupt in it), patched − vanilla, and the '
                  f'{TOP_FUNCTIONS} functions that differ most; then the mean over all calls '
                  '(what only some calls do, e.g. the per-CPU allocator\'s searches, interrupts, '
                  'RCU callbacks: it moves the median) and its '
                  f'{TOP_FUNCTIONS // 2} functions that differ most. Histograms are at block '
                  'granularity: their sums are close to the exact counts.')
        md.append('')
        md.append('| row | smallest call: vanilla → patched | by group | functions (smallest '
                  'call) | mean of all calls | functions (mean) |')
        md.append('| --- | ---: | --- | --- | ---: | --- |')
        last = {}

        def flist(fs, fmt):
            return '; '.join(f"`{f['function'][:70]}` {format(f['patched'] - f['vanilla'], fmt)}"
                             for f in fs)
        for a in rust_rows:
            sc, mc = a.get('smallest_call'), a.get('mean_call')
            if not sc:
                continue
            funcs = flist(sc['functions'], '+,')
            groups = ', '.join(f"{g} {sc['by_group'].get(g, 0):+,}" for g in ('Rust', 'C', 'user'))
            if last.get(a['case'], (None,))[0] == funcs:
                funcs = f"as at {last[a['case']][1]:,} mounts"
            else:
                last[a['case']] = (funcs, a['mounts'])
            odd = [f"{k}'s is {sc[k]:,}, its p10 {a[k]['p10']:,}" for k in KERNELS
                   if sc[k] < ODD_SMALLEST * a[k]['p10']]
            if odd:
                funcs += (' (atypical smallest call, ' + '; '.join(odd) +
                          ': the calls compared took different paths; see the mean)')
            md.append(f"| {a['case']}@{a['mounts']:,} | {sc['vanilla']:,} → {sc['patched']:,} "
                      f"({sc['patched'] - sc['vanilla']:+,}) | {groups} | {funcs} | "
                      f"{mc['vanilla']:,.0f} → {mc['patched']:,.0f} "
                      f"({mc['patched'] - mc['vanilla']:+,.0f}) | {flist(mc['functions'], '+,.0f')} |")
        md.append('')
    met = [a for a in rust_rows if a['verdict'] == 'met']
    md.append(f"Rust rows at or below vanilla's count: {len(met)} of {len(rust_rows)}" +
              ('; not met: ' + ', '.join(f"{a['case']}@{a['mounts']} ({a['ratio']:.4f})"
                                         for a in rust_rows if a['verdict'] != 'met')
               if len(met) < len(rust_rows) else '') + '.')
    md.append('')

    for a in rows.values():
        v, p = a['vanilla'], a['patched']
        csv_rows.append({
            'mode': 'icount', 'unit': 'instructions', 'case': a['case'], 'mounts': a['mounts'],
            'workers': a['workers'], 'impl': a['impl'] if a['feature'] else 'none',
            'runs': min(len(boots['vanilla']), len(boots['patched'])), 'samples': v['n'],
            'vanilla_median': v['median'], 'vanilla_p10': v['p10'], 'vanilla_p90': v['p90'],
            'vanilla_min': v['min'], 'patched_median': p['median'], 'patched_p10': p['p10'],
            'patched_p90': p['p90'], 'patched_min': p['min'], 'ratio': f"{a['ratio']:.6f}",
            'ratio_p10': f"{a['ratio_p10']:.6f}", 'verdict': a['verdict']})
    result = {
        'boots': boots, 'repeatability': repeat, 'previous_run': (
            {'dir': os.path.abspath(previous), 'kernels': prev_cmp} if previous else None),
        'histogram': hist_ok, 'seconds': secs,
        'boot_seconds': {f'{k}-boot{b}': r['seconds'] for (k, b), r in sorted(runs.items())},
        'flatness': flat,
        'cases': [{**a, 'vanilla': a['vanilla'], 'patched': a['patched']} for a in rows.values()],
    }
    plot_rows = {key: {k: a[k] for k in KERNELS} for key, a in rows.items()}
    return md, csv_rows, result, plot_rows


# ---- wall clock ------------------------------------------------------------------------------

def parse_log(path):
    """One boot: info, cases {(case, mounts, workers): fields}, errors, complete."""
    run = {'info': {}, 'cases': {}, 'passes': {}, 'errors': [], 'complete': False,
           'version': ''}
    try:
        with open(path, errors='replace') as f:
            lines = f.read().replace('\r', '').splitlines()
    except OSError:
        return None
    for line in lines:
        kind, _, rest = line.partition(' ')
        fields = dict(LINE_RE.findall(rest))
        if kind == 'bench-info':
            run['info'] = fields
        elif kind == 'bench-version':
            run['version'] = rest.strip()
        elif kind == 'bench':
            key = (fields['case'], int(fields['mounts']), int(fields['workers']))
            run['cases'][key] = {k: (v if k == 'case' else float(v)) for k, v in fields.items()}
        elif kind == 'bench-pass':
            key = (fields['case'], int(fields['mounts']), int(fields['workers']))
            run['passes'].setdefault(key, []).append(float(fields['median_ns']))
        elif kind == 'bench-error':
            run['errors'].append(rest.strip())
        elif kind == 'bench-end':
            run['complete'] = True
            run['end'] = fields
        elif line.startswith('# rvfs-timeout') or line.startswith('# rvfs-qemu-exit'):
            run['errors'].append(line[2:])
    return run


def rescale(run, host_hz):
    """Samples taken with the TSC: use the host's calibration for every boot."""
    info = run['info']
    if info.get('clock') != 'tsc' or not host_hz:
        return 1.0
    factor = float(info['tsc_hz']) / host_hz
    for fields in run['cases'].values():
        for k in list(fields):
            if k.endswith('_ns'):
                fields[k] *= factor
    for meds in run['passes'].values():
        meds[:] = [m * factor for m in meds]
    return factor


def spread(xs):
    """Round-to-round spread: half the interquartile range, relative to the median."""
    if len(xs) < 2:
        return None
    return (quantile(xs, 0.75) - quantile(xs, 0.25)) / 2 / statistics.median(xs)


def iqr_verdict(rs):
    """Paired per-round ratios: does their interquartile range exclude 1? With fewer than 5
    rounds the quartiles mean little: then all of them must be on the same side of 1."""
    if len(rs) < 2:
        return None
    lo, hi = (quantile(rs, 0.25), quantile(rs, 0.75)) if len(rs) >= 5 else (min(rs), max(rs))
    return 'above 1' if lo > 1 else 'below 1' if hi < 1 else 'no'


def load_wall(bdir, problems, warnings):
    host_hz = None
    try:
        with open(os.path.join(bdir, 'host-tsc')) as f:
            m = re.search(r'tsc_hz=(\d+)', f.read())
            host_hz = float(m.group(1)) if m else None
    except OSError:
        pass
    rounds = sorted(int(m.group(1)) for d in glob.glob(os.path.join(bdir, 'round*'))
                    for m in [re.search(r'round(\d+)$', d)] if m)
    runs = {}
    for r in rounds:
        d = os.path.join(bdir, f'round{r}')
        for k in KERNELS:
            run = parse_log(os.path.join(d, k, 'results.log'))
            if run is None:
                problems.append(f'wall round {r} {k}: no results.log')
                continue
            run['scale'] = rescale(run, host_hz)
            if not run['complete']:
                problems.append(f'wall round {r} {k}: incomplete (no bench-end line)')
            for e in run['errors']:
                problems.append(f'wall round {r} {k}: {e}')
            for ln in console_splats(os.path.join(d, k, 'console.log'))[:1]:
                problems.append(f'wall round {r} {k}: kernel splat on the console: {ln}')
            try:
                with open(os.path.join(d, k, 'host-load')) as f:
                    text = f.read()
                m = re.search(r'busy_cpus=([\d.]+)', text)
                run['host_busy_cpus'] = float(m.group(1)) if m else 0.0
                m = re.search(r'heavy_at_start=(.*)', text)
                run['host_heavy'] = m.group(1).strip() if m else ''
                run['host_busy'] = run['host_busy_cpus'] > BUSY_LIMIT or bool(run['host_heavy'])
            except (OSError, ValueError):
                pass
            run['vm_seconds'] = read_int(os.path.join(d, k, 'seconds'))
            runs[(r, k)] = run
    busy = [(r, k) for (r, k), run in sorted(runs.items()) if run.get('host_busy')]
    if busy:
        others = sorted({p for r, k in busy for p in runs[(r, k)]['host_heavy'].split()})
        warnings.append(f"wall: the host was busy during {len(busy)} of {len(runs)} VM runs "
                        f"(up to {max(runs[b]['host_busy_cpus'] for b in busy):.2f} CPUs busy"
                        + (f"; also running: {' '.join(others)}" if others else '') +
                        f"; rounds {', '.join(str(r) for r in sorted({r for r, _ in busy}))})")
    return rounds, runs, host_hz


def wall_section(bdir, rounds, runs, host_hz, rust, rust_src, meta):
    md, csv_rows = [], []
    keys = sorted({key for run in runs.values() for key in run['cases']}, key=case_order)
    agg = {}
    for key in keys:
        feat = CASES.get(key[0], ('', None))[1]
        a = {'case': key[0], 'mounts': key[1], 'workers': key[2], 'feature': feat,
             'impl': 'Rust' if feat in rust else 'C',
             'what': CASES.get(key[0], (key[0], None))[0]}
        for k in KERNELS:
            per = [(r, runs[(r, k)]['cases'][key]) for r in rounds
                   if (r, k) in runs and key in runs[(r, k)]['cases']]
            meds = [f['median_ns'] for _, f in per]
            a[k] = {
                'rounds': [r for r, _ in per],
                'round_medians_ns': meds,
                'median_ns': statistics.median(meds) if meds else None,
                'min_ns': min(meds) if meds else None,
                'max_ns': max(meds) if meds else None,
                'spread': spread(meds),
                'p10_ns': statistics.median([f['p10_ns'] for _, f in per]) if per else None,
                'p90_ns': statistics.median([f['p90_ns'] for _, f in per]) if per else None,
                'iters': int(per[0][1]['iters']) if per else 0,
                'round_ops_per_s': [f.get('ops_per_s') for _, f in per],
                'ops_per_s': (statistics.median([f['ops_per_s'] for _, f in per])
                              if per and all('ops_per_s' in f for _, f in per) else None),
            }
        v, p = a['vanilla'], a['patched']
        common = sorted(set(v['rounds']) & set(p['rounds']))
        rr = [runs[(r, 'patched')]['cases'][key]['median_ns'] /
              runs[(r, 'vanilla')]['cases'][key]['median_ns'] for r in common]
        a['round_ratios'] = rr
        if v['median_ns'] and p['median_ns']:
            a['ratio'] = p['median_ns'] / v['median_ns']
            a['ratio_p25'], a['ratio_p75'] = quantile(rr, 0.25), quantile(rr, 0.75)
            a['ratio_min'], a['ratio_max'] = (min(rr), max(rr)) if rr else (None, None)
            a['patched_slower_rounds'] = sum(x > 1 for x in rr)
            a['exceeds_spread'] = iqr_verdict(rr)
        else:
            a['ratio'] = a['ratio_p25'] = a['ratio_p75'] = a['ratio_min'] = a['ratio_max'] = None
            a['patched_slower_rounds'] = 0
            a['exceeds_spread'] = None
        agg[key] = a

    cvc = [a for a in agg.values() if a['impl'] == 'C' and a['feature'] and a['ratio']]
    floor = max((abs(a['ratio'] - 1) for a in cvc), default=0.0)
    for a in agg.values():
        if a['ratio'] is None:
            a['verdict'] = 'no data'
        elif a['ratio'] <= 1.0:
            a['verdict'] = 'met'
        elif a['exceeds_spread'] != 'above 1' or a['ratio'] - 1 <= floor:
            a['verdict'] = 'within noise'
        else:
            a['verdict'] = 'missed'

    # flatness (wall mode over every case)
    flat = []
    for kind, label in KINDS:
        lo, hi = agg.get((kind, 10, 1)), agg.get((kind, 10000, 1))
        if not lo or not hi:
            continue
        for k in KERNELS:
            if not lo[k]['median_ns'] or not hi[k]['median_ns']:
                continue
            ratio = hi[k]['median_ns'] / lo[k]['median_ns']
            rr = [runs[(r, k)]['cases'][hi_key]['median_ns'] /
                  runs[(r, k)]['cases'][lo_key]['median_ns']
                  for hi_key, lo_key in [((kind, 10000, 1), (kind, 10, 1))]
                  for r in sorted(set(lo[k]['rounds']) & set(hi[k]['rounds']))]
            tol = max(spread(rr) or 0.0, floor)
            if kind == 'newns':
                target = 'grows with the mount count'
                verdict = 'met' if ratio > FLAT_LIMIT * (1 + tol) else (
                    'within noise' if ratio > FLAT_LIMIT else 'missed')
            else:
                target = f'flat: <= {FLAT_LIMIT:.2f}'
                verdict = 'met' if ratio <= FLAT_LIMIT else (
                    'within noise' if ratio <= FLAT_LIMIT * (1 + tol) else 'missed')
            flat.append({'kind': kind, 'label': label, 'kernel': k, 'ratio_10000_10': ratio,
                         'round_min': min(rr) if rr else None,
                         'round_max': max(rr) if rr else None, 'tolerance': tol,
                         'target': target, 'verdict': verdict})

    # parallel creators: 2 workers against 1, in the same boot
    contention = []
    one_key, two_key = ('parallel_empty', 10, 1), ('parallel_empty', 10, 2)
    if one_key in agg and two_key in agg:
        fac = {}
        for k in KERNELS:
            rs = [r for r in rounds if (r, k) in runs and one_key in runs[(r, k)]['cases']
                  and two_key in runs[(r, k)]['cases']]
            lat = [runs[(r, k)]['cases'][two_key]['median_ns'] /
                   runs[(r, k)]['cases'][one_key]['median_ns'] for r in rs]
            thr = [runs[(r, k)]['cases'][two_key]['ops_per_s'] /
                   runs[(r, k)]['cases'][one_key]['ops_per_s'] for r in rs
                   if runs[(r, k)]['cases'][one_key].get('ops_per_s')
                   and runs[(r, k)]['cases'][two_key].get('ops_per_s')]
            fac[k] = dict(zip(rs, lat))
            if not lat:
                continue
            contention.append({
                'kernel': k, 'rounds': len(rs),
                'latency_2_over_1': statistics.median(lat),
                'latency_p25': quantile(lat, 0.25), 'latency_p75': quantile(lat, 0.75),
                'latency_finding': iqr_verdict(lat),
                'throughput_2_over_1': statistics.median(thr) if thr else None,
                'throughput_p25': quantile(thr, 0.25), 'throughput_p75': quantile(thr, 0.75),
                'throughput_finding': iqr_verdict(thr) if thr else None,
                'ops_per_s_1': agg[one_key][k]['ops_per_s'],
                'ops_per_s_2': agg[two_key][k]['ops_per_s'],
            })
        both = sorted(set(fac['vanilla']) & set(fac['patched']))
        if both:
            q = [fac['patched'][r] / fac['vanilla'][r] for r in both]
            contention.append({'kernel': 'patched/vanilla', 'rounds': len(both),
                               'latency_2_over_1': statistics.median(q),
                               'latency_p25': quantile(q, 0.25), 'latency_p75': quantile(q, 0.75),
                               'latency_finding': iqr_verdict(q)})

    cpus = sorted({run['info'].get('cpus') for run in runs.values()})
    guest = next(iter(runs.values()))['info']
    secs = read_int(os.path.join(bdir, 'wall-seconds'))
    md.append('## Wall clock')
    md.append('')
    md.append(f"{len(rounds)} round(s) of "
              + (f"the cases matching `{meta['wall_only']}`" if meta.get('wall_only')
                 else 'every case')
              + f", vanilla and patched booted back to back, alternating which goes first; "
              f"QEMU {meta.get('qemu', '?')} under TCG (`-accel tcg,thread=multi -cpu max "
              f"-smp 2 -m 2G`), guest sees {'/'.join(str(c) for c in cpus)} CPU(s); guest "
              f"clock: {'RDTSC (host TSC under TCG), host-calibrated' if guest.get('clock') == 'tsc' else 'CLOCK_MONOTONIC'}"
              f"{f' at {host_hz / 1e6:.3f} MHz' if host_hz and guest.get('clock') == 'tsc' else ''}"
              + (f'; {secs} s' if secs is not None else '') + '.')
    md.append(f"Rust features of the patched kernel ({rust_src}): {', '.join(rust) or 'none'}.")
    md.append('')
    md.append('Times in µs: median of the per-round medians [min – max over rounds]. Spread: '
              'half the interquartile range of a kernel\'s per-round medians. Ratio: patched / '
              'vanilla of the medians; the per-round ratios (the kernels of a round boot back to '
              'back) give its interquartile range [and range]; the difference exceeds the spread '
              'when that interquartile range excludes 1 (with fewer than 5 rounds: when every '
              'round\'s ratio is on the same side of 1).')
    md.append('')
    md.append('| case | mounts | impl | vanilla µs | patched µs | spread v / p | Rust/C ratio | '
              'round ratios p25–p75 [min–max] | patched slower | exceeds spread | '
              'verdict (≤ 1.00) |')
    md.append('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |')
    for a in agg.values():
        v, p = a['vanilla'], a['patched']
        name = a['case'] + (f" ×{a['workers']}" if a['case'] == 'parallel_empty' else '')
        impl = 'Rust vs C' if a['impl'] == 'Rust' else ('— (no VFS)' if a['feature'] is None
                                                         else 'C vs C')

        def cell(x):
            if x['median_ns'] is None:
                return '-'
            if len(x['rounds']) > 1:
                return f"{fmt_us(x['median_ns'])} [{fmt_us(x['min_ns'])} – {fmt_us(x['max_ns'])}]"
            return fmt_us(x['median_ns'])
        rr = a['round_ratios']
        md.append(
            f"| {name} | {a['mounts']:,} | {impl} | {cell(v)} | {cell(p)} | "
            f"{pct(v['spread'])} / {pct(p['spread'])} | "
            f"{'-' if a['ratio'] is None else format(a['ratio'], '.3f')} | "
            + (f"{a['ratio_p25']:.3f}–{a['ratio_p75']:.3f} [{a['ratio_min']:.3f}–"
               f"{a['ratio_max']:.3f}]" if len(rr) > 1 else '-')
            + f" | {a['patched_slower_rounds']} of {len(rr)} | "
            f"{'-' if a['exceeds_spread'] is None else 'no' if a['exceeds_spread'] == 'no' else 'yes, ' + a['exceeds_spread']} | "
            f"{a['verdict']} |")
    md.append('')
    if cvc:
        md.append(f"C-vs-C cases deviate from 1.00 by up to {pct(floor)}; a ratio above 1 by no "
                  f"more than that is within noise too.")
        md.append('')
    if flat:
        md.append('| time, 10 000 vs 10 parent mounts | kernel | ratio [rounds] | ± noise | target '
                  '| verdict |')
        md.append('| --- | --- | ---: | ---: | --- | --- |')
        for fl in flat:
            rng = (f" [{fl['round_min']:.2f} – {fl['round_max']:.2f}]"
                   if fl['round_min'] is not None and len(rounds) > 1 else '')
            md.append(f"| {fl['label']} | {fl['kernel']} | {fl['ratio_10000_10']:.2f}{rng} | "
                      f"{pct(fl['tolerance'])} | {fl['target']} | {fl['verdict']} |")
        md.append('')
    if contention:
        md.append('Parallel creators of empty namespaces, 2 workers against 1 (same boot, per '
                  'round; median [p25–p75 over rounds]; a finding when that range excludes 1, '
                  'with fewer than 5 rounds when every round is on the same side of 1):')
        md.append('')
        md.append('| kernel | rounds | per-call latency ×2 / ×1 | finding | throughput ×2 / ×1 | '
                  'finding | ops/s 1 → 2 workers |')
        md.append('| --- | ---: | ---: | --- | ---: | --- | ---: |')
        for c in contention:
            thr = (f"{c['throughput_2_over_1']:.3f} [{c['throughput_p25']:.3f}–"
                   f"{c['throughput_p75']:.3f}]" if c.get('throughput_2_over_1') else '-')
            ops = (f"{c['ops_per_s_1']:,.0f} → {c['ops_per_s_2']:,.0f}"
                   if c.get('ops_per_s_1') and c.get('ops_per_s_2') else '-')
            md.append(f"| {c['kernel']} | {c['rounds']} | {c['latency_2_over_1']:.3f} "
                      f"[{c['latency_p25']:.3f}–{c['latency_p75']:.3f}] | "
                      f"{c['latency_finding'] or '-'} | {thr} | "
                      f"{c.get('throughput_finding') or '-'} | {ops} |")
        md.append('')
        md.append('The row patched/vanilla divides the kernels\' latency factors round by round: '
                  'whether two workers slow the patched kernel more (above 1) or less than vanilla.'
                  + (f" The guest ran on {cpus[0]} CPU: two workers time-share it."
                     if cpus == ['1'] else ''))
        md.append('')

    def n(x):
        return '' if x is None else f'{x:.0f}'

    def r6(x):
        return '' if x is None else f'{x:.6f}'
    for a in agg.values():
        v, p = a['vanilla'], a['patched']
        csv_rows.append({
            'mode': 'wall', 'unit': 'ns', 'case': a['case'], 'mounts': a['mounts'],
            'workers': a['workers'], 'impl': a['impl'] if a['feature'] else 'none',
            'runs': len(a['round_ratios']), 'samples': v['iters'] or p['iters'],
            'vanilla_median': n(v['median_ns']), 'vanilla_p10': n(v['p10_ns']),
            'vanilla_p90': n(v['p90_ns']), 'vanilla_min': n(v['min_ns']),
            'patched_median': n(p['median_ns']), 'patched_p10': n(p['p10_ns']),
            'patched_p90': n(p['p90_ns']), 'patched_min': n(p['min_ns']),
            'ratio': r6(a['ratio']), 'spread_vanilla': r6(v['spread']),
            'spread_patched': r6(p['spread']), 'round_ratio_p25': r6(a['ratio_p25']),
            'round_ratio_p75': r6(a['ratio_p75']), 'exceeds_spread': a['exceeds_spread'] or '',
            'verdict': a['verdict']})
    result = {
        'rounds': rounds, 'host_tsc_hz': host_hz, 'guest_cpus': cpus,
        'guest_clock': guest.get('clock'), 'seconds': secs, 'c_vs_c_floor': floor,
        'flatness': flat, 'contention': contention,
        'runs': {f'round{r}/{k}': {'info': run['info'], 'version': run['version'],
                                   'complete': run['complete'], 'tsc_rescale': run['scale'],
                                   'vm_seconds': run.get('vm_seconds'),
                                   'host_busy_cpus': run.get('host_busy_cpus'),
                                   'host_heavy': run.get('host_heavy'),
                                   'errors': run['errors']}
                 for (r, k), run in sorted(runs.items())},
        'cases': list(agg.values()),
    }
    plot_rows = {key: {k: {'median': a[k]['median_ns'] / 1000 if a[k]['median_ns'] else None,
                           'lo': a[k]['min_ns'] / 1000 if a[k]['min_ns'] else None,
                           'hi': a[k]['max_ns'] / 1000 if a[k]['max_ns'] else None}
                       for k in KERNELS} for key, a in agg.items()}
    return md, csv_rows, result, plot_rows


# ---- output ----------------------------------------------------------------------------------

CSV_FIELDS = ['mode', 'unit', 'case', 'mounts', 'workers', 'impl', 'runs', 'samples',
              'vanilla_median', 'vanilla_p10', 'vanilla_p90', 'vanilla_min', 'patched_median',
              'patched_p10', 'patched_p90', 'patched_min', 'ratio', 'ratio_p10',
              'spread_vanilla', 'spread_patched', 'round_ratio_p25', 'round_ratio_p75',
              'exceeds_spread', 'verdict']


def plot(path, rows, ylabel, title):
    """Per call against the parent's mount count: newns, empty_unshare, empty_clone3, both
    kernels, and below it patched/vanilla. rows: {(case, mounts, workers): {kernel: {'median',
    'lo', 'hi'}}}."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, (ax, rax) = plt.subplots(2, 1, figsize=(8, 8), dpi=120, sharex=True,
                                  gridspec_kw={'height_ratios': [2.2, 1]})
    colors = {'newns': 'tab:red', 'empty_unshare': 'tab:blue', 'empty_clone3': 'tab:green'}
    styles = {'vanilla': ('-', 'o'), 'patched': ('--', 's')}
    any_line = False
    for kind, label in KINDS:
        pts = {}
        for k in KERNELS:
            pts[k] = dict(sorted((key[1], r[k]) for key, r in rows.items()
                                 if key[0] == kind and key[2] == 1 and r[k]['median'] is not None))
            if len(pts[k]) < 2:
                continue
            xs = list(pts[k])
            ys = [s['median'] for s in pts[k].values()]
            err = [[s['median'] - s['lo'] for s in pts[k].values()],
                   [s['hi'] - s['median'] for s in pts[k].values()]]
            ls, mk = styles[k]
            ax.errorbar(xs, ys, yerr=err, color=colors[kind], linestyle=ls, marker=mk,
                        capsize=3, markersize=5, label=f'{label}, {k}')
            any_line = True
        xs = [x for x in pts['vanilla'] if x in pts['patched']]
        if len(xs) >= 2:
            rax.plot(xs, [pts['patched'][x]['median'] / pts['vanilla'][x]['median'] for x in xs],
                     color=colors[kind], marker='o', markersize=5, label=label)
    if not any_line:
        plt.close(fig)
        return False
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=7.5, loc='upper left')
    rax.axhline(1.0, color='black', linewidth=0.8)
    rax.set_xlabel('mounts in the parent namespace')
    rax.set_ylabel('patched / vanilla (medians)')
    rax.grid(True, which='both', alpha=0.3)
    rax.legend(fontsize=7.5, loc='best')
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('benchdir')
    ap.add_argument('--tree', default=os.path.join(os.environ.get('LAB_HOME', os.path.expanduser(
        '~/.cache/rvfs-lab')), 'tree'), help='the patched tree: its _build-bench/System.map')
    ap.add_argument('--previous', help='an earlier run to compare the instruction counts with')
    args = ap.parse_args()
    bdir = args.benchdir
    meta = {}
    if os.path.exists(os.path.join(bdir, 'meta.json')):
        with open(os.path.join(bdir, 'meta.json')) as f:
            meta = json.load(f)
    problems, warnings = [], []
    rust, rust_src = rust_features(args.tree)

    icount_runs = load_icount(bdir)
    rounds, wall_runs, host_hz = load_wall(bdir, problems, warnings)
    if not icount_runs and not wall_runs:
        sys.exit(f'report.py: no icount boots and no wall rounds in {bdir}')
    previous = args.previous
    if previous and os.path.abspath(previous) == os.path.abspath(bdir):
        previous = None

    host = meta.get('host', {})
    md = [f"# `make bench` {os.path.basename(os.path.normpath(bdir))}", '',
          f"Vanilla 7.2.13 (upstream C) against patched (Rust), kernels bench-vanilla and "
          f"bench-patched; host {host.get('cpu', '?')}, {host.get('cores', '?')} cores, "
          f"{host.get('mem', '?')}, {host.get('kernel', '?')}; QEMU {meta.get('qemu', '?')}; "
          f"repo {meta.get('repo_commit', '?')[:12]}{' (dirty)' if meta.get('repo_dirty') else ''}"
          + (f"; {read_int(os.path.join(bdir, 'seconds'))} s in all"
             if read_int(os.path.join(bdir, 'seconds')) is not None else '') + '.', '']
    csv_rows = []
    result = {'benchdir': os.path.abspath(bdir), 'meta': meta, 'rust_features': rust,
              'rust_features_from': rust_src}
    if icount_runs:
        m, c, r, prow = icount_section(bdir, icount_runs, rust, rust_src, previous, problems,
                                       warnings)
        md += m
        csv_rows += c
        result['icount'] = r
        if prow and plot(os.path.join(bdir, 'mounts.png'),
                         {key: {k: {'median': s[k]['median'], 'lo': s[k]['p10'],
                                    'hi': s[k]['p90']} for k in KERNELS}
                          for key, s in prow.items()},
                         'instructions per call (median; bars p10–p90)',
                         'Mount namespace creation vs parent mount count: exact instruction '
                         'counts\nvanilla vs patched Linux 7.2 (QEMU -icount, TCG plugin)'):
            md.append('![instructions per call vs parent mount count](mounts.png)')
            md.append('')
    if wall_runs:
        m, c, r, prow = wall_section(bdir, rounds, wall_runs, host_hz, rust, rust_src, meta)
        md += m
        csv_rows += c
        result['wall'] = r
        name = 'mounts-wall.png' if icount_runs else 'mounts.png'
        if plot(os.path.join(bdir, name), prow, 'µs per call (median of the round medians)',
                f'Mount namespace creation vs parent mount count: wall clock\nvanilla vs '
                f'patched Linux 7.2, QEMU TCG, {len(rounds)} round(s); bars: min–max over rounds'):
            md.append(f'![time vs parent mount count]({name})')
            md.append('')
    if problems:
        md.append('Problems: ' + '; '.join(problems))
        md.append('')
    if warnings:
        md.append('Warnings: ' + '; '.join(warnings) + '.')
        md.append('')
    result['problems'], result['warnings'] = problems, warnings

    with open(os.path.join(bdir, 'results.json'), 'w') as f:
        json.dump(result, f, indent=1, default=str)
    with open(os.path.join(bdir, 'results.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        w.writeheader()
        w.writerows(csv_rows)
    table = '\n'.join(md) + '\n'
    with open(os.path.join(bdir, 'table.md'), 'w') as f:
        f.write(table)
    print(table)
    print(f'report: {bdir}/table.md, results.csv, results.json, mounts.png', file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
