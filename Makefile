# SPDX-License-Identifier: GPL-2.0
#
# One entry point for the suite. Every step caches its output by a key of
# its inputs (see README.md), so each target builds only what is missing.
# Everything but the tool root itself runs inside the tool root.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Variables a user may set (make help lists them).
VARIANT ?= main
T ?= *
TIMEOUT ?= 120
JOBS ?= 2
V ?= 0
FULL ?= 0
ARCH ?= arm64
CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rfl-drivers
# Each guest architecture has its own outputs; arm64's stay in build/.
BUILD ?= $(CURDIR)/build$(if $(filter-out arm64,$(ARCH)),/$(ARCH))
RFL_ARCH := $(ARCH)
export CACHE BUILD RFL_ARCH

IN_ROOT := scripts/in-root.sh
# VARIANT=debian boots Debian's packaged kernel with dracut's initramfs.
KERNEL_ARGS = $(if $(filter debian,$(VARIANT)), \
	--kernel $(BUILD)/kernel-debian/vmlinuz \
	--initrd $(BUILD)/kernel-debian/initramfs.img, \
	--kernel $(BUILD)/kernel-$(VARIANT))
RUNNER = $(IN_ROOT) python3 qemu/runner.py --arch $(ARCH) $(KERNEL_ARGS) \
	--rootfs $(BUILD)/rootfs --suite $(BUILD)/suite-$(VARIANT) \
	--state $(BUILD)/state-$(VARIANT) --timeout $(TIMEOUT) \
	$(if $(filter 1,$(V)),--verbose) $(if $(filter 1,$(FULL)),--append rfl.full=1) \
	$(if $(WITHIN),--append 'rfl.within=$(WITHIN)')

.PHONY: help
help:
	@echo 'Targets:'
	@echo '  make test      build what is missing, run every test in QEMU'
	@echo '  make compare   run the benchmarks (two boots of the bench kernels), write build/report/'
	@echo '  make faults    the fault-injection sweep on the sanitizer kernel (long)'
	@echo '  make run       boot to a shell with every module ready to insmod (Ctrl-A x leaves)'
	@echo '  make list      list the test cases (names driver/implementation/case)'
	@echo '  make lint      checkpatch (C, kernel patches), rustfmt and clippy (our Rust, the'
	@echo '                patched kernel crate; builds the main kernel first), shellcheck'
	@echo '  make versions  print the kernel, rustc, bindgen, clang and qemu in use'
	@echo '  make toolroot | kernel | rootfs | modules   one build step'
	@echo '  make clean     remove build/ (our outputs; the cache stays)'
	@echo '  make clean-cache   remove the cache: tool root, kernels, guest root'
	@echo
	@echo 'Variables:'
	@echo '  T=GLOB        cases to run, e.g. T="smoke/*" (default all)'
	@echo '  VARIANT=NAME  kernel variant from kernel/variants (default main;'
	@echo '                rustbinder has the Rust binder built in; bench and'
	@echo '                benchbinder, without debug checks, are make compare'"'"'s;'
	@echo '                debian is Debian'"'"'s own kernel package, C drivers only)'
	@echo '  TIMEOUT=S     default per-case timeout in seconds (default 120)'
	@echo '  JOBS=N        make test: guests at once, each taking every Nth case (default 2)'
	@echo '  V=1           copy the guest console to the terminal'
	@echo '  FULL=1        make compare: the long benchmark runs (default: quick)'
	@echo '  ARCH=x86_64   the guest is a PC (QEMU q35; KVM when the host can, TCG'
	@echo '                otherwise) instead of arm64; outputs in build/x86_64/'
	@echo '  ONLY=DRIVER   make compare: only bench/DRIVER (report in build/report-DRIVER)'
	@echo '  CACHE=DIR     cache directory (default $$XDG_CACHE_HOME or ~/.cache, /rfl-drivers)'
	@echo '  BUILD=DIR     build outputs (default ./build)'
	@echo '  DEBIAN_MIRROR=URL  Debian archive (default http://deb.debian.org/debian)'

.PHONY: toolroot
toolroot:
	@scripts/toolroot.sh

.PHONY: kernel
kernel:
	@$(IN_ROOT) kernel/build.sh $(VARIANT) >/dev/null

