#!/usr/bin/env bash
# Configure and build one kernel: lab/build-kernel.sh patched|vanilla
# Incremental: the build directory persists; the config is regenerated only when the
# fragment changes.
. "$(dirname "$0")/common.sh"
kind=${1:?patched or vanilla}
src=$(kernel_src "$kind")
out=$(kernel_out "$kind")
frag=$LAB_REPO/lab/kernel.config
if [ "$kind" = vanilla ] && [ ! -f "$src/.rvfs-vanilla" ]; then
	[ -f "$LAB_PRISTINE/.rvfs-unpacked" ] || die "base not unpacked: run lab/setup.sh"
	rm -rf "$src"
	cp -al "$LAB_PRISTINE" "$src"
	touch "$src/.rvfs-vanilla"
fi
[ -d "$src" ] || die "no source tree for $kind: run lab/assemble.sh"
mkdir -p "$out"

stamp="$(sha256sum "$frag" | cut -d' ' -f1) $LLVM_VERSION $RUST_TOOLCHAIN"
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.rvfs-config" 2>/dev/null)" != "$stamp" ]; then
	log "$kind: configuring (tinyconfig + lab/kernel.config)"
	kmake "$src" "$out" -s rustavailable
	kmake "$src" "$out" -s tinyconfig
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" >/dev/null)
	kmake "$src" "$out" -s olddefconfig
	# Every option of the fragment must have taken.
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
			bad=1
		fi
	done <"$frag"
	[ $bad -eq 0 ] || die "$kind: the config fragment did not apply"
	echo "$stamp" >"$out/.rvfs-config"
fi

log "$kind: building"
start=$(date +%s)
set +e
kmake "$src" "$out" -s bzImage 2>&1 | tee "$out/build.log" >&2
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || die "$kind: kernel build failed (see $out/build.log)"
log "$kind: built $out/arch/x86/boot/bzImage in $(( $(date +%s) - start )) s"
