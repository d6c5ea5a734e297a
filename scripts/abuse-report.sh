#!/usr/bin/env bash
# abuse-report.sh [-o OUT] [-v VARIANT] [-t TAG] [ARMS]: the tables of
# docs/security.md from run directories that ran pin_abuse and
# pin_pressure, one per arm, e.g. after
#   scripts/run.sh -a pin_abuse,pin_pressure ARM     (each arm)
# Reads build/<base>/runs/ARM-VARIANT[-TAG]/ for each arm of ARMS (comma
# separated; default every arm), VARIANT (default test; kvm for the runs of
# the kvm config variant, which has iommufd), boots nothing, and writes -o
# OUT (default build/<base>/abuse/abuse-results-BASE.md, and .json beside
# it, by scripts/report; copy both into docs/ to publish them).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: abuse-report.sh [-o OUT] [-v VARIANT] [-t TAG] [ARMS]"
out='' variant=test tag=''
OPTIND=1
while getopts ':o:v:t:h' o; do
	case "$o" in
	o) out=$OPTARG ;;
	v) variant=$OPTARG ;;
	t) tag=$OPTARG ;;
	*) getopts_other abuse-report.sh "$usage" "$o" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || die "$usage"
check_variant "$variant"
IFS=, read -r -a arms <<<"${1:-${ARMS_ALL// /,}}"
out=${out:-$(work_dir)/abuse/$(docs_name abuse-results.md)}
runs=()
for a in "${arms[@]}"; do
	check_arm "$a"
	run=$(work_dir)/runs/$a-$variant${tag:+-$tag}
	[ -r "$run/results.tap" ] || die "no results in $run: run scripts/run.sh -a pin_abuse,pin_pressure${tag:+ -t $tag} $a $variant first"
	runs+=("$a=${run#"$ROOT"/}")
done
# The command as the report names it: the options that change what it read.
cmd=scripts/abuse-report.sh
[ "$variant" = test ] || cmd+=" -v $variant"
cmd+="${tag:+ -t $tag}${1:+ $1}"
mkdir -p "$(dirname "$out")"
report abuse "$out" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" --command "$cmd" "${runs[@]}"
echo "${out#"$ROOT"/}"
