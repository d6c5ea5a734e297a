#!/usr/bin/env bash
# build.sh ARM [VARIANT]: build bzImage and modules of one arm with ccache.
# A build whose inputs (worktree commit, fragments, toolchain) did not
# change is skipped without running make. Prints the O= directory.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

arm_variant_args build.sh "$@"
need gcc make flex bison bc libelf-dev libssl-dev ccache cpio

# One build per O= directory at a time: a second make in the same tree
# races on dependency files. Wait for the other one, then re-check.
lockdir=$(work_dir)/locks
mkdir -p "$lockdir"
exec 9>"$lockdir/build-$arm-$variant.lock"
if ! flock -n 9; then
	step "$arm/$variant: another build of this arm is running; waiting for it"
	flock 9
fi
out=$("$ROOT/scripts/config.sh" "$arm" "$variant")
wt=$(arm_dir "$arm")
key=$({
	git -C "$wt" rev-parse HEAD
	cat "$out/.config.frags"
	gcc --version | head -n1
} | sha256sum | cut -d' ' -f1)
if [ -r "$out/arch/x86/boot/bzImage" ] && [ "$(cat "$out/.build.key" 2>/dev/null)" = "$key" ]; then
	step "$arm/$variant: up to date ($(git -C "$wt" log -1 --format='%h %s'))"
	echo "$out"
	exit 0
fi

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths under the work dir hash as relative ones: every arm's worktree has
# the same layout (arms/ARM/.out-VARIANT), so arms share cache entries.
export CCACHE_BASEDIR
CCACHE_BASEDIR=$(work_dir)
export CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
export KBUILD_BUILD_TIMESTAMP="2025-11-14 12:56:00 UTC" KBUILD_BUILD_USER=workbench KBUILD_BUILD_HOST=workbench
log=$(work_dir)/logs/build-$arm-$variant.log
mkdir -p "$(dirname "$log")"
jobs=${JOBS:-$(nproc)}
step "$arm/$variant: building bzImage + modules (-j$jobs, log: ${log#"$ROOT"/})"
rm -f "$out/.build.key"
(
	make -C "$wt" O="$out" ARCH=x86_64 CC="ccache gcc" -j"$jobs" bzImage modules >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 30
		kill -0 "$pid" 2>/dev/null || break
		step "$arm/$variant: building... $(grep -c -E '^  (CC|AS|LD|AR)' "$log") objects so far"
	done
	wait "$pid"
) || {
	echo "---- first errors:" >&2
	grep -m 15 -E ': error|Error [0-9]|\*\*\*' "$log" >&2 || tail -n 20 "$log" >&2
	die "$arm/$variant: build failed (full log: $log)"
}
echo "$key" >"$out/.build.key"
step "$arm/$variant: built $(git -C "$wt" log -1 --format='%h %s')"
echo "$out"
