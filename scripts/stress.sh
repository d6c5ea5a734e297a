#!/usr/bin/env bash
# stress.sh [--publish] [-t SECONDS] [-s SEED] [-o OUT] [-T SECONDS]
# [-A ACCEL] [ARMS]: the debug-kernel stress of issue 16 on each arm: build
# the arm's debug config variant (scripts/configs/debug.config: KASAN,
# PROVE_LOCKING, PROVE_RCU, DEBUG_VM, DEBUG_ATOMIC_SLEEP, iommufd), boot it
# once in QEMU with the A/B scenarios (pin_reclaim, userptr_selfinval) and
# selftests/mm/pin_stress for -t SECONDS (default 600; make stress
# STRESS_SECONDS=), judge the run with scripts/verdict.sh (any kernel
# WARNING, BUG, KASAN or lockdep report fails it) and write the report, -o
# OUT (default build/<base>/stress/stress-results-BASE.md, and .json beside
# it, by scripts/report): per arm the kernel's commit and .config sha256,
# the seed, the time, the operations done, the console lines flagged and
# the corrupted bytes. ARMS is comma separated (default: every arm).
# -s N (make stress STRESS_SEED=N) replays a seed on every arm (default: a
# new one per boot, printed in the report). -T (make stress TIMEOUT=) is
# the time limit of each boot, default twice SECONDS plus 3600: a KASAN
# kernel under TCG is slow; -A the accelerator (run.sh -A). The job is
# complete (publishable) when every arm passed; --publish (make stress
# PUBLISH=1) then hands it to scripts/publish.sh, which copies the report
# into docs/ (not with -o). Logs: build/<base>/runs/ARM-debug-stress/.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: stress.sh [--publish] [-t SECONDS] [-s SEED] [-o OUT] [-T SECONDS] [-A ACCEL] [ARMS]"
publish='' arms='' seconds=600 seed='' out='' timeout='' accel=''
while [ $# -gt 0 ]; do
	case "$1" in
	--publish) publish=1 ;;
	-t | -s | -o | -T | -A)
		[ $# -ge 2 ] || die "stress.sh: $1 needs a value ($usage)"
		case "$1" in
		-t) seconds=$2 ;;
		-s) seed=$2 ;;
		-o) out=$2 ;;
		-T) timeout=$2 ;;
		-A) accel=$2 ;;
		esac
		shift
		;;
	-h | --help)
		echo "$usage"
		exit 0
		;;
	-*) die "$usage" ;;
	*)
		[ -z "$arms" ] || die "$usage"
		arms=$1
		;;
	esac
	shift
done
plain_arms stress.sh "$arms"
count_arg "stress.sh: -t" "$seconds"
case "${seed:-0}" in '' | *[!0-9]*) die "stress.sh: -s '$seed': a number (the seed=N of a report)" ;; esac
if [ "${#seed}" -gt 10 ] || [ "${seed:-0}" -gt 4294967295 ]; then
	die "stress.sh: -s $seed: pin_stress takes a seed of 0..4294967295"
fi
[ -z "$timeout" ] || count_arg "stress.sh: -T" "$timeout"
[ -z "$publish" ] || [ -z "$out" ] || die "--publish copies the job's report to docs/: not with -o"
need python3
variant=debug
timeout=${timeout:-$((seconds * 2 + 3600))}
job=$(work_dir)/stress
own_out=$out
out=${out:-$job/$(docs_name stress-results.md)}
mkdir -p "$(dirname "$out")" "$(work_dir)/logs"
rm -f "$job/complete"

passed=0 failed=0 summary=() runs=()
i=0
for a in "${LIST[@]}"; do
	i=$((i + 1))
	run=$(work_dir)/runs/$a-$variant-stress
	log=$(work_dir)/logs/stress-$a.log
	step "stress: [$i/${#LIST[@]}] $a: $variant build (reused if unchanged), one boot: pin_reclaim, userptr_selfinval, pin_stress ${seconds}s (log: ${log#"$ROOT"/})"
	rm -f "$run/stress.meta"
	t0=$(date +%s)
	started=$(date -u '+%Y-%m-%d %H:%M UTC')
	rc=0
	run_sh -g suite -a pin_reclaim,userptr_selfinval,pin_stress -t stress -S virtio -T "$timeout" \
		${accel:+-A "$accel"} -K "workbench.stress_seconds=$seconds" ${seed:+-K "workbench.stress_seed=$seed"} \
		"$a" "$variant" >/dev/null 2>"$log" || rc=$?
	o=$(out_dir "$a" "$variant")
	if [ -d "$run" ]; then
		{
			echo "arm=$a"
			echo "variant=$variant"
			echo "commit=$(git -C "$(arm_dir "$a")" rev-parse HEAD 2>/dev/null || echo n/a)"
			echo "config_sha256=$(sha256sum "$o/.config" 2>/dev/null | cut -d' ' -f1 || echo n/a)"
			echo "stress_seconds=$seconds"
			echo "stress_seed=${seed:-random}"
			echo "timeout=$timeout"
			echo "started=$started"
			echo "wall_seconds=$(($(date +%s) - t0))"
		} >"$run/stress.meta"
	fi
	runs+=("$a=${run#"$ROOT"/}")
	verdict=$(tail -n 1 "$log")
	tally "$rc" "$a: $verdict" "${run#"$ROOT"/}, $log"
done
printf '%s\n' "${summary[@]}"
report stress "$out" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	--command "scripts/stress.sh -t $seconds${seed:+ -s $seed} $(
		IFS=,
		echo "${LIST[*]}"
	)" "${runs[@]}"
rel=${out#"$ROOT"/}
step "stress: wrote $rel and its summary ${rel%.md}.json"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || die "stress: $failed arm(s) failed: the report says why; not publishable"
[ -n "$own_out" ] || touch "$job/complete"
[ -z "$publish" ] || "$ROOT/scripts/publish.sh" "$job" >&2
