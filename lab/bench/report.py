#!/usr/bin/python3
"""Compare the benchmark rounds of `make bench`: vanilla (C) against patched (Rust).

    report.py BENCHDIR [--repo DIR] [--tree DIR]

BENCHDIR holds round<N>/<kernel>/results.log (the lines of lab/bench/rvfs-bench.c), host-tsc
(the host's TSC frequency, `rvfs-bench --calibrate`) and meta.json (written by lab/bench.sh).
Writes BENCHDIR/results.csv, results.json, table.md and mounts.png, and prints table.md.

Per case and kernel: the median of the per-round medians and their spread over rounds (min, max).
Rust/C ratio: patched over vanilla of those medians, with the range of the per-round ratios
(the two kernels of a round boot back to back) and an uncertainty u = sqrt(sv^2 + sp^2), sv and
sp the half-range of each kernel's per-round medians relative to its median.

Noise floor: the largest |ratio - 1| among the cases whose feature is C in both kernels (C vs C:
nothing changed, so what they show is the method's error), the vanilla round-to-round spread and
the spread of a case's pass medians within one boot (bench-pass lines).
Verdict of ratio <= 1.00: "met" (ratio <= 1), "within noise" (ratio <= 1 + max(u, floor)),
"missed" otherwise. Flatness: time at 10000 over time at 10 parent mounts, per kernel and
namespace kind; empty namespaces must stay within 10 %, CLONE_NEWNS must grow.

Must run under Debian's /usr/bin/python3 with python3-matplotlib.
"""
import argparse
import csv
import glob
import json
import math
import os
import re
import statistics
import sys

KERNELS = ('vanilla', 'patched')
KINDS = (('newns', 'unshare(CLONE_NEWNS)'), ('empty_unshare', 'unshare(UNSHARE_EMPTY_MNTNS)'),
         ('empty_clone3', 'clone3(CLONE_EMPTY_MNTNS)'))
