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
# The export (scripts/export.sh: b4 prep, b4 send -o) writes mails that can
# be sent: signed by the submitter, never the project; the placeholders of
# the cover letter filled from the results published for its base (a base
# that has not published them is refused with a clear error); subjects
# "[RFC PATCH v2 n/N]" as the cover letter says; the recipients; no
# base-commit: that resolves nowhere; and the diffs exactly those of
# patches/, which series-build.sh's bisect, sparse and W=1 gates build.
gc=$(mktemp)
printf '[user]\n\tname = Test Submitter\n\temail = submitter@example.invalid\n' >"$gc"
sub="Test Submitter <submitter@example.invalid>"
# mail_hdr FILE NAME: header NAME of mail FILE, unfolded.
mail_hdr() {
	awk -v h="$2:" '$0 == "" { exit } /^[^ \t]/ { cur = ($1 == h); if (cur) { sub(/^[^:]*: */, ""); printf "%s", $0 }; next }
		cur { sub(/^[ \t]+/, " "); printf "%s", $0 } END { print "" }' "$1"
}
# mail_addrs FILE NAME: the addresses in header NAME, one a line.
mail_addrs() { mail_hdr "$1" "$2" | grep -o -E '[^<>, "]+@[^<>, "]+' | LC_ALL=C sort -u || true; }
# diff_of FILE: the diff of a mail or a format-patch file (up to the first
# empty line or signature: no diff line is empty).
# diff_of FILE: the diff of a patch or mail, without its "index" lines,
# whose blob abbreviations follow the size of the repository that wrote
# them (9 digits in a used base tree, 7 in a fresh one).
diff_of() { awk '/^diff --git /{ d = 1 } d && ($0 == "" || $0 == "-- ") { exit } d && !/^index [0-9a-f]+\.\.[0-9a-f]+/ { print }' "$1"; }

