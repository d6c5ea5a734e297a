#!/usr/bin/env bash
# selftest-patch.sh: carry selftests/mm/pin_reclaim.c, byte for byte, into a
# kernel tree as the upstream selftest patch.
#
#   selftest-patch.sh WORKTREE [-o OUTDIR] [-n START]
#       add tools/testing/selftests/mm/pin_reclaim.c plus its Makefile,
#       .gitignore and run_vmtests.sh lines to the kernel git worktree
#       WORKTREE and commit them with the project identity; with -o, also
#       write the commit as a format-patch file (number START, default 1)
#       into OUTDIR and print its path.
#   selftest-patch.sh --check PATCHFILE
#       verify that PATCHFILE adds exactly the current
#       selftests/mm/pin_reclaim.c and the three hooks (for make check).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SRC_REL=selftests/mm/pin_reclaim.c
DST_REL=tools/testing/selftests/mm/pin_reclaim.c
MM_REL=tools/testing/selftests/mm

usage() {
	die "usage: selftest-patch.sh WORKTREE [-o OUTDIR] [-n START] | --check PATCHFILE"
}

# extract_new_file PATCHFILE PATH: print the content a patch gives a new file.
extract_new_file() {
	awk -v path="$2" '
		BEGIN { want = "diff --git a/" path " b/" path }
		/^diff --git / { infile = ($0 == want); inhunk = 0; next }
		!infile { next }
		/^@@ / { inhunk = 1; next }
		inhunk && /^\+/ { if (have) printf "\n"; printf "%s", substr($0, 2); have = 1; next }
		inhunk && /^\\ No newline/ { nonl = 1; next }
		inhunk && /^-- $/ { exit }
		END { if (have && !nonl) printf "\n" }
	' "$1"
}

check_patch() {
	local patch=$1 src=$ROOT/$SRC_REL tmp rc=0
	[ -r "$patch" ] || die "no patch file $patch"
	[ -r "$src" ] || die "no $src"
	grep -q "^diff --git a/$DST_REL b/$DST_REL\$" "$patch" ||
		die "$patch does not add $DST_REL"
	grep -q '^new file mode' "$patch" || die "$patch creates no new file"
	tmp=$(mktemp)
	extract_new_file "$patch" "$DST_REL" >"$tmp"
	if ! cmp -s "$tmp" "$src"; then
		echo "FAIL: $(basename "$patch") carries a different $DST_REL than $SRC_REL:" >&2
		diff -u "$tmp" "$src" | head -n 40 >&2 || true
		rc=1
	fi
	rm -f "$tmp"
	local hook
	for hook in "^+TEST_GEN_FILES += pin_reclaim\$" \
		"^+\\\$(OUTPUT)/pin_reclaim: LDLIBS += \\\$(IOURING_EXTRA_LIBS)\$" \
		"^+pin_reclaim\$" \
		"^+CATEGORY=\"gup_test\" run_test ./pin_reclaim\$"; do
		if ! grep -q -- "$hook" "$patch"; then
			echo "FAIL: $(basename "$patch") lacks a line matching '$hook'" >&2
			rc=1
		fi
	done
	[ "$rc" = 0 ] || exit 1
	echo "ok: $(basename "$patch") carries the current $SRC_REL"
}

# insert_after FILE ANCHOR LINE: add LINE after the line equal to ANCHOR.
insert_after() {
	local file=$1 anchor=$2 line=$3
	grep -qxF -- "$anchor" "$file" || die "$file: no line '$anchor' to hook into"
	# Rewrite in place (cat >), so the file keeps its mode (run_vmtests.sh
	# is executable).
	awk -v a="$anchor" -v l="$line" '{ print } $0 == a && !done { print l; done = 1 }' \
		"$file" >"$file.tmp"
	cat "$file.tmp" >"$file"
	rm -f "$file.tmp"
}

