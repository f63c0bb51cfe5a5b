#!/usr/bin/env bash
# Boot a kernel of the lab under QEMU with the lab's initramfs.
#   lab/vm.sh KERNEL MODE [OUTDIR]     KERNEL: a kind of lab/common.sh, MODE: test|demo|bench|shell
# test/demo/bench: console to OUTDIR/console.log, results to OUTDIR/results.log, batch, with a
# wall-clock limit (LAB_TIMEOUT, default 600 s: a few times a normal test run; a hang inside the
# guest ends it sooner, see lab/init). shell: console on this terminal.
#   LAB_QEMU_EXTRA   more QEMU arguments (e.g. a TCG plugin); LAB_SMP  vCPUs (default 2)
#   LAB_CPU          QEMU -cpu (default max); LAB_ACCEL  QEMU -accel under TCG (default
#                    tcg,thread=multi; -icount needs tcg,thread=single)
#   LAB_IMAGE, LAB_INITRD   another kernel image or initramfs
. "$(dirname "$0")/common.sh"
kind=${1:?kernel kind}
mode=${2:?test, demo, bench or shell}
outdir=${3:-$LAB_HOME/runs/$kind}
image=${LAB_IMAGE:-$(kernel_image "$kind")}
initrd=${LAB_INITRD:-$LAB_HOME/initramfs.cpio}
[ -f "$image" ] || die "no kernel image $image: build it first"
[ -f "$initrd" ] || die "no initramfs $initrd: run lab/initramfs.sh"

# KVM cannot run a stock guest on these machines: TCG unless asked for, and then only if usable.
accel=${LAB_ACCEL:-tcg,thread=multi}
if [ "${LAB_KVM:-0}" = 1 ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then accel=kvm; else log "LAB_KVM=1 but /dev/kvm is not usable: TCG"; fi
fi
append="console=ttyS0 panic=-1 rdinit=/init rvfs.mode=$mode ${LAB_ONLY:+rvfs.only=$LAB_ONLY} ${LAB_KUNIT:+kunit.enable=$LAB_KUNIT} ${LAB_APPEND:-}"
# shellcheck disable=SC2206
qemu=(qemu-system-x86_64 -accel "$accel" -cpu "${LAB_CPU:-max}" -smp "${LAB_SMP:-2}" -m 2G -no-reboot
	-nodefaults -kernel "$image" -initrd "$initrd" -append "$append" ${LAB_QEMU_EXTRA:-})

if [ "$mode" = shell ]; then
	"${qemu[@]}" -display none -serial mon:stdio -serial null
	exit
fi

mkdir -p "$outdir"
rm -f "$outdir/console.log" "$outdir/results.log"
timeout=${LAB_TIMEOUT:-600}
log "$kind: booting ($mode, accel=${accel%%,*}, limit ${timeout}s)"
start=$(date +%s)
set +e
# --foreground keeps QEMU in this terminal's process group, so that Ctrl-C reaches it. QEMU exits
# 0 on SIGINT ("terminating on signal 2"), so bash would carry on: the trap records it.
interrupted=
trap 'interrupted=1' INT TERM
timeout --foreground -k 10 "$timeout" "${qemu[@]}" -display none -monitor none \
	-serial file:"$outdir/console.log" -serial file:"$outdir/results.log" </dev/null
rc=$?
trap - INT TERM
set -e
if [ -n "$interrupted" ]; then
	echo "# rvfs-interrupted" >>"$outdir/results.log"
	log "$kind: interrupted; the VM is gone"
	exit 130
fi
echo $(($(date +%s) - start)) >"$outdir/seconds"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	log "$kind: the VM timed out after ${timeout}s"
	echo "# rvfs-vm-timeout: ${timeout}s" >>"$outdir/results.log"
elif [ $rc -ne 0 ]; then
	log "$kind: qemu exited with $rc"
	echo "# rvfs-qemu-exit: $rc" >>"$outdir/results.log"
fi
log "$kind: VM ran $(cat "$outdir/seconds") s"