# kdoc_warnings REV:PATH: the kernel-doc -none -Wall warnings of that file
# (none for a file that does not exist), without line numbers.
kdoc_warnings() {
	{ git -C "$work/src" show "$1" 2>/dev/null || true; } |
		(cd "$work/src" || exit; scripts/kernel-doc -none -Wall /dev/stdin 2>&1 || true) | sed 's/:[0-9]*:/:/' | LC_ALL=C sort -u
}
# check_export TAG SERIES: the checks of one export in build/export/SERIES.
check_export() {
	local tag=$1 s=$2 dir=$BUILD/export/$2 sdir cover m k n total pfx want got p kd
	sdir=$(series_dir "$s")
	cover=$sdir/cover-letter.txt
	mapfile -t mails < <(find "$dir" -name '*.eml' | LC_ALL=C sort)
	mapfile -t src_patches < <(find "$sdir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' | LC_ALL=C sort)
	n=0 total=0
	for m in "${mails[@]}"; do
		[[ "${m##*/}" != 0000-* ]] || continue
		total=$((total + 1))
		grep -q -x -F "Signed-off-by: $sub" "$m" && [ "$(mail_hdr "$m" From)" = "$sub" ] && n=$((n + 1))
	done
	t_if "$tag: export: $n of $total patches from and signed by the submitter" \
		test "$n" = "$total" -a "$total" = "${#src_patches[@]}" -a "$total" -gt 0
	if grep -q -F "$PROJECT_IDENT_EMAIL" "${mails[@]}"; then
		t_fail "$tag: export: the project identity is in $(grep -l -F "$PROJECT_IDENT_EMAIL" "${mails[@]}" | head -n1)"
	else
		t_ok "$tag: export: the project identity is in no mail"
	fi
	# Subjects: the cover letter's prefix, with each mail's counter.
	pfx=$(head -n1 "$cover" | sed -n 's/^Subject: \[\(.*\)\] .*/\1/p')
	got=0
	for m in "${mails[@]}"; do
		k=$((10#$(basename "$m" | cut -c1-4)))
		if [ "$total" = 1 ]; then want="[${pfx% */*}]"; else want="[${pfx% */*} $k/$total]"; fi
		if [[ "$(mail_hdr "$m" Subject)" == "$want "* ]]; then got=$((got + 1)); else
			echo "     ${m##*/}: '$(mail_hdr "$m" Subject)', want '$want ...'"
		fi
	done
	t_if "$tag: export: $got of ${#mails[@]} subjects are '${want% */*}...'" test "$got" = "${#mails[@]}"
	if grep -q -E '@AB_COUNTS@|@SKIP_POLICY@|\*\*\* (SUBJECT|BLURB) HERE|EDITME' "${mails[@]}"; then
		t_fail "$tag: export: a placeholder is left in the mails"
	else
		t_ok "$tag: export: no placeholder left in the mails"
	fi
	# The base: v7.3.4 as Debian ships it, never its base-commit.
	if grep -q '^base-commit:' "${mails[@]}"; then
		t_fail "$tag: export: base-commit: $(grep -h -m1 '^base-commit:' "${mails[@]}") (a commit of this build tree only)"
	else
		t_if "$tag: export: no base-commit:, '$(grep -h -m1 -o '^Based on v[0-9.]* as Debian ships it' "${mails[0]}")'" \
			grep -q "^Based on v$(BASE=$BASE bash -c '. scripts/lib.sh; load_pin; echo "$BASE_KERNEL_VERSION"') as Debian ships it" "${mails[0]}"
	fi
	t_if "$tag: export: the cover carries the change-id of patches/$s/b4-change-id" \
		grep -q -x -F "change-id: $(cat "patches/$s/b4-change-id")" "${mails[0]}"
	# The diffs are those of patches/: series-build.sh's bisect, sparse
	# and W=1 builds of patches/ cover the exported series.
	got=0
	for p in "${src_patches[@]}"; do
		k=$(basename "$p" | cut -c1-4)
		m=$(printf '%s\n' "${mails[@]}" | grep "/$k-" || true)
		if [ -n "$m" ] && cmp -s <(diff_of "$p") <(diff_of "$m"); then got=$((got + 1)); else
			echo "     ${p##*/}: the diff of ${m##*/} differs"
		fi
	done
	local built="series-build's bisect/sparse/W=1 gates build those"
	case " $ARMS_ALL " in *" $s "*) ;; *) built="an overlay: series-build does not build it" ;; esac
	t_if "$tag: export: $got of ${#src_patches[@]} diffs byte-identical to ${sdir#"$ROOT"/} ($built)" \
		test "$got" = "${#src_patches[@]}"
	# checkpatch --strict of the base tree on the mails themselves. The
	# exceptions: UNKNOWN_COMMIT_ID (the base has no history to find the
	# cited commits in; GIT_COMMIT_ID, the format, is checked) and
	# FILE_PATH_CHANGES (for new files; each has a maintainer: above).
	got=0
	for m in "${mails[@]}"; do
		[[ "${m##*/}" != 0000-* ]] || continue
		out=$(cd "$work/src" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --quiet \
			--no-summary --ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES "$m" 2>&1) || true
		if [ -z "$out" ]; then got=$((got + 1)); else echo "$out" | head -n 10; fi
	done
	t_if "$tag: export: checkpatch --strict clean on $got of $total mails (ignored: UNKNOWN_COMMIT_ID, FILE_PATH_CHANGES)" \
		test "$got" = "$total"
	# kernel-doc -none -Wall on every C file the series touches: no
	# warning that the base version of the file does not have.
	kd=0 got=0
	while IFS= read -r f; do
		kd=$((kd + 1))
		after=$(kdoc_warnings "b4/$s:$f")
		before=$(kdoc_warnings "refs/tags/base:$f")
		new=$(comm -23 <(echo "$after") <(echo "$before"))
		if [ -z "$new" ]; then got=$((got + 1)); else echo "     $f: $new" | head -n 5; fi
	done < <(git -C "$work/src" diff --name-only refs/tags/base "b4/$s" -- '*.c' '*.h')
	t_if "$tag: export: kernel-doc -none -Wall: no new warning in $got of $kd touched C files" test "$got" = "$kd" -a "$kd" -gt 0
}

for b in $BASES_ALL; do
	export BASE=$b
	tag=pin-aware@$b
	[ "$b" != "$BASE_DEFAULT" ] || tag=pin-aware
	cover=$(series_dir pin-aware)/cover-letter.txt
	work=$(scripts/base-tree.sh)
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
		check_export "$tag" pin-aware
		cl=$(find "$BUILD/export/pin-aware" -name '0000-*.eml')
		if grep -q '@AB_COUNTS@' "$cover"; then
			t_if "$tag: export: the cover letter carries the generated A/B counts" \
				grep -q '^  pinned-range invalidations, total' "$cl"
		fi
		if grep -q '@SKIP_POLICY@' "$cover"; then
			t_if "$tag: export: the cover letter carries the generated skip-policy counts" \
				grep -q -E '^From .make skip-policy. of [0-9]' "$cl"
		fi
	else
		t_fail "$tag: export failed: $(tail -n 3 "$T_LOG.out")"
	fi
done
export BASE=$BASE_DEFAULT
work=$(scripts/base-tree.sh)
d=$BUILD/export/pin-aware
# The RFC on the default base: v2 with its changelog and the range-diff
# to v1 (6.12), and its recipients: linux-mm and Andrew Morton in To:,
# everyone else in Cc: of every mail: what get_maintainer.pl of the tree
# names for any patch (RECLAIM, RMAP, tracing, docs, kselftest: 6.12's
# would send the documentation patch only to linux-doc), the GUP reviewers
# and the 2020/2023 reviewers (patches/pin-aware/recipients.txt).
if [ -d "$d" ]; then
	cl=$(find "$d" -name '0000-*.eml')
	t_if "pin-aware: export: the cover letter has the changelog of v2 (Changes since v1)" grep -q '^Changes since v1$' "$cl"
	rd=$BUILD/export/pin-aware.v1-v2.range-diff
	t_if "pin-aware: export: range-diff v1 (6.12) .. v2: $(grep -c -E '^ *-: +-+ > ' "$rd" 2>/dev/null || echo 0) v2 commits in ${rd#"$ROOT"/}" \
		test "$(grep -c -E '^ *[-0-9]+: +[-0-9a-f]+ [>=!] ' "$rd" 2>/dev/null || echo 0)" -ge 6
	mapfile -t gm < <(cd "$work/src" && scripts/get_maintainer.pl --nogit --nogit-fallback --nogit-chief-penguins \
		--norolestats "$ROOT"/patches/pin-aware/0*.patch | grep -o -E '[^<>, "]+@[^<>, "]+' | LC_ALL=C sort -u)
	hand=(jgg@ziepe.ca jhubbard@nvidia.com peterx@redhat.com chris@chris-wilson.co.uk jack@suse.cz willy@infradead.org hch@lst.de)
	bad_to=0 missing=()
	for m in "$d"/*.eml; do
		[ "$(mail_addrs "$m" To | paste -s -d' ')" = "akpm@linux-foundation.org linux-mm@kvack.org" ] || bad_to=$((bad_to + 1))
		all=$(mail_addrs "$m" To; mail_addrs "$m" Cc)
		for a in "${gm[@]}" "${hand[@]}" linux-doc@vger.kernel.org hannes@cmpxchg.org david@kernel.org mhocko@kernel.org; do
			grep -q -x -F "$a" <<<"$all" || missing+=("${m##*/}:$a")
		done
	done
	t_if "pin-aware: export: To: exactly Andrew Morton and linux-mm in every mail" test "$bad_to" = 0
	t_if "pin-aware: export: every mail to all ${#gm[@]} get_maintainer.pl addresses, the ${#hand[@]} hand-picked ones, linux-doc" \
		test "${#missing[@]}" = 0 -a "${#gm[@]}" -gt 10
	[ "${#missing[@]}" = 0 ] || printf '     missing: %s\n' "${missing[@]:0:10}"
