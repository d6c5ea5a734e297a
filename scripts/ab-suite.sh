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

declare -A result
names=()
failed=()
for a in "${list[@]}"; do
	step "ab-suite: $a: selftest matrix"
	# GUEST_ARGS cleared: make ab exports the benchmarks' (seed=N), which the
	# suite would take for test names.
	GUEST_ARGS='' RUN_TAG=ab-suite GUEST_CMD=suite "$ROOT/scripts/run.sh" "$a" >"$work/logs/ab-suite-$a.log" 2>&1 ||
		failed+=("$a")
	tap=$work/runs/$a-test-ab-suite/results.tap
	while IFS= read -r line; do
		# "ok 3 ARM:NAME" / "not ok 5 ARM:NAME # exit=1" / "... # SKIP why"
		name=${line#*"$a":}
		name=${name%% *}
		case "$line" in
		"not ok "*) r=FAIL ;;
		*"# SKIP"*) r=skip ;;
		*) r=ok ;;
		esac
		[ -n "${result[$name]+x}" ] || names+=("$name")
		result[$name]+="$a=$r "
	done < <(tr -d '\r' <"$tap" 2>/dev/null | grep -E '^(not )?ok ' || true)
	result[console]+="$a=$(grep -q . "$work/runs/$a-test-ab-suite/console.bad" 2>/dev/null && echo FAIL || echo clean) "
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
			r=$(echo "${result[$n]:-}" | tr ' ' '\n' | sed -n "s/^$a=//p")
			printf ' %s |' "${r:-n/a}"
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
		echo "expectations (the per-arm table in selftests/mm/pin_reclaim.c); \`console\` is clean when the"
		echo "kernel printed no warning, BUG, lockdep or KASAN report. Logs: runs/ARM-test-ab-suite/."
		echo
		table
	} >>"$md"
fi
[ "${#failed[@]}" = 0 ] || die "ab-suite: the suite failed on: ${failed[*]}"
