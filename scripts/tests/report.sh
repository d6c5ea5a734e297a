#!/usr/bin/env bash
# report.sh: golden-file tests of the report pipeline (scripts/report).
# Fixture job and run directories (scripts/tests/fixtures/report/: trimmed
# copies of real guest output, paths made /ROOT/...) go through the CLI,
# and what comes out must equal the expected files there byte for byte:
# the TAP parse (results.tsv, binaries.tsv, problems), summary.json, the
# Markdown and SVG of an A/B job (one boot per arm, and the same job with
# repeated boots, two of them edited), the skip-policy, i915 and kvm reports,
# the selftest table and the filled cover letter. Then properties that no
# golden file shows by itself: rendering again from the JSON alone gives
# the same files, the report marks significance only where repeats measure
# a spread, and it never states both that a row repeats and that it moved.
# UPDATE=1 rewrites the expected files (review the diff before committing).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh
# shellcheck source=../lib.sh
. scripts/lib.sh

fx=scripts/tests/fixtures/report
exp=$fx/expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$exp"

# t_not NAME CMD...: a test that passes when CMD fails.
t_not() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then t_fail "$name"; else t_ok "$name"; fi
}

# golden NAME FILE: FILE must equal $exp/NAME.
golden() {
	if [ -n "${UPDATE:-}" ]; then
		cp "$2" "$exp/$1"
		t_ok "golden $1: updated"
	elif [ ! -e "$exp/$1" ]; then
		t_fail "golden $1: no expected file $exp/$1 (UPDATE=1 writes it)"
	elif diff -u "$exp/$1" "$2" >"$tmp/diff"; then
		t_ok "golden $1"
	else
		t_fail "golden $1: differs from $exp/$1 ($(grep -c '^[-+][^-+]' "$tmp/diff") lines):"
		head -n 20 "$tmp/diff" | sed 's/^/     | /'
	fi
}

# --- the TAP parser -----------------------------------------------------------
cp -r "$fx/tap" "$tmp/tap"
report tap "$tmp/tap" >"$tmp/tap/problems"
for f in results.tsv binaries.tsv problems; do golden "tap.$f" "$tmp/tap/$f"; done

# --- an A/B job, one boot per arm ---------------------------------------------
cp -r "$fx/ab" "$tmp/ab"
report ab --root /ROOT --md "$tmp/ab/ab-results.md" --svg "$tmp/ab/ab-plot.svg" "$tmp/ab" >"$tmp/ab/text"
golden ab.summary.json "$tmp/ab/summary.json"
golden ab-results.md "$tmp/ab/ab-results.md"
golden ab-plot.svg "$tmp/ab/ab-plot.svg"
golden ab.text "$tmp/ab/text"
report render "$tmp/ab/summary.json" --md "$tmp/ab/again.md" --svg "$tmp/ab/ab-plot.svg.again"
t_if "ab: the Markdown rendered again from summary.json alone is the same" \
	cmp "$tmp/ab/ab-results.md" <(sed 's/ab-plot\.svg\.again/ab-plot.svg/g' "$tmp/ab/again.md")
t_if "ab: the plot rendered again from summary.json alone is the same" \
	cmp "$tmp/ab/ab-plot.svg" "$tmp/ab/ab-plot.svg.again"
# The suite boots' userptr_selfinval lines: MAYFAIL measured with a subscriber that declines.
sub=$(sed -n '/^### A subscriber that declines/,/^### /p' "$tmp/ab/ab-results.md" |
	sed -n '/MADV_PAGEOUT of pinned shmem, pinning object/,/data mismatches/p')
t_if "ab: the emulator on mayfail declined its 32 pinned shmem invalidations" \
	grep -qx '| declined (MAYFAIL) | 0 | 32 | 0 |' <<<"$sub"
t_if "ab: ... and pin-aware's emulator got none" grep -qx '| invalidations | 32 | 32 | 0 |' <<<"$sub"
t_if "ab: the report says on how many rows MAYFAIL is ahead of pin-aware" \
	grep -q -E 'mayfail is ahead on [0-9]+ of the [0-9]+ rows that differ' "$tmp/ab/ab-results.md"
