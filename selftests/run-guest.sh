#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# run-guest.sh ARM [TEST...]: the guest-side test suite (busybox ash, POSIX
# sh only).  Runs the test binaries next to this script and prints TAP 13 on
# stdout, like the kselftest runner: one top-level result per binary, named
# "ARM:TEST", with the binary's own output prefixed by "# " and its own
# result lines renamed to "ARM:NAME" as well.  Exit codes follow kselftest:
# 0 pass, 4 skip, anything else fails.
#
# Around each binary the counters of interest are printed as
#   # vmstat-delta NAME=VALUE        (after - before, /proc/vmstat)
# right before the binary's result line; counters this kernel lacks are
# listed once as "# vmstat-absent NAME". After them, "# time NAME=SECONDS"
# is the binary's wall time in the guest (scripts/reliability-report.py).
#
# run-guest.sh ARM -- CMD [ARG...] runs one command instead (scripts/run.sh
# -- CMD), in this directory, judged as one binary named after CMD; a line
# "# exit NAME=RC" before its result gives its exit code to the host.
#
# TEST names pick a subset (default: all); PER_TEST_TIMEOUT overrides the
# per-binary timeouts (seconds; scripts/run.sh -P; in the -- mode, no
# timeout unless it is set).
#
# pin_stress (the seeded stress of issue 16) runs 60 s by default;
# PIN_STRESS_SECONDS and PIN_STRESS_SEED (exported by /init from
# workbench.stress_seconds= and workbench.stress_seed=, scripts/stress.sh)
# change its time and seed, and its timeout follows: twice the time plus
# 600 s for the setup and the final checks on a KASAN kernel under TCG.
#
# pin_reclaim_upstream is the in-tree kselftest of v2 (tools/testing/
# selftests/mm/pin_reclaim.c, from selftests/upstream/mm/): it knows no
# arms and skips on a kernel without the series. On an arm that carries
# the series (pin-aware*) it must run, so a skip of the whole binary
# fails there.

arm=${1:-}
if [ -z "$arm" ]; then
	echo "usage: run-guest.sh ARM [TEST...] | ARM -- CMD [ARG...]" >&2
	exit 2
fi
shift
exec_mode=
if [ "${1:-}" = -- ]; then
	shift
	if [ $# = 0 ]; then
		echo "usage: run-guest.sh ARM -- CMD [ARG...]" >&2
		exit 2
	fi
	exec_mode=1
fi
dir=$(cd "$(dirname "$0")" && pwd)
tmp=${TMPDIR:-/tmp}/run-guest.$$
mkdir -p "$tmp"
export PIN_RECLAIM_ARM="$arm"

COUNTERS="pgunmap_pinned_skip pgactivate thp_split_pmd thp_split_page pswpout pswpin
pglazyfree pglazyfreed pgsteal_direct pgscan_direct pgsteal_kswapd pgscan_kswapd
nr_foll_pin_acquired nr_foll_pin_released thp_swpout thp_swpout_fallback
workingset_refault_anon oom_kill"

# name|timeout|command: one line per test binary, in run order.
# hmm-tests without benchmark_thp_migration (7.3): a timing benchmark, not
# a check, that the harness's 30 s limit kills under TCG when the host is
# loaded ("Test terminated by timeout" at a load average of 12).
# The upstream oracle after it (issue 16): more of the tree's own mm
# selftests, as run_vmtests.sh runs them; transhuge-stress loops until
# killed unless given -d SECONDS, so it gets 10 s on 128 MiB.
TESTS="pin_reclaim|600|pin_reclaim
pin_reclaim_upstream|300|pin_reclaim_upstream
pin_demote|300|pin_demote
userptr_selfinval|300|userptr_selfinval
pin_abuse|600|pin_abuse
pin_pressure|600|pin_pressure
pin_stress|300|pin_stress
kvm_pin_reclaim|600|kvm_pin_reclaim
emu_ioctl_test|300|emu_ioctl_test
cow|300|cow
gup_longterm|300|gup_longterm
gup_test_fast|120|gup_test -u
gup_test_pin_fast|120|gup_test -a
gup_test_dump|120|gup_test -ct -F 0x1 0 19 0x1000
hmm-tests|300|hmm-tests -T benchmark_thp_migration
madv_populate|120|madv_populate
mlock2-tests|120|mlock2-tests
uffd-unit-tests|900|uffd-unit-tests
migration|120|migration
khugepaged|600|khugepaged
split_huge_page_test|300|split_huge_page_test
transhuge-stress|60|transhuge-stress -d 10 128
i915_userptr_reclaim|120|userptr_reclaim"

have_timeout=
if timeout 5 true >/dev/null 2>&1; then
	have_timeout=1
fi

selected() {
	[ -z "$want" ] && return 0
	for w in $want; do
		[ "$w" = "$1" ] && return 0
	done
	return 1
}

vmstat_delta() {
	# $1: snapshot before; prints the deltas of $COUNTERS present now.
	awk -v keys="$COUNTERS" '
		BEGIN { n = split(keys, k, /[ \n]+/); for (i = 1; i <= n; i++) want[k[i]] = 1 }
		NR == FNR { before[$1] = $2; next }
		($1 in want) && ($1 in before) { printf "# vmstat-delta %s=%d\n", $1, $2 - before[$1] }
	' "$1" /proc/vmstat
}

# run_one N NAME SECS CMD [ARG...]: run CMD in this directory under a
# timeout of SECS (none if empty), its output as "# " lines with its own
# results renamed ARM:..., the counter deltas and its time, then its result
# "ok N ARM:NAME" (exit 0), "# SKIP" (4, kselftest's skip) or "not ok";
# sets rc to its exit code and failed=1 if it failed.
run_one() {
	i=$1 name=$2 secs=$3
	shift 3
	cat /proc/vmstat >"$tmp/vmstat.before"
	rm -f "$tmp/rc"
	t0=$(date +%s)
	{
		if [ -n "$have_timeout" ] && [ -n "$secs" ]; then
			(cd "$dir" && timeout -s KILL "$secs" "$@" </dev/null)
		else
			(cd "$dir" && "$@" </dev/null)
		fi
		echo $? >"$tmp/rc"
	} 2>&1 | tee "$tmp/log" | sed -e "s/^\(\(not \)\{0,1\}ok [0-9][0-9]* \)\([^#]\)/\1$arm:\3/" -e 's/^/# /'
	rc=$(cat "$tmp/rc" 2>/dev/null || echo 1)
	vmstat_delta "$tmp/vmstat.before"
	echo "# time $name=$(($(date +%s) - t0))"
	[ -z "$exec_mode" ] || echo "# exit $name=$rc"
	case "$rc" in
	0) echo "ok $i $arm:$name" ;;
	4)
		# The binary's last word on it, without its own "1..0 # SKIP".
		why=$(grep -i 'skip' "$tmp/log" | tail -n 1 | tr -d '\r' |
			sed 's/^.*[Ss][Kk][Ii][Pp]:\{0,1\} *//' | cut -c1-120)
		case "$arm:$name" in
		pin-aware*:pin_reclaim_upstream)
			echo "not ok $i $arm:$name # skipped on an arm with the series: ${why:-exit code 4}"
			failed=1 ;;
		*) echo "ok $i $arm:$name # SKIP ${why:-exit code 4}" ;;
		esac ;;
	137 | 124)
		echo "not ok $i $arm:$name # TIMEOUT ${secs}s"
		failed=1 ;;
	*)
		echo "not ok $i $arm:$name # exit=$rc"
		failed=1 ;;
	esac
}

