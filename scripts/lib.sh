# shellcheck shell=bash
# Common helpers for the workbench scripts. Source it; it sets strict mode.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ARMS_ALL="base mayfail pin-aware"
VARIANTS_ALL="test debug i915 numa mglru kvm ab"
# The config variant of make ab, make kvm and the KVM negative control
# (scripts/configs/ab.config); used by the scripts that source this file.
# shellcheck disable=SC2034
AB_VARIANT=ab
# Overlays: series applied on top of an arm ("ARM+OVERLAY" is an arm of
# its own, with its own worktree), never part of a compared arm: test-only
# ones, and test_hmm-fix, a fix of lib/test_hmm.c to be posted on its own.
OVERLAYS_ALL="i915-mock skip-policy test_hmm-fix"
# The job's clock, not a setting: exported so that the progress lines of
# the scripts a job runs count from the start of the job.
START_TS=${START_TS:-$(date +%s)}
export START_TS

# The project's neutral identity: used for the base commit and for the
# commits that carry the series. Never a person. Used by the scripts that
# source this file.
# shellcheck disable=SC2034
PROJECT_IDENT_NAME="pin-aware-reclaim workbench"
# shellcheck disable=SC2034
PROJECT_IDENT_EMAIL="workbench@pin-aware-reclaim.invalid"

die() {
	echo "error: $*" >&2
	exit 1
}

# step MSG: one progress line with the elapsed time since the job started.
step() {
	local el=$(($(date +%s) - START_TS))
	printf '[%02d:%02d] %s\n' $((el / 60)) $((el % 60)) "$*" >&2
}

# The bases: one pin file each, patches/bases/NAME.pin, NAME being what
# BASE= takes. BASE_DEFAULT is the base of a plain `make` (the Makefile
# reads it from here); its series live in patches/SERIES/, those of any
# other base in patches/SERIES/BASE/ (series_dir).
BASE_DEFAULT=7.3
BASES_ALL=
for _pin in "$ROOT"/patches/bases/*.pin; do
	_pin=${_pin##*/}
	BASES_ALL+="${BASES_ALL:+ }${_pin%.pin}"
done
unset _pin
# Not exported: a BASE from the environment reaches the children as it is,
# and without one each script takes the same default.
BASE=${BASE:-$BASE_DEFAULT}
case " $BASES_ALL " in
*" $BASE "*) ;;
*) die "unknown base '$BASE' (known bases: $BASES_ALL; one pin file each in patches/bases/)" ;;
esac

# Read the pin of BASE (BASE_PIN=FILE: another pin file) into BASE_*
# variables; BASE_PIN_FILE is the file read.
load_pin() {
	BASE_PIN_FILE=${BASE_PIN:-$ROOT/patches/bases/$BASE.pin}
	[ -r "$BASE_PIN_FILE" ] || die "base pin $BASE_PIN_FILE is missing"
	# shellcheck source=../patches/bases/7.3.pin
	. "$BASE_PIN_FILE"
}

# series_dir NAME: the directory of series NAME (an arm or an overlay) for
# BASE: patches/NAME for the default base, patches/NAME/BASE otherwise.
series_dir() {
	if [ "$BASE" = "$BASE_DEFAULT" ]; then
		echo "$ROOT/patches/$1"
	else
		echo "$ROOT/patches/$1/$BASE"
	fi
}

# docs_name STEM.EXT: the name of a generated result in docs/ (and in the
# job dir under build/ that make publish copies it from): STEM-BASE.EXT, on
# every base, so that a result keeps its name when the default changes.
docs_name() {
	echo "${1%.*}-$BASE.${1##*.}"
}

# report COMMAND ARGS...: the report pipeline, scripts/report (a Python
# package, standard library only): the one parser of the guest's TAP and
# run directories, and the one writer of the reports (summary JSON first,
# Markdown, SVG and the cover letter's numbers rendered from it).
# `report --help` lists its commands.
report() {
	PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" python3 -m report "$@"
}

# tally RC LINE [LOGS]: count one arm's result in the caller's passed or
# failed and keep its summary line: "ok     LINE", or "FAILED LINE (logs:
# LOGS)" when RC is not 0.
tally() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		summary+=("ok     $2")
	else
		failed=$((failed + 1))
		summary+=("FAILED $2${3:+ (logs: $3)}")
	fi
}

