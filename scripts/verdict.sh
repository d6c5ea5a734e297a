#!/usr/bin/env bash
# verdict.sh RUNDIR: judge one guest run. Fails on any kernel warning,
# BUG, oops, panic, lockdep or KASAN report in console.log, on a timeout,
# on a guest that did not finish, and on any failed TAP result.
# Prints the TAP summary; on failure prints the console excerpt.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

run=${1:-}
[ -d "$run" ] || die "usage: verdict.sh RUNDIR"
console=$run/console.log
tap=$run/results.tap
[ -r "$console" ] || die "no console log in $run"

# Patterns that fail a run wherever they appear on the console. Not "page
# dumped because": gup_test dumps pages on purpose; a real page-state bug
# also prints "BUG: Bad page state" or "kernel BUG at".
bad='WARNING:|BUG:|kernel BUG at|Kernel panic|Oops|general protection fault|KASAN:|UBSAN:|'
bad+='possible circular locking|possible recursive locking|inconsistent lock state|'
bad+='DEBUG_LOCKS_WARN_ON|sleeping function called from invalid|INFO: task .* blocked|soft lockup|hard LOCKUP|rcu_sched detected stall|'
bad+='rcu: INFO:|Call Trace:|list_add corruption|list_del corruption'

problems=()
qrc=$(cat "$run/qemu.rc" 2>/dev/null || echo '?')
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	problems+=("timeout: the guest did not finish within the time limit")
elif [ "$qrc" != 0 ]; then
	problems+=("qemu exited with status $qrc ($(head -c 300 "$run/qemu.out" 2>/dev/null))")
fi
if grep -a -n -E "$bad" "$console" >"$run/console.bad"; then
	problems+=("kernel reported problems on the console ($(wc -l <"$run/console.bad") lines)")
fi
end=$(grep -a -o 'WORKBENCH-END rc=[0-9]*' "$tap" 2>/dev/null | tail -n1 || true)
[ -n "$end" ] || problems+=("the guest did not reach the end of its run (no WORKBENCH-END)")

pass=0 fail=0 skip=0
if [ -r "$tap" ]; then
	# Top-level TAP lines only (a binary's own lines are prefixed '# ').
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) fail=$((fail + 1)) ;;
		"ok "*"# SKIP"* | "ok "*"# skip"*) skip=$((skip + 1)) ;;
		"ok "*) pass=$((pass + 1)) ;;
		*) continue ;;
		esac
		echo "  $line"
	done < <(tr -d '\r' <"$tap")
fi
[ "$fail" = 0 ] || problems+=("$fail test(s) failed")
# The console and the run's completion count as results of their own.
nprob=${#problems[@]}
[ "$fail" = 0 ] || nprob=$((nprob - 1))
total_fail=$((fail + nprob))
total_pass=$((pass + (nprob == 0 ? 1 : 0)))
printf '%s\n' "pass=$pass fail=$fail skip=$skip problems=$nprob" >"$run/summary"
trap 'echo "$total_pass passed, $total_fail failed, $skip skipped"' EXIT

if [ "${#problems[@]}" -gt 0 ]; then
	for p in "${problems[@]}"; do echo "FAIL: $p" >&2; done
	if [ -s "$run/console.bad" ]; then
		first=$(head -n1 "$run/console.bad" | cut -d: -f1)
		echo "---- console excerpt ($console, from line $((first > 5 ? first - 5 : 1))):" >&2
		sed -n "$((first > 5 ? first - 5 : 1)),$((first + 30))p" "$console" >&2
	elif [ "$qrc" = 124 ] || [ -z "$end" ]; then
		echo "---- last console lines ($console):" >&2
		tail -n 25 "$console" >&2
	fi
	echo "verdict: FAIL ($run)" >&2
	exit 1
fi
echo "verdict: ok, $pass passed, $fail failed, $skip skipped ($run)" >&2
