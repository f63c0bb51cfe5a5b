#!/usr/bin/env bash
# `make bench`: vanilla against patched 7.2 with the in-VM benchmark lab/bench/rvfs-bench.c, on the
# production-like kernels bench-vanilla and bench-patched (same config, same QEMU settings, same
# initramfs and binary). Builds what is missing with the lab's own scripts, then measures in two
# modes:
#   icount  exact guest instruction counts of every measured call (rvfs-bench --icount and the TCG
#           plugin lab/bench/icount.c, built here): each kernel booted BENCH_ICOUNT_BOOTS times
#           (default 2) under `-icount shift=0,sleep=off`, one vCPU, a fixed RTC, no RDRAND/RDSEED,
#           `nokaslr norandmaps`, so that a boot repeats the last one instruction for instruction;
#           the first boot of each kernel also takes the per-function histogram (its System.map).
#           Every case but parallel_empty with 2 workers, which one vCPU cannot run in parallel.
#   wall    wall-clock times under multi-threaded TCG with 2 vCPUs, BENCH_ROUNDS rounds,
#           alternating the order (vanilla first in odd rounds, patched first in even ones) so that
#           drift hits both: the parallel creators (1 and 2 workers), which icount cannot measure,
#           or every case (BENCH_WALL_ONLY=).
# Results go to $LAB_HOME/bench/<timestamp>/: icount/<kernel>-boot<N>/{results,console}.log and
# plugin.out, round<N>/<kernel>/{results,console}.log, table.md, results.csv, results.json,
# mounts.png; $LAB_HOME/bench/latest points at the newest run. The report compares the counts with
# those of the run before, which must be identical when it measured the same kernels and initramfs
# (their checksums are in <run>/inputs).
#   BENCH_MODE=M          both (default), icount or wall
#   BENCH_ICOUNT_BOOTS=N  boots per kernel in icount mode (default 2; the report checks that they
#                         gave identical counts)
#   BENCH_JOBS=N          icount VMs at once (default: the number of CPUs; the counts do not depend
#                         on the host's load)
#   BENCH_ROUNDS=N        wall-clock rounds (default 20 with BENCH_MODE=both, 3 with wall)
#   BENCH_WALL_ONLY=S     wall mode: only the cases whose name contains S (default "parallel" with
#                         BENCH_MODE=both, every case with wall)
#   BENCH_SCALE=F         scale every iteration count of the benchmark by F (default 1)
#   BENCH_BUILD=0         skip set-up and builds: use the kernels and initramfs as they are
#   BENCH_TIMEOUT=S       wall-clock limit per VM run (default 900 s; icount runs: 1800 s)
. "$(dirname "$0")/common.sh"
mode=${BENCH_MODE:-both}
case $mode in
both) rounds=${BENCH_ROUNDS:-20} wall_only=${BENCH_WALL_ONLY-parallel} ;;
wall) rounds=${BENCH_ROUNDS:-3} wall_only=${BENCH_WALL_ONLY-} ;;
icount) rounds=0 wall_only= ;;
*) die "BENCH_MODE must be both, icount or wall" ;;
esac
boots=${BENCH_ICOUNT_BOOTS:-2}
jobs=${BENCH_JOBS:-$(nproc)}
[[ $rounds =~ ^[0-9]+$ ]] && { [ "$mode" = icount ] || [ "$rounds" -gt 0 ]; } ||
	die "BENCH_ROUNDS must be a positive integer"
[[ $boots =~ ^[1-9][0-9]*$ ]] || die "BENCH_ICOUNT_BOOTS must be a positive integer"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "BENCH_JOBS must be a positive integer"
[[ $wall_only =~ ^[A-Za-z0-9_]*$ ]] || die "BENCH_WALL_ONLY: a part of a case name"
start=$(date +%s)

lab_lock
if [ "${BENCH_BUILD:-1}" != 0 ]; then
	LAB_TESTS=0 LAB_SETUP_ARGS=--bench "$LAB_REPO/lab/prepare.sh" bench-vanilla bench-patched
fi
for k in bench-vanilla bench-patched; do
	[ -f "$(kernel_image "$k")" ] || die "no $k kernel: build it first"
	[ -f "$(kernel_out "$k")/System.map" ] || die "no $(kernel_out "$k")/System.map"
