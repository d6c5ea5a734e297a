# selftests/selftests.mk: included by the top-level Makefile.
#
# selftests-bin: the static guest test binaries (pin_reclaim, the upstream
# cow, gup_longterm, gup_test, hmm-tests, the userptr_emu tests) and
# run-guest.sh in WORK/selftests, built against the base tree WORK/src (WORK:
# the work dir of BASE printed by scripts/base-tree.sh; one per base, as the
# binaries come from that tree's sources).  scripts/run.sh packs that
# directory into the initramfs as /tests.

.PHONY: selftests-bin

selftests-bin: ## build the static guest test binaries of BASE into its work dir (build/deb-*/selftests)
	@work=$$(scripts/base-tree.sh) && \
		$(MAKE) -C selftests OUT=$$work/selftests KSRC=$$work/src
