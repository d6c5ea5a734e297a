#!/usr/bin/env bash
# check.sh: every test of the project, in order of cost. Each check prints
# its own "N passed, N failed"; this adds them up and ends with the total.
# CHECKS="lint workbench" runs a subset. Logs: build/logs/check/.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

all="lint workbench patches cocci guest-suite negative-control guest-failures"
checks=${CHECKS:-$all}
logdir=$BUILD/logs/check
mkdir -p "$logdir"
total_pass=0 total_fail=0 total_skip=0 failed=()

run_check() {
	local name=$1 log=$logdir/$1.log rc=0 line p f s
	shift
	step "check $name: $*"
	"$@" 2>&1 | tee "$log" | sed -u 's/^/    /' || rc=$?
	[ "$rc" = 0 ] && rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)
	if [ -n "$line" ]; then
		p=$(echo "$line" | cut -d' ' -f1)
		f=$(echo "$line" | cut -d' ' -f3)
		s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	else
		p=0 f=0
	fi
	# A check that failed without counting a failure still counts as one.
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	if [ "$rc" = 0 ] && [ "$p" = 0 ] && [ "$f" = 0 ]; then p=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + ${s:-0}))
	[ "$f" = 0 ] || failed+=("$name")
	step "check $name: $p passed, $f failed${s:+, $s skipped} (log: ${log#"$ROOT"/})"
}

for c in $checks; do
	case "$c" in
	lint) run_check lint "$ROOT/scripts/tests/lint.sh" ;;
	workbench) run_check workbench "$ROOT/scripts/tests/workbench.sh" ;;
	patches) run_check patches "$ROOT/scripts/tests/patches.sh" ;;
	cocci)
		if [ -x "$ROOT/scripts/cocci-test.sh" ]; then
			run_check cocci "$ROOT/scripts/cocci-test.sh"
		fi ;;
	guest-suite) run_check guest-suite "$ROOT/scripts/run.sh" "${CHECK_ARM:-pin-aware}" ;;
	negative-control) run_check negative-control "$ROOT/scripts/tests/negative-control.sh" ;;
	guest-failures) run_check guest-failures "$ROOT/scripts/tests/guest-failures.sh" "${CHECK_ARM:-pin-aware}" ;;
	*) die "unknown check '$c' (known: $all)" ;;
	esac
done

[ "${#failed[@]}" = 0 ] || echo "failed checks: ${failed[*]}"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