done
bench_bin=$LAB_HOME/initramfs/bin/rvfs-bench
initrd=$LAB_HOME/initramfs-bench.cpio
[ -x "$bench_bin" ] && [ -f "$initrd" ] || die "no rvfs-bench in the initramfs: run lab/initramfs.sh"
for f in "$LAB_REPO/lab/bench/rvfs-bench.c" "$LAB_REPO/lab/init"; do
	[ "$f" -ot "$initrd" ] || log "warning: $f is newer than $initrd: run lab/initramfs.sh"
done

# The TCG plugin of the icount mode; QEMU's plugin API is declared in its source (see there).
plugin=$LAB_TOOLS/lib/icount.so
if [ "$mode" != wall ] && { [ ! -f "$plugin" ] || [ "$plugin" -ot "$LAB_REPO/lab/bench/icount.c" ]; }; then
	mkdir -p "$LAB_TOOLS/lib"
	gcc -shared -fPIC -O2 -Wall -Werror -o "$plugin.new" "$LAB_REPO/lab/bench/icount.c"
	mv "$plugin.new" "$plugin"
fi

# The newest earlier run with instruction counts, for the report to compare them with (none in a
# new $LAB_HOME: find must not fail the pipeline there).
mkdir -p "$LAB_HOME/bench"
prev=$(find "$LAB_HOME/bench" -mindepth 2 -maxdepth 2 -name icount -type d | sort | tail -n 1)
prev=${prev%/icount}
out=$LAB_HOME/bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
# Under TCG the guest reads the host's TSC; calibrate it here, where CLOCK_MONOTONIC is fine.
[ "$mode" = icount ] || "$bench_bin" --calibrate >"$out/host-tsc"
scale_args=${BENCH_SCALE:+,--scale,$BENCH_SCALE}
# The icount runs' additions to the kernel command line (lab/vm.sh adds them to its own).
icount_append="${LAB_APPEND:-} nokaslr norandmaps rvfs.bench_args=--icount$scale_args"
# The inputs of the guest, by checksum: two runs with the same ones must give the same counts.
inputs() {
	local k
	for k in bench-vanilla bench-patched; do
		echo "$k-bzImage $(sha256sum <"$(kernel_image "$k")" | cut -d' ' -f1)"
		echo "$k-System.map $(sha256sum <"$(kernel_out "$k")/System.map" | cut -d' ' -f1)"
	done
	echo "initramfs-bench.cpio $(sha256sum <"$initrd" | cut -d' ' -f1)"
	echo "icount-append $(printf %s "$icount_append" | sha256sum | cut -d' ' -f1)"
	echo "icount.c $(sha256sum <"$LAB_REPO/lab/bench/icount.c" | cut -d' ' -f1)"
}
inputs >"$out/inputs"
LAB_REPO=$LAB_REPO OUT=$out MODE=$mode ROUNDS=$rounds BOOTS=$boots WALL_ONLY=$wall_only \
	SCALE=${BENCH_SCALE:-1} /usr/bin/python3 - <<'EOF'
import json, os, platform, subprocess
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ''
cpu = sh("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1")
mem = sh("awk '/MemTotal/ {printf \"%.0f GiB RAM\", $2/1048576}' /proc/meminfo")
e = os.environ
meta = {
    'host': {'cpu': cpu, 'cores': os.cpu_count(), 'mem': mem,
             'kernel': f'Linux {platform.release()}',
             'virtualized': 'hypervisor' in open('/proc/cpuinfo').read()},
    'qemu': sh('qemu-system-x86_64 --version | head -1').replace('QEMU emulator version ', ''),
    'accel': 'tcg' if e.get('LAB_KVM', '0') != '1' else 'kvm (if usable)',
    'mode': e['MODE'], 'rounds': int(e['ROUNDS']), 'icount_boots': int(e['BOOTS']),
    'wall_only': e['WALL_ONLY'], 'scale': e['SCALE'],
    'inputs': dict(line.split() for line in open(os.path.join(e['OUT'], 'inputs'))),
    'repo_commit': sh(f"git -C {e['LAB_REPO']} rev-parse HEAD"),
    'repo_dirty': bool(sh(f"git -C {e['LAB_REPO']} status --porcelain")),
}
json.dump(meta, open(os.path.join(e['OUT'], 'meta.json'), 'w'), indent=1)
EOF

