#!/usr/bin/env bash
# `make mutants`: mutation testing of fs/mntns/, fs/nullfs/ and their C wrappers (fs/namespace.c).
#   make mutants                    every mutant of lab/mutants.txt
#   make mutants M=id[,id...]       a subset (shell patterns too: M='nullfs-*')
#   make mutants CHECK=1            only check that every edit applies exactly once and compiles
#                                   (the objects alone, no kernel image, no boot)
#   lab/mutants.sh [--check] [ID...]    the same, by hand
#
# Each mutant of lab/mutants.txt removes or weakens one decision of the code. The runner works on
# a scratch copy of the assembled patched tree, $LAB_HOME/mutants/tree: its sources are hard links
# to $LAB_HOME/tree, made afresh on every run (a mutated file is replaced, never written in place,
# so the assembled tree never changes), and its build directory a copy of $LAB_HOME/tree/_build,
# made once (again when the kernel's config changes) and then built incrementally: a mutant costs
# the compile of its object and the link. $LAB_HOME/tree/_build is only read.
#
# The full run: the scratch kernel unmutated (the baseline) boots with KUnit, every suite and
# the union of the mutants' difftest seeds; then per mutant: apply the edit, build (a mutant that
# does not compile, or compiles to the same object, is an error of the list, not a kill), boot
# with KUnit and the suites listed for it (all without a list), the difftest seeds listed (the CI
# seeds without a list) traced against vanilla's (one vanilla boot, cached), count with
# lab/report.py, restore the file. A case that passes on the baseline and not on the mutant kills
# it, and so does a kernel report (lab/splats.py), named. A mutant marked "equivalent" that
# survives is not a failure. Results in $LAB_HOME/mutants/runs/<time>/ ($LAB_HOME/mutants/latest):
# table.md, and per mutant m/<id>/ (build.log, console.log, results.log, cases.json, result.json).
# Exit status: 0 when every mutant is killed (or equivalent), 1 otherwise.
#
# The kernel is the assembled tree as it is ($LAB_HOME/tree, never assembled here): after changing
# the code, `make tree` (or `make test`), then `make mutants CHECK=1` checks the list against it;
# a run refuses a tree older than patches/ or than the repo's copy of a mutated file.
# Holds the lab lock for the whole run: other lab runs wait (hours for the whole list).
#   MUTANTS_LIST        another list (default lab/mutants.txt)
#   MUTANTS_STALE_OK=1  take the assembled tree as it is, even if older than the repo's code
#   LAB_TIMEOUT         the VM limit per boot (default 600 s plus 15 s per difftest seed)
. "$(dirname "$0")/common.sh"

check=${MUTANTS_CHECK:-}
ids=${MUTANTS_IDS:-}
while [ $# -gt 0 ]; do
	case $1 in
	--check) check=1 ;;
	-*) die "unknown option $1 (usage: lab/mutants.sh [--check] [ID...])" ;;
	*) ids=${ids:+$ids,}$1 ;;
	esac
	shift
done
[ "$check" = 0 ] && check=
# `make mutants M=... CHECK=...` puts M= and CHECK= into MAKEFLAGS: Kbuild must not see them
# (M= builds an external module there, CHECK= names the sparse checker).
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL M CHECK MUTANTS_IDS MUTANTS_CHECK

list=${MUTANTS_LIST:-$LAB_REPO/lab/mutants.txt}
S=$LAB_HOME/mutants/tree
[ "$S" != "$LAB_TREE" ] || die "the scratch tree cannot be the assembled tree"
initrd_base=$LAB_HOME/initramfs.cpio
vanilla_image=$(kernel_image vanilla)
# The CI seeds of the differential test: lab/init's default (as lab/difftest/run.sh reads it).
ci_seeds=$(sed -n 's/^difftest_seeds=\([^ ]*\).*/\1/p' "$LAB_REPO/lab/init")

# The list, the seeds, the reference traces, the verdicts and the table.
read -r -d '' PY <<'PY' || true
import fnmatch, hashlib, json, os, re, shutil, sys

