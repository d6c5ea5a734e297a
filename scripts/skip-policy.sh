#!/usr/bin/env bash
# skip-policy.sh [--publish] [-q] [-o OUT] [-S SWAP] [-T SECONDS] [-A ACCEL]:
# measure where reclaim should put the pinned folios it sets aside (issue:
# keep vs activate). Boots the experiment arm pin-aware+skip-policy of BASE
# (the series plus a debugfs knob, patches/skip-policy, or
# patches/skip-policy/BASE for another base) once, runs
# selftests/bench/skip_policy with every policy in that boot and writes the
# report (scripts/report: skip-policy-BASE.json, and rendered from it
# skip-policy-BASE.md) to build/<base>/skip-policy/ (-o another .md file;
# its .json goes next to it). Tracked docs change only when asked:
# --publish hands that directory to scripts/publish.sh (not with -q or
# -o). -q (make skip-policy QUICK=1): smaller region, fewer passes,
# build/<base>/skip-policy-quick/. -S the swap (default zram), -T the time
# limit of the boot (default 2400 s), -A the accelerator (run.sh's options).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: skip-policy.sh [--publish] [-q] [-o OUT] [-S SWAP] [-T SECONDS] [-A ACCEL]"
publish='' quick='' out='' swap=zram timeout=2400 accel=''
while [ $# -gt 0 ]; do
	case "$1" in
	--publish) publish=1 ;;
	-q) quick=1 ;;
	-o | -S | -T | -A)
		[ $# -ge 2 ] || die "skip-policy.sh: $1 needs a value ($usage)"
		case "$1" in
		-o) out=$2 ;;
		-S) swap=$2 ;;
		-T) timeout=$2 ;;
		-A) accel=$2 ;;
		esac
		shift
		;;
	-h | --help)
		echo "$usage"
		exit 0
		;;
	*) die "$usage" ;;
	esac
	shift
done
count_arg "skip-policy.sh: -T" "$timeout"
[ -z "$publish" ] || [ -z "$quick$out" ] ||
	die "--publish copies the full run's report to docs/: not with -q or -o"
need python3
arm='pin-aware+skip-policy'
args=only=skip_policy${quick:+,quick}
job=$(work_dir)/skip-policy${quick:+-quick}
own_out=$out
out=${out:-$job/$(docs_name skip-policy.md)}
mkdir -p "$(dirname "$out")"
rm -f "$job/complete"
step "skip-policy: $arm on $BASE, one boot, every policy (log: build/.../runs/$arm-test-skip-policy)"
# zram, as make ab: a synchronous swap device, so the counts repeat better.
run_sh -g bench -a "$args" -t skip-policy -T "$timeout" -S "$swap" ${accel:+-A "$accel"} \
	"$arm" test >/dev/null
run=$(work_dir)/runs/$arm-test-skip-policy
report skip-policy --root "$ROOT" "$run" "$out"
rel=${out#"$ROOT"/}
step "skip-policy: wrote $rel and its summary ${rel%.md}.json"
# A full run into the job directory is publishable (make publish JOB=...).
[ -n "$quick$own_out" ] || touch "$job/complete"
[ -z "$publish" ] || "$ROOT/scripts/publish.sh" "$job" >&2
echo "$out"