fi

# The overlays export as their own series, each with its recipients.
for s in test_hmm-fix i915-mock; do
	if GIT_CONFIG_GLOBAL=$gc BUILD="$BUILD" scripts/export.sh "$s" >"$T_LOG.out" 2>&1; then
		check_export "$s" "$s"
		m=$(find "$BUILD/export/$s" -name '*.eml' | LC_ALL=C sort | head -n1)
		want=$(sed -n 's/^To: .*<\(.*\)>$/\1/p; s/^To: \([^<>]*@[^<>]*\)$/\1/p' "patches/$s/recipients.txt" | LC_ALL=C sort -u | paste -s -d' ')
		t_if "$s: export: To: $want" test "$(mail_addrs "$m" To | paste -s -d' ')" = "$want"
	else
		t_fail "$s: export failed: $(tail -n 3 "$T_LOG.out")"
	fi
done
m=$(find "$BUILD/export/test_hmm-fix" -name '*.eml' | head -n1)
cc=$(mail_addrs "$m" Cc)
t_if "test_hmm-fix: export: Cc: the HMM maintainers get_maintainer.pl names" \
	test "$(grep -c -x -E 'jgg@ziepe.ca|leon@kernel.org' <<<"$cc")" = 2

# Bad input: a clear error, and the last export stays as it was.
stamp=$(find "$BUILD/export/pin-aware" -name '*.eml' -printf '%p %T@\n' | LC_ALL=C sort | md5sum)
ex() { GIT_CONFIG_GLOBAL=$gc BUILD="$BUILD" scripts/export.sh "$@"; }
expect_error "export of an unknown series" "unknown series 'nosuch'" ex nosuch
expect_error "export of the skip-policy experiment" "unknown series 'skip-policy'.*never posted|neither is posted" ex skip-policy
expect_error "export -v x" "takes a revision number" ex -v x pin-aware
expect_error "export -v 3 without a changelog for v3" "no changelog for v3" ex -v 3 pin-aware
expect_error "export --co-developed-by without an address" "is not 'Full Name <addr@example.org>'" ex --co-developed-by "Somebody" pin-aware
expect_error "export --co-developed-by the project identity" "project's neutral identity" \
	ex --co-developed-by "$PROJECT_IDENT_NAME <$PROJECT_IDENT_EMAIL>" pin-aware
