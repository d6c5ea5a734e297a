#!/usr/bin/env bash
# negative-control.sh: the A/B selftests can fail. Boot the base kernel (no
# series) but have the guest check the pin-aware expectations. Every
# pin_reclaim scenario must run and fail (first on the missing
# pgunmap_pinned_skip counter; a skipped one is no evidence), the console
# must stay clean (the failure comes from the tests, not from the kernel),
# and the result lines must show the deficiency the expectations reject:
# pinned ranges invalidated by reclaim. The same with KVM's TDP MMU (make
# ab's config variant, AB_VARIANT; selftests/kvm/kvm_pin_reclaim).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh
AB_VARIANT=$(bash -c '. scripts/lib.sh; echo "$AB_VARIANT"')

rc=0
run=$(run_sh -e pin-aware -a pin_reclaim -t control-as-pin-aware -T 900 base 2>"$T_LOG.out") || rc=$?
run=${run:-$(scripts/base-tree.sh)/runs/base-test-control-as-pin-aware}
if [ ! -r "$run/results.tsv" ]; then
	t_fail "the base kernel's run produced no results (scripts/run.sh base, rc=$rc):"
	tail -n 15 "$T_LOG.out"
	t_summary
fi
tap=$(mktemp)
tr -d '\r' <"$run/results.tap" >"$tap" # the serial port writes CRLF
t_if "base kernel judged with pin-aware expectations fails" test "$rc" != 0
t_if "the console stayed clean (failures come from the tests)" test ! -s "$run/console.bad"
# verdict.sh's results of pin_reclaim's own cases. A SKIP is neither a pass
# nor a failure of the expectations: every scenario with a pin must run and
# fail; the unpinned page mapped 1100 times is reclaimed on every arm, so it
# passes here too (the control does not just fail everything).
count() { # STATUS ID-REGEX
	awk -F'\t' -v st="$1" -v re="$2" '$1 == st && $2 ~ re { n++ } END { print n + 0 }' "$run/results.tsv"
}
pinned='^pin_reclaim/(pin_reclaim\.|pin_loop)'
n_pass=$(count pass "$pinned") n_fail=$(count fail "$pinned") n_skip=$(count skip "$pinned")
t_if "all pinned pin_reclaim scenarios run and fail ($n_fail failed, $n_pass passed, $n_skip skipped)" \
	test "$n_fail" -gt 30 -a "$n_pass" = 0 -a "$n_skip" = 0
t_if "the unpinned page mapped 1100 times passes on base too" \
	test "$(count pass '^pin_reclaim/unpinned\.mapped_1100_times$')" = 1
for s in shmem memfd tmpfs_file anon_swapcache anon_lazyfree thp_shmem; do
	line=$(grep -m1 -E "^# # result arm=pin-aware scenario=$s pin=gup_test trigger=MADV_PAGEOUT " "$tap" || true)
	inval=$(echo "$line" | sed -n 's/.* invalidated=\([0-9]*\) .*/\1/p')
	t_if "base invalidates pinned $s under MADV_PAGEOUT (invalidated=${inval:-?})" test "${inval:-0}" -gt 0
done
rm -f "$tap"

# The same for real subscribers and pins (make ab's variant, with KVM): KVM's TDP MMU
# on base loses its mapping of the pinned guest memory, so every
# kvm_pin_reclaim case fails the pin-aware expectations.
rc=0
run=$(run_sh -e pin-aware -a kvm_pin_reclaim -t control-as-pin-aware -T 1200 base "$AB_VARIANT" 2>"$T_LOG.out") || rc=$?
run=${run:-$(scripts/base-tree.sh)/runs/base-$AB_VARIANT-control-as-pin-aware}
if [ ! -r "$run/results.tsv" ]; then
	t_fail "the base $AB_VARIANT kernel's run produced no results (scripts/run.sh base $AB_VARIANT, rc=$rc):"
	tail -n 15 "$T_LOG.out"
	t_summary
fi
t_if "base $AB_VARIANT kernel (KVM) judged with pin-aware expectations fails" test "$rc" != 0
t_if "the kvm guest's console stayed clean" test ! -s "$run/console.bad"
kvm='^kvm_pin_reclaim/kvm_pin\.'
n_pass=$(count pass "$kvm") n_fail=$(count fail "$kvm") n_skip=$(count skip "$kvm")
t_if "all kvm_pin_reclaim cases run and fail ($n_fail failed, $n_pass passed, $n_skip skipped)" \
	test "$n_fail" -ge 12 -a "$n_pass" = 0 -a "$n_skip" = 0
n_inval=$(tr -d '\r' <"$run/results.tap" | grep -c -E '^# AB bench=kvm_pin .* invalidated_pinned=[1-9]' || true)
t_if "KVM lost its mapping of pinned pages in every case on base ($n_inval of 12 result lines)" \
	test "$n_inval" -ge 12
t_summary
