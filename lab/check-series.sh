#!/usr/bin/env bash
# `make check-series`: lab/check-series.sh [FROM]
# Applies patches/ with `git am` to the base, in a work tree of its own ($LAB_HOME/series/check,
# kept between runs, with its build directories inside, so that ccache serves what the lab's
# builds compiled). After each patch, from number FROM on (default 1): checkpatch.pl --strict on
# the patch, and the kernel builds with the patched kernel's config (RUST=y) and the norust
# kernel's (RUST=n), each made with olddefconfig from the lab's fragments. At the end: rustfmtcheck,
# a CLIPPY=1 build of the Rust objects, rustdoc, and a sphinx-build -W of the two documentation
# pages. Prints one line per patch and a summary; exits non-zero on any failure. The exceptions to
# checkpatch that the cover letter names (in lab/checkpatch-patch.sh) are not failures.
. "$(dirname "$0")/common.sh"
lab_lock
from=${1:-1}
SERIES=$LAB_HOME/series
tree=$SERIES/check
log_dir=$SERIES/check-logs
"$LAB_REPO/lab/series.sh" import
BASE_TAG=v${BASE_VERSION%-*}

# Configs: the lab's own, made by lab/build-kernel.sh (run make test or make kernel first).
for k in patched norust; do
	[ -f "$(kernel_out $k)/.config" ] || die "no $k config: build the $k kernel first (make kernel BASE=$k)"
done

# A clone of the import sharing its objects, not a worktree of the bare import: checkpatch's SPDX
# check (scripts/spdxcheck.py, GitPython) refuses a worktree of a bare repository, and would then
# pass every license tag unchecked.
if [ ! -e "$tree/.git" ]; then
	rm -rf "$tree.git.tmp"
	git clone -q --shared --no-checkout "$SERIES/base.git" "$tree.git.tmp"
	mkdir -p "$tree"
	mv "$tree.git.tmp/.git" "$tree/.git"
	rmdir "$tree.git.tmp"
	git -C "$tree" reset -q "$BASE_TAG" # the index, without touching the files (or their times)
fi
git -C "$tree" fetch -q --tags "$SERIES/base.git"
# The series as commits, on a branch of their own (the work tree is moved patch by patch).
git -C "$tree" checkout -q -f --detach "$BASE_TAG"
# What an interrupted run left (the new files of its patches: Debian's .gitignore ignores every
# untracked file), not the build directories.
git -C "$tree" clean -fdqx -e /_build -e /_build-norust -e /_clippy
git -C "$tree" branch -q -f check "$BASE_TAG"
git -C "$tree" checkout -q check
mapfile -t patches < <(patch_files)
GIT_COMMITTER_DATE='2026-01-01 00:00:00 +0000' git -C "$tree" am -q --keep-cr "${patches[@]}" ||
	{ git -C "$tree" am --abort; die "git am of patches/ failed"; }
mapfile -t commits < <(git -C "$tree" rev-list --reverse "$BASE_TAG"..check)
[ ${#commits[@]} -eq ${#patches[@]} ] || die "${#patches[@]} patches gave ${#commits[@]} commits"

rm -rf "$log_dir"
mkdir -p "$log_dir"
start=$(date +%s)
fail=0
build() { # KIND COMMIT-INDEX
	local kind=$1 i=$2 out=$tree/_build
	[ "$kind" = norust ] && out=$tree/_build-norust
	mkdir -p "$out"
	cp "$(kernel_out "$kind")/.config" "$out/.config"
	kmake "$tree" "$out" -s olddefconfig >"$log_dir/$i-$kind.log" 2>&1 &&
		kmake "$tree" "$out" -s bzImage >>"$log_dir/$i-$kind.log" 2>&1
}

for i in "${!commits[@]}"; do
	n=$((i + 1))
	p=${patches[$i]}
	name=$(basename "$p")
	git -C "$tree" checkout -q --detach "${commits[$i]}"
	[ "$n" -ge "$from" ] || continue
	t0=$(date +%s)
	res=()
	# checkpatch, strict, on the patch as sent, but for the exceptions of lab/checkpatch-patch.sh.
	cp_msgs=$("$LAB_REPO/lab/checkpatch-patch.sh" "$tree" "$p" 2>&1 | tee "$log_dir/$n-checkpatch.log" || true)
	if [ -n "$cp_msgs" ]; then res+=("checkpatch FAILED"); fail=1; else res+=("checkpatch ok"); fi
	for kind in patched norust; do
		if build "$kind" "$n"; then
			res+=("$kind ok")
		else
			res+=("$kind FAILED")
			fail=1
		fi
	done
	# A build that succeeds may still warn: warnings fail a patch too.
	if grep -hE '^(warning|error)(\[|:)|: warning:' "$log_dir/$n-patched.log" "$log_dir/$n-norust.log" |
		grep -v 'objtool\|KSYM_NAME_LEN' >"$log_dir/$n-warnings.log"; then
		res+=("warnings FAILED")
		fail=1
	fi
	printf '%2d %-80s %s (%ss)\n' "$n" "${name:0:80}" "${res[*]}" "$(($(date +%s) - t0))"
	[ -z "$cp_msgs" ] || printf '%s\n' "$cp_msgs" | sed 's/^/     /'
	[ ! -s "$log_dir/$n-warnings.log" ] || sed 's/^/     /' "$log_dir/$n-warnings.log" | head -20
done

# The whole series: the Rust side's own checks, and the documentation.
out=$tree/_build
final() { # name command...
	local name=$1
	shift
	if "$@" >"$log_dir/final-$name.log" 2>&1; then
		echo "   $name ok"
	else
		echo "   $name FAILED (see $log_dir/final-$name.log)"
		tail -20 "$log_dir/final-$name.log" | sed 's/^/     /'
		fail=1
	fi
}
clippy() {
	local dir=$tree/_clippy
	mkdir -p "$dir"
	cp "$out/.config" "$dir/.config"
	kmake "$tree" "$dir" -s CLIPPY=1 olddefconfig rust/kernel.o fs/nullfs/nullfs.o fs/mntns/mntns.o 2>&1 | tee "$dir/clippy.log"
	! grep -qE '^(warning|error)' "$dir/clippy.log"
}
rustdoc() {
	kmake "$tree" "$out" -s rustdoc 2>&1 | tee "$log_dir/rustdoc.out"
	! grep -qE '^(warning|error)' "$log_dir/rustdoc.out"
}
docs() {
	local d
	d=$(mktemp -d)
	cp "$tree"/Documentation/filesystems/{mount-namespace-fd,move-mount-beneath}.rst "$d"/
	printf 'project = "rvfs"\nmaster_doc = "index"\n' >"$d/conf.py"
	printf '.. toctree::\n\n   mount-namespace-fd\n   move-mount-beneath\n' >"$d/index.rst"
	# The pages are listed in the filesystems index.
	grep -qx '   mount-namespace-fd' "$tree/Documentation/filesystems/index.rst" &&
		grep -qx '   move-mount-beneath' "$tree/Documentation/filesystems/index.rst" ||
		{ echo "a page is missing from Documentation/filesystems/index.rst"; return 1; }
	sphinx-build -q -W --keep-going -b html "$d" "$d/_html"
	local rc=$?
	rm -rf "$d"
	return $rc
}
echo "at the end of the series:"
final rustfmtcheck kmake "$tree" "$out" -s rustfmtcheck
final clippy clippy
final rustdoc rustdoc
final htmldocs docs
log "check-series: ${#commits[@]} patches in $(($(date +%s) - start)) s: $([ $fail -eq 0 ] && echo passed || echo FAILED) (logs in $log_dir)"
exit $fail
