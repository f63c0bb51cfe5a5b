#!/usr/bin/env bash
# Assemble the patched tree: the pristine base with the series of patches/ applied in the order of
# their numbers (0000, the cover letter, has no diff), with patch -p1 -F0: a patch that needs fuzz
# or an offset, or is rejected, fails the step. The series is the source (lab/series.sh).
#
# The work tree is kept between runs. Only files whose content changes are written, so Kbuild
# rebuilds only what an edit affects; a file the series no longer touches is restored from the base.
. "$(dirname "$0")/common.sh"

[ -f "$LAB_PRISTINE/.rvfs-unpacked" ] || die "base not unpacked: run lab/setup.sh"
lab_lock
if [ "$(cat "$LAB_TREE/.rvfs-tree" 2>/dev/null)" != "$BASE_VERSION" ]; then
	log "creating the work tree $LAB_TREE ($BASE_PKG $BASE_VERSION)"
	rm -rf "$LAB_TREE"
	cp -a "$LAB_PRISTINE" "$LAB_TREE"
	rm -f "$LAB_TREE/.rvfs-unpacked"
	: >"$LAB_TREE/.rvfs-touched"
	echo "$BASE_VERSION" >"$LAB_TREE/.rvfs-tree"
fi

stage=$LAB_HOME/stage
rm -rf "$stage"
mkdir -p "$stage"
cd "$LAB_REPO"

# The series, each patch against the base plus the patches before it.
for p in $(patch_files); do
	sed -n 's@^+++ b/\([^[:space:]]*\).*@\1@p' "$p" | while read -r f; do
		[ -e "$stage/$f" ] && continue
		mkdir -p "$stage/$(dirname "$f")"
		if [ -f "$LAB_PRISTINE/$f" ]; then cp "$LAB_PRISTINE/$f" "$stage/$f"; fi
	done
	if ! out=$(patch -d "$stage" -p1 -F0 -N --no-backup-if-mismatch -r - -i "$p" 2>&1) ||
		grep -v '^patching file ' <<<"$out" | grep -q .; then
		printf '%s\n' "$out" >&2
		die "patch $(basename "$p") does not apply cleanly"
	fi
done

# Sync the stage into the work tree, writing only what differs.
new_list=$(mktemp)
(cd "$stage" && find . -type f -printf '%P\n' | sort) >"$new_list"
changed=0
while read -r f; do
	if ! cmp -s "$stage/$f" "$LAB_TREE/$f"; then
		mkdir -p "$LAB_TREE/$(dirname "$f")"
		cp "$stage/$f" "$LAB_TREE/$f"
		changed=$((changed + 1))
	fi
done <"$new_list"
# Files touched last time and not any more: back to the base.
sort -u -o "$new_list" "$new_list"
comm -23 <(sort -u "$LAB_TREE/.rvfs-touched") "$new_list" | while read -r f; do
	if [ -f "$LAB_PRISTINE/$f" ]; then
		cmp -s "$LAB_PRISTINE/$f" "$LAB_TREE/$f" || cp "$LAB_PRISTINE/$f" "$LAB_TREE/$f"
	else
		rm -f "$LAB_TREE/$f"
	fi
done
mv "$new_list" "$LAB_TREE/.rvfs-touched"
log "tree assembled: $(wc -l <"$LAB_TREE/.rvfs-touched") files differ from the base, $changed written now"
