#!/usr/bin/env bash
# kvm.sh [-o OUT] [-e ARM] [-T SECONDS] [-A ACCEL] [ARMS]: real subscribers
# and real pins on each arm: build the arm in make ab's config variant
# (AB_VARIANT, which has KVM), boot it in QEMU (-cpu max, kvm_amd.vls=0:
# scripts/run.sh), run selftests/kvm/kvm_pin_reclaim (a VM whose memory is a
# memfd, mirrored by KVM's TDP MMU, half of it pinned by gup_test, io_uring
# or iommufd, in the VMM or in another process; then reclaim) against the
# arm's own expectations, and judge the run. ARMS is comma separated
# (default: every arm). Prints one line per arm, then "N passed, N failed",
# and writes the counts per case and arm to -o OUT (default
# build/<base>/kvm/kvm-results-BASE.md, and .json beside it, by
# scripts/report; make publish copies both into docs/).
# -e ARM judges every arm by ARM's expectation (negative control; make kvm
# EXPECT_ARM=ARM), -T is the time limit of each boot (default 1200 s), -A
# the accelerator (run.sh -A).
# Logs: build/<base>/runs/ARM-ab-kvm/. (make ab gets the same counts from
# its selftest matrix, which runs this test too.)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: kvm.sh [-o OUT] [-e ARM] [-T SECONDS] [-A ACCEL] [ARMS]"
out='' expect_arm='' timeout=1200 accel=''
OPTIND=1
while getopts ':o:e:T:A:h' o; do
	case "$o" in
	o) out=$OPTARG ;;
	e) expect_arm=$OPTARG ;;
	T) timeout=$OPTARG ;;
	A) accel=$OPTARG ;;
	*) getopts_other kvm.sh "$usage" "$o" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || die "$usage"
plain_arms kvm.sh "${1:-}"
[ -z "$expect_arm" ] || check_arm "$expect_arm"
count_arg "kvm.sh: -T" "$timeout"

own_out=$out
out=${out:-$(work_dir)/kvm/$(docs_name kvm-results.md)}
mkdir -p "$(dirname "$out")"
passed=0 failed=0 summary=() runs=()
i=0
for a in "${LIST[@]}"; do
	i=$((i + 1))
	step "kvm: [$i/${#LIST[@]}] $a: $AB_VARIANT variant build (reused if unchanged), boot, kvm_pin_reclaim"
	run=$(work_dir)/runs/$a-$AB_VARIANT-kvm
	rc=0
	run_sh -a kvm_pin_reclaim -t kvm -S virtio -T "$timeout" ${accel:+-A "$accel"} \
		${expect_arm:+-e "$expect_arm"} "$a" "$AB_VARIANT" >/dev/null 2>"$(work_dir)/logs/kvm-$a.log" || rc=$?
	runs+=("$a=$run")
	verdict=$(tail -n 1 "$(work_dir)/logs/kvm-$a.log")
	tally "$rc" "$a: $verdict" "${run#"$ROOT"/}"
done
printf '%s\n' "${summary[@]}"
# kvm-results-BASE.json and .md, from the runs' "# AB bench=kvm_pin" records.
report kvm "$out" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" "${runs[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
[ -n "$own_out" ] || touch "$(dirname "$out")/complete"
