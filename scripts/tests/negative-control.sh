#!/usr/bin/env bash
# negative-control.sh: the A/B selftests can fail. Boot the base kernel (no
# series) but have the guest check the pin-aware expectations. Every
# pin_reclaim scenario must fail (first on the missing pgunmap_pinned_skip
# counter), the console must stay clean (the failure comes from the tests,
# not from the kernel), and the result lines must show the deficiency the
# expectations reject: pinned ranges invalidated by reclaim.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh

rc=0
EXPECT_ARM=pin-aware GUEST_ARGS=pin_reclaim RUN_TAG=control-as-pin-aware TIMEOUT=900 \
	scripts/run.sh base >"$T_LOG.out" 2>&1 || rc=$?
run=$(scripts/base-tree.sh)/runs/base-test-control-as-pin-aware
tap=$(mktemp)
tr -d '\r' <"$run/results.tap" >"$tap" # the serial port writes CRLF
t_if "base kernel judged with pin-aware expectations fails" test "$rc" != 0
t_if "the console stayed clean (failures come from the tests)" test ! -s "$run/console.bad"
n_ok=$(grep -c -E '^# ok [0-9]+ pin-aware:pin_reclaim\.' "$tap" || true)
n_fail=$(grep -c -E '^# not ok [0-9]+ pin-aware:pin_reclaim\.' "$tap" || true)
t_if "all $n_fail pin_reclaim scenarios fail, $n_ok pass" test "$n_fail" -gt 30 -a "$n_ok" = 0
for s in shmem memfd tmpfs_file anon_swapcache anon_lazyfree thp_shmem; do
	line=$(grep -m1 -E "^# # result arm=pin-aware scenario=$s pin=gup_test trigger=MADV_PAGEOUT " "$tap" || true)
	inval=$(echo "$line" | sed -n 's/.* invalidated=\([0-9]*\) .*/\1/p')
	t_if "base invalidates pinned $s under MADV_PAGEOUT (invalidated=${inval:-?})" test "${inval:-0}" -gt 0
done
rm -f "$tap"
t_summary
