#!/usr/bin/env bash
# export.sh [-v N] [--co-developed-by 'Name <addr>']... [SERIES]: write the
# posting of a series (default pin-aware; also the overlays
# test_hmm-fix and i915-mock, each its own series) to build/export/SERIES/
# as mails ready for git send-email: NNNN-*.eml with To:/Cc:, subjects
# "[RFC PATCH v2 n/N]", authored and signed off by YOUR git identity
# (git config user.name / user.email), never the project's neutral one.
#
# b4 (0.12) does the posting work: a `b4 prep`-managed branch b4/SERIES in
# the base tree (change-id from patches/SERIES/b4-change-id, --set-prefixes,
# --force-revision, --edit-cover, --auto-to-cc running the tree's
# scripts/get_maintainer.pl) and `b4 send -o DIR --no-sign`. This script
# keeps only what b4 0.12 does not do: re-signing the commits, filling the
# cover letter's @AB_COUNTS@/@SKIP_POLICY@ from docs/, "[RFC PATCH" instead
# of b4's "[PATCH RFC", the base statement (no base-commit: for a tree that
# is not an upstream commit), the hand-picked recipients
# (patches/SERIES/recipients.txt) and the range-diff to the previous
# revision (b4 prep --compare-to needs the sent/ tag of a real b4 send).
#
# The cover letter comes from patches/SERIES/cover-letter.txt (for a base
# other than the default: patches/SERIES/BASE/): its first line is the
# subject, whose brackets give the prefixes and the revision
# ("[RFC PATCH v2 0/6] title": RFC, v2); the rest is the body. A revision
# N > 1 needs a "Changes since v(N-1)" (or "Changes in vN") section.
#   -v N                  the revision (default: the cover letter's)
#   --co-developed-by ID  "Name <addr>" of a real person who co-developed
#                         the series: Co-developed-by and their
#                         Signed-off-by before yours in every patch
# KSRC=TREE: TREE must be an upstream git tree; its HEAD becomes the
# base-commit:. Nothing in patches/ changes.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: scripts/export.sh [-v N] [--co-developed-by 'Name <addr>']... [SERIES] (series: pin-aware test_hmm-fix i915-mock)"
rev_opt='' codevs=()
while [ $# -gt 0 ]; do
	case "$1" in
	-v | --reroll-count)
		[ $# -ge 2 ] || die "$1 needs a revision number; $usage"
		rev_opt=$2
		shift 2
		;;
	--co-developed-by)
		[ $# -ge 2 ] || die "$1 needs 'Name <addr>'; $usage"
		codevs+=("$2")
		shift 2
		;;
	-h | --help)
		echo "$usage"
		exit 0
		;;
	-*) die "unknown option '$1'; $usage" ;;
	*) break ;;
	esac
done
[ $# -le 1 ] || die "one series at a time; $usage"
series=${1:-pin-aware}
exportable="pin-aware test_hmm-fix i915-mock"
case " $exportable " in
*" $series "*) ;;
*) die "unknown series '$series' (exportable: pin-aware test_hmm-fix i915-mock; mayfail is a port of the 2020 series for comparison and skip-policy an experiment, neither is posted); $usage" ;;
esac
[ "$series" != base ] || die "the base arm has no series to export"
if [ -n "$rev_opt" ]; then
	[[ "$rev_opt" =~ ^[1-9][0-9]{0,2}$ ]] || die "-v takes a revision number (1, 2, ...), not '$rev_opt'"
fi

name=$(git -C "$ROOT" config user.name || true)
email=$(git -C "$ROOT" config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	die "no git identity to sign the series with; set yours first:
  git config --global user.name 'Your Name'
  git config --global user.email you@example.org
(every exported patch is authored and signed off with it; the project's neutral identity is never used)"
fi
[ "$email" != "$PROJECT_IDENT_EMAIL" ] || die "user.email is the project's neutral identity; export signs with a person's identity: git config --global user.email you@example.org"
[[ "$email" =~ ^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$ ]] || die "user.email '$email' is not a mail address; set yours: git config --global user.email you@example.org"
for c in "${codevs[@]}"; do
	[[ "$c" =~ ^[^\<\>@]*[^\<\>@[:space:]]\ \<[^\<\>@[:space:]]+@[^\<\>@[:space:]]+\.[^\<\>@[:space:]]+\>$ ]] ||
		die "--co-developed-by '$c' is not 'Full Name <addr@example.org>'"
	case "$c" in
	*"<$PROJECT_IDENT_EMAIL>"*) die "--co-developed-by names the project's neutral identity; only real people co-develop" ;;
	*"<$email>"*) die "--co-developed-by names you ($email): your own Signed-off-by is added anyway" ;;
	esac
