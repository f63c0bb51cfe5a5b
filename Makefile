# Kernel lab of the Rust VFS patch set. Everything built lives in $(LAB_HOME), outside the clone.
#
#   make run            set up, build the patched kernel, boot it and show the features
#   make test           set up, build both kernels, run every suite on vanilla and patched
#   make test T=nullfs  only the suites whose name contains "nullfs" (T=kunit: KUnit only)
#   make test BASE=patched      one kernel only (BASE=vanilla: the reference alone)
#   make shell / demo   boot the patched kernel: a shell, or the batch demo
#   make bench          benchmark vanilla vs patched (BENCH_ROUNDS=3): table, CSV/JSON, plot
#   make check          host-side checks of the patched build (rustfmt, clippy, ...)
#   make tree | kernel | tests   single steps

SHELL := /bin/bash
export LAB_HOME ?= $(HOME)/.cache/rvfs-lab
export KERNELS ?= vanilla patched
export T ?=
BASE ?= patched
# `make test BASE=vanilla` (or BASE=patched): that kernel alone.
ifeq ($(origin BASE),command line)
export KERNELS := $(BASE)
endif
LAB := $(CURDIR)/lab

.PHONY: all run demo shell test bench check setup tree kernel vanilla tests initramfs clean-runs help

all: test

help:
	@sed -n "2,10p" Makefile

setup:
	$(LAB)/setup.sh

tree: setup
	$(LAB)/assemble.sh

kernel: tree
	$(LAB)/build-kernel.sh $(BASE)

vanilla: setup
	$(LAB)/build-kernel.sh vanilla

tests: tree
	$(LAB)/build-tests.sh

initramfs: tests
	$(LAB)/initramfs.sh

test:
	$(LAB)/test.sh

# On a terminal: the demo, then a shell in the VM. Without one (CI=true, or make -s run < /dev/null):
# the demo alone, then power off.
run: kernel initramfs
	@if [ -t 0 ] && [ -t 1 ] && [ "$${CI:-}" != true ]; then \
		$(LAB)/vm.sh $(BASE) shell; \
	else \
		$(LAB)/vm.sh $(BASE) demo $(LAB_HOME)/runs/demo-$(BASE) && \
		cat $(LAB_HOME)/runs/demo-$(BASE)/console.log; \
	fi

demo: kernel initramfs
	$(LAB)/vm.sh $(BASE) demo $(LAB_HOME)/runs/demo-$(BASE)
	@cat $(LAB_HOME)/runs/demo-$(BASE)/console.log

shell: kernel initramfs
	$(LAB)/vm.sh $(BASE) shell

# Vanilla against patched, alternating over BENCH_ROUNDS rounds (3); results in $(LAB_HOME)/bench.
bench:
	$(LAB)/bench.sh

# Host-side checks of the patched build (also part of make test): the C nullfs is gone, leaf
# code without raw bindings, rustfmtcheck, CLIPPY=1, no upstream file copied into the repo.
check: kernel
	$(LAB)/checks.sh

clean-runs:
	rm -rf $(LAB_HOME)/runs