KEYS = ('file', 'decision', 'from', 'to', 'suites', 'seeds', 'equivalent')
SEEDS_RE = re.compile(r'^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$')


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s) and s[i + 1] in 'nt\\':
            out.append({'n': '\n', 't': '\t', '\\': '\\'}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return ''.join(out)


def seeds_set(spec):
    out = set()
    for p in spec.split(','):
        a, _, b = p.partition('-')
        out.update(range(int(a), int(b or a) + 1))
    return out


def seeds_spec(seeds):
    """A set of seeds as ranges: {1, 2, 3, 7} -> "1-3,7"."""
    out, run = [], []
    for s in sorted(seeds):
        if run and s == run[-1] + 1:
            run.append(s)
            continue
        if run:
            out.append(f'{run[0]}-{run[-1]}' if len(run) > 1 else f'{run[0]}')
        run = [s]
    if run:
        out.append(f'{run[0]}-{run[-1]}' if len(run) > 1 else f'{run[0]}')
    return ','.join(out)


def object_of(path):
    """The object Kbuild builds from a source: a C file's own, a Rust file's crate root's."""
    d, b = os.path.split(path)
    stem, ext = os.path.splitext(b)
    if ext == '.c':
        return os.path.join(d, stem + '.o')
    if ext == '.rs':
        return os.path.join(d, os.path.basename(d) + '.o')
    return None


def parse(path, ci_seeds):
    muts, errs, cur = [], [], None
    with open(path) as f:
        lines = f.read().split('\n')
    for no, line in enumerate(lines, 1):
        if line.startswith('#'):
            continue
        if not line.strip():
            cur = None
            continue
        m = re.match(r'^\[([a-z0-9][a-z0-9-]*)\]$', line)
        if m:
            cur = {'id': m.group(1), 'line': no}
            muts.append(cur)
            continue
        key, sep, val = line.partition(':')
        if cur is None:
            errs.append(f'{path}:{no}: outside a [id] stanza: {line}')
        elif not sep or key not in KEYS:
            errs.append(f'{path}:{no}: [{cur["id"]}]: unknown line (keys: {", ".join(KEYS)})')
        elif key in cur:
            errs.append(f'{path}:{no}: [{cur["id"]}]: {key} given twice')
        else:
            cur[key] = val.strip()
    seen = set()
    for m in muts:
        where = f'{path}:{m["line"]}: [{m["id"]}]'
        if m['id'] in seen:
            errs.append(f'{where}: the id is used twice')
        seen.add(m['id'])
        for k in ('file', 'decision', 'from', 'to'):
            if k not in m:
                errs.append(f'{where}: no {k}')
        if not m.get('from'):
            continue
        m['from'], m['to'] = unescape(m['from']), unescape(m['to'] if 'to' in m else '')
        if m['from'] == m['to']:
            errs.append(f'{where}: from and to are the same')
        m['object'] = object_of(m['file'])
        if m['object'] is None:
            errs.append(f'{where}: {m["file"]}: only .c and .rs files')
        s = m.get('seeds', '')
        if s == 'none':
            m['seeds'] = ''
        elif not s:
            m['seeds'] = ci_seeds
        elif SEEDS_RE.match(s):
            m['seeds'] = seeds_spec(seeds_set(s))
        else:
            errs.append(f'{where}: seeds: "none", or numbers and ranges ("1-40", "7,100-120")')
        s = m.get('suites', '')
        if s == 'none':
            m['suites'] = []
        elif not s:
            m['suites'] = None
        else:
            m['suites'] = [x.strip() for x in s.split(',')]
            if not all(re.match(r'^[A-Za-z0-9_.+/-]+$', x) for x in m['suites']):
                errs.append(f'{where}: suites: "none", or T= filter values separated by commas')
    return muts, errs


def load(path):
    with open(path) as f:
        return json.load(f)


def find(muts, mid):
    return next(m for m in muts if m['id'] == mid)


def cmd_select(lst, patterns, out, ci_seeds):
    muts, errs = parse(lst, ci_seeds)
    for e in errs:
        print(e, file=sys.stderr)
    if errs:
        return 1
    if patterns:
        pats = [p.strip() for p in patterns.split(',') if p.strip()]
        for p in pats:
            if not any(fnmatch.fnmatchcase(m['id'], p) for m in muts):
                print(f'M={patterns}: no mutant matches "{p}"', file=sys.stderr)
                return 1
        muts = [m for m in muts if any(fnmatch.fnmatchcase(m['id'], p) for p in pats)]
    with open(out, 'w') as f:
        json.dump(muts, f, indent=1)
    return 0


def cmd_manifest(js):
    for m in load(js):
        suites = '*' if m['suites'] is None else (','.join(m['suites']) or '-')
        print('\t'.join((m['id'], m['file'], m['object'], suites, m['seeds'] or '-',
                         '1' if m.get('equivalent') else '0')))
    return 0


def cmd_count(js, root):
    """How often each mutant's text occurs in its file under root: one line per mutant."""
    bad = 0
    for m in load(js):
        try:
            with open(os.path.join(root, m['file'])) as f:
                n = f.read().count(m['from'])
        except FileNotFoundError:
            n = -1
        print(f'{m["id"]}\t{n}')
        bad += n != 1
    return 1 if bad else 0


def cmd_apply(js, mid, src, dst):
    m = find(load(js), mid)
    with open(src) as f:
        text = f.read()
    n = text.count(m['from'])
    if n != 1:
        print(f'{m["file"]}: the text to replace occurs {n} times, not once', file=sys.stderr)
        return 2
    with open(dst, 'w') as f:
        f.write(text.replace(m['from'], m['to'], 1))
    shutil.copymode(src, dst)
    return 0


def cmd_union(*specs):
    seeds = set()
    for s in specs:
        if s and s != '-':
            seeds |= seeds_set(s)
    print(seeds_spec(seeds) or '-')
    return 0


def cmd_count_seeds(spec):
    print(0 if spec in ('', '-') else len(seeds_set(spec)))
    return 0


def cmd_klist(src, suites, out):
    """The installed suites' list, only the suites matching a T= value of suites ("-": none)."""
    want = [] if suites == '-' else suites.split(',')
    with open(src) as f, open(out, 'w') as o:
        for line in f:
            suite = line.split(':', 1)[0]
            if any(w in suite for w in want):
                o.write(line)
    return 0


def cmd_ref(vdir, spec, out, labdir):
    """vanilla's difftest run cut to the seeds of spec: the reference of one mutant's run."""
    sys.path.insert(0, os.path.join(labdir, 'difftest'))
    import compare
    seeds = seeds_set(spec)
    with open(os.path.join(vdir, 'results.log'), errors='replace') as f:
        lines = f.read().replace('\r', '').splitlines()
    keep = []
    for line in compare.difftest_lines(lines):
        m = compare.TRACE_RE.match(line) or compare.RESULT_RE.match(line)
        if m and int(m.group(1) if m.re is compare.TRACE_RE else m.group(2)) not in seeds:
            continue
        keep.append(line)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'results.log'), 'w') as f:
        f.write(f'# rvfs-run: {compare.PROG}\n' + '\n'.join(keep) +
                f'\n# rvfs-exit: {compare.PROG} 0\n# rvfs-done\n')
    cases = load(os.path.join(vdir, 'cases.json'))
    pre = compare.PROG + '/seed-'
    cases = {n: s for n, s in cases.items() if n.startswith(pre) and int(n[len(pre):]) in seeds}
    with open(os.path.join(out, 'cases.json'), 'w') as f:
        json.dump(cases, f, indent=1, sort_keys=True)
    missing = seeds - {int(n[len(pre):]) for n in cases}
    if missing:
        print(f'vanilla has no trace of seeds {seeds_spec(missing)}', file=sys.stderr)
        return 1
    return 0


