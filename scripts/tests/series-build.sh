#!/usr/bin/env bash
# series-build.sh [BASE...]: every patch of every series builds on its own,
# without new compiler (W=1) or sparse warnings. Default: every base (the
# default one's series is the RFC: booting its arms, as the rest of make
# check does, does not show that each patch builds alone or warns nothing).
#
# For each base and each arm's series that has patches for it: a scratch
# worktree at the base (WORK/bisect/SERIES), the arm's config of the test
# variant (i915 when the series touches drivers/gpu/drm), then the objects
# of the .c files the series touches are built with W=1 and sparse at the
# base and again after each `git am` step. A step fails if the build
# fails or prints a warning line the base did not (line numbers aside).
#
# Sparse: 7.3 rejects Debian 12's sparse 0.6.4 (scripts/checker-valid.sh
# needs __typeof_unqual__); it runs with __typeof_unqual__ defined as
# __typeof__, which is enough for a comparison with the base. A step in
# which sparse checked nothing (no CHECK line) fails: the gate must run.
#
# A kselftest the series adds or changes (tools/testing/selftests/DIR/X.c)
# is no kernel object: from the step that has it on, it is built with its
# own Makefile against the step's uapi headers (make headers), and any
# warning fails the step (the file is new, there is no base to compare).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh
# shellcheck source=../lib.sh
. scripts/lib.sh

bases=("$@")
[ "${#bases[@]}" -gt 0 ] || read -r -a bases <<<"$BASES_ALL"
check="sparse -D__typeof_unqual__=__typeof__"

# build_objs DIR OUT LOG OBJ...: W=1 + sparse of OBJ...; prints warnings,
# normalised, on stdout; fails if make fails or sparse checked nothing.
build_objs() {
	local dir=$1 out=$2 log=$3
	shift 3
	# Rebuilt every time, so that each step prints its own warnings.
	(cd "$dir" && touch "${@/%.o/.c}")
	if ! nice -n 10 make -C "$dir" O="$out" ARCH=x86_64 -j"$(nproc)" W=1 C=1 CHECK="$check" "$@" >"$log" 2>&1; then
		return 1
	fi
	grep -q '^  CHECK ' "$log" || return 2
	grep -E 'warning:|error:' "$log" | sed -E 's/:[0-9]+:[0-9]+:/:/' | LC_ALL=C sort -u
}

for b in "${bases[@]}"; do
	export BASE=$b
	work=$(scripts/base-tree.sh)
	# Arms only: the overlays' .c files are i915 selftests that are
	# #included by other files, not objects of their own.
	for s in $ARMS_ALL; do
		[ "$s" != base ] || continue
		dir=$(series_dir "$s")
		mapfile -t series < <(find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' 2>/dev/null | LC_ALL=C sort)
		[ "${#series[@]}" -gt 0 ] || continue
		name=$s@$b
		# Objects of the .c files any patch of the series touches, and the
		# kselftests among those files.
		mapfile -t objs < <(sed -n 's|^+++ b/\(.*\)\.c$|\1.o|p' "${series[@]}" | grep -v '^tools/' | LC_ALL=C sort -u)
		mapfile -t ksts < <(sed -n 's|^+++ b/\(tools/testing/selftests/.*\)\.c$|\1|p' "${series[@]}" | LC_ALL=C sort -u)
		variant='test'
		! grep -q '^+++ b/drivers/gpu/drm/' "${series[@]}" || variant=i915
		if [ "${#objs[@]}" = 0 ]; then
			t_ok "$name: no .c file touched, nothing to build"
			continue
		fi
		step "series-build $name: ${#series[@]} patches, ${objs[*]} ($variant config)"
		cfg=$(scripts/config.sh "$s" "$variant")/.config
		wt=$work/bisect/$s
		out=$wt/.out-bisect
		if [ ! -e "$wt/.git" ]; then
			git -C "$work/src" worktree prune
			git -C "$work/src" worktree add -q -f --detach "$wt" refs/tags/base
		fi
		am=(git -C "$wt" -c user.name="$PROJECT_IDENT_NAME" -c user.email="$PROJECT_IDENT_EMAIL" am)
		"${am[@]}" --abort >/dev/null 2>&1 || true
		git -C "$wt" reset -q --hard refs/tags/base
		mkdir -p "$out" "$work/logs"
		cp "$cfg" "$out/.config"
		run_logged "$work/logs/bisect-$s-config.log" make -C "$wt" O="$out" ARCH=x86_64 olddefconfig
		present=()
		for o in "${objs[@]}"; do [ ! -e "$wt/${o%.o}.c" ] || present+=("$o"); done
		rc=0
		basew=$(build_objs "$wt" "$out" "$work/logs/bisect-$s-0.log" "${present[@]}") || rc=$?
		if [ "$rc" != 0 ]; then
			t_fail "$name: the base does not build ${present[*]} (rc $rc; log: $work/logs/bisect-$s-0.log)"
			continue
		fi
		i=0
		for p in "${series[@]}"; do
			i=$((i + 1))
			if ! "${am[@]}" -q "$p" >/dev/null 2>&1; then
				"${am[@]}" --abort >/dev/null 2>&1 || true
				t_fail "$name: ${p##*/} does not apply"
				break
			fi
			present=()
			for o in "${objs[@]}"; do [ ! -e "$wt/${o%.o}.c" ] || present+=("$o"); done
			log=$work/logs/bisect-$s-$i.log
			rc=0
			w=$(build_objs "$wt" "$out" "$log" "${present[@]}") || rc=$?
			if [ "$rc" = 1 ]; then
				t_fail "$name: ${p##*/} does not build (log: $log)"
				grep -m 5 -E 'error' "$log" || true
				continue
			elif [ "$rc" = 2 ]; then
				t_fail "$name: ${p##*/}: sparse checked nothing (no CHECK line; log: $log)"
				continue
			fi
			new=$(LC_ALL=C comm -13 <(echo "$basew") <(echo "$w") | grep . || true)
			if [ -z "$new" ]; then
				t_ok "$name: ${p##*/} builds ${present[*]} with no new W=1 or sparse warning"
			else
				t_fail "$name: ${p##*/}: new warnings:"
				echo "$new" | head -n 10
			fi
			for k in "${ksts[@]}"; do
				[ -e "$wt/$k.c" ] || continue
				klog=$work/logs/bisect-$s-$i-${k##*/}.log
				kout=$out/kselftest/${k%/*}
				mkdir -p "$kout"
				rm -f "$kout/${k##*/}"
				if ! { make -C "$wt" O="$out" ARCH=x86_64 headers &&
					make -C "$wt/${k%/*}" OUTPUT="$kout" KHDR_INCLUDES="-isystem $out/usr/include" \
						"$kout/${k##*/}"; } >"$klog" 2>&1; then
					t_fail "$name: ${p##*/} does not build the kselftest $k (log: $klog)"
					grep -m 5 -E 'error' "$klog" || true
				elif grep -q -E 'warning:' "$klog"; then
					t_fail "$name: ${p##*/}: the kselftest $k builds with warnings (log: $klog)"
					grep -m 5 -E 'warning:' "$klog" || true
				else
					t_ok "$name: ${p##*/} builds the kselftest $k with its own Makefile, no warning"
				fi
			done
		done
		git -C "$wt" reset -q --hard refs/tags/base
	done
done
t_summary
