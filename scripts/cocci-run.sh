#!/usr/bin/env bash
# cocci-run.sh: run every semantic patch in cocci/ over a kernel tree in
# report mode and write docs/cocci-report.md (counts per rule, every hit,
# and the verdicts kept by hand in cocci/review.txt).
#
# Usage: scripts/cocci-run.sh [RULE...]
#   KSRC=/path/to/linux  tree to scan (only read; default: the pinned base
#                        tree, src/ of the directory scripts/base-tree.sh prints)
#   COCCI_DIRS="..."     directories of the tree to scan (default below)
#   COCCI_JOBS=N         spatch -j (default 2; use 1 on a busy machine)
#   REPORT=path          report to write (default docs/cocci-report.md)
#   RAW_ONLY=1           only write the raw per-rule output under build/cocci
#   REPORT_ONLY=1        do not scan; rebuild the report from the last scan's
#                        output (after editing cocci/review.txt)
#
# cocci/review.txt: one verdict per line, "RULE FILE:LINE TP|FP reason".
# Hits without a verdict are listed as unreviewed in the report.
#
# Writes only under this checkout (build/cocci and the report); refuses an
# output path inside the scanned tree, and fails if the scan changed the
# tree's git status.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COCCI=$ROOT/cocci
REVIEW=$COCCI/review.txt
REPORT=${REPORT:-$ROOT/docs/cocci-report.md}
OUT=${COCCI_OUT:-$ROOT/build/cocci}
DIRS=${COCCI_DIRS:-drivers/gpu drivers/infiniband drivers/vfio mm virt io_uring}
JOBS=${COCCI_JOBS:-2}
SPATCH=${SPATCH:-spatch}

command -v "$SPATCH" >/dev/null 2>&1 ||
	{ echo "error: $SPATCH not found (apt-get install coccinelle)" >&2; exit 2; }

if [ -n "${KSRC:-}" ]; then
	tree=$(cd "$KSRC" && pwd)
else
	tree=$("$ROOT/scripts/base-tree.sh")/src
fi
if [ ! -f "$tree/Makefile" ] || [ ! -d "$tree/mm" ]; then
	echo "error: $tree is not a kernel tree" >&2
	exit 2
fi

