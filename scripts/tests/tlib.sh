# shellcheck shell=bash
# Tiny test helpers for the workbench's own tests. Each test file ends with
# t_summary, which prints "N passed, N failed, N skipped" and sets the exit
# status. A skip is printed as "SKIP NAME # REASON" (scripts/check.sh fails
# on any skip that scripts/tests/expected-skips does not list).
T_PASS=0
T_FAIL=0
T_SKIP=0
T_LOG=${T_LOG:-$(mktemp)}

t_ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok   $*"
}

t_fail() {
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL $*"
}

# t_skip NAME REASON: a test that could not run here.
t_skip() {
	T_SKIP=$((T_SKIP + 1))
	echo "SKIP $1 # $2"
}

# expect_error NAME PATTERN CMD...: CMD must fail and its stderr must match
# the extended regexp PATTERN.
expect_error() {
	local name=$1 pat=$2 rc=0
	shift 2
	"$@" >"$T_LOG.out" 2>"$T_LOG.err" || rc=$?
	if [ "$rc" = 0 ]; then
		t_fail "$name: succeeded, expected an error matching /$pat/"
	elif grep -q -E -- "$pat" "$T_LOG.err"; then
		t_ok "$name: $(grep -m1 -E -- "$pat" "$T_LOG.err" | cut -c1-110)"
	else
		t_fail "$name: error did not match /$pat/:"
		sed 's/^/     | /' "$T_LOG.err" | head -n 12
	fi
}

# t_if NAME CMD...: a test that passes when CMD succeeds.
t_if() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then t_ok "$name"; else t_fail "$name"; fi
}

# expect_same NAME BEFORE AFTER: two fingerprints must be equal.
expect_same() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1: changed ($2 -> $3)"; fi
}

# run_sh ARGS...: scripts/run.sh as the workbench's scripts run it (run_sh
# in lib.sh: without the environment variables run.sh refuses).
run_sh() {
	bash -c '. scripts/lib.sh; run_sh "$@"' run_sh "$@"
}

t_summary() {
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	rm -f "$T_LOG" "$T_LOG.out" "$T_LOG.err"
	[ "$T_FAIL" = 0 ]
}
