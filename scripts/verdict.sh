#!/usr/bin/env bash
# verdict.sh RUNDIR: judge one guest run, from its console and its TAP.
#
# The run fails on any kernel warning, BUG, oops, panic, lockdep or KASAN
# report in console.log, on a timeout, on a guest that did not reach
# WORKBENCH-END or ended with rc other than 0, on a TAP plan (top-level or
# a binary's own) that does not match the results, and on any failed
# result. Only results count as tests: the console is not one.
#
# A binary's own results (the "# ok N ..." lines of a kselftest binary) are
# counted one by one, so that a subtest that SKIPs is a skip even when its
# binary exits 0; a binary without results of its own counts once.
#
# Writes RUNDIR/results.tsv (STATUS<TAB>ID<TAB>REASON per result, STATUS
# pass|fail|skip, ID "BINARY" or "BINARY/SUBTEST" without the arm),
# RUNDIR/binaries.tsv (BINARY<TAB>RESULTS<TAB>PASSED<TAB>FAILED<TAB>SKIPPED)
# and RUNDIR/summary. Prints one "SKIP ID # REASON" or "FAIL ID # REASON" line
# per skip or failure, the problems of the run, and last
# "N passed, N failed, N skipped" (failed: failed results plus problems).
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
# One exception: the stack dump of a memcg OOM report. A memcg at its limit
# that cannot reclaim must OOM-kill (selftests/mm/pin_pressure checks that it
# does); the kernel then prints "invoked oom-killer:" and, a few lines on,
# a "Call Trace:" through mem_cgroup_out_of_memory(). That "Call Trace:" is
# not a problem; any other line of the pattern, a WARNING or BUG inside the
# report, and a global OOM (no mem_cgroup_out_of_memory) still are.
bad_lines() {
	awk -v bad="$bad" '
		{ line[NR] = $0 }
		END {
			for (i = 1; i <= NR; i++) {
				if (line[i] !~ /invoked oom-killer:/)
					continue
				memcg = 0
				for (j = i + 1; j <= i + 40 && j <= NR; j++)
					if (line[j] ~ /mem_cgroup_out_of_memory/)
						memcg = 1
				for (j = i + 1; memcg && j <= i + 4 && j <= NR; j++)
					if (line[j] ~ /Call Trace:/)
						oom[j] = 1
			}
			for (i = 1; i <= NR; i++)
				if (line[i] ~ bad && !(i in oom))
					print i ":" line[i]
		}' "$1"
}
bad_lines "$console" >"$run/console.bad"
if [ -s "$run/console.bad" ]; then
	problems+=("kernel reported problems on the console ($(wc -l <"$run/console.bad") lines)")
fi

# The TAP (scripts/report/tap.py, the one parser of the guest's TAP):
# results.tsv and binaries.tsv, then one line per problem of the stream.
need python3
tsv=$run/results.tsv
while IFS= read -r p; do problems+=("$p"); done < <(report tap "$run")

pass=0 fail=0 skip=0
while IFS=$'\t' read -r st id why; do
	case "$st" in
	pass) pass=$((pass + 1)) ;;
	skip)
		skip=$((skip + 1))
		echo "SKIP $id # $why" ;;
	fail)
		fail=$((fail + 1))
		echo "FAIL $id # $why" ;;
	esac
done <"$tsv"
# Per binary (binaries.tsv): BINARY<TAB>RESULTS<TAB>PASSED<TAB>FAILED<TAB>SKIPPED.
while IFS=$'\t' read -r b n p f s; do
	printf '%-4s %s: %d result(s): %d passed, %d failed, %d skipped\n' \
		"$([ "$f" = 0 ] && echo ok || echo FAIL)" "$b" "$n" "$p" "$f" "$s"
done <"$run/binaries.tsv"
[ "$fail" = 0 ] || problems+=("$fail test(s) failed")
nprob=${#problems[@]}
[ "$fail" = 0 ] || nprob=$((nprob - 1))
printf '%s\n' "pass=$pass fail=$fail skip=$skip problems=$nprob" >"$run/summary"
trap 'echo "$pass passed, $((fail + nprob)) failed, $skip skipped"' EXIT

if [ "${#problems[@]}" -gt 0 ]; then
	for p in "${problems[@]}"; do echo "FAIL: $p" >&2; done
	if [ -s "$run/console.bad" ]; then
		first=$(head -n1 "$run/console.bad" | cut -d: -f1)
		echo "---- console excerpt ($console, from line $((first > 5 ? first - 5 : 1))):" >&2
		sed -n "$((first > 5 ? first - 5 : 1)),$((first + 30))p" "$console" >&2
	elif [ "$qrc" = 124 ] || ! grep -q -a 'WORKBENCH-END' "$tap" 2>/dev/null; then
		echo "---- last console lines ($console):" >&2
		tail -n 25 "$console" >&2
	fi
	echo "verdict: FAIL ($run)" >&2
	exit 1
fi
echo "verdict: ok, $pass passed, $fail failed, $skip skipped ($run)" >&2