# plain_arms SCRIPT [ARMS]: the comma-separated plain arms of ARMS (default
# every arm) into the array LIST, each checked; an overlay arm, an unknown
# arm or an empty list dies naming SCRIPT.
plain_arms() {
	local script=$1 a
	IFS=, read -r -a LIST <<<"${2:-${ARMS_ALL// /,}}"
	[ "${#LIST[@]}" -gt 0 ] || die "no arms given: $script [ARMS] (comma separated: $ARMS_ALL)"
	for a in "${LIST[@]}"; do
		case "$a" in *+*) die "$script takes plain arms ($ARMS_ALL), not '$a'" ;; esac
		check_arm "$a"
	done
}

# getopts_other SCRIPT USAGE O: the cases a getopts loop ends with
# (`*) getopts_other SCRIPT "$usage" "$o" ;;`): -h (when the loop takes it)
# prints USAGE and exits; a missing value or an unknown option dies naming
# SCRIPT and USAGE.
getopts_other() {
	case "$3" in
	h)
		echo "$2"
		exit 0
		;;
	:) die "$1: option -$OPTARG needs a value ($2)" ;;
	*) die "$1: unknown option -$OPTARG ($2)" ;;
	esac
}

# count_arg WHAT VALUE: die unless VALUE is a whole number >= 1 (a time in
# seconds, a number of boots); WHAT names the option, e.g. "stress.sh: -t".
count_arg() {
	case "$2" in '' | *[!0-9]* | 0*) die "$1 '$2': a number >= 1" ;; esac
}

# check_arm ARM[+OVERLAY]: die unless ARM is a known arm and OVERLAY (if
# any) a known overlay.
check_arm() {
	local base=${1%%+*} overlay=
	[ "$base" = "$1" ] || overlay=${1#*+}
	case " $ARMS_ALL " in
	*" $base "*) ;;
	*) die "unknown arm '$1' (known arms: $ARMS_ALL)" ;;
	esac
	[ -z "$overlay" ] && return 0
	case " $OVERLAYS_ALL " in
	*" $overlay "*) ;;
	*) die "unknown overlay '$overlay' in arm '$1' (known overlays: $OVERLAYS_ALL)" ;;
	esac
}

# arm_variant_args SCRIPT "$@": the common "ARM [VARIANT]" arguments; sets
# arm and variant (default test) after checking both.
arm_variant_args() {
	local script=$1
	shift
	arm=${1:-}
	variant=${2:-test}
	[ -n "$arm" ] || die "usage: $script ARM [VARIANT] (arms: $ARMS_ALL; variants: $VARIANTS_ALL)"
	check_arm "$arm"
	check_variant "$variant"
}

# check_qemu_opts MEM SMP TIMEOUT SWAP ACCEL NUMA: die unless each is a
# value scripts/qemu.sh takes (run.sh checks them before it builds).
check_qemu_opts() {
	case "$1" in [1-9]*[0-9][MG] | [1-9][MG]) ;; *) die "memory '$1': use <N>M or <N>G (e.g. -m 2G)" ;; esac
	case "$2" in '' | *[!0-9]* | 0) die "vCPUs '$2': a number >= 1 (-p)" ;; esac
	case "$3" in '' | *[!0-9]*) die "timeout '$3': seconds, a number (-T; 0: none)" ;; esac
	case "$4" in virtio | zram | none) ;; *) die "swap '$4': use virtio, zram or none (-S)" ;; esac
	case "$5" in tcg | kvm | auto) ;; *) die "accelerator '$5': use tcg, kvm or auto (-A)" ;; esac
	case "$6" in none | tiers) ;; *) die "NUMA '$6': use none or tiers (-N)" ;; esac
}

# kvm_canary [ACCEL]: succeed if QEMU with -accel ACCEL (default kvm) runs
# a guest: a 512-byte boot sector that writes 0x2a to QEMU's isa-debug-exit
# port, which ends QEMU with status 0x2a * 2 + 1 = 85, within
# 10 s (under TCG it takes under a second). On this kind
# of host /dev/kvm opens but its guests never run: the canary times out.
# On failure KVM_CANARY_WHY says why.
# shellcheck disable=SC2034 # KVM_CANARY_WHY is for the caller
kvm_canary() {
	local accel=${1:-kvm} img rc=0 secs=10
	KVM_CANARY_WHY=
	if [ "$accel" = kvm ] && { [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; }; then
		KVM_CANARY_WHY="no usable /dev/kvm"
		return 1
	fi
	img=$(mktemp)
	# mov al, 0x2a; out 0xf4, al; hlt; jmp hlt; then the boot signature.
	{
		printf '\xb0\x2a\xe6\xf4\xf4\xeb\xfd'
		head -c 503 /dev/zero
		printf '\x55\xaa'
	} >"$img"
	timeout -k 2 "$secs" qemu-system-x86_64 -accel "$accel" -nodefaults -display none -m 16 -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -drive "file=$img,format=raw,if=ide" \
		</dev/null >/dev/null 2>&1 || rc=$?
	rm -f "$img"
	[ "$rc" = 85 ] && return 0
	case "$rc" in
	124 | 137) KVM_CANARY_WHY="no exit within $secs s" ;;
	*) KVM_CANARY_WHY="QEMU exited with status $rc, not 85" ;;
	esac
	return 1
}