.PHONY: rootfs
rootfs:
	@$(IN_ROOT) rootfs/build.sh >/dev/null

.PHONY: modules
modules: kernel
	@$(IN_ROOT) scripts/suite.sh $(VARIANT) >/dev/null

.PHONY: test
# The Rust binder excludes the C one (a bool in Kconfig), so the cases of
# */rust_binder/* say on the main kernel that they run elsewhere; when the
# cases chosen include any, they run in a second boot of the rustbinder
# kernel (seeded from main's build: about two minutes cold), and the last
# line counts both boots.
test: modules rootfs
	@[ -n '$(WITHIN)' ] || $(IN_ROOT) python3 bench/tests/run.py
	@rc=0; \
	$(RUNNER) --mode test --jobs $(JOBS) --filter '$(T)' \
		--out $(BUILD)/results-$(VARIANT) || rc=$$?; \
	if [ '$(VARIANT)' = main ] && awk -F'\t' '$$1 ~ /^[^\/]*\/rust_binder\// && \
	   $$2 == "elsewhere" { f = 1 } END { exit !f }' \
	   $(BUILD)/results-main/results.tsv 2>/dev/null; then \
		echo 'Second boot: the Rust binder cases on the rustbinder kernel'; \
		$(MAKE) --no-print-directory test VARIANT=rustbinder JOBS=1 \
			WITHIN='*/rust_binder/*' || rc=$$?; \
		echo 'Both boots:'; \
		$(IN_ROOT) python3 qemu/results.py $(BUILD)/results-main \
			$(BUILD)/results-rustbinder || rc=$$?; \
	fi; \
	exit $$rc

.PHONY: faults faults-in
# The fault-injection sweep (faults/, README "Robustness"): every error path
# of every driver, one injected fault at a time, on the sanitizer kernel
# unless VARIANT= is given. Long, so not part of make test.
faults:
	@$(MAKE) --no-print-directory faults-in VARIANT=$(if $(filter \
		command line,$(origin VARIANT)),$(VARIANT),sanitize)
# Each run goes to results-faults/last; its cases then replace theirs in
# results-faults (the report's), so T= reruns part of the sweep.
faults-in: modules rootfs
	@rc=0; $(RUNNER) --mode faults --jobs $(JOBS) --filter '$(T)' \
		--out $(BUILD)/results-faults/last || rc=$$?; \
	$(IN_ROOT) python3 qemu/results.py --update $(BUILD)/results-faults \
		$(BUILD)/results-faults/last && exit $$rc

.PHONY: list
list: modules rootfs
	@$(RUNNER) --mode list --filter '$(T)' --out $(BUILD)/list-$(VARIANT)

.PHONY: compare compare-check
# ONLY=DRIVER: one bench directory; checked before anything is built.
ONLY ?=
COMPARE = $(IN_ROOT) python3 bench/compare.py --build $(BUILD) \
	--only '$(ONLY)' --timeout $(TIMEOUT) $(if $(filter 1,$(V)),--verbose) \
	$(if $(filter 1,$(FULL)),--full)
compare-check:
	@$(COMPARE) --check
# The check comes first in the recipe, not as a prerequisite, so that
# make -j cannot start the build before it. The benches boot the bench
# kernels (kernel/variants: no debug checks); the sizes in the report
# come from main's modules and the rustbinder kernel's objects.
compare:
	@$(COMPARE) --check
	@$(MAKE) --no-print-directory modules rootfs
	@$(MAKE) --no-print-directory modules VARIANT=bench
	@$(if $(filter-out binder,$(ONLY)),,$(MAKE) --no-print-directory \
		kernel VARIANT=rustbinder && $(MAKE) --no-print-directory \
		modules VARIANT=benchbinder &&) \
	$(COMPARE) --git-rev "$$(git describe --always --dirty --abbrev=12 \
		2>/dev/null || echo unknown)"

.PHONY: run
run: modules rootfs
	@$(RUNNER) --mode run

.PHONY: versions
versions:
	@$(IN_ROOT) scripts/versions.sh

.PHONY: lint
lint:
	@$(IN_ROOT) scripts/lint.sh

.PHONY: clean
clean:
	rm -rf $(BUILD)

.PHONY: clean-cache
clean-cache:
	rm -rf $(CACHE)