def short(name):
    """A case's name without what repeats: kunit/<suite>/<case>, <program>/<case>."""
    if name.startswith('kunit/main/'):
        return 'kunit/' + name[len('kunit/main/'):]
    if name.startswith('filesystems/'):
        return name.split('/', 2)[2]
    return name


def splat_of(summary):
    for p in summary.get('problems', []):
        m = re.search(r'kernel splat line\(s\) on the console, during (.*?); first: (.*)$', p)
        if m:
            return f'splat during {m.group(1)}: {m.group(2)[:120]}'
    return None


def cmd_judge(js, mid, base, mdir, build_s, boot_s):
    """Killed, survived or equivalent: the cases that pass on the baseline and not here."""
    m = find(load(js), mid)
    bcases = load(os.path.join(base, 'cases.json'))
    cases = load(os.path.join(mdir, 'cases.json'))
    summary = load(os.path.join(mdir, 'summary.json'))
    # the first difference of each seed whose trace differs from vanilla's
    why = {}
    for p in summary.get('problems', []):
        d = re.match(r'difftest: seed (\d+) differs at (step \d+: .*?)(?: \(against [^)]*\))?$', p)
        if d:
            why[f'difftest/rvfs-difftest/seed-{d.group(1)}'] = d.group(2)

    def order(n):
        group = 0 if n.startswith('<') else 1 if n.startswith('kunit') else \
            3 if n.startswith('difftest/') else 2
        return (group, [int(x) if x.isdigit() else x for x in re.split(r'(\d+)', n)])
    killers = []
    for n in sorted(cases, key=order):
        s = cases[n]
        b = bcases.get(n)
        if n == '<vm>/<splat>' or s == 'SUCCESS':
            continue
        if b is None and s == 'SKIPPED':
            continue
        if b is not None and b != 'SUCCESS':
            # failed or skipped on the baseline: it cannot kill
            continue
        killers.append(short(n) + ('' if s == 'FAILURE' else f' ({s.lower()})') +
                       (f' ({why[n]})' if n in why else ''))
    splat = splat_of(summary)
    if splat and bcases.get('<vm>/<splat>') != 'FAILURE':
        killers.insert(0, splat)
    status = 'killed' if killers else ('equivalent' if m.get('equivalent') else 'survived')
    if killers and m.get('equivalent'):
        killers.append('(marked equivalent in the list: wrongly)')
    res = {'id': mid, 'file': m['file'], 'decision': m['decision'], 'status': status,
           'by': killers, 'build_s': int(build_s), 'boot_s': int(boot_s),
           'problems': summary.get('problems', [])}
    with open(os.path.join(mdir, 'result.json'), 'w') as f:
        json.dump(res, f, indent=1)
    print(f'{mid}: {status}' + (f' by {by_text(killers)}' if killers else ''))
    return 0


