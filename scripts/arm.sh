#!/usr/bin/env bash
# arm.sh ARM[+OVERLAY]: make (or refresh) the worktree of one arm at a
# stable path: the base plus `git am` of patches/ARM/*.patch, then of
# patches/OVERLAY/*.patch for an overlay arm, authorship kept. Those are
# the series of the default base; for another base (BASE=6.12) they are
# patches/ARM/BASE/*.patch and patches/OVERLAY/BASE/*.patch. A series with
# no patch for BASE is an error (that base has no such series yet).
# A series that does not apply stops with the patch name and the rejected
# hunks; the worktree is then reset to the base. Prints the worktree path.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

arm=${1:-}
[ -n "$arm" ] || die "usage: arm.sh ARM (one of: $ARMS_ALL)"
check_arm "$arm"

base_arm=${arm%%+*}
series_dir=${SERIES_DIR:-$(series_dir "$base_arm")}
overlay_dir=
[ "$base_arm" = "$arm" ] || overlay_dir=$(series_dir "${arm#*+}")

# The series is every *.patch of patches/ARM in name order, then those of
# the overlay. Each must have patches for BASE (checked before anything is
# made): an empty series would make an arm that is the base by another name.
patches=() dirs=()
[ "$base_arm" = base ] || dirs+=("$series_dir")
[ -z "$overlay_dir" ] || dirs+=("$overlay_dir")
for d in "${dirs[@]}"; do
	name=$base_arm
	[ "$d" = "$series_dir" ] || name=${arm#*+}
	compgen -G "$d/[0-9][0-9][0-9][0-9]-*.patch" >/dev/null ||
		die "no $name series for base $BASE yet (no patches in ${d#"$ROOT"/}/)"
done

work=$("$ROOT/scripts/base-tree.sh")
src=$work/src
wt=$work/arms/$arm
stamp=$work/arms/.$arm.series

for d in "${dirs[@]}"; do
	[ -d "$d" ] || continue
	while IFS= read -r p; do patches+=("$p"); done < <(find "$d" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' | LC_ALL=C sort)
done
want=$({
	git -C "$src" rev-parse refs/tags/base
	for p in "${patches[@]}"; do sha256sum <"$p"; done
} | sha256sum | cut -d' ' -f1)

# No automatic gc in the workbench's tree: git am's detached `gc --auto`
# would inherit build.sh's lock descriptor and hold the lock after the build.
git -C "$src" config gc.auto 0
if [ ! -e "$wt/.git" ]; then
	step "$arm: creating worktree $wt"
	git -C "$src" worktree prune
	git -C "$src" worktree add -q -f -B "arm/$arm" "$wt" refs/tags/base
	rm -f "$stamp"
fi

head=$(git -C "$wt" rev-parse HEAD)
if [ -r "$stamp" ] && [ "$(cat "$stamp")" = "$want $head" ] &&
	[ -z "$(git -C "$wt" status --porcelain --untracked-files=no)" ]; then
	echo "$wt"
	exit 0
fi

from=$(for d in "${dirs[@]}"; do printf '%s ' "${d#"$ROOT"/}"; done)
step "$arm: applying ${#patches[@]} patch(es)${from:+ from ${from% }}"
# git am wants an identity for every subcommand, even --show-current-patch
# (a fresh machine has none): the project's.
am=(git -C "$wt" -c user.name="$PROJECT_IDENT_NAME" -c user.email="$PROJECT_IDENT_EMAIL" am)
"${am[@]}" --abort >/dev/null 2>&1 || true
# reset --hard rewrites only files that differ, so kbuild stays incremental.
git -C "$wt" reset -q --hard refs/tags/base
if [ "${#patches[@]}" -gt 0 ]; then
	if ! "${am[@]}" -q --committer-date-is-author-date "${patches[@]}" >"$work/arms/.$arm.am.log" 2>&1; then
		cur=$("${am[@]}" --show-current-patch=raw 2>/dev/null | sed -n 's/^Subject: //p' | head -n1 || true)
		n=$(cat "$(git -C "$wt" rev-parse --git-path rebase-apply/next)" 2>/dev/null || echo 1)
		echo "---- $arm: patch $n of ${#patches[@]} does not apply: ${patches[$((n - 1))]##*/}" >&2
		echo "     Subject: $cur" >&2
		git -C "$wt" apply --reject "$(git -C "$wt" rev-parse --git-path rebase-apply/patch)" >/dev/null 2>&1 || true
		find "$wt" -name '*.rej' -not -path '*/.out-*' | while read -r rej; do
			echo "---- rejected hunk(s), ${rej#"$wt"/}:" >&2
			cat "$rej" >&2
		done
		"${am[@]}" --abort >/dev/null 2>&1 || true
		git -C "$wt" reset -q --hard refs/tags/base
		find "$wt" -name '*.rej' -not -path '*/.out-*' -delete
		find "$wt" -name '*.orig' -not -path '*/.out-*' -delete
		rm -f "$stamp"
		die "$arm: the series in ${series_dir#"$ROOT"/} does not apply to $(git -C "$src" log -1 --format=%s refs/tags/base) (git am log: $work/arms/.$arm.am.log)"
	fi
fi
echo "$want $(git -C "$wt" rev-parse HEAD)" >"$stamp"
echo "$wt"
