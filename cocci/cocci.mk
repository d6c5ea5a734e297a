# cocci/cocci.mk: Coccinelle targets; the top-level Makefile includes it.
#
#   make cocci-test         run every rule on its test inputs, in every mode
#                           it declares (exact output)
#   make cocci [KSRC=dir]   run every rule over a kernel tree in report mode
#                           and write docs/cocci-report.md
#
# Paths are relative to the repository root, taken at include time.

COCCI_ROOT := $(CURDIR)

.PHONY: cocci-test cocci

cocci-test: ## run every Coccinelle rule on its test inputs (exact output)
	$(COCCI_ROOT)/scripts/cocci-test.sh

cocci: ## run every rule over KSRC (default: the base) -> docs/cocci-report.md
	$(if $(KSRC),KSRC=$(KSRC) )$(COCCI_ROOT)/scripts/cocci-run.sh