t_if "ab: ... and lists bench 4's latencies among them" \
	grep -q -E '^\| \*\*Fault latency .*: 4 KiB anon faults\*\* \|' <(sed -n '/^### Where MAYFAIL/,/^## /p' "$tmp/ab/ab-results.md")
counts=$(sed -n '/^### Counts per reclaim pass/,/^### /p' "$tmp/ab/ab-results.md")
t_if "ab: no repeat: the report says the spread is unknown" grep -q 'No repeat: spread unknown' <<<"$counts"
t_not "ab: no repeat: no count marked significant" grep -q -E ' \* \||\*$' <<<"$counts"

# --- the rest of make ab's matrix: MGLRU and virtio boots, another base -------
# mglru/ and virtio/ hold copies of the arms' boots, the mglru base boot
# edited (anon pass 1 scanned 4000): the set's own table must show it, the
# main table must not. The other base is the expected summary of the
# fixture itself, published as "7.3": its columns follow 6.12's.
cp -r "$fx/ab" "$tmp/mx"
echo "variant=ab" >>"$tmp/mx/meta.txt"
for set in mglru virtio; do
	mkdir -p "$tmp/mx/$set"
	for a in base mayfail pin-aware; do cp -r "$tmp/mx/$a" "$tmp/mx/$set/$a"; rm -rf "$tmp/mx/$set/$a/suite"; done
done
for a in base mayfail pin-aware; do [ ! -d "$tmp/mx/$a/suite" ] || cp -r "$tmp/mx/$a/suite" "$tmp/mx/$a/suite-numa"; done
sed -i 's/^\(# AB bench=counts type=anon pass=1 .* scanned=\)3253 /\14000 /' "$tmp/mx/mglru/base/results.tap"
t_if "matrix fixture: the mglru edit applied" grep -q 'type=anon pass=1 .* scanned=4000 ' "$tmp/mx/mglru/base/results.tap"
sed -i 's/^\(# AB bench=counts type=swapcache pass=1 inval=\)1024 /\11000 /' "$tmp/mx/virtio/base/results.tap"
t_if "matrix fixture: the virtio edit applied" grep -q 'type=swapcache pass=1 inval=1000 ' "$tmp/mx/virtio/base/results.tap"
# make ab I915_MOCK=1 writes the i915 mock selftest's summary into the job.
cp "$exp/i915.json" "$tmp/mx/i915-mock-results-6.12.json"
report ab --root /ROOT --quiet --md "$tmp/mx/ab-results.md" --svg "$tmp/mx/ab-plot.svg" \
	--other-base "7.3=$exp/ab.summary.json" "$tmp/mx"
golden ab-matrix.md "$tmp/mx/ab-results.md"
mx_table() { sed -n "/^### $1/,/^### /p" "$tmp/mx/ab-results.md"; }
mx_section() { sed -n "/^## $1/,/^## /p" "$tmp/mx/ab-results.md"; }
t_if "matrix: the MGLRU table shows its own boots (base anon pass 1 scanned 4000)" \
	grep -q '^| pages scanned, per pass | 4000, ' <(mx_table 'Counts per reclaim pass, multi-gen LRU on')
t_not "matrix: ... and the classic table does not" \
	grep -q '^| pages scanned, per pass | 4000, ' <(mx_table 'Counts per reclaim pass, by backing type')
t_if "matrix: the virtio table is there" grep -q '^### Counts per reclaim pass, swap on a virtio disk' "$tmp/mx/ab-results.md"
t_if "matrix: the bases table has a column per base and arm, in version order" \
	grep -q '^| metric | 6.12 base | 6.12 mayfail | 6.12 pin-aware | 7.3 base | 7.3 mayfail | 7.3 pin-aware |$' \
	<(mx_table 'The pinned-range counts on each base')
# Base's swap-cache invalidations: 1024 + 1024 + 1142 with zram, 1000 + ... on virtio.
mx_swapcache() { mx_table 'The pinned-range counts on each base' | sed -n '/anon in swap cache/,/^| \*\*/p'; }
t_if "matrix: the bases table takes this job's swap-cache rows from the virtio set" \
	grep -qE '^\| pinned-range invalidations \| 3166 \|' <(mx_swapcache)