expect_error "export without a git identity" "git config --global user.name" \
	env GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 BUILD="$BUILD" scripts/export.sh pin-aware
expect_error "export with KSRC at a tarball commit (no upstream base-commit)" "not an upstream commit: its base-commit: would resolve nowhere" \
	env KSRC="$work/src" GIT_CONFIG_GLOBAL="$gc" BUILD="$BUILD" scripts/export.sh pin-aware
t_if "export: the refused runs left build/export/pin-aware as it was" \
	test "$(find "$BUILD/export/pin-aware" -name '*.eml' -printf '%p %T@\n' | LC_ALL=C sort | md5sum)" = "$stamp"
# Co-developed-by: the co-developer's pair before the submitter's
# Signed-off-by, in every patch.
if ex --co-developed-by "Test Codeveloper <codev@example.invalid>" test_hmm-fix >"$T_LOG.out" 2>&1; then
	m=$(find "$BUILD/export/test_hmm-fix" -name '*.eml' | head -n1)
	t_if "export --co-developed-by: Co-developed-by, its Signed-off-by, then the submitter's" \
		test "$(grep -E '^(Co-developed-by|Signed-off-by):' "$m" | paste -s -d'|')" = \
		"Co-developed-by: Test Codeveloper <codev@example.invalid>|Signed-off-by: Test Codeveloper <codev@example.invalid>|Signed-off-by: $sub"
	ex test_hmm-fix >/dev/null 2>&1 || true
else
	t_fail "export --co-developed-by failed: $(tail -n 3 "$T_LOG.out")"
fi
rm -f "$gc"
t_summary
