#!/usr/bin/env bash
# base-tree.sh: make the git tree every arm is built from.
#
# Default: the pinned Debian tarball of BASE (patches/bases/BASE.pin; BASE
# defaults to 6.12), fetched and checked by sha256 by fetch-base.sh, then
# committed with fixed metadata so that every machine gets the same base
# commit id. KSRC=/path/to/linux uses a user's git tree instead; that tree
# is only read (cloned with --shared), never modified.
#
# Prints the work directory on stdout.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

from_tarball() {
	local work=$1 src=$1/src tarball
	load_pin
	if [ -e "$src/.git" ] && git -C "$src" rev-parse -q --verify refs/tags/base >/dev/null; then
		return 0
	fi
	tarball=$("$ROOT/scripts/fetch-base.sh")
	mkdir -p "$work"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	step "base: extracting $tarball"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	check_version "$src.tmp" "$BASE_KERNEL_VERSION"
	step "base: committing the tree (git add -f: Debian's .gitignore ignores /*)"
	(
		cd "$src.tmp" || exit 1
		git init -q -b upstream
		git add -f -A .
		export GIT_AUTHOR_NAME="$PROJECT_IDENT_NAME" GIT_AUTHOR_EMAIL="$PROJECT_IDENT_EMAIL"
		export GIT_COMMITTER_NAME="$PROJECT_IDENT_NAME" GIT_COMMITTER_EMAIL="$PROJECT_IDENT_EMAIL"
		export GIT_AUTHOR_DATE="$BASE_COMMIT_DATE" GIT_COMMITTER_DATE="$BASE_COMMIT_DATE"
		git -c commit.gpgsign=false commit -q --no-verify \
			-m "Linux $BASE_KERNEL_VERSION ($BASE_PACKAGE $BASE_PACKAGE_VERSION)" \
			-m "Unpacked from $(basename "$BASE_TARBALL"), sha256 $BASE_SHA256."
		git tag base
	)
	rm -rf "$src"
	mv "$src.tmp" "$src"
	# Worktrees record absolute paths; a moved tree would confuse them.
	git -C "$src" worktree prune
}

from_ksrc() {
	local work=$1 src=$1/src
	[ -d "$KSRC" ] || die "KSRC=$KSRC does not exist"
	git -C "$KSRC" rev-parse --git-dir >/dev/null 2>&1 || die "KSRC=$KSRC is not a git tree"
	if [ -n "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ]; then
		die "KSRC=$KSRC has local changes; commit or stash them first (this tool never modifies your tree):
$(git -C "$KSRC" status --short --untracked-files=no | head -n 10)"
	fi
	check_version "$KSRC" "${KSRC_VERSION:-$BASE}"
	if [ -e "$src/.git" ] && git -C "$src" rev-parse -q --verify refs/tags/base >/dev/null; then
		return 0
	fi
	step "base: cloning $KSRC (shared objects, read-only use)"
	mkdir -p "$work"
	rm -rf "$src"
	# --no-tags, tag -f: the user's tree may have a tag "base" of its own;
	# ours lives only in this clone.
	git clone -q --shared --no-checkout --no-tags "$KSRC" "$src"
	git -C "$src" checkout -q -b upstream "$(git -C "$KSRC" rev-parse HEAD)"
	git -C "$src" tag -f base >/dev/null
}

# check_version DIR WANT: WANT is x.y or x.y.z; compare with DIR/Makefile.
check_version() {
	local dir=$1 want=$2 v p s have
	[ -r "$dir/Makefile" ] || die "$dir has no top-level Makefile; not a kernel tree"
	v=$(sed -n 's/^VERSION = //p' "$dir/Makefile" | head -n1)
	p=$(sed -n 's/^PATCHLEVEL = //p' "$dir/Makefile" | head -n1)
	s=$(sed -n 's/^SUBLEVEL = //p' "$dir/Makefile" | head -n1)
	have="$v.$p.$s"
	case "$have." in
	"$want".*) ;;
	*) die "wrong base version: $dir is Linux $have, expected $want (set KSRC_VERSION=$v.$p to accept it; the series may not apply)" ;;
	esac
}

main() {
	local work
	work=$(work_dir)
	if [ -n "${KSRC:-}" ]; then
		from_ksrc "$work"
	else
		from_tarball "$work"
	fi
	echo "$work"
}

main "$@"
