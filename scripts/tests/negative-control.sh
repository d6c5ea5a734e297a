#!/usr/bin/env bash
# negative-control.sh: the A/B selftests can fail. Boot the base kernel (no
# series) but have the guest check the pin-aware expectations: every
# scenario where base invalidates a pinned range must fail, the scenarios
# where the arms agree must pass, and the console must stay clean (the
# failure comes from the tests, not from the kernel).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh

rc=0
EXPECT_ARM=pin-aware GUEST_ARGS=pin_reclaim RUN_TAG=control-as-pin-aware TIMEOUT=900 \
	scripts/run.sh base >"$T_LOG.out" 2>&1 || rc=$?
run=$(scripts/base-tree.sh)/runs/base-test-control-as-pin-aware
t_if "base kernel judged with pin-aware expectations fails" test "$rc" != 0
t_if "the console stayed clean (failures come from the tests)" test ! -s "$run/console.bad"
for s in shmem_pin memfd_pin tmpfs_file_pin anon_swapcache_pin anon_lazyfree_pin thp_shmem_pin; do
	t_if "base fails pin-aware expectation: $s.pageout" \
		grep -q -x "# not ok [0-9]* pin-aware:pin_reclaim.$s.pageout" "$run/results.tap"
done
for s in anon_pin.pageout shmem_get.pageout; do
	t_if "arms agree, still passes: $s" grep -q -x "# ok [0-9]* pin-aware:pin_reclaim.$s" "$run/results.tap"
done
t_summary