# case -> (what is timed, the feature it exercises)
CASES = {
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
# feature -> strings that a Rust leaf file implementing it contains (see rust_features())
FEATURE_MARKERS = {
    'copy_mnt_ns': [r'\bcopy_tree\s*\('],
    'empty_mntns': [r'EMPTY_MNTNS'],
    'fsmount_ns': [r'FSMOUNT_NAMESPACE'],
    'open_tree_ns': [r'OPEN_TREE_NAMESPACE'],
    'move_mount_beneath': [r'MOVE_MOUNT_BENEATH'],
    'pivot_root': [r'\bpivot_root\b'],
}
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from splats import SPLAT_RE  # noqa: E402
FLAT_LIMIT = 1.10
# QEMU under TCG with one busy vCPU keeps about 1.1 host CPUs busy; more means other work ran.
BUSY_LIMIT = 1.35
LINE_RE = re.compile(r'(\w+)=(\S+)')


def rust_features(repo, tree):
    """Features whose code is Rust in the patched kernel.

    BENCH_RUST_FEATURES (comma-separated) overrides. Otherwise: a leaf Rust file of the repo
    (fs/**/*.rs) that contains a marker of the feature and was built into the patched kernel
    (TREE/_build/<same path>.o exists)."""
    env = os.environ.get('BENCH_RUST_FEATURES')
    if env is not None:
        return sorted(f for f in env.split(',') if f), 'BENCH_RUST_FEATURES'
    found = set()
    for path in glob.glob(os.path.join(repo, 'fs', '**', '*.rs'), recursive=True):
        rel = os.path.relpath(path, repo)
        if tree and not os.path.exists(os.path.join(tree, '_build', rel[:-3] + '.o')):
            continue
        with open(path, errors='replace') as f:
            text = f.read()
        for feat, markers in FEATURE_MARKERS.items():
            if any(re.search(m, text) for m in markers):
                found.add(feat)
    return sorted(found), 'repo fs/**/*.rs built into the patched kernel'


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


def med(xs):
    return statistics.median(xs) if xs else None


def rel_halfrange(xs):
    if len(xs) < 2:
        return 0.0
    return (max(xs) - min(xs)) / 2 / statistics.median(xs)


def fmt_us(ns):
    if ns is None:
        return '-'
    us = ns / 1000
    return f'{us:,.0f}' if us >= 100 else f'{us:.1f}'


def pct(x):
    return '-' if x is None else f'{100 * x:.1f} %'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('benchdir')
    ap.add_argument('--repo', default=os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    ap.add_argument('--tree', default=os.path.join(os.environ.get('LAB_HOME', os.path.expanduser(
        '~/.cache/rvfs-lab')), 'tree'))
    args = ap.parse_args()
    bdir = args.benchdir

    meta = {}
    if os.path.exists(os.path.join(bdir, 'meta.json')):
        with open(os.path.join(bdir, 'meta.json')) as f:
            meta = json.load(f)
    host_hz = None
    if os.path.exists(os.path.join(bdir, 'host-tsc')):
        with open(os.path.join(bdir, 'host-tsc')) as f:
            m = re.search(r'tsc_hz=(\d+)', f.read())
            host_hz = float(m.group(1)) if m else None

    rounds = sorted((int(m.group(1)), d) for d in glob.glob(os.path.join(bdir, 'round*'))
                    for m in [re.search(r'round(\d+)$', d)] if m)
    runs = {}     # (round, kernel) -> run
    problems = []
    warnings = []
    for r, d in rounds:
        for k in KERNELS:
            run = parse_log(os.path.join(d, k, 'results.log'))
            if run is None:
                problems.append(f'round {r} {k}: no results.log')
                continue
            run['scale'] = rescale(run, host_hz)
            if not run['complete']:
                problems.append(f'round {r} {k}: incomplete (no bench-end line)')
            for e in run['errors']:
                problems.append(f'round {r} {k}: {e}')
            try:
                with open(os.path.join(d, k, 'console.log'), errors='replace') as f:
                    splats = [ln.strip() for ln in f if SPLAT_RE.search(ln)]
                if splats:
                    problems.append(f'round {r} {k}: kernel splat on the console: {splats[0]}')
            except OSError:
                pass
            try:
                with open(os.path.join(d, k, 'host-load')) as f:
                    text = f.read()
                m = re.search(r'busy_cpus=([\d.]+)', text)
                run['host_busy_cpus'] = float(m.group(1)) if m else 0.0
                m = re.search(r'heavy_at_start=(.*)', text)
                run['host_heavy'] = m.group(1).strip() if m else ''
                if run['host_busy_cpus'] > BUSY_LIMIT or run['host_heavy']:
                    warnings.append(f"round {r} {k}: host busy ({run['host_busy_cpus']:.2f} "
                                    f"CPUs busy{'; ' + run['host_heavy'] if run['host_heavy'] else ''})")
            except (OSError, ValueError):
                pass
            try:
                with open(os.path.join(d, k, 'seconds')) as f:
                    run['vm_seconds'] = int(f.read().strip())
            except (OSError, ValueError):
                pass
            runs[(r, k)] = run
    if not runs:
        sys.exit(f'report.py: no rounds in {bdir}')

    rust, rust_src = rust_features(args.repo, args.tree)
    keys = sorted({key for run in runs.values() for key in run['cases']},
                  key=lambda key: (list(CASES).index(key[0]) if key[0] in CASES else 99,
                                   key[1], key[2]))

    # per case and kernel: per-round medians, p10, p90
    agg = {}
    for key in keys:
        a = {'case': key[0], 'mounts': key[1], 'workers': key[2]}
        feat = CASES.get(key[0], ('', None))[1]
        a['feature'] = feat
        a['impl'] = 'Rust' if feat in rust else 'C'
        a['what'] = CASES.get(key[0], (key[0], None))[0]
        for k in KERNELS:
            per = [(r, runs[(r, k)]['cases'][key]) for r, _ in rounds
                   if (r, k) in runs and key in runs[(r, k)]['cases']]
            meds = [f['median_ns'] for _, f in per]
            a[k] = {
                'rounds': [r for r, _ in per],
                'round_medians_ns': meds,
                'median_ns': med(meds),
                'min_ns': min(meds) if meds else None,
                'max_ns': max(meds) if meds else None,
                'rel_halfrange': rel_halfrange(meds) if meds else None,
                'p10_ns': med([f['p10_ns'] for _, f in per]),
                'p90_ns': med([f['p90_ns'] for _, f in per]),
                'iters': int(per[0][1]['iters']) if per else 0,
                'ops_per_s': med([f['ops_per_s'] for _, f in per if 'ops_per_s' in f]),
                # within a boot: the medians of the passes, (max - min) / 2 / median
                'pass_halfrange': med([rel_halfrange(runs[(r, k)]['passes'][key])
                                       for r, _ in per if key in runs[(r, k)]['passes']]),
            }
        v, p = a['vanilla'], a['patched']
        if v['median_ns'] and p['median_ns']:
            a['ratio'] = p['median_ns'] / v['median_ns']
            pr = [runs[(r, 'patched')]['cases'][key]['median_ns'] /
                  runs[(r, 'vanilla')]['cases'][key]['median_ns']
                  for r in sorted(set(v['rounds']) & set(p['rounds']))]
            a['round_ratios'] = pr
            a['ratio_min'], a['ratio_max'] = (min(pr), max(pr)) if pr else (None, None)
            a['ratio_unc'] = math.hypot(v['rel_halfrange'], p['rel_halfrange'])
            # the same from the 10th percentiles: less sensitive to slow phases of the host
            a['ratio_p10'] = p['p10_ns'] / v['p10_ns']
        else:
            a['ratio'] = a['ratio_min'] = a['ratio_max'] = a['ratio_unc'] = None
            a['ratio_p10'] = None
            a['round_ratios'] = []
        agg[key] = a

    # noise floor
    cvc = [a for a in agg.values() if a['impl'] == 'C' and a['ratio'] is not None]
    floor = max((abs(a['ratio'] - 1) for a in cvc), default=0.0)
    floor_case = max(cvc, key=lambda a: abs(a['ratio'] - 1), default=None)
    vspread = [a['vanilla']['rel_halfrange'] for a in agg.values()
               if a['vanilla']['rel_halfrange'] is not None and len(a['vanilla']['rounds']) > 1]
    noise = {
        'c_vs_c_cases': len(cvc),
        'c_vs_c_max_abs_dev': floor,
        'c_vs_c_max_case': (f"{floor_case['case']}@{floor_case['mounts']}"
                            f"{'x' + str(floor_case['workers']) if floor_case['workers'] > 1 else ''}"
                            if floor_case else None),
        'c_vs_c_median_abs_dev': med([abs(a['ratio'] - 1) for a in cvc]),
        'vanilla_round_halfrange_median': med(vspread),
        'vanilla_round_halfrange_max': max(vspread) if vspread else None,
        'pass_halfrange_median': med([a[k]['pass_halfrange'] for a in agg.values()
                                      for k in KERNELS if a[k]['pass_halfrange'] is not None]),
    }
    for a in agg.values():
        if a['ratio'] is None:
            a['tolerance'] = None
            a['verdict'] = 'no data'
            continue
        tol = max(a['ratio_unc'], floor)
        a['tolerance'] = tol
        if a['ratio'] <= 1.0:
            a['verdict'] = 'met'
        elif a['ratio'] <= 1.0 + tol:
            a['verdict'] = 'within noise'
        else:
            a['verdict'] = 'missed'

    # flatness: 10000 over 10 mounts, per kernel and kind
    levels = sorted({key[1] for key in keys if key[0] in dict(KINDS)})
    flat = []
    for kind, label in KINDS:
        lo, hi = (kind, 10, 1), (kind, 10000, 1)
        if lo not in agg or hi not in agg:
            continue
        for k in KERNELS:
            a_lo, a_hi = agg[lo][k], agg[hi][k]
            if not a_lo['median_ns'] or not a_hi['median_ns']:
                continue
            ratio = a_hi['median_ns'] / a_lo['median_ns']
            rr = [runs[(r, k)]['cases'][hi]['median_ns'] / runs[(r, k)]['cases'][lo]['median_ns']
                  for r in sorted(set(a_lo['rounds']) & set(a_hi['rounds']))]
            lo_r = min(rr) if rr else None
            hi_r = max(rr) if rr else None
            # noise of a ratio of two times of one kernel: the round-to-round spread of this
            # ratio, or the C-vs-C floor, whichever is larger
            tol = max((hi_r - lo_r) / 2 / ratio if rr else 0.0, floor)
            if kind == 'newns':
                target = 'grows with the mount count'
                verdict = 'met' if ratio > FLAT_LIMIT * (1 + tol) else (
                    'within noise' if ratio > FLAT_LIMIT else 'missed')
            else:
                target = f'flat: <= {FLAT_LIMIT:.2f}'
                verdict = 'met' if ratio <= FLAT_LIMIT else (
                    'within noise' if ratio <= FLAT_LIMIT * (1 + tol) else 'missed')
            flat.append({'kind': kind, 'label': label, 'kernel': k, 'ratio_10000_10': ratio,
                         'round_min': lo_r, 'round_max': hi_r, 'tolerance': tol,
                         'target': target, 'verdict': verdict})

    # parallel creators: contention
    contention = []
    for k in KERNELS:
        one, two = agg.get(('parallel_empty', 10, 1)), agg.get(('parallel_empty', 10, 2))
        if one and two and one[k]['median_ns'] and two[k]['median_ns']:
            contention.append({
                'kernel': k,
                'latency_2_over_1': two[k]['median_ns'] / one[k]['median_ns'],
                'ops_per_s_1': one[k]['ops_per_s'], 'ops_per_s_2': two[k]['ops_per_s'],
                'throughput_2_over_1': (two[k]['ops_per_s'] / one[k]['ops_per_s']
                                        if one[k]['ops_per_s'] else None),
            })

    guest = next(iter(runs.values()))['info']
    cpus = sorted({run['info'].get('cpus') for run in runs.values()})
    result = {
        'benchdir': os.path.abspath(bdir), 'meta': meta, 'host_tsc_hz': host_hz,
        'guest_cpus': cpus, 'guest_clock': guest.get('clock'),
        'rounds': [r for r, _ in rounds], 'rust_features': rust, 'rust_features_from': rust_src,
        'problems': problems, 'warnings': warnings, 'noise': noise, 'flatness': flat, 'contention': contention,
        'runs': {f'round{r}/{k}': {'info': run['info'], 'version': run['version'],
                                   'complete': run['complete'], 'tsc_rescale': run['scale'],
                                   'vm_seconds': run.get('vm_seconds'),
                                   'host_busy_cpus': run.get('host_busy_cpus'),
                                   'host_heavy': run.get('host_heavy'),
                                   'errors': run['errors']}
                 for (r, k), run in sorted(runs.items())},
        'cases': [{**{kk: vv for kk, vv in a.items()}} for a in agg.values()],
    }
    with open(os.path.join(bdir, 'results.json'), 'w') as f:
        json.dump(result, f, indent=1)

    with open(os.path.join(bdir, 'results.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['case', 'mounts', 'workers', 'impl', 'rounds', 'iters',
                    'vanilla_median_ns', 'vanilla_min_ns', 'vanilla_max_ns', 'vanilla_p10_ns',
                    'vanilla_p90_ns', 'patched_median_ns', 'patched_min_ns', 'patched_max_ns',
                    'patched_p10_ns', 'patched_p90_ns', 'ratio', 'ratio_round_min',
                    'ratio_round_max', 'ratio_uncertainty', 'ratio_p10', 'tolerance', 'verdict'])
        for a in agg.values():
            v, p = a['vanilla'], a['patched']

            def n(x):
                return '' if x is None else f'{x:.0f}'

            def r4(x):
                return '' if x is None else f'{x:.4f}'
            w.writerow([a['case'], a['mounts'], a['workers'],
                        a['impl'] if a['feature'] else 'none',
                        min(len(v['rounds']), len(p['rounds'])), v['iters'] or p['iters'],
                        n(v['median_ns']), n(v['min_ns']), n(v['max_ns']), n(v['p10_ns']),
                        n(v['p90_ns']), n(p['median_ns']), n(p['min_ns']), n(p['max_ns']),
                        n(p['p10_ns']), n(p['p90_ns']), r4(a['ratio']), r4(a['ratio_min']),
                        r4(a['ratio_max']), r4(a['ratio_unc']), r4(a['ratio_p10']),
                        r4(a['tolerance']),
                        a['verdict']])

    # Markdown
    md = []
    host = meta.get('host', {})
    md.append(f"Run `{os.path.basename(os.path.normpath(bdir))}`: {len(rounds)} round(s), "
              f"vanilla and patched alternating; host {host.get('cpu', '?')}, "
              f"{host.get('cores', '?')} cores, {host.get('mem', '?')}, {host.get('kernel', '?')}; "
              f"QEMU {meta.get('qemu', '?')} under **TCG** "
              f"(`-accel tcg,thread=multi -cpu max -smp 2 -m 2G`), guest sees "
              f"{'/'.join(str(c) for c in cpus)} CPU(s); guest clock: "
              f"{'RDTSC (host TSC under TCG), host-calibrated' if guest.get('clock') == 'tsc' else 'CLOCK_MONOTONIC'}"
              f"{f' at {host_hz / 1e6:.3f} MHz' if host_hz and guest.get('clock') == 'tsc' else ''}.")
    md.append(f"Rust in the patched kernel: {', '.join(rust) or 'none of the measured features'} "
              f"(nullfs too; it is not on a timed path). Other cases compare C with C.")
    md.append('')
    md.append('Times in µs: median of the per-round medians [min – max over rounds]; '
              'p10/p90 within a round (median over rounds). Ratio = patched/vanilla '
              '[range of per-round ratios] ± u (round-to-round uncertainty).')
    md.append('')
    md.append('| case | mounts | impl | vanilla µs | patched µs | p10–p90 vanilla | '
              'p10–p90 patched | Rust/C ratio | ± u | p10 ratio | verdict (≤ 1.00) |')
    md.append('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
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
        ratio = '-' if a['ratio'] is None else (
            f"{a['ratio']:.3f}" + (f" [{a['ratio_min']:.3f} – {a['ratio_max']:.3f}]"
                                   if len(a['round_ratios']) > 1 else ''))
        md.append(f"| {name} | {a['mounts']:,} | {impl} | {cell(v)} | {cell(p)} | "
                  f"{fmt_us(v['p10_ns'])}–{fmt_us(v['p90_ns'])} | "
                  f"{fmt_us(p['p10_ns'])}–{fmt_us(p['p90_ns'])} | {ratio} | "
                  f"{pct(a['ratio_unc'])} | "
                  f"{'-' if a['ratio_p10'] is None else format(a['ratio_p10'], '.3f')} | "
                  f"{a['verdict']} |")
    md.append('')
    md.append(f"Noise floor: C-vs-C cases deviate from 1.00 by up to "
              f"{pct(noise['c_vs_c_max_abs_dev'])} ({noise['c_vs_c_max_case']}; median "
              f"{pct(noise['c_vs_c_median_abs_dev'])} over {noise['c_vs_c_cases']} cases); "
              f"vanilla round-to-round half-range: median {pct(noise['vanilla_round_halfrange_median'])}, "
              f"max {pct(noise['vanilla_round_halfrange_max'])}; within a boot, the medians of "
              f"a case's passes differ by ± {pct(noise['pass_halfrange_median'])} (median). "
              f"A case is \"within noise\" when its ratio exceeds 1.00 by no more than max(its ± u, "
              f"the C-vs-C floor). The p10 ratio (patched/vanilla of the 10th percentiles) is less "
              f"sensitive to slow phases of the host; the verdict uses the median ratio.")
    md.append('')
    if flat:
        md.append('| parent mounts 10 000 vs 10 | kernel | time ratio [rounds] | ± noise | target | '
                  'verdict |')
        md.append('| --- | --- | ---: | ---: | --- | --- |')
        for fl in flat:
            rng = (f" [{fl['round_min']:.2f} – {fl['round_max']:.2f}]"
                   if fl['round_min'] is not None and len(rounds) > 1 else '')
            md.append(f"| {fl['label']} | {fl['kernel']} | {fl['ratio_10000_10']:.2f}{rng} | "
                      f"{pct(fl['tolerance'])} | {fl['target']} | {fl['verdict']} |")
        md.append('')
    if contention:
        md.append('Parallel creators of empty namespaces (workers 2 vs 1): ' + '; '.join(
            f"{c['kernel']}: per-call latency ×{c['latency_2_over_1']:.2f}, throughput "
            f"{c['ops_per_s_1']:,.0f} → {c['ops_per_s_2']:,.0f} ops/s "
            f"(×{c['throughput_2_over_1']:.2f})" for c in contention) +
            (f". The guest ran on {cpus[0]} CPU: two workers time-share it, so this shows the "
             "cost of interleaving, not lock contention between CPUs." if cpus == ['1'] else '.'))
        md.append('')
    missed = [a for a in agg.values() if a['verdict'] == 'missed']
    missed_flat = [fl for fl in flat if fl['verdict'] == 'missed']
    if missed or missed_flat:
        md.append('Missed targets: ' + '; '.join(
            [f"{a['case']}@{a['mounts']} ratio {a['ratio']:.3f} > 1 + {pct(a['tolerance'])}"
             for a in missed] +
            [f"{fl['label']} on {fl['kernel']}: 10 000/10 = {fl['ratio_10000_10']:.2f}"
             for fl in missed_flat]) + ' (needs a profile or an explanation).')
        md.append('')
    if problems:
        md.append('Problems: ' + '; '.join(problems))
        md.append('')
    if warnings:
        md.append('Warnings: ' + '; '.join(warnings) + '.')
        md.append('')
    md.append('![time vs parent mount count](mounts.png)')
    table = '\n'.join(md) + '\n'
    with open(os.path.join(bdir, 'table.md'), 'w') as f:
        f.write(table)

    plot(bdir, agg, levels, rounds)
    print(table)
    print(f'report: {bdir}/table.md, results.csv, results.json, mounts.png', file=sys.stderr)
    return 1 if problems else 0


def plot(bdir, agg, levels, rounds):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    colors = {'newns': 'tab:red', 'empty_unshare': 'tab:blue', 'empty_clone3': 'tab:green'}
    styles = {'vanilla': ('-', 'o'), 'patched': ('--', 's')}
    for kind, label in KINDS:
        for k in KERNELS:
            xs, ys, lo, hi = [], [], [], []
            for n in levels:
                a = agg.get((kind, n, 1))
                if not a or a[k]['median_ns'] is None:
                    continue
                m = a[k]['median_ns'] / 1000
                xs.append(n)
                ys.append(m)
                lo.append(m - a[k]['min_ns'] / 1000)
                hi.append(a[k]['max_ns'] / 1000 - m)
            if not xs:
                continue
            ls, mk = styles[k]
            ax.errorbar(xs, ys, yerr=[lo, hi], color=colors[kind], linestyle=ls, marker=mk,
                        capsize=3, markersize=5,
                        label=f"{label}, {k}")
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_xlabel('mounts in the parent namespace')
    ax.set_ylabel('µs per call (median of the round medians)')
    ax.set_title(f'Mount namespace creation vs parent mount count\n'
                 f'vanilla vs patched Linux 7.2, QEMU TCG, {len(rounds)} round(s); '
                 f'bars: min–max over rounds', fontsize=10)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=7.5, loc='upper left')
    fig.tight_layout()
    fig.savefig(os.path.join(bdir, 'mounts.png'))
    plt.close(fig)


if __name__ == '__main__':
    sys.exit(main())
