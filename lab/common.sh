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
export CCACHE_DIR=${CCACHE_DIR:-$LAB_HOME/ccache}
export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN
export PATH=$LAB_TOOLS/bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH
# Fixed build identity: reproducible objects and better ccache hits.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=rvfs KBUILD_BUILD_HOST=lab

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The source tree and build directory of a kernel: "patched" or "vanilla". vanilla builds in a
# hard-linked copy of the base. The build directory is a direct subdirectory of the source
# tree, so Kbuild uses the relative srctree "..": the compiler command lines of both kernels
# are the same and ccache serves the second build from the first.
LAB_VANILLA=$LAB_HOME/vanilla
kernel_src() {
	case $1 in
	patched) echo "$LAB_TREE" ;;
	vanilla) echo "$LAB_VANILLA" ;;
	*) die "unknown kernel '$1' (patched or vanilla)" ;;
	esac
}
kernel_out() { echo "$(kernel_src "$1")/_build"; }

# make in the kernel tree, with the LLVM toolchain and ccache.
kmake() {
	local src=$1 out=$2
	shift 2
	make -C "$src" O="$out" ARCH=x86_64 LLVM=-"$LLVM_VERSION" \
		CC="ccache clang-$LLVM_VERSION" \
		-j"$(nproc)" "$@"
}