# inside DIR PATH: PATH (existing or not) is DIR or below it
inside() {
	local d p
	d=$(cd "$1" && pwd -P)
	p=$(realpath -m "$2")
	case $p/ in "$d"/*) return 0 ;; esac
	return 1
}
for o in "$OUT" "$REPORT"; do
	if inside "$tree" "$o"; then
		echo "error: $o is inside the scanned tree $tree" >&2
		exit 2
	fi
done

rules=()
if [ "$#" -gt 0 ]; then
	for r in "$@"; do rules+=("$COCCI/${r%.cocci}.cocci"); done
else
	for r in "$COCCI"/*.cocci; do rules+=("$r"); done
fi

mkdir -p "$OUT"
read -r -a dirs <<<"$DIRS"
gitgrep=()
if git -C "$tree" rev-parse --git-dir >/dev/null 2>&1; then
	gitgrep=(--use-gitgrep)
fi
status_before=""
if [ -n "${gitgrep[*]}" ]; then
	status_before=$(git -C "$tree" --no-optional-locks status --porcelain)
fi

for rule in "${rules[@]}"; do
	[ -n "${REPORT_ONLY:-}" ] && break
	name=$(basename "$rule" .cocci)
	: >"$OUT/$name.raw"
	: >"$OUT/$name.err"
	start=$(date +%s)
	for d in "${dirs[@]}"; do
		[ -d "$tree/$d" ] || { echo "error: $tree/$d does not exist" >&2; exit 2; }
		echo "cocci-run: $name on $d" >&2
		# Run from the tree so that reported paths are relative to it.
		# Deep recursion on big files overflows the default 8 MiB stack.
		(ulimit -s unlimited 2>/dev/null || ulimit -s 1048576 2>/dev/null || true
		 cd "$tree" && "$SPATCH" --sp-file "$rule" -D report --dir "$d" \
			--no-includes --include-headers -j "$JOBS" --very-quiet \
			--timeout 200 "${gitgrep[@]}") \
			>>"$OUT/$name.raw" 2>>"$OUT/$name.err" ||
			{ echo "error: spatch failed for $name on $d (see $OUT/$name.err)" >&2; exit 1; }
	done
	end=$(date +%s)
	LC_ALL=C sort -u "$OUT/$name.raw" | grep -E '^[^ :]+:[0-9]+:' >"$OUT/$name.txt" || true
	echo "$name $((end - start))" >"$OUT/$name.time"
	echo "cocci-run: $name: $(wc -l <"$OUT/$name.txt") hits in $((end - start)) s" >&2
done

if [ -n "${gitgrep[*]}" ] && [ "$(git -C "$tree" --no-optional-locks status --porcelain)" != "$status_before" ]; then
	echo "error: the scan changed $tree (git status differs)" >&2
	exit 1
fi

[ -n "${RAW_ONLY:-}" ] && exit 0

tree_desc=$tree
if git -C "$tree" rev-parse --git-dir >/dev/null 2>&1; then
	tree_desc="$(git -C "$tree" describe --tags --always 2>/dev/null) ($(git -C "$tree" rev-parse --short=12 HEAD))"
fi
version=$(sed -n 's/^VERSION = //p;s/^PATCHLEVEL = //p;s/^SUBLEVEL = //p' "$tree/Makefile" | paste -sd.)

python3 - "$REPORT" "$REVIEW" "$OUT" "$tree_desc" "$version" "$DIRS" "$JOBS" \
	"$("$SPATCH" --version | head -n1)" "${rules[@]}" <<'PY'
import os
import re
import sys

report, review, out, tree, version, dirs, jobs, spatch = sys.argv[1:9]
rules = [os.path.basename(r)[:-len('.cocci')] for r in sys.argv[9:]]

verdicts = {}
if os.path.exists(review):
    for n, line in enumerate(open(review), 1):
        line = line.rstrip('\n')
        if not line.strip() or line.startswith('#'):
            continue
        m = re.match(r'^(\S+)\s+(\S+:\d+)\s+(TP|FP)\s+(.*)$', line)
        if not m:
            sys.exit('%s:%d: cannot parse: %s' % (review, n, line))
        verdicts[(m.group(1), m.group(2))] = (m.group(3), m.group(4))

def desc(rule):
    lines = []
    for line in open(os.path.join(os.path.dirname(review), rule + '.cocci')):
        if line.startswith('///'):
            lines.append(line[3:].strip())
    text = ' '.join(l for l in lines if l)
    return text.split('. ')[0].rstrip('.') + '.'

rows, sections, used = [], [], set()
for rule in rules:
    hits = []
    for line in open(os.path.join(out, rule + '.txt')):
        m = re.match(r'^([^:]+):(\d+):[0-9-]+:\s*(.*)$', line.rstrip('\n'))
        if m:
            hits.append((m.group(1), int(m.group(2)), m.group(3)))
    hits.sort()
    secs = open(os.path.join(out, rule + '.time')).read().split()[1]
    tp = fp = unrev = 0
    body = []
    for f, l, msg in hits:
        k = (rule, '%s:%d' % (f, l))
        v = verdicts.get(k)
        if v:
            used.add(k)
            if v[0] == 'TP':
                tp += 1
            else:
                fp += 1
            verdict = '**%s** %s' % v
        else:
            unrev += 1
            verdict = '**UNREVIEWED**'
        body.append('- `%s:%d` %s  \n  %s' % (f, l, verdict, msg))
    rate = '%.0f%% (%d/%d)' % (100.0 * fp / (tp + fp), fp, tp + fp) if tp + fp else 'n/a (no reviewed hits)'
    rows.append('| %s | %d | %d | %d | %d | %s | %s |' % (rule, len(hits), tp, fp, unrev, rate, secs))
    sections.append('### %s\n\n%s\n\n%s\n' % (rule, desc(rule), '\n'.join(body) if body else '(no hits)'))

stale = sorted(k for k in verdicts if k not in used and k[0] in rules)
with open(report, 'w') as o:
    o.write('# Coccinelle report: pin / mmu-notifier API rules\n\n')
    o.write('Generated by `scripts/cocci-run.sh` (do not edit; verdicts live in '
            '`cocci/review.txt`, keyed by rule and file:line).\n\n')
    o.write('- Tree: Linux %s, %s\n' % (version, tree))
    o.write('- Directories: %s\n' % dirs)
    o.write('- Command per rule and directory: `spatch --sp-file cocci/RULE.cocci -D report '
            '--dir DIR --no-includes --include-headers -j %s --very-quiet --timeout 200 '
            '--use-gitgrep`\n' % jobs)
    o.write('- %s\n\n' % spatch)
    o.write('| rule | hits | true pos. | false pos. | unreviewed | false-positive rate | time (s) |\n')
    o.write('|---|---|---|---|---|---|---|\n')
    o.write('\n'.join(rows) + '\n\n')
    o.write('False-positive rate = FP / (TP + FP) over the reviewed hits of this run.\n\n')
    o.write('## Hits\n\n')
    o.write('\n'.join(sections))
    notes = os.path.join(os.path.dirname(review), 'report-notes.md')
    if os.path.exists(notes):
        o.write('\n' + open(notes).read())
    if stale:
        o.write('\n## Verdicts in cocci/review.txt that match no hit of this run\n\n')
        for r, loc in stale:
            o.write('- %s `%s`: %s %s\n' % (r, loc, verdicts[(r, loc)][0], verdicts[(r, loc)][1]))
total_unrev = sum(int(r.split('|')[5]) for r in rows)
print('cocci-run: wrote %s (%d unreviewed hits)' % (report, total_unrev), file=sys.stderr)
PY