t_not "matrix: ... and not from the zram boots" \
	grep -qE '^\| pinned-range invalidations \| 3190 \|' <(mx_swapcache)
t_if "matrix: the tiered-NUMA boots have their own selftest table" \
	grep -q '^## Demotion and migration per arm (two NUMA nodes in tiers)' "$tmp/mx/ab-results.md"
t_if "matrix: run directories are named after the job's variant" grep -q 'runs/base-ab-ab/qemu.cmd' "$tmp/mx/ab-results.md"
t_if "matrix: the i915 mock selftest of the job has its table" \
	grep -q '^| base | 1 | pass | userptr anon: ' <(mx_section 'i915 userptr mock selftest per arm')
t_if "ab: a job without it says so" \
	grep -q '^Not run in this job: .make ab I915_MOCK=1. runs it' <(sed -n '/^## i915 userptr mock selftest per arm/,/^## /p' "$tmp/ab/ab-results.md")

# --- the same job with a repeated boot of every arm -----------------------------
# base.r2: swapcache pass 1 invalidated 2150 pages instead of 1024 (a move
# seen between real jobs); mayfail.r2: identical; pin-aware.r2: anon pass 2
# scanned 8 pages more.
cp -r "$fx/ab" "$tmp/rep"
for a in base mayfail pin-aware; do cp -r "$tmp/rep/$a" "$tmp/rep/$a.r2"; rm -rf "$tmp/rep/$a.r2/suite"; done
sed -i 's/^\(# AB bench=counts type=swapcache pass=1 inval=\)1024 /\12150 /' "$tmp/rep/base.r2/results.tap"
sed -i 's/^\(# AB bench=counts type=anon pass=2 .* scanned=\)3252 /\13260 /' "$tmp/rep/pin-aware.r2/results.tap"
t_if "repeat fixture: both edits applied" \
	grep -q 'type=swapcache pass=1 inval=2150 ' "$tmp/rep/base.r2/results.tap"
t_if "repeat fixture: both edits applied (pin-aware)" \
	grep -q 'type=anon pass=2 .* scanned=3260 ' "$tmp/rep/pin-aware.r2/results.tap"
report ab --root /ROOT --quiet --md "$tmp/rep/ab-results.md" --svg "$tmp/rep/ab-plot.svg" "$tmp/rep"
golden ab-repeat.summary.json "$tmp/rep/summary.json"
golden ab-repeat.md "$tmp/rep/ab-results.md"
# row SECTION LABEL: the first LABEL row after the SECTION row (awk reads
# the whole file: a grep that exits early would SIGPIPE the one before it).
row() {
	awk -v sec="| **$1** |" -v lab="| $2 |" '
		index($0, sec) == 1 { in_sec = 1 }
		in_sec && index($0, lab) == 1 { print; exit }' "$tmp/rep/ab-results.md"
}
r=$(row "anon in swap cache" "pinned-range invalidations, total")
t_if "repeat: base's swapcache invalidations moved between identical boots, said so ($r)" \
	grep -q '^| pinned-range invalidations, total | 3190 / 4316 (moves) |' <<<"$r"
t_if "repeat: pin-aware's 0 against base's 3190..4316 exceeds the spread: marked" \
	grep -q '| 0 (-100.0%) \* |$' <<<"$r"
t_not "repeat: mayfail's 3072 is inside base's spread (3190..4316): not marked" grep -q '| 3072 (-18.1%) \* |' <<<"$r"
t_if "repeat: ... but shown with its change ($r)" grep -q '| 3072 (-18.1%) |' <<<"$r"
r=$(row "private anon" "pages scanned, total")
t_if "repeat: the move of pin-aware's anon scan between its boots is reported as such ($r)" \
	grep -q '| 8557 / 8565 (moves) (-12.2%) \* |$' <<<"$r"
