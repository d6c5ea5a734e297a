#!/bin/sh
# shellcheck shell=dash
# run-bench.sh ARM [quick] [seed=N] [only=NAME]: the A/B benchmarks, inside
# the guest (busybox sh, POSIX only).  Started by the initramfs /init when
# the kernel command line says workbench.cmd=bench; stdout goes to ttyS1.
#
# Output is TAP: one top-level "ok N name" per benchmark, everything else a
# "# " comment.  Benchmarks report, they never fail on timing: "not ok"
# means a benchmark could not run at all.  The result lines ("# AB ...")
# are read by scripts/ab-report.py.
arm=${1:-unknown}
[ $# -gt 0 ] && shift
quick='' seed=1 only=''
for a in "$@"; do
	case "$a" in
	quick) quick=-q ;;
	seed=*) seed=${a#seed=} ;;
	only=*) only=${a#only=} ;;
	*) echo "# run-bench.sh: ignoring unknown argument '$a'" ;;
	esac
done
dir=$(cd "$(dirname "$0")" && pwd)
benches="pin_counts reclaim_wait reclaim_nopin pin_incremental alloc_latency"
[ -n "$only" ] && benches=$only

has() { [ -e "$1" ] && echo 1 || echo 0; }
param() { cat "/sys/module/userptr_emu/parameters/$1" 2>/dev/null || echo n/a; }

echo "TAP version 13"
n=0
for b in $benches; do n=$((n + 1)); done
echo "1..$n"
skipctr=n/a
grep -q '^pgunmap_pinned_skip ' /proc/vmstat && skipctr=yes
echo "# AB stage=meta arm=$arm quick=${quick:+1} seed=$seed kernel=$(uname -r)" \
	"cpus=$(grep -c ^processor /proc/cpuinfo)" \
	"memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)" \
	"swap=$(awk 'NR == 2 { print $1 }' /proc/swaps)" \
	"emulator=$(has /sys/kernel/debug/userptr_emu)" \
	"mayfail_support=$(param mayfail_support) honour_mayfail=$(param honour_mayfail)" \
	"pgunmap_pinned_skip=$skipctr" \
	"thp=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
i=0
for b in $benches; do
	i=$((i + 1))
	out=/tmp/bench-$b.out
	t0=$(date +%s)
	if [ -x "$dir/$b" ]; then
		"$dir/$b" $quick -s "$seed" >"$out" 2>&1
		rc=$?
	else
		echo "$b: SKIP: not in this initramfs" >"$out"
		rc=4
	fi
	sed 's/^/# /' "$out"
	echo "# AB bench=$b stage=wall seconds=$(($(date +%s) - t0)) rc=$rc"
	case "$rc" in
	0) echo "ok $i $b" ;;
	4) echo "ok $i $b # SKIP $(grep -m1 'SKIP' "$out" | sed 's/.*SKIP: //')" ;;
	*) echo "not ok $i $b # exit status $rc" ;;
	esac
done
exit 0
