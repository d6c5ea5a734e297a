#!/usr/bin/env bash
# ab.sh [-q] [-i] [-r N] [-s SEED] [-m MEM] [-p SMP] [-S SWAP] [-T SECONDS]
# [-A ACCEL] [ARMS]: the A/B job. Builds every arm in the "ab" config variant
# (scripts/configs/ab.config: one kernel per arm for the whole matrix;
# unchanged arms are reused), boots each one fresh with the same QEMU
# settings and seed, runs the benchmarks (selftests/run-bench.sh) with the
# classic LRU, then the counts with the multi-gen LRU and with swap on a
# virtio disk, the selftest matrix (with KVM; demotion and migration on two
# NUMA nodes in tiers) and compares the arms with
# scripts/report (`report ab`): summary.json, then from it a table on the
# terminal, ab-results.md, ab-results.json and ab-plot.svg in the job's
# directory under build/ (named as in docs/ for BASE, see docs_name);
# `make publish` copies a complete full job's into docs/, nothing else
# writes there.
#
# ARMS: comma separated, default every arm (ARMS_ALL; base goes first in
# the report). Options (the make variables of make ab in parentheses):
# -q (QUICK=1) short version for development: small sizes, never
# published; -s SEED (1); -m MEM (1G), -p SMP (2), -S SWAP (zram:
# synchronous, so a pass frees what it wrote and the counts repeat from
# job to job), -T SECONDS per boot (TIMEOUT; 1500, -q: 300), -A ACCEL
# (run.sh -A); -i (I915_MOCK=1) also runs the i915 userptr mock selftest
# on every arm (make i915-mock, about 1 h per arm here for a cold i915
# build); -r N (REPEAT=N) boots every arm N times, default 2, -q: 1; with
# N >= 2 the report marks a difference between arms significant only where
# it exceeds the spread of an arm's identical boots, and names the counts
# that moved between them. Raw data of every job:
# build/<base>/ab/<date>-<mode>/ (boot N>1 of ARM in ARM.rN/, the MGLRU
# boots in mglru/ARM/), with the job's progress lines in ab.log.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: ab.sh [-q] [-i] [-r N] [-s SEED] [-m MEM] [-p SMP] [-S SWAP] [-T SECONDS] [-A ACCEL] [ARMS]"
quick='' i915_mock='' repeat='' seed=1 mem=1G smp=2 swap_bench=zram timeout='' accel=''
OPTIND=1
while getopts ':qir:s:m:p:S:T:A:h' o; do
	case "$o" in
	q) quick=1 ;;
	i) i915_mock=1 ;;
	r) repeat=$OPTARG ;;
	s) seed=$OPTARG ;;
	m) mem=$OPTARG ;;
	p) smp=$OPTARG ;;
	S) swap_bench=$OPTARG ;;
	T) timeout=$OPTARG ;;
	A) accel=$OPTARG ;;
	*) getopts_other ab.sh "$usage" "$o" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || die "$usage"
# No argument: every arm. An empty one (make ab ARMS=) is a mistake.
arms=${1-${ARMS_ALL// /,}}
IFS=, read -r -a list <<<"$arms"
[ "${#list[@]}" -gt 0 ] || die "no arms given: ab.sh [ARMS] (comma separated: $ARMS_ALL)"
for a in "${list[@]}"; do check_arm "$a"; done
# Base first, then the others in the order given, each once.
ordered=()
for a in base "${list[@]}"; do
	case " ${ordered[*]} " in *" $a "*) continue ;; esac
	case " ${list[*]} " in *" $a "*) ordered+=("$a") ;; esac
done

repeat=${repeat:-$([ -n "$quick" ] && echo 1 || echo 2)}
count_arg "ab.sh: -r" "$repeat"
case "$seed" in '' | *[!0-9]*) die "ab.sh: -s '$seed': a number" ;; esac
timeout=${timeout:-$([ -n "$quick" ] && echo 300 || echo 1500)}
# One set of QEMU settings for every arm (recorded in each run's qemu.cmd),
# given to scripts/run.sh as options; the selftest matrix gets them too.
check_qemu_opts "$mem" "$smp" "$timeout" "$swap_bench" "${accel:-tcg}" none
qemu_opts=(-m "$mem" -p "$smp" -T "$timeout" ${accel:+-A "$accel"})
mode=full
[ -n "$quick" ] && mode=quick
need python3
# A cold job writes ~12 GiB (the base tree and one worktree per arm).
need_disk 14 3 "make ab"

bench_args="seed=$seed${quick:+,quick}"
variant=$AB_VARIANT

