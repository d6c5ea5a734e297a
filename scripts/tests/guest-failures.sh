#!/usr/bin/env bash
# guest-failures.sh [ARM]: deliberately broken guests must fail the runner
# with a console excerpt: a kernel WARNING (lkdtm), a panic (lkdtm) and a
# guest that hangs (short timeout). A guest that does nothing must pass.
# Then scripts/run.sh's -- CMD and -s on a real guest.
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
# The runner's interface on a real guest: stdout is the run directory and
# nothing else; -- CMD's exit code is run.sh's; -s reads its input (here
# not a terminal) once the guest's shell runs.
rc=0
out=$(run_sh -t selftest-exec -T 300 "$arm" -- sh -c 'echo exec-marker; exit 3' 2>"$T_LOG.err") || rc=$?
t_if "$arm: -- CMD: stdout is the run directory only ($out)" test "$(wc -l <<<"$out")" = 1 -a -r "$out/results.tap"
t_if "$arm: -- CMD: run.sh exits with CMD's exit code 3 (got $rc)" test "$rc" = 3
t_if "$arm: -- CMD ran in the guest, judged as one binary" grep -qx 'FAIL sh # exit=3' "$T_LOG.err"
rc=0
out=$(run_sh -t selftest-exec -T 300 "$arm" -- ./pin_reclaim -r pin_reclaim.shmem_pin.pageout 2>"$T_LOG.err") || rc=$?
t_if "$arm: -- one kselftest case passes (rc $rc; $(tail -n1 "$T_LOG.err"))" \
	test "$rc" = 0 -a "$(tail -n1 "$T_LOG.err")" = "1 passed, 0 failed, 0 skipped"
rc=0
out=$(run_sh -t selftest-shell -s -T 300 "$arm" 2>"$T_LOG.err" <<'EOF'
echo shell-marker-$((6 * 7))
exit 0
EOF
) || rc=$?
t_if "$arm: -s: the here-doc ran in the guest's shell (rc $rc)" \
	bash -c "[ $rc = 0 ] && grep -q 'shell-marker-42' '$out/console.log' && grep -q 'shell-marker-42' '$T_LOG.err'"
t_summary
