#!/usr/bin/env bash
# ab-suite.sh ARMS [JOBDIR]: the A/B selftest matrix: boot every arm (comma
# separated) in make ab's config variant with the guest test suite, on two
# NUMA nodes in tiers (NUMA=tiers: pin_demote and migration run) and with
# /dev/kvm (kvm_pin_reclaim runs), each judged against its own
# expectations, and print one row per test binary with the arms as columns
# (`report suite`). With JOBDIR (a make ab job), copy each arm's verdict
# files (binaries.tsv, results.tsv, console.bad, summary) into
# JOBDIR/ARM/suite/, where `report ab` reads them for the report's
# "Selftests per arm" table.
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

failed=() runs=()
for a in "${list[@]}"; do
	step "ab-suite: $a: selftest matrix"
	# GUEST_ARGS cleared: make ab exports the benchmarks' (seed=N), which the
	# suite would take for test names. SWAP=virtio, the suite's own: make ab
	# exports zram for the benchmarks, and swap-in from zram drops the swap
	# cache, so the swap-cache cases would all skip.
	GUEST_ARGS='' SWAP=virtio NUMA=tiers RUN_TAG=ab-suite GUEST_CMD=suite \
		"$ROOT/scripts/run.sh" "$a" "$AB_VARIANT" >"$work/logs/ab-suite-$a.log" 2>&1 || failed+=("$a")
	run=$work/runs/$a-$AB_VARIANT-ab-suite
	runs+=("$a=$run")
	if [ -n "$job" ]; then
		mkdir -p "$job/$a/suite"
		for f in binaries.tsv results.tsv console.bad summary; do
			[ -r "$run/$f" ] && cp "$run/$f" "$job/$a/suite/"
		done
	fi
done

echo
echo "Selftests per arm (each arm judged against its own expectations):"
report suite "${runs[@]}"
[ "${#failed[@]}" = 0 ] || die "ab-suite: the suite failed on: ${failed[*]}"
