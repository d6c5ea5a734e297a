# selftests/selftests.mk: included by the top-level Makefile.
#
# selftests-bin: the static guest test binaries (pin_reclaim, the upstream
# cow, gup_longterm, gup_test, hmm-tests, the userptr_emu tests) and
# run-guest.sh in WORK/selftests, built against the base tree WORK/src (WORK:
# the work dir of BASE printed by scripts/base-tree.sh; one per base, as the
# binaries come from that tree's sources).  scripts/run.sh packs that
# directory into the initramfs as /tests.
#
# selftest-patch-check: the selftest patch in patches/pin-aware (if the lead
# has appended it) carries exactly the current selftests/mm/pin_reclaim.c.

.PHONY: selftests-bin selftest-patch-check

selftests-bin: ## build the static guest test binaries of BASE into its work dir (build/deb-*/selftests)
	@work=$$(scripts/base-tree.sh) && \
		$(MAKE) -C selftests OUT=$$work/selftests KSRC=$$work/src

selftest-patch-check: ## the pin_reclaim selftest patch matches selftests/mm/pin_reclaim.c
	@set -e; found=; \
	for p in patches/pin-aware/[0-9][0-9][0-9][0-9]-*.patch patches/pin-aware/*/[0-9][0-9][0-9][0-9]-*.patch; do \
		[ -e "$$p" ] || continue; \
		grep -q '^diff --git a/tools/testing/selftests/mm/pin_reclaim.c ' "$$p" || continue; \
		scripts/selftest-patch.sh --check "$$p"; found=1; \
	done; \
	[ -n "$$found" ] || echo "selftest-patch-check: no pin_reclaim patch in patches/pin-aware yet"
