#!/usr/bin/env bash
# selftest-patch.sh: carry a selftest source, byte for byte, into a kernel
# tree as the upstream selftest patch (tools/testing/selftests/mm/pin_reclaim.c).
#
#   selftest-patch.sh WORKTREE [-s SRC] [-o OUTDIR] [-n START]
#       add SRC as tools/testing/selftests/mm/pin_reclaim.c plus its
#       Makefile, .gitignore and run_vmtests.sh lines to the kernel git
#       worktree WORKTREE and commit them with the project identity; with
#       -o, also write the commit as a format-patch file (number START,
#       default 1) into OUTDIR and print its path.
#   selftest-patch.sh --check PATCHFILE [-s SRC]
#       verify that PATCHFILE adds exactly the current SRC and its hooks
#       (for make check).
# SRC, relative to the repository, is one of
#   selftests/mm/pin_reclaim.c           v1 (6.12): the per-arm A/B test
#                                        (the default)
#   selftests/upstream/mm/pin_reclaim.c  v2 (7.3): the in-tree kselftest
# Each has its own commit message and hooks (v2 links no liburing, and a
# tree whose mm/.gitignore is a whitelist needs no line for the binary).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SRC_V1=selftests/mm/pin_reclaim.c
SRC_V2=selftests/upstream/mm/pin_reclaim.c
SRC_REL=$SRC_V1
DST_REL=tools/testing/selftests/mm/pin_reclaim.c
MM_REL=tools/testing/selftests/mm

usage() {
	die "usage: selftest-patch.sh WORKTREE [-s SRC] [-o OUTDIR] [-n START] | --check PATCHFILE [-s SRC]"
}

# set_src SRC: select the source and with it the hooks and commit message.
set_src() {
	case "$1" in
	"$SRC_V1" | "$SRC_V2") SRC_REL=$1 ;;
	*) die "unknown selftest source '$1' (known: $SRC_V1, $SRC_V2)" ;;
	esac
}

# hooks: one grep pattern a line for the lines the patch must add.
hooks() {
	echo "^+TEST_GEN_FILES += pin_reclaim\$"
	echo "^+CATEGORY=\"gup_test\" run_test ./pin_reclaim\$"
	[ "$SRC_REL" = "$SRC_V1" ] || return 0
	# shellcheck disable=SC2016 # make variables, not shell ones
	echo '^+\$(OUTPUT)/pin_reclaim: LDLIBS += \$(IOURING_EXTRA_LIBS)$'
	echo '^+pin_reclaim$'
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
	while IFS= read -r hook; do
		if ! grep -q -- "$hook" "$patch"; then
			echo "FAIL: $(basename "$patch") lacks a line matching '$hook'" >&2
			rc=1
		fi
	done < <(hooks)
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

# check_gitignore FILE: FILE, as the .gitignore of its directory alone (a
# Debian tree's top-level one ignores everything), ignores the binary
# pin_reclaim and not the source pin_reclaim.c.
check_gitignore() {
	local tmp rc=0
	tmp=$(mktemp -d)
	git init -q "$tmp"
	cp "$1" "$tmp/.gitignore"
	git -C "$tmp" check-ignore -q --no-index pin_reclaim || rc=1
	! git -C "$tmp" check-ignore -q --no-index pin_reclaim.c || rc=2
	rm -rf "$tmp"
	[ "$rc" != 1 ] || die "$1 does not ignore the pin_reclaim binary"
	[ "$rc" != 2 ] || die "$1 ignores pin_reclaim.c"
}

# The commit messages: v1's of the per-arm test, v2's of the in-tree one.
commit_msg_v1() {
	cat <<'EOF'
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
}

commit_msg_v2() {
	cat <<'EOF'
selftests/mm: add pin_reclaim test for reclaim of DMA-pinned folios

Reclaim now sets a mapped folio that looks DMA-pinned aside before it
ages, demotes or unmaps it, and reports the pages it set aside as
nr_pinned in the mm_vmscan_reclaim_pages and
mm_vmscan_lru_shrink_inactive tracepoints.  Nothing tests either: a
regression shows only as a secondary MMU (KVM, a VFIO user, i915
userptr) losing its mapping of memory that never moves.

Add a test that pins half of a mapping with gup_test's
PIN_LONGTERM_TEST_START, reclaims all of it with MADV_PAGEOUT and
checks, for shmem, memfd, anon in the swap cache, MADV_FREE anon and
PMD-mapped shmem and MADV_FREE THPs, that:

 - the pinned half stays mapped (pagemap), in the swap cache where it
   was (kpageflags) and PMD-mapped;
 - the unpinned half of the same mapping is reclaimed;
 - the data is intact, through the CPU and through the pin;
 - the tracepoints, filtered to the test's own process, count exactly
   the pinned pages as nr_pinned.

A FOLL_GET reference held by a pipe (vmsplice) is not a pin: such anon
and shmem pages are still reclaimed, and not counted.

The test skips on a kernel whose mm_vmscan_lru_shrink_inactive event has
no nr_pinned field and without gup_test, and single cases skip without
swap or THP.  NUMA balancing is off while it runs; it and the THP
settings are restored on exit.
EOF
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
	if [ "$SRC_REL" = "$SRC_V1" ]; then
		# shellcheck disable=SC2016 # make variables, not shell ones
		insert_after "$wt/$MM_REL/Makefile" '$(OUTPUT)/gup_longterm: LDLIBS += $(IOURING_EXTRA_LIBS)' \
			'$(OUTPUT)/pin_reclaim: LDLIBS += $(IOURING_EXTRA_LIBS)'
	fi
	# A whitelist .gitignore ("*", then "!*.c" ...) already ignores the
	# binary and keeps the source; a list of binaries gets one more line.
	if ! grep -qxF '*' "$wt/$MM_REL/.gitignore"; then
		echo pin_reclaim >>"$wt/$MM_REL/.gitignore"
	fi
	check_gitignore "$wt/$MM_REL/.gitignore"
	insert_after "$wt/$MM_REL/run_vmtests.sh" 'CATEGORY="gup_test" run_test ./gup_longterm' \
		'CATEGORY="gup_test" run_test ./pin_reclaim'

	# -f: a Debian source tree's .gitignore ignores everything.
	git -C "$wt" add -f -- "$DST_REL" "$MM_REL/Makefile" "$MM_REL/.gitignore" "$MM_REL/run_vmtests.sh"
	if [ "$SRC_REL" = "$SRC_V1" ]; then commit_msg_v1; else commit_msg_v2; fi |
		git -C "$wt" -c user.name="$PROJECT_IDENT_NAME" -c user.email="$PROJECT_IDENT_EMAIL" \
			-c commit.gpgsign=false commit -q -s -F -
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
		if [ $# -eq 4 ] && [ "$3" = -s ]; then
			set_src "$4"
		elif [ $# -ne 2 ]; then
			usage
		fi
		check_patch "$2"
		return
	fi
	local wt=$1 outdir='' start=1
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		-s) [ $# -ge 2 ] || usage; set_src "$2"; shift 2 ;;
		-o) [ $# -ge 2 ] || usage; outdir=$2; shift 2 ;;
		-n) [ $# -ge 2 ] || usage; start=$2; shift 2 ;;
		*) usage ;;
		esac
	done
	apply_patch "$wt" "$outdir" "$start"
}

main "$@"
