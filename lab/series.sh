#!/usr/bin/env bash
# The patch set as a git series. patches/ holds it, as `git format-patch` wrote it: the cover letter
# (0000) and one file per patch, applied in the order of their numbers. It is the only source of
# the kernel side of this repository; these commands move it between patches/ and git.
#
#   lab/series.sh import        the base as a git repository: $LAB_HOME/series/base.git, one commit of
#                               the unpacked base, tagged v$BASE_VERSION (made once)
#   lab/series.sh tree [DIR]    a git work tree of the base with the series applied by `git am`, on
#                               the branch rvfs (default $LAB_HOME/series/work; kept if it exists:
#                               edit there, commit, then `export`)
#   lab/series.sh export [DIR]  write patches/ from the commits of DIR since the base tag
#                               (`git format-patch`, cover letter from the branch description)
#   lab/series.sh write [OUT]   `make series`: apply patches/ to a fresh work tree and write the
#                               series again into OUT (default $LAB_HOME/series/out); fails unless
#                               OUT equals patches/ and the tree's files equal the lab's patched tree
#   lab/series.sh check [FROM]  `make check-series`: after every patch (from patch FROM on), the
#                               kernel builds with the patched config (RUST=y) and with the norust
#                               config (RUST=n), and checkpatch.pl --strict is clean on the patch;
#                               at the end, rustfmtcheck, a CLIPPY=1 build, rustdoc and the two
#                               documentation pages
. "$(dirname "$0")/common.sh"

SERIES=$LAB_HOME/series
BASE_GIT=$SERIES/base.git
BASE_TAG=v${BASE_VERSION%-*}
# Reproducible commits: the identity of the series and a fixed date.
export GIT_AUTHOR_NAME=${LAB_IDENTITY%% <*} GIT_AUTHOR_EMAIL=${LAB_IDENTITY##*<}
GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL%>}
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_COMMITTER_DATE='2026-01-01 00:00:00 +0000'
gitq() { git -c advice.detachedHead=false -c core.autocrlf=false "$@"; }

import() {
	[ -f "$BASE_GIT/rvfs-imported" ] && [ "$(cat "$BASE_GIT/rvfs-imported")" = "$BASE_VERSION" ] && return
	[ -f "$LAB_PRISTINE/.rvfs-unpacked" ] || die "base not unpacked: run lab/setup.sh"
	log "series: importing $BASE_PKG $BASE_VERSION into $BASE_GIT"
	rm -rf "$BASE_GIT"
	mkdir -p "$SERIES"
	gitq init -q --bare "$BASE_GIT"
	# Debian's .gitignore ignores everything at the top level: add by force, but not our marker.
	gitq --git-dir="$BASE_GIT" --work-tree="$LAB_PRISTINE" add -f -A -- . ':!.rvfs-unpacked'
	GIT_AUTHOR_DATE=$GIT_COMMITTER_DATE gitq --git-dir="$BASE_GIT" --work-tree="$LAB_PRISTINE" \
		commit -q -m "Linux ${BASE_VERSION%-*} ($BASE_PKG $BASE_VERSION)"
	gitq --git-dir="$BASE_GIT" tag "$BASE_TAG"
	echo "$BASE_VERSION" >"$BASE_GIT/rvfs-imported"
}

# A fresh work tree at the base tag (a `git worktree` of the base repository).
new_tree() {
	local dir=$1
	[ ! -e "$dir" ] || die "$dir exists"
	gitq --git-dir="$BASE_GIT" worktree prune
	gitq --git-dir="$BASE_GIT" worktree add -q --detach "$dir" "$BASE_TAG"
}

# The subject and blurb of a cover letter, without what format-patch adds (the "[PATCH 00/N]" of
# the subject, the shortlog and the diffstat): the branch description it was written from.
cover_blurb() { # COVER-LETTER-PATCH
	python3 - "$1" <<'PY'
import email, sys
msg = email.message_from_file(open(sys.argv[1]))
subject = ' '.join(msg['Subject'].split())
subject = subject.split('] ', 1)[1] if subject.startswith('[') else subject
body = msg.get_payload()
# Drop what format-patch adds (shortlog and diffstat) after the blurb: from the first "Rust VFS" line
# of `git shortlog` output, which starts with the author and the number of patches.
body = body.split('\n\n' + msg['From'].split(' <')[0] + ' (', 1)[0].rstrip() + '\n'
print(subject + '\n\n' + body, end='')
PY
}

# Apply patches/ to the work tree $1 on a new branch rvfs.
apply_series() {
	local dir=$1
	gitq -C "$dir" checkout -q -B rvfs "$BASE_TAG"
	# shellcheck disable=SC2046
	gitq -C "$dir" am -q --keep-cr $(patch_files) ||
		{ gitq -C "$dir" am --abort 2>/dev/null; die "git am of patches/ failed in $dir"; }
	# The cover letter becomes the description of the branch, for export.
	gitq -C "$dir" config branch.rvfs.description "$(cover_blurb "$LAB_REPO/patches/0000-cover-letter.patch")"
}

