#!/usr/bin/env bash
# `make bench`: vanilla against patched 7.2 with the in-VM benchmark lab/bench/rvfs-bench.c.
# Builds what is missing with the lab's own scripts, then boots both kernels (same config, same
# QEMU settings, same initramfs and binary) for BENCH_ROUNDS rounds (default 3), alternating the
# order: vanilla first in odd rounds, patched first in even ones, so drift hits both. Results go
# to $LAB_HOME/bench/<timestamp>/ (round<N>/<kernel>/{results,console}.log, table.md,
# results.csv, results.json, mounts.png); $LAB_HOME/bench/latest points at the newest run.
#   BENCH_ROUNDS=N     rounds (default 3)
#   BENCH_SCALE=F      scale every iteration count of the benchmark by F (default 1)
#   BENCH_BUILD=0      skip set-up and builds: use the kernels and initramfs as they are
#   BENCH_TIMEOUT=S    wall-clock limit per VM run (default 900 s)
. "$(dirname "$0")/common.sh"
rounds=${BENCH_ROUNDS:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
start=$(date +%s)

lab_lock
if [ "${BENCH_BUILD:-1}" != 0 ]; then
	LAB_TESTS=0 LAB_SETUP_ARGS=--bench "$LAB_REPO/lab/prepare.sh" bench-vanilla bench-patched
fi
for k in bench-vanilla bench-patched; do
	[ -f "$(kernel_image "$k")" ] || die "no $k kernel: build it first"
done
bench_bin=$LAB_HOME/initramfs/bin/rvfs-bench
[ -x "$bench_bin" ] && [ -f "$LAB_HOME/initramfs.cpio" ] ||
	die "no rvfs-bench in the initramfs: run lab/initramfs.sh"


out=$LAB_HOME/bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
# Under TCG the guest reads the host's TSC; calibrate it here, where CLOCK_MONOTONIC is fine.
"$bench_bin" --calibrate >"$out/host-tsc"
LAB_REPO=$LAB_REPO OUT=$out ROUNDS=$rounds SCALE=${BENCH_SCALE:-1} /usr/bin/python3 - <<'EOF'
import json, os, platform, subprocess
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ''
cpu = sh("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1")
mem = sh("awk '/MemTotal/ {printf \"%.0f GiB RAM\", $2/1048576}' /proc/meminfo")
meta = {
    'host': {'cpu': cpu, 'cores': os.cpu_count(), 'mem': mem,
             'kernel': f'Linux {platform.release()}',
             'virtualized': 'hypervisor' in open('/proc/cpuinfo').read()},
    'qemu': sh('qemu-system-x86_64 --version | head -1').replace('QEMU emulator version ', ''),
    'accel': 'tcg' if os.environ.get('LAB_KVM', '0') != '1' else 'kvm (if usable)',
    'rounds': int(os.environ['ROUNDS']), 'scale': os.environ['SCALE'],
    'repo_commit': sh(f"git -C {os.environ['LAB_REPO']} rev-parse HEAD"),
    'repo_dirty': bool(sh(f"git -C {os.environ['LAB_REPO']} status --porcelain")),
}
json.dump(meta, open(os.path.join(os.environ['OUT'], 'meta.json'), 'w'), indent=1)
EOF

# The host's load during a VM run: busy CPUs (QEMU alone keeps about one busy) and the heavy
# processes running when it starts. Another build or VM on this machine skews the figures.
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
heavy() { ps -eo pid=,comm= | awk '$2 ~ /^(cc1|cc1plus|clang|clang-[0-9]+|rustc|ld\.lld|qemu-system-.*|cargo)$/ { printf "%s%s(%s)", sep, $2, $1; sep = " " }'; }

# KUnit off: it runs before init and only lengthens the boot.
export LAB_KUNIT=0 LAB_TIMEOUT=${BENCH_TIMEOUT:-900}
export LAB_APPEND="${LAB_APPEND:-}${BENCH_SCALE:+ rvfs.bench_args=--scale,$BENCH_SCALE}"
unset LAB_ONLY
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then order="vanilla patched"; else order="patched vanilla"; fi
	for k in $order; do
		log "bench round $r/$rounds: $k"
		busy=$(heavy)
		[ -z "$busy" ] || log "warning: the host is busy ($busy): the figures of this run will be noisy"
		read -r b0 t0 < <(cpu_ticks)
		"$LAB_REPO/lab/vm.sh" "bench-$k" bench "$out/round$r/$k"
		read -r b1 t1 < <(cpu_ticks)
		awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" -v n="$(nproc)" -v h="$busy" \
			'BEGIN { printf "busy_cpus=%.2f of %d\nheavy_at_start=%s\n", t ? n * b / t : 0, n, h }' \
			>"$out/round$r/$k/host-load"
		grep -q '^bench-end' "$out/round$r/$k/results.log" ||
			log "round $r $k: the benchmark did not finish (see $out/round$r/$k/console.log)"
	done
done
ln -sfn "$(basename "$out")" "$LAB_HOME/bench/latest"
log "bench: $rounds round(s) in $(($(date +%s) - start)) s"
LAB_HOME=$LAB_HOME /usr/bin/python3 "$LAB_REPO/lab/bench/report.py" "$out" \
	--repo "$LAB_REPO" --tree "$LAB_TREE"
