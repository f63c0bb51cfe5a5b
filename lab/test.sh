#!/usr/bin/env bash
# `make test`: build and boot each kernel of $KERNELS (default: vanilla, the reference; patched;
# norust, the patched tree without Rust), run every suite on each, and compare each with vanilla
# case by case. Prints each kernel's results, then one line over all of them:
# "N passed, N failed, N skipped". $T runs only the suites whose name contains it
# ("kunit": KUnit only).
. "$(dirname "$0")/common.sh"
lab_lock
KERNELS=${KERNELS:-vanilla patched norust}
T=${T:-}
if [ -n "$T" ]; then
	if [ "$T" = kunit ]; then export LAB_ONLY=@none@; else export LAB_ONLY=$T LAB_KUNIT=0; fi
fi
start=$(date +%s)
# shellcheck disable=SC2086
"$LAB_REPO/lab/prepare.sh" $KERNELS
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
case " $KERNELS " in *" vanilla "*) ref=(--ref "$LAB_HOME/runs/vanilla") ;; esac
for k in $KERNELS; do
	if [ "$k" = vanilla ]; then echo "=== vanilla (the reference) ==="; else echo "=== $k ==="; fi
	r=()
	[ "$k" = vanilla ] || r=("${ref[@]}")
	# A kernel built without KUnit (norust) is not compared on vanilla's KUnit cases.
	if [ ${#r[@]} -gt 0 ] && [[ " $(kernel_fragments "$k") " != *" kunit "* ]]; then
		r+=(--ref-skip kunit)
	fi
	"$LAB_REPO/lab/report.py" "$(kernel_src "$k")" "$LAB_HOME/runs/$k" --label "$k" --quiet "${r[@]}" || rc=1
done
log "total time: $(($(date +%s) - start)) s"
/usr/bin/env python3 - "$LAB_HOME/runs" $KERNELS <<'PY'
import json, os, sys
runs, kernels = sys.argv[1], sys.argv[2:]
tot = [0, 0, 0]
for k in kernels:
    s = json.load(open(os.path.join(runs, k, 'summary.json')))
    for i, f in enumerate(('passed', 'failed', 'skipped')):
        tot[i] += s[f]
print(f'{tot[0]} passed, {tot[1]} failed, {tot[2]} skipped')
PY
exit $rc
