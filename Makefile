# Kernel lab of the Rust VFS patch set. Everything built lives in $(LAB_HOME), outside the clone.
#
#   make run            set up, build the patched kernel, boot it and show the features
#   make test           set up, build vanilla, patched and norust, run every suite on each
#   make test T=nullfs  only the suites whose name contains "nullfs" (T=kunit: KUnit only)
#   make test BASE=patched      one kernel only (BASE=vanilla: the reference alone)
#   make shell / demo   boot the patched kernel: a shell, or the batch demo
#   make difftest       random mount-namespace programs on vanilla and patched, traces compared
#                       (SEEDS=1-500: more seeds; KERNELS="vanilla norust": other kernels)
#   make bench          benchmark vanilla vs patched (instruction counts and wall clock)
#   make mutants        mutation testing of fs/mntns/ and fs/nullfs/ (M=id,id: a subset;
#                       CHECK=1: only check that each mutant applies and compiles)
#   make series         write the series (patches/) again with git: must equal patches/
#   make check-series   after each patch: builds with RUST=y and RUST=n, checkpatch --strict
#   make series-tree    the series as a git branch to edit ($(LAB_HOME)/series/work), and
#   make series-export  patches/ written from it
#   make check          host-side checks of the patched build (rustfmt, clippy, ...)
#   make tree | kernel | tests   single steps (make kernel BASE=norust: another kernel)
# Works from any directory: make -C path/to/clone test

SHELL := /bin/bash
LAB := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))/lab
export LAB_HOME ?= $(HOME)/.cache/rvfs-lab
export KERNELS ?= vanilla patched norust
export T ?=
export BASE ?= patched
# `make test BASE=vanilla` (or patched, norust): that kernel alone.
ifeq ($(origin BASE),command line)
export KERNELS := $(BASE)
endif

.PHONY: all run demo shell test difftest bench mutants series check-series series-tree series-export check setup tree kernel tests initramfs clean-runs help

all: test

help:
	@sed -n "2,19p" $(LAB)/../Makefile

run:
	$(LAB)/run.sh auto

demo:
	$(LAB)/run.sh demo

shell:
	$(LAB)/run.sh shell

test:
	$(LAB)/test.sh

# The differential test alone: the seeds of SEEDS (default: the CI set) on KERNELS given here
# (default: vanilla and patched; the first is the reference); results in $(LAB_HOME)/runs/difftest.
difftest:
	SEEDS="$(SEEDS)" DIFFTEST_KERNELS="$(if $(filter command line environment,$(origin KERNELS)),$(KERNELS),vanilla patched)" \
		$(LAB)/difftest/run.sh

# Vanilla against patched on production-like configs; results in $(LAB_HOME)/bench.
bench:
	$(LAB)/bench.sh

# Mutation testing: each mutant of lab/mutants.txt built into a scratch copy of the patched tree
# and booted with its suites; every one must be killed. Results in $(LAB_HOME)/mutants/latest.
mutants:
	MUTANTS_IDS="$(M)" MUTANTS_CHECK="$(CHECK)" $(LAB)/mutants.sh

# Host-side checks of the patched build (also part of make test): the C nullfs is gone, leaf
# code without raw bindings, rustfmtcheck, CLIPPY=1, no upstream file copied into the repo.
series:
	$(LAB)/setup.sh
	$(LAB)/series.sh write

check-series:
	LAB_SETUP_ARGS=--series LAB_TESTS=0 $(LAB)/prepare.sh patched norust
	$(LAB)/series.sh check $(FROM)

series-tree:
	$(LAB)/setup.sh
	$(LAB)/series.sh tree

series-export:
	$(LAB)/series.sh export

check:
	LAB_TESTS=0 $(LAB)/prepare.sh patched
	$(LAB)/checks.sh

setup:
	$(LAB)/setup.sh

tree: setup
	$(LAB)/assemble.sh

kernel:
	LAB_TESTS=0 $(LAB)/prepare.sh $(BASE)

tests: tree
	$(LAB)/build-tests.sh

initramfs: tests
	$(LAB)/initramfs.sh

clean-runs:
	rm -rf $(LAB_HOME)/runs