# The README shows the cover letter: its subject and body, between two marker lines, in a text
# block. `export` writes it there; `write` (make series) fails if it differs from the series'.
README_COVER_BEGIN='<!-- the cover letter, patches/0000-cover-letter.patch: written by make series-export -->'
README_COVER_END='<!-- end of the cover letter -->'
cover_text() { # COVER-LETTER-PATCH: its subject and blurb, as the README shows them
	local blurb
	blurb=$(cover_blurb "$1") || return 1
	printf '```text\n%s\n```\n' "$blurb"
}
readme_cover() { # print the README's copy of the cover letter
	sed -n "\|^$README_COVER_BEGIN\$|,\|^$README_COVER_END\$|p" "$LAB_REPO/README.md" | sed '1d;$d'
}
readme_cover_write() { # COVER-LETTER-PATCH
	local new
	new=$(cover_text "$1") || die "cannot read the cover letter $1"
	grep -qxF "$README_COVER_BEGIN" "$LAB_REPO/README.md" || die "README.md has no marker line: $README_COVER_BEGIN"
	COVER="$new" python3 - "$LAB_REPO/README.md" "$README_COVER_BEGIN" "$README_COVER_END" <<'PY'
import os, sys
path, begin, end = sys.argv[1:]
lines = open(path).read().split('\n')
b = lines.index(begin)
e = lines.index(end, b)
lines[b + 1:e] = os.environ['COVER'].split('\n')
open(path, 'w').write('\n'.join(lines))
PY
}

export_series() { # DIR OUT
	local dir=$1 out=$2 n
	n=$(gitq -C "$dir" rev-list --count "$BASE_TAG"..HEAD)
	[ "$n" -gt 0 ] || die "no commits on top of $BASE_TAG in $dir"
	gitq -C "$dir" config branch.rvfs.description >/dev/null ||
		die "the branch of $dir has no description (the cover letter): git config branch.rvfs.description"
	rm -rf "$out.new"
	gitq -C "$dir" format-patch -q --zero-commit --no-signature --numbered --cover-letter \
		--cover-from-description=subject --encode-email-headers -o "$out.new" "$BASE_TAG"..HEAD
	mkdir -p "$out"
	rm -f "$out"/[0-9][0-9][0-9][0-9]-*.patch
	mv "$out.new"/*.patch "$out"/
	rmdir "$out.new"
	log "series: $n patches and the cover letter written to $out"
}

case ${1:-} in
import)
	lab_lock
	import
	;;
tree)
	lab_lock
	import
	dir=${2:-$SERIES/work}
	if [ -d "$dir/.git" ] || [ -f "$dir/.git" ]; then
		log "series: $dir exists; left as it is (remove it for a fresh one)"
	else
		new_tree "$dir"
		apply_series "$dir"
		log "series: $(gitq -C "$dir" rev-list --count "$BASE_TAG"..HEAD) patches applied in $dir (branch rvfs)"
	fi
	;;
export)
	dir=${2:-$SERIES/work}
	export_series "$dir" "$LAB_REPO/patches"
	readme_cover_write "$LAB_REPO/patches/0000-cover-letter.patch"
	log "series: the cover letter written into README.md too"
	;;
write)
	lab_lock
	import
	out=${2:-$SERIES/out}
	tmp=$SERIES/write-tree
	rm -rf "$tmp"
	new_tree "$tmp"
	apply_series "$tmp"
	export_series "$tmp" "$out"
	bad=0
	if ! diff -r -q "$LAB_REPO/patches" "$out" >/dev/null; then
		diff -r -u "$LAB_REPO/patches" "$out" | head -40 >&2
		log "series: the series written again differs from patches/ (above)"
		bad=1
	fi
	if [ "$(readme_cover)" != "$(cover_text "$out/0000-cover-letter.patch")" ]; then
		log "series: README.md's copy of the cover letter differs from the series' (make series-export writes it)"
		bad=1
	fi
	# The tree the series makes is the lab's patched tree (lab/assemble.sh).
	"$LAB_REPO/lab/assemble.sh" >/dev/null
	if ! diff -r -q -x .git -x '_build*' -x '_clippy' -x '_headers' -x '.rvfs-*' "$tmp" "$LAB_TREE" >"$SERIES/tree.diff" 2>&1; then
		head -20 "$SERIES/tree.diff" >&2
		log "series: git am of the series does not give the lab's patched tree (above)"
		bad=1
	fi
	gitq --git-dir="$BASE_GIT" worktree remove --force "$tmp"
	[ $bad -eq 0 ] || exit 1
	log "series: $out equals patches/, and applied to $BASE_TAG it gives the lab's patched tree"
	;;
check)
	exec "$LAB_REPO/lab/check-series.sh" "${2:-1}"
	;;
*)
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
