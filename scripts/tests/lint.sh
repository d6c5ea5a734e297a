#!/usr/bin/env bash
# lint.sh: every tracked shell script must be shellcheck-clean.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh
command -v shellcheck >/dev/null ||
	{ echo "error: shellcheck is missing (run: apt-get install shellcheck, or make deps)" >&2; exit 1; }
while IFS= read -r f; do
	[ -f "$f" ] || continue
	head -c 64 "$f" | grep -q -E '^#!.*(ba|da)?sh|shell=(bash|sh|dash)' || continue
	if out=$(shellcheck -x "$f" 2>&1); then
		t_ok "shellcheck $f"
	else
		t_fail "shellcheck $f"
		echo "$out" | head -n 20
	fi
done < <({ git ls-files '*.sh' 'scripts/*' '.ci/*'; git ls-files -o --exclude-standard '*.sh' 'scripts/*' '.ci/*'; } | LC_ALL=C sort -u)
t_summary
