#!/usr/bin/env bash
# check.sh: every test of the project, in order of cost, each run and
# judged by scripts/check-one.sh (closing line, named skips, expected
# skips). Adds up their counts, lists every skip with its reason, and ends
# with the total "N passed, N failed, N skipped".
# CHECKS="lint workbench" runs a subset. Logs: build/logs/check/.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

all="lint workbench report patches series-build cocci guest-suite kvm negative-control guest-failures"
checks=${CHECKS:-$all}
for c in $checks; do
	case " $all " in *" $c "*) ;; *) die "unknown check '$c' (known: $all)" ;; esac
done
arm=${CHECK_ARM:-pin-aware}
# A cold run writes ~17 GiB (both bases' trees, two arms, bisect trees).
need_disk 20 4 "make check"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
total_pass=0 total_fail=0 total_skip=0 failed=() skips=()

for c in $checks; do
	case "$c" in
	lint) cmd=("$ROOT/scripts/tests/lint.sh") ;;
	workbench) cmd=("$ROOT/scripts/tests/workbench.sh") ;;
	report) cmd=("$ROOT/scripts/tests/report.sh") ;;
	patches) cmd=("$ROOT/scripts/tests/patches.sh") ;;
	series-build) cmd=("$ROOT/scripts/tests/series-build.sh") ;;
	cocci) cmd=("$ROOT/scripts/cocci-test.sh") ;;
	guest-suite) cmd=("${RUN_SH[@]}" "$arm") ;;
	# KVM's TDP MMU and real pins (gup_test, io_uring, iommufd): the same
	# arm in make ab's variant, which has KVM.
	kvm) cmd=("${RUN_SH[@]}" -a kvm_pin_reclaim -t check-kvm "$arm" "$AB_VARIANT") ;;
	negative-control) cmd=("$ROOT/scripts/tests/negative-control.sh") ;;
	guest-failures) cmd=("$ROOT/scripts/tests/guest-failures.sh" "$arm") ;;
	esac
	"$ROOT/scripts/check-one.sh" "$c" "${cmd[@]}" | tee "$tmp" || true
	read -r _ p _ f _ s _ < <(grep -E "^$c: [0-9]+ passed" "$tmp" | tail -n1 | tr -d , || true)
	[ -n "${s:-}" ] || { p=0 f=1 s=0; }
	while IFS= read -r l; do skips+=("${l#skip: }"); done < <(grep '^skip: ' "$tmp" || true)
	step "check $c: $p passed, $f failed, $s skipped (log: ${BUILD#"$ROOT"/}/logs/check/$c.log)"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	[ "$f" = 0 ] || failed+=("$c")
	p='' f='' s=''
done

# Every unexpected skip by name; the expected ones counted per reason.
if [ "${#skips[@]}" -gt 0 ]; then
	echo "skips (${#skips[@]}; the expected ones are listed in scripts/tests/expected-skips):"
	printf '%s\n' "${skips[@]}" | grep '^UNEXPECTED ' | sed 's/^/  /' || true
	printf '%s\n' "${skips[@]}" | sed -n 's/^expected *\([^:]*\): .* (listed: \(.*\))$/\1: \2/p' |
		sort | uniq -c | sed 's/^ *\([0-9]*\) /  expected \1 x /'
fi
[ "${#failed[@]}" = 0 ] || echo "failed checks: ${failed[*]}"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