# The environment variables scripts/run.sh read before it took options
# (issue 18), each with the option that replaced it. run.sh refuses one
# that is set when its option is not given (a setting it would ignore);
# run_sh, which every other script uses, clears them for it.
RUN_OLD_ENV="GUEST_CMD:-g GUEST_ARGS:-a RUN_TAG:-t EXPECT_ARM:-e MEM:-m SMP:-p TIMEOUT:-T SWAP:-S
	SWAP_SIZE:-z ACCEL:-A NUMA:-N CPU:-C LRU_GEN:-L PER_TEST_TIMEOUT:-P"

# RUN_SH: the command scripts/run.sh without RUN_OLD_ENV's variables, for
# a caller that runs it in another process (check.sh); run_sh ARGS...: it.
RUN_SH=(env)
for _kv in $RUN_OLD_ENV; do RUN_SH+=(-u "${_kv%%:*}"); done
RUN_SH+=("$ROOT/scripts/run.sh")
unset _kv
run_sh() { "${RUN_SH[@]}" "$@"; }

# config_fragments VARIANT: the config fragments of VARIANT for BASE, one
# path a line, in merge order: boot, test and (unless VARIANT is test) the
# variants its fragment names on a "# with: NAME..." line, then VARIANT
# itself, each scripts/configs/NAME.config followed by the optional
# scripts/configs/BASE/NAME.config, which holds what differs on that base
# (an option a base renamed or lacks). A later fragment overrides an earlier
# one (merge_config.sh), and config.sh checks the last word on each option.
config_fragments() {
	local name with=() names=(boot test)
	if [ "$1" != test ]; then
		read -r -a with < <(sed -n 's/^# with: //p' "$ROOT/scripts/configs/$1.config" 2>/dev/null) || true
		names+=("${with[@]}" "$1")
	fi
	for name in "${names[@]}"; do
		echo "$ROOT/scripts/configs/$name.config"
		if [ -e "$ROOT/scripts/configs/$BASE/$name.config" ]; then
			echo "$ROOT/scripts/configs/$BASE/$name.config"
		fi
	done
}

check_variant() {
	case " $VARIANTS_ALL " in
	*" $1 "*) ;;
	*) die "unknown config variant '$1' (known variants: $VARIANTS_ALL)" ;;
	esac
}

# The directory that holds everything derived from one base: the git tree
# (src/), the arms' worktrees (arms/ARM) and their O= dirs inside them.
# Debian base: build/deb-<kernel version>; KSRC: build/ksrc-<commit>.
work_dir() {
	if [ -n "${KSRC:-}" ]; then
		local head
		head=$(git -C "$KSRC" rev-parse --short=12 HEAD 2>/dev/null) ||
			die "KSRC=$KSRC is not a git tree"
		echo "$BUILD/ksrc-$head"
	else
		load_pin
		echo "$BUILD/deb-$BASE_KERNEL_VERSION"
	fi
}

arm_dir() { echo "$(work_dir)/arms/$1"; }
# O= directory: inside the worktree so that the relative path from the
# object dir to the sources is the same for every arm (ccache hits across
# arms with CCACHE_BASEDIR). Ignored by the kernel's own .gitignore (.*).
out_dir() { echo "$(work_dir)/arms/$1/.out-$2"; }

# need_disk COLD WARM WHAT: die, before WHAT starts, unless the file system
# of BUILD has COLD GiB free (WARM GiB when the work dir of BASE exists
# already, so most of what WHAT writes is there). A full disk otherwise
# shows up late, as a build or git failing in the middle of a step.
need_disk() {
	local want=$1 avail dir=$BUILD
	[ -d "$(work_dir)" ] && want=$2
	while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
	avail=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')
	[ "$avail" -ge "$want" ] ||
		die "$3 needs about $want GiB free in $BUILD, its file system has $avail GiB (free some, or BUILD=DIR elsewhere)"
}

