#!/usr/bin/env bash
# `make difftest`: the differential test alone (lab/difftest/rvfs-difftest.c). Builds the kernels
# as `make test` does (lab/prepare.sh, without the suites), boots each with nothing but the
# differential test, and compares every kernel's traces with the first kernel's, seed by seed.
#   make difftest                          the CI seeds, on vanilla and patched
#   make difftest SEEDS=1-500              other seeds: N, A-B, and lists of them ("7,100-120")
#   make difftest KERNELS="vanilla norust" other kernels (the first is the reference)
# A difference fails and is printed: the seed, the step, the program up to it with both results,
# and both states. Results per kernel in $LAB_HOME/runs/difftest/<kernel>/ (results.log holds
# the traces, difftest-diff.txt every difference, cases.json one case per seed).
# DIFFTEST_BUILD=0 boots the kernels and the initramfs as they are, without building.
. "$(dirname "$0")/../common.sh"
lab_lock
read -ra kernels <<<"${DIFFTEST_KERNELS:-vanilla patched}"
# The CI seeds are lab/init's default; one place says which.
ci_seeds=$(sed -n 's/^difftest_seeds=\([^ ]*\).*/\1/p' "$LAB_REPO/lab/init")
seeds=${SEEDS:-$ci_seeds}
[[ $seeds =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] ||
	die "SEEDS=$seeds: numbers and ranges separated by commas (\"1-40\", \"7,100-120\")"
n=0
IFS=, read -ra parts <<<"$seeds"
for p in "${parts[@]}"; do
	if [[ $p == *-* ]]; then
		[ "${p#*-}" -ge "${p%-*}" ] || die "SEEDS: empty range $p"
		n=$((n + ${p#*-} - ${p%-*} + 1))
	else
		n=$((n + 1))
	fi
done
# A seed takes 2-4 s under TCG; the limits leave several times that, and the boot.
limit=$((120 + 15 * n))
export LAB_TIMEOUT=${LAB_TIMEOUT:-$((limit + 240))}

start=$(date +%s)
if [ "${DIFFTEST_BUILD:-1}" != 0 ]; then
	LAB_TESTS=0 "$LAB_REPO/lab/prepare.sh" "${kernels[@]}"
fi
log "difftest: $n seeds ($seeds) on ${kernels[*]}"
for k in "${kernels[@]}"; do
	LAB_ONLY=difftest LAB_KUNIT=0 \
		LAB_APPEND="${LAB_APPEND:-} rvfs.difftest=$seeds rvfs.difftest_timeout=$limit" \
		"$LAB_REPO/lab/vm.sh" "$k" test "$LAB_HOME/runs/difftest/$k"
done

rc=0
ref=()
tot=(0 0 0)
for k in "${kernels[@]}"; do
	"$LAB_REPO/lab/report.py" "$(kernel_src "$k")" "$LAB_HOME/runs/difftest/$k" --label "$k" \
		--quiet "${ref[@]}" || rc=1
	read -r p f s < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["passed"], d["failed"], d["skipped"])' "$LAB_HOME/runs/difftest/$k/summary.json")
	tot=($((tot[0] + p)) $((tot[1] + f)) $((tot[2] + s)))
	[ ${#ref[@]} -gt 0 ] || ref=(--ref "$LAB_HOME/runs/difftest/$k")
done
log "difftest: $(($(date +%s) - start)) s"
echo "${tot[0]} passed, ${tot[1]} failed, ${tot[2]} skipped"
exit $rc
