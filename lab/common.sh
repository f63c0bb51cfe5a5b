# Shared settings of the lab scripts. Source it; do not run it.
set -euo pipefail
LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lab.env
. "$LAB_REPO/lab/lab.env"
# Everything built or downloaded lives outside the clone, so it survives re-clones.
LAB_HOME=${LAB_HOME:-${HOME:-/root}/.cache/rvfs-lab}
LAB_TOOLS=$LAB_HOME/tools
LAB_PRISTINE=$LAB_HOME/src/$BASE_TREE-$BASE_VERSION
LAB_TREE=$LAB_HOME/tree
LAB_VANILLA=$LAB_HOME/vanilla
export CCACHE_DIR=${CCACHE_DIR:-$LAB_HOME/ccache}
export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN
export PATH=$LAB_TOOLS/bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH
# Fixed build identity: reproducible objects and better ccache hits.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=rvfs KBUILD_BUILD_HOST=lab

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The kernels of the lab. Each is a source tree, a build directory and the config fragments of
# lab/config/ merged over tinyconfig, in order.
#   vanilla         the base as Debian ships it: the reference
#   patched         the patch set, Rust implementations selected (they default to y with RUST)
#   norust          the patch set with RUST=n: upstream's C must still build and pass
#   bench-vanilla, bench-patched    production-like configs (no debugging, no KUnit) for `make bench`
# The test kernels are debug kernels (config/debug.config). Build directories are direct
# subdirectories of their source tree, so Kbuild uses the relative srctree "..": the compiler
# command lines of vanilla and patched are the same and ccache serves the second build from the first.
KERNEL_KINDS="vanilla patched norust bench-vanilla bench-patched"
kernel_src() {
	case $1 in
	vanilla | bench-vanilla) echo "$LAB_VANILLA" ;;
	patched | norust | bench-patched) echo "$LAB_TREE" ;;
	*) die "unknown kernel '$1' (one of: $KERNEL_KINDS)" ;;
	esac
}
kernel_out() {
	case $1 in
	vanilla | patched) echo "$(kernel_src "$1")/_build" ;;
	norust) echo "$LAB_TREE/_build-norust" ;;
	bench-*) echo "$(kernel_src "$1")/_build-bench" ;;
	*) die "unknown kernel '$1' (one of: $KERNEL_KINDS)" ;;
	esac
}
kernel_fragments() {
	case $1 in
	vanilla | patched) echo "base rust kunit debug rust-test" ;;
	norust) echo "base norust debug" ;;
	bench-*) echo "base rust" ;;
	*) die "unknown kernel '$1' (one of: $KERNEL_KINDS)" ;;
	esac
}
kernel_image() { echo "$(kernel_out "$1")/arch/x86/boot/bzImage"; }

# make in the kernel tree, with the LLVM toolchain and ccache.
kmake() {
	local src=$1 out=$2
	shift 2
	make -C "$src" O="$out" ARCH=x86_64 LLVM=-"$LLVM_VERSION" \
		CC="ccache clang-$LLVM_VERSION" \
		-j"$(nproc)" "$@"
}

# Serialise the runs that share $LAB_HOME: a `make bench` in the background and a `make test`
# would otherwise rebuild and delete each other's files. Taken once per process tree (the scripts
# a locked script runs inherit the lock through LAB_LOCKED).
lab_lock() {
	[ "${LAB_LOCKED:-}" = "$LAB_HOME" ] && return
	mkdir -p "$LAB_HOME"
	exec 9>"$LAB_HOME/.lock"
	if ! flock -n 9; then
		log "waiting for another lab run on $LAB_HOME (lock $LAB_HOME/.lock)"
		flock 9
	fi
	export LAB_LOCKED=$LAB_HOME
}
