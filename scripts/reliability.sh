#!/usr/bin/env bash
# reliability.sh [--publish] [ARMS]: the regression oracle (issue 16). Boots
# every arm (comma separated, default every arm) in make ab's config
# variant twice, with the multi-gen LRU off and on (run.sh -L n, -L y), running
# only the base tree's own mm selftests (UPSTREAM and UPSTREAM_ORACLE of
# selftests/Makefile, as scripts/reliability-report.py --list names them),
# and writes the table per test, arm and setting to
# build/<base>/reliability/reliability-BASE.md. Fails when a test passes on
# base and fails on another arm in the same setting, or a boot fails.
# --publish hands the directory to scripts/publish.sh (docs/). Logs:
# build/<base>/runs/ARM-VARIANT-oracle-lru-{n,y}/.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: reliability.sh [--publish] [ARMS] (ARMS comma separated: $ARMS_ALL)"
publish=
while [ $# -gt 0 ]; do
	case "$1" in
	--publish) publish=1 ;;
	-h | --help)
		echo "$usage"
		exit 0
		;;
	-*) die "$usage" ;;
	*) break ;;
	esac
	shift
done
[ $# -le 1 ] || die "$usage"
plain_arms reliability.sh "${1:-}"
need python3
tests=$("$ROOT/scripts/reliability-report.py" --list)
[ -n "$tests" ] || die "reliability: no upstream tests in selftests/Makefile and run-guest.sh"
work=$("$ROOT/scripts/base-tree.sh")
job=$work/reliability
out=$job/$(docs_name reliability.md)
mkdir -p "$job"
rm -f "$job/complete"

runs=() failed=() cmds=()
commit=$(git -C "$ROOT" rev-parse --short HEAD)
n=$((${#LIST[@]} * 2)) i=0 t0=$(date +%s)
for lru in n y; do
	for a in "${LIST[@]}"; do
		i=$((i + 1))
		eta=
		[ "$i" -gt 1 ] && eta=", ETA ~$((($(date +%s) - t0) * (n - i + 1) / (i - 1) / 60 + 1)) min"
		step "reliability: [$i/$n] $a, -L $lru: the upstream mm selftests$eta"
		tag=oracle-lru-$lru
		run_sh -g suite -a "$tests" -L "$lru" -S virtio -t "$tag" "$a" "$AB_VARIANT" \
			>/dev/null 2>"$work/logs/$tag-$a.log" ||
			failed+=("$a (-L $lru; log: ${work#"$ROOT"/}/logs/$tag-$a.log)")
		runs+=("$work/runs/$a-$AB_VARIANT-$tag")
	done
	cmds+=(--cmd "scripts/reliability.sh $(IFS=,; echo "${LIST[*]}") ($(date -u '+%Y-%m-%d'), commit $commit): run.sh -L $lru boots (run dirs ARM-$AB_VARIANT-oracle-lru-$lru)")
done
rc=0
"$ROOT/scripts/reliability-report.py" -o "$out" "${cmds[@]}" "${runs[@]}" || rc=$?
step "reliability: wrote ${out#"$ROOT"/}"
[ "${#failed[@]}" = 0 ] || die "reliability: boots failed: ${failed[*]}"
[ "$rc" = 0 ] || die "reliability: a test passes on base and fails on another arm (see ${out#"$ROOT"/})"
touch "$job/complete"
[ -z "$publish" ] || "$ROOT/scripts/publish.sh" "$job" >&2
echo "$out"
