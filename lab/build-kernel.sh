#!/usr/bin/env bash
# Configure and build one kernel of the lab: lab/build-kernel.sh KIND (see KERNEL_KINDS in
# lab/common.sh). Incremental: the build directory persists; the config is regenerated only when a
# fragment, the toolchain or the base changes.
. "$(dirname "$0")/common.sh"
lab_lock
kind=${1:?kernel kind: $KERNEL_KINDS}
src=$(kernel_src "$kind")
out=$(kernel_out "$kind")
frags=()
for f in $(kernel_fragments "$kind"); do frags+=("$LAB_REPO/lab/config/$f.config"); done

if [ "$src" = "$LAB_VANILLA" ] && [ "$(cat "$src/.rvfs-vanilla" 2>/dev/null)" != "$BASE_VERSION" ]; then
	[ -f "$LAB_PRISTINE/.rvfs-unpacked" ] || die "base not unpacked: run lab/setup.sh"
	log "creating the vanilla tree $src ($BASE_PKG $BASE_VERSION)"
	rm -rf "$src"
	cp -al "$LAB_PRISTINE" "$src"
	echo "$BASE_VERSION" >"$src/.rvfs-vanilla"
fi
[ -d "$src" ] || die "no source tree for $kind: run lab/assemble.sh"
mkdir -p "$out"

stamp="$BASE_VERSION $(toolchain_id) $(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.rvfs-config" 2>/dev/null)" != "$stamp" ]; then
	log "$kind: configuring (tinyconfig + $(kernel_fragments "$kind" | sed 's/ / + /g'))"
	case " $(kernel_fragments "$kind") " in *" rust "*) kmake "$src" "$out" -s rustavailable ;; esac
	kmake "$src" "$out" -s tinyconfig
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null)
	kmake "$src" "$out" -s olddefconfig
	# Every option of every fragment must have taken.
	bad=0
	while read -r line; do
		case $line in
		CONFIG_*=*) want=$line; sym=${line%%=*} ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; want=$line ;;
		*) continue ;;
		esac
		got=$(grep -E "^($sym=|# $sym is not set)" "$out/.config" || true)
		if [ "$got" != "$want" ] && ! { [ -z "$got" ] && [ "${want#\# }" != "$want" ]; }; then
			log "$kind: config option did not take: want '$want', got '${got:-unset}'"
			case $sym in CONFIG_RUST_INLINE_HELPERS | CONFIG_RUSTC_CLANG_LLVM_COMPATIBLE)
				log "$kind: $sym needs rustc and clang on one LLVM major: $(/usr/bin/rustc -vV | sed -n 's/^LLVM version: //p') and $(clang-$LLVM_VERSION -dumpversion)" ;;
			esac
			bad=1
		fi
	done < <(cat "${frags[@]}")
	[ $bad -eq 0 ] || die "$kind: the config fragments did not apply"
	echo "$stamp" >"$out/.rvfs-config"
fi

log "$kind: building"
start=$(date +%s)
set +e
kmake "$src" "$out" -s bzImage 2>&1 | tee "$out/build.log" >&2
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || die "$kind: kernel build failed (see $out/build.log)"
log "$kind: built $(kernel_image "$kind") in $(($(date +%s) - start)) s"
