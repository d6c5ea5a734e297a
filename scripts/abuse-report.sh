#!/usr/bin/env bash
# abuse-report.sh [TAG]: the tables of docs/security.md from run directories
# that ran pin_abuse and pin_pressure, one per arm, e.g. after
#   scripts/run.sh -a pin_abuse,pin_pressure ARM     (each arm)
# Reads build/<base>/runs/ARM-VARIANT[-TAG]/ for base, mayfail and pin-aware
# (ARMS=a,b,c for others; VARIANT=kvm for the runs of the kvm config
# variant, which has iommufd; default test), boots nothing, and writes OUT (default
# build/<base>/abuse/abuse-results-BASE.md, and .json beside it, by
# scripts/report; copy both into docs/ to publish them).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

tag=${1:-}
variant=${VARIANT:-test}
check_variant "$variant"
IFS=, read -r -a arms <<<"${ARMS:-${ARMS_ALL// /,}}"
out=${OUT:-$(work_dir)/abuse/$(docs_name abuse-results.md)}
mkdir -p "$(dirname "$out")"
runs=()
for a in "${arms[@]}"; do
	check_arm "$a"
	run=$(work_dir)/runs/$a-$variant${tag:+-$tag}
	[ -r "$run/results.tap" ] || die "no results in $run: run scripts/run.sh -a pin_abuse,pin_pressure${tag:+ -t $tag} $a $variant first"
	runs+=("$a=${run#"$ROOT"/}")
done
report abuse "$out" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	--command "${VARIANT:+VARIANT=$VARIANT }scripts/abuse-report.sh${tag:+ $tag}" "${runs[@]}"
echo "${out#"$ROOT"/}"