work=$("$ROOT/scripts/base-tree.sh")
load_pin
stamp=$(date -u +%Y%m%dT%H%M%SZ)
abdir=$work/ab/$stamp-$mode
mkdir -p "$abdir"
# The progress lines (stderr) also go to the job's log.
exec 2> >(tee -a "$abdir/ab.log" >&2)
prev=$(readlink -f "$work/ab/last-$mode" 2>/dev/null || true)
n=${#ordered[@]}
boots=()
for a in "${ordered[@]}"; do
	for r in $(seq 1 "$repeat"); do boots+=("$a:$r"); done
done
step "ab: arms ${ordered[*]} ($mode, seed $seed, MEM=$mem SMP=$smp SWAP=$swap_bench); raw data: ${abdir#"$ROOT"/}"

{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "mode=$mode"
	echo "seed=$seed"
	echo "repeat=$repeat"
	echo "arms=${ordered[*]}"
	echo "base_commit=$(git -C "$work/src" rev-parse refs/tags/base)"
	echo "base=$BASE"
	echo "variant=$variant"
	echo "base_pin=$(grep -E '^BASE_(PACKAGE|PACKAGE_VERSION|KERNEL_VERSION|SHA256)=' "$BASE_PIN_FILE" | tr '\n' ' ')"
	echo "ksrc=${KSRC:+user tree}"
	echo "host_cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
	echo "host_mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "host_load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "qemu=$(qemu-system-x86_64 --version 2>/dev/null | head -n1)"
	echo "gcc=$(gcc --version | head -n1)"
	echo "bench_src=$(cat "$ROOT"/selftests/bench/* "$ROOT/selftests/run-bench.sh" | sha256sum | cut -d' ' -f1)"
	config_fragments "$variant" | while IFS= read -r f; do
		echo "fragment=${f#"$ROOT"/} $(sha256sum "$f" | cut -d' ' -f1)"
	done
} >"$abdir/meta.txt"

# 1. Kernels: build.sh skips an arm whose inputs did not change.
i=0
for a in "${ordered[@]}"; do
	i=$((i + 1))
	step "ab: [$i/$n] $a: kernel (reused if unchanged; a new config, every object a ccache miss, took 19-55 min here)"
	"$ROOT/scripts/build.sh" "$a" "$variant" >/dev/null
done

# 2. The benchmark binaries: run.sh builds them with the other test
# binaries (selftests/Makefile, target bench) before each boot.

# 3. One fresh boot per arm (REPEAT of them) with the classic LRU and zram;
# boot r > 1 of ARM goes to ARM.rR/. Then the rest of the matrix, one boot
# per arm each, on the same kernel: the multi-gen LRU switched on
# (run.sh -L y) into mglru/ARM/, swap on a virtio disk (swap-in from zram
# frees the swap cache, so the swap-cache type needs a disk) into
# virtio/ARM/. ETA from the last job of this mode, else a guess.
est=420
[ -n "$quick" ] && est=60
est=$(cat "$work/ab/seconds-per-boot-$mode" 2>/dev/null || echo "$est")
done_s=0 failed=()
if [ -z "$quick" ]; then # QUICK=1: the classic boots only
	for set in mglru virtio; do
		for a in "${ordered[@]}"; do boots+=("$a:$set"); done
	done
fi
i=0
n=${#boots[@]}
for boot in "${boots[@]}"; do
	a=${boot%:*} r=${boot##*:}
	bdir=$abdir/$a tag=ab lru=() swap=$swap_bench args=$bench_args
	# The other settings run the counts per backing type only (the report
	# shows their counts tables).
	case "$r" in
	1) ;;
	mglru) bdir=$abdir/mglru/$a tag=ab-mglru lru=(-L y) args+=,only=pin_counts ;;
	virtio) bdir=$abdir/virtio/$a tag=ab-virtio swap=virtio args+=,only=pin_counts ;;
	*) bdir=$abdir/$a.r$r ;;
	esac
	mkdir -p "${bdir%/*}"
	i=$((i + 1))
	[ "$i" -gt 1 ] && est=$((done_s / (i - 1)))
	left=$(((n - i + 1) * est))
	step "ab: [$i/$n] ${bdir#"$abdir"/}: booting and benchmarking${lru[*]:+ (multi-gen LRU)} (swap $swap; ETA $(date -u -d "@$(($(date +%s) + left))" +%H:%M) UTC, ~$(((left + 59) / 60)) min left)"
	run=$work/runs/$a-$variant-$tag # what run.sh prints
	t0=$(date +%s)
	rm -f "$run/results.tap"
	# Progress: echo each benchmark's TAP line as the guest prints it.
	progress() {
		local oks
		[ -r "$run/results.tap" ] || return 0
		mapfile -t oks < <(tr -d '\r' <"$run/results.tap" | grep -E '^(not )?ok ' || true)
		while [ "$seen" -lt "${#oks[@]}" ]; do
			step "ab: [$i/$n] $a: ${oks[$seen]}"
			seen=$((seen + 1))
		done
		echo "$seen" >"$abdir/.seen"
	}
	seen=0
	echo 0 >"$abdir/.seen"
	(while sleep 5; do progress; done) &
	watcher=$!
	rc=0
	run_sh "${qemu_opts[@]}" -g bench -a "$args" -t "$tag" -S "$swap" "${lru[@]}" "$a" "$variant" \
		>/dev/null 2>"$bdir.verdict" || rc=$?
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	seen=$(cat "$abdir/.seen")
	progress
	done_s=$((done_s + $(date +%s) - t0))
	mkdir -p "$bdir"
	for f in results.tap qemu.cmd console.log summary; do
		[ -r "$run/$f" ] && cp "$run/$f" "$bdir/"
	done
	wt=$(arm_dir "$a")
	git -C "$wt" log --oneline refs/tags/base..HEAD >"$bdir/series.txt"
	sha256sum "$(out_dir "$a" "$variant")/.config" | cut -d' ' -f1 >"$bdir/config.sha256"
	if [ "$rc" = 0 ]; then
		step "ab: [$i/$n] ${bdir#"$abdir"/}: done in $(($(date +%s) - t0)) s ($(tail -n1 "$bdir.verdict"))"
	else
		failed+=("${bdir#"$abdir"/}")
		step "ab: [$i/$n] ${bdir#"$abdir"/}: FAILED (rc $rc); verdict and logs: ${bdir#"$ROOT"/}.verdict"
		tail -n 15 "$bdir.verdict" >&2
	fi
