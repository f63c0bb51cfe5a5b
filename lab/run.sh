#!/usr/bin/env bash
# `make run`, `make demo`, `make shell`: build the patched kernel (lab/prepare.sh) and boot it.
#   lab/run.sh demo    the demo in batch: its output here, the boot log in a file the output names
#   lab/run.sh shell   the demo, then a shell in the VM on this terminal (`exit` or `poweroff` ends it)
#   lab/run.sh auto    shell on a terminal, demo otherwise (CI=true, or stdin/stdout not a tty)
# KUnit is off and the kernel quiet, so the demo is not buried in the boot log.
. "$(dirname "$0")/common.sh"
mode=${1:-auto}
kind=${BASE:-patched}
if [ "$mode" = auto ]; then
	if [ -t 0 ] && [ -t 1 ] && [ "${CI:-}" != true ]; then mode=shell; else mode=demo; fi
fi
export LAB_KUNIT=0 LAB_APPEND="${LAB_APPEND:-} quiet"
lab_lock
LAB_TESTS=0 "$LAB_REPO/lab/prepare.sh" "$kind"
case $mode in
demo)
	out=$LAB_HOME/runs/demo-$kind
	"$LAB_REPO/lab/vm.sh" "$kind" demo "$out"
	cat "$out/results.log"
	echo "(boot log of the VM: $out/console.log)"
	grep -q '^=== end of demo ===' "$out/results.log" || die "the demo did not finish (see $out/console.log)"
	;;
shell)
	# The VM may run for long: boot copies, and let other lab runs go on meanwhile.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	cp "$(kernel_image "$kind")" "$tmp/bzImage"
	cp "$LAB_HOME/initramfs.cpio" "$tmp/initramfs.cpio"
	exec 9>&-
	LAB_IMAGE=$tmp/bzImage LAB_INITRD=$tmp/initramfs.cpio "$LAB_REPO/lab/vm.sh" "$kind" shell
	;;
*) die "unknown mode $mode (demo, shell or auto)" ;;
esac
