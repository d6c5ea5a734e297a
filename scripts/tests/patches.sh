#!/usr/bin/env bash
# patches.sh: every series in patches/ must be clean: checkpatch --strict
# with no errors, warnings or checks; authored and signed off by the
# project's neutral identity; applied by git am onto the pinned base; and
# the in-tree selftest patch must carry the current selftests/ source.
# Each series of the default base, and of every other base that has it
# (patches/SERIES/BASE/, tests named SERIES@BASE); PATCHES_BASES="7.3"
# checks only the bases named.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh
# shellcheck source=../lib.sh
. scripts/lib.sh

# maintainer_of PATH: the first maintainer MAINTAINERS names for PATH.
maintainer_of() {
	(cd "$work/src" && scripts/get_maintainer.pl --no-git --no-rolestats --nol -f "$1" 2>/dev/null) |
		sed -n 1p
}
checks=()
for b in ${PATCHES_BASES:-$BASES_ALL}; do
	for arm in pin-aware mayfail; do
		if [ "$b" = "$BASE_DEFAULT" ]; then
			checks+=("$arm")
		elif [ -d "patches/$arm/$b" ]; then
			checks+=("$arm@$b")
		else
			echo "note: no $arm series for base $b yet (patches/$arm/$b/)"
		fi
	done
