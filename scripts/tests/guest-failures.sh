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

if run_sh -t selftest-true -g true -T 120 "$arm" >"$T_LOG.out" 2>&1; then
	t_ok "$arm: a guest that does nothing passes"
else
	t_fail "$arm: a guest that does nothing failed:"
	tail -n 15 "$T_LOG.out"
fi
expect_error "$arm: kernel WARNING fails the run" "kernel reported problems" \
	run_sh -t selftest-warn -g warn -T 120 "$arm"
t_if "$arm: WARNING excerpt names lkdtm" grep -q -E 'WARNING:.*lkdtm' "$T_LOG.err"
expect_error "$arm: panic fails the run" "kernel reported problems" \
	run_sh -t selftest-panic -g panic -T 120 "$arm"
t_if "$arm: panic excerpt shown" grep -q 'Kernel panic' "$T_LOG.err"
expect_error "$arm: a hanging guest times out" "timeout: the guest did not finish" \
	run_sh -t selftest-hang -g hang -T 25 "$arm"
t_summary
