#!/usr/bin/env bash
# fresh-machine.sh [--share-ccache] [--skip-ci] [--keep] [--rev REV]:
# prove that the README's commands work on a fresh Debian 12 machine, and
# that every package the workbench needs is one it names. Not part of
# `make check` (it takes 40-60 min cold); run it before a release.
#
#   1. debootstrap --variant=minbase bookworm into build/fresh/root, with
#      the host's Debian apt sources (read, never changed);
#   2. a clone of REV (default HEAD) at /srv/repo inside it, then, as
#      root in the chroot, `CI=true bash .ci/run`: it must end
#      "N passed, 0 failed, N skipped" with only the expected skips;
#   3. for every package in DEPS (scripts/lib.sh): remove it from the
#      chroot (dpkg --force-depends), then `make check` with NO_INSTALL=1
#      must fail naming it; reinstall it.
#
# --share-ccache binds the host's ccache into the chroot (faster kernel
# builds; the packages are still the chroot's own). --skip-ci does only
# steps 1 and 3. --keep leaves the chroot in place (it is reused when it
# exists: remove build/fresh to start over). Logs: build/fresh/logs/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh
# shellcheck source=../lib.sh
. scripts/lib.sh

usage() { die "usage: fresh-machine.sh [--share-ccache] [--skip-ci] [--keep] [--rev REV]"; }
share_ccache='' skip_ci='' keep='' rev=HEAD
while [ $# -gt 0 ]; do
	case "$1" in
	--share-ccache) share_ccache=1 ;;
	--skip-ci) skip_ci=1 ;;
	--keep) keep=1 ;;
	--rev)
		[ $# -ge 2 ] || usage
		rev=$2
		shift ;;
	*) usage ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || die "fresh-machine.sh needs root (debootstrap, chroot, mounts)"
git rev-parse -q --verify "$rev^{commit}" >/dev/null || die "--rev $rev: not a commit of this repository"
need debootstrap

fresh=$BUILD/fresh
chroot=$fresh/root
logs=$fresh/logs
mkdir -p "$logs"
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -R -l "${mounts[$i]}" 2>/dev/null || true; done
	[ -n "$keep" ] && return 0
	# Never remove through a mount that is still there (the host's /dev).
	if grep -q -F " $chroot/" /proc/mounts; then
		echo "warning: mounts left under $chroot; not removing it" >&2
		return 0
	fi
	rm -rf --one-file-system "$chroot"
}
trap cleanup EXIT

# The host's Debian sources (deb822 or one-line), for debootstrap's mirror
# and for the chroot's own apt: a fresh machine of the same kind.
sources=/etc/apt/sources.list.d/debian.sources
[ -r "$sources" ] || sources=/etc/apt/sources.list
mirror=$(sed -n -E 's/^URIs: *([^ ]+).*/\1/p; s/^deb +(\[[^]]*\] +)?([^ ]+) +bookworm .*/\2/p' "$sources" |
	grep -v security | head -n1)
[ -n "$mirror" ] || die "no Debian mirror for bookworm in $sources"

if [ ! -x "$chroot/bin/bash" ]; then
	step "fresh: debootstrap --variant=minbase bookworm (log: ${logs#"$ROOT"/}/debootstrap.log)"
	grep -q -F " $chroot/" /proc/mounts && die "mounts left under $chroot from an earlier run: umount -R them first"
	rm -rf --one-file-system "$chroot"
	run_logged "$logs/debootstrap.log" debootstrap --variant=minbase bookworm "$chroot" "$mirror"
	cp "$sources" "$chroot/etc/apt/${sources#/etc/apt/}"
	[ "$sources" = /etc/apt/sources.list ] || : >"$chroot/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$chroot/etc/resolv.conf"
# Recursive binds (/dev/shm, /dev/pts), kept from propagating back.
for m in proc sys dev; do
	mkdir -p "$chroot/$m"
	mount --rbind "/$m" "$chroot/$m"
	mount --make-rslave "$chroot/$m"
	mounts+=("$chroot/$m")
done
if [ -n "$share_ccache" ]; then
	mkdir -p "$HOME/.cache/ccache" "$chroot/root/.cache/ccache"
	mount --bind "$HOME/.cache/ccache" "$chroot/root/.cache/ccache"
	mounts+=("$chroot/root/.cache/ccache")
fi

# in_chroot LOG CMD: run a bash command line as root in the chroot's
# repository, with a clean environment like CI's.
in_chroot() {
	local log=$1
	shift
	chroot "$chroot" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		CI=true TERM=dumb /bin/bash -c "cd /srv/repo && $*" >"$log" 2>&1
}

step "fresh: clone of $(git rev-parse --short "$rev") at /srv/repo"
rm -rf "$chroot/srv/repo"
mkdir -p "$chroot/srv"
git clone -q --no-local --no-checkout "$ROOT" "$chroot/srv/repo"
git -C "$chroot/srv/repo" checkout -q "$(git rev-parse "$rev")"

if [ -z "$skip_ci" ]; then
	step "fresh: CI=true bash .ci/run in the chroot (log: ${logs#"$ROOT"/}/ci.log)"
	t0=$(date +%s)
	rc=0
	in_chroot "$logs/ci.log" bash .ci/run || rc=$?
	last=$(tail -n1 "$logs/ci.log")
	step "fresh: .ci/run exited $rc after $((($(date +%s) - t0) / 60)) min: $last"
	t_if ".ci/run on a fresh Debian 12 passes ($last, $((($(date +%s) - t0) / 60)) min)" test "$rc" = 0
	t_if ".ci/run: no failure in its closing line" grep -q -E '^[0-9]+ passed, 0 failed' <<<"$last"
	t_if ".ci/run: no unexpected skip" test -z "$(grep -E '^ *UNEXPECTED ' "$logs/ci.log" || true)"
else
	step "fresh: installing the workbench's packages (scripts/deps.sh)"
	in_chroot "$logs/deps.log" scripts/deps.sh || die "scripts/deps.sh failed in the chroot (log: $logs/deps.log)"
fi

# Each package of DEPS, removed, must stop make check with its name.
for spec in "${DEPS[@]}"; do
	pkg=${spec%%:*}
	if ! in_chroot "$logs/remove-$pkg.log" "dpkg --remove --force-depends $pkg"; then
		t_fail "$pkg: could not be removed from the chroot (log: $logs/remove-$pkg.log)"
		continue
	fi
	if in_chroot "$logs/missing-$pkg.log" "NO_INSTALL=1 make check"; then
		t_fail "$pkg removed: make check passed"
	elif grep -q -E "missing packages: (.* )?$pkg( |$)|$pkg: (command )?not found" "$logs/missing-$pkg.log"; then
		t_ok "$pkg removed: make check fails naming it"
	else
		t_fail "$pkg removed: make check failed without naming it: $(tail -n1 "$logs/missing-$pkg.log")"
	fi
	in_chroot "$logs/reinstall-$pkg.log" "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkg" ||
		die "could not reinstall $pkg in the chroot (log: $logs/reinstall-$pkg.log)"
done
# The build itself, too: the selftests without liburing-dev.
in_chroot "$logs/remove-uring.log" "dpkg --remove --force-depends liburing-dev" || true
if in_chroot "$logs/selftests-no-uring.log" "make -C selftests OUT=/tmp/st KSRC=/tmp"; then
	t_fail "selftests built without liburing-dev"
else
	t_if "selftests without liburing-dev: the build fails naming it" grep -q 'install liburing-dev' "$logs/selftests-no-uring.log"
fi
t_summary