t_if "repeat: Reproducibility names the base pass that moved" \
	grep -q 'base: \*\*pinned-range counts differ\*\* (swapcache pass 1 inval)' "$tmp/rep/ab-results.md"
t_if "repeat: the counts table says which arms repeated and which moved" \
	grep -q 'rows repeated exactly for mayfail, pin-aware and moved for base' "$tmp/rep/ab-results.md"
# The report must never claim both: that an arm's pinned-range rows
# repeated exactly and, for the same comparison (identical boots of this
# job, or the previous job), that they differ.
contradictions() {
	python3 - "$1" <<'PY'
import re, sys
md = open(sys.argv[1]).read()
if "rows repeat exactly from job to job" in md:
    print("an unconditional claim that the pinned-range rows repeat exactly")
repro = md.split("## Reproducibility", 1)[1].split("\n## ", 1)[0]
m = re.search(r"Job to job: (.*)", md)
brief = m.group(1) if m else ""
for clause, sentence in (("between the identical boots", "Identical boots of the same arm"),
                         ("against the previous job", "compared with the previous job")):
    said = re.search(re.escape(clause) + r"[^;(]*repeated exactly for ([a-z, -]+?)(?: and moved|;| \(|$)", brief)
    part = [x for x in repro.split(". ") if sentence in x]
    differ = re.findall(r"([a-z-]+): \*\*pinned-range counts differ", part[0]) if part else []
    for arm in (said.group(1).split(", ") if said else []):
        if arm in differ:
            print("%s: %s repeated exactly, and the Reproducibility says it differs" % (clause, arm))
PY
}
for f in "$tmp/ab/ab-results.md" "$tmp/rep/ab-results.md" docs/ab-results-*.md; do
	c=$(contradictions "$f")
	if [ -z "$c" ]; then
		t_ok "${f#"$tmp"/}: no contradiction about the pinned-range rows"
	else
		t_fail "${f#"$tmp"/}: $c"
	fi
done
# The check itself must see one: the old generator's sentence, put back.
sed 's/Job to job: .*/The pinned-range rows repeat exactly from job to job./' "$tmp/rep/ab-results.md" >"$tmp/bad.md"
t_if "the contradiction check catches the old unconditional claim" test -n "$(contradictions "$tmp/bad.md")"
sed 's/rows repeated exactly for mayfail, pin-aware and moved for base/rows repeated exactly for base, mayfail, pin-aware/' "$tmp/rep/ab-results.md" >"$tmp/bad.md"
t_if "the contradiction check catches 'repeated exactly' for an arm that moved" test -n "$(contradictions "$tmp/bad.md")"

# --- the selftest table (scripts/ab-suite.sh) ------------------------------------
report suite base="$fx/ab/base/suite" mayfail="$fx/ab/mayfail/suite" pin-aware="$fx/ab/pin-aware/suite" >"$tmp/suite"
golden suite.md "$tmp/suite"

# --- skip-policy ------------------------------------------------------------
run=$fx/skip-policy/deb-7.3.4/runs/pin-aware+skip-policy-test-skip-policy
report skip-policy --root /ROOT --date "2026-12-01 13:24 UTC" "$run" "$tmp/sp/skip-policy.md"
golden skip-policy.json "$tmp/sp/skip-policy.json"
golden skip-policy.md "$tmp/sp/skip-policy.md"
report render "$tmp/sp/skip-policy.json" --md "$tmp/sp/again.md"
t_if "skip-policy: rendered again from its JSON alone is the same" cmp "$tmp/sp/skip-policy.md" "$tmp/sp/again.md"

# --- make kvm: KVM guest memory, two arms ------------------------------------
mkdir -p "$tmp/kvm"
report kvm --date "2026-12-01 15:20 UTC" "$tmp/kvm/kvm-results.md" \
	base="$fx/kvm/base" pin-aware="$fx/kvm/pin-aware"
golden kvm.json "$tmp/kvm/kvm-results.json"
golden kvm.md "$tmp/kvm/kvm-results.md"