done
rm -f "$abdir/.seen"
echo "host_load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$abdir/meta.txt"
echo $((done_s / n)) >"$work/ab/seconds-per-boot-$mode"

# 4. The selftest matrix on every arm, each against its own expectations,
# with KVM, then demotion and migration on two NUMA nodes in tiers: its
# verdict files go to ARM/suite/ and ARM/suite-numa/ of the job.
if [ -n "$quick" ]; then
	step "ab: QUICK=1: selftest matrix skipped (run: scripts/ab-suite.sh ARMS)"
elif ! "$ROOT/scripts/ab-suite.sh" "$(IFS=,; echo "${ordered[*]}")" "$abdir" "${qemu_opts[@]}"; then
	failed+=("selftests")
fi

# 5. On request, the i915 mock selftest on every arm
# (i915-mock-results.md and its .json, which the report shows).
if [ -n "$i915_mock" ]; then
	step "ab: I915_MOCK=1: the i915 userptr mock selftest on ${ordered[*]}"
	"$ROOT/scripts/i915-mock.sh" -o "$abdir/$(docs_name i915-mock-results.md)" -T 900 ${accel:+-A "$accel"} "$(IFS=,; echo "${ordered[*]}")" || failed+=("i915-mock")
fi
# 6. The report, under build/ (make publish copies a full job's into docs/):
# summary.json of the job, and rendered from it the Markdown (and its
# .json copy, which docs/ keeps next to it), the plot and the tables.
# The other bases' published jobs go beside this one's pinned-range counts.
md=$abdir/$(docs_name ab-results.md) svg=$abdir/$(docs_name ab-plot.svg)
others=()
for b in $BASES_ALL; do
	[ "$b" = "$BASE" ] || [ ! -r "$ROOT/docs/ab-results-$b.json" ] ||
		others+=(--other-base "$b=$ROOT/docs/ab-results-$b.json")
done
report ab --root "$ROOT" --md "$md" --svg "$svg" ${prev:+--previous "$prev"} "${others[@]}" "$abdir"
cp "$abdir/summary.json" "${md%.md}.json"
ln -sfn "$abdir" "$work/ab/last-$mode"
step "ab: report: ${md#"$ROOT"/}, plot: ${svg#"$ROOT"/}; summary: ${abdir#"$ROOT"/}/summary.json"
# 7. Real subscribers and real pins: KVM guest memory pinned by gup_test,
# io_uring and iommufd, on every arm. The selftest matrix ran
# kvm_pin_reclaim (its verdict is in step 4's); its counts per case and
# arm go to kvm-results.md (make kvm runs only that test).
if [ -n "$quick" ]; then
	step "ab: QUICK=1: KVM cases skipped (run: make kvm)"
else
	kruns=()
	for a in "${ordered[@]}"; do kruns+=("$a=$work/runs/$a-$variant-ab-suite"); done
	report kvm "$abdir/$(docs_name kvm-results.md)" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" "${kruns[@]}"
fi
[ "${#failed[@]}" = 0 ] || die "ab: the run of ${failed[*]} failed (the report shows what it has)"
touch "$abdir/complete"
[ -n "$quick" ] || step "ab: complete; make publish${BASE:+ BASE=$BASE} copies the report into docs/"