# KUnit off: it runs before init and only lengthens the boot.
export LAB_KUNIT=0 LAB_INITRD=$initrd
unset LAB_ONLY

# icount: one vCPU, deterministic guest (virtual time from the instruction count, fixed RTC, no
# hardware random numbers, no address randomisation), the plugin counting between the markers.
icount_boot() {	# KERNEL BOOT#
	local k=$1 b=$2 dir=$out/icount/$1-boot$2 hist= qemu
	[ "$b" = 1 ] && hist=",symbols=$(kernel_out "bench-$k")/System.map"
	qemu="-icount shift=0,sleep=off -rtc base=2026-01-01T00:00:00,clock=vm"
	qemu+=" -plugin $plugin,out=$dir/plugin.out$hist"
	mkdir -p "$dir"
	LAB_ACCEL=tcg,thread=single LAB_SMP=1 LAB_CPU=max,-rdrand,-rdseed LAB_QEMU_EXTRA=$qemu \
		LAB_APPEND=$icount_append \
		LAB_TIMEOUT=${BENCH_TIMEOUT:-1800} "$LAB_REPO/lab/vm.sh" "bench-$k" bench "$dir"
	grep -q '^bench-end' "$dir/results.log" ||
		log "icount $k boot $b: the benchmark did not finish (see $dir/console.log)"
}
if [ "$mode" != wall ]; then
	t0=$(date +%s)
	for b in $(seq 1 "$boots"); do
		for k in vanilla patched; do
			while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
			log "bench icount: $k boot $b/$boots"
			icount_boot "$k" "$b" &
		done
	done
	wait
	echo $(($(date +%s) - t0)) >"$out/icount/seconds"
	log "bench icount: $((2 * boots)) boot(s) in $(cat "$out/icount/seconds") s ($jobs at once)"
fi

# The host's load during a VM run: busy CPUs (QEMU alone keeps about one busy) and the heavy
# processes running when it starts. Another build or VM on this machine skews the figures.
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
heavy() { ps -eo pid=,comm= | awk '$2 ~ /^(cc1|cc1plus|clang|clang-[0-9]+|rustc|ld\.lld|qemu-system-.*|cargo)$/ { printf "%s%s(%s)", sep, $2, $1; sep = " " }'; }

if [ "$mode" != icount ]; then
	t0=$(date +%s)
	export LAB_TIMEOUT=${BENCH_TIMEOUT:-900}
	export LAB_APPEND="${LAB_APPEND:-}${wall_only:+ rvfs.bench_args=--only,$wall_only$scale_args}"
	[ -n "$wall_only" ] || LAB_APPEND+="${BENCH_SCALE:+ rvfs.bench_args=--scale,$BENCH_SCALE}"
	for r in $(seq 1 "$rounds"); do
		if [ $((r % 2)) = 1 ]; then order="vanilla patched"; else order="patched vanilla"; fi
		for k in $order; do
			log "bench wall round $r/$rounds: $k"
			busy=$(heavy)
			[ -z "$busy" ] || log "warning: the host is busy ($busy): the figures of this run will be noisy"
			read -r b0 t0r < <(cpu_ticks)
			"$LAB_REPO/lab/vm.sh" "bench-$k" bench "$out/round$r/$k"
			read -r b1 t1r < <(cpu_ticks)
			awk -v b="$((b1 - b0))" -v t="$((t1r - t0r))" -v n="$(nproc)" -v h="$busy" \
				'BEGIN { printf "busy_cpus=%.2f of %d\nheavy_at_start=%s\n", t ? n * b / t : 0, n, h }' \
				>"$out/round$r/$k/host-load"
			grep -q '^bench-end' "$out/round$r/$k/results.log" ||
				log "round $r $k: the benchmark did not finish (see $out/round$r/$k/console.log)"
		done
	done
	echo $(($(date +%s) - t0)) >"$out/wall-seconds"
	log "bench wall: $rounds round(s) in $(cat "$out/wall-seconds") s"
fi
ln -sfn "$(basename "$out")" "$LAB_HOME/bench/latest"
echo $(($(date +%s) - start)) >"$out/seconds"
log "bench: done in $(cat "$out/seconds") s"
LAB_HOME=$LAB_HOME /usr/bin/python3 "$LAB_REPO/lab/bench/report.py" "$out" --tree "$LAB_TREE" \
	${prev:+--previous "$prev"}
