#!/usr/bin/env bash
# ab-suite.sh ARMS [MD]: the A/B selftest matrix: boot every arm (comma
# separated) with the guest test suite, each judged against its own
# expectations, and print one row per test binary with the arms as columns.
# With MD, append the same table to that Markdown file.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

arms=${1:-}
md=${2:-}
[ -n "$arms" ] || die "usage: ab-suite.sh ARMS [MD]"
IFS=, read -r -a list <<<"$arms"
for a in "${list[@]}"; do check_arm "$a"; done
work=$("$ROOT/scripts/base-tree.sh")

declare -A result seen
names=()
failed=()
for a in "${list[@]}"; do
	step "ab-suite: $a: selftest matrix"
	# GUEST_ARGS cleared: make ab exports the benchmarks' (seed=N), which the
	# suite would take for test names. SWAP=virtio, the suite's own: make ab
	# exports zram for the benchmarks, and swap-in from zram drops the swap
	# cache, so the swap-cache cases would all skip.
	GUEST_ARGS='' SWAP=virtio RUN_TAG=ab-suite GUEST_CMD=suite "$ROOT/scripts/run.sh" "$a" >"$work/logs/ab-suite-$a.log" 2>&1 ||
		failed+=("$a")
	run=$work/runs/$a-test-ab-suite
	# verdict.sh's count per binary: ok, skip or FAIL, with how many of its
	# own results failed or skipped.
	while IFS=$'\t' read -r name n p f sk; do
		[ -n "${seen[$name]+x}" ] || names+=("$name")
		seen[$name]=1
		if [ "$f" != 0 ]; then r=FAIL; elif [ "$p" != 0 ]; then r=ok; else r=skip; fi
		why=
		[ "$f" = 0 ] || why="$f failed"
		[ "$sk" = 0 ] || why+="${why:+, }$sk skipped"
		[ "$n" -le 1 ] || [ -z "$why" ] || r+=" ($why of $n)"
		result[$name/$a]=$r
	done <"$run/binaries.tsv"
	result[console/$a]=$(grep -q . "$run/console.bad" 2>/dev/null && echo FAIL || echo clean)
done
names+=(console)

table() {
	printf '| test |'
	printf ' %s |' "${list[@]}"
	printf '\n|---|'
	printf -- '---|%.0s' "${list[@]}"
	printf '\n'
	for n in "${names[@]}"; do
		printf '| %s |' "$n"
		for a in "${list[@]}"; do
			printf ' %s |' "${result[$n/$a]:-n/a}"
		done
		printf '\n'
	done
}
echo
echo "Selftests per arm (each arm judged against its own expectations):"
table
if [ -n "$md" ]; then
	{
		echo
		echo "## Selftests per arm"
		echo
		echo "Each arm booted with the guest suite (\`scripts/ab-suite.sh\`), judged against its own"
		echo "expectations (the per-arm table in selftests/mm/pin_reclaim.c). A cell is \`ok\`, \`skip\` or"
		echo "\`FAIL\` for the binary, with how many of its own results (kselftest subtests) failed or"
		echo "skipped; a skip is not a pass. \`console\` is clean when the kernel printed no warning, BUG,"
		echo "lockdep or KASAN report. Logs: runs/ARM-test-ab-suite/ (results.tsv: every result)."
		echo
		table
	} >>"$md"
fi
[ "${#failed[@]}" = 0 ] || die "ab-suite: the suite failed on: ${failed[*]}"
