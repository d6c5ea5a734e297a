#!/usr/bin/env bash
# cocci-test.sh: run every semantic patch in cocci/ on its test inputs, in
# every mode the rule declares, and compare the output with the expected
# output, exactly.
#
# Layout: cocci/RULE.cocci has test cases cocci/tests/RULE/CASE/, each a
# directory of C inputs plus one expected file per mode the rule declares
# with a "virtual MODE" line:
#   expected-report.txt   -D report (lines sorted, paths CASE/...)
#   expected-org.txt      -D org (lines sorted, paths CASE/...)
#   expected-context.diff -D context (the diff as spatch prints it)
#   expected-patch.diff   -D patch
# A negative case is one whose expected files are empty.  A missing
# expected file is a failure, so a new mode or case cannot pass untested.
#
# Usage: scripts/cocci-test.sh [RULE...]
#   SPATCH=/path/to/spatch   spatch binary (default: spatch in PATH)
#   UPDATE=1                 write the actual output as the expected output
#                            (for rule authors; review the git diff after)
# Prints one line per case and mode, then "N passed, N failed"; exits 1 if
# any case failed.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COCCI=$ROOT/cocci
SPATCH=${SPATCH:-spatch}
UPDATE=${UPDATE:-}

command -v "$SPATCH" >/dev/null 2>&1 ||
	{ echo "error: $SPATCH not found (apt-get install coccinelle)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

# run_case RULEFILE TESTDIR CASE MODE OUT: spatch output, paths relative to TESTDIR
run_case() {
	local rule=$1 dir=$2 case=$3 mode=$4 out=$5 rc=0
	(cd "$dir" && "$SPATCH" --sp-file "$rule" -D "$mode" --no-includes \
		--include-headers --very-quiet --dir "$case") \
		>"$out.raw" 2>"$out.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "spatch exited with $rc:" >"$out"
		cat "$out.err" >>"$out"
		return 0
	fi
	# spatch warnings about the rule itself are errors for the test.
	if grep -v -e '^warning: .*inherited metavariable' "$out.err" | grep -q .; then
		{ echo "spatch stderr:"; cat "$out.err"; } >"$out"
		return 0
	fi
	sed -e "s|$dir/||g" "$out.raw" >"$out.norm"
	case $mode in
	report | org) LC_ALL=C sort "$out.norm" >"$out" ;;
	*) cp "$out.norm" "$out" ;;
	esac
}

check() {
	local label=$1 expected=$2 actual=$3
	# Never record a spatch failure as the expected output.
	if [ -n "$UPDATE" ] &&
		! grep -q -e '^spatch stderr:' -e '^spatch exited with' "$actual"; then
		cp "$actual" "$expected"
	fi
	if [ -f "$expected" ] && diff -u "$expected" "$actual" >"$tmp/diff"; then
		echo "ok   $label"
		passed=$((passed + 1))
	else
		echo "FAIL $label"
		if [ -f "$expected" ]; then
			sed -e 's/^/    /' "$tmp/diff"
		else
			echo "    missing $expected"
		fi
		failed=$((failed + 1))
	fi
}

rules=()
if [ "$#" -gt 0 ]; then
	for r in "$@"; do
		rules+=("$COCCI/${r%.cocci}.cocci")
	done
else
	for r in "$COCCI"/*.cocci; do
		rules+=("$r")
	done
fi

for rule in "${rules[@]}"; do
	name=$(basename "$rule" .cocci)
	tests=$COCCI/tests/$name
	if [ ! -f "$rule" ] || [ ! -d "$tests" ]; then
		echo "FAIL $name: no rule file or no tests in cocci/tests/$name"
		failed=$((failed + 1))
		continue
	fi
	modes=
	for mode in report org context patch; do
		if grep -q "^virtual $mode\$" "$rule"; then
			modes+="${modes:+ }$mode"
		fi
	done
	if [ -z "$modes" ]; then
		echo "FAIL $name: declares no virtual report/org/context/patch"
		failed=$((failed + 1))
		continue
	fi
	for casedir in "$tests"/*/; do
		case=$(basename "$casedir")
		for mode in $modes; do
			out=$tmp/$name.$case.$mode
			run_case "$rule" "$tests" "$case" "$mode" "$out"
			case $mode in
			report | org) exp=expected-$mode.txt ;;
			*) exp=expected-$mode.diff ;;
			esac
			check "$name/$case $mode" "$casedir/$exp" "$out"
		done
	done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