# header N: the TAP header of a run of N binaries.
header() {
	echo "TAP version 13"
	echo "# arm=$arm kernel=$(uname -r) mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo) swap_kb=$(awk '/^SwapTotal:/ {print $2}' /proc/meminfo)"
	for c in $COUNTERS; do
		grep -q "^$c " /proc/vmstat || echo "# vmstat-absent $c"
	done
	echo "1..$1"
}

failed=0
if [ -n "$exec_mode" ]; then
	name=${1##*/}
	header 1
	echo "# $arm:$name: $* (timeout ${PER_TEST_TIMEOUT:-none})"
	run_one 1 "$name" "$PER_TEST_TIMEOUT" "$@"
	rm -rf "$tmp"
	exit $failed
fi
want="$*"
# An unknown name is a mistake, not an empty selection.
for w in $want; do
	case "
$TESTS" in
	*"
$w|"*) ;;
	*)
		echo "TAP version 13"
		echo "1..1"
		echo "not ok 1 $arm:$w # unknown test (known: $(echo "$TESTS" | cut -d'|' -f1 | tr '\n' ' '))"
		exit 2 ;;
	esac
done
# Count what will run (a missing binary is still reported, as a skip).
n=0
plan=
while IFS='|' read -r name secs cmd; do
	[ -n "$name" ] || continue
	selected "$name" || continue
	n=$((n + 1))
	plan="$plan$name|$secs|$cmd
"
done <<EOF
$TESTS
EOF

header "$n"
i=0
while IFS='|' read -r name secs cmd; do
	[ -n "$name" ] || continue
	i=$((i + 1))
	bin=${cmd%% *}
	if [ ! -x "$dir/$bin" ]; then
		echo "ok $i $arm:$name # SKIP $bin not in this initramfs"
		continue
	fi
	# khugepaged's collapse_compound_extreme (anon, both contexts) holds
	# 512 PTE-mapped PMD-sized THPs at once, 1 GiB: in a 1 GiB guest the
	# allocation of one fails ("Bail out! Failed to allocate huge page")
	# on every arm, base included. It needs MEM=2G.
	if [ "$name" = khugepaged ] &&
		[ "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)" -lt 1800000 ]; then
		echo "ok $i $arm:$name # SKIP needs MEM=2G: collapse_compound_extreme holds 512 PMD-sized THPs"
		continue
	fi
	if [ "$name" = pin_stress ] && [ -n "$PIN_STRESS_SECONDS" ]; then
		case "$PIN_STRESS_SECONDS" in
		'' | *[!0-9]*) ;;	# pin_stress itself rejects it
		*) secs=$((PIN_STRESS_SECONDS * 2 + 600)) ;;
		esac
	fi
	[ -n "$PER_TEST_TIMEOUT" ] && secs=$PER_TEST_TIMEOUT
	echo "# $arm:$name: $cmd (timeout ${secs}s)"
	# shellcheck disable=SC2086 # the command's words
	run_one "$i" "$name" "$secs" ./$cmd
done <<EOF
$plan
EOF

rm -rf "$tmp"
exit $failed