done
need b4 git python3

sdir=$(series_dir "$series")
cover=$sdir/cover-letter.txt
[ -r "$cover" ] || die "${cover#"$ROOT"/} is missing: every exported series needs a cover letter (first line: its subject)"
# The subject's brackets: prefixes (RFC, ...) and the revision.
subj_line=$(sed -n '1s/^Subject: *//p' "$cover")
[[ "$subj_line" =~ ^\[([^]]*)\]\ +(.+)$ ]] || die "${cover#"$ROOT"/}: the first line must be 'Subject: [RFC PATCH v2 0/N] title', not '$(head -n1 "$cover")'"
title=${BASH_REMATCH[2]}
rev=1 prefixes=()
for w in ${BASH_REMATCH[1]}; do
	case "$w" in
	PATCH | [0-9]*/[0-9]*) ;;
	v[0-9]*) rev=${w#v} ;;
	*) prefixes+=("$w") ;;
	esac
done
rev=${rev_opt:-$rev}
if [ "$rev" -gt 1 ] && ! grep -q -i -E "^Changes (since v$((rev - 1))|in v$rev)" "$cover"; then
	die "${cover#"$ROOT"/} has no changelog for v$rev: add a 'Changes since v$((rev - 1))' section"
fi
recips=$sdir/recipients.txt
[ -r "$recips" ] || recips=$ROOT/patches/$series/recipients.txt
[ -r "$recips" ] || die "no recipients list for $series (patches/$series/recipients.txt: To:/Cc: lines beyond get_maintainer.pl)"
bad=$(grep -v -E '^(#.*|)$|^(To|Cc): [^<>]*<?[^<>@[:space:]]+@[^<>@[:space:]]+>?$' "$recips" | head -n1 || true)
[ -z "$bad" ] || die "${recips#"$ROOT"/}: not a 'To: Name <addr>' / 'Cc: Name <addr>' / '# comment' line: $bad"
cid_file=$ROOT/patches/$series/b4-change-id
change_id=
if [ -r "$cid_file" ]; then
	change_id=$(head -n1 "$cid_file")
	[[ "$change_id" =~ ^[0-9]{8}-[a-z0-9_-]+-[0-9a-f]{12}$ ]] || die "${cid_file#"$ROOT"/}: '$change_id' is not a b4 change-id (YYYYMMDD-name-12hex)"
fi

# The base: base-commit: only for a commit that exists upstream. A Debian
# tarball unpacked and committed here (the default) is no such commit.
load_pin
if [ -n "${KSRC:-}" ]; then
	khead=$(git -C "$KSRC" rev-parse -q --verify 'HEAD^{commit}' 2>/dev/null) || die "KSRC=$KSRC is not a git tree with a commit"
	if ! git -C "$KSRC" rev-parse -q --verify "$khead^" >/dev/null ||
		[ "$(git -C "$KSRC" log -1 --format=%ce "$khead")" = "$PROJECT_IDENT_EMAIL" ]; then
		die "KSRC=$KSRC: HEAD $khead is a root commit or one of this project's, not an upstream commit: its base-commit: would resolve nowhere. Export from an upstream clone (e.g. stable/linux.git at tag v$BASE_KERNEL_VERSION) or without KSRC (the posting then says it is based on the Debian tree)"
	fi
	base_desc=$(git -C "$KSRC" describe --tags --exact-match "$khead" 2>/dev/null ||
		git -C "$KSRC" log -1 --format='%h ("%s")' "$khead")
	base_line="base-commit: $khead"
else
	base_desc="v$BASE_KERNEL_VERSION as Debian ships it ($BASE_PACKAGE $BASE_PACKAGE_VERSION)"
	base_line="Based on $base_desc, which is not an upstream commit: no base-commit."
fi