def by_text(killers, n=3):
    more = len(killers) - n
    return ', '.join(killers[:n]) + (f' (+{more} more)' if more > 0 else '')


def cmd_result(js, mid, mdir, status, detail, build_s='0', boot_s='0'):
    m = find(load(js), mid)
    res = {'id': mid, 'file': m['file'], 'decision': m['decision'], 'status': status,
           'by': [detail] if detail else [], 'build_s': int(build_s), 'boot_s': int(boot_s)}
    os.makedirs(mdir, exist_ok=True)
    with open(os.path.join(mdir, 'result.json'), 'w') as f:
        json.dump(res, f, indent=1)
    print(f'{mid}: {status}' + (f': {detail}' if detail else ''))
    return 0


def md(s):
    return s.replace('|', '\\|').replace('\n', ' ')


def cmd_table(js, run, out, head):
    muts = load(js)
    rows, counts, times = [], {}, []
    for m in muts:
        try:
            r = load(os.path.join(run, 'm', m['id'], 'result.json'))
        except FileNotFoundError:
            r = {'status': 'not run', 'by': [], 'build_s': 0, 'boot_s': 0}
        counts[r['status']] = counts.get(r['status'], 0) + 1
        if r['status'] in ('killed', 'survived', 'equivalent') and r['boot_s']:
            times.append(r['build_s'] + r['boot_s'])
        by = by_text(r['by'], 4) if r['status'] != 'equivalent' else \
            'equivalent: ' + m.get('equivalent', '')
        if r['status'] == 'equivalent' and r['by']:
            by = by_text(r['by'], 4) + '; equivalent: ' + m.get('equivalent', '')
        rows.append(f'| `{m["id"]}` | `{m["file"]}` | {md(m["decision"])} | **{r["status"]}** | '
                    f'{md(by)} | {r["build_s"]} + {r["boot_s"]} s |')
    lines = [head.replace('\\n', '\n'), '',
             'Result: ' + ', '.join(f'{v} {k}' for k, v in sorted(counts.items())) +
             (f'; per mutant built and booted: {min(times)}-{max(times)} s, '
              f'mean {sum(times) // len(times)} s' if times else ''), '',
             '| mutant | file | decision (and the mutant) | result | by which case(s) | build + boot |',
             '| --- | --- | --- | --- | --- | --- |'] + rows
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    bad = sum(v for k, v in counts.items() if k not in ('killed', 'equivalent'))
    return 1 if bad else 0


def cmd_sha(path):
    with open(path, 'rb') as f:
        print(hashlib.sha256(f.read()).hexdigest())
    return 0


cmds = {'select': cmd_select, 'manifest': cmd_manifest, 'count': cmd_count, 'apply': cmd_apply,
        'union': cmd_union, 'nseeds': cmd_count_seeds, 'klist': cmd_klist, 'ref': cmd_ref,
        'judge': cmd_judge, 'result': cmd_result, 'table': cmd_table, 'sha': cmd_sha}
sys.exit(cmds[sys.argv[1]](*sys.argv[2:]))
PY
py() { python3 -c "$PY" "$@"; }

lab_lock
start=$(date +%s)
[ -f "$LAB_TREE/_build/.config" ] && [ -f "$LAB_TREE/.rvfs-tree" ] ||
	die "no assembled patched tree with a build in $LAB_TREE: run make test (or make kernel) first"