apply_patch() {
	local wt=$1 outdir=$2 start=$3
	[ -d "$wt" ] || die "no worktree $wt"
	wt=$(cd "$wt" && pwd)
	git -C "$wt" rev-parse --git-dir >/dev/null 2>&1 || die "$wt is not a git tree"
	[ -d "$wt/$MM_REL" ] || die "$wt has no $MM_REL"
	[ ! -e "$wt/$DST_REL" ] || die "$wt already has $DST_REL"
	if [ -n "$(git -C "$wt" status --porcelain --untracked-files=no -- "$MM_REL")" ]; then
		die "$wt has local changes in $MM_REL"
	fi

	cp "$ROOT/$SRC_REL" "$wt/$DST_REL"
	insert_after "$wt/$MM_REL/Makefile" 'TEST_GEN_FILES += pagemap_ioctl' \
		'TEST_GEN_FILES += pin_reclaim'
	# shellcheck disable=SC2016 # make variables, not shell ones
	insert_after "$wt/$MM_REL/Makefile" '$(OUTPUT)/gup_longterm: LDLIBS += $(IOURING_EXTRA_LIBS)' \
		'$(OUTPUT)/pin_reclaim: LDLIBS += $(IOURING_EXTRA_LIBS)'
	echo pin_reclaim >>"$wt/$MM_REL/.gitignore"
	insert_after "$wt/$MM_REL/run_vmtests.sh" 'CATEGORY="gup_test" run_test ./gup_longterm' \
		'CATEGORY="gup_test" run_test ./pin_reclaim'

	# -f: a Debian source tree's .gitignore ignores everything.
	git -C "$wt" add -f -- "$DST_REL" "$MM_REL/Makefile" "$MM_REL/.gitignore" "$MM_REL/run_vmtests.sh"
	git -C "$wt" -c user.name="$PROJECT_IDENT_NAME" -c user.email="$PROJECT_IDENT_EMAIL" \
		-c commit.gpgsign=false commit -q -s -F - <<'EOF'
selftests/mm: add pin_reclaim test for reclaim of DMA-pinned folios

Reclaim cannot free a folio that holds a FOLL_PIN pin, but it used to
unmap many of them anyway: pinned shmem/memfd/tmpfs pages, anon pages
already in the swapcache, MADV_FREE pages and PMD-mapped THPs all reach
try_to_unmap(), which fires the mmu notifiers of the range before the
pin is noticed.  A secondary MMU then throws away a valid mapping of
memory that does not move.

Add a test that pins part of a mapping (gup_test PIN_LONGTERM_TEST_START
with FOLL_WRITE, io_uring fixed buffers when liburing is available, and
plain FOLL_GET references held by a pipe for comparison), lets a
test_hmm dmirror mirror it, triggers reclaim (MADV_PAGEOUT,
memory.reclaim, memory.max) and checks:

 - no mirror invalidation and no PTE change for pinned folios, and
   pgunmap_pinned_skip in /proc/vmstat counting the skipped pages;
 - plain FOLL_GET references are reclaimed as before;
 - the unpinned part of the same mapping is still reclaimed;
 - an unpinned page mapped 1100 times, whose refcount exceeds
   GUP_PIN_COUNTING_BIAS, stays reclaimable;
 - direct reclaim from a pin loop in a memcg at its limit does not unmap
   the pages that loop already pinned;
 - the content of every page, through the CPU and through the pin.

The expected behaviour of kernels with and without pin-aware reclaim is
a table in the test (PIN_RECLAIM_ARM=base|mayfail|pin-aware selects the
kernel; the default, pin-aware, is what this tree implements).  Missing
gup_test, test_hmm, swap or cgroup v2 make the tests skip.
EOF
	git -C "$wt" log -1 --format='%H %s'
	if [ -n "$outdir" ]; then
		mkdir -p "$outdir"
		git -C "$wt" format-patch -1 --zero-commit --no-signature \
			--start-number "$start" -o "$(cd "$outdir" && pwd)" HEAD
	fi
}

main() {
	[ $# -ge 1 ] || usage
	if [ "$1" = --check ]; then
		[ $# -eq 2 ] || usage
		check_patch "$2"
		return
	fi
	local wt=$1 outdir='' start=1
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		-o) [ $# -ge 2 ] || usage; outdir=$2; shift 2 ;;
		-n) [ $# -ge 2 ] || usage; start=$2; shift 2 ;;
		*) usage ;;
		esac
	done
	apply_patch "$wt" "$outdir" "$start"
}

main "$@"