# The published results of BASE that the placeholders take their numbers
# from: the JSON summaries that make publish puts next to the reports.
ab_json=$ROOT/docs/$(docs_name ab-results.json) sp_json=$ROOT/docs/$(docs_name skip-policy.json)
kvm_json=$ROOT/docs/$(docs_name kvm-results.json)
for ph in "@AB_COUNTS@ $ab_json make ab" "@SKIP_POLICY@ $sp_json make skip-policy" "@KVM_COUNTS@ $kvm_json make kvm"; do
	read -r tag file job <<<"$ph"
	! grep -q "$tag" "$cover" 2>/dev/null || [ -r "$file" ] ||
		die "${cover#"$ROOT"/} quotes $tag from ${file#"$ROOT"/}, which base $BASE has not published yet (run: $job BASE=$BASE, then make publish BASE=$BASE)"
done
mapfile -t patches < <(find "$sdir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' 2>/dev/null | LC_ALL=C sort)
[ "${#patches[@]}" -gt 0 ] || die "${sdir#"$ROOT"/} has no patches"

work=$("$ROOT/scripts/base-tree.sh")
src=$work/src
wt=$(work_dir)/export-$series
dest=$BUILD/export/$series
tmp=$(mktemp -d)
cleanup() {
	git -C "$src" worktree remove --force "$wt" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
cleanup
mkdir -p "$tmp"

# The patches as the submitter sends them: From: and Signed-off-by: are
# theirs, after the Co-developed-by/Signed-off-by pair of each co-developer.
codev_lines=
for c in "${codevs[@]}"; do
	codev_lines+="${codev_lines:+$'\n'}Co-developed-by: $c"$'\n'"Signed-off-by: $c"
done
# A name that is not ASCII goes into the From: header RFC 2047-encoded,
# as git format-patch writes it.
from_name=$(python3 -c 'import sys, email.header as h; n = sys.argv[1]; print(n if n.isascii() else h.Header(n, "utf-8").encode())' "$name")
for p in "${patches[@]}"; do
	EXPORT_OLD_FROM="From: $PROJECT_IDENT_NAME <$PROJECT_IDENT_EMAIL>" EXPORT_NEW_FROM="From: $from_name <$email>" \
		EXPORT_OLD_SOB="Signed-off-by: $PROJECT_IDENT_NAME <$PROJECT_IDENT_EMAIL>" \
		EXPORT_NEW_SOB="Signed-off-by: $name <$email>" EXPORT_CODEV="$codev_lines" awk '
		hdr && $0 == "" { hdr = 0 }
		hdr && $0 == ENVIRON["EXPORT_OLD_FROM"] { print ENVIRON["EXPORT_NEW_FROM"]; next }
		$0 == ENVIRON["EXPORT_OLD_SOB"] {
			if (ENVIRON["EXPORT_CODEV"] != "") print ENVIRON["EXPORT_CODEV"]
			print ENVIRON["EXPORT_NEW_SOB"]; next
		}
		{ print }' hdr=1 "$p" >"$tmp/${p##*/}"
done
# The cover letter: subject and body, the placeholders filled by the code
# below from docs/ (it fills "*** SUBJECT HERE ***" and "*** BLURB HERE ***").
printf '*** SUBJECT HERE ***\n\n*** BLURB HERE ***\n' >"$tmp/cover"
if [ -r "$cover" ]; then
	# Subject, body and the numbers of @AB_COUNTS@ / @SKIP_POLICY@ / @KVM_COUNTS@ (scripts/report/cover.py).
	report cover "$tmp/cover" "$cover" "$ab_json" "$sp_json" "$kvm_json"
fi
printf '%s\n' "$title" "" "$(sed '1,/^$/d' "$tmp/cover")" >"$tmp/cover.b4"

# b4's settings for this export only (GIT_CONFIG_*: nothing is written to
# any git config): your identity, the cover as the "editor" result, the
# recipients (To: from the list; Cc: the hand-picked ones, then every
# maintainer, reviewer and list get_maintainer.pl of the base tree names
# for any patch: the whole series goes to the union), the cover template
# with the base line, and an SMTP "server" that b4 send -o never runs
# (otherwise b4 would pick its web endpoint, which needs a patatt key).
cc_hand=$(sed -n 's/^Cc: *//p' "$recips" | paste -s -d, - | sed 's/,/, /g')
# shellcheck disable=SC2016 # ${...} are b4's template fields
{
	printf '%s\n\n---\n%s\n\n%s\n---\n%s\n' '${cover}' '${shortlog}' '${diffstat}' "$base_line"
	printf '%s\n\n%s\n%s\n%s\n' 'change-id: ${change_id}' 'Best regards,' '-- ' '${signature}'
} >"$tmp/template"
b4cfg=(user.name "$name" user.email "$email" core.editor "cp '$tmp/cover.b4'"
	b4.send-auto-to-cmd "sed -n 's/^To: *//p' '$recips'"
	b4.send-auto-cc-cmd "'$wt/scripts/get_maintainer.pl' --nogit --nogit-fallback --nogit-chief-penguins --norolestats"
	b4.send-series-cc "$cc_hand" b4.prep-cover-template "$tmp/template" sendemail.smtpserver /bin/false)
export GIT_CONFIG_COUNT=$((${#b4cfg[@]} / 2))
for ((i = 0; i < ${#b4cfg[@]}; i += 2)); do
	export "GIT_CONFIG_KEY_$((i / 2))=${b4cfg[i]}" "GIT_CONFIG_VALUE_$((i / 2))=${b4cfg[i + 1]}"
done
b4run() {
	echo "+ b4 $*" >>"$tmp/b4.log"
	(cd "$wt" && b4 "$@") >>"$tmp/b4.log" 2>&1 || {
		tail -n 20 "$tmp/b4.log" >&2
		die "b4 $* failed in ${wt#"$ROOT"/} (b4's output above)"
	}
}
# b4's branch, in a worktree of the base tree that checks out only what b4
# and get_maintainer.pl read (top-level files, scripts/, one file of each
# directory get_maintainer.pl looks for) and the files the series touches:
# a full checkout of a kernel tree costs minutes of I/O on a busy machine.
git -C "$src" branch -q -D "b4/$series" "export-base/$series" >/dev/null 2>&1 || true
sparse=('/*' '!/*/' '/scripts/')
for d in Documentation arch include drivers fs init ipc kernel lib; do
	sparse+=("/$(git -C "$src" ls-tree refs/tags/base "$d/" | awk '$2 == "blob" && !n++ { print $4 }')")
done
while IFS= read -r f; do sparse+=("/$f"); done < <(sed -n 's|^diff --git a/.* b/||p' "${patches[@]}" | LC_ALL=C sort -u)
git -C "$src" worktree add -q -f --no-checkout -b "export-base/$series" "$wt" refs/tags/base
git -C "$wt" sparse-checkout set --no-cone "${sparse[@]}"
git -C "$wt" reset -q --hard refs/tags/base
b4run prep -n "$series" -f refs/tags/base
if [ -n "$change_id" ]; then
	# b4 0.12 cannot be told a change-id; a series keeps one across its
	# revisions (b4 trailers and lore lookups match on it): set it in the
	# tracking data of the cover commit that b4 prep -n just made.
	git -C "$wt" log -1 --format=%B | sed "s/^\(  *\"change-id\": \)\".*\"/\1\"$change_id\"/" |
		git -C "$wt" commit -q --amend --allow-empty -F -
fi
git -C "$wt" am -q "${patches[@]/#"$sdir"/"$tmp"}" >>"$tmp/b4.log" 2>&1 ||
	die "${sdir#"$ROOT"/} does not apply (run: scripts/arm.sh $series)"
[ "$rev" = 1 ] || b4run prep --force-revision "$rev"
[ "${#prefixes[@]}" = 0 ] || b4run prep --set-prefixes "${prefixes[@]}"
b4run prep --edit-cover
b4run prep --auto-to-cc
b4run prep --show-info
got_cid=$(sed -n 's/^change-id: //p' "$tmp/b4.log" | tail -n1)
[ -z "$change_id" ] || [ "$got_cid" = "$change_id" ] || die "b4 shows change-id '$got_cid', not $change_id"

rm -rf "$dest" "$BUILD/export/$series".v*.range-diff
mkdir -p "$BUILD/export"
b4run send -o "$dest" --no-sign
# b4 writes "[PATCH RFC v2 1/6]"; mm (and submitting-patches.rst) write
# "[RFC PATCH v2 1/6]".
sed -i -E '0,/^Subject: /s/^Subject: \[PATCH RFC([] ])/Subject: [RFC PATCH\1/' "$dest"/*.eml
mapfile -t mails < <(find "$dest" -name '*.eml' | LC_ALL=C sort)
want=$((${#patches[@]} + (${#patches[@]} > 1 ? 1 : 0)))
[ "${#mails[@]}" = "$want" ] || die "b4 wrote ${#mails[@]} mails to ${dest#"$ROOT"/}, expected $want"
for m in "${mails[@]}"; do
	grep -q '^To: ' "$m" || die "${m#"$ROOT"/} has no To:"
	! grep -q '^Subject: \[PATCH RFC' "$m" || die "${m#"$ROOT"/}: subject still '[PATCH RFC'"
done
if grep -rq "$PROJECT_IDENT_EMAIL" "$dest"; then
	die "the project identity is still in $dest: $(grep -rl "$PROJECT_IDENT_EMAIL" "$dest" | head -n 3)"
fi
# Never a base-commit: that resolves nowhere: none on the Debian base, on
# KSRC exactly its upstream HEAD.
bc=$(grep -h '^base-commit:' "${mails[@]}" | sort -u || true)
if [ -n "${KSRC:-}" ]; then
	[ "$bc" = "$base_line" ] || die "the mails say '${bc:-no base-commit}', expected '$base_line'"
elif [ -n "$bc" ]; then
	rm -rf "$dest"
	die "b4 wrote '$bc', the commit of a tarball unpacked here, which no one else can resolve; removed ${dest#"$ROOT"/}"
fi

# The range-diff to the previous revision, when another base carries it
# (v1 of pin-aware on 6.12) and its tree is there: git range-diff in a
# scratch repository that borrows both trees' objects; v1's commits are
# made there from its patches without a checkout.
prev=
for b in $BASES_ALL; do
	pcover=$(BASE=$b series_dir "$series")/cover-letter.txt
	if [ "$b" = "$BASE" ] || [ ! -r "$pcover" ]; then continue; fi
	prev_rev=$(head -n1 "$pcover" | sed -n 's/^Subject: \[[^]]* v\([0-9][0-9]*\)[] ].*/\1/p')
	[ "${prev_rev:-1}" != "$((rev - 1))" ] || prev=$b
done
rd=
if [ -n "$prev" ]; then
	psrc=$(KSRC='' BASE=$prev work_dir)/src
	if [ -d "$psrc/.git" ] && git -C "$psrc" rev-parse -q --verify refs/tags/base >/dev/null; then
		mapfile -t ppatches < <(find "$(BASE=$prev series_dir "$series")" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' | LC_ALL=C sort)
		objdir() { echo "$(git -C "$1" rev-parse --path-format=absolute --git-common-dir)/objects"; }
		git init -q --bare "$tmp/rd.git"
		printf '%s\n' "$(objdir "$src")" "$(objdir "$psrc")" >"$tmp/rd.git/objects/info/alternates"
		rd=$BUILD/export/$series.v$((rev - 1))-v$rev.range-diff
		pbase=$(git -C "$psrc" rev-parse refs/tags/base)
		start=$(git -C "$wt" log --grep='b4-submit-tracking' -F --format=%H -1)
		end=$(git -C "$wt" rev-parse HEAD)
		(
			export GIT_DIR=$tmp/rd.git GIT_INDEX_FILE=$tmp/rd.index
			export GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$email" GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL="$email"
			git read-tree "$pbase"
			parent=$pbase
			for p in "${ppatches[@]}"; do
				git mailinfo "$tmp/msg" "$tmp/diff" <"$p" >"$tmp/info"
				git apply --cached "$tmp/diff"
				{ sed -n 's/^Subject: //p' "$tmp/info"; echo; cat "$tmp/msg"; } >"$tmp/m"
				parent=$(git commit-tree "$(git write-tree)" -p "$parent" -F "$tmp/m")
			done
			git range-diff --no-color "$pbase..$parent" "$start..$end"
		) >"$rd.tmp" 2>"$tmp/rd.err" || { cat "$tmp/rd.err" >&2; die "range-diff of v$((rev - 1)) ($prev) and v$rev failed"; }
		mv "$rd.tmp" "$rd"
	else
		echo "note: no range-diff to v$((rev - 1)) (base $prev): its tree is not there (run: BASE=$prev make base)" >&2
	fi
fi

step "exported ${#patches[@]} patches of $series (v$rev, $base_desc) signed by $name <$email>, b4 branch b4/$series in ${src#"$ROOT"/}, to ${dest#"$ROOT"/}"
ls "$dest"
[ -z "$rd" ] || echo "range-diff to v$((rev - 1)) (patches/$series on $prev): ${rd#"$ROOT"/}"
echo "send with: git send-email ${dest#"$ROOT"/}/*.eml"