# run_logged LOG CMD...: run CMD with all output in LOG; on failure print
# the first error lines and the log path.
run_logged() {
	local log=$1
	shift
	mkdir -p "$(dirname "$log")"
	if ! "$@" >"$log" 2>&1; then
		echo "---- first errors in $log:" >&2
		grep -m 15 -E 'error|Error|ERROR|\*\*\*|fatal' "$log" >&2 || tail -n 20 "$log" >&2
		die "command failed: $* (full log: $log)"
	fi
}

# Every Debian package a build or test step uses, as PACKAGE:PROBE, where
# PROBE is a command or an absolute path that the package installs (checked
# by scripts/tests/workbench.sh). scripts/deps.sh installs them all; a step
# checks its own with `need PACKAGE...`. The one list of the workbench's
# packages: add a package here in the change that starts using it. Not
# Essential ones (gzip, tar, ...): every Debian system has those.
#   python3 (probed by its pydoc3: /usr/bin/python3 is python3-minimal's)
#   python3-ply, python3-git: checkpatch's SPDX check of new files
#   liburing-dev: the static liburing.a of the io_uring pin cases
#   libc6-dev: the static libc.a of the guest's test binaries
#   rsync: the kernel's headers_install; perl: checkpatch's modules
#   debootstrap: scripts/tests/fresh-machine.sh
#   libpython3.11-dev: spatch's python rules dlopen libpython3.11.so
#   b4: scripts/export.sh (b4 prep, b4 send -o: the posting of a series)
#   libnuma-dev: the static libnuma.a of the upstream migration test
DEPS=(make:make gcc:gcc git:git flex:flex bison:bison bc:bc rsync:rsync perl:/usr/bin/cpan
	libelf-dev:/usr/include/gelf.h libssl-dev:/usr/include/openssl/ssl.h
	ccache:ccache cpio:cpio xz-utils:xz file:file kmod:depmod
	busybox-static:/bin/busybox qemu-system-x86:qemu-system-x86_64
	python3:/usr/bin/pydoc3 python3-ply:/usr/lib/python3/dist-packages/ply
	python3-git:/usr/lib/python3/dist-packages/git
	shellcheck:shellcheck coccinelle:spatch sparse:sparse
	libpython3.11-dev:/usr/lib/x86_64-linux-gnu/libpython3.11.so
	libc6-dev:/usr/lib/x86_64-linux-gnu/libc.a
	liburing-dev:/usr/lib/x86_64-linux-gnu/liburing.a debootstrap:debootstrap
	b4:b4
	libnuma-dev:/usr/lib/x86_64-linux-gnu/libnuma.a)

# need PACKAGE...: need_cmds for these packages of DEPS.
need() {
	local pkg spec specs=()
	for pkg in "$@"; do
		for spec in "${DEPS[@]}" ''; do
			[ "${spec%%:*}" = "$pkg" ] && break
		done
		[ -n "$spec" ] || die "need $pkg: not in DEPS (scripts/lib.sh); add it there"
		specs+=("$spec")
	done
	need_cmds "${specs[@]}"
}

# need_cmds PKG:PROBE...: check that each PROBE (a command, or an absolute
# path of a file) exists; as root install the missing packages with
# apt-get (NO_INSTALL=1 forbids it), otherwise say exactly what to install.
need_cmds() {
	local missing=() spec pkg cmd
	for spec in "$@"; do
		pkg=${spec%%:*}
		cmd=${spec#*:}
		case "$cmd" in
		/*) [ -e "$cmd" ] || missing+=("$pkg") ;;
		*) command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg") ;;
		esac
	done
	[ "${#missing[@]}" = 0 ] && return 0
	if [ "$(id -u)" = 0 ] && [ -z "${NO_INSTALL:-}" ]; then
		step "installing: ${missing[*]}"
		apt_install "${missing[@]}"
		for spec in "$@"; do
			cmd=${spec#*:}
			[ -e "$cmd" ] || command -v "$cmd" >/dev/null 2>&1 ||
				die "still missing after apt-get install: $cmd (package ${spec%%:*})"
		done
	else
		die "missing packages: ${missing[*]} (run as root: apt-get install ${missing[*]})"
	fi
}

apt_install() {
	local log=$BUILD/logs/apt-get.log
	mkdir -p "$BUILD/logs"
	if [ ! -e "$BUILD/logs/.apt-updated" ]; then
		apt-get update -qq >"$log" 2>&1 || die "apt-get update failed (log: $log)"
		touch "$BUILD/logs/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$log" 2>&1 ||
		die "apt-get install $* failed (log: $log)"
}