mkdir -p "$LAB_HOME/mutants/runs"
run=$LAB_HOME/mutants/runs/$(date +%Y%m%d-%H%M%S)${check:+-check}
mkdir -p "$run/m"
[ -n "$check" ] || ln -sfn "runs/${run##*/}" "$LAB_HOME/mutants/latest"
py select "$list" "$ids" "$run/mutants.json" "$ci_seeds" || die "$list: fix the list"
mapfile -t manifest < <(py manifest "$run/mutants.json")
[ ${#manifest[@]} -gt 0 ] || die "no mutant selected"
declare -A m_file m_obj m_suites m_seeds m_equiv
order=()
for line in "${manifest[@]}"; do
	IFS=$'\t' read -r id file obj suites seeds equiv <<<"$line"
	order+=("$id")
	m_file[$id]=$file m_obj[$id]=$obj m_suites[$id]=$suites m_seeds[$id]=$seeds m_equiv[$id]=$equiv
done
files=$(printf '%s\n' "${m_file[@]}" | sort -u)
objects=$(printf '%s\n' "${m_obj[@]}" | sort -u)
log "mutants: ${#order[@]} of $list${ids:+ (M=$ids)}; results in $run"

# The kernel is built from the assembled tree as it is (this script never assembles it), which
# must hold the repo's current code: a list checked against other code would mean nothing. A
# mutated file the repo holds at its kernel path must equal the tree's (CHECK=1 checks the repo's
# copy instead), and no patch may be newer than the tree's last assembly (lab/assemble.sh writes
# .rvfs-touched last). MUTANTS_STALE_OK=1 takes the tree as it is.
stale=()
for f in $files; do
	[ -f "$LAB_REPO/$f" ] || continue
	cmp -s "$LAB_REPO/$f" "$LAB_TREE/$f" || stale+=("$f")
done
newer=$(find "$LAB_REPO/patches" -type f -newer "$LAB_TREE/.rvfs-touched" -print -quit 2>/dev/null || true)
if [ "${MUTANTS_STALE_OK:-}" != 1 ]; then
	[ -z "$newer" ] || die "patches/ changed since $LAB_TREE was assembled (${newer##*/} is newer): make tree (or make test) first"
	[ ${#stale[@]} -eq 0 ] || [ -n "$check" ] ||
		die "the assembled tree is older than the working tree for ${stale[*]}: make tree (or make test) first"
fi

# --- The scratch tree -------------------------------------------------------------------------
# Sources: hard links to the assembled tree (not its build directories, _*), made afresh (a
# mutated file is a copy of its own).
# Build directory: copied once, then incremental. Kbuild's Rust command lines name the absolute
# object tree, so the first build here rebuilds the Rust objects once; the C is unchanged.
stamp="$(cat "$LAB_TREE/.rvfs-tree") $(cat "$LAB_TREE/_build/.rvfs-config" 2>/dev/null) $(sha256sum <"$LAB_TREE/_build/.config" | cut -d' ' -f1)"
t=$(date +%s)
mkdir -p "$S"
find "$S" -mindepth 1 -maxdepth 1 ! -name _build ! -name .rvfs-mutants-build ! -name .rvfs-mutants-dirty \
	-exec rm -rf {} +
(cd "$LAB_TREE" && find . -mindepth 1 -maxdepth 1 ! -name '_*' -print0 |
	xargs -0 cp -al -t "$S")
if [ ! -f "$S/_build/.config" ] || [ "$(cat "$S/.rvfs-mutants-build" 2>/dev/null)" != "$stamp" ]; then
	log "copying the patched kernel's build directory to $S/_build (once per config)"
	rm -rf "$S/_build" "$S/.rvfs-mutants-dirty"
	cp -a "$LAB_TREE/_build" "$S/_build"
	echo "$stamp" >"$S/.rvfs-mutants-build"
fi
# Objects built from a mutated source by an earlier run: the sources are the assembled tree's
# again, older than these objects, so Kbuild would keep them. Removed, they are rebuilt.
if [ -f "$S/.rvfs-mutants-dirty" ]; then
	sort -u "$S/.rvfs-mutants-dirty" | while read -r o; do rm -f "$S/_build/$o"; done
	rm -f "$S/.rvfs-mutants-dirty"
fi
log "scratch tree ready in $(($(date +%s) - t)) s"

# A mutated file replaces the link (rename); restoring writes the original again as a new file,
# newer than the mutant's object, so that the next build recompiles it.
declare -A orig
for f in $files; do
	orig[$f]=$run/orig/$f
	mkdir -p "$(dirname "${orig[$f]}")"
	cp "$S/$f" "${orig[$f]}"
done
if [ ${#stale[@]} -gt 0 ]; then
	log "CHECK against the working tree: ${stale[*]} differ from the assembled tree (make tree assembles them)"
	for f in "${stale[@]}"; do
		cp "$LAB_REPO/$f" "${orig[$f]}"
		cp "$LAB_REPO/$f" "$S/$f.mutant" && mv -f "$S/$f.mutant" "$S/$f"
	done
	for id in "${order[@]}"; do
		for f in "${stale[@]}"; do
			[ "${m_file[$id]}" = "$f" ] && echo "${m_obj[$id]}" >>"$S/.rvfs-mutants-dirty"
		done
	done
fi
mutated=
restore() {
	[ -n "$mutated" ] || return 0
	cp "${orig[$mutated]}" "$S/$mutated.restore" && mv -f "$S/$mutated.restore" "$S/$mutated"
	mutated=
}
apply() { # id: the mutated file replaces the scratch tree's
	local id=$1 f=${m_file[$1]}
	echo "${m_obj[$id]}" >>"$S/.rvfs-mutants-dirty"
	py apply "$run/mutants.json" "$id" "${orig[$f]}" "$S/$f.mutant" || { rm -f "$S/$f.mutant"; return 1; }
	mv -f "$S/$f.mutant" "$S/$f"
	mutated=$f
}
trap 'restore' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }
mtime() { stat -c %y "$1" 2>/dev/null || echo none; }
first_error() { grep -m1 -E '^error|error:|Error [0-9]' "$1" | cut -c1-200; }

# Every edit applies exactly once to the sources it will be made in.
mapfile -t counts < <(py count "$run/mutants.json" "$S" || true)
declare -A applies
nbad=0
for c in "${counts[@]}"; do
	IFS=$'\t' read -r id n <<<"$c"
	applies[$id]=$n
	if [ "$n" != 1 ]; then
		nbad=$((nbad + 1))
		log "$id: the text to replace occurs $n times in ${m_file[$id]}, not once"
	fi
done

# --- CHECK=1: apply and compile each, no image, no boot ---------------------------------------
if [ -n "$check" ]; then
	t=$(date +%s)
	# shellcheck disable=SC2086
	kmake "$S" "$S/_build" -s $objects >"$run/build-unmutated.log" 2>&1 ||
		die "the unmutated objects do not build (see $run/build-unmutated.log): $(first_error "$run/build-unmutated.log")"
	declare -A base_sha
	for o in $objects; do base_sha[$o]=$(sha "$S/_build/$o"); done
	log "unmutated objects built in $(($(date +%s) - t)) s: $(echo $objects)"
	rc=0
	for id in "${order[@]}"; do
		o=${m_obj[$id]}
		if [ "${applies[$id]}" != 1 ]; then
			echo "$id: ERROR: the text to replace occurs ${applies[$id]} times in ${m_file[$id]}"
			rc=1
			continue
		fi
		t=$(date +%s)
		apply "$id" || { echo "$id: ERROR: does not apply"; rc=1; continue; }
		before=$(mtime "$S/_build/$o")
		if ! kmake "$S" "$S/_build" -s "$o" >"$run/m/$id.build.log" 2>&1; then
			echo "$id: ERROR: does not compile: $(first_error "$run/m/$id.build.log") ($run/m/$id.build.log)"
			rc=1
		elif [ "$(mtime "$S/_build/$o")" = "$before" ]; then
			echo "$id: ERROR: $o was not rebuilt"
			rc=1
		elif [ "$(sha "$S/_build/$o")" = "${base_sha[$o]}" ]; then
			if [ "${m_equiv[$id]}" = 1 ]; then
				echo "$id: ok, equivalent: compiles to the same object ($(($(date +%s) - t)) s)"
			else
				echo "$id: ERROR: compiles to the same object as the original: the edit changes no code"
				rc=1
			fi
		else
			echo "$id: ok, compiles ($(($(date +%s) - t)) s)"
		fi
		restore
	done
	# Restored, the objects build again, and are the ones the unmutated sources gave (Rust and C
	# objects are reproducible here), so the same-object verdict above means what it says.
	# shellcheck disable=SC2086
	kmake "$S" "$S/_build" -s $objects >"$run/build-restored.log" 2>&1 || die "the restored objects do not build"
	for o in $objects; do
		if [ "$(sha "$S/_build/$o")" != "${base_sha[$o]}" ]; then
			log "$o: the restored source built another object than before: the build is not reproducible"
		elif [ ${#stale[@]} -eq 0 ]; then
			# Built from the assembled tree's sources again: no longer dirty.
			sed -i "\|^$o\$|d" "$S/.rvfs-mutants-dirty" 2>/dev/null || true
		fi
	done
	[ ${#stale[@]} -eq 0 ] || log "checked against the working tree's ${stale[*]}; make test assembles them"
	log "CHECK: ${#order[@]} mutants in $(($(date +%s) - start)) s; $([ $rc = 0 ] && echo "all apply once and compile" || echo "errors above")"
	exit $rc
fi

# --- The full run ---------------------------------------------------------------------------
[ -f "$initrd_base" ] || die "no initramfs $initrd_base: run make test first"
image=$S/_build/arch/x86/boot/bzImage

# The initramfs of a run: the lab's, with an overlay archive appended (the kernel unpacks both,
# the second over the first) that replaces the list of suites to run and, without seeds,
# disables the differential test (lab/init runs it only if executable).
initrd_for() { # suites seeds -> path
	local suites=$1 seeds=$2 key dir
	if [ "$suites" = '*' ] && [ "$seeds" != - ]; then
		echo "$initrd_base"
		return
	fi
	key=$(echo "$suites $([ "$seeds" = - ] && echo nodifftest)" | sha256sum | cut -c1-12)
	dir=$run/initrd/$key
	if [ ! -f "$dir.cpio" ]; then
		mkdir -p "$dir"
		{
			if [ "$suites" != '*' ]; then
				py klist "$LAB_HOME/tests/kselftest-list.txt" "$suites" "$dir/kselftest-list.txt"
				echo "file /tests/kselftest-list.txt $dir/kselftest-list.txt 644 0 0"
			fi
			if [ "$seeds" = - ]; then
				: >"$dir/empty"
				echo "file /bin/rvfs-difftest $dir/empty 644 0 0"
			fi
		} >"$dir/list"
		"$LAB_TOOLS/bin/gen_init_cpio" -t 1767225600 "$dir/list" >"$dir/overlay.cpio"
		cat "$initrd_base" "$dir/overlay.cpio" >"$dir.cpio"
	fi
	echo "$dir.cpio"
}

# One boot of the scratch kernel: dir suites seeds
boot() {
	local dir=$1 suites=$2 seeds=$3 n append=
	n=$(py nseeds "$seeds")
	[ "$seeds" = - ] || append="rvfs.difftest=$seeds rvfs.difftest_timeout=$((120 + 15 * n))"
	LAB_IMAGE=$image LAB_INITRD=$(initrd_for "$suites" "$seeds") LAB_APPEND="${LAB_APPEND:-} $append" \
		LAB_TIMEOUT=${LAB_TIMEOUT:-$((600 + 15 * n))} "$LAB_REPO/lab/vm.sh" patched test "$dir"
}

# Counted by lab/report.py, against vanilla's traces of the same seeds.
count() { # dir seeds label
	local dir=$1 seeds=$2 ref=()
	if [ "$seeds" != - ]; then
		py ref "$vref" "$seeds" "$dir/ref" "$LAB_REPO/lab" || die "no vanilla trace for seeds $seeds"
		ref=(--ref "$dir/ref")
	fi
	"$LAB_REPO/lab/report.py" "$S" "$dir" --label "$3" --quiet "${ref[@]}" >"$dir/report.txt" 2>&1 || true
	[ -f "$dir/cases.json" ] || die "lab/report.py failed on $dir (see $dir/report.txt)"
}

# The baseline build: the scratch kernel unmutated, then a second build that must be a no-op.
t=$(date +%s)
before=$(mtime "$S/_build/vmlinux")
kmake "$S" "$S/_build" -s bzImage >"$run/build-baseline.log" 2>&1 ||
	die "the unmutated scratch kernel does not build (see $run/build-baseline.log)"
relinked=$([ "$(mtime "$S/_build/vmlinux")" = "$before" ] && echo "nothing rebuilt" || echo "rebuilt")
log "baseline kernel: $relinked in $(($(date +%s) - t)) s"
t=$(date +%s)
before=$(mtime "$S/_build/vmlinux")
kmake "$S" "$S/_build" -s bzImage >>"$run/build-baseline.log" 2>&1 || die "the second build failed"
[ "$(mtime "$S/_build/vmlinux")" = "$before" ] ||
	die "a second build of the unchanged scratch tree relinked vmlinux: Kbuild is not incremental here"
log "a second build of the unchanged scratch tree is a no-op ($(($(date +%s) - t)) s)"
declare -A base_sha
for o in $objects; do base_sha[$o]=$(sha "$S/_build/$o"); done

# vanilla's traces of every seed of the run: one boot, kept while its kernel, initramfs and
# seeds are the same.
useeds=$(py union "${m_seeds[@]}")
vref=$LAB_HOME/mutants/vanilla-ref
if [ "$useeds" != - ]; then
	[ -f "$vanilla_image" ] || die "no vanilla kernel $vanilla_image: run make test first"
	vstamp="$(sha "$vanilla_image") $(sha "$initrd_base") $useeds"
	if [ "$(cat "$vref/stamp" 2>/dev/null)" != "$vstamp" ]; then
		t=$(date +%s)
		n=$(py nseeds "$useeds")
		rm -rf "$vref"
		mkdir -p "$vref"
		LAB_ONLY=difftest LAB_KUNIT=0 LAB_INITRD=$initrd_base \
			LAB_APPEND="${LAB_APPEND:-} rvfs.difftest=$useeds rvfs.difftest_timeout=$((120 + 15 * n))" \
			LAB_TIMEOUT=${LAB_TIMEOUT:-$((240 + 15 * n))} "$LAB_REPO/lab/vm.sh" vanilla test "$vref"
		"$LAB_REPO/lab/report.py" "$LAB_VANILLA" "$vref" --label vanilla --quiet >"$vref/report.txt" 2>&1 ||
			die "vanilla's difftest run failed (see $vref/report.txt)"
		echo "$vstamp" >"$vref/stamp"
		log "vanilla's traces of seeds $useeds in $(($(date +%s) - t)) s"
	else
		log "vanilla's traces of seeds $useeds: kept from an earlier run"
	fi
fi

# The baseline run: KUnit, every suite, every seed of the run.
t=$(date +%s)
base=$run/baseline
mkdir -p "$base"
boot "$base" '*' "$useeds"
count "$base" "$useeds" baseline
base_s=$(($(date +%s) - t))
base_line=$(tail -n 1 "$base/report.txt" | sed 's/^baseline: //')
log "baseline: $base_line ($base_s s)"
python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(1 if c.get("<vm>/<done>", "SUCCESS") != "SUCCESS" else 0)' "$base/cases.json" ||
	die "the baseline run did not finish (see $base/report.txt)"
if ! grep -q ' 0 failed' <<<"$base_line"; then
	log "the baseline has failures: those cases cannot kill a mutant (see $base/report.txt)"
fi

# --- Each mutant ---
i=0
for id in "${order[@]}"; do
	i=$((i + 1))
	d=$run/m/$id
	mkdir -p "$d"
	o=${m_obj[$id]}
	if [ "${applies[$id]}" != 1 ]; then
		py result "$run/mutants.json" "$id" "$d" error "the text to replace occurs ${applies[$id]} times in ${m_file[$id]}"
		continue
	fi
	log "[$i/${#order[@]}] $id: ${m_file[$id]}"
	t=$(date +%s)
	apply "$id" || { py result "$run/mutants.json" "$id" "$d" error "does not apply"; continue; }
	before=$(mtime "$S/_build/$o")
	if ! kmake "$S" "$S/_build" -s bzImage >"$d/build.log" 2>&1; then
		restore
		py result "$run/mutants.json" "$id" "$d" error "does not compile: $(first_error "$d/build.log")" $(($(date +%s) - t))
		continue
	fi
	build_s=$(($(date +%s) - t))
	if [ "$(mtime "$S/_build/$o")" = "$before" ]; then
		restore
		py result "$run/mutants.json" "$id" "$d" error "$o was not rebuilt" "$build_s"
		continue
	fi
	if [ "$(sha "$S/_build/$o")" = "${base_sha[$o]}" ]; then
		restore
		if [ "${m_equiv[$id]}" = 1 ]; then
			py result "$run/mutants.json" "$id" "$d" equivalent "compiles to the same object" "$build_s"
		else
			py result "$run/mutants.json" "$id" "$d" error "compiles to the same object: the edit changes no code" "$build_s"
		fi
		continue
	fi
	t=$(date +%s)
	boot "$d" "${m_suites[$id]}" "${m_seeds[$id]}"
	restore
	count "$d" "${m_seeds[$id]}" "$id"
	py judge "$run/mutants.json" "$id" "$base" "$d" "$build_s" $(($(date +%s) - t))
done
restore

head="## make mutants: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$LAB_REPO" rev-parse --short HEAD)"
# shellcheck disable=SC2086
if [ -n "$(git -C "$LAB_REPO" status --porcelain -- $files patches lab/mutants.txt 2>/dev/null)" ]; then
	head+=" (with uncommitted changes in the mutated files, the patches or the list)"
fi
base_failed=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(", ".join(n for n, s in sorted(c.items()) if s not in ("SUCCESS", "SKIPPED")))' "$base/cases.json")
head+="\\n\\n${#order[@]} mutants of lab/mutants.txt${ids:+ (M=$ids)}; baseline (KUnit, every suite, difftest seeds $useeds): $base_line, $base_s s${base_failed:+ (failing there, so unable to kill: $base_failed)}; whole run $(($(date +%s) - start)) s."
set +e
py table "$run/mutants.json" "$run" "$run/table.md" "$head"
rc=$?
set -e
cat "$run/table.md"
log "table: $run/table.md"
exit $rc
