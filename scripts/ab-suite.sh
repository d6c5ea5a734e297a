#!/usr/bin/env bash
# ab-suite.sh ARMS [JOBDIR [RUN-OPTION...]]: the A/B selftest matrix: boot
# every arm (comma separated) in make ab's config variant with the
# workbench's own tests of the guest suite (with /dev/kvm: kvm_pin_reclaim
# runs; the base tree's own mm selftests are make reliability's), then again
# on two NUMA nodes in tiers (run.sh -N tiers) for the tests that need them
# (NUMA_TESTS: demotion and
# migration; the whole suite there is not the suite's own setting: the
# upstream split_huge_page_test fails on base with two nodes), each judged
# against its own expectations, and print one row per test binary with the
# arms as columns (`report suite`). With JOBDIR (a make ab job), copy each
# arm's stream and verdict files (results.tap, binaries.tsv, results.tsv,
# console.bad, summary) into
# JOBDIR/ARM/suite/ and JOBDIR/ARM/suite-numa/, where `report ab` reads them
# for the report's selftest tables. RUN-OPTIONs (scripts/run.sh's, e.g.
# make ab's -m MEM -p N -T SECONDS) go to every boot.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

arms=${1:-}
job=${2:-}
[ -n "$arms" ] || die "usage: ab-suite.sh ARMS [JOBDIR [RUN-OPTION...]]"
[ -z "$job" ] || [ -d "$job" ] || die "ab-suite.sh: no job directory $job"
shift $(($# < 2 ? $# : 2))
opts=("$@")
IFS=, read -r -a list <<<"$arms"
for a in "${list[@]}"; do check_arm "$a"; done
need python3
work=$("$ROOT/scripts/base-tree.sh")

NUMA_TESTS=pin_demote,migration
# The workbench's own tests: the base tree's own mm selftests (the
# regression oracle) have their own job, make reliability.
OWN_TESTS=$("$ROOT/scripts/reliability-report.py" --list-others)
[ -n "$OWN_TESTS" ] || die "ab-suite: no tests of the workbench's own in selftests/run-guest.sh"
failed=() runs=() nruns=()
for a in "${list[@]}"; do
	# Swap on virtio, the suite's own (make ab's benchmarks use zram, and
	# swap-in from zram drops the swap cache: the swap-cache cases would
	# all skip).
	for boot in suite numa; do
		tag=ab-suite numa=none args=(-a "$OWN_TESTS") dest=suite what="the workbench's own tests"
		[ "$boot" = suite ] ||
			tag=ab-numa numa=tiers args=(-a "$NUMA_TESTS") dest=suite-numa what="$NUMA_TESTS on two tiered NUMA nodes"
		step "ab-suite: $a: $what"
		run=$work/runs/$a-$AB_VARIANT-$tag # what run.sh prints
		run_sh "${opts[@]}" -g suite "${args[@]}" -S virtio -N "$numa" -t "$tag" "$a" "$AB_VARIANT" \
			>/dev/null 2>"$work/logs/$tag-$a.log" || failed+=("$a ($boot)")
		if [ "$boot" = suite ]; then runs+=("$a=$run"); else nruns+=("$a=$run"); fi
		if [ -n "$job" ]; then
			mkdir -p "$job/$a/$dest"
			for f in results.tap binaries.tsv results.tsv console.bad summary; do
				[ -r "$run/$f" ] && cp "$run/$f" "$job/$a/$dest/"
			done
		fi
	done
done

echo
echo "Selftests per arm (each arm judged against its own expectations):"
report suite "${runs[@]}"
echo
echo "On two NUMA nodes in tiers ($NUMA_TESTS):"
report suite "${nruns[@]}"
[ "${#failed[@]}" = 0 ] || die "ab-suite: the suite failed on: ${failed[*]}"
