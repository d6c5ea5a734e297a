#!/usr/bin/env bash
# ab.sh ARMS: the A/B job (placeholder until the report lands): run every arm.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
arms=${1:-base,mayfail,pin-aware}
for a in ${arms//,/ }; do check_arm "$a"; done
for a in ${arms//,/ }; do "$ROOT/scripts/run.sh" "$a" || true; done
