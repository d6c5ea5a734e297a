#!/usr/bin/env bash
# i915-mock.sh [-o OUT] [-e ARM] [-t TAG] [-T SECONDS] [-A ACCEL] [ARMS]:
# the i915 userptr mock selftest (patches/i915-mock) on each arm: build ARM+i915-mock in the i915 variant, boot it in QEMU,
# modprobe i915 with only the userptr mock selftests and the arm's
# expectation, and judge the run. ARMS is comma separated (default: every
# arm). Prints one line per arm with what the selftest measured, then
# "N passed, N failed", and writes the same as Markdown to -o OUT (default
# build/<base>/i915-mock/i915-mock-results-BASE.md; make publish copies it into
# docs/), rendered by scripts/report from the JSON next to it (the rows
# themselves: OUT without .md, .tsv). Logs: build/<base>/runs/ARM+i915-mock-i915/.
#
# The expectation is explicit per arm (i915.st_expect_reclaim_invalidates):
#   base       1: reclaim of a pinned shmem range invalidates the userptr
#                 object and its notifier sequence moves (6.12 as released)
#   mayfail    0: invalidations may reach the notifiers, all may-fail, and
#                 the sequence must not move
#   pin-aware  0: no invalidation at all, the sequence must not move
# -e ARM judges every arm by ARM's expectation (negative control; make
# i915-mock EXPECT_ARM=ARM), -t TAG suffixes the run directories, -T is
# the time limit of each boot (default 900 s), -A the accelerator (run.sh
# -A).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: i915-mock.sh [-o OUT] [-e ARM] [-t TAG] [-T SECONDS] [-A ACCEL] [ARMS]"
out='' expect_arm='' tag='' timeout=900 accel=
OPTIND=1
while getopts ':o:e:t:T:A:h' o; do
	case "$o" in
	o) out=$OPTARG ;;
	e) expect_arm=$OPTARG ;;
	t) tag=$OPTARG ;;
	T) timeout=$OPTARG ;;
	A) accel=$OPTARG ;;
	*) getopts_other i915-mock.sh "$usage" "$o" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || die "$usage"
plain_arms i915-mock.sh "${1:-}"
list=("${LIST[@]}")
[ -z "$expect_arm" ] || check_arm "$expect_arm"
count_arg "i915-mock.sh: -T" "$timeout"

expectation() {
	case "$1" in
	base) echo 1 ;;
	*) echo 0 ;;
	esac
}

need python3
passed=0 failed=0
summary=() rows=()
own_out=$out
out=${out:-$(work_dir)/i915-mock/$(docs_name i915-mock-results.md)}
mkdir -p "$(dirname "$out")"
for a in "${list[@]}"; do
	arm=$a+i915-mock
	step "$arm: worktree, i915 variant build (about 1 h cold per arm here), boot"
	wt=$("$ROOT/scripts/arm.sh" "$arm")
	hdr=$wt/drivers/gpu/drm/i915/selftests/i915_mock_selftests.h
	line=$(grep -n '^selftest(userptr,' "$hdr" | cut -d: -f1) ||
		die "$arm: no userptr entry in ${hdr#"$wt"/} (is patches/i915-mock applied?)"
	exp=$(expectation "${expect_arm:-$a}")
	run=$(work_dir)/runs/$arm-i915${tag:+-$tag}
	rc=0
	run_sh -g i915-mock -a "igt__${line}__mock_userptr=1,st_expect_reclaim_invalidates=$exp" \
		-T "$timeout" ${accel:+-A "$accel"} ${tag:+-t "$tag"} ${expect_arm:+-e "$expect_arm"} \
		"$arm" i915 >/dev/null || rc=$?
	# What the selftest measured, from its pr_info lines.
	got=$(sed -n 's/.*\(userptr \(shmem\|anon\)\): reclaim of \([0-9]*\) pinned pages: \(.*\)$/\1: \4/p' \
		"$run/console.log" 2>/dev/null | tr -d '\r' | paste -sd';' -)
	series=$(git -C "$wt" log --format=%s "refs/tags/base..HEAD" | paste -sd';' -)
	rows+=("$a"$'\t'"$exp"$'\t'"$([ "$rc" = 0 ] && echo pass || echo FAIL)"$'\t'"$got"$'\t'"$series")
	tally "$rc" "$a (expect_reclaim_invalidates=$exp): ${got:-no measurement printed}" "${run#"$ROOT"/}"
done
printf '%s\n' "${summary[@]}"
# The rows as TSV (arm, E, result, what the selftest printed, commits);
# scripts/report writes OUT's .json and renders OUT from it.
printf '%s\n' "${rows[@]}" >"${out%.md}.tsv"
report i915 --date "$(date -u '+%Y-%m-%d %H:%M UTC')" "${out%.md}.tsv" "$out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
# Publishable (make publish JOB=DIR, or with make ab's job) only when every arm ran.
[ -n "$own_out" ] || touch "$(dirname "$out")/complete"
