#!/usr/bin/env bash
# `make test`: set up, assemble, build, boot and run every suite on each kernel of $KERNELS
# (default: vanilla, the reference, then patched), and print the patched kernel's summary line
# last. $T runs only the suites whose name contains it ("kunit": KUnit only).
. "$(dirname "$0")/common.sh"
KERNELS=${KERNELS:-vanilla patched}
T=${T:-}
if [ -n "$T" ]; then
	if [ "$T" = kunit ]; then export LAB_ONLY=@none@; else export LAB_ONLY=$T LAB_KUNIT=0; fi
fi
start=$(date +%s)
"$LAB_REPO/lab/setup.sh"
"$LAB_REPO/lab/assemble.sh"
for k in $KERNELS; do "$LAB_REPO/lab/build-kernel.sh" "$k"; done
"$LAB_REPO/lab/build-tests.sh"
"$LAB_REPO/lab/initramfs.sh"
for k in $KERNELS; do "$LAB_REPO/lab/vm.sh" "$k" test "$LAB_HOME/runs/$k"; done
# Host-side checks of the patched build count as the suite host/checks.
case " $KERNELS " in
*" patched "*)
	if [ -z "$T" ] || [[ host/checks == *"$T"* ]]; then
		{
			echo "# rvfs-run: host/checks"
			set +e
			"$LAB_REPO/lab/checks.sh"
			echo "# rvfs-exit: host/checks $?"
			set -e
		} >>"$LAB_HOME/runs/patched/results.log"
	fi
	;;
esac

rc=0
ref=()
for k in $KERNELS; do
	[ "$k" = patched ] && continue
	echo "=== $k (reference) ==="
	"$LAB_REPO/lab/report.py" "$(kernel_src "$k")" "$LAB_HOME/runs/$k" --label "$k" --quiet || rc=1
	ref=(--ref "$LAB_HOME/runs/$k")
done
log "total time: $(( $(date +%s) - start )) s"
case " $KERNELS " in
*" patched "*)
	echo "=== patched ==="
	"$LAB_REPO/lab/report.py" "$LAB_TREE" "$LAB_HOME/runs/patched" "${ref[@]}" --quiet || rc=1
	;;
esac
exit $rc
