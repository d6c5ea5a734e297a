#!/usr/bin/env bash
# check-one.sh NAME CMD...: run one check of `make check` and judge its
# counts. CMD must end with "N passed, N failed[, N skipped]" and print one
# "SKIP ID # REASON" line per skip. The check fails if CMD fails, prints no
# closing line, names fewer skips than it counts, or skips anything that
# scripts/tests/expected-skips does not list (an unexpected skip is how a
# missing package or kernel option shows up). CMD's output is shown
# indented; its log is build/logs/check/NAME.log. Prints, last, one
# "skip: expected|UNEXPECTED ..." line per skip and the check's own
# "NAME: N passed, N failed, N skipped" line, which scripts/check.sh adds up.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: check-one.sh NAME CMD..."
name=$1
shift
expected=$ROOT/scripts/tests/expected-skips
log=$BUILD/logs/check/$name.log
mkdir -p "$(dirname "$log")"

# expected_skip ID WHY: print the documented reason if the skip matches a
# line "GLOB | REASON" of the expected list, else fail. GLOB matches ID, or
# "ID # WHY" when GLOB has " # " in it.
expected_skip() {
	local pat why subject
	while IFS='|' read -r pat why; do
		pat=${pat%"${pat##*[![:space:]]}"}
		case "$pat" in '' | '#'*) continue ;; esac
		subject=$1
		case "$pat" in *" # "*) subject="$1 # $2" ;; esac
		# shellcheck disable=SC2053 # the pattern is a glob on purpose
		if [[ $subject == $pat ]]; then
			echo "${why# }"
			return 0
		fi
	done <"$expected"
	return 1
}

step "check $name: $*"
rc=0
"$@" 2>&1 | tee "$log" | sed -u 's/^/    /' || rc=$?
p=0 f=0 s=0
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)
if [ -n "$line" ]; then
	read -r p _ f _ <<<"${line//,/}"
	s=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p')
	s=${s:-0}
else
	echo "check $name: FAIL: no closing 'N passed, N failed' line: it counted nothing" >&2
	f=1
fi
if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
	echo "check $name: FAIL: exited with status $rc without counting a failure" >&2
	f=1
fi
named=0 out=()
while IFS= read -r l; do
	named=$((named + 1))
	id=${l#SKIP }
	id=${id%% # *}
	why=${l#* # }
	if doc=$(expected_skip "$id" "$why"); then
		out+=("skip: expected   $name: $id # $why (listed: $doc)")
	else
		out+=("skip: UNEXPECTED $name: $id # $why (not in ${expected#"$ROOT"/})")
		echo "check $name: FAIL: unexpected skip $id ($why): not in ${expected#"$ROOT"/}" >&2
		f=$((f + 1))
	fi
done < <(grep -E '^SKIP .* # ' "$log" || true)
if [ "$named" -lt "$s" ]; then
	echo "check $name: FAIL: counted $s skip(s) but named $named (SKIP ID # REASON lines)" >&2
	f=$((f + 1))
fi
[ "${#out[@]}" = 0 ] || printf '%s\n' "${out[@]}"
echo "$name: $p passed, $f failed, $s skipped"
[ "$f" = 0 ]
