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
# The published results of BASE that the placeholders take their numbers from.
ab_md=$ROOT/docs/$(docs_name ab-results.md) sp_md=$ROOT/docs/$(docs_name skip-policy.md)
for ph in "@AB_COUNTS@ $ab_md make ab" "@SKIP_POLICY@ $sp_md make skip-policy"; do
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
	python3 - "$dest"/0000-cover-letter.patch "$cover" "$ab_md" "$sp_md" <<'PY'
import re, sys
path, cover = sys.argv[1], open(sys.argv[2]).read().split("\n", 1)
subject = cover[0].split("] ", 1)[-1].strip()
body = cover[1].strip("\n") if len(cover) > 1 else ""
if "@AB_COUNTS@" in body:
    # The key rows of the generated counts table, as plain text.
    md = open(sys.argv[3]).read()
    sec = md.split("### Counts per reclaim pass", 1)[1].split("\n### ", 1)[0]
    gen = re.search(r"on (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", md)
    # The swap-cache setup row too: with zram it can be 0, and the reader
    # must see that such a "swap cache" type measured private anon.
    keep = ("pages in swap cache (setup)", "pinned-range invalidations, total", "declined by the subscriber",
            "pinned pages skipped", "pinned pages set aside", "pages re-pinned", "pages scanned, total", "pgactivate",
            "pgrotate_anon+file", "young calls on pinned pages, total",
            "thp_split_pmd")
    rows = []
    for line in sec.splitlines():
        if not line.startswith("| ") or line.startswith("| metric"):
            continue
        cells = [c.strip().replace("**", "") for c in line.strip("|").split("|")]
        if cells[1:] == ["", "", ""]:
            rows.append([cells[0] + ":", "", "", ""])
        elif cells[0].startswith(keep):
            rows.append(["  " + cells[0]] + [c.split(" (")[0] for c in cells[1:]])
    rows.insert(0, ["", "base", "mayfail", "pin-aware"])
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    table = "\n".join((r[0].ljust(w[0]) + "".join("  " + r[i].rjust(w[i]) for i in range(1, 4))).rstrip()
                      for r in rows)
    when = gen.group(1) if gen else "unknown date"
    body = body.replace("@AB_COUNTS@", "From `make ab` of %s:\n\n%s" % (when, table))
if "@SKIP_POLICY@" in body:
    # Pinned folios met (skips) and pages scanned, per policy, from the
    # published skip-policy results (docs/skip-policy*.md).
    md = open(sys.argv[4]).read()
    gen = re.search(r"on (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", md)
    cols = [("0 activate", "activate"), ("0 activate (again)", "again"),
            ("1 keep", "keep"), ("2 swapbacked+activate", "sb+act")]
    if "2 swapbacked+activate" not in md:
        cols[3] = ("4 no-early-check", "no-early")
    out = []
    for sec in md.split("\n## ")[1:]:
        title, rest = sec.split("\n", 1)
        if not title.startswith("Request"):
            continue
        cells, skip_i, scan_i = {}, 2, 3
        for line in rest.splitlines():
            c = [x.strip() for x in line.strip("|").split("|")]
            if c[:2] == ["backing", "policy"]:
                skip_i = next(i for i, h in enumerate(c) if h in ("skips", "pinned met"))
                scan_i = c.index("scanned")
            elif len(c) > scan_i and c[skip_i].isdigit():
                cells[(c[0], c[1])] = "%s/%s" % (c[skip_i], c[scan_i])
        backings = list(dict.fromkeys(b for b, _ in cells))
        rows = [["ask " + ("R/2" if "R/2" in title else "R")] + [h for _, h in cols]]
        rows += [["  " + b] + [cells.get((b, k), "-") for k, _ in cols] for b in backings]
        w = [max(len(r[i]) for r in rows) for i in range(len(cols) + 1)]
        out.append("\n".join((r[0].ljust(w[0]) + "".join("  " + r[i].rjust(w[i]) for i in range(1, len(cols) + 1))).rstrip()
                              for r in rows))
    when = gen.group(1) if gen else "unknown date"
    body = body.replace("@SKIP_POLICY@", "From `make skip-policy` of %s (skips/scanned, pages):\n\n%s"
                        % (when, "\n\n".join(out)))
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject).replace("*** BLURB HERE ***", body)
open(path, "w").write(text)
PY
fi
if grep -rq "$PROJECT_IDENT_EMAIL" "$dest"; then
	die "the project identity is still in $dest: $(grep -rl "$PROJECT_IDENT_EMAIL" "$dest" | head -n 3)"
fi
step "exported ${#patches[@]} patches of $series, signed by $name <$email>, to ${dest#"$ROOT"/}"
ls "$dest"