# --- make stress: pin_stress on a debug kernel, a clean run and one with -C 5 -----
mkdir -p "$tmp/stress"
report stress --date "2026-12-01 20:40 UTC" --command "report stress" "$tmp/stress/stress-results.md" \
	pin-aware="$fx/stress/pin-aware" pin-aware-inject="$fx/stress/pin-aware-inject"
golden stress.json "$tmp/stress/stress-results.json"
golden stress.md "$tmp/stress/stress-results.md"
report render "$tmp/stress/stress-results.json" --md "$tmp/stress/again.md"
t_if "stress: rendered again from its JSON alone is the same" cmp "$tmp/stress/stress-results.md" "$tmp/stress/again.md"
t_if "stress: the -C 5 run shows its 5 corrupted bytes and its failed verdict" \
	grep -q '^| pin-aware-inject | pass=5 fail=1 skip=0 problems=1 | 0 | 5 | 0 | ' "$tmp/stress/stress-results.md"
cp -r "$fx/stress/pin-aware" "$tmp/stress/splat"
echo '812:[  301.2] WARNING: CPU: 1 PID: 97 at mm/gup.c:123 try_grab_folio+0x1/0x2' >"$tmp/stress/splat/console.bad"
report stress --date "2026-12-01 20:40 UTC" "$tmp/stress/splat.md" pin-aware="$tmp/stress/splat"
t_if "stress: a flagged console line is counted as a splat and quoted" \
	grep -q '^    - `812:\[  301.2\] WARNING: CPU: 1 PID: 97 at mm/gup.c:123' "$tmp/stress/splat.md"
t_if "stress: ... and its row says 1 splat" grep -q '^| pin-aware | pass=6 fail=0 skip=0 problems=0 | 1 | 0 | ' "$tmp/stress/splat.md"

# --- pin_abuse and pin_pressure (docs/security.md), three arms -------------------
mkdir -p "$tmp/abuse"
report abuse --date "2026-12-01 17:40 UTC" --command "report abuse" "$tmp/abuse/abuse-results.md" \
	base="$fx/abuse/base" mayfail="$fx/abuse/mayfail" pin-aware="$fx/abuse/pin-aware" \
	pin-aware-kvm="$fx/abuse/pin-aware-kvm"
golden abuse.json "$tmp/abuse/abuse-results.json"
golden abuse.md "$tmp/abuse/abuse-results.md"
report render "$tmp/abuse/abuse-results.json" --md "$tmp/abuse/again.md"
t_if "abuse: rendered again from its JSON alone is the same" cmp "$tmp/abuse/abuse-results.md" "$tmp/abuse/again.md"
t_if "abuse: pin-aware keeps the victim's PTEs past 1024 pipe references" \
	grep -q '^| vmsplice: .* | 1100 | 0/8 | 8/8 | -1 | 0/8 | 8/8 | -1 | 8/8 | 8/8 |' "$tmp/abuse/abuse-results.md"
t_if "abuse: iommufd stopped at RLIMIT_MEMLOCK (the kvm variant's run), not run elsewhere" \
	grep -q '^| iommufd IOAS maps (mock domain), process 1 of the user | RLIMIT_MEMLOCK 8388608 | .* | not run (no /dev/iommu) | 8388608 / 8 / [0-9]* / ENOMEM |$' "$tmp/abuse/abuse-results.md"

# --- i915-mock -----------------------------------------------------------------
report i915 --date "2026-11-26 05:09 UTC" "$fx/i915/rows.tsv" "$tmp/i915/i915-mock-results.md"
golden i915.json "$tmp/i915/i915-mock-results.json"
golden i915.md "$tmp/i915/i915-mock-results.md"

# --- the cover letter ------------------------------------------------------------
cp "$fx/cover/0000-cover-letter.patch" "$tmp/cover.patch"
report cover "$tmp/cover.patch" "$fx/cover/cover-letter.txt" "$tmp/ab/summary.json" "$tmp/sp/skip-policy.json"
golden cover.patch "$tmp/cover.patch"
t_not "cover: no placeholder left" grep -q -E '@AB_COUNTS@|@SKIP_POLICY@|\*\*\* (SUBJECT|BLURB) HERE' "$tmp/cover.patch"
t_summary
