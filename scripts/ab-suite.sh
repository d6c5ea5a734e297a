#!/usr/bin/env bash
# ab-suite.sh ARMS [JOBDIR]: the A/B selftest matrix: boot every arm (comma
# separated) in make ab's config variant with the workbench's own tests of
# the guest suite (with /dev/kvm: kvm_pin_reclaim runs; the base tree's own
# mm selftests are make reliability's), then again on two NUMA nodes in tiers
# (NUMA=tiers) for the tests that need them (NUMA_TESTS: demotion and
# migration; the whole suite there is not the suite's own setting: the
# upstream split_huge_page_test fails on base with two nodes), each judged
# against its own expectations, and print one row per test binary with the
# arms as columns (`report suite`). With JOBDIR (a make ab job), copy each
# arm's stream and verdict files (results.tap, binaries.tsv, results.tsv,
# console.bad, summary) into
# JOBDIR/ARM/suite/ and JOBDIR/ARM/suite-numa/, where `report ab` reads them
# for the report's selftest tables.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

arms=${1:-}
job=${2:-}
[ -n "$arms" ] || die "usage: ab-suite.sh ARMS [JOBDIR]"
[ -z "$job" ] || [ -d "$job" ] || die "ab-suite.sh: no job directory $job"
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
	# GUEST_ARGS set: make ab exports the benchmarks' (seed=N), which the
	# suite would take for test names. SWAP=virtio, the suite's own: make ab
	# exports zram for the benchmarks, and swap-in from zram drops the swap
	# cache, so the swap-cache cases would all skip.
	for boot in suite numa; do
		tag=ab-suite numa=none args=$OWN_TESTS dest=suite what="the workbench's own tests"
		[ "$boot" = suite ] ||
			tag=ab-numa numa=tiers args=$NUMA_TESTS dest=suite-numa what="$NUMA_TESTS on two tiered NUMA nodes"
		step "ab-suite: $a: $what"
		GUEST_ARGS=$args SWAP=virtio NUMA=$numa RUN_TAG=$tag GUEST_CMD=suite \
			"$ROOT/scripts/run.sh" "$a" "$AB_VARIANT" >"$work/logs/$tag-$a.log" 2>&1 || failed+=("$a ($boot)")
		run=$work/runs/$a-$AB_VARIANT-$tag
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
