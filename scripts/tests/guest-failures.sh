#!/usr/bin/env bash
# guest-failures.sh [ARM]: deliberately broken guests must fail the runner
# with a console excerpt: a kernel WARNING (lkdtm), a panic (lkdtm) and a
# guest that hangs (short timeout). A guest that does nothing must pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh
arm=${1:-pin-aware}
scripts/build.sh "$arm" >/dev/null

if RUN_TAG=selftest-true GUEST_CMD=true TIMEOUT=120 scripts/run.sh "$arm" >"$T_LOG.out" 2>&1; then
	t_ok "$arm: a guest that does nothing passes"
else
	t_fail "$arm: a guest that does nothing failed:"
	tail -n 15 "$T_LOG.out"
fi
expect_error "$arm: kernel WARNING fails the run" "kernel reported problems" \
	env RUN_TAG=selftest-warn GUEST_CMD=warn TIMEOUT=120 scripts/run.sh "$arm"
t_if "$arm: WARNING excerpt names lkdtm" grep -q -E 'WARNING:.*lkdtm' "$T_LOG.err"
expect_error "$arm: panic fails the run" "kernel reported problems" \
	env RUN_TAG=selftest-panic GUEST_CMD=panic TIMEOUT=120 scripts/run.sh "$arm"
t_if "$arm: panic excerpt shown" grep -q 'Kernel panic' "$T_LOG.err"
expect_error "$arm: a hanging guest times out" "timeout: the guest did not finish" \
	env RUN_TAG=selftest-hang GUEST_CMD=hang TIMEOUT=25 scripts/run.sh "$arm"
t_summary
