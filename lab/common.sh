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
# Debian's Rust (/usr/bin) ahead of any rustup shim: rustc, rustdoc, rustfmt, clippy-driver and
# cargo are the rustc-web packages. bindgen (clang-sys) loads the newest libclang it finds unless
# told: the one of the LLVM that builds the kernel.
unset RUSTUP_TOOLCHAIN
export PATH=$LAB_TOOLS/bin:/usr/bin:/bin:$PATH
export LIBCLANG_PATH=/usr/lib/llvm-$LLVM_VERSION/lib
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
		RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTFMT=/usr/bin/rustfmt \
		CLIPPY_DRIVER=/usr/bin/clippy-driver BINDGEN="$LAB_TOOLS/bin/bindgen" \
		-j"$(nproc)" "$@"
}

# The toolchain the lab builds with, one line: what the config stamps record. Fails unless rustc
# is Debian's $RUST_VERSION and its LLVM has clang's major (CONFIG_RUST_INLINE_HELPERS needs both
# on one LLVM; a rustc on another major would drop it silently).
toolchain_id() {
	local rv cv lv
	rv=$(/usr/bin/rustc -vV 2>/dev/null) || die "no /usr/bin/rustc: install rustc-web (lab/setup.sh)"
	lv=$(sed -n 's/^LLVM version: //p' <<<"$rv")
	cv=$("clang-$LLVM_VERSION" -dumpversion 2>/dev/null) || die "no clang-$LLVM_VERSION: run lab/setup.sh"
	[ "$(sed -n 's/^release: //p' <<<"$rv")" = "$RUST_VERSION" ] ||
		die "rustc is $(sed -n 's/^release: //p' <<<"$rv"), the lab wants $RUST_VERSION (rustc-web)"
	[ "${lv%%.*}" = "${cv%%.*}" ] ||
		die "rustc is built on LLVM $lv, clang-$LLVM_VERSION is $cv: one LLVM major is needed for CONFIG_RUST_INLINE_HELPERS"
	echo "clang $cv, rustc $RUST_VERSION (LLVM $lv), bindgen $BINDGEN_VERSION"
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

# The patches of the series in the order they apply: patches/NNNN-*.patch without the cover letter
# (0000), which has no diff.
patch_files() { ls "$LAB_REPO"/patches/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-'; }
