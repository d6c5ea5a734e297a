#!/usr/bin/env bash
# skip-policy.sh [--publish]: measure where reclaim should put the pinned
# folios it sets aside (issue: keep vs activate). Boots the experiment arm
# pin-aware+skip-policy of BASE (the series plus a debugfs knob,
# patches/skip-policy, or patches/skip-policy/BASE for another base) once,
# runs selftests/bench/skip_policy with every policy in that boot and
# writes the report (scripts/report: skip-policy-BASE.json, and rendered
# from it skip-policy-BASE.md) to build/<base>/skip-policy/ (OUT= another
# .md file; its .json goes next to it). Tracked docs change only when
# asked: --publish hands that directory to scripts/publish.sh (not with
# QUICK=1 or OUT=). QUICK=1: smaller region, fewer passes,
# build/<base>/skip-policy-quick/.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: skip-policy.sh [--publish] (environment: BASE, QUICK=1, OUT=FILE, SWAP, TIMEOUT, ACCEL)"
publish=
while [ $# -gt 0 ]; do
	case "$1" in
	--publish) publish=1 ;;
	-h | --help)
		echo "$usage"
		exit 0
		;;
	*) die "$usage" ;;
	esac
	shift
done
[ -z "$publish" ] || [ -z "${QUICK:-}${OUT:-}" ] ||
	die "--publish copies the full run's report to docs/: not with QUICK=1 or OUT="
need python3
arm='pin-aware+skip-policy'
args=only=skip_policy${QUICK:+,quick}
job=$(work_dir)/skip-policy${QUICK:+-quick}
out=${OUT:-$job/$(docs_name skip-policy.md)}
mkdir -p "$(dirname "$out")"
rm -f "$job/complete"
step "skip-policy: $arm on $BASE, one boot, every policy (log: build/.../runs/$arm-test-skip-policy)"
# zram, as make ab: a synchronous swap device, so the counts repeat better.
run_sh -g bench -a "$args" -t skip-policy -T "${TIMEOUT:-2400}" -S "${SWAP:-zram}" ${ACCEL:+-A "$ACCEL"} \
	"$arm" test >/dev/null
run=$(work_dir)/runs/$arm-test-skip-policy
report skip-policy --root "$ROOT" "$run" "$out"
step "skip-policy: wrote ${out#"$ROOT"/} and its summary ${out%.md}.json"
# A full run into the job directory is publishable (make publish JOB=...).
[ -n "${QUICK:-}${OUT:-}" ] || touch "$job/complete"
[ -z "$publish" ] || "$ROOT/scripts/publish.sh" "$job" >&2
echo "$out"