done
work=
for arm in "${checks[@]}"; do
	b=$BASE_DEFAULT
	[ "$arm" = "${arm%@*}" ] || b=${arm#*@}
	if [ -z "$work" ] || [ "$b" != "$BASE" ]; then
		export BASE=$b
		work=$(scripts/base-tree.sh)
	fi
	dir=$(series_dir "${arm%@*}")
	dir=${dir#"$ROOT"/}
	mapfile -t series < <(find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' | LC_ALL=C sort)
	[ "${#series[@]}" -gt 0 ] || { t_fail "$arm: no patches in $dir"; continue; }
	for p in "${series[@]}"; do
		name=${p##*/}
		# The base is a tarball with no upstream history, so checkpatch can
		# only report every cited upstream commit (feb889fb40fa, ...) as
		# unknown: that one type is ignored; the 'commit <sha> ("subject")'
		# format (GIT_COMMIT_ID) is still checked.
		# FILE_PATH_CHANGES ("does MAINTAINERS need updating?") fires for
		# every new file; instead, each new file must have a maintainer in
		# MAINTAINERS (get_maintainer.pl on its directory, which the new file
		# does not exist in yet).
		# /usr/bin first: checkpatch's spdxcheck.py needs Debian's python3-ply.
		out=$(cd "$work/src" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --quiet \
			--no-summary --ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES "$ROOT/$p" 2>&1) || true
		if [ -z "$out" ]; then
			t_ok "$arm: checkpatch --strict $name"
		else
			t_fail "$arm: checkpatch --strict $name"
			echo "$out" | head -n 20
		fi
		while IFS= read -r f; do
			who=$(maintainer_of "$(dirname "$f")")
			if [ -n "$who" ]; then
				t_ok "$arm: new file $f has a maintainer ($who)"
			else
				t_fail "$arm: new file $f has no MAINTAINERS entry"
			fi
		done < <(awk '/^diff --git /{f=$4} /^new file mode/{sub("^b/","",f); print f}' "$p")
		from=$(sed -n 's/^From: //p' "$p" | head -n1)
		if [ "$from" = "$PROJECT_IDENT_NAME <$PROJECT_IDENT_EMAIL>" ] &&
			grep -qxF "Signed-off-by: $PROJECT_IDENT_NAME <$PROJECT_IDENT_EMAIL>" "$p"; then
			t_ok "$arm: $name carries the project identity"
		else
			t_fail "$arm: $name: From/Signed-off-by is not the project identity ($from)"
		fi
	done
	if scripts/arm.sh "${arm%@*}" >"$T_LOG.out" 2>"$T_LOG.err"; then
		t_ok "$arm: git am of ${#series[@]} patches onto the base"
	else
		t_fail "$arm: series does not apply"
		head -n 30 "$T_LOG.err"
	fi
done
export BASE=$BASE_DEFAULT

# The in-tree selftest patch of each base's pin-aware series must carry the
# current source its pin names (BASE_KSELFTEST_SRC: v1's per-arm test on
# 6.12, v2's kselftest on 7.3).
# kselftest_src BASE: the selftest source that BASE's pin names (or nothing).
kselftest_src() {
	local BASE=$1
	load_pin
	echo "${BASE_KSELFTEST_SRC:-}"
}
if [ -x scripts/selftest-patch.sh ]; then
	for b in ${PATCHES_BASES:-$BASES_ALL}; do
		src=$(kselftest_src "$b")
		[ -n "$src" ] || continue
		dir=$(BASE=$b series_dir pin-aware)
		dir=${dir#"$ROOT"/}
		sp=$(grep -l '^diff --git a/tools/testing/selftests/mm/pin_reclaim.c ' "$dir"/[0-9]*.patch 2>/dev/null | head -n1 || true)
		if [ -z "$sp" ]; then
			t_fail "pin-aware@$b: no in-tree selftest patch (tools/testing/selftests/mm/pin_reclaim.c) in $dir"
		elif scripts/selftest-patch.sh --check "$sp" -s "$src" >"$T_LOG.out" 2>&1; then
			t_ok "pin-aware@$b: ${sp##*/} carries the current $src"
			# The check can fail: one comment line of the source changed.
			bad=$(mktemp)
			sed '0,/^+ \* /s/^+ \* /+ *  /' "$sp" >"$bad"
			if scripts/selftest-patch.sh --check "$bad" -s "$src" >"$T_LOG.out" 2>&1; then
				t_fail "pin-aware@$b: --check accepts ${sp##*/} with one source line changed"
			else
				t_ok "pin-aware@$b: --check rejects ${sp##*/} with one source line changed"
			fi
			rm -f "$bad"
		else
			t_fail "pin-aware@$b: ${sp##*/} is out of sync with $src"
			tail -n 10 "$T_LOG.out"
		fi
	done
fi
# The export step signs with the submitter's identity, never the project's,
# and fills the cover letter from the results published for its base. A
# base whose cover letter quotes results it has not published (v2 on 7.3
# until a full make ab of 7.3 is published) must be refused with a clear
# error instead.
gc=$(mktemp)
printf '[user]\n\tname = Test Submitter\n\temail = submitter@example.invalid\n' >"$gc"
for b in $BASES_ALL; do
	export BASE=$b
	tag=pin-aware@$b
	[ "$b" != "$BASE_DEFAULT" ] || tag=pin-aware
	cover=$(series_dir pin-aware)/cover-letter.txt
	if grep -q '@AB_COUNTS@' "$cover" && [ ! -r "docs/$(docs_name ab-results.json)" ]; then
		if GIT_CONFIG_GLOBAL=$gc BUILD="$BUILD" scripts/export.sh pin-aware >"$T_LOG.out" 2>&1; then
			t_fail "$tag: export succeeded without published results (docs/$(docs_name ab-results.json))"
		elif grep -q "which base $b has not published yet" "$T_LOG.out"; then
			t_ok "$tag: export refused: $(grep -m1 -o 'quotes .* yet' "$T_LOG.out")"
		else
			t_fail "$tag: export failed for another reason: $(tail -n 3 "$T_LOG.out")"
		fi
		continue
	fi
	if GIT_CONFIG_GLOBAL=$gc BUILD="$BUILD" scripts/export.sh pin-aware >"$T_LOG.out" 2>&1; then
		n=$(grep -l -x 'Signed-off-by: Test Submitter <submitter@example.invalid>' "$BUILD"/export/pin-aware/0*.patch | wc -l)
		total=$(find "$BUILD/export/pin-aware" -name '0*.patch' ! -name '0000-*' | wc -l)
		t_if "$tag: export: $n of $total patches signed by the submitter, none by the project" \
			test "$n" = "$total" -a "$total" -gt 0
		cl=$BUILD/export/pin-aware/0000-cover-letter.patch
		if grep -q '@AB_COUNTS@' "$cover"; then
			t_if "$tag: export: the cover letter carries the generated A/B counts" \
				grep -q '^  pinned-range invalidations, total' "$cl"
		fi
		if grep -q '@SKIP_POLICY@' "$cover"; then
			t_if "$tag: export: the cover letter carries the generated skip-policy counts" \
				grep -q -E '^From .make skip-policy. of [0-9]' "$cl"
		fi
		if grep -q -E '@AB_COUNTS@|@SKIP_POLICY@|\*\*\* (SUBJECT|BLURB) HERE' "$cl"; then
			t_fail "$tag: export: a placeholder is left in the cover letter"
		else
			t_ok "$tag: export: no placeholder left in the cover letter"
		fi
	else
		t_fail "$tag: export failed: $(tail -n 3 "$T_LOG.out")"
	fi
done
export BASE=$BASE_DEFAULT
rm -f "$gc"
t_summary
