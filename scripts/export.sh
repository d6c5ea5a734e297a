#!/usr/bin/env bash
# export.sh [SERIES]: write an RFC posting of a series (default pin-aware)
# to build/export/SERIES/, authored and signed off by YOUR git identity
# (git config user.name / user.email) instead of the project's neutral one.
# The cover letter comes from patches/SERIES/cover-letter.txt (for a base
# other than the default: patches/SERIES/BASE/): its first line is the
# subject, the rest the body. Nothing in patches/ changes.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

series=${1:-pin-aware}
check_arm "$series"
[ "$series" != base ] || die "the base arm has no series to export"
name=$(git -C "$ROOT" config user.name || true)
email=$(git -C "$ROOT" config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	die "set your identity first: git config user.name 'Your Name'; git config user.email you@example.org"
fi
[ "$email" != "$PROJECT_IDENT_EMAIL" ] || die "user.email is the project's neutral identity; export signs with a person's identity"

sdir=$(series_dir "$series")
cover=$sdir/cover-letter.txt
# The published results of BASE that the placeholders take their numbers
# from: the JSON summaries that make publish puts next to the reports.
ab_json=$ROOT/docs/$(docs_name ab-results.json) sp_json=$ROOT/docs/$(docs_name skip-policy.json)
for ph in "@AB_COUNTS@ $ab_json make ab" "@SKIP_POLICY@ $sp_json make skip-policy"; do
	read -r tag file job <<<"$ph"
	! grep -q "$tag" "$cover" 2>/dev/null || [ -r "$file" ] ||
		die "${cover#"$ROOT"/} quotes $tag from ${file#"$ROOT"/}, which base $BASE has not published yet (run: $job BASE=$BASE, then make publish BASE=$BASE)"
done
work=$("$ROOT/scripts/base-tree.sh")
wt=$(work_dir)/export-$series
dest=$BUILD/export/$series
git -C "$work/src" worktree remove --force "$wt" >/dev/null 2>&1 || true
git -C "$work/src" worktree add -q -f --detach "$wt" refs/tags/base
trap 'git -C "$work/src" worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT

mapfile -t patches < <(find "$sdir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' 2>/dev/null | LC_ALL=C sort)
[ "${#patches[@]}" -gt 0 ] || die "${sdir#"$ROOT"/} has no patches"
git -C "$wt" -c user.name="$PROJECT_IDENT_NAME" -c user.email="$PROJECT_IDENT_EMAIL" am -q "${patches[@]}" ||
	die "${sdir#"$ROOT"/} does not apply (run: scripts/arm.sh $series)"

# Re-sign every commit: author and Signed-off-by become the submitter.
old="Signed-off-by: $PROJECT_IDENT_NAME <$PROJECT_IDENT_EMAIL>"
new="Signed-off-by: $name <$email>"
git -C "$wt" -c user.name="$name" -c user.email="$email" rebase -q refs/tags/base \
	--exec "git log -1 --format=%B | sed 's|^$old\$|$new|' | git commit -q --amend --reset-author -F -"

rm -rf "$dest"
mkdir -p "$dest"
git -C "$wt" -c user.name="$name" -c user.email="$email" format-patch -q --rfc --cover-letter \
	--thread --base=refs/tags/base -o "$dest" refs/tags/base..HEAD
if [ -r "$cover" ]; then
	# Subject, body and the numbers of @AB_COUNTS@ / @SKIP_POLICY@ (scripts/report/cover.py).
	report cover "$dest"/0000-cover-letter.patch "$cover" "$ab_json" "$sp_json"
fi
if grep -rq "$PROJECT_IDENT_EMAIL" "$dest"; then
	die "the project identity is still in $dest: $(grep -rl "$PROJECT_IDENT_EMAIL" "$dest" | head -n 3)"
fi
step "exported ${#patches[@]} patches of $series, signed by $name <$email>, to ${dest#"$ROOT"/}"
ls "$dest"
