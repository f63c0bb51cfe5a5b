#!/usr/bin/env bash
# Boot a kernel under QEMU with the lab's initramfs.
#   lab/vm.sh KERNEL MODE [OUTDIR]     KERNEL: patched|vanilla, MODE: test|demo|shell
# test/demo: console to OUTDIR/console.log, suite results to OUTDIR/results.log, batch, with a
# wall-clock timeout. shell: console on this terminal.
. "$(dirname "$0")/common.sh"
kind=${1:?patched or vanilla}
mode=${2:?test, demo or shell}
outdir=${3:-$LAB_HOME/runs/$kind}
image=$(kernel_out "$kind")/arch/x86/boot/bzImage
initrd=$LAB_HOME/initramfs.cpio
[ -f "$image" ] || die "no kernel image $image: build it first"
[ -f "$initrd" ] || die "no initramfs $initrd: run lab/initramfs.sh"

# KVM cannot run a stock guest on these machines: TCG unless asked for, and then only if usable.
accel=tcg,thread=multi
if [ "${LAB_KVM:-0}" = 1 ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then accel=kvm; else log "LAB_KVM=1 but /dev/kvm is not usable: TCG"; fi
fi
append="console=ttyS0 panic=-1 rdinit=/init rvfs.mode=$mode ${LAB_ONLY:+rvfs.only=$LAB_ONLY} ${LAB_KUNIT:+kunit.enable=$LAB_KUNIT} ${LAB_APPEND:-}"
qemu=(qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m 2G -no-reboot -nodefaults
	-kernel "$image" -initrd "$initrd" -append "$append")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -display none -serial mon:stdio -serial null
fi

mkdir -p "$outdir"
rm -f "$outdir/console.log" "$outdir/results.log"
timeout=${LAB_TIMEOUT:-1500}
log "$kind: booting ($mode, accel=${accel%%,*}, timeout ${timeout}s)"
start=$(date +%s)
set +e
timeout -k 10 "$timeout" "${qemu[@]}" -display none -monitor none \
	-serial file:"$outdir/console.log" -serial file:"$outdir/results.log" </dev/null
rc=$?
set -e
echo $(( $(date +%s) - start )) >"$outdir/seconds"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	log "$kind: the VM timed out after ${timeout}s"
	echo "# rvfs-timeout: ${timeout}s" >>"$outdir/results.log"
elif [ $rc -ne 0 ]; then
	log "$kind: qemu exited with $rc"
	echo "# rvfs-qemu-exit: $rc" >>"$outdir/results.log"
fi
log "$kind: VM ran $(cat "$outdir/seconds") s"
