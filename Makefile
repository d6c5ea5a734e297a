# The map of the workflow: base -> arms -> build -> boot -> test -> compare.
# Every target is a thin wrapper around one script in scripts/.
#
#   make ab                 build base, mayfail and pin-aware, boot each, compare
#   make ab BASE=6.12       the same on another pinned base (patches/bases/)
#   make check              all tests (what .ci/run runs)
#   make help               this list
SHELL := /bin/bash
# The arms: ARMS_ALL in scripts/lib.sh, comma separated.
ARMS ?= $(shell sed -n 's/^ARMS_ALL="\(.*\)"/\1/p' scripts/lib.sh | tr ' ' ,)
ARM ?= pin-aware
SERIES ?= pin-aware
VARIANT ?= test
# The bases: one pin file each (patches/bases/NAME.pin); the default is
# BASE_DEFAULT in scripts/lib.sh, which checks BASE.
BASES := $(patsubst patches/bases/%.pin,%,$(wildcard patches/bases/*.pin))
BASE_DEFAULT := $(shell sed -n 's/^BASE_DEFAULT=//p' scripts/lib.sh)
export BASE ?= $(BASE_DEFAULT)
export BUILD ?= $(CURDIR)/build
# The scripts take options, not the environment: the make variables below
# become options. $(call opt,-T,$(TIMEOUT)) is "-T 99", or nothing when
# TIMEOUT is empty; $(call flag,-q,$(QUICK)) is "-q" unless QUICK is empty
# or 0. (KSRC, for base-tree.sh, and JOBS, for build.sh, reach every build
# as they are: a command line's variables are in each recipe's environment.)
opt = $(if $(2),$(1) $(2))
flag = $(if $(filter-out 0,$(2)),$(1))
qemu_opts = $(call opt,-m,$(MEM)) $(call opt,-p,$(SMP)) $(call opt,-T,$(TIMEOUT)) \
	$(call opt,-S,$(SWAP)) $(call opt,-A,$(ACCEL))

arm_list = $(subst $(comma), ,$(ARMS))
comma := ,
space := $(subst ,, )

.PHONY: help deps fetch-base base arms build run ab check lint test-workbench test-report test-guest \
	check-patches publish export i915-mock kvm reliability skip-policy stress clean distclean

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{ printf "  make %-16s %s\n", $$1, $$2 }'
	@echo "  variables: BASE=$(subst $(space),|,$(BASES)) (default $(BASE_DEFAULT)) ARMS=$(ARMS) ARM=$(ARM) VARIANT=$(VARIANT)"
	@echo "             KSRC=<your tree> JOBS=N QUICK=1 (make ab, make skip-policy) SERIES=pin-aware (make export)"
	@echo "             PUBLISH=1 (make reliability, skip-policy, stress) OUT=FILE (make i915-mock, kvm, skip-policy, stress)"
	@echo "             STRESS_SECONDS=600 STRESS_SEED=N (make stress; a seed=N of a report replays it)"
	@echo "             MEM=1G SMP=2 SWAP=virtio|zram|none (default virtio; make ab: zram, and virtio in its matrix)"
	@echo "             TIMEOUT=1800 (seconds per boot; make ab: 1500) ACCEL=tcg|kvm|auto EXPECT_ARM=ARM (make i915-mock, kvm)"
	@echo "             I915_MOCK=1 REPEAT=2 SEED=1 (make ab) RUN_OPTS='...' (make run: more options of scripts/run.sh)"
	@echo "             Each script takes these as options (scripts/NAME.sh -h): e.g. TIMEOUT= is -T, ACCEL= is -A."
	@echo
	@scripts/run.sh -h | sed 's/^/  /'

deps: ## install (as root) or list the packages the workbench needs
	@scripts/deps.sh

fetch-base: ## download (private apt under build/) and check the pinned tarball of BASE
	@scripts/fetch-base.sh >/dev/null

base: ## unpack and commit the pinned base tree of BASE (or clone KSRC)
	@scripts/base-tree.sh >/dev/null

arms: base ## create/refresh the worktree of every arm in ARMS
	@for a in $(arm_list); do scripts/arm.sh $$a >/dev/null || exit 1; done

build: ## build the kernels of ARMS (VARIANT=test|debug|i915)
	@for a in $(arm_list); do scripts/build.sh $$a $(VARIANT) >/dev/null || exit 1; done

run: ## boot ARM (default pin-aware), run the guest suite; RUN_OPTS='-a pin_reclaim -s ...' (scripts/run.sh -h)
	@scripts/run.sh $(qemu_opts) $(RUN_OPTS) $(ARM) $(VARIANT)

ab: deps ## the A/B job: every arm built, booted, tested, compared
	@scripts/ab.sh $(call flag,-q,$(QUICK)) $(call flag,-i,$(I915_MOCK)) $(call opt,-r,$(REPEAT)) \
		$(call opt,-s,$(SEED)) $(qemu_opts) $(ARMS)

i915-mock: deps ## i915 userptr mock selftest in QEMU on ARMS (i915 variant, ~1 h per arm cold here)
	@scripts/i915-mock.sh $(call opt,-e,$(EXPECT_ARM)) $(call opt,-o,$(OUT)) $(call opt,-T,$(TIMEOUT)) \
		$(call opt,-A,$(ACCEL)) $(ARMS)

kvm: deps ## KVM guest memory (memfd) pinned by gup_test/io_uring/iommufd under reclaim, on ARMS (ab variant)
	@scripts/kvm.sh $(call opt,-e,$(EXPECT_ARM)) $(call opt,-o,$(OUT)) $(call opt,-T,$(TIMEOUT)) \
		$(call opt,-A,$(ACCEL)) $(ARMS)

reliability: deps ## the base tree's own mm selftests on ARMS, MGLRU off and on: build/<base>/reliability/ (PUBLISH=1: docs/ too)
	@scripts/reliability.sh $(call flag,--publish,$(PUBLISH)) $(ARMS)

skip-policy: deps ## keep vs activate of pinned folios: build/skip-policy-BASE.md (PUBLISH=1: docs/ too)
	@scripts/skip-policy.sh $(call flag,--publish,$(PUBLISH)) $(call flag,-q,$(QUICK)) $(call opt,-o,$(OUT)) \
		$(call opt,-S,$(SWAP)) $(call opt,-T,$(TIMEOUT)) $(call opt,-A,$(ACCEL))

stress: deps ## debug kernels (KASAN, lockdep): A/B scenarios + pin_stress STRESS_SECONDS (600) on ARMS: build/<base>/stress/ (PUBLISH=1: docs/ too)
	@scripts/stress.sh $(call flag,--publish,$(PUBLISH)) $(call opt,-t,$(STRESS_SECONDS)) $(call opt,-s,$(STRESS_SEED)) \
		$(call opt,-o,$(OUT)) $(call opt,-T,$(TIMEOUT)) $(call opt,-A,$(ACCEL)) $(ARMS)

check: deps ## every test: scripts, series, cocci, guests (prints N passed, N failed)
	@scripts/check.sh

lint: ## shellcheck of every script
	@scripts/tests/lint.sh

test-workbench: ## the workbench's own tests (bad inputs, runner verdicts)
	@scripts/tests/workbench.sh

test-report: ## golden-file tests of the report pipeline (scripts/report; UPDATE=1 rewrites them)
	@scripts/tests/report.sh

test-guest: ## broken guests (WARN, panic, hang) must fail the runner
	@scripts/tests/guest-failures.sh $(ARM)

check-patches: ## checkpatch --strict and git am of every series
	@scripts/tests/patches.sh

publish: ## copy the last complete full make ab job of BASE (or JOB=DIR) into docs/: the only writer of results there
	@scripts/publish.sh $(JOB)

export: deps ## the mails of SERIES (pin-aware|test_hmm-fix|i915-mock) with b4, signed by your git identity: build/export/SERIES/
	@scripts/export.sh $(SERIES)

-include cocci/cocci.mk
-include selftests/selftests.mk

clean: ## remove runs and initramfs images (keeps trees and kernels)
	rm -rf $(BUILD)/*/runs $(BUILD)/*/initramfs $(BUILD)/*/selftests $(BUILD)/*/selftests.obj \
		$(BUILD)/selftests $(BUILD)/selftests.obj

distclean: ## remove build/ entirely
	rm -rf $(BUILD)
