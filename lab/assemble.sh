#!/usr/bin/env bash
# Assemble the patched tree: the pristine base, the repo's own files laid over it at their
# kernel paths, the patch series applied in order, and the files in patches/remove deleted.
#
# The work tree is kept between runs. Only files whose content changes are written, so Kbuild
# rebuilds only what an edit affects; a file we stop touching is restored from the base.
. "$(dirname "$0")/common.sh"

# Top-level directories of the repo that are kernel paths.
KERNEL_DIRS="arch block certs crypto Documentation drivers fs include init io_uring ipc kernel lib mm net rust samples scripts security sound tools usr virt"

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

# 1. The repo's own files (tracked or not, unless ignored), at their kernel paths.
for d in $KERNEL_DIRS; do
	[ -d "$d" ] || continue
	git ls-files -co --exclude-standard -- "$d" | while read -r f; do
		[ -f "$f" ] || continue
		mkdir -p "$stage/$(dirname "$f")"
		cp "$f" "$stage/$f"
	done
done

# 2. The patch series, each patch against the base plus the patches before it.
series=patches/series
if [ -f "$series" ]; then
	grep -vE '^\s*(#|$)' "$series" | while read -r p; do
		[ -f "patches/$p" ] || die "patches/series names a missing patch: $p"
		sed -n 's@^+++ b/\([^[:space:]]*\).*@\1@p' "patches/$p" | while read -r f; do
			[ -e "$stage/$f" ] && continue
			mkdir -p "$stage/$(dirname "$f")"
			if [ -f "$LAB_PRISTINE/$f" ]; then cp "$LAB_PRISTINE/$f" "$stage/$f"; fi
		done
		if ! out=$(patch -d "$stage" -p1 -F0 -N --no-backup-if-mismatch -r - -i "$LAB_REPO/patches/$p" 2>&1) ||
			grep -v '^patching file ' <<<"$out" | grep -q .; then
			printf '%s\n' "$out" >&2
			die "patch $p does not apply cleanly"
		fi
	done
fi

# 3. Upstream files we replace whole.
removed=()
if [ -f patches/remove ]; then
	while read -r f; do
		[ -n "$f" ] || continue
		[ -e "$LAB_PRISTINE/$f" ] || die "patches/remove names a file not in the base: $f"
		[ -e "$stage/$f" ] && die "$f is both removed and provided"
		removed+=("$f")
	done < <(grep -vE '^\s*(#|$)' patches/remove)
fi

# 4. Sync the stage into the work tree, writing only what differs.
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
for f in "${removed[@]}"; do
	if [ -e "$LAB_TREE/$f" ]; then rm -f "$LAB_TREE/$f"; changed=$((changed + 1)); fi
	echo "$f" >>"$new_list"
done
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
