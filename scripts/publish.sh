#!/usr/bin/env bash
# publish.sh [JOBDIR...]: the one step that writes generated results into
# docs/. Copies the result files of each complete job directory (default:
# the last full `make ab` job of BASE, build/<base>/ab/last-full) into
# docs/, under the names they already have there (docs_name in lib.sh:
# ab-results-7.3.md, ab-results-6.12.md, ...): each report with the JSON
# summary it was rendered from (ab-results-7.3.json, ...), which make
# export reads for the cover letter.
# A job is complete when its step wrote JOBDIR/complete (ab.sh does after
# a full job whose arms all ran); a quick job is never published. Prints
# what it copied; committing is up to you. JOBDIR may also be the
# directory of a standalone `make i915-mock` (build/<base>/i915-mock) or
# `make skip-policy` (build/<base>/skip-policy), `make kvm` (build/<base>/kvm)
# or `make reliability` (build/<base>/reliability) or `make stress`
# (build/<base>/stress).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

jobs=("$@")
if [ "${#jobs[@]}" = 0 ]; then
	last=$(work_dir)/ab/last-full
	[ -e "$last" ] || die "no full make ab job of base $BASE to publish (${last#"$ROOT"/} is missing: run make ab BASE=$BASE)"
	jobs=("$(readlink -f "$last")")
fi
for j in "${jobs[@]}"; do
	[ -d "$j" ] || die "no job directory $j"
	[ -e "$j/complete" ] || die "job $j is not complete (a failed or interrupted job, or a quick one): not published"
	! grep -qx 'mode=quick' "$j/meta.txt" 2>/dev/null || die "job $j is a QUICK=1 job: not published"
done
n=0
for j in "${jobs[@]}"; do
	for stem in ab-results.md ab-results.json ab-plot.svg i915-mock-results.md reliability.md \
		i915-mock-results.json kvm-results.md kvm-results.json skip-policy.md skip-policy.json \
		stress-results.md stress-results.json; do
		f=$j/$(docs_name "$stem")
		[ -e "$f" ] || continue
		cp "$f" "$ROOT/docs/"
		echo "published ${f#"$ROOT"/} -> docs/${f##*/}"
		n=$((n + 1))
	done
done
[ "$n" -gt 0 ] || die "nothing to publish in ${jobs[*]}"
