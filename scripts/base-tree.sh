#!/usr/bin/env bash
# base-tree.sh: make the git tree every arm is built from.
#
# Default: the pinned Debian linux-source-6.12 tarball (patches/base.pin),
# checked by sha256 and committed with fixed metadata so that every machine
# gets the same base commit id. KSRC=/path/to/linux uses a user's git tree
# instead; that tree is only read (cloned with --shared), never modified.
#
# Prints the work directory on stdout.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

from_tarball() {
	local work=$1 src=$1/src
	load_pin
	if [ -e "$src/.git" ] && git -C "$src" rev-parse -q --verify refs/tags/base >/dev/null; then
		return 0
	fi
	if [ ! -r "$BASE_TARBALL" ]; then
		if [ "$(id -u)" = 0 ] && [ -z "${NO_INSTALL:-}" ]; then
			step "base: installing $BASE_PACKAGE=$BASE_PACKAGE_VERSION"
			apt_install "$BASE_PACKAGE=$BASE_PACKAGE_VERSION"
		else
			die "base tarball $BASE_TARBALL is missing (run: apt-get install $BASE_PACKAGE=$BASE_PACKAGE_VERSION)"
		fi
	fi
	step "base: checking sha256 of $BASE_TARBALL"
	local sum
	sum=$(sha256sum "$BASE_TARBALL" | cut -d' ' -f1)
	if [ "$sum" != "$BASE_SHA256" ]; then
		die "base tarball $BASE_TARBALL has sha256 $sum, the pin (patches/base.pin) says $BASE_SHA256.
       Installed package: $(dpkg-query -W -f='${Version}' "$BASE_PACKAGE" 2>/dev/null || echo none); pinned: $BASE_PACKAGE_VERSION.
       Run: apt-get install $BASE_PACKAGE=$BASE_PACKAGE_VERSION"
	fi
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	step "base: extracting $BASE_TARBALL"
	tar -xJf "$BASE_TARBALL" -C "$src.tmp" --strip-components=1
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
	check_version "$KSRC" "${KSRC_VERSION:-6.12}"
	if [ -e "$src/.git" ] && git -C "$src" rev-parse -q --verify refs/tags/base >/dev/null; then
		return 0
	fi
	step "base: cloning $KSRC (shared objects, read-only use)"
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
	mkdir -p "$work"
	if [ -n "${KSRC:-}" ]; then
		from_ksrc "$work"
	else
		from_tarball "$work"
	fi
	echo "$work"
}

main "$@"
