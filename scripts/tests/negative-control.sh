#!/usr/bin/env bash
# negative-control.sh: the A/B selftests can fail. Boot the base kernel (no
# series) but have the guest check the pin-aware expectations. Every
# pin_reclaim scenario must run and fail (first on the missing
# pgunmap_pinned_skip counter; a skipped one is no evidence), the console
# must stay clean (the failure comes from the tests, not from the kernel),
# and the result lines must show the deficiency the expectations reject:
# pinned ranges invalidated by reclaim.
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
# verdict.sh's results of pin_reclaim's own cases: a SKIP is neither a pass
# nor a failure of the expectations, so every case must run and fail.
count() { awk -F'\t' -v st="$1" '$1 == st && $2 ~ /^pin_reclaim\// { n++ } END { print n + 0 }' "$run/results.tsv"; }
n_pass=$(count pass) n_fail=$(count fail) n_skip=$(count skip)
t_if "all pin_reclaim scenarios run and fail ($n_fail failed, $n_pass passed, $n_skip skipped)" \
	test "$n_fail" -gt 30 -a "$n_pass" = 0 -a "$n_skip" = 0
for s in shmem memfd tmpfs_file anon_swapcache anon_lazyfree thp_shmem; do
	line=$(grep -m1 -E "^# # result arm=pin-aware scenario=$s pin=gup_test trigger=MADV_PAGEOUT " "$tap" || true)
	inval=$(echo "$line" | sed -n 's/.* invalidated=\([0-9]*\) .*/\1/p')
	t_if "base invalidates pinned $s under MADV_PAGEOUT (invalidated=${inval:-?})" test "${inval:-0}" -gt 0
done
rm -f "$tap"
t_summary
