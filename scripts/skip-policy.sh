#!/usr/bin/env bash
# skip-policy.sh: measure where reclaim should put the pinned folios it
# skips (issue: keep vs activate). Boots the experiment arm
# pin-aware+skip-policy (the series plus a debugfs knob, patches/skip-policy)
# once, runs selftests/bench/skip_policy with every policy in that boot and
# writes docs/skip-policy.md (OUT= another file). QUICK=1: smaller region,
# fewer passes, output under build/ unless OUT is given.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ $# = 0 ] || die "usage: skip-policy.sh (no arguments; environment: QUICK=1, OUT=FILE)"
need python3
arm='pin-aware+skip-policy'
args=only=skip_policy${QUICK:+,quick}
out=${OUT:-}
if [ -z "$out" ]; then
	if [ -n "${QUICK:-}" ]; then out=$BUILD/skip-policy-quick.md; else out=$ROOT/docs/skip-policy.md; fi
fi
step "skip-policy: $arm, one boot, every policy (log: build/.../runs/$arm-test-skip-policy)"
# zram, as make ab: a synchronous swap device, so the counts repeat better.
GUEST_CMD=bench GUEST_ARGS=$args RUN_TAG=skip-policy TIMEOUT=${TIMEOUT:-2400} SWAP=${SWAP:-zram} \
	"$ROOT/scripts/run.sh" "$arm" test >&2
run=$(work_dir)/runs/$arm-test-skip-policy
python3 "$ROOT/scripts/skip-policy-report.py" "$run" "$out"
step "skip-policy: wrote ${out#"$ROOT"/}"
